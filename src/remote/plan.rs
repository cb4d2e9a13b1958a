//! Push planning (SPEC 9), pure: the local items, the remote state and the
//! sync record in, one decision per item out (`sync::push_decision`). No
//! I/O here; `push` prints, confirms, applies and records.

use super::sync::{self, Conflict, PushDecision, Record, Write};
use super::wire::{self, Content};
use crate::project::{Kind, Project};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One item as push sees it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: Kind,
    pub name: String,
    pub decision: PushDecision,
    /// The remote item's `_id`, when it has one.
    pub id: Option<String>,
    pub local: Option<Content>,
    pub remote: Option<Content>,
    pub local_hash: Option<String>,
    pub remote_hash: Option<String>,
}

impl Planned {
    /// The write this item makes (`force`: conflicts too).
    pub fn write(&self, force: bool) -> Option<Write> {
        match &self.decision {
            PushDecision::Write(w) | PushDecision::Unrecorded(w) => Some(*w),
            PushDecision::Conflict(_, w) if force => Some(*w),
            _ => None,
        }
    }

    pub fn conflict(&self) -> Option<Conflict> {
        match self.decision {
            PushDecision::Conflict(c, _) => Some(c),
            _ => None,
        }
    }
}

/// Which items a command is about: all, or those named (`push NAME...`),
/// each a name or one of its files ([`crate::project::template_ref`]).
#[derive(Debug, Clone, Default)]
pub struct Selection(Vec<String>);

impl Selection {
    pub fn new(names: &[String]) -> Selection {
        Selection(names.to_vec())
    }

    pub fn all(&self) -> bool {
        self.0.is_empty()
    }

    /// The names as given.
    pub fn names(&self) -> &[String] {
        &self.0
    }

    pub fn wants(&self, kind: Kind, name: &str) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|given| {
                let (k, n) = crate::project::template_ref(given);
                k.is_none_or(|k| k == kind) && n == name
            })
    }
}

/// The plan: every item considered, in kind then name order.
#[derive(Debug, Default)]
pub struct Plan {
    pub items: Vec<Planned>,
    /// Kinds sent as one replace-all request.
    pub replace: BTreeSet<Kind>,
    /// Whether a sync record was there to decide with.
    pub record: bool,
    /// Remote items goakit leaves alone, with the reason.
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Planned> {
        self.items.iter().filter(move |p| p.kind == kind)
    }

    /// Names of `kind` that make `write`.
    pub fn names(&self, kind: Kind, write: Write, force: bool) -> Vec<&str> {
        self.of(kind)
            .filter(|p| p.write(force) == Some(write))
            .map(|p| p.name.as_str())
            .collect()
    }

    pub fn matching(&self, kind: Kind, f: impl Fn(&PushDecision) -> bool) -> Vec<&str> {
        self.of(kind)
            .filter(|p| f(&p.decision))
            .map(|p| p.name.as_str())
            .collect()
    }

    pub fn conflicts(&self) -> impl Iterator<Item = &Planned> {
        self.items.iter().filter(|p| p.conflict().is_some())
    }

    /// Updates that replace remote content goakit has no record of.
    pub fn unrecorded(&self) -> impl Iterator<Item = &Planned> {
        self.items
            .iter()
            .filter(|p| matches!(p.decision, PushDecision::Unrecorded(_)))
    }

    /// Does anything get written?
    pub fn writes(&self, force: bool) -> bool {
        self.items.iter().any(|p| p.write(force).is_some())
    }
}

