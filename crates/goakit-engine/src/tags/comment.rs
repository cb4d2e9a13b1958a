//! `{% comment %}...{% endcomment %}` (Ruby `Comment`): renders nothing,
//! but its body is still parsed (a broken tag inside is a syntax error);
//! tags it does not know are ignored.

use crate::ast::{Body, Tag};
use crate::parse::{ParseError, Parser, Stop};

pub fn parse(p: &mut Parser, at: usize) -> Result<Tag, ParseError> {
    let mut body = Body::new();
    loop {
        match p.parse_block_body(&mut body, at)? {
            Stop::Tag {
                name: "endcomment", ..
            } => return Ok(Tag::Comment),
            Stop::Tag { .. } => continue,
            Stop::Eof => {
                return Err(ParseError::syntax("'comment' tag was never closed", at));
            }
        }
    }
}
