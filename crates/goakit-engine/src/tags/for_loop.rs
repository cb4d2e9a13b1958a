//! `{% for x in collection %}...{% else %}...{% endfor %}` (Ruby `For`):
//! `Syntax = /\A(#{VariableSegment}+)\s+in\s+(#{QuotedFragment}+)\s*(reversed)?/o`
//! and `limit:`/`offset:` from `TagAttributes` anywhere in the markup
//! (`offset: continue` resumes where the loop of the same name stopped).
//! Render: the segment is sliced lazily (a range is never materialised),
//! strings iterate as one item, hashes as `[key, value]` pairs, numbers
//! and nil as nothing; `forloop` with `parentloop`.

use crate::ast::{Body, For, Offset, Tag};
use crate::expression::Expr;
use crate::parse::{ParseError, Parser, Stop};
use crate::syntax::{self, captures, group};

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::FOR, markup) else {
        return Err(ParseError::syntax(
            "Syntax Error in 'for loop' - Valid syntax: for [item] in [collection]",
            at,
        ));
    };
    let var = group(&c, 1).unwrap_or("");
    let collection = group(&c, 2).unwrap_or("");
    let reversed = group(&c, 3).is_some();
    let mut limit = None;
    let mut offset = Offset::None;
    for attr in syntax::scan_groups(&syntax::TAG_ATTRIBUTES, markup) {
        let (key, value) = (attr[0].unwrap_or(""), attr[1].unwrap_or(""));
        match key {
            "offset" if value == "continue" => offset = Offset::Continue,
            "offset" => offset = Offset::Expr(Expr::parse(value)),
            "limit" => limit = Some(Expr::parse(value)),
            _ => {}
        }
    }
    let mut body = Body::new();
    let mut else_body = None;
    let mut blank = true;
    let stop = p.parse_block_body(&mut body, at)?;
    blank &= body.blank;
    match stop {
        Stop::Tag { name: "else", .. } => {
            let mut e = Body::new();
            let stop = p.parse_block_body(&mut e, at)?;
            blank &= e.blank;
            match stop {
                // A second else starts a new (empty) else body and ends
                // the loop's parse there, as Ruby's `For#parse` does.
                Stop::Tag { name: "else", .. } => e = Body::new(),
                other => p.expect_end(other, "for", at)?,
            }
            else_body = Some(e);
        }
        other => p.expect_end(other, "for", at)?,
    }
    if blank {
        body.remove_blank_strings();
        if let Some(e) = &mut else_body {
            e.remove_blank_strings();
        }
    }
    Ok(Tag::For(For {
        var: var.into(),
        collection: Expr::parse(collection),
        name: format!("{var}-{collection}").into(),
        reversed,
        limit,
        offset,
        body,
        else_body,
        blank,
    }))
}
