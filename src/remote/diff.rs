//! `goakit diff [NAME]...` (SPEC 9): unified diffs of every item whose
//! local and remote content differ (html, locale and settings, as files),
//! with which side changed since the sync record; exit 1 when any differ.
//! The text diffs come from the `similar` crate; push shows the same diffs
//! for the conflicts it refuses.

use super::plan::{self, Selection};
use super::sync::{self, Record};
use super::wire::{self, Content};
use crate::exit::{CmdResult, failed_if};
use crate::project::Kind;
use clap::Args;
use serde_json::{Value, json};
use std::path::Path;

#[derive(Args, Debug, Clone)]
pub struct DiffArgs {
    /// Only these items (names, or their file paths).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: super::push::PushFormat,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

/// The files of an item's content: (relative path, text); `None` when the
/// side holds nothing for that file.
fn files(kind: Kind, name: &str, c: Option<&Content>) -> Vec<(String, Option<String>)> {
    match c {
        // Content carries its name: it is an item as the wire has it.
        Some(c) => wire::files_for(kind, &Value::Object(c.clone()))
            .into_iter()
            .map(|(_, rel, text)| (rel, text))
            .collect(),
        None => {
            let mut v = vec![
                (kind.template_path(name), None),
                (kind.locale_path(name), None),
            ];
            if !wire::settings_fields(kind).is_empty() {
                v.push((kind.settings_path(name), None));
            }
            v
        }
    }
}

/// Unified diffs, remote (`---`) to local (`+++`), of the files that
/// differ; empty when they agree.
pub fn unified(
    kind: Kind,
    name: &str,
    remote: Option<&Content>,
    local: Option<&Content>,
) -> String {
    let mut out = String::new();
    let (r, l) = (files(kind, name, remote), files(kind, name, local));
    for ((rel, old), (_, new)) in r.iter().zip(&l) {
        if old == new {
            continue;
        }
        let (old, new) = (old.as_deref().unwrap_or(""), new.as_deref().unwrap_or(""));
        let d = similar::TextDiff::from_lines(old, new);
        let text = d
            .unified_diff()
            .context_radius(3)
            .header(&format!("remote/{rel}"), &format!("local/{rel}"))
            .to_string();
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Colours a unified diff for a terminal: removed red, added green, hunk
/// headers cyan.
pub fn colour(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let code = if line.starts_with("+++") || line.starts_with("---") {
            "1"
        } else if line.starts_with('+') {
            "32"
        } else if line.starts_with('-') {
            "31"
        } else if line.starts_with("@@") {
            "36"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            let body = line.strip_suffix('\n').unwrap_or(line);
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m"));
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// Which side changed since the record, in words.
fn sides(local: Option<&str>, remote: Option<&str>, base: &sync::Base) -> &'static str {
    match base {
        sync::Base::NoRecord | sync::Base::NotInRecord | sync::Base::KeptRemote(_) => {
            "no sync record for it: goakit cannot tell which side changed"
        }
        sync::Base::Was(b) => match (local == Some(b.as_str()), remote == Some(b.as_str())) {
            (true, false) => "changed on the remote since the last sync",
            (false, true) => "changed locally since the last sync",
            _ => "changed on both sides since the last sync",
        },
    }
}

pub fn run(dir: &Path, args: DiffArgs) -> CmdResult {
    let session = super::connect(dir, &args.env)?;
    let (project, client, addon) = (&session.project, &session.client, &session.addon);
    let human = args.format == super::push::PushFormat::Human;
    let remote = super::fetch_all_blocking(client)?;
    let record = super::load_record(&session);
    let selection = Selection::new(&args.names);
    let plan = plan::plan(project, &remote, record.as_ref(), &Kind::ALL, &selection);
    super::check_selection(&selection, &plan)?;
    let colour_on = human && crate::lint::output::use_color();
    let mut differ = Vec::new();
    for p in &plan.items {
        if p.local_hash == p.remote_hash {
            continue;
        }
        let base = Record::base(record.as_ref(), p.kind, &p.name);
        let why = sides(p.local_hash.as_deref(), p.remote_hash.as_deref(), &base);
        let text = unified(p.kind, &p.name, p.remote.as_ref(), p.local.as_ref());
        if human {
            crate::say!("{} {}: {why}", p.kind.label(), p.name);
            let shown = crate::diagnostic::terminal_lines(&text);
            print!(
                "{}",
                if colour_on {
                    colour(&shown)
                } else {
                    shown.into_owned()
                }
            );
        }
        differ.push(json!({
            "kind": p.kind.label(), "name": p.name,
            "local": p.local.is_some(), "remote": p.remote.is_some(),
            "changed": why, "diff": text,
        }));
    }
    if human {
        match differ.len() {
            0 => crate::say!("diff: local and remote agree"),
            n => crate::say!(
                "diff: {}",
                crate::diagnostic::count(n, "item differs", "items differ")
            ),
        }
    } else {
        crate::say!(
            "{}",
            json!({"addon": addon, "record": record.is_some(), "differ": differ})
        );
    }
    failed_if(!differ.is_empty())
}
