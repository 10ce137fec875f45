//! Writers: every file of a release, as bytes, from the tables. Nothing here reads the
//! clock or the environment, so the same tables always give the same bytes.

pub mod charts;
pub mod citation;
pub mod csv;
pub mod datapackage;
pub mod png;
pub mod readme;

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `SHA256SUMS` in the format `sha256sum -c` reads: every other file, sorted by path.
pub fn sha256sums<'a>(files: impl IntoIterator<Item = (&'a String, &'a Vec<u8>)>) -> Vec<u8> {
    let mut lines: Vec<String> = files
        .into_iter()
        .map(|(path, bytes)| format!("{}  {path}\n", sha256_hex(bytes)))
        .collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    lines.concat().into_bytes()
}
