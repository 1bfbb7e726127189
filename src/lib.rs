//! Intake: enter customers into customer APIs (Finosu, Help Scout).
//!
//! The core — [`model`], [`validation`], [`normalize`], [`mod@reference`], [`draft_file`], [`import`], [`batch`],
//! [`backends`], [`photo`], [`sandbox`], [`profiles`], [`credentials`], [`store`], [`cli`] — knows nothing
//! about egui and is tested without a window; [`ui`] only draws state and sends commands.

pub mod atomic_write;
pub mod backends;
pub mod batch;
pub mod cli;
pub mod credentials;
pub mod draft_file;
pub mod duplicate_check;
pub mod import;
pub mod model;
pub mod normalize;
pub mod outbox;
pub mod paths;
pub mod photo;
pub mod private_files;
pub mod profiles;
pub mod reference;
pub mod sandbox;
pub mod store;
pub mod sync;
pub mod ui;
pub mod validation;
