//! `{% assign to = value | filters %}` (Ruby `Assign`):
//! `Syntax = /(#{VariableSignature}+)\s*=\s*(.*)\s*/om`, the name taken
//! as written (`a.b` assigns the key "a.b"), the value a `Variable`.
//! Render: the value goes to the outermost scope; the tag is blank, so an
//! error in it is not printed.

use crate::ast::Tag;
use crate::parse::{ParseError, Parser};
use crate::syntax::{self, captures, group};
use crate::variable::Variable;

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::ASSIGN, markup) else {
        return Err(ParseError::syntax(
            "Syntax Error in 'assign' - Valid syntax: assign [var] = [source]",
            at,
        ));
    };
    let value = group(&c, 2).unwrap_or("");
    let from = Variable::parse(value);
    if from.lax {
        p.warn_lax(value, at);
    }
    Ok(Tag::Assign {
        to: group(&c, 1).unwrap_or("").into(),
        from,
    })
}
