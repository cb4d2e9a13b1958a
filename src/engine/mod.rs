//! goakit's side of the Liquid engine: the `goakit-engine` crate (Ruby
//! Liquid 5.4's rules, one parse into one tree, a render with a budget; see
//! docs/engine.md) with what goakit adds around it: file names and
//! line/column positions with the source line, the include chain, snippets
//! from the project with their own `l`, and warnings as diagnostics.
//!
//! ```no_run
//! # use goakit::engine::*;
//! let engine = Engine::new();
//! let t = engine.compile("templates/pages/x.html", "{{ l.hi }} {{ 0 | times: 1.5 }}").unwrap();
//! ```

use crate::diagnostic::{Diagnostic, source_line};
pub use goakit_engine::{Budget, Hash, Value, Yield};
use goakit_engine::{ParseOptions, PartialError, WarningKind};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A Liquid syntax or render error at an exact spot of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub source_line: String,
    /// Where the failing template was included from, outermost first
    /// (`templates/pages/a.html:3:5`).
    pub chain: Vec<String>,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TemplateError {}

struct Compiled {
    file: Arc<str>,
    source: Arc<str>,
    tree: Arc<goakit_engine::Template>,
    warnings: Vec<Diagnostic>,
}

/// A compiled template; cheap to clone and shareable across threads.
#[derive(Clone)]
pub struct Template(Arc<Compiled>);

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Template({})", self.0.file)
    }
}

impl Template {
    pub fn file(&self) -> &str {
        &self.0.file
    }

    /// Unknown tags found when compiling.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.0.warnings
    }

    /// The parsed tree.
    pub fn tree(&self) -> &goakit_engine::Template {
        &self.0.tree
    }
}

/// A snippet as `include`/`render` gets it: its template and its own `l`.
pub struct Snippet {
    pub template: Template,
    pub locale: Value,
}

/// Finds snippets by name (`order/lines`): `None` when there is none,
/// `Some(Err)` when its template does not parse.
pub trait SnippetResolver: Sync {
    fn snippet(&self, name: &str) -> Option<Result<Snippet, TemplateError>>;
}

pub struct RenderInput<'a> {
    /// project, locale, page, params, api.
    pub globals: &'a Hash,
    /// This template's own `l`.
    pub locale: Value,
    pub snippets: &'a dyn SnippetResolver,
    /// What `{% yield %}` outputs (root only).
    pub yield_to: Yield<'a>,
    pub budget: Budget,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    /// The page as Ruby Liquid renders it, runtime errors inline.
    pub html: String,
    /// Unknown filters and tags in every template that took part.
    pub warnings: Vec<Diagnostic>,
    /// Every runtime error, also printed inline in `html` as Ruby does.
    pub errors: Vec<TemplateError>,
}

/// The Liquid language goakit renders: compile once, render many.
#[derive(Default)]
pub struct Engine;

impl Engine {
    pub fn new() -> Self {
        Engine
    }

    /// The template's syntax error, if Ruby's parser refuses it.
    pub fn check(&self, file: &str, source: &str) -> Result<(), TemplateError> {
        self.compile(file, source).map(drop)
    }

    /// Compiles `source`; `file` is the path errors and warnings name.
    pub fn compile(&self, file: &str, source: &str) -> Result<Template, TemplateError> {
        let tree = goakit_engine::parse(source, ParseOptions::GOADDON).map_err(|e| {
            let (line, column) = goakit_engine::line_col(source, e.offset);
            TemplateError {
                file: file.to_string(),
                line,
                column,
                message: e.ruby_message(),
                source_line: source_line(source, line).to_string(),
                chain: Vec::new(),
            }
        })?;
        let warnings = tree
            .warnings
            .iter()
            .filter(|w| w.kind == WarningKind::UnknownTag)
            .map(|w| {
                let name = w.message.trim_start_matches("unknown tag ");
                Diagnostic::warning(
                    "unknown-tag",
                    file,
                    goakit_engine::line_col(source, w.offset),
                    format!("unknown tag {name}: Goaddon's Liquid 5 does not know it; goakit renders nothing for it"),
                )
            })
            .collect();
        Ok(Template(Arc::new(Compiled {
            file: file.into(),
            source: source.into(),
            tree: Arc::new(tree),
            warnings,
        })))
    }
}

