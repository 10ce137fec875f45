//! With the `embedded-surveys` feature, compiles the surveys folder into the crate (read by
//! `canvass_core::embedded`): a Lambda has
//! no surveys folder on disk, and a deployed function must serve exactly the surveys it was
//! built and checked with. Picks the same files `canvass check` reads: `lock.toml` and every
//! `*.toml` one folder down.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_EMBEDDED_SURVEYS").is_none() {
        return;
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let surveys = Path::new(&manifest).join("../surveys");
    // A folder here is watched recursively: adding or editing any survey file rebuilds.
    println!("cargo:rerun-if-changed={}", surveys.display());
    let surveys = surveys.canonicalize().expect("the surveys folder exists");
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&surveys)
        .expect("the surveys folder is readable")
        .flatten()
    {
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        for inner in std::fs::read_dir(&dir)
            .expect("a survey folder is readable")
            .flatten()
        {
            let path = inner.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let relative = path
                    .strip_prefix(&surveys)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, path));
            }
        }
    }
    files.sort();
    let lock = surveys.join("lock.toml");
    let mut code = String::new();
    if lock.exists() {
        writeln!(
            code,
            "pub const LOCK: Option<&str> = Some(include_str!({:?}));",
            lock.display().to_string()
        )
        .unwrap();
    } else {
        writeln!(code, "pub const LOCK: Option<&str> = None;").unwrap();
    }
    writeln!(code, "pub const FILES: &[(&str, &str)] = &[").unwrap();
    for (relative, path) in &files {
        writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_surveys.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