/// Diffs local items against the remote state and the record. Remote
/// items missing locally are deleted only for the kinds in `prune`.
pub fn plan(
    project: &Project,
    remote: &[(Kind, Vec<Value>)],
    record: Option<&Record>,
    prune: &[Kind],
    selection: &Selection,
) -> Plan {
    let mut plan = Plan {
        record: record.is_some(),
        ..Plan::default()
    };
    for (kind, items) in remote {
        let kind = *kind;
        let by_name = remote_by_name(kind, items, &mut plan.warnings);
        let local: BTreeMap<&str, Content> = project
            .templates(kind)
            .values()
            .map(|t| (t.name.as_str(), wire::local_content(t)))
            .collect();
        let names: BTreeSet<&str> = local.keys().chain(by_name.keys()).copied().collect();
        for name in names {
            if !selection.wants(kind, name) {
                continue;
            }
            let local = local.get(name).cloned();
            let item = by_name.get(name);
            let remote = item.map(|i| wire::remote_content(kind, i));
            let local_hash = local.as_ref().map(sync::hash);
            let remote_hash = remote.as_ref().map(sync::hash);
            let decision = sync::push_decision(
                local_hash.as_deref(),
                remote_hash.as_deref(),
                &Record::base(record, kind, name),
                prune.contains(&kind),
            );
            plan.items.push(Planned {
                kind,
                name: name.to_string(),
                decision,
                id: item.and_then(|i| wire::remote_id(i)),
                local,
                remote,
                local_hash,
                remote_hash,
            });
        }
    }
    plan
}

/// The remote items of a kind by name; nameless and duplicate items are
/// left alone, with a warning (push compares the first of duplicates).
pub fn remote_by_name<'a>(
    kind: Kind,
    items: &'a [Value],
    warnings: &mut Vec<String>,
) -> BTreeMap<&'a str, &'a Value> {
    let mut by_name = BTreeMap::new();
    for item in items {
        match wire::remote_name(item) {
            Some(n) => {
                if by_name.contains_key(n) {
                    warnings.push(format!(
                        "the remote addon has more than one {} named '{n}'; goakit compares the first one and leaves the others alone",
                        kind.label()
                    ));
                } else {
                    by_name.insert(n, item);
                }
            }
            None => warnings.push(format!(
                "a remote {} without a name (_id {}) is left alone",
                kind.label(),
                wire::remote_id(item).unwrap_or_else(|| "none".into())
            )),
        }
    }
    by_name
}

/// The record after a push: `applied` holds the items whose write the
/// server confirmed. Items both sides agree on are recorded; an applied
/// delete is dropped; anything else keeps what the record said.
pub fn record_after(
    old: Option<&Record>,
    api: &str,
    addon: &str,
    plan: &Plan,
    applied: &BTreeSet<(Kind, String)>,
) -> Record {
    let mut r = old.cloned().unwrap_or_else(|| Record::new(api, addon));
    for p in &plan.items {
        let key = (p.kind, p.name.clone());
        if applied.contains(&key) {
            let h = match p.write(true) {
                Some(Write::Delete) => None,
                _ => p.local_hash.clone(),
            };
            r.set(p.kind, &p.name, h);
            r.set_remote_only(p.kind, &p.name, None);
        } else if p.decision == PushDecision::Unchanged {
            r.set(p.kind, &p.name, p.local_hash.clone());
            r.set_remote_only(p.kind, &p.name, None);
        } else if p.decision == PushDecision::RemoteOnly {
            // Seen and kept: a later --prune may delete it knowingly.
            r.set_remote_only(p.kind, &p.name, p.remote_hash.clone());
        }
    }
    r
}

