//! `cargo fuzz run survey_definition`: the logic and its invariants are in canvass-fuzz-targets.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| canvass_fuzz_targets::survey_definition(data));
