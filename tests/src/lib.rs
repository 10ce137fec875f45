//! Shared test support: the store contract suites every adapter must pass, and helpers to
//! drive the ingest Router in-process.

pub mod contract;
pub mod harness;
