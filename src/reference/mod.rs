//! Static reference data the validator and the form share: US states, countries, time zones, ZIP codes.

pub mod countries;
pub mod timezones;
pub mod us_states;
pub mod zip_codes;
