//! `{{ ... }}` markup as Ruby's `Liquid::Variable` parses it in lax mode:
//! `strict_parse_with_error_mode_fallback` tries the strict parser
//! (`Lexer` + `Parser`) first and, when it raises, the lax regular
//! expressions (`MarkupWithQuotedFragment`, `FilterParser`,
//! `FilterArgsRegex`), whose leftovers Ruby ignores silently.

use crate::expression::Expr;
use crate::origin;
use crate::syntax::{self, captures, group};
use fancy_regex::Regex;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

/// A parsed output: the expression and its filters.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: Expr,
    pub filters: Vec<FilterCall>,
    /// The parse was lax: Ruby ignored part of the markup.
    pub lax: bool,
}

#[derive(Debug, Clone)]
pub struct FilterCall {
    pub name: Arc<str>,
    pub args: Vec<Expr>,
    /// `k: v` arguments, passed to the filter as a trailing hash.
    pub kwargs: Vec<(Arc<str>, Expr)>,
    /// The offset of the filter's name in the source.
    pub at: u32,
}

impl Variable {
    /// `Variable.new(markup)` in Ruby's default (lax) error mode.
    pub fn parse(markup: &str) -> Variable {
        match strict_parse(markup) {
            Some(v) => v,
            None => lax_parse(markup),
        }
    }
}

/// One filter argument as read: a slice of the source (lax), or text the
/// strict parser rebuilt from its tokens, with where it starts.
struct Arg<'a> {
    text: Cow<'a, str>,
    at: u32,
}

fn filter_call(name: &str, at: u32, args: Vec<Arg>) -> FilterCall {
    let mut positional = Vec::new();
    let mut kwargs: Vec<(Arc<str>, Expr)> = Vec::new();
    for a in args {
        if let Some(c) = captures(&syntax::JUST_TAG_ATTRIBUTES, &a.text) {
            let key: Arc<str> = group(&c, 1).unwrap_or("").into();
            let value = Expr::parse(group(&c, 2).unwrap_or("")).located(a.at);
            // A repeated key keeps its first place, as a Ruby hash does.
            match kwargs.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => kwargs.push((key, value)),
            }
        } else {
            positional.push(Expr::parse(&a.text).located(a.at));
        }
    }
    FilterCall {
        name: name.into(),
        args: positional,
        kwargs,
        at,
    }
}

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new("[a-zA-Z0-9_]+").expect("word"));

/// `Variable#lax_parse`.
pub fn lax_parse(markup: &str) -> Variable {
    let Some(c) = captures(&syntax::MARKUP_WITH_QUOTED_FRAGMENT, markup) else {
        return Variable {
            name: Expr::NIL,
            filters: Vec::new(),
            lax: !syntax::strip(markup).is_empty(),
        };
    };
    let name = Expr::parse(group(&c, 1).unwrap_or(""));
    let rest = group(&c, 2).unwrap_or("");
    let mut filters = Vec::new();
    if let Some(fm) = captures(&syntax::FILTER_MARKUP, rest) {
        for chunk in syntax::scan_all(&syntax::FILTER_PARSER, group(&fm, 1).unwrap_or("")) {
            let Ok(Some(w)) = WORD.find(chunk) else {
                continue;
            };
            let args: Vec<Arg> = syntax::scan_groups(&syntax::FILTER_ARGS, chunk)
                .into_iter()
                .flatten()
                .flatten()
                .map(|a| Arg {
                    text: Cow::Borrowed(a),
                    at: origin::at(a),
                })
                .collect();
            filters.push(filter_call(w.as_str(), origin::at(w.as_str()), args));
        }
    }
    Variable {
        name,
        filters,
        lax: true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Comparison,
    Str,
    Number,
    Id,
    DotDot,
    Pipe,
    Dot,
    Colon,
    Comma,
    OpenSquare,
    CloseSquare,
    OpenRound,
    CloseRound,
    Question,
    Dash,
    End,
}

/// `Liquid::Lexer#tokenize`; `None` where Ruby raises "Unexpected character".
fn lex(input: &str) -> Option<Vec<(Tok, &str)>> {
    let b = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let c = b[i];
        // COMPARISON_OPERATOR = /==|!=|<>|<=?|>=?|contains(?=\s)/
        let cmp_len = if input[i..].starts_with("==")
            || input[i..].starts_with("!=")
            || input[i..].starts_with("<>")
            || input[i..].starts_with("<=")
            || input[i..].starts_with(">=")
        {
            2
        } else if c == b'<' || c == b'>' {
            1
        } else if input[i..].starts_with("contains") && b.get(i + 8).is_some_and(|c| is_space(*c)) {
            8
        } else {
            0
        };
        if cmp_len > 0 {
            i += cmp_len;
            out.push((Tok::Comparison, &input[start..i]));
            continue;
        }
        if (c == b'\'' || c == b'"')
            && let Some(end) = input[i + 1..].find(c as char)
        {
            i += end + 2;
            out.push((Tok::Str, &input[start..i]));
            continue;
        }
        // NUMBER_LITERAL = /-?\d+(\.\d+)?/
        {
            let mut j = i;
            if b[j] == b'-' {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                i = j;
                out.push((Tok::Number, &input[start..i]));
                continue;
            }
        }
        // IDENTIFIER = /[a-zA-Z_][\w-]*\??/
        if c.is_ascii_alphabetic() || c == b'_' {
            i += 1;
            while i < b.len() && (is_word(b[i]) || b[i] == b'-') {
                i += 1;
            }
            if i < b.len() && b[i] == b'?' {
                i += 1;
            }
            out.push((Tok::Id, &input[start..i]));
            continue;
        }
        if input[i..].starts_with("..") {
            i += 2;
            out.push((Tok::DotDot, &input[start..i]));
            continue;
        }
        let t = match c {
            b'|' => Tok::Pipe,
            b'.' => Tok::Dot,
            b':' => Tok::Colon,
            b',' => Tok::Comma,
            b'[' => Tok::OpenSquare,
            b']' => Tok::CloseSquare,
            b'(' => Tok::OpenRound,
            b')' => Tok::CloseRound,
            b'?' => Tok::Question,
            b'-' => Tok::Dash,
            _ => return None,
        };
        i += 1;
        out.push((t, &input[start..i]));
    }
    out.push((Tok::End, ""));
    Some(out)
}

