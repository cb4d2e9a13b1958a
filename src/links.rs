//! The one symlink policy, for preview, build, push and pull (README
//! "Files and links"): goakit reads and writes a project file only at a
//! path that, every link resolved, stays inside the project (links inside
//! it are fine); it never writes through a link at all into `build --out`.

use std::io;
use std::path::{Path, PathBuf};

/// `path` (which may not exist yet) with every link resolved: the nearest
/// existing ancestor canonicalised, the rest appended.
pub fn resolved(path: &Path) -> io::Result<PathBuf> {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        match at.canonicalize() {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (Some(parent), Some(name)) = (at.parent(), at.file_name()) else {
                    return Err(e);
                };
                rest.push(name.to_os_string());
                at = parent;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether `path` stays inside `root` once its links are resolved.
pub fn inside(root: &Path, path: &Path) -> bool {
    match (resolved(root), resolved(path)) {
        (Ok(r), Ok(p)) => p.starts_with(r),
        _ => false,
    }
}

fn outside_error(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a link that leads outside the project: goakit neither reads nor writes through it",
        path.display()
    ))
}

/// Refuses a project path whose links lead outside `root`.
pub fn check_inside(root: &Path, path: &Path) -> io::Result<()> {
    if inside(root, path) {
        Ok(())
    } else {
        Err(outside_error(path))
    }
}

/// Writes a project file (pull), creating folders, never through a link
/// that leads outside the project.
pub fn write_inside(root: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    check_inside(root, path)?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // A link made between the check and here would still be caught.
    check_inside(root, path)?;
    std::fs::write(path, bytes)
}

/// Writes a project file atomically (the sync record): a temporary file
/// beside it, then renamed over it, so a reader sees the old or the new
/// text, never half; never through a link out of the project (the rename
/// replaces a link itself, it does not follow it).
pub fn write_atomic(root: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    check_inside(root, path)?;
    let parent = path
        .parent()
        .ok_or_else(|| io::Error::other("a file without a folder"))?;
    std::fs::create_dir_all(parent)?;
    check_inside(root, parent)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Writes `rel` under `out` (build output) through no link at all: every
/// existing folder on the way and the file itself must be real.
pub fn write_no_links(out: &Path, rel: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut at = out.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(io::Error::other(format!(
                    "{} is a link: build output is never written through links",
                    at.display()
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if i + 1 < parts.len() {
                    std::fs::create_dir(&at)?;
                }
            }
            Err(e) => return Err(e),
        }
    }
    std::fs::write(&at, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_are_fine_outside_are_refused() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("addon");
        let outside = base.path().join("secret");
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("x"), "s").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("templates/out")).unwrap();
        std::os::unix::fs::symlink(root.join("templates"), root.join("alias")).unwrap();
        assert!(inside(&root, &root.join("templates/new.html")));
        assert!(inside(&root, &root.join("alias/new.html")));
        assert!(!inside(&root, &root.join("templates/out/x")));
        assert!(!inside(&root, &root.join("templates/out/new")));
        assert!(write_inside(&root, &root.join("templates/out/new"), b"x").is_err());
        assert!(!outside.join("new").exists());
        assert!(write_inside(&root, &root.join("a/b/c.html"), b"x").is_ok());
        // Build output: no link anywhere on the way.
        let out = base.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("pages")).unwrap();
        assert!(write_no_links(&out, Path::new("pages/a.html"), b"x").is_err());
        assert!(!outside.join("a.html").exists());
        assert!(write_no_links(&out, Path::new("shortcuts/a.html"), b"x").is_ok());
    }
}
