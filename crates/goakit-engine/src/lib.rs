//! goakit's Liquid engine: Ruby Liquid 5.4's rules (lax parsing, errors
//! rendered inline, ordered hashes, Ruby's numbers) in one parse, one tree,
//! and a render with a budget. See `docs/engine.md` for the layers.

pub mod ast;
pub mod binary;
pub mod condition;
pub mod convert;
pub mod expression;
pub mod filters;
pub mod hash;
pub mod json;
pub mod number;
pub mod origin;
pub mod parse;
pub mod render;
pub mod syntax;
pub mod tags;
pub mod value;
pub mod variable;
pub mod walk;

pub use parse::{ParseError, ParseErrorKind, ParseOptions, ParseWarning, WarningKind};
pub use render::{
    Budget, RenderError, RenderErrorKind, RenderOptions, Rendered, Yield, render, render_into,
};
pub use value::{Hash, Value};

use std::collections::BTreeMap;
use std::sync::Arc;

/// A parsed template: the one tree render and lint read.
#[derive(Debug, Clone)]
pub struct Template {
    pub root: ast::Body,
    /// Markup Ruby reads only in part, unknown tags (lenient mode).
    pub warnings: Vec<ParseWarning>,
    /// Ruby's `trim_whitespace` flag at the end of the parse: a snippet
    /// loaded from this template starts its parse with it.
    pub trim_at_end: bool,
    /// A recovering parse's errors, in the order Ruby meets them (the first
    /// is the one Ruby raises); empty otherwise.
    pub errors: Vec<ParseError>,
}

/// `Liquid::Template.parse(source)` with Ruby's defaults (lax), or with
/// goakit's Goaddon options.
pub fn parse(source: &str, opts: ParseOptions) -> Result<Template, ParseError> {
    parse_partial(source, opts, false)
}

/// Parses a snippet as `PartialCache.load` does: with the includer's parse
/// context, whose whitespace flag `trim_start` may still be set.
pub fn parse_partial(
    source: &str,
    opts: ParseOptions,
    trim_start: bool,
) -> Result<Template, ParseError> {
    let mut p = parse::Parser::new(source, opts);
    p.trim_start(trim_start);
    let root = stacker::maybe_grow(64 * 1024, 1024 * 1024, || p.parse_document())?;
    Ok(Template {
        root,
        trim_at_end: p.trim_at_end(),
        warnings: p.warnings,
        errors: Vec::new(),
    })
}

/// Parses the whole template whatever its errors, for lint and the
/// language server: each error Ruby would raise is noted and the parse
/// goes on past it (a refused tag is kept as [`ast::Tag::Invalid`], a block
/// left open ends with the source), so the tree holds everything the
/// source says. Never rendered: Ruby refuses such a template.
pub fn parse_recovering(source: &str, opts: ParseOptions) -> Template {
    let mut p = parse::Parser::recovering(source, opts);
    let root = stacker::maybe_grow(64 * 1024, 1024 * 1024, || p.parse_document());
    let mut errors = std::mem::take(&mut p.errors);
    // Past `MAX_ERRORS` the last error ends the parse (the document keeps
    // what was read before the block it was in).
    let root = root.unwrap_or_else(|e| {
        errors.push(e);
        ast::Body::new()
    });
    Template {
        root,
        trim_at_end: p.trim_at_end(),
        warnings: p.warnings,
        errors,
    }
}

/// A snippet as an include or render gets it.
#[derive(Clone)]
pub struct Partial {
    pub template: Arc<Template>,
    /// Its name in errors (`templates/snippets/x.html`).
    pub file: Arc<str>,
    /// Its own `l` (goakit: every template has its locale).
    pub locale: Option<Value>,
}

/// Why a snippet could not be had.
#[derive(Debug, Clone)]
pub enum PartialError {
    /// Ruby's `FileSystemError` text (`No such template 'x'`).
    Missing(String),
    Syntax(ParseError),
    /// Any other failure, with the full text to render in place.
    Other(String),
}

/// Ruby's file system plus `PartialCache`: the host's snippets.
pub trait Partials {
    /// The snippet `name`; `trim_start` is the includer's whitespace flag
    /// (see [`parse_partial`]): a host that parsed the snippet ahead of
    /// time with the flag off parses it again when it is on.
    fn load(&self, name: &str, trim_start: bool) -> Result<Partial, PartialError>;
}

/// Snippets from source text, parsed on first use, as the Ruby reference
/// test's file system holds them.
pub struct SourcePartials<'a> {
    pub sources: &'a BTreeMap<String, String>,
    pub opts: ParseOptions,
}

impl Partials for SourcePartials<'_> {
    fn load(&self, name: &str, trim_start: bool) -> Result<Partial, PartialError> {
        let Some(src) = self.sources.get(name) else {
            return Err(PartialError::Missing(format!("No such template '{name}'")));
        };
        let t = parse_partial(src, self.opts, trim_start).map_err(PartialError::Syntax)?;
        Ok(Partial {
            template: Arc::new(t),
            file: name.into(),
            locale: None,
        })
    }
}

/// Renders `source` as Ruby's `Liquid::Template.parse(source).render(assigns)`
/// does with a file system holding `snippets` (the differential tests'
/// entry point). A template that Ruby refuses at parse time gives
/// `Err(message)` with Ruby's `e.message` (`Liquid syntax error: ...`).
pub fn render_like_ruby(
    source: &str,
    assigns: &serde_json::Value,
    snippets: &BTreeMap<String, String>,
) -> Result<String, String> {
    let t = parse(source, ParseOptions::RUBY).map_err(|e| e.ruby_message())?;
    let globals = match Value::from(assigns) {
        Value::Hash(h) => h,
        _ => Arc::new(Hash::new()),
    };
    let partials = SourcePartials {
        sources: snippets,
        opts: ParseOptions::RUBY,
    };
    let opts = RenderOptions {
        globals: &globals,
        partials: &partials,
        budget: Budget {
            max_time: std::time::Duration::from_secs(2),
            max_bytes: 16 * 1024 * 1024,
        },
        yield_to: Yield::Nothing,
        locale: None,
        locale_variable: "l",
        file: "template".into(),
    };
    match render(&t, &opts) {
        Ok(r) => Ok(r.html),
        // Ruby's exception out of `Template#render`.
        Err(e) if e.kind == RenderErrorKind::Raised => Err(e.message),
        Err(e) => Ok(format!("GOAKIT-BUDGET: {}", e.message)),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..src.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
