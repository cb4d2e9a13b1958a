//! `goakit clone ADDON_ID [DIR] [--api URL]` (SPEC 9): a new project from
//! an existing remote addon: goakit.toml, a .gitignore for goakit's own
//! folders, and a pull, with nothing of the scaffold mixed in, so the next
//! `push --dry-run` plans zero writes.

use crate::exit::{CmdResult, Failure};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct CloneArgs {
    /// The addon's id on Goaddon.
    #[arg(value_name = "ADDON_ID")]
    pub addon_id: String,
    /// The new project folder (default: the addon id, under --dir).
    #[arg(value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// The Goaddon API host.
    #[arg(long, value_name = "URL", default_value = crate::project::DEFAULT_API)]
    pub api: String,
    /// Read the API token from this file instead of GOAKIT_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

/// What goakit writes for itself and a repository should not hold.
pub const GITIGNORE: &str =
    "# goakit: build output, backups and the sync record\n/build/\n/.goakit/\n";

pub fn run(dir: &Path, args: CloneArgs) -> CmdResult {
    let id = args.addon_id.trim();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        crate::say_err!(
            "error: {:?} is not an addon id (letters, digits, '-' and '_')",
            args.addon_id
        );
        return Err(Failure::Usage);
    }
    let target = args.path.clone().unwrap_or_else(|| dir.join(id));
    if std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some()) {
        crate::say_err!(
            "error: {} exists and is not empty: clone makes a new project",
            target.display()
        );
        return Err(Failure::Usage);
    }
    // Refuse before creating anything when the API or token is unusable.
    let checked = super::load_token(args.token_file.as_deref(), None)
        .and_then(|t| super::client::Client::new(&args.api, t));
    if let Err(e) = checked {
        crate::say_err!("error: {e}");
        return Err(Failure::Usage);
    }
    let created = !target.exists();
    let toml = format!(
        "[addon]\nid = {}\napi = {}\n",
        toml_string(id),
        toml_string(args.api.trim_end_matches('/'))
    );
    let written = std::fs::create_dir_all(&target)
        .and_then(|()| std::fs::write(target.join(crate::project::CONFIG_FILE), toml))
        .and_then(|()| std::fs::write(target.join(".gitignore"), GITIGNORE));
    if let Err(e) = written {
        crate::say_err!("error: cannot write {}: {e}", target.display());
        return Err(Failure::Usage);
    }
    let pulled = super::pull::run(
        &target,
        super::pull::PullArgs {
            names: Vec::new(),
            force: false,
            env: super::EnvArgs {
                env: None,
                token_file: args.token_file.clone(),
            },
        },
    );
    if let Err(f) = pulled {
        // Leave the folder as it was: absent, or empty.
        let _ = std::fs::remove_dir_all(&target);
        if !created {
            let _ = std::fs::create_dir(&target);
        }
        if let Some(m) = f.message() {
            crate::say_err!("error: {m}");
        }
        crate::say_err!("clone failed: nothing kept");
        return Err(if f.code() == 2 {
            Failure::Usage
        } else {
            Failure::Failed
        });
    }
    crate::say!("Cloned addon {id} into {}.", target.display());
    crate::say!("Next: goakit preview --dir {}", target.display());
    Ok(())
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