/// `Liquid::Parser`: builds expression markup strings, `None` on Ruby's
/// SyntaxError.
struct Parser<'a> {
    toks: Vec<(Tok, &'a str)>,
    p: usize,
}

impl<'a> Parser<'a> {
    fn look(&self, t: Tok, ahead: usize) -> bool {
        self.toks.get(self.p + ahead).is_some_and(|x| x.0 == t)
    }
    fn consume(&mut self, t: Tok) -> Option<&'a str> {
        let tok = self.toks.get(self.p)?;
        if tok.0 != t {
            return None;
        }
        self.p += 1;
        Some(tok.1)
    }
    fn consume_any(&mut self) -> Option<&'a str> {
        let tok = self.toks.get(self.p)?;
        self.p += 1;
        Some(tok.1)
    }
    fn expression(&mut self, depth: usize) -> Option<String> {
        if depth > 200 {
            return None;
        }
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expression_inner(depth))
    }

    fn expression_inner(&mut self, depth: usize) -> Option<String> {
        let tok = *self.toks.get(self.p)?;
        match tok.0 {
            Tok::Id => {
                let mut s = self.consume_any()?.to_string();
                s.push_str(&self.variable_lookups(depth)?);
                Some(s)
            }
            Tok::OpenSquare => {
                let mut s = self.consume_any()?.to_string();
                s.push_str(&self.expression(depth + 1)?);
                s.push_str(self.consume(Tok::CloseSquare)?);
                s.push_str(&self.variable_lookups(depth)?);
                Some(s)
            }
            Tok::Str | Tok::Number => Some(self.consume_any()?.to_string()),
            Tok::OpenRound => {
                self.consume_any()?;
                let first = self.expression(depth + 1)?;
                self.consume(Tok::DotDot)?;
                let last = self.expression(depth + 1)?;
                self.consume(Tok::CloseRound)?;
                Some(format!("({first}..{last})"))
            }
            _ => None,
        }
    }
    fn variable_lookups(&mut self, depth: usize) -> Option<String> {
        let mut s = String::new();
        loop {
            if self.look(Tok::OpenSquare, 0) {
                s.push_str(self.consume_any()?);
                s.push_str(&self.expression(depth + 1)?);
                s.push_str(self.consume(Tok::CloseSquare)?);
            } else if self.look(Tok::Dot, 0) {
                s.push_str(self.consume_any()?);
                s.push_str(self.consume(Tok::Id)?);
            } else {
                return Some(s);
            }
        }
    }
    /// Where the next token starts in the source.
    fn here(&self) -> u32 {
        self.toks
            .get(self.p)
            .map_or(origin::NONE, |t| origin::at(t.1))
    }
    fn argument(&mut self) -> Option<Arg<'static>> {
        let mut s = String::new();
        if self.look(Tok::Id, 0) && self.look(Tok::Colon, 1) {
            s.push_str(self.consume_any()?);
            s.push_str(self.consume_any()?);
            s.push(' ');
        }
        let at = self.here();
        s.push_str(&self.expression(0)?);
        Some(Arg {
            text: Cow::Owned(s),
            at,
        })
    }
}

/// `Variable#strict_parse`; `None` where Ruby raises (then lax applies).
fn strict_parse(markup: &str) -> Option<Variable> {
    let toks = lex(markup)?;
    let mut p = Parser { toks, p: 0 };
    if p.look(Tok::End, 0) {
        return Some(Variable {
            name: Expr::NIL,
            filters: Vec::new(),
            lax: false,
        });
    }
    let at = p.here();
    let name = Expr::parse(&p.expression(0)?).located(at);
    let mut filters = Vec::new();
    while p.consume(Tok::Pipe).is_some() {
        let fname = p.consume(Tok::Id)?;
        let fat = origin::at(fname);
        let mut args = Vec::new();
        if p.consume(Tok::Colon).is_some() {
            args.push(p.argument()?);
            while p.consume(Tok::Comma).is_some() {
                args.push(p.argument()?);
            }
        }
        filters.push(filter_call(fname, fat, args));
    }
    p.consume(Tok::End)?;
    Some(Variable {
        name,
        filters,
        lax: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &Variable) -> Vec<String> {
        v.filters.iter().map(|f| f.name.to_string()).collect()
    }

    #[test]
    fn strict_first_then_lax() {
        let v = Variable::parse(" a | upcase | append: 'x', 'y' ");
        assert!(!v.lax);
        assert_eq!(names(&v), ["upcase", "append"]);
        assert_eq!(v.filters[1].args.len(), 2);
        let v = Variable::parse(" order.number |  order.id ");
        assert!(v.lax);
        assert_eq!(names(&v), ["order"]);
        let v = Variable::parse(" x | default: 1, allow_false: true ");
        assert_eq!(v.filters[0].kwargs.len(), 1);
    }
}
