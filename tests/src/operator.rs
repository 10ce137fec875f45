//! The `canvass` binary run as an operator runs it, for the process tests of its commands
//! (status, remove): on a data folder and the shipped surveys, with nothing from the
//! operator's shell leaking in.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::harness::surveys_dir;
use crate::load::canvass_binary;

/// `canvass ARGS --data DATA --surveys <shipped surveys>`, waited for.
pub fn canvass(args: &[&str], data: &Path) -> Output {
    Command::new(canvass_binary())
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--surveys")
        .arg(surveys_dir())
        // Settings an operator's shell may carry must not leak into the test.
        .env_remove("CANVASS_STORE")
        .env_remove("CANVASS_SECRET")
        .env_remove("CANVASS_REPORT_SCHEDULE")
        .env_remove("CANVASS_REPORT_INTERVAL_HOURS")
        .stdin(Stdio::null())
        .output()
        .expect("canvass runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
