//! Finds identifiers in text (NHS numbers, emails, phone numbers, postcodes, dates of
//! birth). (Being written.)
