//! Shared by the integration tests and benches.
#![allow(dead_code)]

pub mod fake_goaddon;

use std::path::Path;

/// Copies a folder tree (a fixture into a temp dir, say).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
}