/// The project's snippets as the engine loads them, remembering which
/// templates took part (for positions and warnings).
struct Loader<'a> {
    resolver: &'a dyn SnippetResolver,
    seen: Mutex<HashMap<Arc<str>, Template>>,
}

impl goakit_engine::Partials for Loader<'_> {
    fn load(&self, name: &str, trim_start: bool) -> Result<goakit_engine::Partial, PartialError> {
        match self.resolver.snippet(name) {
            None => Err(PartialError::Missing(format!("No such template '{name}'"))),
            Some(Err(e)) => Err(PartialError::Other(e.message)),
            Some(Ok(s)) => {
                let mut t = s.template.clone();
                // Compiled with Ruby's whitespace flag off; the includer
                // left it on, so parse it as Ruby would here.
                if trim_start
                    && let Ok(tree) =
                        goakit_engine::parse_partial(&t.0.source, ParseOptions::GOADDON, true)
                {
                    t = Template(Arc::new(Compiled {
                        file: t.0.file.clone(),
                        source: t.0.source.clone(),
                        tree: Arc::new(tree),
                        warnings: t.0.warnings.clone(),
                    }));
                }
                self.seen
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(t.0.file.clone(), t.clone());
                Ok(goakit_engine::Partial {
                    template: t.0.tree.clone(),
                    file: t.0.file.clone(),
                    locale: Some(s.locale),
                })
            }
        }
    }
}

/// Renders a template with its own `l` and the caller's globals. Runtime
/// errors are inline (and listed); only a spent budget is an `Err`.
pub fn render(t: &Template, input: &RenderInput) -> Result<Rendered, TemplateError> {
    let mut out = String::new();
    let mut r = render_into(t, input, &mut out)?;
    r.html = out;
    Ok(r)
}

/// [`render`] at the end of `out` (the returned `html` is empty).
pub fn render_into(
    t: &Template,
    input: &RenderInput,
    out: &mut String,
) -> Result<Rendered, TemplateError> {
    let loader = Loader {
        resolver: input.snippets,
        seen: Mutex::new(HashMap::new()),
    };
    let opts = goakit_engine::RenderOptions {
        globals: input.globals,
        partials: &loader,
        budget: input.budget,
        yield_to: input.yield_to,
        locale: Some(input.locale.clone()),
        locale_variable: crate::context::L,
        file: t.0.file.clone(),
    };
    let result = goakit_engine::render_into(t.tree(), &opts, out);
    let mut seen = loader.seen.into_inner().unwrap_or_else(|e| e.into_inner());
    seen.insert(t.0.file.clone(), t.clone());
    let locate = |file: &Arc<str>, offset: usize, message: String, chain: &[(Arc<str>, usize)]| {
        let src = seen
            .get(file)
            .map(|t| t.0.source.clone())
            .unwrap_or_default();
        let (line, column) = goakit_engine::line_col(&src, offset);
        TemplateError {
            file: file.to_string(),
            line,
            column,
            message,
            source_line: source_line(&src, line).to_string(),
            chain: chain
                .iter()
                .map(|(f, o)| {
                    let s = seen.get(f).map(|t| t.0.source.clone()).unwrap_or_default();
                    let (l, c) = goakit_engine::line_col(&s, *o);
                    format!("{f}:{l}:{c}")
                })
                .collect(),
        }
    };
    match result {
        Ok(r) => {
            let mut warnings: Vec<Diagnostic> = Vec::new();
            let mut files: Vec<&Template> = seen.values().collect();
            files.sort_by(|a, b| a.0.file.cmp(&b.0.file));
            for f in files {
                warnings.extend(f.0.warnings.iter().cloned());
            }
            for (name, file, offset) in &r.unknown_filters {
                let src = seen
                    .get(file)
                    .map(|t| t.0.source.clone())
                    .unwrap_or_default();
                warnings.push(Diagnostic::warning(
                    "unknown-filter",
                    file.to_string(),
                    filter_position(&src, *offset, name),
                    format!("unknown filter '{name}': Liquid passes its input through unchanged"),
                ));
            }
            let errors = r
                .errors
                .iter()
                .map(|e| locate(&e.file, e.offset, e.message.clone(), &e.chain))
                .collect();
            Ok(Rendered {
                html: r.html,
                warnings,
                errors,
            })
        }
        Err(e) => Err(locate(&e.file, e.offset, e.message, &e.chain)),
    }
}

