//! `goakit push`: lint, fetch the remote state, diff by name and content,
//! print the plan (target first), back up, then apply with bounded
//! concurrency. Unchanged items make no request.

use super::client::{ApiError, Client};
use super::wire::{self, Content};
use crate::diagnostic::Severity;
use crate::project::{Kind, Project};
use clap::{Args, ValueEnum};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Requests in flight at once while applying.
pub const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PushFormat {
    Human,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct PushArgs {
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete remote items that do not exist locally.
    #[arg(long)]
    pub prune: bool,
    /// Do not ask before deleting.
    #[arg(long)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: PushFormat,
    /// Push even when lint finds errors.
    #[arg(long)]
    pub force: bool,
    /// Use the replace-all endpoints for pages and snippets (one request each).
    #[arg(long)]
    pub replace: bool,
    /// Read the API token from this file instead of GOAKIT_TOKEN.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Create,
    Update,
    Delete,
    Replace,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Replace => "replace",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Action {
    pub kind: Kind,
    pub name: String,
    pub op: Op,
    pub id: Option<String>,
    pub body: Value,
    /// For a replace-all: the remote items it removes.
    pub removes: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub actions: Vec<Action>,
    pub unchanged: BTreeMap<Kind, Vec<String>>,
    /// Remote items goakit leaves alone, with the reason.
    pub warnings: Vec<String>,
}

/// Diffs local items against the remote state by name and content; remote
/// items missing locally are deleted only for the kinds in `prune`.
pub fn plan(project: &Project, remote: &[(Kind, Vec<Value>)], prune: &[Kind]) -> Plan {
    let mut plan = Plan::default();
    for (kind, items) in remote {
        let kind = *kind;
        let mut by_name: BTreeMap<&str, &Value> = BTreeMap::new();
        for item in items {
            match wire::remote_name(item) {
                Some(n) => {
                    if by_name.contains_key(n) {
                        plan.warnings.push(format!(
                            "the remote addon has more than one {} named '{n}'; goakit compares the first one and leaves the others alone",
                            kind.label()
                        ));
                    } else {
                        by_name.insert(n, item);
                    }
                }
                None => plan.warnings.push(format!(
                    "a remote {} without a name (_id {}) is left alone",
                    kind.label(),
                    wire::remote_id(item).unwrap_or_else(|| "none".into())
                )),
            }
        }
        let local: BTreeMap<String, Content> = project
            .templates(kind)
            .values()
            .map(|t| (t.name.clone(), wire::local_content(t)))
            .collect();
        for (name, content) in &local {
            match by_name.get(name.as_str()) {
                None => plan.actions.push(Action {
                    kind,
                    name: name.clone(),
                    op: Op::Create,
                    id: None,
                    body: wire::body(content),
                    removes: Vec::new(),
                }),
                Some(item) if wire::remote_content(kind, item) != *content => {
                    plan.actions.push(Action {
                        kind,
                        name: name.clone(),
                        op: Op::Update,
                        id: wire::remote_id(item),
                        body: wire::body(content),
                        removes: Vec::new(),
                    })
                }
                Some(_) => plan.unchanged.entry(kind).or_default().push(name.clone()),
            }
        }
        if prune.contains(&kind) {
            for (name, item) in &by_name {
                if !local.contains_key(*name) {
                    plan.actions.push(Action {
                        kind,
                        name: name.to_string(),
                        op: Op::Delete,
                        id: wire::remote_id(item),
                        body: Value::Null,
                        removes: Vec::new(),
                    });
                }
            }
        }
    }
    plan
}

/// Turns the page and snippet actions into one replace-all per kind.
fn to_replace(project: &Project, plan: &mut Plan) {
    for kind in [Kind::Page, Kind::Snippet] {
        if !plan.actions.iter().any(|a| a.kind == kind) {
            continue;
        }
        let removes = plan
            .actions
            .iter()
            .filter(|a| a.kind == kind && a.op == Op::Delete)
            .map(|a| a.name.clone())
            .collect();
        plan.actions.retain(|a| a.kind != kind);
        let all: Vec<Value> = wire::local_items(project, kind)
            .iter()
            .map(wire::body)
            .collect();
        plan.actions.push(Action {
            kind,
            name: format!("all {}", wire::collection(kind)),
            op: Op::Replace,
            id: None,
            body: Value::Array(all),
            removes,
        });
    }
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub action: Action,
    pub result: Result<(), ApiError>,
}

async fn apply_one(client: &Client, a: &Action) -> Result<(), ApiError> {
    let id = || {
        a.id.clone().ok_or_else(|| {
            ApiError::BadAnswer(format!("remote {} '{}' has no _id", a.kind.label(), a.name))
        })
    };
    match a.op {
        Op::Create => client
            .request(Method::POST, &wire::list_path(a.kind), Some(&a.body))
            .await
            .map(drop),
        Op::Update => client
            .request(
                Method::PATCH,
                &wire::item_path(a.kind, &id()?),
                Some(&a.body),
            )
            .await
            .map(drop),
        Op::Delete => client
            .request(Method::DELETE, &wire::item_path(a.kind, &id()?), None)
            .await
            .map(drop),
        Op::Replace => client
            .request(Method::PUT, &wire::list_path(a.kind), Some(&a.body))
            .await
            .map(drop),
    }
}

/// Applies actions with at most CONCURRENCY in flight; `done` is called as
/// each finishes.
pub async fn apply(
    client: &Client,
    actions: Vec<Action>,
    mut done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let sem = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for a in actions {
        let client = client.clone();
        let sem = sem.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let result = apply_one(&client, &a).await;
            Outcome { action: a, result }
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(o) = r {
            done(&o);
            out.push(o);
        }
    }
    out.sort_by(|a, b| (a.action.kind, &a.action.name).cmp(&(b.action.kind, &b.action.name)));
    out
}

/// Saves the remote state about to change; returns the file written.
pub fn backup(
    root: &Path,
    target: &str,
    addon: &str,
    remote: &[(Kind, Vec<Value>)],
) -> std::io::Result<PathBuf> {
    let dir = root.join(".goakit/backups");
    std::fs::create_dir_all(&dir)?;
    let now = chrono::Utc::now();
    let mut path = dir.join(format!("{}.json", now.format("%Y-%m-%dT%H-%M-%S%.3fZ")));
    let mut n = 1;
    while path.exists() {
        path = dir.join(format!("{}-{n}.json", now.format("%Y-%m-%dT%H-%M-%S%.3fZ")));
        n += 1;
    }
    let mut state = serde_json::Map::new();
    state.insert("target".into(), json!(target));
    state.insert("addon".into(), json!(addon));
    state.insert("taken_at".into(), json!(now.to_rfc3339()));
    for (kind, items) in remote {
        state.insert(wire::collection(*kind).into(), Value::Array(items.clone()));
    }
    std::fs::write(&path, wire::pretty(&Value::Object(state)))?;
    Ok(path)
}

fn names(actions: &[&Action]) -> String {
    list(actions.iter().map(|a| a.name.as_str()))
}

/// Up to eight names, sorted, then how many more.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut n: Vec<&str> = names.into_iter().collect();
    n.sort();
    if n.len() > 8 {
        format!("{}, … {} more", n[..8].join(", "), n.len() - 8)
    } else {
        n.join(", ")
    }
}

fn plan_json(plan: &Plan) -> Value {
    let mut kinds = serde_json::Map::new();
    for kind in Kind::ALL {
        let of = |op: Op| -> Vec<&str> {
            plan.actions
                .iter()
                .filter(|a| a.kind == kind && a.op == op)
                .map(|a| a.name.as_str())
                .collect()
        };
        kinds.insert(
            wire::collection(kind).into(),
            json!({
                "create": of(Op::Create),
                "update": of(Op::Update),
                "delete": of(Op::Delete),
                "replace": !of(Op::Replace).is_empty(),
                "replace_removes": plan.actions.iter()
                    .filter(|a| a.kind == kind && a.op == Op::Replace)
                    .flat_map(|a| &a.removes).collect::<Vec<_>>(),
                "unchanged": plan.unchanged.get(&kind).map_or(&[][..], Vec::as_slice),
            }),
        );
    }
    Value::Object(kinds)
}

fn print_plan(out: &mut impl Write, target: &str, addon: &str, plan: &Plan, dry_run: bool) {
    let _ = writeln!(
        out,
        "Target: {target} (addon {addon}){}",
        if dry_run {
            " — dry run, nothing is written"
        } else {
            ""
        }
    );
    for kind in Kind::ALL {
        let of = |op: Op| -> Vec<&Action> {
            plan.actions
                .iter()
                .filter(|a| a.kind == kind && a.op == op)
                .collect()
        };
        let unchanged = plan.unchanged.get(&kind).map_or(&[][..], Vec::as_slice);
        let mut parts = Vec::new();
        for op in [Op::Create, Op::Update, Op::Delete] {
            let list = of(op);
            if !list.is_empty() {
                parts.push(format!("{} {} ({})", list.len(), op.label(), names(&list)));
            }
        }
        for r in of(Op::Replace) {
            parts.push(if r.removes.is_empty() {
                "replace all in one request".to_string()
            } else {
                format!(
                    "replace all in one request, removing {} ({})",
                    r.removes.len(),
                    list(r.removes.iter().map(String::as_str))
                )
            });
        }
        if unchanged.is_empty() {
            parts.push("0 unchanged".into());
        } else {
            parts.push(format!(
                "{} unchanged ({})",
                unchanged.len(),
                list(unchanged.iter().map(String::as_str))
            ));
        }
        let _ = writeln!(out, "  {}: {}", wire::collection(kind), parts.join(", "));
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
}

pub fn run(dir: &Path, args: PushArgs) -> u8 {
    let (project, client, addon) = match super::connect(dir, args.token_file.as_ref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let human = args.format == PushFormat::Human;
    let diags = crate::lint::lint_project(&project);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        if args.force {
            crate::say_err!(
                "warning: lint found {} errors; pushing anyway (--force)",
                errors.len()
            );
        } else {
            for d in &errors {
                crate::say_err!("{}", crate::lint::output::human(&project, d, false));
            }
            crate::say_err!(
                "push refused: lint found {} errors (fix them, or --force)",
                errors.len()
            );
            if !human {
                crate::say!(
                    "{}",
                    json!({"refused": "lint errors", "errors": errors.len()})
                );
            }
            return 1;
        }
    }
    let rt = super::runtime();
    rt.block_on(push(&project, &client, &addon, &args))
}

async fn push(project: &Project, client: &Client, addon: &str, args: &PushArgs) -> u8 {
    let human = args.format == PushFormat::Human;
    let target = format!(
        "{}{}",
        client.base(),
        wire::API_PREFIX.trim_end_matches('/')
    );
    let remote = match super::fetch_all(client).await {
        Ok(r) => r,
        Err((kind, e)) => {
            crate::say_err!(
                "error: cannot read remote {} from {target}: {e}",
                wire::collection(kind)
            );
            if !human {
                crate::say!(
                    "{}",
                    json!({"target": target, "addon": addon, "error": e.to_string()})
                );
            }
            return 1;
        }
    };
    // A replace-all removes what is not local, so it prunes its kinds;
    // shortcuts (no replace-all) are pruned only with --prune.
    let prune: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| args.prune || (args.replace && wire::has_replace_all(*k)))
        .collect();
    let mut plan = plan(project, &remote, &prune);
    if args.replace {
        to_replace(project, &mut plan);
    }
    let mut stdout = std::io::stdout().lock();
    if human {
        print_plan(&mut stdout, &target, addon, &plan, args.dry_run);
    }
    if args.dry_run || plan.actions.is_empty() {
        if human {
            let _ = writeln!(
                stdout,
                "{}",
                if plan.actions.is_empty() {
                    "Nothing to push: the remote addon is up to date."
                } else {
                    "Dry run: nothing written."
                }
            );
        } else {
            let _ = writeln!(
                stdout,
                "{}",
                json!({"target": target, "addon": addon, "dry_run": args.dry_run, "plan": plan_json(&plan), "warnings": plan.warnings, "actions": [], "applied": 0, "failed": 0, "backup": null})
            );
        }
        return 0;
    }
    let destructive: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| matches!(a.op, Op::Delete | Op::Replace))
        .collect();
    let destructive = list(destructive.iter().flat_map(|a| {
        if a.op == Op::Replace {
            std::iter::once(a.name.as_str())
                .chain(a.removes.iter().map(|r| r.as_str()))
                .collect::<Vec<_>>()
        } else {
            vec![a.name.as_str()]
        }
    }));
    if !destructive.is_empty() && !args.yes {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            eprint!("This deletes or replaces remote items ({destructive}). Continue? [y/N] ");
            let _ = std::io::stderr().flush();
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                crate::say_err!("push cancelled: nothing written");
                return 1;
            }
        } else {
            crate::say_err!(
                "push refused: it would delete or replace remote items ({destructive}); pass --yes to confirm"
            );
            return 1;
        }
    }
    // Save what is about to change before the first update or delete.
    let mut backup_path = None;
    if plan.actions.iter().any(|a| a.op != Op::Create) {
        match backup(&project.root, &target, addon, &remote) {
            Ok(p) => {
                if human {
                    let _ = writeln!(stdout, "Backup of the remote state: {}", p.display());
                }
                backup_path = Some(p);
            }
            Err(e) => {
                crate::say_err!(
                    "error: cannot write the backup under .goakit/backups: {e}; nothing pushed"
                );
                return 1;
            }
        }
    }
    drop(stdout);
    let total = plan.actions.len() as u64;
    let bar = (human && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let outcomes = apply(client, plan.actions.clone(), |o| {
        let line = match &o.result {
            Ok(()) => format!(
                "{}d {} {}",
                o.action.op.label().trim_end_matches('e'),
                o.action.kind.label(),
                o.action.name
            ),
            Err(e) => format!(
                "FAILED to {} {} {}: {e}",
                o.action.op.label(),
                o.action.kind.label(),
                o.action.name
            ),
        };
        match &bar {
            Some(b) => {
                b.inc(1);
                if o.result.is_err() {
                    b.println(&line);
                } else {
                    b.set_message(line);
                }
            }
            None if human => crate::say!("{line}"),
            None => {}
        }
    })
    .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let applied = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    if human {
        if failed.is_empty() {
            crate::say!("push: {applied} applied, nothing failed");
        } else {
            crate::say!("push: {applied} applied, {} NOT applied:", failed.len());
            for o in &failed {
                crate::say!(
                    "  {} {} {}",
                    o.action.op.label(),
                    o.action.kind.label(),
                    o.action.name
                );
            }
            crate::say!("Run goakit push again to finish: it pushes only what is still different.");
            if failed
                .iter()
                .any(|o| matches!(o.result, Err(ApiError::Unauthorized)))
            {
                crate::say!(
                    "The API refused the token: check {} or --token-file.",
                    super::TOKEN_ENV
                );
            }
        }
    } else {
        let actions: Vec<Value> = outcomes
            .iter()
            .map(|o| {
                let mut v = json!({
                    "kind": o.action.kind.label(),
                    "name": o.action.name,
                    "action": o.action.op.label(),
                    "result": if o.result.is_ok() { "applied" } else { "failed" },
                });
                if let Err(e) = &o.result {
                    v["error"] = json!(e.to_string());
                    if let Some(s) = e.status() {
                        v["status"] = json!(s);
                    }
                }
                v
            })
            .collect();
        crate::say!(
            "{}",
            json!({
                "target": target, "addon": addon, "dry_run": false, "plan": plan_json(&plan), "warnings": plan.warnings,
                "actions": actions, "applied": applied, "failed": failed.len(),
                "backup": backup_path.map(|p| p.display().to_string()),
            })
        );
    }
    u8::from(!failed.is_empty())
}
