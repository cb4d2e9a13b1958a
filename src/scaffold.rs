//! `goakit init`: a new addon project that lints clean and renders every
//! page (files in `theme/scaffold/`, embedded).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

const FILES: &[(&str, &str)] = &[
    (
        "description.md",
        include_str!("../theme/scaffold/description.md"),
    ),
    ("goakit.toml", include_str!("../theme/scaffold/goakit.toml")),
    // Stored without its dot, so the scaffold folder itself is not ignored.
    (".gitignore", include_str!("../theme/scaffold/gitignore")),
    (
        "locales/pages/frontpage.json",
        include_str!("../theme/scaffold/locales/pages/frontpage.json"),
    ),
    (
        "locales/pages/frontpage__details.json",
        include_str!("../theme/scaffold/locales/pages/frontpage__details.json"),
    ),
    (
        "locales/pages/root.json",
        include_str!("../theme/scaffold/locales/pages/root.json"),
    ),
    (
        "locales/snippets/shared/greeting.json",
        include_str!("../theme/scaffold/locales/snippets/shared/greeting.json"),
    ),
    (
        "preview/api/frontpage.json",
        include_str!("../theme/scaffold/preview/api/frontpage.json"),
    ),
    (
        "preview/api/frontpage__details.json",
        include_str!("../theme/scaffold/preview/api/frontpage__details.json"),
    ),
    (
        "preview/api/frontpage__details/id=orders.json",
        include_str!("../theme/scaffold/preview/api/frontpage__details/id=orders.json"),
    ),
    (
        "preview/api/frontpage__details/id=customers.json",
        include_str!("../theme/scaffold/preview/api/frontpage__details/id=customers.json"),
    ),
    (
        "preview/project.json",
        include_str!("../theme/scaffold/preview/project.json"),
    ),
    (
        "settings/pages/frontpage.json",
        include_str!("../theme/scaffold/settings/pages/frontpage.json"),
    ),
    (
        "settings/pages/frontpage__details.json",
        include_str!("../theme/scaffold/settings/pages/frontpage__details.json"),
    ),
    (
        "templates/pages/frontpage.html",
        include_str!("../theme/scaffold/templates/pages/frontpage.html"),
    ),
    (
        "templates/pages/frontpage__details.html",
        include_str!("../theme/scaffold/templates/pages/frontpage__details.html"),
    ),
    (
        "templates/pages/root.html",
        include_str!("../theme/scaffold/templates/pages/root.html"),
    ),
    (
        "templates/snippets/shared/greeting.html",
        include_str!("../theme/scaffold/templates/snippets/shared/greeting.html"),
    ),
];

/// Writes the scaffold into `dir` (created if missing). Refuses, writing
/// nothing, when `dir` already holds a project or any file it would write.
pub fn init(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if dir.join(crate::project::CONFIG_FILE).exists() {
        bail!(
            "{} already has a {}: not overwriting an existing project",
            dir.display(),
            crate::project::CONFIG_FILE
        );
    }
    // A repository's own .gitignore is kept: goakit's lines are added to it.
    if let Some((existing, _)) = FILES
        .iter()
        .find(|(p, _)| *p != ".gitignore" && dir.join(p).exists())
    {
        bail!(
            "{} already exists: not overwriting it",
            dir.join(existing).display()
        );
    }
    let mut written = Vec::new();
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if *rel == ".gitignore"
            && let Ok(old) = std::fs::read_to_string(&path)
        {
            let missing: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with('#') && !old.lines().any(|o| o.trim() == *l))
                .collect();
            if !missing.is_empty() {
                let sep = if old.ends_with('\n') || old.is_empty() {
                    ""
                } else {
                    "\n"
                };
                std::fs::write(&path, format!("{old}{sep}{}\n", missing.join("\n")))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                written.push(path);
            }
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
