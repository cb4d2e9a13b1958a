//! The tag catalogue: every tag goakit knows, one file each, with Ruby
//! Liquid 5.4's parse rule (its `Syntax` regular expression) and render
//! rule in the file's doc. Every list of known tag names (lint, the
//! language server) comes from [`CATALOGUE`].

use crate::ast::Tag;
use crate::parse::{ParseError, Parser};

pub mod assign;
pub mod capture;
pub mod case;
pub mod comment;
pub mod cycle;
pub mod echo;
pub mod for_loop;
pub mod if_tag;
pub mod ifchanged;
pub mod include;
pub mod increment;
pub mod inline_comment;
pub mod interrupts;
pub mod raw;
pub mod render;
pub mod tablerow;
pub mod yield_tag;

/// One tag of the catalogue.
pub struct TagDef {
    pub name: &'static str,
    /// The end tag of a block (`endif`), `None` for a plain tag.
    pub end: Option<&'static str>,
    /// Tags allowed inside the block at its own level (`else`, `elsif`, `when`).
    pub inner: &'static [&'static str],
    /// Goaddon's own tag, not Ruby Liquid's.
    pub goaddon: bool,
    pub summary: &'static str,
}

const fn tag(name: &'static str, summary: &'static str) -> TagDef {
    TagDef {
        name,
        end: None,
        inner: &[],
        goaddon: false,
        summary,
    }
}

const fn block(
    name: &'static str,
    end: &'static str,
    inner: &'static [&'static str],
    summary: &'static str,
) -> TagDef {
    TagDef {
        name,
        end: Some(end),
        inner,
        goaddon: false,
        summary,
    }
}

/// Every tag, Ruby's and Goaddon's `yield`. `liquid` is read by the body
/// parser itself, as Ruby does.
pub static CATALOGUE: &[TagDef] = &[
    tag("#", "an inline comment"),
    tag("assign", "assign name = value | filters"),
    tag("break", "leaves the innermost for loop"),
    block(
        "capture",
        "endcapture",
        &[],
        "captures its body into a variable",
    ),
    block(
        "case",
        "endcase",
        &["when", "else"],
        "case value / when a, b / else",
    ),
    block("comment", "endcomment", &[], "a comment block"),
    tag(
        "continue",
        "skips to the next iteration of the innermost for loop",
    ),
    tag("cycle", "cycle [group:] a, b, c"),
    tag("decrement", "decrements a counter and prints it"),
    tag("echo", "prints an expression (for {% liquid %})"),
    block(
        "for",
        "endfor",
        &["else"],
        "for item in collection [limit: n] [offset: n|continue] [reversed]",
    ),
    block(
        "if",
        "endif",
        &["elsif", "else"],
        "if condition / elsif / else",
    ),
    block(
        "ifchanged",
        "endifchanged",
        &[],
        "prints its body when it changed since the last time",
    ),
    tag(
        "include",
        "include 'snippet' [with x|for xs] [as name] [k: v, ...]",
    ),
    tag("increment", "prints a counter and increments it"),
    tag("liquid", "several tags, one per line"),
    block("raw", "endraw", &[], "prints its body without rendering it"),
    tag(
        "render",
        "render 'snippet' [with x|for xs] [as name] [k: v, ...] in its own scope",
    ),
    block(
        "tablerow",
        "endtablerow",
        &[],
        "tablerow item in collection [cols: n] [limit: n] [offset: n]",
    ),
    block(
        "unless",
        "endunless",
        &["elsif", "else"],
        "unless condition / elsif / else",
    ),
    TagDef {
        name: "yield",
        end: None,
        inner: &[],
        goaddon: true,
        summary: "in root: the requested page",
    },
];

pub fn lookup(name: &str) -> Option<&'static TagDef> {
    CATALOGUE.iter().find(|t| t.name == name)
}

/// A name that ends or divides a known block (`endif`, `else`, `when`):
/// never an "unknown tag" in goakit's lenient mode.
pub fn is_delimiter(name: &str) -> bool {
    name == "end"
        || CATALOGUE
            .iter()
            .any(|t| t.end == Some(name) || t.inner.contains(&name))
}

/// Parses a registered tag; `None` for a name that is not one (the body
/// then stops, as Ruby's `BlockBody#parse` yields it).
pub fn parse<'s>(
    p: &mut Parser<'s>,
    name: &'s str,
    markup: &'s str,
    at: usize,
) -> Result<Option<Tag>, ParseError> {
    Ok(Some(match name {
        "#" => inline_comment::parse(markup, at)?,
        "assign" => assign::parse(p, markup, at)?,
        "break" => Tag::Break,
        "continue" => Tag::Continue,
        "capture" => capture::parse(p, markup, at)?,
        "case" => case::parse(p, markup, at)?,
        "comment" => comment::parse(p, at)?,
        "cycle" => cycle::parse(markup, at)?,
        "decrement" => increment::parse(markup, true),
        "increment" => increment::parse(markup, false),
        "echo" => echo::parse(p, markup, at),
        "for" => for_loop::parse(p, markup, at)?,
        "if" => if_tag::parse(p, markup, at, false)?,
        "unless" => if_tag::parse(p, markup, at, true)?,
        "ifchanged" => ifchanged::parse(p, at)?,
        "include" => include::parse(markup, at)?,
        "raw" => raw::parse(p, markup, at)?,
        "render" => render::parse(markup, at)?,
        "tablerow" => tablerow::parse(p, markup, at)?,
        "yield" if p.opts.yield_tag => Tag::Yield,
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_are_unique() {
        let mut names: Vec<_> = CATALOGUE.iter().map(|t| t.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
        assert!(is_delimiter("endfor") && is_delimiter("when") && !is_delimiter("foo"));
    }
}
