//! The sync record (SPEC 9): after every successful push or pull, per item
//! the content hash that local and remote agreed on, in
//! `.goakit/sync/<env>.json` (written atomically). With it, a difference
//! between the two sides says which side changed since: push never
//! overwrites a remote change and pull fast-forwards what only the remote
//! changed. The three-way decisions are pure functions of three hashes
//! (local, remote, record), tested for every combination below.

use super::wire::{self, Content};
use crate::project::Kind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record format's version; a record of another version is ignored.
pub const VERSION: u64 = 1;

/// The environment name when goakit.toml defines none.
pub const DEFAULT_ENV: &str = "default";

/// What local and remote last agreed on, for one environment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub version: u64,
    /// The API host and addon the record is about: a record written for
    /// another addon says nothing about this one.
    pub api: String,
    pub addon: String,
    /// Collection (`pages`, `snippets`, `shortcuts`) → item name → hash.
    pub items: BTreeMap<String, BTreeMap<String, String>>,
    /// Items that were on the remote only, and kept, at that sync (their
    /// remote hash): a remote-only item not listed here was created on the
    /// remote since, and `--prune` does not delete it unasked.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remote_only: BTreeMap<String, BTreeMap<String, String>>,
}

impl Record {
    pub fn new(api: &str, addon: &str) -> Record {
        Record {
            version: VERSION,
            api: api.to_string(),
            addon: addon.to_string(),
            items: BTreeMap::new(),
            remote_only: BTreeMap::new(),
        }
    }

    /// Notes a remote-only item kept at this sync (`None`: it is not one).
    pub fn set_remote_only(&mut self, kind: Kind, name: &str, hash: Option<String>) {
        put(&mut self.remote_only, kind, name, hash);
        self.remote_only.retain(|_, m| !m.is_empty());
    }

    pub fn get(&self, kind: Kind, name: &str) -> Option<&str> {
        self.items
            .get(wire::collection(kind))?
            .get(name)
            .map(String::as_str)
    }

    pub fn set(&mut self, kind: Kind, name: &str, hash: Option<String>) {
        put(&mut self.items, kind, name, hash);
    }

    /// What the record says of one item, for the decisions.
    pub fn base(record: Option<&Record>, kind: Kind, name: &str) -> Base {
        match record {
            None => Base::NoRecord,
            Some(r) => match r.get(kind, name) {
                Some(h) => Base::Was(h.to_string()),
                None => match r
                    .remote_only
                    .get(wire::collection(kind))
                    .and_then(|m| m.get(name))
                {
                    Some(h) => Base::KeptRemote(h.clone()),
                    None => Base::NotInRecord,
                },
            },
        }
    }
}

/// Sets (or, with `None`, removes) an item's hash in a per-collection map.
fn put(
    map: &mut BTreeMap<String, BTreeMap<String, String>>,
    kind: Kind,
    name: &str,
    hash: Option<String>,
) {
    let of_kind = map.entry(wire::collection(kind).to_string()).or_default();
    match hash {
        Some(h) => of_kind.insert(name.to_string(), h),
        None => of_kind.remove(name),
    };
}

/// The hash of an item's content as compared and sent (name, html, locale,
/// settings fields): SHA-256 of its canonical JSON (keys sorted), so JSON
/// formatting and key order never count as a change.
pub fn hash(content: &Content) -> String {
    let mut text = String::new();
    canonical(&Value::Object(content.clone()), &mut text);
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        use std::fmt::Write;
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&o[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `.goakit/sync/<env>.json` under the project.
pub fn path(root: &Path, env: &str) -> PathBuf {
    root.join(".goakit/sync").join(format!("{env}.json"))
}

/// The record for `env`, if there is one for this API host and addon.
/// `Err` is a warning to show: the record exists but says nothing usable
/// (unreadable, another version, another addon), so goakit acts as on a
/// first sync.
pub fn load(root: &Path, env: &str, api: &str, addon: &str) -> Result<Option<Record>, String> {
    let p = path(root, env);
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the sync record {}: {e}", p.display())),
    };
    let r: Record = serde_json::from_str(&text)
        .map_err(|e| format!("the sync record {} is not valid: {e}", p.display()))?;
    if r.version != VERSION {
        return Err(format!(
            "the sync record {} has version {}, goakit writes {VERSION}",
            p.display(),
            r.version
        ));
    }
    if r.addon != addon || r.api.trim_end_matches('/') != api.trim_end_matches('/') {
        return Err(format!(
            "the sync record {} is for addon {} at {}, not addon {addon} at {api}",
            p.display(),
            r.addon,
            r.api
        ));
    }
    Ok(Some(r))
}

/// Writes the record atomically (a temporary file renamed over it), never
/// through a link out of the project.
pub fn save(root: &Path, env: &str, record: &Record) -> std::io::Result<PathBuf> {
    let p = path(root, env);
    let mut text = serde_json::to_string_pretty(record).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::links::write_atomic(root, &p, text.as_bytes())?;
    Ok(p)
}

/// What the record says of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// No record at all: a first sync.
    NoRecord,
    /// A record, without this item (neither side had it when they agreed,
    /// or it was only on one side).
    NotInRecord,
    /// The hash both sides agreed on.
    Was(String),
    /// Only on the remote at that sync, with this hash (kept, not pruned).
    KeptRemote(String),
}

