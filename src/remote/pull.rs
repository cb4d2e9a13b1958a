//! `goakit pull [NAME]...` (SPEC 9): takes the remote pages, snippets and
//! shortcuts into the project layout, byte for byte what the server holds.
//! With the sync record it fast-forwards items that only the remote
//! changed, keeps local changes, and refuses only real conflicts (both
//! sides changed, or no record to tell), naming which side changed; its
//! advice never loses either side. It never deletes a local file;
//! `--force` takes the remote version of every differing item and first
//! saves the local files it replaces in `.goakit/backups`.

use super::plan::{self, Selection};
use super::sync::{self, PullDecision, Record};
use super::wire::{self, FilePart};
use crate::diagnostic::count;
use crate::exit::{CmdResult, Failure, failed_if};
use crate::project::{Kind, valid_name};
use clap::Args;
use serde_json::Map;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct PullArgs {
    /// Only these items (names, or their file paths); default: all.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Take the remote version of every item that differs, local changes
    /// included (the local files are saved in .goakit/backups first).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

/// A local file as pull finds it.
enum Local {
    Absent,
    Text(String),
    /// Not UTF-8, or (locale, settings) not a JSON object: pull cannot
    /// tell what it says, and never replaces it without `--force`.
    Unreadable(String, &'static str),
}

fn read_local(part: FilePart, path: &Path) -> Local {
    let Ok(bytes) = std::fs::read(path) else {
        return Local::Absent;
    };
    match String::from_utf8(bytes) {
        Err(e) => Local::Unreadable(
            String::from_utf8_lossy(e.as_bytes()).into_owned(),
            "is not UTF-8 text",
        ),
        Ok(t)
            if part != FilePart::Html
                && !matches!(
                    serde_json::from_str::<serde_json::Value>(&t),
                    Ok(serde_json::Value::Object(_))
                ) =>
        {
            Local::Unreadable(t, "is not a JSON object")
        }
        Ok(t) => Local::Text(t),
    }
}

/// Does the local text already say what the server holds? JSON is
/// compared as data (formatting is never a change), settings only on the
/// fields the wire carries, and a missing remote locale or settings equals
/// an empty hash.
fn same(kind: Kind, part: FilePart, old: &str, remote: Option<&str>) -> bool {
    if remote == Some(old) {
        return true;
    }
    if part == FilePart::Html {
        return false;
    }
    let new = match remote {
        Some(text) => wire::json_part(kind, part, text),
        None => Some(Map::new()),
    };
    let old = wire::json_part(kind, part, old);
    old.is_some() && old == new
}

/// A settings file after taking the remote's wire fields: the local keys
/// the wire does not carry stay.
fn merged_settings(kind: Kind, old: &str, remote: Option<&str>) -> String {
    let Ok(serde_json::Value::Object(mut local)) = serde_json::from_str::<serde_json::Value>(old)
    else {
        return remote.map_or_else(|| "{}\n".into(), str::to_string);
    };
    for f in wire::settings_fields(kind) {
        local.remove(*f);
    }
    if let Some(Ok(serde_json::Value::Object(r))) =
        remote.map(serde_json::from_str::<serde_json::Value>)
    {
        for (k, v) in r {
            local.insert(k, v);
        }
    }
    wire::pretty(&serde_json::Value::Object(local))
}

/// One file pull writes: (path, relative path, new text, the local text it
/// replaces).
type FileWrite = (PathBuf, String, String, Option<String>);

/// The files to write to take `item`; `Err` names a local file pull may
/// not replace without `--force` (and why).
fn files_to_take(
    root: &Path,
    kind: Kind,
    item: &serde_json::Value,
    force: bool,
) -> Result<Vec<FileWrite>, String> {
    let mut out = Vec::new();
    for (part, rel, text) in wire::files_for(kind, item) {
        let path = root.join(&rel);
        match read_local(part, &path) {
            Local::Absent => {
                if let Some(text) = text {
                    out.push((path, rel, text, None));
                }
            }
            Local::Text(old) if same(kind, part, &old, text.as_deref()) => {}
            Local::Text(old) => {
                let new = match part {
                    FilePart::Settings => merged_settings(kind, &old, text.as_deref()),
                    // The server holds an empty hash: say so, never delete.
                    _ => text.unwrap_or_else(|| "{}\n".into()),
                };
                out.push((path, rel, new, Some(old)));
            }
            Local::Unreadable(old, why) => {
                if !force {
                    return Err(format!(
                        "its local file {rel} {why}: pull does not replace it"
                    ));
                }
                out.push((path, rel, text.unwrap_or_else(|| "{}\n".into()), Some(old)));
            }
        }
    }
    Ok(out)
}

pub fn run(dir: &Path, args: PullArgs) -> CmdResult {
    let session = super::connect(dir, &args.env)?;
    let (project, client, addon) = (&session.project, &session.client, &session.addon);
    let remote = super::fetch_all_blocking(client)?;
    crate::say!("{}", session.heading().replacen("Target: ", "Source: ", 1));
    let env = session.env.as_str();
    let record = super::load_record(&session);
    if record.is_none() {
        crate::say!(
            "  no sync record yet (first sync): where local and remote differ, goakit cannot tell which side changed"
        );
    }
    let selection = Selection::new(&args.names);
    // Pull decides with the same plan as push (prune: a remote-only item
    // is one pull takes).
    let plan = plan::plan(project, &remote, record.as_ref(), &Kind::ALL, &selection);
    super::check_selection(&selection, &plan)?;
    for w in &plan.warnings {
        crate::say_err!("warning: skipped {w}");
    }
    let mut new_record = record
        .clone()
        .unwrap_or_else(|| Record::new(client.base(), addon));
    let mut take = Vec::new();
    let mut refused: Vec<(&plan::Planned, &str)> = Vec::new();
    let mut refused_files: Vec<(&plan::Planned, String)> = Vec::new();
    let mut kept = Vec::new();
    let mut notes = Vec::new();
    let mut unchanged = 0;
    for p in &plan.items {
        // A remote name that is not valid could point outside the project.
        if p.remote.is_some() && !valid_name(p.kind, &p.name) {
            crate::say_err!(
                "warning: skipped remote {} {:?}: not a valid name, left alone",
                p.kind.label(),
                p.name
            );
            continue;
        }
        let Some(item) = p.remote.clone().map(serde_json::Value::Object) else {
            // Only local.
            match sync::pull_decision(p.local_hash.as_deref(), None, &Record::base(record.as_ref(), p.kind, &p.name)) {
                PullDecision::RemoteDeleted => notes.push(format!(
                    "{} {} was deleted on the remote since the last sync; its local files are kept (delete them to follow the remote)",
                    p.kind.label(),
                    p.name
                )),
                // --force: the remote's deletion is taken as known; the
                // local files stay (pull never deletes) and the record
                // forgets the item, so the next push creates it.
                PullDecision::Conflict(_) if args.force => {
                    notes.push(format!(
                        "{} {} was deleted on the remote and changed locally; its local files are kept",
                        p.kind.label(),
                        p.name
                    ));
                    new_record.set(p.kind, &p.name, None);
                }
                PullDecision::Conflict(c) => refused.push((p, c.describe())),
                _ => {}
            }
            continue;
        };
        let base = Record::base(record.as_ref(), p.kind, &p.name);
        let d = sync::pull_decision(p.local_hash.as_deref(), p.remote_hash.as_deref(), &base);
        let forced = args.force && p.local_hash != p.remote_hash;
        match d {
            PullDecision::Unchanged => {
                unchanged += 1;
                new_record.set(p.kind, &p.name, p.remote_hash.clone());
            }
            PullDecision::Take => take.push((p, item)),
            _ if forced => take.push((p, item)),
            PullDecision::LocalAhead => kept.push(format!("{} {}", p.kind.label(), p.name)),
            PullDecision::LocalDeleted => notes.push(format!(
                "{} {} was deleted locally since the last sync; pull keeps it deleted (`goakit pull --force {}` brings it back)",
                p.kind.label(),
                p.name,
                p.name
            )),
            PullDecision::Unrecorded => refused.push((p, "differs from the remote, and there is no sync record to tell which side changed")),
            PullDecision::Conflict(c) => refused.push((p, c.describe())),
            PullDecision::RemoteDeleted | PullDecision::LocalOnly => {}
        }
    }
    // Save the local files that --force replaces before writing any.
    let mut writes = Vec::new();
    let mut taken = Vec::new();
    for (p, item) in &take {
        match files_to_take(&project.root, p.kind, item, args.force) {
            Ok(files) => {
                writes.extend(files.into_iter().map(|w| (*p, w)));
                taken.push(*p);
            }
            Err(why) => refused_files.push((*p, why)),
        }
    }
    let replaced: Vec<(String, String)> = writes
        .iter()
        .filter_map(|(_, (_, rel, _, old))| old.clone().map(|o| (rel.clone(), o)))
        .collect();
    if args.force && !replaced.is_empty() {
        match super::backup::local(&project.root, &replaced) {
            Ok(path) => crate::say!("Backup of the local files replaced: {}", path.display()),
            Err(e) => {
                crate::say_err!(
                    "error: cannot write the backup under .goakit/backups: {e}; nothing pulled"
                );
                return Err(Failure::Failed);
            }
        }
    }
    let mut failed = BTreeMap::new();
    for (p, (path, rel, text, _)) in &writes {
        match crate::links::write_inside(&project.root, path, text.as_bytes()) {
            Ok(()) => crate::say!("wrote {rel}"),
            Err(e) => {
                crate::say_err!("error: cannot write {rel}: {e}");
                failed.insert((p.kind, p.name.clone()), ());
            }
        }
    }
    for p in &taken {
        if !failed.contains_key(&(p.kind, p.name.clone())) {
            new_record.set(p.kind, &p.name, p.remote_hash.clone());
            new_record.set_remote_only(p.kind, &p.name, None);
        }
    }
    let saved = sync::save(&project.root, env, &new_record);
    if let Err(e) = &saved {
        crate::say_err!("error: cannot write the sync record: {e}");
    }
    for n in &notes {
        crate::say_err!("note: {n}");
    }
    if !kept.is_empty() {
        crate::say!(
            "kept local changes made since the last sync ({}): `goakit push` sends them",
            super::report::list(&kept)
        );
    }
    if !refused.is_empty() || !refused_files.is_empty() {
        crate::say_err!(
            "pull refused {}; nothing of them was written:",
            count(refused.len() + refused_files.len(), "item", "items")
        );
        for (p, why) in &refused {
            crate::say_err!("  {} {}: {why}", p.kind.label(), p.name);
        }
        for (p, why) in &refused_files {
            crate::say_err!("  {} {}: {why}", p.kind.label(), p.name);
        }
        crate::say_err!(
            "See both sides with `goakit diff NAME`. To take the remote version, `goakit pull --force NAME`: \
             it saves your files in .goakit/backups first, so you can merge your changes back, then push."
        );
    }
    let kinds: Vec<String> = remote
        .iter()
        .map(|(k, items)| count(items.len(), k.label(), wire::collection(*k)))
        .collect();
    let written = writes.len() - failed.len().min(writes.len());
    crate::say!(
        "pull: {} ({}), {} written, {} already up to date",
        kinds.join(", "),
        if args.force && !replaced.is_empty() {
            format!(
                "{} local {} replaced (backed up)",
                replaced.len(),
                if replaced.len() == 1 { "file" } else { "files" }
            )
        } else {
            "no local changes overwritten".into()
        },
        count(written, "file", "files"),
        count(unchanged, "item", "items"),
    );
    failed_if(
        !failed.is_empty() || !refused.is_empty() || !refused_files.is_empty() || saved.is_err(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_local_files_are_kept_without_force() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("locales/pages")).unwrap();
        std::fs::write(root.join("locales/pages/x.json"), "{ broken").unwrap();
        std::fs::create_dir_all(root.join("settings/pages")).unwrap();
        std::fs::write(
            root.join("settings/pages/x.json"),
            r#"{"note": "mine", "api_method": "GET"}"#,
        )
        .unwrap();
        let item = serde_json::json!({"name": "x", "html": "h", "locale": {"en": {"a": "A"}}, "api_method": "POST"});
        let err = files_to_take(root, Kind::Page, &item, false).unwrap_err();
        assert!(
            err.contains("locales/pages/x.json is not a JSON object"),
            "{err}"
        );
        let files = files_to_take(root, Kind::Page, &item, true).unwrap();
        let locale = files
            .iter()
            .find(|f| f.1 == "locales/pages/x.json")
            .unwrap();
        assert_eq!(
            locale.3.as_deref(),
            Some("{ broken"),
            "the old text goes to the backup"
        );
        // Settings: the wire's fields taken, the local key kept.
        let settings = files
            .iter()
            .find(|f| f.1 == "settings/pages/x.json")
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&settings.2).unwrap();
        assert_eq!(v, serde_json::json!({"note": "mine", "api_method": "POST"}));
        // Not UTF-8: kept the same way.
        std::fs::create_dir_all(root.join("templates/pages")).unwrap();
        std::fs::write(root.join("templates/pages/x.html"), b"\xff\xfe").unwrap();
        std::fs::write(root.join("locales/pages/x.json"), r#"{"en": {"a": "A"}}"#).unwrap();
        let err = files_to_take(root, Kind::Page, &item, false).unwrap_err();
        assert!(err.contains("is not UTF-8 text"), "{err}");
    }
}
