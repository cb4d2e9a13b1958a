//! The one tree a template parses into; render, lint and the language
//! server all read it. Each node keeps the byte offset of its token.

use crate::condition::Condition;
use crate::expression::Expr;
use crate::variable::Variable;
use std::sync::Arc;

/// A block body (`BlockBody`): its nodes and whether it is blank (only
/// whitespace and blank tags), which decides Ruby's whitespace dropping.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub nodes: Vec<Node>,
    pub blank: bool,
}

impl Body {
    pub fn new() -> Body {
        Body {
            nodes: Vec::new(),
            blank: true,
        }
    }

    /// `BlockBody#remove_blank_strings`.
    pub fn remove_blank_strings(&mut self) {
        self.nodes.retain(|n| !matches!(n, Node::Text(..)));
    }
}

#[derive(Debug, Clone)]
pub enum Node {
    /// Text, with its offset in the source (after whitespace control).
    Text(Box<str>, u32),
    /// `{{ ... }}` at `offset`.
    Output(Box<Variable>, usize),
    Tag(Box<Tag>, usize),
}

impl Node {
    /// `node.blank?` for a tag node (Ruby: `Tag#blank?` is false unless the
    /// tag says otherwise).
    pub fn blank(&self) -> bool {
        match self {
            Node::Text(t, _) => crate::syntax::strip(t).is_empty(),
            Node::Output(..) => false,
            Node::Tag(t, _) => t.blank(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Tag {
    Assign {
        to: Arc<str>,
        from: Variable,
    },
    Capture {
        to: Arc<str>,
        body: Body,
    },
    Case(Case),
    Comment,
    Cycle(Cycle),
    Increment(Arc<str>),
    Decrement(Arc<str>),
    Echo(Variable),
    For(For),
    If(If),
    Ifchanged(Body),
    Include(Include),
    InlineComment,
    Raw(Box<str>),
    Render(Render),
    Tablerow(Tablerow),
    Break,
    Continue,
    /// Goaddon's `{% yield %}` in root.
    Yield,
    /// A tag goakit does not know (kept so lint and render can warn).
    Unknown(Arc<str>),
    /// A tag Ruby refuses, kept in a recovering parse (lint, the language
    /// server) so the rest of the template is still read (a block's body
    /// too); never rendered.
    Invalid(Arc<str>, Body),
}

impl Tag {
    /// The tag's name as written (`unless` for an `If` that negates).
    pub fn name(&self) -> &str {
        match self {
            Tag::Assign { .. } => "assign",
            Tag::Capture { .. } => "capture",
            Tag::Case(_) => "case",
            Tag::Comment => "comment",
            Tag::Cycle(_) => "cycle",
            Tag::Increment(_) => "increment",
            Tag::Decrement(_) => "decrement",
            Tag::Echo(_) => "echo",
            Tag::For(_) => "for",
            Tag::If(i) if i.unless => "unless",
            Tag::If(_) => "if",
            Tag::Ifchanged(_) => "ifchanged",
            Tag::Include(_) => "include",
            Tag::InlineComment => "#",
            Tag::Raw(_) => "raw",
            Tag::Render(_) => "render",
            Tag::Tablerow(_) => "tablerow",
            Tag::Break => "break",
            Tag::Continue => "continue",
            Tag::Yield => "yield",
            Tag::Unknown(n) | Tag::Invalid(n, _) => n,
        }
    }

    pub fn blank(&self) -> bool {
        match self {
            Tag::Assign { .. } | Tag::Capture { .. } | Tag::Comment | Tag::InlineComment => true,
            Tag::Raw(body) => body.is_empty(),
            Tag::Case(c) => c.blank,
            Tag::For(f) => f.blank,
            Tag::If(i) => i.blank,
            Tag::Ifchanged(b) => b.blank,
            Tag::Tablerow(t) => t.body.blank,
            Tag::Unknown(_) | Tag::Invalid(..) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Case {
    pub left: Expr,
    /// Each `when` value (a `when a, b` gives two) or `else`, with the
    /// index of its body in `bodies`.
    pub blocks: Vec<(Option<Expr>, usize)>,
    pub bodies: Vec<Body>,
    pub blank: bool,
}

#[derive(Debug, Clone)]
pub enum CycleName {
    /// `{% cycle name: ... %}`: evaluated at render.
    Named(Expr),
    /// Ruby's `@variables.to_s` of literal values.
    Fixed(Arc<str>),
    /// Values with lookups: Ruby's key holds object addresses, unique per tag.
    Unique(usize),
}

#[derive(Debug, Clone)]
pub struct Cycle {
    pub name: CycleName,
    pub values: Vec<Expr>,
}

#[derive(Debug, Clone)]
pub enum Offset {
    None,
    Continue,
    Expr(Expr),
}

#[derive(Debug, Clone)]
pub struct For {
    pub var: Arc<str>,
    pub collection: Expr,
    /// `"#{var}-#{collection markup}"`: the key of `offset: continue`.
    pub name: Arc<str>,
    pub reversed: bool,
    pub limit: Option<Expr>,
    pub offset: Offset,
    pub body: Body,
    pub else_body: Option<Body>,
    pub blank: bool,
}

#[derive(Debug, Clone)]
pub struct If {
    /// `unless`: the first condition is negated.
    pub unless: bool,
    /// Each condition (`None`: else) and its body.
    pub blocks: Vec<(Option<Condition>, Body)>,
    pub blank: bool,
}

#[derive(Debug, Clone)]
pub struct Include {
    pub template: Expr,
    /// The offset of the template's name (or expression) in the source.
    pub at: u32,
    pub variable: Option<Expr>,
    pub alias: Option<Arc<str>>,
    pub attributes: Vec<(Arc<str>, Expr)>,
}

#[derive(Debug, Clone)]
pub struct Render {
    pub template: Arc<str>,
    /// The offset of the quoted name in the source.
    pub at: u32,
    pub variable: Option<Expr>,
    pub for_loop: bool,
    pub alias: Option<Arc<str>>,
    pub attributes: Vec<(Arc<str>, Expr)>,
}

#[derive(Debug, Clone)]
pub struct Tablerow {
    pub var: Arc<str>,
    pub collection: Expr,
    pub attributes: Vec<(Arc<str>, Expr)>,
    pub body: Body,
}

/// Ruby's hash assignment order for `k: v` attributes: a repeated key
/// keeps its first place and takes the last value.
pub fn push_attribute(attrs: &mut Vec<(Arc<str>, Expr)>, key: &str, value: Expr) {
    match attrs.iter_mut().find(|(k, _)| &**k == key) {
        Some(slot) => slot.1 = value,
        None => attrs.push((key.into(), value)),
    }
}

/// Every `k: v` of `markup` (`TagAttributes` scanned), in Ruby's hash order.
pub fn attributes(markup: &str) -> Vec<(Arc<str>, Expr)> {
    let mut attrs = Vec::new();
    for a in crate::syntax::scan_groups(&crate::syntax::TAG_ATTRIBUTES, markup) {
        push_attribute(
            &mut attrs,
            a[0].unwrap_or(""),
            Expr::parse(a[1].unwrap_or("")),
        );
    }
    attrs
}

pub fn attribute<'a>(attrs: &'a [(Arc<str>, Expr)], key: &str) -> Option<&'a Expr> {
    attrs.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
}
