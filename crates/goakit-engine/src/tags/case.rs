//! `{% case x %}{% when a, b %}...{% else %}...{% endcase %}` (Ruby `Case`):
//! `Syntax = /(#{QuotedFragment})/o`; each `when` split by
//! `WhenSyntax = /(#{QuotedFragment})(?:(?:\s+or\s+|\s*\,\s*)(#{QuotedFragment}.*))?/om`,
//! each value compared with `==` (`empty`/`blank` as method literals).
//! Render: EVERY matching `when` renders; an `else` renders when no `when`
//! before it matched. Text before the first `when` is parsed, never shown.

use crate::ast::{Body, Case, Tag};
use crate::expression::Expr;
use crate::parse::{ParseError, Parser, Stop};
use crate::syntax::{self, captures, group};

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    let Some(c) = captures(&syntax::CASE, markup) else {
        return Err(ParseError::syntax(
            "Syntax Error in 'case' - Valid syntax: case [condition]",
            at,
        ));
    };
    let left = Expr::parse(group(&c, 1).unwrap_or(""));
    let mut blocks = Vec::new();
    let mut bodies = vec![Body::new()]; // the body before the first when
    let mut blank = true;
    loop {
        let body = bodies.last_mut().expect("a body");
        let stop = p.parse_block_body(body, at)?;
        blank &= body.blank;
        match stop {
            Stop::Tag {
                name: "when",
                markup,
                offset,
            } => {
                bodies.push(Body::new());
                let index = bodies.len() - 1;
                let mut rest = Some(markup);
                while let Some(m) = rest {
                    let Some(c) = captures(&syntax::WHEN, m) else {
                        p.fail(ParseError::syntax(
                            "Syntax Error in tag 'case' - Valid when condition: {% when [condition] [or condition2...] %}",
                            offset,
                        ))?;
                        break;
                    };
                    blocks.push((
                        Some(Expr::parse_condition(group(&c, 1).unwrap_or(""))),
                        index,
                    ));
                    rest = group(&c, 2);
                }
            }
            Stop::Tag {
                name: "else",
                markup,
                offset,
            } => {
                if !syntax::strip(markup).is_empty() {
                    p.fail(ParseError::syntax(
                        "Syntax Error in tag 'case' - Valid else condition: {% else %} (no parameters) ",
                        offset,
                    ))?;
                }
                bodies.push(Body::new());
                blocks.push((None, bodies.len() - 1));
            }
            other => {
                p.expect_end(other, "case", at)?;
                break;
            }
        }
    }
    if blank {
        for b in &mut bodies {
            b.remove_blank_strings();
        }
    }
    Ok(Tag::Case(Case {
        left,
        blocks,
        bodies,
        blank,
    }))
}
