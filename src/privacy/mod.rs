//! Privacy guards for sites that publish data about patients' care: small-number
//! suppression of counts, and a scanner for identifiers that must never be published.

pub mod identifiers;
pub mod suppression;
