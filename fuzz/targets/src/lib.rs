//! The fuzz targets of Canvass: the parsers that take hostile input, each with the invariants it
//! must keep (docs/fuzzing.md).
//!
//! Every function takes arbitrary bytes and panics when an invariant breaks, so that the same
//! code serves the cargo-fuzz binaries (`fuzz/fuzz_targets/*.rs`, which only call these) and the
//! corpus replay in `make test` (`tests/tests/fuzz_corpus.rs`). No libFuzzer here: this crate
//! builds on stable like the rest of the workspace.
//!
//! - [`response_body`]: the JSON body of `POST /surveys/{id}/responses`, parsed by the ingest
//!   function's own parser, then validated against the survey (`answers::validate`, through
//!   `intake::prepare` as the handler does).
//! - [`form_body`]: the same POST as an HTML form (`application/x-www-form-urlencoded`), read by
//!   the form's own field parser, shaped by `form_input::raw_answers` and validated, page by
//!   page and whole.
//! - [`survey_definition`]: a survey file's TOML, parsed and built by `check`, and what the
//!   rest of Canvass relies on in every survey `check` accepts.

mod definition;
mod fixtures;
mod form;
mod json;
mod responses;

pub use definition::survey_definition;
pub use form::form_body;
pub use json::response_body;

/// One fuzz target: arbitrary bytes in, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// The fuzz targets by name: the names of `fuzz/fuzz_targets/*.rs`, `fuzz/corpus/*` and
/// `fuzz/regressions/*`.
pub const TARGETS: [(&str, Target); 3] = [
    ("response_body", response_body),
    ("form_body", form_body),
    ("survey_definition", survey_definition),
];