/// Why push will not touch an item without `--force`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conflict {
    /// The remote changed since the record, the local item did not.
    RemoteChanged,
    /// Both changed since the record.
    BothChanged,
    /// The remote deleted it since the record.
    RemoteDeleted,
    /// Deleted locally, changed on the remote since the record.
    LocalDeletedRemoteChanged,
    /// Changed locally, deleted on the remote since the record.
    LocalChangedRemoteDeleted,
    /// Only on the remote, and created there since the record.
    RemoteCreated,
}

impl Conflict {
    /// Which side changed, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Conflict::RemoteChanged => {
                "changed on the remote since the last sync (local unchanged)"
            }
            Conflict::BothChanged => "changed on both sides since the last sync",
            Conflict::RemoteDeleted => "deleted on the remote since the last sync",
            Conflict::LocalDeletedRemoteChanged => {
                "deleted locally, changed on the remote since the last sync"
            }
            Conflict::LocalChangedRemoteDeleted => {
                "changed locally, deleted on the remote since the last sync"
            }
            Conflict::RemoteCreated => "created on the remote since the last sync",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Conflict::RemoteChanged => "remote-changed",
            Conflict::BothChanged => "both-changed",
            Conflict::RemoteDeleted => "remote-deleted",
            Conflict::LocalDeletedRemoteChanged => "local-deleted-remote-changed",
            Conflict::LocalChangedRemoteDeleted => "local-changed-remote-deleted",
            Conflict::RemoteCreated => "remote-created",
        }
    }
}

/// The write push would make for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Write {
    Create,
    Update,
    Delete,
}

/// What push does with one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushDecision {
    /// Local and remote agree.
    Unchanged,
    /// Only the local side changed (or the item is new): write it.
    Write(Write),
    /// An update that replaces remote content goakit has no record of
    /// (first sync): needs `--yes` or a prompt.
    Unrecorded(Write),
    /// Only on the remote, and no `--prune`: kept, and said so.
    RemoteOnly,
    /// The remote changed since the record: refused without `--force`,
    /// which makes it this write.
    Conflict(Conflict, Write),
}

/// Push's three-way decision for one item: `local` and `remote` are the
/// content hashes (`None`: the side does not have it).
pub fn push_decision(
    local: Option<&str>,
    remote: Option<&str>,
    base: &Base,
    prune: bool,
) -> PushDecision {
    use PushDecision as D;
    let was = match base {
        Base::Was(h) => Some(h.as_str()),
        _ => None,
    };
    match (local, remote) {
        (None, None) => D::Unchanged,
        (Some(l), Some(r)) if l == r => D::Unchanged,
        (Some(l), None) => match was {
            None => D::Write(Write::Create),
            Some(b) if b == l => D::Conflict(Conflict::RemoteDeleted, Write::Create),
            Some(_) => D::Conflict(Conflict::LocalChangedRemoteDeleted, Write::Create),
        },
        (None, Some(r)) => {
            if !prune {
                return D::RemoteOnly;
            }
            match (was, base) {
                (Some(b), _) if b == r => D::Write(Write::Delete),
                (Some(_), _) => D::Conflict(Conflict::LocalDeletedRemoteChanged, Write::Delete),
                // Known as remote-only at the last sync: --prune deletes
                // it (confirmed with --yes, backed up), unless it changed.
                (None, Base::KeptRemote(h)) if h == r => D::Write(Write::Delete),
                (None, Base::KeptRemote(_)) => D::Conflict(Conflict::RemoteChanged, Write::Delete),
                // Not known at the last sync: a colleague's new item.
                (None, Base::NotInRecord) => D::Conflict(Conflict::RemoteCreated, Write::Delete),
                // No record: --prune deletes what is only on the remote.
                (None, _) => D::Write(Write::Delete),
            }
        }
        (Some(l), Some(r)) => match was {
            Some(b) if b == r => D::Write(Write::Update),
            Some(b) if b == l => D::Conflict(Conflict::RemoteChanged, Write::Update),
            Some(_) => D::Conflict(Conflict::BothChanged, Write::Update),
            None => D::Unrecorded(Write::Update),
        },
    }
}