/// The position of filter `name` in the tag or output at `offset` (the
/// tag itself when the name is not found there).
fn filter_position(src: &str, offset: usize, name: &str) -> (usize, usize) {
    let rest = &src[offset.min(src.len())..];
    let end = rest
        .find("}}")
        .or_else(|| rest.find("%}"))
        .unwrap_or(rest.len());
    let at = rest[..end]
        .match_indices(name)
        .find(|(i, _)| {
            let before = rest[..*i].trim_end();
            before.ends_with('|')
        })
        .map_or(0, |(i, _)| i);
    goakit_engine::line_col(src, offset + at)
}

/// HTML-escapes like Ruby's `CGI.escapeHTML` (the `escape` filter's code).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    goakit_engine::filters::escape::escape_html(s, &mut out);
    out
}

/// A JSON object as the engine's ordered hash.
pub fn hash_of(map: &serde_json::Map<String, serde_json::Value>) -> Hash {
    map.iter()
        .map(|(k, v)| (Arc::<str>::from(k.as_str()), Value::from(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use goakit_engine::render::MAX_INCLUDE_DEPTH;

    /// Snippets by name, each with its own `l`.
    struct Snips(HashMap<String, Snippet>);

    impl SnippetResolver for Snips {
        fn snippet(&self, name: &str) -> Option<Result<Snippet, TemplateError>> {
            self.0.get(name).map(|s| {
                Ok(Snippet {
                    template: s.template.clone(),
                    locale: s.locale.clone(),
                })
            })
        }
    }

    fn locale(pairs: &[(&str, &str)]) -> Value {
        Value::from(
            pairs
                .iter()
                .map(|(k, v)| (Arc::<str>::from(*k), Value::str(*v)))
                .collect::<Hash>(),
        )
    }

    /// (name, source, locale pairs).
    type SnipSpec<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    fn snips(engine: &Engine, list: &[SnipSpec]) -> Snips {
        Snips(
            list.iter()
                .map(|(name, src, l)| {
                    let file = format!("templates/snippets/{name}.html");
                    let template = engine.compile(&file, src).expect("snippet compiles");
                    let s = Snippet {
                        template,
                        locale: locale(l),
                    };
                    (name.to_string(), s)
                })
                .collect(),
        )
    }

    fn run(
        engine: &Engine,
        src: &str,
        l: &[(&str, &str)],
        snippets: &Snips,
        yield_html: Option<&str>,
    ) -> Result<Rendered, TemplateError> {
        let t = engine.compile("templates/pages/a.html", src)?;
        render(
            &t,
            &RenderInput {
                globals: &Hash::new(),
                locale: locale(l),
                snippets,
                yield_to: yield_html.map_or(Yield::Nothing, Yield::Html),
                budget: Budget::default(),
            },
        )
    }

    #[test]
    fn runtime_error_is_inline_and_names_the_line_and_column() {
        let engine = Engine::new();
        let none = Snips(HashMap::new());
        let src = "<p>\n{%\tassign a\t= 1 %}{% # note %}\n{% liquid\n  assign b = 2\n  echo b\n%}\n  x {{ a | divided_by: 0 }}\n";
        let r = run(&engine, src, &[], &none, None).unwrap();
        assert_eq!(r.html, "<p>\n\n2\n  x Liquid error: divided by 0\n");
        let e = &r.errors[0];
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/pages/a.html", 7, 5)
        );
        assert_eq!(e.source_line, "  x {{ a | divided_by: 0 }}");
        assert_eq!(e.message, "Liquid error: divided by 0");
    }

    #[test]
    fn syntax_error_names_the_line_and_column() {
        let engine = Engine::new();
        let e = engine
            .compile(
                "p.html",
                "a\n\tb {% if x %}\n{% for %}{% endfor %}{% endif %}",
            )
            .unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert_eq!(e.source_line, "{% for %}{% endfor %}{% endif %}");
        assert_eq!(
            e.message,
            "Liquid syntax error: Syntax Error in 'for loop' - Valid syntax: for [item] in [collection]"
        );
        let e = engine
            .compile("p.html", "ok\n  {% if x %}never closed")
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
    }

    #[test]
    fn a_cycle_is_reported_with_its_chain() {
        let engine = Engine::new();
        let s = snips(
            &engine,
            &[
                ("a", "{% include 'b' %}", &[]),
                ("b", "x\n  {% include 'a' %}", &[]),
            ],
        );
        let r = run(&engine, "\n{% include 'a' %}", &[], &s, None).unwrap();
        let e = r
            .errors
            .iter()
            .find(|e| e.message.starts_with("include cycle"))
            .expect("a cycle error");
        assert!(e.message.contains("'a' → 'b' → 'a'"), "{}", e.message);
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/snippets/b.html", 2, 3)
        );
        assert_eq!(e.chain[0], "templates/pages/a.html:2:1");
        assert!(e.chain.len() >= MAX_INCLUDE_DEPTH, "{:?}", e.chain);
        // Ruby's own limit then renders inline.
        assert!(r.html.contains("Liquid error: Nesting too deep"));
    }

    #[test]
    fn self_include_stops_without_overflowing_a_small_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let engine = Engine::new();
                let s = snips(&engine, &[("me", "{% include 'me' %}", &[])]);
                run(&engine, "{% include 'me' %}", &[], &s, None).unwrap()
            })
            .unwrap();
        let r = handle.join().expect("no stack overflow");
        assert!(
            r.errors.iter().any(|e| e.message.contains("'me' → 'me'")),
            "{:?}",
            r.errors
        );
    }

    #[test]
    fn deep_nesting_without_a_cycle_is_reported() {
        let engine = Engine::new();
        let names: Vec<String> = (0..=MAX_INCLUDE_DEPTH + 1)
            .map(|i| format!("n{i}"))
            .collect();
        let srcs: Vec<String> = (0..names.len())
            .map(|i| match names.get(i + 1) {
                Some(next) => format!("{{% include '{next}' %}}"),
                None => "end".to_string(),
            })
            .collect();
        let list: Vec<SnipSpec> = names
            .iter()
            .zip(&srcs)
            .map(|(n, s)| (n.as_str(), s.as_str(), &[][..]))
            .collect();
        let s = snips(&engine, &list);
        let r = run(&engine, "{% include 'n0' %}", &[], &s, None).unwrap();
        assert!(
            r.errors[0].message.contains("nested deeper than 32"),
            "{}",
            r.errors[0].message
        );
        assert_eq!(r.html, "end", "the output stays Ruby's");
        let ok = run(&engine, "{% include 'n2' %}", &[], &s, None).unwrap();
        assert!(ok.errors.is_empty());
    }

    #[test]
    fn missing_snippet_renders_ruby_s_error_and_names_the_include() {
        let engine = Engine::new();
        let s = snips(&engine, &[("a", "\n {% include 'gone' %}", &[])]);
        let r = run(&engine, "{% include 'a' %}", &[], &s, None).unwrap();
        assert_eq!(r.html, "\n Liquid error: No such template 'gone'");
        let e = &r.errors[0];
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/snippets/a.html", 2, 2)
        );
        assert_eq!(e.chain, vec!["templates/pages/a.html:1:1".to_string()]);
    }

    #[test]
    fn each_template_sees_its_own_locale_and_include_shares_scope() {
        let engine = Engine::new();
        let s = snips(
            &engine,
            &[
                (
                    "s",
                    "[{{ l.t }}|{{ v }}]{% assign w = 'set' %}",
                    &[("t", "snippet")],
                ),
                ("r", "[{{ l.t }}|{{ v }}]{% assign z = 'no' %}", &[]),
            ],
        );
        let src = "{% assign v = 'page-var' %}{{ l.t }}{% include 's' %}{{ l.t }} {{ w }}\
                   {% render 'r' %}{{ z }}.";
        let r = run(&engine, src, &[("t", "page")], &s, None).unwrap();
        assert_eq!(r.html, "page[snippet|page-var]page set[|].");
    }

    #[test]
    fn yield_unknown_tags_and_filters() {
        let engine = Engine::new();
        let none = Snips(HashMap::new());
        let src = "<main>{% yield %}</main>{% frobnicate 1 %}\n{{ 'x' | sparkle }}";
        let r = run(&engine, src, &[], &none, Some("<p>hi</p>")).unwrap();
        assert_eq!(r.html, "<main><p>hi</p></main>\nx");
        let found: Vec<_> = r
            .warnings
            .iter()
            .map(|w| (w.rule, w.line, w.column))
            .collect();
        assert_eq!(
            found,
            vec![("unknown-tag", 1, 25), ("unknown-filter", 2, 10)]
        );
        let r = run(&engine, "{% yield %}", &[], &none, None).unwrap();
        assert_eq!(r.html, "");
    }

    #[test]
    fn a_runaway_page_stops_within_its_budget() {
        let engine = Engine::new();
        let t = engine
            .compile(
                "templates/pages/a.html",
                "{% assign s = 'ab' %}\n{% for i in (1..100) %}{% assign s = s | append: s %}{% endfor %}",
            )
            .unwrap();
        let none = Snips(HashMap::new());
        let e = render(
            &t,
            &RenderInput {
                globals: &Hash::new(),
                locale: locale(&[]),
                snippets: &none,
                yield_to: Yield::Nothing,
                budget: Budget {
                    max_time: std::time::Duration::from_secs(2),
                    max_bytes: 1024 * 1024,
                },
            },
        )
        .unwrap_err();
        assert!(e.message.contains("max_output_mib"), "{}", e.message);
        assert_eq!((e.line, e.column), (2, 1), "the innermost loop");
    }

    #[test]
    fn bad_input_never_panics() {
        let engine = Engine::new();
        let none = Snips(HashMap::new());
        for src in [
            "{{",
            "{%",
            "{% if %}",
            "{{ | }}",
            "{% for x in %}{% endfor %}",
            "{% include %}",
            "{{ 'é\t' | nope: 1, 2 }}",
            "{% liquid\n if\n%}",
            "{% endif %}",
            "}}{{ x.[ }}",
            "{% raw %}",
            "{% comment %}",
            "{{ a | divided_by: 'x' }}",
            "{% cycle %}",
            "{% cycle x : %}",
            "{{ 99999999999999999999 }}{% assign x = -99999999999999999999 | plus: 1 %}",
            "{% for i in (1..99999999999999999999) limit: 3 %}{{ i }}{% endfor %}",
            "{{ +99999999999999999999 }}",
            "{% if 99999999999999999999 > 1 %}{% endif %}",
            "{{ -9223372036854775808 | divided_by: -1 }}{{ -9223372036854775808 | modulo: -1 }}",
        ] {
            let _ = run(&engine, src, &[], &none, None);
        }
    }
}
