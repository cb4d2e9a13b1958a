//! `{% include 'name' [with x | for xs] [as alias] [k: v, ...] %}` (Ruby
//! `Include`): `SYNTAX = /(#{QuotedFragment}+)(\s+(?:with|for)\s+(#{QuotedFragment}+))?(\s+(?:as)\s+(#{VariableSegment}+))?/o`,
//! attributes from `TagAttributes` anywhere. Render, in the includer's
//! scope under a new inner scope: the attributes, then the variable named
//! after the snippet's last segment (or the alias) set to the `with`/`for`
//! value (or the variable named like the snippet); an array renders the
//! snippet once per item.

use crate::ast::{self, Include, Tag};
use crate::expression::Expr;
use crate::parse::ParseError;
use crate::syntax::{self, captures, group};

pub fn parse(markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::INCLUDE, markup) else {
        return Err(ParseError::syntax(
            "Error in tag 'include' - Valid syntax: include '[template]' (with|for) [object|collection]",
            at,
        ));
    };
    let attributes = ast::attributes(markup);
    Ok(Tag::Include(Include {
        template: Expr::parse(group(&c, 1).unwrap_or("")),
        at: group(&c, 1).map_or(crate::origin::NONE, crate::origin::at),
        variable: group(&c, 3)
            .map(Expr::parse)
            // Ruby's `if @variable_name_expr`: a literal nil or false is
            // as if there were none.
            .filter(Expr::is_truthy_object),
        alias: group(&c, 5).map(Into::into),
        attributes,
    }))
}
