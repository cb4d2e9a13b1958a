//! Ruby's `Tokenizer`, `BlockBody#parse`, `Block#parse_body` and
//! `Document`: one pass over the source into the tree of [`crate::ast`].
//!
//! Tokens are cut as `TemplateParser` cuts them (`{%.*?%}`, `{{.*?}}?`, a
//! lone `{%` or `{{`), whitespace control trims the previous text of the
//! same body and the next text, `{% liquid %}` reads one tag per line, and
//! blocks nest at most 100 deep (`Nesting too deep`). Stack use is
//! bounded whatever the nesting (`stacker` grows the stack on the heap).

use crate::ast::{Body, Node, Tag};
use crate::origin::{self, Origin};
use crate::syntax::{self, captures, group};
use crate::tags;
use crate::variable::Variable;

/// Ruby's `Block::MAX_DEPTH`.
pub const MAX_DEPTH: usize = 100;

/// A recovering parse stops after this many errors (a source that is
/// mostly broken would otherwise cost an error per token).
pub const MAX_ERRORS: usize = 100;

/// A syntax error Ruby raises while parsing (the whole template fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Ruby's text after the prefix (`Unknown tag 'foo'`).
    pub message: String,
    /// Ruby's class: `SyntaxError` prints `Liquid syntax error: `,
    /// `StackLevelError` (nesting) prints `Liquid error: `.
    pub kind: ParseErrorKind,
    /// Byte offset of the token where it was found.
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    Syntax,
    Nesting,
}

impl ParseError {
    pub fn syntax(message: impl Into<String>, offset: usize) -> ParseError {
        ParseError {
            message: message.into(),
            kind: ParseErrorKind::Syntax,
            offset,
        }
    }
    /// Ruby's `e.message`.
    pub fn ruby_message(&self) -> String {
        match self.kind {
            ParseErrorKind::Syntax => format!("Liquid syntax error: {}", self.message),
            ParseErrorKind::Nesting => format!("Liquid error: {}", self.message),
        }
    }
}

/// A warning found while parsing (markup Ruby reads in part, unknown tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseWarning {
    pub offset: usize,
    pub message: String,
    pub kind: WarningKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    UnknownTag,
    Lax,
}

/// How to parse.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// Tags Ruby does not know are skipped with a warning (goakit's rule,
    /// SPEC 4) instead of failing the template as Ruby does.
    pub lenient_unknown_tags: bool,
    /// Goaddon's `{% yield %}`.
    pub yield_tag: bool,
}

impl ParseOptions {
    /// Plain Ruby Liquid 5.4.
    pub const RUBY: ParseOptions = ParseOptions {
        lenient_unknown_tags: false,
        yield_tag: false,
    };
    /// Goaddon as goakit renders it.
    pub const GOADDON: ParseOptions = ParseOptions {
        lenient_unknown_tags: true,
        yield_tag: true,
    };
}

/// Where a body stopped: at the end of the source, or at a tag the body
/// does not know (an end tag, `else`, ...).
pub enum Stop<'s> {
    Eof,
    Tag {
        name: &'s str,
        markup: &'s str,
        offset: usize,
    },
}

/// One token source: the document's tokens, or a `{% liquid %}` tag's lines.
struct Source<'s> {
    tokens: Vec<&'s str>,
    next: usize,
    liquid: bool,
}

pub struct Parser<'s> {
    pub src: &'s str,
    sources: Vec<Source<'s>>,
    trim_whitespace: bool,
    depth: usize,
    pub opts: ParseOptions,
    pub warnings: Vec<ParseWarning>,
    /// Recovering (lint, the language server): every error Ruby would
    /// raise is noted in `errors` and the parse goes on.
    recover: bool,
    pub errors: Vec<ParseError>,
    /// The blocks being parsed (name, end tag), innermost last.
    open: Vec<(&'s str, &'static str)>,
    _origin: Origin,
}

/// `TemplateParser` split: text, `{%...%}`, `{{...}}` / `{{...}`, lone
/// `{%` / `{{`; empty texts dropped.
pub fn tokenize(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut text_start = 0;
    let mut i = 0;
    // Once a search for `%}` or `}` found none, none is further on either:
    // 1 MB of `{{` stays linear.
    let (mut no_tag_end, mut no_brace) = (false, false);
    while i + 1 < b.len() {
        if b[i] == b'{' && (b[i + 1] == b'%' || b[i + 1] == b'{') {
            if text_start < i {
                out.push(&src[text_start..i]);
            }
            let end = if b[i + 1] == b'%' {
                match (!no_tag_end).then(|| src[i + 2..].find("%}")).flatten() {
                    Some(e) => i + 2 + e + 2,
                    None => {
                        no_tag_end = true;
                        i + 2
                    }
                }
            } else {
                match (!no_brace).then(|| src[i + 2..].find('}')).flatten() {
                    Some(e) => {
                        let close = i + 2 + e + 1;
                        if b.get(close) == Some(&b'}') {
                            close + 1
                        } else {
                            close
                        }
                    }
                    None => {
                        no_brace = true;
                        i + 2
                    }
                }
            };
            out.push(&src[i..end]);
            i = end;
            text_start = end;
        } else {
            i += 1;
        }
    }
    if text_start < src.len() {
        out.push(&src[text_start..]);
    }
    out
}

