//! The one parse lint reads a template with: the engine's own parser, the
//! one render uses (`goakit-engine`, Ruby Liquid 5.4's lax rules), in its
//! recovering mode, so lint and render never disagree about what a
//! template means and one broken tag does not hide the rest.
//!
//! From that tree come `liquid-syntax` (exactly where Ruby's parser stops:
//! Ruby reports one error per template), `lax-syntax` (markup Ruby reads
//! only in part) and every reference the other rules check: tags, filters,
//! snippets, `l.*` keys and the text outside Liquid markup.

use crate::context;
use goakit_engine::ast::Tag;
use goakit_engine::expression::{Expr, Lookup};
use goakit_engine::origin;
use goakit_engine::variable::FilterCall;
use goakit_engine::walk::{self, Visit};
use goakit_engine::{ParseOptions, Value, WarningKind};

/// What lint learned about one template from its one parse. Offsets are
/// bytes into the template's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    /// The syntax error Ruby raises first, if it refuses the template.
    pub error: Option<(usize, String)>,
    /// Markup Ruby's lax parser reads only in part.
    pub lax: Vec<(usize, String)>,
    /// Tags goakit does not know (rendered as nothing).
    pub unknown_tags: Vec<(usize, String)>,
    /// `{% yield %}`s.
    pub yields: Vec<usize>,
    /// Every filter called.
    pub filters: Vec<(usize, String)>,
    pub includes: Vec<Include>,
    /// `l.a.b` paths read where `l` is the template's locale.
    pub locale_paths: Vec<(usize, Vec<String>)>,
    /// `l` is also read whole or by a computed key (`{{ l }}`, `l[x]`,
    /// `include ... with l`): lint cannot tell which keys are used.
    pub locale_opaque: bool,
    /// `<%` in text outside Liquid markup.
    pub erb: Vec<usize>,
}

/// An `include` or `render`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// "include" or "render".
    pub tag: &'static str,
    /// The snippet when named by a string literal; `None` when computed.
    pub name: Option<String>,
    /// Where the name (or the expression) starts.
    pub at: usize,
}

/// Parses `src` as goakit renders it and reads what it refers to.
pub fn read(src: &str) -> Read {
    let tree = goakit_engine::parse_recovering(src, ParseOptions::GOADDON);
    let mut r = Reader {
        read: Read {
            error: tree.errors.first().map(|e| (e.offset, e.ruby_message())),
            lax: tree
                .warnings
                .iter()
                .filter(|w| w.kind == WarningKind::Lax)
                .map(|w| (w.offset, w.message.clone()))
                .collect(),
            ..Read::default()
        },
        l_loops: 0,
        l_assigned: false,
        here: 0,
    };
    walk::body(&tree.root, &mut r);
    r.read
}

struct Reader {
    read: Read,
    /// Open `for`/`tablerow` bodies that bind `l`.
    l_loops: usize,
    /// An `assign l` or `capture l` came before: `l` is no longer the
    /// locale (assign writes the outermost scope, to the template's end).
    l_assigned: bool,
    /// The offset of the output or tag being read: where a piece without
    /// its own offset (inside brackets the strict parser rebuilt) is shown.
    here: usize,
}

fn offset(at: u32, fallback: usize) -> usize {
    if at == origin::NONE {
        fallback
    } else {
        at as usize
    }
}

fn binds_l(t: &Tag) -> bool {
    match t {
        Tag::For(f) => &*f.var == context::L,
        Tag::Tablerow(t) => &*t.var == context::L,
        _ => false,
    }
}

impl Visit for Reader {
    fn text(&mut self, text: &str, at: u32) {
        let base = offset(at, 0);
        self.read
            .erb
            .extend(text.match_indices("<%").map(|(i, _)| base + i));
    }

    fn output(&mut self, _v: &goakit_engine::variable::Variable, at: usize) {
        self.here = at;
    }

    fn tag(&mut self, t: &Tag, at: usize) {
        self.here = at;
        match t {
            Tag::Unknown(name) => self.read.unknown_tags.push((at, name.to_string())),
            Tag::Yield => self.read.yields.push(at),
            Tag::Include(i) => self.read.includes.push(Include {
                tag: "include",
                name: match &i.template {
                    Expr::Lit(Value::Str(s)) => Some(s.to_string()),
                    _ => None,
                },
                at: offset(i.at, at),
            }),
            Tag::Render(r) => self.read.includes.push(Include {
                tag: "render",
                name: Some(r.template.to_string()),
                at: offset(r.at, at),
            }),
            _ => {}
        }
    }

