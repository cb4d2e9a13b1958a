//! `{% cycle [group:] a, b, c %}` (Ruby `Cycle`):
//! `NamedSyntax = /\A(#{QuotedFragment})\s*\:\s*(.*)/om` (the group is an
//! expression, evaluated at render: `api.g: ...` groups by its value),
//! else `SimpleSyntax = /\A#{QuotedFragment}+/o` (the group is the values'
//! `to_s`). Values: `markup.split(',')`, each its first QuotedFragment;
//! no values prints nothing.

use crate::ast::{Cycle, CycleName, Tag};
use crate::expression::Expr;
use crate::parse::ParseError;
use crate::syntax::{self, captures, group};
use crate::value::Value;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The next identity of an unnamed cycle whose values hold lookups.
static UNIQUE: AtomicUsize = AtomicUsize::new(0);

/// `variables_from_string`.
fn values(markup: &str) -> Vec<Expr> {
    let mut parts: Vec<&str> = markup.split(',').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
        .into_iter()
        .filter_map(|v| captures(&syntax::CYCLE_VAR, v).and_then(|c| group(&c, 1).map(Expr::parse)))
        // `.compact`: literal nils drop out.
        .filter(|e| !matches!(e, Expr::Lit(Value::Nil)))
        .collect()
}

pub fn parse(markup: &str, at: usize) -> Result<Tag, ParseError> {
    if let Some(c) = captures(&syntax::CYCLE_NAMED, markup) {
        return Ok(Tag::Cycle(Cycle {
            values: values(group(&c, 2).unwrap_or("")),
            name: CycleName::Named(Expr::parse(group(&c, 1).unwrap_or(""))),
        }));
    }
    if syntax::CYCLE_SIMPLE.is_match(markup).unwrap_or(false) {
        let values = values(markup);
        let inspected: Option<Vec<String>> = values.iter().map(Expr::literal_inspect).collect();
        let name = match inspected {
            Some(parts) => CycleName::Fixed(format!("[{}]", parts.join(", ")).into()),
            // Ruby's key holds the values' object addresses: unique per tag
            // across every template parsed, snippets included.
            None => CycleName::Unique(UNIQUE.fetch_add(1, Ordering::Relaxed)),
        };
        return Ok(Tag::Cycle(Cycle { name, values }));
    }
    Err(ParseError::syntax(
        "Syntax Error in 'cycle' - Valid syntax: cycle [name :] var [, var2, var3 ...]",
        at,
    ))
}
