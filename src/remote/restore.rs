//! `goakit restore BACKUP` (SPEC 9): puts a backup's items back on the
//! remote. A plan first (the backup's items against what the remote holds
//! now), creates and updates only (it never deletes), a backup of what it
//! replaces, and `--yes` (or a prompt) before replacing remote content.
//! The sync record is left as it was: the restored items are a remote
//! change, which the next pull takes and the next push will not overwrite.

use super::Session;
use super::apply;
use super::plan::{self, Plan, Planned};
use super::push::PushFormat;
use super::report::{self, Report};
use super::sync::{self, PushDecision, Write};
use super::wire;
use crate::exit::{CmdResult, Failure, failed_if};
use crate::project::{Kind, valid_name};
use clap::Args;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct RestoreArgs {
    /// A backup file, as push wrote it under .goakit/backups (a path, or
    /// its file name there).
    #[arg(value_name = "BACKUP")]
    pub backup: PathBuf,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before replacing remote content.
    #[arg(long)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: PushFormat,
    /// Give up after this many seconds in all (retries included).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

/// The backup file: the path as given, else its name under .goakit/backups.
fn find(root: &Path, given: &Path) -> PathBuf {
    if given.exists() {
        return given.to_path_buf();
    }
    let there = root.join(".goakit/backups").join(given);
    if there.exists() {
        there
    } else {
        given.to_path_buf()
    }
}

/// Plans the backup's items against the remote state: create what is
/// gone, update what differs, leave the rest.
fn plan_restore(backup: &Value, remote: &[(Kind, Vec<Value>)]) -> Plan {
    let mut plan = Plan {
        record: true,
        ..Plan::default()
    };
    for (kind, items) in remote {
        let now = plan::remote_by_name(*kind, items, &mut plan.warnings);
        let saved: &[Value] = backup
            .get(wire::collection(*kind))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let mut ignored = Vec::new();
        for (name, item) in plan::remote_by_name(*kind, saved, &mut ignored) {
            if !valid_name(*kind, name) {
                plan.warnings.push(format!(
                    "backup {} {name:?}: not a valid name, left out",
                    kind.label()
                ));
                continue;
            }
            let content = wire::remote_content(*kind, item);
            let current = now.get(name).map(|i| wire::remote_content(*kind, i));
            let (h, ch) = (sync::hash(&content), current.as_ref().map(sync::hash));
            let decision = match &ch {
                None => PushDecision::Write(Write::Create),
                Some(c) if *c == h => PushDecision::Unchanged,
                Some(_) => PushDecision::Write(Write::Update),
            };
            plan.items.push(Planned {
                kind: *kind,
                name: name.to_string(),
                decision,
                id: now.get(name).and_then(|i| wire::remote_id(i)),
                local: Some(content),
                remote: current,
                local_hash: Some(h),
                remote_hash: ch,
            });
        }
    }
    plan
}

pub fn run(dir: &Path, args: RestoreArgs) -> CmdResult {
    let mut session = super::connect(dir, &args.env)?;
    let path = find(&session.project.root, &args.backup);
    let backup: Value = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            crate::say_err!(
                "error: {} is not a goakit backup (a JSON object)",
                path.display()
            );
            return Err(Failure::Usage);
        }
        Err(e) => {
            crate::say_err!("error: cannot read the backup {}: {e}", path.display());
            return Err(Failure::Usage);
        }
    };
    match backup.get("addon").and_then(Value::as_str) {
        Some(a) if a == session.addon => {}
        other => {
            crate::say_err!(
                "error: {} is a backup of addon {}, not of addon {}: nothing restored",
                path.display(),
                other.unwrap_or("(unknown)"),
                session.addon
            );
            return Err(Failure::Usage);
        }
    }
    let here = super::target(&session.client);
    if let Some(t) = backup.get("target").and_then(Value::as_str)
        && t.trim_end_matches('/') != here
    {
        return Err(Failure::UsageError(format!(
            "{} was taken from {t}, not from {here}: nothing restored",
            path.display()
        )));
    }
    super::watch_retries(&mut session.client, Duration::from_secs(args.timeout));
    super::runtime().block_on(restore(&session, &args, &path, &backup))
}

async fn restore(session: &Session, args: &RestoreArgs, path: &Path, backup: &Value) -> CmdResult {
    let human = args.format == PushFormat::Human;
    let target = super::target(&session.client);
    let remote = super::fetch_all(&session.client)
        .await
        .map_err(super::fetch_failure)?;
    let plan = plan_restore(backup, &remote);
    let heading = format!("{}, restoring {}", session.heading(), path.display());
    let mut report = Report::new(
        &heading,
        &target,
        &session.addon,
        &session.env,
        &plan,
        false,
        args.dry_run,
    );
    if human {
        print!("{}", report.plan_lines(crate::lint::output::use_color()));
    }
    let say = |r: &Report| {
        if !human {
            crate::say!("{}", r.json());
        }
    };
    let actions = apply::actions(&session.project, &plan, false);
    if args.dry_run || actions.is_empty() {
        if human {
            crate::say!(
                "{}",
                if actions.is_empty() {
                    "Nothing to restore: the remote already holds the backup's items."
                } else {
                    "Dry run: nothing written."
                }
            );
        }
        say(&report);
        return Ok(());
    }
    let replaces: Vec<String> = plan
        .items
        .iter()
        .filter(|p| p.write(false) == Some(Write::Update))
        .map(|p| format!("{} {}", p.kind.label(), p.name))
        .collect();
    let asks: Vec<String> = replaces
        .iter()
        .map(|r| format!("replace the remote content of {r}"))
        .collect();
    if super::confirm("restore", session, &asks, args.yes).is_err() {
        return Err(Failure::Failed);
    }
    if !replaces.is_empty() {
        match super::backup_remote(session, &remote, human) {
            Ok(p) => report.backup = Some(p),
            Err(f) => return Err(f),
        }
    }
    let outcomes = apply::apply(&session.client, actions, |o| {
        if human {
            println!(
                "{}",
                crate::diagnostic::terminal_safe(&report::outcome_line(o))
            );
        }
    })
    .await;
    report.outcomes(&outcomes);
    if human {
        crate::say!(
            "restore: {} applied, {} failed, {} unknown",
            report.applied,
            report.failed,
            report.unknown
        );
    }
    say(&report);
    failed_if(report.failed + report.unknown > 0)
}
