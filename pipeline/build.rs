//! The Fluent files are compiled in by `static_loader!`, which cargo does not track: rebuild
//! the crate when they change.

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