/// What a conflict means for the user, with which side changed.
pub fn conflict_line(p: &Planned) -> String {
    format!(
        "{} {}: {}",
        p.kind.label(),
        p.name,
        p.conflict().map_or("", Conflict::describe)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example addon against a remote that holds every item, one of
    /// them edited there, plus one the project does not have.
    fn example_and_remote() -> (Project, Vec<(Kind, Vec<Value>)>) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon");
        let project = Project::load(&dir).unwrap();
        let mut remote = Vec::new();
        for kind in Kind::ALL {
            let mut items: Vec<Value> = wire::local_items(&project, kind)
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    c.insert("_id".into(), format!("{kind:?}{i}").into());
                    Value::Object(c)
                })
                .collect();
            if kind == Kind::Page {
                for item in &mut items {
                    if item["name"] == "reports" {
                        item["html"] = "edited on Goaddon".into();
                    }
                }
                items.push(serde_json::json!({"_id": "p-old", "name": "old", "html": "x"}));
            }
            remote.push((kind, items));
        }
        (project, remote)
    }

    fn decision<'a>(plan: &'a Plan, name: &str) -> &'a PushDecision {
        &plan.items.iter().find(|p| p.name == name).unwrap().decision
    }

    #[test]
    fn plan_with_and_without_a_record() {
        let (project, remote) = example_and_remote();
        // A record of the local state: "reports" changed on the remote since.
        let mut record = Record::new("http://h", "a");
        for kind in Kind::ALL {
            for t in project.templates(kind).values() {
                record.set(kind, &t.name, Some(sync::hash(&wire::local_content(t))));
            }
        }
        let all = Selection::default();
        let p = plan(&project, &remote, Some(&record), &[], &all);
        assert_eq!(
            decision(&p, "reports"),
            &PushDecision::Conflict(Conflict::RemoteChanged, Write::Update)
        );
        assert_eq!(decision(&p, "orders"), &PushDecision::Unchanged);
        assert_eq!(decision(&p, "old"), &PushDecision::RemoteOnly);
        assert!(!p.writes(false));
        assert!(p.writes(true), "--force writes the conflict");
        // "old" was not on the remote at the last sync: a colleague's new
        // page, which --prune does not delete unasked...
        let pruned = plan(&project, &remote, Some(&record), &[Kind::Page], &all);
        assert_eq!(
            decision(&pruned, "old"),
            &PushDecision::Conflict(Conflict::RemoteCreated, Write::Delete)
        );
        // ... until a sync has seen it on the remote only, and kept it.
        let seen = record_after(Some(&record), "http://h", "a", &p, &BTreeSet::new());
        let pruned = plan(&project, &remote, Some(&seen), &[Kind::Page], &all);
        assert_eq!(
            decision(&pruned, "old"),
            &PushDecision::Write(Write::Delete)
        );
        // Without a record the difference cannot be placed.
        let first = plan(&project, &remote, None, &[], &all);
        assert_eq!(
            decision(&first, "reports"),
            &PushDecision::Unrecorded(Write::Update)
        );
        assert!(!first.record);
        // After a push that wrote nothing, unchanged items are recorded and
        // the conflict keeps its old entry.
        let after = record_after(None, "http://h", "a", &first, &BTreeSet::new());
        assert!(after.get(Kind::Page, "orders").is_some());
        assert_eq!(after.get(Kind::Page, "reports"), None);
        let mut applied = BTreeSet::new();
        applied.insert((Kind::Page, "reports".to_string()));
        let after = record_after(Some(&record), "http://h", "a", &p, &applied);
        assert_eq!(
            after.get(Kind::Page, "reports"),
            record.get(Kind::Page, "reports"),
            "the pushed local content is what both now hold"
        );
        // A NAME limits the plan to that item.
        let one = plan(
            &project,
            &remote,
            Some(&record),
            &[],
            &Selection::new(&["reports".into()]),
        );
        assert_eq!(one.items.len(), 1);
    }

    #[test]
    fn selection_understands_names_and_paths() {
        let s = Selection::new(&[
            "orders".into(),
            "templates/snippets/order/row.html".into(),
            "locales/pages/settings.json".into(),
            "root.html".into(),
        ]);
        assert!(s.wants(Kind::Page, "orders"));
        assert!(s.wants(Kind::Snippet, "order/row"));
        assert!(!s.wants(Kind::Page, "order/row"));
        assert!(s.wants(Kind::Page, "settings"));
        assert!(s.wants(Kind::Page, "root"));
        assert!(!s.wants(Kind::Page, "frontpage"));
        assert!(Selection::new(&[]).wants(Kind::Shortcut, "x"));
    }
}
