//! What push says: one serialisable report, printed as JSON
//! (`--format json`) or as human lines (plan first, target first).

use super::apply::{Action, Op, Outcome};
use super::plan::{Plan, Planned};
use super::sync::{PushDecision, Write};
use super::wire;
use crate::diagnostic::count;
use crate::project::Kind;
use serde::Serialize;

/// The plan of one kind.
#[derive(Debug, Serialize)]
pub struct KindPlan {
    pub create: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
    /// Sent as one replace-all request.
    pub replace: bool,
    pub replace_removes: Vec<String>,
    pub unchanged: Vec<String>,
    /// On the remote only and kept (no `--prune`).
    pub remote_only: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConflictReport {
    pub kind: &'static str,
    pub name: String,
    pub conflict: &'static str,
    pub message: &'static str,
    pub diff: String,
}

#[derive(Debug, Serialize)]
pub struct ActionReport {
    pub kind: &'static str,
    pub name: String,
    pub action: &'static str,
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// The plan per kind, in the order goakit names kinds.
#[derive(Debug, Serialize)]
pub struct Kinds {
    pub pages: KindPlan,
    pub snippets: KindPlan,
    pub shortcuts: KindPlan,
}

impl Kinds {
    pub fn iter(&self) -> [(&'static str, &KindPlan); 3] {
        [
            ("pages", &self.pages),
            ("snippets", &self.snippets),
            ("shortcuts", &self.shortcuts),
        ]
    }
}

/// Everything a push says, human or JSON.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The plan's first line: environment, API root, addon.
    #[serde(skip)]
    pub heading: String,
    pub target: String,
    pub addon: String,
    pub env: String,
    pub dry_run: bool,
    /// No sync record yet: goakit cannot tell which side changed.
    pub first_sync: bool,
    pub plan: Kinds,
    pub conflicts: Vec<ConflictReport>,
    /// Updates that replace remote content goakit has no record of.
    pub unrecorded: Vec<String>,
    pub warnings: Vec<String>,
    pub actions: Vec<ActionReport>,
    pub applied: usize,
    pub failed: usize,
    pub unknown: usize,
    pub backup: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

fn qualified(p: &Planned) -> String {
    format!("{} {}", p.kind.label(), p.name)
}

impl Report {
    pub fn new(
        heading: &str,
        target: &str,
        addon: &str,
        env: &str,
        plan: &Plan,
        force: bool,
        dry_run: bool,
    ) -> Report {
        let of_kind = |kind: Kind| {
            let names = |w| {
                plan.names(kind, w, force)
                    .into_iter()
                    .map(String::from)
                    .collect()
            };
            let replace =
                plan.replace.contains(&kind) && plan.of(kind).any(|p| p.write(force).is_some());
            let delete: Vec<String> = names(Write::Delete);
            KindPlan {
                create: names(Write::Create),
                update: names(Write::Update),
                replace_removes: if replace { delete.clone() } else { Vec::new() },
                delete,
                replace,
                unchanged: plan
                    .matching(kind, |d| *d == PushDecision::Unchanged)
                    .into_iter()
                    .map(String::from)
                    .collect(),
                remote_only: plan
                    .matching(kind, |d| *d == PushDecision::RemoteOnly)
                    .into_iter()
                    .map(String::from)
                    .collect(),
            }
        };
        Report {
            heading: heading.to_string(),
            target: target.to_string(),
            addon: addon.to_string(),
            env: env.to_string(),
            dry_run,
            first_sync: !plan.record,
            plan: Kinds {
                pages: of_kind(Kind::Page),
                snippets: of_kind(Kind::Snippet),
                shortcuts: of_kind(Kind::Shortcut),
            },
            conflicts: plan
                .conflicts()
                .map(|p| {
                    let c = p.conflict().expect("a conflict");
                    ConflictReport {
                        kind: p.kind.label(),
                        name: p.name.clone(),
                        conflict: c.id(),
                        message: c.describe(),
                        diff: super::diff::unified(
                            p.kind,
                            &p.name,
                            p.remote.as_ref(),
                            p.local.as_ref(),
                        ),
                    }
                })
                .collect(),
            unrecorded: plan.unrecorded().map(qualified).collect(),
            warnings: plan.warnings.clone(),
            actions: Vec::new(),
            applied: 0,
            failed: 0,
            unknown: 0,
            backup: None,
            refused: None,
        }
    }

