//! `goakit push [NAME]...` (SPEC 9): lint, fetch the remote state, plan
//! against it and the sync record (`plan`), refuse remote changes unless
//! `--force`, confirm destructive or unrecorded replacements, back up,
//! apply (`apply`), record what both sides now agree on (`sync`), report
//! (`report`). Unchanged items make no request.

use super::Session;
use super::apply::{self, Op};
use super::plan::{self, Selection};
use super::report::{self, Report};
use super::sync;
use crate::diagnostic::{Severity, count};
use crate::exit::{CmdResult, Failure, failed_if};
use crate::project::{Kind, Project};
use clap::{Args, ValueEnum};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PushFormat {
    Human,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct PushArgs {
    /// Only these items (names, or their file paths); default: all.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete remote items that do not exist locally.
    #[arg(long)]
    pub prune: bool,
    /// Do not ask before deleting or replacing remote content.
    #[arg(long)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: PushFormat,
    /// Push even when lint finds errors, and over remote changes made
    /// since the last sync (they are in the backup).
    #[arg(long)]
    pub force: bool,
    /// Use the replace-all endpoints for pages and snippets (one request each).
    #[arg(long)]
    pub replace: bool,
    /// Give up after this many seconds in all (retries included).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
    #[command(flatten)]
    pub env: super::EnvArgs,
}

pub fn run(dir: &Path, args: PushArgs) -> CmdResult {
    let mut session = super::connect(dir, &args.env)?;
    let project = &session.project;
    if args.replace && !args.names.is_empty() {
        crate::say_err!(
            "error: --replace sends every item of a kind; it cannot be limited to NAMEs"
        );
        return Err(Failure::Usage);
    }
    let human = args.format == PushFormat::Human;
    let diags = crate::lint::lint_project(project);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        let found = count(errors.len(), "error", "errors");
        if args.force {
            crate::say_err!("warning: lint found {found}; pushing anyway (--force)");
        } else {
            for d in &errors {
                crate::say_err!("{}", crate::lint::output::human(project, d, false));
            }
            crate::say_err!("push refused: lint found {found} (fix them, or --force)");
            if !human {
                crate::say!(
                    "{}",
                    serde_json::json!({"refused": "lint errors", "errors": errors.len()})
                );
            }
            return Err(Failure::Failed);
        }
    }
    super::watch_retries(&mut session.client, Duration::from_secs(args.timeout));
    let rt = super::runtime();
    rt.block_on(push(&session, &args))
}

