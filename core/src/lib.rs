//! canvass-core: the survey model, answer validation, the privacy rules and the store ports.
//!
//! No web framework, no Lambda runtime and no dataframe library here: every function
//! (ingest, report, publish) and the CLI build on this crate, and the ingest function must
//! stay small. Store adapters sit behind features (`sqlite`, `dynamodb`).

pub mod answers;
pub mod catalog;
pub mod check;
pub mod countries;
pub mod definition;
#[cfg(feature = "embedded-surveys")]
pub mod embedded;
pub mod form_input;
pub mod form_pages;
pub mod i18n;
pub mod ids;
pub mod intake;
pub mod lock;
pub mod pow;
pub mod progress;
pub mod ratelimit;
pub mod record;
pub mod releases;
pub mod report_schedule;
pub mod status;
pub mod store;
pub mod survey;
pub mod tables;
#[cfg(feature = "telemetry")]
pub mod telemetry;
pub mod wave;