    pub fn outcomes(&mut self, outcomes: &[Outcome]) {
        for o in outcomes {
            self.actions.push(ActionReport {
                kind: o.action.kind.label(),
                name: o.action.name.clone(),
                action: o.action.op.label(),
                result: o.word(),
                error: o.error().map(ToString::to_string),
                status: o.error().and_then(|e| e.status()),
            });
            match o.word() {
                "applied" => self.applied += 1,
                "unknown" => self.unknown += 1,
                _ => self.failed += 1,
            }
        }
    }

    /// The plan as human lines: target first, a line per kind, then what
    /// is kept, conflicts (with their diffs) and warnings.
    pub fn plan_lines(&self, colour: bool) -> String {
        let mut out = format!(
            "{}{}\n",
            self.heading,
            if self.dry_run {
                " — dry run, nothing is written"
            } else {
                ""
            }
        );
        if self.first_sync {
            out.push_str(
                "  no sync record yet (first sync): where local and remote differ, goakit cannot tell which side changed\n",
            );
        }
        for (coll, k) in self.plan.iter() {
            let mut parts = Vec::new();
            for (n, op) in [
                (&k.create, Op::Create),
                (&k.update, Op::Update),
                (&k.delete, Op::Delete),
            ] {
                if !n.is_empty() {
                    parts.push(format!("{} {} ({})", n.len(), op.label(), list(n)));
                }
            }
            if k.replace {
                parts.push("sent as one replace-all request".into());
            }
            if k.unchanged.is_empty() {
                parts.push("0 unchanged".into());
            } else {
                parts.push(format!(
                    "{} unchanged ({})",
                    k.unchanged.len(),
                    list(&k.unchanged)
                ));
            }
            if !k.remote_only.is_empty() {
                parts.push(format!(
                    "{} on the remote only, kept ({})",
                    k.remote_only.len(),
                    list(&k.remote_only)
                ));
            }
            out.push_str(&format!("  {coll}: {}\n", parts.join(", ")));
        }
        for c in &self.conflicts {
            out.push_str(&format!(
                "  conflict: {} {}: {}\n",
                c.kind, c.name, c.message
            ));
            let diff = crate::diagnostic::terminal_lines(&c.diff);
            let diff = if colour {
                super::diff::colour(&diff)
            } else {
                diff.into_owned()
            };
            for line in diff.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        for u in &self.unrecorded {
            out.push_str(&format!(
                "  {u}: differs from the remote and has no sync record; the update replaces the remote content\n"
            ));
        }
        for w in &self.warnings {
            out.push_str(&format!("  warning: {w}\n"));
        }
        out
    }

    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The line for one finished request.
pub fn outcome_line(o: &Outcome) -> String {
    let what = format!("{} {}", o.action.kind.label(), o.action.name);
    match (&o.result, o.error()) {
        (super::apply::Ended::Applied, _) => format!("{} {what}", o.action.op.done()),
        (super::apply::Ended::Unknown(_), Some(e)) => format!(
            "UNKNOWN whether the {} of {what} was applied: {e}; verify with `goakit diff`",
            o.action.op.label()
        ),
        (_, e) => format!(
            "FAILED to {} {what}: {}",
            o.action.op.label(),
            e.map(ToString::to_string).unwrap_or_default()
        ),
    }
}

/// Up to eight names, sorted, then how many more.
pub fn list(names: &[String]) -> String {
    let mut n: Vec<&str> = names.iter().map(String::as_str).collect();
    n.sort();
    if n.len() > 8 {
        format!("{}, … {} more", n[..8].join(", "), n.len() - 8)
    } else {
        n.join(", ")
    }
}

/// The names an action writes, for the confirmation prompt.
pub fn destructive(actions: &[Action]) -> Vec<String> {
    let mut out = Vec::new();
    for a in actions {
        match a.op {
            Op::Delete => out.push(format!("delete {} {}", a.kind.label(), a.name)),
            Op::Replace => {
                out.push(format!("replace all {}", wire::collection(a.kind)));
                out.extend(
                    a.removes
                        .iter()
                        .map(|r| format!("remove {} {r}", a.kind.label())),
                );
            }
            _ => {}
        }
    }
    out
}

/// "1 conflict", "2 conflicts", ...
pub fn conflicts(n: usize) -> String {
    count(n, "conflict", "conflicts")
}
