//! Where a piece of the tree came from: byte offsets into the source, kept
//! in the tree for lint and the language server (render never reads them).
//!
//! Every sub-parser (Ruby's regular expressions, `Expression.parse`,
//! `Variable`'s lexer) works on slices of the one source text, so the
//! offset of a piece is its distance from the source's start. The parser
//! names the source once ([`Origin::enter`]) instead of threading it
//! through every `Expression.parse` call; a piece that is not a slice of
//! the source (text the strict parser rebuilt from tokens) has no offset
//! ([`NONE`]) until its caller sets one.

use std::cell::Cell;

/// No known offset.
pub const NONE: u32 = u32::MAX;

thread_local! {
    static SOURCE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// The source being parsed on this thread, until dropped (parses nest:
/// the previous source comes back).
pub struct Origin {
    prev: (usize, usize),
}

impl Origin {
    pub fn enter(src: &str) -> Origin {
        let prev = SOURCE.replace((src.as_ptr() as usize, src.len()));
        Origin { prev }
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        SOURCE.set(self.prev);
    }
}

/// The byte offset of `part` in the source being parsed, or [`NONE`].
pub fn at(part: &str) -> u32 {
    let (base, len) = SOURCE.get();
    let p = part.as_ptr() as usize;
    if len == 0 || p < base || p > base + len {
        return NONE;
    }
    u32::try_from(p - base).unwrap_or(NONE)
}

/// `at` for a `usize` offset the parser already knows.
pub fn of(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(NONE)
}
