//! `{% capture name %}...{% endcapture %}` (Ruby `Capture`):
//! `Syntax = /(#{VariableSignature}+)/o` anywhere in the markup; the body's
//! output goes to the outermost scope. Blank.

use crate::ast::{Body, Tag};
use crate::parse::{ParseError, Parser};
use crate::syntax::{self, captures, group};

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::CAPTURE, markup) else {
        return Err(ParseError::syntax(
            "Syntax Error in 'capture' - Valid syntax: capture [var]",
            at,
        ));
    };
    let to = group(&c, 1).unwrap_or("").into();
    let mut body = Body::new();
    let stop = p.parse_block_body(&mut body, at)?;
    p.expect_end(stop, "capture", at)?;
    Ok(Tag::Capture { to, body })
}
