//! Static reference data the validator and the form share: US states, countries, time zones.

pub mod countries;
pub mod timezones;
pub mod us_states;
