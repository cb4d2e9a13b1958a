//! A position-keeping scanner of Liquid source, shared by the renderer (its
//! source rewrite and error positions) and lint. It tokenizes like Ruby
//! Liquid 5 (a tag ends at the first `%}`, an output at the first `}}`),
//! knows `raw`, `comment`, `{% # %}` and `{% liquid %}`, checks block
//! nesting, and never stops at the first problem.

use crate::diagnostic::{LineIndex, line_col};
use std::ops::Range;

// Every list of known names comes from the engine's catalogues
// (`goakit_engine::filters::CATALOGUE`, `goakit_engine::tags::CATALOGUE`).

/// A filter of the catalogue (Ruby Liquid 5.4's standard filters).
pub fn is_known_filter(name: &str) -> bool {
    goakit_engine::filters::lookup(name).is_some()
}

/// A tag of the catalogue (Ruby's standard tags, `liquid`, Goaddon's `yield`).
pub fn is_known_tag(name: &str) -> bool {
    goakit_engine::tags::lookup(name).is_some()
}

/// A tag that divides or ends a known block (`else`, `when`, `endfor`, ...).
pub fn is_inner_tag(name: &str) -> bool {
    goakit_engine::tags::is_delimiter(name)
}

/// Blocks whose bodies are Liquid (not `raw`, `comment`), with the tags
/// allowed directly inside them.
fn blocks() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    goakit_engine::tags::CATALOGUE
        .iter()
        .filter(|t| t.end.is_some() && t.name != "raw" && t.name != "comment")
        .map(|t| (t.name, t.inner))
}

pub fn is_block(name: &str) -> bool {
    goakit_engine::tags::lookup(name).is_some_and(|t| t.end.is_some())
}

/// A byte offset in the source with its 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub fn at(src: &str, offset: usize) -> Pos {
        let (line, column) = line_col(src, offset);
        Pos {
            offset,
            line,
            column,
        }
    }

    pub fn indexed(src: &str, index: &LineIndex, offset: usize) -> Pos {
        let (line, column) = index.line_col(src, offset);
        Pos {
            offset,
            line,
            column,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Plain text (also the body of `raw`, with `raw` set).
    Text { raw: bool },
    /// `{{ ... }}`.
    Output,
    /// `{% name markup %}` (also one line of `{% liquid %}`).
    Tag { name: String },
    /// A whole `{% comment %}...{% endcomment %}` or `{% # ... %}`.
    Comment,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// The whole token in the source (delimiters included).
    pub span: Range<usize>,
    /// For outputs: the expression; for tags: the markup after the name.
    pub markup: Range<usize>,
    pub pos: Pos,
    /// `{%-` / `{{-`: strip whitespace before.
    pub trim_left: bool,
    /// `-%}` / `-}}`: strip whitespace after.
    pub trim_right: bool,
    /// This tag was a line inside `{% liquid %}`.
    pub in_liquid: bool,
}

impl Token {
    pub fn tag_name(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Tag { name } => Some(name),
            _ => None,
        }
    }
}

/// A syntax problem, at the exact spot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pos: Pos,
    pub message: String,
}

/// A variable path read in markup, e.g. `l.headers.created_at` or
/// `order["id"]` (dynamic indexes end the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableRef {
    pub path: Vec<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterRef {
    pub name: String,
    pub pos: Pos,
}

/// `{% include %}` or `{% render %}` target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeRef {
    /// "include" or "render".
    pub tag: String,
    /// The snippet name when it is a string literal; None when dynamic.
    pub name: Option<String>,
    /// Where the name (or the dynamic expression) starts.
    pub pos: Pos,
}

#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub tokens: Vec<Token>,
    pub problems: Vec<Problem>,
    /// Line starts of the scanned text, for positions.
    pub index: LineIndex,
}

/// Whitespace as Ruby's `\s` knows it.
pub fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Scans `src` into tokens and problems.
pub fn scan(src: &str) -> Scan {
    let mut s = Scanner {
        src,
        tokens: Vec::new(),
        problems: Vec::new(),
        index: LineIndex::new(src),
    };
    s.run();
    let mut scan = Scan {
        tokens: s.tokens,
        problems: s.problems,
        index: s.index,
    };
    check_nesting(src, &mut scan);
    scan
}

