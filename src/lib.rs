//! cyclebook: build a linked static site from a learning health system's PDSA cycles,
//! notes and measures, and check it like a compiler.
//!
//! The stages, in the order data flows:
//! load ([`content`]) → resolve ([`resolve`]) → compute ([`stats`]) → render ([`render`]) → write ([`write`]).

pub mod config;
pub mod content;
pub mod date;
pub mod diagnostics;
pub mod render;
pub mod resolve;
