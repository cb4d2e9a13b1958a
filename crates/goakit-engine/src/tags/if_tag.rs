//! `{% if %}` / `{% unless %}` with `elsif` and `else` (Ruby `If`,
//! `Unless`): each condition by `If#lax_parse` (see `condition.rs`); the
//! first true branch renders (`unless`: the first branch when its
//! condition is false). A blank tag drops its bodies' text.

use crate::ast::{Body, If, Tag};
use crate::condition::Condition;
use crate::expression::Expr;
use crate::parse::{ParseError, Parser, Stop};

pub fn parse(p: &mut Parser, markup: &str, at: usize, unless: bool) -> Result<Tag, ParseError> {
    let name = if unless { "unless" } else { "if" };
    let first = Condition::parse_if(markup).map_err(|m| ParseError::syntax(m, at))?;
    let mut blocks: Vec<(Option<Condition>, Body)> = vec![(Some(first), Body::new())];
    let mut blank = true;
    loop {
        let body = &mut blocks.last_mut().expect("a block").1;
        let stop = p.parse_block_body(body, at)?;
        blank &= body.blank;
        match stop {
            Stop::Tag {
                name: "elsif",
                markup,
                offset,
            } => {
                let c = match Condition::parse_if(markup) {
                    Ok(c) => c,
                    // Recovering: the branch is read with a nil condition.
                    Err(m) => {
                        p.fail(ParseError::syntax(m, offset))?;
                        Condition::simple(Expr::NIL, None, Expr::NIL)
                    }
                };
                blocks.push((Some(c), Body::new()));
            }
            Stop::Tag { name: "else", .. } => blocks.push((None, Body::new())),
            other => {
                p.expect_end(other, name, at)?;
                break;
            }
        }
    }
    if blank {
        for (_, b) in &mut blocks {
            b.remove_blank_strings();
        }
    }
    Ok(Tag::If(If {
        unless,
        blocks,
        blank,
    }))
}
