//! `{% increment x %}` / `{% decrement x %}` (Ruby `Increment`,
//! `Decrement`): counters live in the render's first environment (apart
//! from assigned variables); increment prints then adds one, decrement
//! subtracts one then prints.

use crate::ast::Tag;
use crate::syntax;

pub fn parse(markup: &str, decrement: bool) -> Tag {
    let name = syntax::strip(markup).into();
    if decrement {
        Tag::Decrement(name)
    } else {
        Tag::Increment(name)
    }
}
