//! Shared test support: the store contract suites every adapter must pass, and helpers to
//! drive the ingest Router in-process.

pub mod browser;
pub mod contract;
pub mod dynamo;
pub mod harness;
pub mod load;
pub mod measure;
pub mod operator;
pub mod s3;
pub mod sample;
