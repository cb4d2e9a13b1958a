//! Expressions as Ruby's `Liquid::Expression.parse` reads them: quoted
//! strings, integers (any size), ranges, floats, the literal words, and
//! otherwise a `VariableLookup` split by `VariableParser`.

use crate::convert::parse_float_prefix;
use crate::origin;
use crate::syntax::{self, captures, group};
use crate::value::Value;
use num_bigint::BigInt;
use std::sync::Arc;

/// A parsed expression.
#[derive(Debug, Clone)]
pub enum Expr {
    /// A literal: string, number, nil, true/false, `''` for blank/empty,
    /// or a range whose bounds were both literals.
    Lit(Value),
    Lookup(Box<Lookup>),
    /// `(a..b)` with a bound that must be evaluated.
    Range(Box<(Expr, Expr)>),
    /// `empty` / `blank` in a condition (`Condition::MethodLiteral`).
    Empty,
    Blank,
}

/// `Liquid::VariableLookup`: a name and the lookups after it.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// A plain name (`Lit(Str)`) or a bracketed expression (`[x]`).
    pub name: Expr,
    /// Each key, with whether it may run as `size`/`first`/`last`.
    pub keys: Vec<(Expr, bool)>,
    /// The markup, for messages and lint.
    pub markup: Arc<str>,
    /// Its offset in the source ([`origin::NONE`] when unknown).
    pub at: u32,
}

impl Expr {
    /// Whether the parsed object is truthy in Ruby's `if @expr`: every
    /// expression but the literals `nil`/`null` and `false` (`include` and
    /// `render` test their `with`/`for` expression so, before evaluating it).
    pub fn is_truthy_object(&self) -> bool {
        !matches!(self, Expr::Lit(Value::Nil | Value::Bool(false)))
    }

    pub const NIL: Expr = Expr::Lit(Value::Nil);

    /// `Expression.parse(markup)`.
    pub fn parse(markup: &str) -> Expr {
        // Bracketed lookups nest (`a[b[c]]`): grow the stack, never overflow.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || Expr::parse_inner(markup))
    }

    fn parse_inner(markup: &str) -> Expr {
        let m = syntax::strip(markup);
        if m.len() >= 2
            && ((m.starts_with('"') && m.ends_with('"'))
                || (m.starts_with('\'') && m.ends_with('\'')))
        {
            return Expr::Lit(Value::str(&m[1..m.len() - 1]));
        }
        if m.len() == 1 && (m == "\"" || m == "'") {
            return Expr::Lit(Value::str(""));
        }
        if let Some(c) = captures(&syntax::INTEGERS, m) {
            let digits = group(&c, 1).unwrap_or("0");
            return Expr::Lit(match digits.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::from_bigint(digits.parse::<BigInt>().unwrap_or_default()),
            });
        }
        if let Some(c) = captures(&syntax::RANGES, m) {
            return range_lookup(group(&c, 1).unwrap_or(""), group(&c, 2).unwrap_or(""));
        }
        if let Some(c) = captures(&syntax::FLOATS, m) {
            return Expr::Lit(Value::Float(parse_float_prefix(group(&c, 1).unwrap_or(""))));
        }
        match m {
            "nil" | "null" | "" => Expr::NIL,
            "true" => Expr::Lit(Value::Bool(true)),
            "false" => Expr::Lit(Value::Bool(false)),
            "blank" | "empty" => Expr::Lit(Value::str("")),
            _ => Expr::Lookup(Box::new(Lookup::parse(m))),
        }
    }

    /// `Condition.parse_expression`: `empty` and `blank` are method literals.
    pub fn parse_condition(markup: &str) -> Expr {
        match markup {
            "empty" => Expr::Empty,
            "blank" => Expr::Blank,
            _ => Expr::parse(markup),
        }
    }

    /// An optional markup piece (`Expression.parse(nil)` is nil).
    pub fn parse_opt(markup: Option<&str>) -> Expr {
        markup.map(Expr::parse).unwrap_or(Expr::NIL)
    }

    /// Gives a lookup without a known offset (parsed from text the strict
    /// parser rebuilt) the offset of the markup it was read from.
    pub fn located(mut self, at: u32) -> Expr {
        if let Expr::Lookup(l) = &mut self
            && l.at == origin::NONE
        {
            l.at = at;
        }
        self
    }

    pub fn is_lookup(&self) -> bool {
        matches!(self, Expr::Lookup(_) | Expr::Range(_))
    }

    /// Ruby's `inspect` of the parsed object, as `Cycle` uses it for its
    /// default group name: `None` when it holds a lookup (Ruby's text then
    /// holds an object address, so no two tags share it).
    pub fn literal_inspect(&self) -> Option<String> {
        match self {
            Expr::Lit(v) => Some(v.inspect()),
            _ => None,
        }
    }
}

