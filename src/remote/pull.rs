//! `goakit pull`: writes the remote pages, snippets and shortcuts into the
//! project layout, byte for byte what the server holds. It never deletes a
//! local file and refuses to overwrite local changes without `--force`.

use super::wire;
use crate::project::valid_name;
use clap::Args;
use serde_json::Value;
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

/// Does the local file already say the same? JSON is compared as data, so
/// formatting alone is never a conflict.
fn same(path: &Path, new: &str) -> Option<bool> {
    let old = std::fs::read_to_string(path).ok()?;
    if old == new {
        return Some(true);
    }
    if path.extension().is_some_and(|e| e == "json") {
        let a: Result<Value, _> = serde_json::from_str(&old);
        let b: Result<Value, _> = serde_json::from_str(new);
        if let (Ok(a), Ok(b)) = (a, b) {
            return Some(a == b);
        }
    }
    Some(false)
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
            eprintln!("error: cannot read remote {}: {e}", wire::collection(kind));
            return 1;
        }
    };
    println!(
        "Source: {}{} (addon {addon})",
        client.base(),
        wire::API_PREFIX.trim_end_matches('/')
    );
    let mut writes = Vec::new();
    let mut conflicts = Vec::new();
    let mut skipped = Vec::new();
    let mut unchanged = 0;
    for (kind, items) in &remote {
        for item in items {
            let Some(name) = wire::remote_name(item) else {
                continue;
            };
            // A name that is not valid could point outside the project.
            if !valid_name(*kind, name) {
                skipped.push(format!("{} {name:?}", kind.label()));
                continue;
            }
            for (rel, text) in wire::files_for(*kind, item) {
                let path = project.root.join(&rel);
                match same(&path, &text) {
                    Some(true) => unchanged += 1,
                    Some(false) => {
                        conflicts.push(rel.clone());
                        writes.push((path, rel, text));
                    }
                    None => writes.push((path, rel, text)),
                }
            }
        }
    }
    for s in &skipped {
        eprintln!("warning: skipped remote {s}: not a valid name");
    }
    if !conflicts.is_empty() && !args.force {
        eprintln!(
            "pull refused: {} local files differ from the remote addon:",
            conflicts.len()
        );
        for c in &conflicts {
            eprintln!("  {c}");
        }
        eprintln!(
            "Nothing was written. Push your changes first, or pull --force to overwrite them."
        );
        return 1;
    }
    let mut failed = 0;
    for (path, rel, text) in &writes {
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(path, text));
        match result {
            Ok(()) => println!("wrote {rel}"),
            Err(e) => {
                eprintln!("error: cannot write {rel}: {e}");
                failed += 1;
            }
        }
    }
    let kinds: Vec<String> = remote
        .iter()
        .map(|(k, items)| format!("{} {}", items.len(), wire::collection(*k)))
        .collect::<Vec<_>>();
    println!(
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
