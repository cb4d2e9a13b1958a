//! `goakit lint --watch`: re-lint on every change, print only what changed.

use super::{LintArgs, lint_project, output};
use crate::diagnostic::Diagnostic;
use crate::exit::{CmdResult, Failure};
use crate::project::{FileRole, Project};
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

const DEBOUNCE: Duration = Duration::from_millis(20);

pub fn run(mut project: Project, args: &LintArgs) -> CmdResult {
    let root = project
        .root
        .canonicalize()
        .unwrap_or_else(|_| project.root.clone());
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev
            && !matches!(ev.kind, notify::EventKind::Access(_))
        {
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return Err(Failure::Usage);
        }
    };
    if let Err(e) = watcher.watch(&root, RecursiveMode::Recursive) {
        eprintln!("error: cannot watch {}: {e}", root.display());
        return Err(Failure::Usage);
    }
    let mut current = lint_project(&project);
    output::print(&project, &current, args.format);
    println!("lint: watching for changes (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    while let Ok(first) = rx.recv() {
        let mut paths = BTreeSet::from([first]);
        while let Ok(p) = rx.recv_timeout(DEBOUNCE) {
            paths.insert(p);
        }
        let mut touched = false;
        for p in &paths {
            let Ok(rel) = p.strip_prefix(&root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if FileRole::of(&rel).is_some() {
                touched = true;
                if let Err(e) = project.refresh(&rel) {
                    println!("error: {e}");
                }
            } else if let Some(p) = ["templates", "locales", "settings"]
                .iter()
                .any(|d| rel.starts_with(d))
                .then(|| Project::load(&project.root).ok())
                .flatten()
            {
                // A folder moved: read the layout anew.
                project = p;
                touched = true;
            }
        }
        if !touched {
            continue;
        }
        let next = lint_project(&project);
        print_changes(&project, &current, &next, args);
        current = next;
    }
    Ok(())
}

/// Prints findings that appeared and disappeared.
fn print_changes(project: &Project, before: &[Diagnostic], after: &[Diagnostic], args: &LintArgs) {
    let old: BTreeSet<String> = before.iter().map(ToString::to_string).collect();
    let new: BTreeSet<String> = after.iter().map(ToString::to_string).collect();
    let mut out = std::io::stdout().lock();
    let added: Vec<&Diagnostic> = after
        .iter()
        .filter(|d| !old.contains(&d.to_string()))
        .collect();
    let fixed: Vec<&Diagnostic> = before
        .iter()
        .filter(|d| !new.contains(&d.to_string()))
        .collect();
    match args.format {
        super::Format::Json => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::json!({"added": added, "fixed": fixed, "errors": output::counts(after).0, "warnings": output::counts(after).1})
            );
        }
        super::Format::Github => {
            for d in &added {
                let _ = writeln!(out, "{}", output::github(d));
            }
        }
        super::Format::Human => {
            let color = output::use_color();
            for d in &fixed {
                let _ = writeln!(out, "fixed: {d}");
            }
            for d in &added {
                let _ = write!(out, "new: {}", output::human(project, d, color));
            }
            let (e, w) = output::counts(after);
            let _ = writeln!(
                out,
                "lint: {} ({} new, {} fixed)",
                output::tally(e, w),
                added.len(),
                fixed.len()
            );
        }
    }
    let _ = out.flush();
}
