//! `liquid-syntax` and `lax-syntax` from the engine's own parser, the one
//! render uses (`goakit-engine`, Ruby Liquid 5.4's lax rules), so lint and
//! render never disagree about what a template means: a syntax error is
//! exactly where Ruby's parser stops (Ruby reports one per template), and
//! markup that Ruby reads only in part is a warning.

use crate::engine::Engine;

/// What the parser says about one template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// The syntax error (byte offset, message), if Ruby refuses the template.
    pub error: Option<(usize, String)>,
    /// Markup Ruby's lax parser reads only in part (byte offset, message).
    pub lax: Vec<(usize, String)>,
}

/// Parses `src` as goakit renders it.
pub fn check(_engine: &Engine, src: &str) -> Findings {
    match goakit_engine::parse(src, goakit_engine::ParseOptions::GOADDON) {
        Ok(t) => Findings {
            error: None,
            lax: t
                .warnings
                .iter()
                .filter(|w| w.kind == goakit_engine::WarningKind::Lax)
                .map(|w| (w.offset, w.message.clone()))
                .collect(),
        },
        Err(e) => Findings {
            error: Some((e.offset, e.ruby_message())),
            lax: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(src: &str) -> Option<(usize, String)> {
        check(&Engine::new(), src).error
    }

    #[test]
    fn clean_and_lax_markup_parse() {
        let src = "{% if a %}{{ a | upcase }}{% elsif b %}x{% else %}y{% endif %}\
                   {% case c %}{% when 1, 2 %}{% else %}{% endcase %}\
                   {{ order.number |  order.id }}{% unless x %}{% elsif y %}{% endunless %}";
        assert_eq!(error(src), None);
        let f = check(&Engine::new(), "{{ order.number |  order.id }}");
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
}