/// `RangeLookup.parse`: literal bounds become a range value at parse time
/// (each bound `to_i`), otherwise a range evaluated at render time.
fn range_lookup(start: &str, end: &str) -> Expr {
    let a = Expr::parse(start);
    let b = Expr::parse(end);
    if a.is_lookup() || b.is_lookup() {
        return Expr::Range(Box::new((a, b)));
    }
    let to_i = |e: &Expr| match e {
        Expr::Lit(v) => crate::convert::ruby_to_i(v).unwrap_or(Value::Int(0)),
        _ => Value::Int(0),
    };
    Expr::Lit(Value::range(to_i(&a), to_i(&b)))
}

impl Lookup {
    /// `VariableLookup.new(markup)`.
    pub fn parse(markup: &str) -> Lookup {
        let parts = syntax::scan_variable_parts(markup);
        let mut parts = parts.into_iter();
        let name = match parts.next() {
            Some(n) if n.starts_with('[') && n.ends_with(']') => Expr::parse(&n[1..n.len() - 1]),
            Some(n) => Expr::Lit(Value::str(n)),
            None => Expr::NIL,
        };
        let keys = parts
            .map(|p| {
                if p.starts_with('[') && p.ends_with(']') {
                    (Expr::parse(&p[1..p.len() - 1]), false)
                } else {
                    let command = matches!(p, "size" | "first" | "last");
                    (Expr::Lit(Value::str(p)), command)
                }
            })
            .collect();
        Lookup {
            name,
            keys,
            markup: markup.into(),
            at: origin::at(markup),
        }
    }

    /// The plain dotted path (`a.b.c`), if every part is a plain name.
    pub fn plain_path(&self) -> Option<Vec<&str>> {
        let mut out = Vec::new();
        match &self.name {
            Expr::Lit(Value::Str(s)) => out.push(&**s),
            _ => return None,
        }
        for (k, _) in &self.keys {
            match k {
                Expr::Lit(Value::Str(s)) => out.push(&**s),
                _ => return None,
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(m: &str) -> String {
        match Expr::parse(m) {
            Expr::Lit(v) => v.inspect(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn literals_as_ruby_reads_them() {
        assert_eq!(lit(" 'a' "), "\"a\"");
        assert_eq!(lit("-12"), "-12");
        assert_eq!(lit("123456789012345678901234"), "123456789012345678901234");
        assert_eq!(lit("1.5"), "1.5");
        assert_eq!(lit("1.2.3"), "1.2");
        assert_eq!(lit("(1..3)"), "1..3");
        assert_eq!(lit("nil"), "nil");
        assert_eq!(lit("empty"), "\"\"");
        assert!(matches!(Expr::parse("(1..n)"), Expr::Range(_)));
    }

    #[test]
    fn lookups_split_like_variable_parser() {
        let l = Lookup::parse("a.b[0]['c d'].size");
        assert_eq!(l.keys.len(), 4);
        assert!(l.keys[3].1);
        let l = Lookup::parse("1.5.size");
        assert!(matches!(&l.name, Expr::Lit(Value::Str(s)) if &**s == "1"));
    }
}