struct Scanner<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    problems: Vec<Problem>,
    index: LineIndex,
}

/// The raw pieces of a `{% %}` or `{{ }}` before interpretation.
struct Delimited {
    span: Range<usize>,
    inner: Range<usize>,
    trim_left: bool,
    trim_right: bool,
}

impl<'a> Scanner<'a> {
    fn pos(&self, offset: usize) -> Pos {
        Pos::indexed(self.src, &self.index, offset)
    }

    fn problem(&mut self, offset: usize, message: impl Into<String>) {
        let pos = self.pos(offset);
        self.problems.push(Problem {
            pos,
            message: message.into(),
        });
    }

    /// Finds the next `{{` or `{%` at or after `from`.
    fn next_open(&self, from: usize) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        while i + 1 < bytes.len() {
            if bytes[i] == b'{' && (bytes[i + 1] == b'{' || bytes[i + 1] == b'%') {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// Reads the delimited token opening at `start`; None if unterminated.
    fn delimited(&self, start: usize) -> Option<Delimited> {
        let is_tag = self.src.as_bytes()[start + 1] == b'%';
        let close = if is_tag { "%}" } else { "}}" };
        let end = start + 2 + self.src[start + 2..].find(close)?;
        let mut inner = start + 2..end;
        let mut trim_left = false;
        let mut trim_right = false;
        if self.src[inner.clone()].starts_with('-') {
            trim_left = true;
            inner.start += 1;
        }
        if inner.end > inner.start && self.src[inner.clone()].ends_with('-') {
            trim_right = true;
            inner.end -= 1;
        }
        Some(Delimited {
            span: start..end + 2,
            inner,
            trim_left,
            trim_right,
        })
    }

    fn push_text(&mut self, range: Range<usize>, raw: bool) {
        if range.is_empty() {
            return;
        }
        let pos = self.pos(range.start);
        self.tokens.push(Token {
            kind: TokenKind::Text { raw },
            span: range.clone(),
            markup: range,
            pos,
            trim_left: false,
            trim_right: false,
            in_liquid: false,
        });
    }

    fn run(&mut self) {
        let mut at = 0;
        while at < self.src.len() {
            let Some(open) = self.next_open(at) else {
                self.push_text(at..self.src.len(), false);
                break;
            };
            self.push_text(at..open, false);
            let Some(d) = self.delimited(open) else {
                let what = if self.src.as_bytes()[open + 1] == b'%' {
                    "tag '{%' was never closed with '%}'"
                } else {
                    "output '{{' was never closed with '}}'"
                };
                self.problem(open, what);
                // Keep the rest as text so nothing is lost.
                self.push_text(open..self.src.len(), true);
                break;
            };
            at = d.span.end;
            if self.src.as_bytes()[open + 1] == b'{' {
                let pos = self.pos(open);
                self.tokens.push(Token {
                    kind: TokenKind::Output,
                    span: d.span.clone(),
                    markup: trim_range(self.src, d.inner.clone()),
                    pos,
                    trim_left: d.trim_left,
                    trim_right: d.trim_right,
                    in_liquid: false,
                });
                continue;
            }
            at = self.tag(d);
        }
    }

    /// Handles one `{% %}`; returns where scanning continues.
    fn tag(&mut self, d: Delimited) -> usize {
        let inner = trim_range(self.src, d.inner.clone());
        let text = &self.src[inner.clone()];
        let pos = self.pos(d.span.start);
        if text.starts_with('#') {
            self.tokens.push(Token {
                kind: TokenKind::Comment,
                span: d.span.clone(),
                markup: inner.start + 1..inner.end,
                pos,
                trim_left: d.trim_left,
                trim_right: d.trim_right,
                in_liquid: false,
            });
            return d.span.end;
        }
        let name_len = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let name = &text[..name_len];
        if name.is_empty() {
            self.problem(
                inner.start,
                format!("expected a tag name in '{}'", &self.src[d.span.clone()]),
            );
            self.tokens.push(Token {
                kind: TokenKind::Tag {
                    name: String::new(),
                },
                span: d.span.clone(),
                markup: inner,
                pos,
                trim_left: d.trim_left,
                trim_right: d.trim_right,
                in_liquid: false,
            });
            return d.span.end;
        }
        let markup = trim_range(self.src, inner.start + name_len..inner.end);
        match name {
            "raw" => return self.raw_block(d, markup),
            "comment" => return self.comment_block(d),
            "liquid" => {
                let first = self.tokens.len();
                self.liquid_lines(markup);
                // The tag's `{%-`/`-%}` trim the text around the whole tag.
                if self.tokens.len() == first {
                    self.tokens.push(Token {
                        kind: TokenKind::Comment,
                        span: d.span.clone(),
                        markup: inner,
                        pos,
                        trim_left: d.trim_left,
                        trim_right: d.trim_right,
                        in_liquid: false,
                    });
                } else {
                    self.tokens[first].trim_left = d.trim_left;
                    if let Some(last) = self.tokens.last_mut() {
                        last.trim_right = d.trim_right;
                    }
                }
                return d.span.end;
            }
            _ => {}
        }
        self.tokens.push(Token {
            kind: TokenKind::Tag {
                name: name.to_string(),
            },
            span: d.span.clone(),
            markup,
            pos,
            trim_left: d.trim_left,
            trim_right: d.trim_right,
            in_liquid: false,
        });
        d.span.end
    }

    /// `{% raw %}...{% endraw %}`: the body is text, never parsed.
    fn raw_block(&mut self, d: Delimited, _markup: Range<usize>) -> usize {
        let body_start = d.span.end;
        let mut at = body_start;
        while let Some(open) = self.next_open(at) {
            if let Some(e) = self.delimited(open)
                && self.src.as_bytes()[open + 1] == b'%'
            {
                if self.src[e.inner.clone()].trim() == "endraw" {
                    let pos = self.pos(d.span.start);
                    self.tokens.push(Token {
                        kind: TokenKind::Tag { name: "raw".into() },
                        span: d.span.clone(),
                        markup: d.span.end..d.span.end,
                        pos,
                        trim_left: d.trim_left,
                        trim_right: d.trim_right,
                        in_liquid: false,
                    });
                    self.push_text(body_start..open, true);
                    let pos = self.pos(open);
                    self.tokens.push(Token {
                        kind: TokenKind::Tag {
                            name: "endraw".into(),
                        },
                        span: e.span.clone(),
                        markup: e.span.end..e.span.end,
                        pos,
                        trim_left: e.trim_left,
                        trim_right: e.trim_right,
                        in_liquid: false,
                    });
                    return e.span.end;
                }
                at = e.span.end;
            } else {
                at = open + 2;
            }
        }
        self.problem(d.span.start, "'raw' was never closed with '{% endraw %}'");
        self.push_text(body_start..self.src.len(), true);
        self.src.len()
    }

    /// `{% comment %}...{% endcomment %}` (nesting counted): one token.
    fn comment_block(&mut self, d: Delimited) -> usize {
        let mut depth = 1;
        let mut at = d.span.end;
        while let Some(open) = self.next_open(at) {
            let Some(e) = self.delimited(open) else {
                break;
            };
            at = e.span.end;
            if self.src.as_bytes()[open + 1] != b'%' {
                continue;
            }
            let word = self.src[e.inner.clone()].trim();
            let word = word
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next();
            match word {
                Some("comment") => depth += 1,
                Some("endcomment") => {
                    depth -= 1;
                    if depth == 0 {
                        let pos = self.pos(d.span.start);
                        self.tokens.push(Token {
                            kind: TokenKind::Comment,
                            span: d.span.start..e.span.end,
                            markup: d.span.end..open,
                            pos,
                            trim_left: d.trim_left,
                            trim_right: e.trim_right,
                            in_liquid: false,
                        });
                        return e.span.end;
                    }
                }
                _ => {}
            }
        }
        self.problem(
            d.span.start,
            "'comment' was never closed with '{% endcomment %}'",
        );
        self.src.len()
    }

    /// Each non-empty line of `{% liquid %}` is a tag.
    fn liquid_lines(&mut self, markup: Range<usize>) {
        let mut line_start = markup.start;
        let body = &self.src[markup.clone()];
        let mut in_comment = 0usize;
        for line in body.split('\n') {
            let range = trim_range(self.src, line_start..line_start + line.len());
            line_start += line.len() + 1;
            if range.is_empty() {
                continue;
            }
            let text = &self.src[range.clone()];
            let name_len = text
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len());
            let name = &text[..name_len];
            let pos = self.pos(range.start);
            if text.starts_with('#') {
                continue;
            }
            // `comment` inside liquid swallows lines up to `endcomment`.
            if name == "comment" {
                in_comment += 1;
                continue;
            }
            if in_comment > 0 {
                if name == "endcomment" {
                    in_comment -= 1;
                }
                continue;
            }
            if name.is_empty() {
                self.problems.push(Problem {
                    pos,
                    message: format!("expected a tag name in liquid line '{text}'"),
                });
                continue;
            }
            if name == "liquid" || name == "raw" {
                self.problems.push(Problem {
                    pos,
                    message: format!("'{name}' cannot be used inside {{% liquid %}}"),
                });
                continue;
            }
            let markup = trim_range(self.src, range.start + name_len..range.end);
            self.tokens.push(Token {
                kind: TokenKind::Tag {
                    name: name.to_string(),
                },
                span: range,
                markup,
                pos,
                trim_left: false,
                trim_right: false,
                in_liquid: true,
            });
        }
    }
}

/// Shrinks `r` to exclude Ruby whitespace at both ends.
pub fn trim_range(src: &str, r: Range<usize>) -> Range<usize> {
    let s = &src[r.clone()];
    let start = r.start + (s.len() - s.trim_start_matches(is_ruby_space).len());
    let end = r.end - (s.len() - s.trim_end_matches(is_ruby_space).len());
    if start > end {
        start..start
    } else {
        start..end
    }
}

/// Checks that blocks open and close in order and that `else`/`when`/...
/// sit in a block that allows them. Unknown tags are left to callers.
fn check_nesting(src: &str, scan: &mut Scan) {
    let mut stack: Vec<(&str, Pos)> = Vec::new();
    for t in &scan.tokens {
        let Some(name) = t.tag_name() else { continue };
        if name == "raw" || name == "endraw" {
            continue;
        }
        if let Some((block, _)) = blocks().find(|(b, _)| *b == name) {
            stack.push((block, t.pos));
            continue;
        }
        if let Some(block) = name.strip_prefix("end")
            && blocks().any(|(b, _)| b == block)
        {
            {
                match stack.last() {
                    Some((open, _)) if *open == block => {
                        stack.pop();
                    }
                    Some((open, open_pos)) => {
                        let (open, open_pos) = (*open, *open_pos);
                        scan.problems.push(Problem {
                            pos: t.pos,
                            message: format!(
                                "'{name}' closes '{open}' opened at line {}, expected 'end{open}'",
                                open_pos.line
                            ),
                        });
                        // Recover: pop through a matching opener if there is one.
                        if let Some(i) = stack.iter().rposition(|(b, _)| *b == block) {
                            stack.truncate(i);
                        }
                    }
                    None => scan.problems.push(Problem {
                        pos: t.pos,
                        message: format!("'{name}' without an opening '{block}'"),
                    }),
                }
                continue;
            }
        }
        let inner_of: Vec<&str> = blocks()
            .filter(|(_, inner)| inner.contains(&name))
            .map(|(b, _)| b)
            .collect();
        if !inner_of.is_empty() {
            let ok = stack.last().is_some_and(|(b, _)| inner_of.contains(b));
            if !ok {
                scan.problems.push(Problem {
                    pos: t.pos,
                    message: format!(
                        "'{name}' outside of {}",
                        inner_of
                            .iter()
                            .map(|b| format!("'{b}'"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                });
            }
        }
    }
    for (block, pos) in stack {
        scan.problems.push(Problem {
            pos,
            message: format!("'{block}' was never closed with 'end{block}'"),
        });
    }
    let _ = src;
}

/// A lexical piece of tag or output markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lex {
    Ident(String),
    Str(String),
    Number(String),
    Punct(char),
    /// `==`, `!=`, `<>`, `<=`, `>=`, `..`
    Op(&'static str),
}

/// Splits markup into lexical pieces with their byte offsets in `src`
/// (the markup is `src[range]`). Unknown characters are skipped, as
/// Ruby's lax mode does.
pub fn lex(src: &str, range: Range<usize>) -> Vec<(Lex, usize)> {
    let s = &src[range.clone()];
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let at = range.start + i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            let end = s[i + 1..].find(c as char).map_or(b.len(), |e| i + 1 + e);
            out.push((Lex::Str(s[i + 1..end.min(b.len())].to_string()), at));
            i = (end + 1).min(b.len());
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let mut j = i + 1;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || (b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit)))
            {
                j += 1;
            }
            out.push((Lex::Number(s[i..j].to_string()), at));
            i = j;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                j += 1;
            }
            // A trailing '?' belongs to the name in Ruby (`empty?`).
            if j < b.len() && b[j] == b'?' {
                j += 1;
            }
            out.push((Lex::Ident(s[i..j].to_string()), at));
            i = j;
        } else {
            let two = s.get(i..i + 2).unwrap_or("");
            let op = ["==", "!=", "<>", "<=", ">=", ".."]
                .into_iter()
                .find(|o| *o == two);
            if let Some(op) = op {
                out.push((Lex::Op(op), at));
                i += 2;
            } else {
                let ch = s[i..].chars().next().unwrap_or(' ');
                out.push((Lex::Punct(ch), at));
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// Words that look like variables in markup but are keywords or literals.
const NOT_VARIABLES: &[&str] = &[
    "and", "or", "contains", "in", "with", "for", "as", "reversed", "limit", "offset", "cols",
    "true", "false", "nil", "null", "empty", "blank",
];

/// Variables and filters used in one markup range.
pub fn references(src: &str, range: Range<usize>) -> (Vec<VariableRef>, Vec<FilterRef>) {
    references_indexed(src, &LineIndex::new(src), range)
}

/// [`references`] with a prepared line index.
pub fn references_indexed(
    src: &str,
    index: &LineIndex,
    range: Range<usize>,
) -> (Vec<VariableRef>, Vec<FilterRef>) {
    let lexed = lex(src, range);
    let mut vars = Vec::new();
    let mut filters = Vec::new();
    let mut i = 0;
    while i < lexed.len() {
        match &lexed[i].0 {
            Lex::Punct('|') => {
                if let Some((Lex::Ident(name), at)) = lexed.get(i + 1) {
                    filters.push(FilterRef {
                        name: name.clone(),
                        pos: Pos::indexed(src, index, *at),
                    });
                    i += 2;
                    continue;
                }
            }
            Lex::Ident(name) => {
                // `key:` is a keyword argument name, not a variable.
                let is_key = matches!(lexed.get(i + 1), Some((Lex::Punct(':'), _)));
                if !is_key && !NOT_VARIABLES.contains(&name.as_str()) {
                    let mut path = vec![name.clone()];
                    let mut j = i + 1;
                    loop {
                        match (lexed.get(j), lexed.get(j + 1), lexed.get(j + 2)) {
                            (Some((Lex::Punct('.'), _)), Some((Lex::Ident(k), _)), _) => {
                                path.push(k.clone());
                                j += 2;
                            }
                            (
                                Some((Lex::Punct('['), _)),
                                Some((Lex::Str(k), _)),
                                Some((Lex::Punct(']'), _)),
                            ) => {
                                path.push(k.clone());
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    vars.push(VariableRef {
                        path,
                        pos: Pos::indexed(src, index, lexed[i].1),
                    });
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (vars, filters)
}

impl Scan {
    /// Every filter used in outputs and tag markup, with its position.
    pub fn filters<'s>(&'s self, src: &'s str) -> impl Iterator<Item = FilterRef> + 's {
        self.code_tokens()
            .flat_map(move |t| references_indexed(src, &self.index, t.markup.clone()).1)
    }

    /// Every variable path read in outputs and tag markup (loop variables
    /// and assigned names included; `l.x` is what lint checks).
    pub fn variables<'s>(&'s self, src: &'s str) -> impl Iterator<Item = VariableRef> + 's {
        self.code_tokens().flat_map(move |t| {
            let (vars, _) = references_indexed(src, &self.index, t.markup.clone());
            // The name an assign/capture/for defines is not a read.
            let skip_first = matches!(
                t.tag_name(),
                Some("assign" | "capture" | "for" | "tablerow" | "increment" | "decrement")
            );
            vars.into_iter().skip(usize::from(skip_first))
        })
    }

    /// Tags (not outputs), in source order.
    pub fn tags(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter().filter(|t| t.tag_name().is_some())
    }

    /// `include` and `render` targets.
    pub fn includes<'s>(&'s self, src: &'s str) -> impl Iterator<Item = IncludeRef> + 's {
        self.tags().filter_map(move |t| {
            let tag = t.tag_name()?;
            if tag != "include" && tag != "render" {
                return None;
            }
            let lexed = lex(src, t.markup.clone());
            let (first, at) = lexed.first()?;
            let name = match first {
                Lex::Str(s) => Some(s.clone()),
                _ => None,
            };
            Some(IncludeRef {
                tag: tag.to_string(),
                name,
                pos: Pos::indexed(src, &self.index, *at),
            })
        })
    }

    fn code_tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Output | TokenKind::Tag { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_positions() {
        let src = "a\n  {{- x | upcase -}} {% if y %}b{% endif %}{% raw %}{{ z }}{% endraw %}";
        let s = scan(src);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let out = &s.tokens[1];
        assert_eq!(out.kind, TokenKind::Output);
        assert_eq!((out.pos.line, out.pos.column), (2, 3));
        assert!(out.trim_left && out.trim_right);
        assert_eq!(&src[out.markup.clone()], "x | upcase");
        let raw_text = s
            .tokens
            .iter()
            .find(|t| t.kind == TokenKind::Text { raw: true })
            .unwrap();
        assert_eq!(&src[raw_text.span.clone()], "{{ z }}");
    }

    #[test]
    fn liquid_lines_and_comments() {
        let src = "{% liquid\n  assign a = 1\n  # note\n  echo a | plus: 1\n%}{% # x %}{% comment %}{% if %}{% endcomment %}";
        let s = scan(src);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let names: Vec<_> = s.tags().filter_map(|t| t.tag_name()).collect();
        assert_eq!(names, ["assign", "echo"]);
        let echo = s.tags().nth(1).unwrap();
        assert_eq!((echo.pos.line, echo.pos.column), (4, 3));
        let filters: Vec<_> = s
            .filters(src)
            .map(|f| (f.name, f.pos.line, f.pos.column))
            .collect();
        assert_eq!(filters, [("plus".to_string(), 4, 12)]);
    }

    #[test]
    fn nesting_problems_all_reported() {
        let src =
            "{% if a %}\n{% for x in y %}\n{% endif %}\n{% else %}\n{% endfor %}\n{{ unclosed";
        let s = scan(src);
        let msgs: Vec<_> = s
            .problems
            .iter()
            .map(|p| (p.pos.line, p.message.clone()))
            .collect();
        assert!(
            msgs.iter().any(|(l, m)| *l == 3 && m.contains("endif")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|(l, m)| *l == 6 && m.contains("never closed")),
            "{msgs:?}"
        );
    }

    #[test]
    fn variables_and_includes() {
        let src = "{{ l.headers.created_at }}{% for o in api.orders %}{{ o['id'] }}{% endfor %}{% include 'order/lines', n: x %}{% include name %}";
        let s = scan(src);
        let vars: Vec<_> = s.variables(src).map(|v| v.path.join(".")).collect();
        assert_eq!(
            vars,
            ["l.headers.created_at", "api.orders", "o.id", "x", "name"]
        );
        let inc: Vec<_> = s.includes(src).map(|i| i.name).collect();
        assert_eq!(inc, [Some("order/lines".to_string()), None]);
    }
}
