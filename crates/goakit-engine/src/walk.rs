//! A walk over the tree in source order, for lint and the language server:
//! every text, output, tag, filter call and variable lookup, with the
//! offsets the parser kept ([`crate::origin`]). Render does not walk; it
//! evaluates.

use crate::ast::{Body, CycleName, Node, Offset, Tag};
use crate::expression::{Expr, Lookup};
use crate::variable::{FilterCall, Variable};

/// What a walk meets. Every method does nothing unless overridden.
pub trait Visit {
    /// Text outside Liquid markup (not `raw`, not comments).
    fn text(&mut self, _text: &str, _at: u32) {}
    /// `{{ ... }}` at `at`, before its lookups and filters.
    fn output(&mut self, _v: &Variable, _at: usize) {}
    /// A tag at `at`, before its expressions.
    fn tag(&mut self, _tag: &Tag, _at: usize) {}
    /// After a tag's own expressions, before its bodies (where a `for`
    /// binds its variable).
    fn enter(&mut self, _tag: &Tag) {}
    /// After a tag's bodies (where an `assign` has bound its name).
    fn leave(&mut self, _tag: &Tag) {}
    fn filter(&mut self, _f: &FilterCall) {}
    /// A variable lookup; the lookups inside its brackets follow.
    fn lookup(&mut self, _l: &Lookup) {}
}

pub fn body(b: &Body, v: &mut impl Visit) {
    for n in &b.nodes {
        match n {
            Node::Text(t, at) => v.text(t, *at),
            Node::Output(var, at) => {
                v.output(var, *at);
                variable(var, v);
            }
            Node::Tag(t, at) => stacker::maybe_grow(64 * 1024, 1024 * 1024, || tag(t, *at, v)),
        }
    }
}

fn variable(var: &Variable, v: &mut impl Visit) {
    expr(&var.name, v);
    for f in &var.filters {
        v.filter(f);
        for a in &f.args {
            expr(a, v);
        }
        for (_, a) in &f.kwargs {
            expr(a, v);
        }
    }
}

pub fn expr(e: &Expr, v: &mut impl Visit) {
    match e {
        Expr::Lookup(l) => {
            v.lookup(l);
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
                expr(&l.name, v);
                for (k, _) in &l.keys {
                    expr(k, v);
                }
            });
        }
        Expr::Range(r) => {
            expr(&r.0, v);
            expr(&r.1, v);
        }
        Expr::Lit(_) | Expr::Empty | Expr::Blank => {}
    }
}

fn tag(t: &Tag, at: usize, v: &mut impl Visit) {
    v.tag(t, at);
    match t {
        Tag::Assign { from, .. } | Tag::Echo(from) => variable(from, v),
        Tag::Case(c) => expr(&c.left, v),
        Tag::Cycle(c) => {
            if let CycleName::Named(e) = &c.name {
                expr(e, v);
            }
            for e in &c.values {
                expr(e, v);
            }
        }
        Tag::For(f) => {
            expr(&f.collection, v);
            if let Some(l) = &f.limit {
                expr(l, v);
            }
            if let Offset::Expr(o) = &f.offset {
                expr(o, v);
            }
        }
        Tag::If(i) => {
            if let Some((Some(c), _)) = i.blocks.first() {
                for e in c.expressions() {
                    expr(e, v);
                }
            }
        }
        Tag::Include(i) => {
            expr(&i.template, v);
            if let Some(e) = &i.variable {
                expr(e, v);
            }
            for (_, e) in &i.attributes {
                expr(e, v);
            }
        }
        Tag::Render(r) => {
            if let Some(e) = &r.variable {
                expr(e, v);
            }
            for (_, e) in &r.attributes {
                expr(e, v);
            }
        }
        Tag::Tablerow(t) => {
            expr(&t.collection, v);
            for (_, e) in &t.attributes {
                expr(e, v);
            }
        }
        _ => {}
    }
    v.enter(t);
    match t {
        Tag::Capture { body: b, .. } | Tag::Ifchanged(b) | Tag::Invalid(_, b) => body(b, v),
        Tag::Case(c) => {
            if let Some(first) = c.bodies.first() {
                body(first, v);
            }
            for (i, b) in c.bodies.iter().enumerate().skip(1) {
                for (e, _) in c.blocks.iter().filter(|(_, at)| *at == i) {
                    if let Some(e) = e {
                        expr(e, v);
                    }
                }
                body(b, v);
            }
        }
        Tag::For(f) => {
            body(&f.body, v);
            if let Some(e) = &f.else_body {
                body(e, v);
            }
        }
        Tag::If(i) => {
            for (n, (c, b)) in i.blocks.iter().enumerate() {
                if n > 0
                    && let Some(c) = c
                {
                    for e in c.expressions() {
                        expr(e, v);
                    }
                }
                body(b, v);
            }
        }
        Tag::Tablerow(t) => body(&t.body, v),
        _ => {}
    }
    v.leave(t);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ParseOptions, parse_recovering};

    #[derive(Default)]
    struct Seen(Vec<String>);

    impl Visit for Seen {
        fn text(&mut self, t: &str, at: u32) {
            self.0.push(format!("text {t:?}@{at}"));
        }
        fn tag(&mut self, t: &Tag, at: usize) {
            self.0.push(format!("tag {}@{at}", t.name()));
        }
        fn filter(&mut self, f: &FilterCall) {
            self.0.push(format!("filter {}@{}", f.name, f.at));
        }
        fn lookup(&mut self, l: &Lookup) {
            self.0.push(format!("lookup {}@{}", l.markup, l.at));
        }
    }

    fn seen(src: &str) -> Vec<String> {
        let t = parse_recovering(src, ParseOptions::GOADDON);
        let mut s = Seen::default();
        body(&t.root, &mut s);
        s.0
    }

    #[test]
    fn offsets_of_every_piece() {
        // Strict parse (rebuilt text) and lax parse (slices) both locate.
        assert_eq!(
            seen("a {{ x.y | f: z }}{{ q |  r }}"),
            [
                "text \"a \"@0",
                "lookup x.y@5",
                "filter f@11",
                "lookup z@14",
                "lookup q@21",
                "filter r@26",
            ]
        );
        assert_eq!(
            seen("{% if a %}{% for i in b[c] %}{% include 'n' %}{% endfor %}{% endif %}"),
            [
                "tag if@0",
                "lookup a@6",
                "tag for@10",
                "lookup b[c]@22",
                "lookup c@24",
                "tag include@29",
            ]
        );
    }

    #[test]
    fn a_recovering_parse_reads_past_errors() {
        let t = parse_recovering(
            "{% if a %}\n{% assign = 3 %}\n{% if %}{{ b | g }}{% endif %}\n{% include 'x' %}",
            ParseOptions::GOADDON,
        );
        let msgs: Vec<String> = t.errors.iter().map(|e| e.ruby_message()).collect();
        assert_eq!(
            msgs,
            [
                "Liquid syntax error: Syntax Error in 'assign' - Valid syntax: assign [var] = [source]",
                "Liquid syntax error: Syntax Error in tag 'if' - Valid syntax: if [expression]",
                "Liquid syntax error: 'if' tag was never closed",
            ]
        );
        // Ruby's own error is the first one.
        let ruby = crate::parse("{% if a %}\n{% assign = 3 %}", ParseOptions::GOADDON).unwrap_err();
        assert_eq!(ruby, t.errors[0]);
        let mut s = Seen::default();
        body(&t.root, &mut s);
        assert!(s.0.contains(&"filter g@43".to_string()), "{:?}", s.0);
        assert!(s.0.contains(&"tag include@59".to_string()), "{:?}", s.0);
    }
}