impl<'s> Parser<'s> {
    pub fn new(src: &'s str, opts: ParseOptions) -> Parser<'s> {
        Parser {
            src,
            sources: vec![Source {
                tokens: tokenize(src),
                next: 0,
                liquid: false,
            }],
            trim_whitespace: false,
            depth: 0,
            opts,
            warnings: Vec::new(),
            recover: false,
            errors: Vec::new(),
            open: Vec::new(),
            _origin: Origin::enter(src),
        }
    }

    /// A parser that notes each error and goes on (see [`Parser::fail`]).
    pub fn recovering(src: &'s str, opts: ParseOptions) -> Parser<'s> {
        let mut p = Parser::new(src, opts);
        p.recover = true;
        p
    }

    /// Ruby raises `e` here: the parse stops, or, recovering, `e` is noted
    /// and the parse goes on past the token.
    pub fn fail(&mut self, e: ParseError) -> Result<(), ParseError> {
        if self.recover && self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }

    /// The byte offset of `part` (a slice of the source) in the source.
    pub fn offset_of(&self, part: &str) -> usize {
        let base = self.src.as_ptr() as usize;
        let p = part.as_ptr() as usize;
        if p >= base && p <= base + self.src.len() {
            p - base
        } else {
            0
        }
    }

    /// The next raw token of the current source (`tokens.shift`).
    pub fn shift(&mut self) -> Option<&'s str> {
        let s = self.sources.last_mut()?;
        let t = s.tokens.get(s.next).copied();
        if t.is_some() {
            s.next += 1;
        }
        t
    }

    fn in_liquid(&self) -> bool {
        self.sources.last().is_some_and(|s| s.liquid)
    }

    /// Starts with Ruby's `trim_whitespace` flag set (a partial is parsed
    /// with its includer's parse context, which keeps the flag its last
    /// `-}}` / `-%}` left).
    pub fn trim_start(&mut self, trim: bool) {
        self.trim_whitespace = trim;
    }

    /// The flag as the parse left it.
    pub fn trim_at_end(&self) -> bool {
        self.trim_whitespace
    }

    /// The whole document.
    pub fn parse_document(&mut self) -> Result<Body, ParseError> {
        let mut body = Body::new();
        loop {
            let stop = match self.parse_body_tokens(&mut body) {
                Ok(stop) => stop,
                // Recovering past `MAX_ERRORS`: the document ends here.
                Err(e) if self.recover => {
                    self.errors.push(e);
                    return Ok(body);
                }
                Err(e) => return Err(e),
            };
            match stop {
                Stop::Eof => return Ok(body),
                Stop::Tag { name, offset, .. } => {
                    let message = match name {
                        "else" | "end" => format!("Unexpected outer '{name}' tag"),
                        _ => format!("Unknown tag '{name}'"),
                    };
                    self.fail(ParseError::syntax(message, offset))?;
                }
            }
        }
    }

    /// `Block#parse_body`: the depth check, then the body up to its stop.
    pub fn parse_block_body(&mut self, body: &mut Body, at: usize) -> Result<Stop<'s>, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError {
                message: "Nesting too deep".into(),
                kind: ParseErrorKind::Nesting,
                offset: at,
            });
        }
        self.depth += 1;
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_body_tokens(body));
        self.depth -= 1;
        match r? {
            // Recovering, a block the source leaves open ends there.
            Stop::Eof if self.recover => match self.open.last().copied() {
                Some((name, end)) => {
                    self.fail(ParseError::syntax(
                        format!("'{name}' tag was never closed"),
                        at,
                    ))?;
                    Ok(Stop::Tag {
                        name: end,
                        markup: "",
                        offset: at,
                    })
                }
                None => Ok(Stop::Eof),
            },
            stop => Ok(stop),
        }
    }

    /// `Block#parse` at a stop the block's own rules do not handle (for
    /// blocks without inner tags, or after them): its end tag ends it,
    /// anything else is Ruby's error (recovering, the block ends there).
    pub fn expect_end(
        &mut self,
        stop: Stop<'_>,
        block_name: &str,
        at: usize,
    ) -> Result<(), ParseError> {
        match expect_end(stop, block_name, at) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// `BlockBody#parse`, in document or liquid-tag mode.
    fn parse_body_tokens(&mut self, body: &mut Body) -> Result<Stop<'s>, ParseError> {
        if self.in_liquid() {
            return self.parse_liquid_lines(body);
        }
        while let Some(token) = self.shift() {
            if token.is_empty() {
                continue;
            }
            let offset = self.offset_of(token);
            if token.starts_with("{%") {
                self.whitespace_handler(token, body);
                let Some(c) = captures(&syntax::FULL_TOKEN, token) else {
                    self.fail(ParseError::syntax(
                        format!("Tag '{token}' was not properly terminated with regexp: /\\%\\}}/"),
                        offset,
                    ))?;
                    continue;
                };
                let name = group(&c, 2).unwrap_or("");
                let markup = group(&c, 4).unwrap_or("");
                if name == "liquid" {
                    self.parse_liquid_tag(markup, body)?;
                    continue;
                }
                if let Some(stop) = self.tag_into(body, name, markup, offset)? {
                    return Ok(stop);
                }
            } else if token.starts_with("{{") {
                self.whitespace_handler(token, body);
                let Some(c) = captures(&syntax::CONTENT_OF_VARIABLE, token) else {
                    self.fail(ParseError::syntax(
                        format!(
                            "Variable '{token}' was not properly terminated with regexp: /\\}}\\}}/"
                        ),
                        offset,
                    ))?;
                    continue;
                };
                let markup = group(&c, 1).unwrap_or("");
                let var = Variable::parse(markup);
                if var.lax {
                    self.warn_lax(markup, offset);
                }
                body.nodes.push(Node::Output(Box::new(var), offset));
                body.blank = false;
            } else {
                let text = if self.trim_whitespace {
                    syntax::lstrip(token)
                } else {
                    token
                };
                self.trim_whitespace = false;
                body.blank &= syntax::WHITESPACE_OR_NOTHING
                    .is_match(text)
                    .unwrap_or(false);
                let at = origin::of(self.offset_of(text));
                body.nodes.push(Node::Text(text.into(), at));
            }
        }
        Ok(Stop::Eof)
    }

    pub fn warn_lax(&mut self, markup: &str, offset: usize) {
        self.warnings.push(ParseWarning {
            offset,
            message: format!(
                "Ruby's lax parser reads only part of `{}`",
                syntax::strip(markup)
            ),
            kind: WarningKind::Lax,
        });
    }

    /// `BlockBody#whitespace_handler`.
    fn whitespace_handler(&mut self, token: &str, body: &mut Body) {
        if token.as_bytes().get(2) == Some(&b'-')
            && let Some(Node::Text(prev, _)) = body.nodes.last_mut()
        {
            let t = syntax::rstrip(prev);
            if t.len() != prev.len() {
                *prev = t.into();
            }
        }
        let b = token.as_bytes();
        self.trim_whitespace = b.len() >= 3 && b[b.len() - 3] == b'-';
    }

    /// Adds tag `name` to `body`, or gives the stop when the body ends here
    /// (Ruby's `yield tag_name, markup`).
    fn tag_into(
        &mut self,
        body: &mut Body,
        name: &'s str,
        markup: &'s str,
        offset: usize,
    ) -> Result<Option<Stop<'s>>, ParseError> {
        let def = tags::lookup(name).filter(|t| t.end.is_some());
        if let Some(t) = def {
            self.open.push((name, t.end.unwrap_or_default()));
        }
        let made = self.new_tag(name, markup, offset);
        if def.is_some() {
            self.open.pop();
        }
        let node = match made {
            Ok(Some(node)) => node,
            Ok(None) => {
                return Ok(Some(Stop::Tag {
                    name,
                    markup,
                    offset,
                }));
            }
            Err(e) if self.recover && self.errors.len() < MAX_ERRORS => {
                // Ruby refused the tag's own markup before its body: read
                // the body anyway, so what it holds is still seen.
                let own_markup = e.kind == ParseErrorKind::Syntax && e.offset == offset;
                self.errors.push(e);
                let mut inner = Body::new();
                if let Some(t) = def.filter(|t| own_markup && t.name != "raw") {
                    self.open.push((name, t.end.unwrap_or_default()));
                    let salvaged = self.salvage(&mut inner, t.end.unwrap_or_default(), offset);
                    self.open.pop();
                    salvaged?;
                }
                Node::Tag(Box::new(Tag::Invalid(name.into(), inner)), offset)
            }
            Err(e) => return Err(e),
        };
        body.blank &= node.blank();
        body.nodes.push(node);
        Ok(None)
    }

    /// Recovering: a refused block's body, up to its end tag.
    fn salvage(&mut self, body: &mut Body, end: &str, at: usize) -> Result<(), ParseError> {
        loop {
            match self.parse_block_body(body, at) {
                Ok(Stop::Tag { name, .. }) if name != end => {}
                Ok(_) => return Ok(()),
                Err(e) => return self.fail(e),
            }
        }
    }

    /// A registered tag's node, or `None` when the body must stop here.
    fn new_tag(
        &mut self,
        name: &'s str,
        markup: &'s str,
        offset: usize,
    ) -> Result<Option<Node>, ParseError> {
        if let Some(tag) = tags::parse(self, name, markup, offset)? {
            return Ok(Some(Node::Tag(Box::new(tag), offset)));
        }
        if self.opts.lenient_unknown_tags && !tags::is_delimiter(name) {
            self.warnings.push(ParseWarning {
                offset,
                message: format!("unknown tag '{name}'"),
                kind: WarningKind::UnknownTag,
            });
            return Ok(Some(Node::Tag(Box::new(Tag::Unknown(name.into())), offset)));
        }
        Ok(None)
    }

    /// `BlockBody#parse_liquid_tag`: the lines of `{% liquid %}` into `body`.
    fn parse_liquid_tag(&mut self, markup: &'s str, body: &mut Body) -> Result<(), ParseError> {
        let mut lines: Vec<&'s str> = markup.split('\n').collect();
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        self.sources.push(Source {
            tokens: lines,
            next: 0,
            liquid: true,
        });
        let r = loop {
            match self.parse_liquid_lines(body) {
                Ok(Stop::Eof) => break Ok(()),
                Ok(Stop::Tag { name, offset, .. }) => {
                    let e = ParseError::syntax(unknown_tag_message(name, "liquid", "%}"), offset);
                    if let Err(e) = self.fail(e) {
                        break Err(e);
                    }
                }
                Err(e) => break Err(e),
            }
        };
        self.sources.pop();
        r
    }

    /// `BlockBody#parse_for_liquid_tag`.
    fn parse_liquid_lines(&mut self, body: &mut Body) -> Result<Stop<'s>, ParseError> {
        while let Some(line) = self.shift() {
            if line.is_empty()
                || syntax::WHITESPACE_OR_NOTHING
                    .is_match(line)
                    .unwrap_or(false)
            {
                continue;
            }
            let offset = self.offset_of(line);
            let Some(c) = captures(&syntax::LIQUID_TAG_TOKEN, line) else {
                return Ok(Stop::Tag {
                    name: line,
                    markup: line,
                    offset,
                });
            };
            let name = group(&c, 1).unwrap_or("");
            let markup = group(&c, 2).unwrap_or("");
            if let Some(stop) = self.tag_into(body, name, markup, offset)? {
                return Ok(stop);
            }
        }
        Ok(Stop::Eof)
    }
}