    fn enter(&mut self, t: &Tag) {
        if binds_l(t) {
            self.l_loops += 1;
        }
    }

    fn leave(&mut self, t: &Tag) {
        if binds_l(t) {
            self.l_loops -= 1;
        }
        if let Tag::Assign { to, .. } | Tag::Capture { to, .. } = t
            && &**to == context::L
        {
            self.l_assigned = true;
        }
    }

    fn filter(&mut self, f: &FilterCall) {
        let at = offset(f.at, self.here);
        self.read.filters.push((at, f.name.to_string()));
    }

    fn lookup(&mut self, l: &Lookup) {
        if !matches!(&l.name, Expr::Lit(Value::Str(s)) if &**s == context::L)
            || self.l_loops > 0
            || self.l_assigned
        {
            return;
        }
        // The path runs through plain keys (`.a`, `['a']`) to the first
        // computed one.
        let path: Vec<String> = l
            .keys
            .iter()
            .map_while(|(k, _)| match k {
                Expr::Lit(Value::Str(s)) => Some(s.to_string()),
                _ => None,
            })
            .collect();
        if path.is_empty() {
            self.read.locale_opaque = true;
        } else {
            self.read.locale_paths.push((offset(l.at, self.here), path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(src: &str) -> Option<(usize, String)> {
        read(src).error
    }

    #[test]
    fn clean_and_lax_markup_parse() {
        let src = "{% if a %}{{ a | upcase }}{% elsif b %}x{% else %}y{% endif %}\
                   {% case c %}{% when 1, 2 %}{% else %}{% endcase %}\
                   {{ order.number |  order.id }}{% unless x %}{% elsif y %}{% endunless %}";
        assert_eq!(error(src), None);
        let f = read("{{ order.number |  order.id }}");
        assert_eq!(f.lax.len(), 1);
    }

    #[test]
    fn errors_are_ruby_s_at_the_failing_tag() {
        let (at, msg) = error("ab\n{% if %}{% endif %}").unwrap();
        assert_eq!(at, 3);
        assert_eq!(
            msg,
            "Liquid syntax error: Syntax Error in tag 'if' - Valid syntax: if [expression]"
        );
        let (at, msg) = error("x {% for a in b %}").unwrap();
        assert_eq!(
            (at, msg.as_str()),
            (2, "Liquid syntax error: 'for' tag was never closed")
        );
        let deep = "{% if true %}".repeat(101);
        let (_, msg) = error(&deep).unwrap();
        assert_eq!(msg, "Liquid error: Nesting too deep");
    }

    #[test]
    fn references_with_their_offsets() {
        let src = "{{ l.headers.created_at }}{% for o in api.orders %}{{ o['id'] | money }}{% endfor %}\
                   {% include 'order/lines', n: x %}{% include name %}{% render 'a' %}<%= x %>{% raw %}<%{% endraw %}";
        let r = read(src);
        assert_eq!(
            r.locale_paths,
            [(3, vec!["headers".to_string(), "created_at".to_string()])]
        );
        assert!(!r.locale_opaque);
        assert_eq!(r.filters, [(64, "money".to_string())]);
        let inc: Vec<_> = r
            .includes
            .iter()
            .map(|i| (i.tag, i.name.as_deref(), i.at))
            .collect();
        assert_eq!(
            inc,
            [
                ("include", Some("order/lines"), 95),
                ("include", None, 128),
                ("render", Some("a"), 145)
            ]
        );
        assert_eq!(r.erb, [151]);
    }

    #[test]
    fn l_rebound_by_loops_and_assigns_is_not_the_locale() {
        let r = read(
            "{% for l in l.items %}{{ l.name }}{% endfor %}{{ l.a }}{% assign l = l.b %}{{ l.c }}{{ l }}",
        );
        let paths: Vec<String> = r.locale_paths.iter().map(|(_, p)| p.join(".")).collect();
        assert_eq!(paths, ["items", "a", "b"]);
        assert!(!r.locale_opaque);
        assert!(read("{{ l[k] }}").locale_opaque);
        // Inside brackets the strict parser rebuilt: shown at the output.
        let r = read("x {{ a[l.k] }}");
        assert_eq!(r.locale_paths, [(2, vec!["k".to_string()])]);
    }
}
