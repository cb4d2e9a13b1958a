//! `{% echo expr | filters %}` (Ruby `Echo`): a `Variable` as a tag.

use crate::ast::Tag;
use crate::parse::Parser;
use crate::variable::Variable;

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Tag {
    let v = Variable::parse(markup);
    if v.lax {
        p.warn_lax(markup, at);
    }
    Tag::Echo(v)
}
