//! `Liquid::Condition` and `If#lax_parse`: the markup is cut by
//! `ExpressionsAndOperators`, read from the right, and chained so that
//! `a and b or c` evaluates as `a and (b or c)`: right to left, as Ruby does.

use crate::expression::Expr;
use crate::syntax::{self, captures, group};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    And,
    Or,
}

#[derive(Debug, Clone)]
pub struct Condition {
    pub left: Expr,
    /// The operator as written (`==`, `contains`, or anything
    /// `[=!<>a-z_]+` matched, which fails at render if unknown).
    pub op: Option<Arc<str>>,
    pub right: Expr,
    pub child: Option<(Relation, Box<Condition>)>,
}

/// A long `and`/`or` chain is dropped link by link, not recursively.
impl Drop for Condition {
    fn drop(&mut self) {
        let mut next = self.child.take();
        while let Some((_, mut c)) = next {
            next = c.child.take();
        }
    }
}

pub const IF_SYNTAX_ERROR: &str = "Syntax Error in tag 'if' - Valid syntax: if [expression]";

impl Condition {
    pub fn simple(left: Expr, op: Option<&str>, right: Expr) -> Condition {
        Condition {
            left,
            op: op.map(Into::into),
            right,
            child: None,
        }
    }

    /// `If#lax_parse`; `Err` is Ruby's syntax error text.
    pub fn parse_if(markup: &str) -> Result<Condition, String> {
        let mut exprs = syntax::scan_all(&syntax::EXPRESSIONS_AND_OPERATORS, markup);
        let last = exprs.pop().unwrap_or("");
        let mut condition = one(last).ok_or_else(|| IF_SYNTAX_ERROR.to_string())?;
        while let Some(op) = exprs.pop() {
            let operator = syntax::strip(op);
            let left = one(exprs.pop().unwrap_or("")).ok_or_else(|| IF_SYNTAX_ERROR.to_string())?;
            let relation = match operator {
                "and" => Relation::And,
                "or" => Relation::Or,
                _ => return Err(IF_SYNTAX_ERROR.to_string()),
            };
            let mut new = left;
            new.child = Some((relation, Box::new(condition)));
            condition = new;
        }
        Ok(condition)
    }

    /// Every expression in the chain, for lint.
    pub fn expressions(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut c = Some(self);
        while let Some(cond) = c {
            out.push(&cond.left);
            out.push(&cond.right);
            c = cond.child.as_ref().map(|(_, b)| &**b);
        }
        out
    }
}

/// One comparison: `If::Syntax` matched anywhere in the piece.
fn one(piece: &str) -> Option<Condition> {
    let c = captures(&syntax::IF, piece)?;
    Some(Condition::simple(
        Expr::parse_condition(group(&c, 1).unwrap_or("")),
        group(&c, 2),
        group(&c, 3).map(Expr::parse_condition).unwrap_or(Expr::NIL),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_right_to_left() {
        let c = Condition::parse_if("a and b or c").unwrap();
        let (r, child) = c.child.as_ref().unwrap();
        assert_eq!(*r, Relation::And);
        assert_eq!(child.child.as_ref().unwrap().0, Relation::Or);
        assert!(Condition::parse_if("").is_err());
        let c = Condition::parse_if("x == 'a b'").unwrap();
        assert_eq!(c.op.as_deref(), Some("=="));
    }
}
