//! Settings every command shares: where data lives and the server secret.

use std::path::Path;

use anyhow::Context;
use canvass_core::catalog::Catalog;
use canvass_core::ids::Secret;

/// The survey catalogue of `folder`, or every problem `canvass check` would name.
pub fn catalog(folder: &Path) -> anyhow::Result<Catalog> {
    Catalog::load(folder).map_err(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!(
            "the surveys do not pass `canvass check`:\n{}",
            text.join("\n")
        )
    })
}

/// `CANVASS_SECRET` (hex) if set; otherwise `DATA/secret.key`, created on first use so a
/// laptop needs no set-up. Production always passes the secret in (see docs/deploy).
pub fn secret(data: &Path) -> anyhow::Result<Secret> {
    if let Ok(hex) = std::env::var("CANVASS_SECRET") {
        return Secret::from_hex(&hex).context("CANVASS_SECRET");
    }
    let path = data.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => Secret::from_hex(&text).with_context(|| format!("{}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data)
                .with_context(|| format!("creating {}", data.display()))?;
            let secret = Secret::random();
            write_private(&path, &secret.to_hex())?;
            Ok(secret)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
