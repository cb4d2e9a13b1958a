//! `goakit pull`: writes the remote pages, snippets and shortcuts into the
//! project layout, byte for byte what the server holds. It never deletes a
//! local file and refuses to overwrite local changes without `--force`.

use super::wire;
use super::wire::FilePart;
use crate::project::Kind;
use crate::project::valid_name;
use clap::Args;
use serde_json::Map;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct PullArgs {
    /// Overwrite local files that differ from the remote ones.
    #[arg(long)]
    pub force: bool,
    /// Read the API token from this file instead of GOAKIT_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// Does the local file already say what the server holds? `None`: there
/// is no local file. JSON is compared as data (formatting is never a
/// conflict), settings only on the fields the wire carries, and a missing
/// remote locale or settings equals an empty hash.
fn same(kind: Kind, part: FilePart, path: &Path, remote: Option<&str>) -> Option<bool> {
    let old = std::fs::read_to_string(path).ok()?;
    if remote == Some(old.as_str()) {
        return Some(true);
    }
    if part == FilePart::Html {
        return Some(false);
    }
    let empty = Map::new();
    let new = match remote {
        Some(text) => wire::json_part(kind, part, text),
        None => Some(empty),
    };
    let old = wire::json_part(kind, part, &old);
    Some(old.is_some() && old == new)
}

pub fn run(dir: &Path, args: PullArgs) -> u8 {
    let (project, client, addon) = match super::connect(dir, args.token_file.as_ref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = super::runtime();
    let remote = match rt.block_on(super::fetch_all(&client)) {
        Ok(r) => r,
        Err((kind, e)) => {
            crate::say_err!("error: cannot read remote {}: {e}", wire::collection(kind));
            return 1;
        }
    };
    crate::say!(
        "Source: {}{} (addon {addon})",
        client.base(),
        wire::API_PREFIX.trim_end_matches('/')
    );
    let mut writes = Vec::new();
    let mut conflicts = Vec::new();
    let mut skipped = Vec::new();
    let mut unchanged = 0;
    for (kind, items) in &remote {
        let mut seen = BTreeSet::new();
        for item in items {
            let Some(name) = wire::remote_name(item) else {
                skipped.push(format!("{} without a name: left alone", kind.label()));
                continue;
            };
            // A name that is not valid could point outside the project.
            if !valid_name(*kind, name) {
                skipped.push(format!("{} {name:?}: not a valid name", kind.label()));
                continue;
            }
            // Push compares the first of duplicates; pull writes the same one.
            if !seen.insert(name) {
                skipped.push(format!(
                    "{} {name:?}: a duplicate name, the first one is pulled",
                    kind.label()
                ));
                continue;
            }
            for (part, rel, text) in wire::files_for(*kind, item) {
                let path = project.root.join(&rel);
                match same(*kind, part, &path, text.as_deref()) {
                    Some(true) => unchanged += 1,
                    Some(false) => {
                        conflicts.push(rel.clone());
                        // The server holds an empty hash: say so, never delete.
                        let text = text.unwrap_or_else(|| "{}\n".into());
                        writes.push((path, rel, text));
                    }
                    None => {
                        if let Some(text) = text {
                            writes.push((path, rel, text));
                        }
                    }
                }
            }
        }
    }
    for s in &skipped {
        crate::say_err!("warning: skipped remote {s}");
    }
    if !conflicts.is_empty() && !args.force {
        crate::say_err!(
            "pull refused: {} local files differ from the remote addon:",
            conflicts.len()
        );
        for c in &conflicts {
            crate::say_err!("  {c}");
        }
        crate::say_err!(
            "Nothing was written. Push your changes first, or pull --force to overwrite them."
        );
        return 1;
    }
    let mut failed = 0;
    for (path, rel, text) in &writes {
        let result = crate::links::write_inside(&project.root, path, text.as_bytes());
        match result {
            Ok(()) => crate::say!("wrote {rel}"),
            Err(e) => {
                crate::say_err!("error: cannot write {rel}: {e}");
                failed += 1;
            }
        }
    }
    let kinds: Vec<String> = remote
        .iter()
        .map(|(k, items)| format!("{} {}", items.len(), wire::collection(*k)))
        .collect::<Vec<_>>();
    crate::say!(
        "pull: {} ({}), {} files written, {unchanged} already up to date",
        kinds.join(", "),
        if args.force && !conflicts.is_empty() {
            format!("{} overwritten", conflicts.len())
        } else {
            "no local changes overwritten".into()
        },
        writes.len() - failed
    );
    u8::from(failed > 0)
}
