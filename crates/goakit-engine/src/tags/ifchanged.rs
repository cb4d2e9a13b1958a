//! `{% ifchanged %}...{% endifchanged %}` (Ruby `Ifchanged`): renders its
//! body and prints it only when it differs from the last one printed.

use crate::ast::{Body, Tag};
use crate::parse::{ParseError, Parser};

pub fn parse(p: &mut Parser, at: usize) -> Result<Tag, ParseError> {
    let mut body = Body::new();
    let stop = p.parse_block_body(&mut body, at)?;
    p.expect_end(stop, "ifchanged", at)?;
    Ok(Tag::Ifchanged(body))
}
