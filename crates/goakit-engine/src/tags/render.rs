//! `{% render 'name' [with x | for xs] [as alias] [k: v, ...] %}` (Ruby
//! `Render`): `SYNTAX = /(#{QuotedString}+)(\s+(with|for)\s+(#{QuotedFragment}+))?(\s+(?:as)\s+(#{VariableSegment}+))?/o`.
//! Render: an isolated context (none of the caller's variables, fresh
//! registers), the attributes and the variable (`for` over anything
//! enumerable renders once per item with a `forloop`); `include` inside
//! is an error.

use crate::ast::{self, Render, Tag};
use crate::expression::Expr;
use crate::parse::ParseError;
use crate::syntax::{self, captures, group};
use crate::value::Value;

pub fn parse(markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::RENDER, markup) else {
        return Err(ParseError::syntax(
            "Syntax error in tag 'render' - Template name must be a quoted string",
            at,
        ));
    };
    let attributes = ast::attributes(markup);
    let template = match Expr::parse(group(&c, 1).unwrap_or("")) {
        Expr::Lit(Value::Str(s)) => s,
        _ => "".into(),
    };
    Ok(Tag::Render(Render {
        template,
        at: group(&c, 1).map_or(crate::origin::NONE, crate::origin::at),
        variable: group(&c, 4)
            .map(Expr::parse)
            // Ruby's `if @variable_name_expr`: a literal nil or false is
            // as if there were none.
            .filter(Expr::is_truthy_object),
        for_loop: group(&c, 3) == Some("for"),
        alias: group(&c, 6).map(Into::into),
        attributes,
    }))
}