async fn push(session: &Session, args: &PushArgs) -> CmdResult {
    let (project, client, addon) = (&session.project, &session.client, session.addon.as_str());
    let env = session.env.as_str();
    let human = args.format == PushFormat::Human;
    let target = super::target(client);
    let remote = match super::fetch_all(client).await {
        Ok(r) => r,
        Err((kind, e)) => {
            crate::say_err!(
                "error: cannot read remote {} from {target}: {e}",
                super::wire::collection(kind)
            );
            if !human {
                crate::say!(
                    "{}",
                    serde_json::json!({"target": target, "addon": addon, "error": e.to_string()})
                );
            }
            return Err(Failure::Failed);
        }
    };
    let record = super::load_record(session);
    // A replace-all removes what is not local, so it prunes its kinds;
    // shortcuts (no replace-all) are pruned only with --prune.
    let prune: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| args.prune || (args.replace && super::wire::has_replace_all(*k)))
        .collect();
    let selection = Selection::new(&args.names);
    let mut plan = plan::plan(project, &remote, record.as_ref(), &prune, &selection);
    super::check_selection(&selection, &plan)?;
    if args.replace {
        // A replace-all would also remove the remote items the plan leaves
        // alone (duplicate names, no name): never silently.
        if !plan.warnings.is_empty() {
            for w in &plan.warnings {
                crate::say_err!("warning: {w}");
            }
            return Err(Failure::Error(
                "push --replace would also remove the remote items listed above, which goakit leaves alone; push without --replace".into(),
            ));
        }
        plan.replace = Kind::ALL
            .into_iter()
            .filter(|k| super::wire::has_replace_all(*k))
            .collect();
    }
    let mut report = Report::new(
        &session.heading(),
        &target,
        addon,
        env,
        &plan,
        args.force,
        args.dry_run,
    );
    let colour = human && crate::lint::output::use_color();
    let say = |report: &Report| {
        if !human {
            crate::say!("{}", report.json());
        }
    };
    if human {
        print!("{}", report.plan_lines(colour));
    }
    let conflicts = plan.conflicts().count();
    if conflicts > 0 && !args.force {
        let msg = format!(
            "push refused: {} with changes made on the remote since the last sync; nothing was written. \
             `goakit pull` takes remote-only changes into unchanged files; for items changed on both sides, \
             `goakit pull --force NAME` takes the remote version and saves yours in .goakit/backups, then merge and push. \
             `goakit push --force` overwrites the remote changes (a backup of them is kept).",
            report::conflicts(conflicts)
        );
        crate::say_err!("{msg}");
        report.refused = Some("conflicts".into());
        say(&report);
        return Err(Failure::Failed);
    }
    let actions = apply::actions(project, &plan, args.force);
    if args.dry_run || actions.is_empty() {
        if human {
            crate::say!(
                "{}",
                if actions.is_empty() {
                    "Nothing to push: the remote addon is up to date."
                } else {
                    "Dry run: nothing written."
                }
            );
        }
        if !args.dry_run {
            // Both sides agree: that is worth recording (a first sync).
            let r = plan::record_after(
                record.as_ref(),
                client.base(),
                addon,
                &plan,
                &BTreeSet::new(),
            );
            save_record(project, env, &r)?;
        }
        say(&report);
        return Ok(());
    }
    let mut asks: Vec<String> = report::destructive(&actions);
    asks.extend(
        report
            .unrecorded
            .iter()
            .map(|u| format!("replace the unrecorded remote content of {u}")),
    );
    if let Err(why) = super::confirm("push", session, &asks, args.yes) {
        report.refused = Some(why.into());
        say(&report);
        return Err(Failure::Failed);
    }
    // Save what is about to change before the first update or delete.
    if actions.iter().any(|a| a.op != Op::Create) {
        match super::backup_remote(session, &remote, human) {
            Ok(p) => report.backup = Some(p),
            Err(f) => return Err(f),
        }
    }
    let bar = (human && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(actions.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let outcomes = apply::apply(client, actions, |o| {
        let line = crate::diagnostic::terminal_safe(&report::outcome_line(o)).into_owned();
        match &bar {
            Some(b) => {
                b.inc(1);
                if o.applied() {
                    b.set_message(line);
                } else {
                    b.println(&line);
                }
            }
            None if human => println!("{line}"),
            None => {}
        }
    })
    .await;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // Record what both sides now agree on: applied writes and unchanged
    // items; a failed or unknown one keeps its old entry, so the next run
    // decides it again from what the remote then holds.
    let mut applied = BTreeSet::new();
    for o in outcomes.iter().filter(|o| o.applied()) {
        if o.action.op == Op::Replace {
            for n in o.action.covers.iter().chain(&o.action.removes) {
                applied.insert((o.action.kind, n.clone()));
            }
        } else {
            applied.insert((o.action.kind, o.action.name.clone()));
        }
    }
    let r = plan::record_after(record.as_ref(), client.base(), addon, &plan, &applied);
    let saved = save_record(project, env, &r);
    report.outcomes(&outcomes);
    if human {
        let not_done = report.failed + report.unknown;
        if not_done == 0 {
            crate::say!("push: {} applied, nothing failed", report.applied);
        } else {
            crate::say!(
                "push: {} applied, {} failed, {} unknown:",
                report.applied,
                report.failed,
                report.unknown
            );
            for o in outcomes.iter().filter(|o| !o.applied()) {
                crate::say!("  {}", report::outcome_line(o));
            }
            crate::say!("Run goakit push again to finish: it pushes only what is still different.");
            if outcomes
                .iter()
                .any(|o| matches!(o.error(), Some(super::client::ApiError::Unauthorized)))
            {
                crate::say!(
                    "The API refused the token: check {} or --token-file.",
                    super::TOKEN_ENV
                );
            }
        }
    }
    say(&report);
    saved?;
    failed_if(report.failed + report.unknown > 0)
}

fn save_record(project: &Project, env: &str, r: &sync::Record) -> Result<(), Failure> {
    sync::save(&project.root, env, r).map(drop).map_err(|e| {
        Failure::Error(format!(
            "cannot write the sync record {}: {e}",
            sync::path(&project.root, env).display()
        ))
    })
}
