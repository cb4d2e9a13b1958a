//! The git revision for `goakit --version` when built from a checkout
//! (`goakit 0.1.0 (4999759)`); nothing when built from a source archive.

use std::process::Command;

fn main() {
    let rev = Command::new("git")
        .args(["rev-parse", "--short=7", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let dirty = !rev.is_empty()
        && Command::new("git")
            .args(["status", "--porcelain", "--untracked-files=no"])
            .output()
            .ok()
            .is_some_and(|o| !o.stdout.is_empty());
    let version = match (rev.is_empty(), dirty) {
        (true, _) => env!("CARGO_PKG_VERSION").to_string(),
        (false, false) => format!("{} ({rev})", env!("CARGO_PKG_VERSION")),
        (false, true) => format!("{} ({rev}, modified)", env!("CARGO_PKG_VERSION")),
    };
    println!("cargo:rustc-env=GOAKIT_VERSION={version}");
    for p in [".git/HEAD", ".git/index", ".git/refs/heads"] {
        if std::path::Path::new(p).exists() {
            println!("cargo:rerun-if-changed={p}");
        }
    }
}
