//! How the pipeline reports progress; the CLI shows a bar, the Lambda stays silent.

/// Called from the pipeline as it goes; every method has a do-nothing default.
pub trait Progress: Send + Sync {
    /// A new stage begins (`reading`, `tables`, `disclosure`, `audit`, `writing`).
    fn stage(&self, _name: &str) {}
    /// `items` more stored items were read.
    fn read(&self, _items: u64) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {}
