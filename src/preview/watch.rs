//! The file watcher: coalesces a burst of events (editor saves write, rename
//! and touch several times), re-reads only the files that changed, compares
//! content so a touch does not reload, recompiles what changed, and only
//! then tells browsers to reload.

use super::Preview;
use crate::project::{FileRole, LoadError, Project};
use crate::render::Renderer;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Quiet time that ends a burst of events.
pub const DEBOUNCE: Duration = Duration::from_millis(8);
/// Folders whose changes matter even when the path itself is not a file
/// of the layout (a renamed or deleted folder of snippets, say).
const LAYOUT_DIRS: &[&str] = &["templates", "locales", "settings", "preview"];

/// The changed paths for the terminal line: relative, at most three,
/// terminal-safe.
fn changed_names(root: &Path, paths: &BTreeSet<PathBuf>) -> String {
    let rel: Vec<String> = paths
        .iter()
        .map(|p| {
            let r = p.strip_prefix(root).unwrap_or(p);
            crate::diagnostic::terminal_safe(&r.to_string_lossy()).into_owned()
        })
        .collect();
    match rel.len() {
        0..=3 => rel.join(", "),
        n => format!("{} and {} more", rel[..3].join(", "), n - 3),
    }
}

/// Starts watching `state.root`; keep the returned watcher alive.
pub fn spawn(state: Arc<Preview>) -> notify::Result<notify::RecommendedWatcher> {
    let root = state
        .root
        .canonicalize()
        .unwrap_or_else(|_| state.root.clone());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let mut watcher = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
        if let Ok(ev) = ev {
            // Access events (reads) change nothing.
            if matches!(ev.kind, notify::EventKind::Access(_)) {
                return;
            }
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    })?;
    watcher.watch(&root, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let started = Instant::now();
            let mut paths = BTreeSet::from([first]);
            while let Ok(Some(p)) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                paths.insert(p);
            }
            let state = state.clone();
            let root = root.clone();
            let names = changed_names(&root, &paths);
            let applied =
                tokio::task::spawn_blocking(move || apply(&state, &root, &paths).map(|_| state))
                    .await;
            if let Ok(Some(state)) = applied {
                state.signal();
                // One line per reload; a closed stdout must not stop us.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(
                    out,
                    "reload: {names} ({} ms)",
                    started.elapsed().as_millis()
                );
                let _ = out.flush();
            }
        }
    });
    Ok(watcher)
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Applies changed paths to the project; Some(()) when anything changed
/// (the project, or whether it can be read at all).
pub fn apply(state: &Preview, root: &Path, paths: &BTreeSet<PathBuf>) -> Option<()> {
    let before = state.current();
    let mut project = (*before).clone();
    let mut full_reload = false;
    // None: no verdict on loading in this batch; Some(e): the latest one.
    let mut load_result: Option<Option<LoadError>> = None;
    for path in paths {
        let Some(rel) = relative(root, path) else {
            continue;
        };
        match FileRole::of(&rel) {
            Some(role) => match project.refresh(&rel) {
                Ok(_) => {
                    // goakit.toml read again, or the file whose error is
                    // shown is readable again (a `chmod 000` undone): the
                    // error is gone.
                    let shown = match &load_result {
                        Some(e) => e.clone(),
                        None => state
                            .load_error
                            .read()
                            .unwrap_or_else(|e| e.into_inner())
                            .clone(),
                    };
                    if role == FileRole::Config || shown.is_some_and(|e| e.file == rel) {
                        load_result = Some(None);
                    }
                }
                Err(e) => {
                    crate::say_err!("error: {e} (keeping the previous settings)");
                    load_result = Some(Some(e));
                }
            },
            None => {
                let top = rel.split('/').next().unwrap_or("");
                // A folder created, removed or renamed: read the layout anew.
                if LAYOUT_DIRS.contains(&top) && !path.is_file() {
                    full_reload = true;
                }
            }
        }
    }
    if full_reload {
        match Project::load(&state.root) {
            Ok(p) => {
                project = p;
                load_result = Some(None);
            }
            Err(e) => {
                crate::say_err!("error: {e}");
                load_result = Some(Some(e));
            }
        }
    }
    let mut changed = false;
    if let Some(result) = load_result {
        let mut slot = state.load_error.write().unwrap_or_else(|e| e.into_inner());
        if *slot != result {
            *slot = result;
            changed = true;
        }
    }
    if project == *before {
        return changed.then_some(());
    }
    // Compile before the signal, so the reload finds the new render ready;
    // renders in flight keep the snapshot they started with.
    let mut renderer = Renderer::clone(&state.renderer());
    renderer.sync(&project);
    *state.renderer.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(renderer);
    *state.project.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(project);
    Some(())
}
