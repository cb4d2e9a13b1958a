//! `{% tablerow x in collection cols: n limit: n offset: n %}` (Ruby
//! `TableRow`): `Syntax = /(\w+)\s+in\s+(#{QuotedFragment}+)/o`, attributes
//! from `TagAttributes`. Render: nil renders nothing; `cols`, `limit`,
//! `offset` through `to_i`; `<tr class="row1">\n`, a `<td class="colN">`
//! per item, a new row after each `col_last` but the last item,
//! `</tr>\n` at the end.

use crate::ast::{self, Body, Tablerow, Tag};
use crate::expression::Expr;
use crate::parse::{ParseError, Parser};
use crate::syntax::{self, captures, group};

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::TABLE_ROW, markup) else {
        return Err(ParseError::syntax(
            "Syntax Error in 'table_row loop' - Valid syntax: table_row [item] in [collection] cols=3",
            at,
        ));
    };
    let attributes = ast::attributes(markup);
    let mut body = Body::new();
    let stop = p.parse_block_body(&mut body, at)?;
    p.expect_end(stop, "tablerow", at)?;
    Ok(Tag::Tablerow(Tablerow {
        var: group(&c, 1).unwrap_or("").into(),
        collection: Expr::parse(group(&c, 2).unwrap_or("")),
        attributes,
        body,
    }))
}
