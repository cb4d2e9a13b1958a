//! Backups (SPEC 9): before any update or destroy, push saves the remote
//! state it is about to change to `.goakit/backups/<UTC time>.json`;
//! `pull --force` saves the local files it replaces beside them
//! (`<UTC time>-local.json`). Never the token.

use super::wire;
use crate::project::Kind;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A new file name under `.goakit/backups` for now, with `suffix`.
fn fresh_path(root: &Path, suffix: &str) -> std::io::Result<PathBuf> {
    let dir = root.join(".goakit/backups");
    std::fs::create_dir_all(&dir)?;
    crate::links::check_inside(root, &dir)?;
    let stamp = chrono::Utc::now()
        .format("%Y-%m-%dT%H-%M-%S%.3fZ")
        .to_string();
    let mut path = dir.join(format!("{stamp}{suffix}.json"));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{stamp}-{n}{suffix}.json"));
        n += 1;
    }
    Ok(path)
}

/// Saves the remote state about to change; returns the file written.
pub fn remote(
    root: &Path,
    target: &str,
    addon: &str,
    remote: &[(Kind, Vec<Value>)],
) -> std::io::Result<PathBuf> {
    let path = fresh_path(root, "")?;
    let mut state = serde_json::Map::new();
    state.insert("target".into(), json!(target));
    state.insert("addon".into(), json!(addon));
    state.insert("taken_at".into(), json!(chrono::Utc::now().to_rfc3339()));
    for (kind, items) in remote {
        state.insert(wire::collection(*kind).into(), Value::Array(items.clone()));
    }
    crate::links::write_inside(root, &path, wire::pretty(&Value::Object(state)).as_bytes())?;
    Ok(path)
}

/// Saves local files that are about to be overwritten: (relative path,
/// text) pairs.
pub fn local(root: &Path, files: &[(String, String)]) -> std::io::Result<PathBuf> {
    let path = fresh_path(root, "-local")?;
    let files: serde_json::Map<String, Value> = files
        .iter()
        .map(|(rel, text)| (rel.clone(), Value::String(text.clone())))
        .collect();
    let v = json!({"taken_at": chrono::Utc::now().to_rfc3339(), "files": files});
    crate::links::write_inside(root, &path, wire::pretty(&v).as_bytes())?;
    Ok(path)
}