/// `Block.raise_unknown_tag`'s text.
pub fn unknown_tag_message(tag: &str, block_name: &str, delimiter: &str) -> String {
    if tag == "else" {
        format!("{block_name} tag does not expect 'else' tag")
    } else if tag.starts_with("end") {
        format!("'{tag}' is not a valid delimiter for {block_name} tags. use {delimiter}")
    } else {
        format!("Unknown tag '{tag}'")
    }
}

/// What a block does at a stop its own rules do not handle (`Block#parse`
/// for blocks without inner tags): `Ok(false)` at its end tag, else Ruby's
/// error.
pub fn expect_end(stop: Stop<'_>, block_name: &str, at: usize) -> Result<(), ParseError> {
    match stop {
        Stop::Tag { name, .. } if name == format!("end{block_name}") => Ok(()),
        Stop::Tag { name, offset, .. } => Err(ParseError::syntax(
            unknown_tag_message(name, block_name, &format!("end{block_name}")),
            offset,
        )),
        Stop::Eof => Err(ParseError::syntax(
            format!("'{block_name}' tag was never closed"),
            at,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_as_template_parser_cuts_them() {
        assert_eq!(
            tokenize("a{{ b }}c{% d %}{{ e }f{%g"),
            vec!["a", "{{ b }}", "c", "{% d %}", "{{ e }", "f", "{%", "g"]
        );
        assert_eq!(tokenize("{{"), vec!["{{"]);
    }
}