/// What pull does with one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullDecision {
    /// Local and remote agree.
    Unchanged,
    /// Take the remote item into the local files (new, or only the remote
    /// changed since the record).
    Take,
    /// Only the local side changed since the record: kept (push sends it).
    LocalAhead,
    /// Deleted locally since the record, the remote unchanged: kept deleted.
    LocalDeleted,
    /// Deleted on the remote since the record, local unchanged: the local
    /// files are kept (pull never deletes), and said so.
    RemoteDeleted,
    /// Only local, never synced: nothing to pull.
    LocalOnly,
    /// Both sides differ and goakit has no record of which changed:
    /// refused without `--force`.
    Unrecorded,
    /// Both changed since the record: refused without `--force`.
    Conflict(Conflict),
}

/// Pull's three-way decision for one item.
pub fn pull_decision(local: Option<&str>, remote: Option<&str>, base: &Base) -> PullDecision {
    use PullDecision as D;
    let was = match base {
        Base::Was(h) => Some(h.as_str()),
        _ => None,
    };
    match (local, remote) {
        (None, None) => D::Unchanged,
        (Some(l), Some(r)) if l == r => D::Unchanged,
        (None, Some(r)) => match was {
            None => D::Take,
            Some(b) if b == r => D::LocalDeleted,
            Some(_) => D::Conflict(Conflict::LocalDeletedRemoteChanged),
        },
        (Some(l), None) => match was {
            None => D::LocalOnly,
            Some(b) if b == l => D::RemoteDeleted,
            Some(_) => D::Conflict(Conflict::LocalChangedRemoteDeleted),
        },
        (Some(l), Some(r)) => match was {
            Some(b) if b == l => D::Take,
            Some(b) if b == r => D::LocalAhead,
            Some(_) => D::Conflict(Conflict::BothChanged),
            None => D::Unrecorded,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PullDecision as P;
    use PushDecision as D;

    const A: &str = "a";
    const B: &str = "b";
    const C: &str = "c";

    fn was(h: &str) -> Base {
        Base::Was(h.into())
    }

    /// Every (local changed, remote changed, record present) for an item
    /// on both sides: update, and pull.
    #[test]
    fn both_sides_every_combination() {
        // (local, remote, base) → (push, pull)
        let cases: &[(&str, &str, Base, D, P)] = &[
            // Nothing changed.
            (A, A, was(A), D::Unchanged, P::Unchanged),
            // Only local changed.
            (B, A, was(A), D::Write(Write::Update), P::LocalAhead),
            // Only remote changed.
            (
                A,
                B,
                was(A),
                D::Conflict(Conflict::RemoteChanged, Write::Update),
                P::Take,
            ),
            // Both changed, differently.
            (
                B,
                C,
                was(A),
                D::Conflict(Conflict::BothChanged, Write::Update),
                P::Conflict(Conflict::BothChanged),
            ),
            // Both changed to the same content.
            (B, B, was(A), D::Unchanged, P::Unchanged),
            // No record: a difference cannot be placed.
            (
                A,
                B,
                Base::NoRecord,
                D::Unrecorded(Write::Update),
                P::Unrecorded,
            ),
            (
                A,
                B,
                Base::NotInRecord,
                D::Unrecorded(Write::Update),
                P::Unrecorded,
            ),
            (A, A, Base::NoRecord, D::Unchanged, P::Unchanged),
            (A, A, Base::NotInRecord, D::Unchanged, P::Unchanged),
        ];
        for (l, r, base, push, pull) in cases {
            assert_eq!(
                &push_decision(Some(l), Some(r), base, false),
                push,
                "push {l} {r} {base:?}"
            );
            assert_eq!(
                &push_decision(Some(l), Some(r), base, true),
                push,
                "push --prune {l} {r} {base:?}"
            );
            assert_eq!(
                &pull_decision(Some(l), Some(r), base),
                pull,
                "pull {l} {r} {base:?}"
            );
        }
    }

    /// Only local: create, unless the remote deleted it since the record.
    #[test]
    fn local_only_every_combination() {
        let cases: &[(&str, Base, D, P)] = &[
            (A, Base::NoRecord, D::Write(Write::Create), P::LocalOnly),
            (A, Base::NotInRecord, D::Write(Write::Create), P::LocalOnly),
            // Remote deleted it, local unchanged.
            (
                A,
                was(A),
                D::Conflict(Conflict::RemoteDeleted, Write::Create),
                P::RemoteDeleted,
            ),
            // Remote deleted it, local changed.
            (
                B,
                was(A),
                D::Conflict(Conflict::LocalChangedRemoteDeleted, Write::Create),
                P::Conflict(Conflict::LocalChangedRemoteDeleted),
            ),
        ];
        for (l, base, push, pull) in cases {
            for prune in [false, true] {
                assert_eq!(
                    &push_decision(Some(l), None, base, prune),
                    push,
                    "{l} {base:?}"
                );
            }
            assert_eq!(&pull_decision(Some(l), None, base), pull, "{l} {base:?}");
        }
    }

    /// Only remote: kept without --prune; deleted with it unless the remote
    /// changed since the record; pulled unless deleted locally.
    #[test]
    fn remote_only_every_combination() {
        let cases: &[(&str, Base, D, P)] = &[
            (A, Base::NoRecord, D::Write(Write::Delete), P::Take),
            // Not known at the last sync: created on the remote since.
            (
                A,
                Base::NotInRecord,
                D::Conflict(Conflict::RemoteCreated, Write::Delete),
                P::Take,
            ),
            // Known as remote-only then: deleted knowingly, unless changed.
            (
                A,
                Base::KeptRemote(A.into()),
                D::Write(Write::Delete),
                P::Take,
            ),
            (
                B,
                Base::KeptRemote(A.into()),
                D::Conflict(Conflict::RemoteChanged, Write::Delete),
                P::Take,
            ),
            // Deleted locally, remote unchanged.
            (A, was(A), D::Write(Write::Delete), P::LocalDeleted),
            // Deleted locally, remote changed.
            (
                B,
                was(A),
                D::Conflict(Conflict::LocalDeletedRemoteChanged, Write::Delete),
                P::Conflict(Conflict::LocalDeletedRemoteChanged),
            ),
        ];
        for (r, base, pruned, pull) in cases {
            assert_eq!(push_decision(None, Some(r), base, false), D::RemoteOnly);
            assert_eq!(
                &push_decision(None, Some(r), base, true),
                pruned,
                "{r} {base:?}"
            );
            assert_eq!(&pull_decision(None, Some(r), base), pull, "{r} {base:?}");
        }
    }

    #[test]
    fn hash_ignores_key_order_and_sees_every_byte() {
        let a: Content =
            serde_json::from_str(r#"{"name":"x","html":"<p>","locale":{"en":{"a":1,"b":2}}}"#)
                .unwrap();
        let b: Content =
            serde_json::from_str(r#"{"locale":{"en":{"b":2,"a":1}},"html":"<p>","name":"x"}"#)
                .unwrap();
        let c: Content =
            serde_json::from_str(r#"{"name":"x","html":"<p> ","locale":{"en":{"a":1,"b":2}}}"#)
                .unwrap();
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&c));
        assert_eq!(hash(&a).len(), 64);
    }

    #[test]
    fn record_round_trip_atomic_and_scoped_to_the_addon() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        assert_eq!(load(root, "default", "http://h", "x"), Ok(None));
        let mut r = Record::new("http://h", "x");
        r.set(Kind::Page, "frontpage", Some("h1".into()));
        r.set(Kind::Snippet, "a/b", Some("h2".into()));
        r.set(Kind::Snippet, "a/b", None);
        save(root, "default", &r).unwrap();
        let back = load(root, "default", "http://h/", "x").unwrap().unwrap();
        assert_eq!(back, r);
        assert_eq!(
            Record::base(Some(&back), Kind::Page, "frontpage"),
            was("h1")
        );
        assert_eq!(
            Record::base(Some(&back), Kind::Snippet, "a/b"),
            Base::NotInRecord
        );
        assert_eq!(Record::base(None, Kind::Page, "x"), Base::NoRecord);
        // Nothing but the record is left in the folder (no temporary file).
        let names: Vec<_> = std::fs::read_dir(root.join(".goakit/sync"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["default.json"]);
        // Another addon's record says nothing about this one.
        assert!(load(root, "default", "http://h", "y").is_err());
        std::fs::write(path(root, "default"), "{").unwrap();
        assert!(load(root, "default", "http://h", "x").is_err());
    }
}
