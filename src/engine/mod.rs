//! The Liquid engine: the `liquid` crate's parser and runtime with a
//! fidelity layer so templates render as Ruby Liquid 5.4 (lax) renders them,
//! which is what Goaddon runs.
//!
//! How it works: [`scan`] tokenizes the source keeping positions; the
//! source is then rewritten for the crate's parser — outputs become
//! goakit's own output tag (Ruby number printing), every tag carries its
//! original line and column (so render errors name them), tabs in markup
//! become spaces, `{% liquid %}` lines become tags, comments and unknown
//! tags drop out (with a warning for unknown tags) and unknown filters
//! become a pass-through. Scopes are lenient ([`runtime`]): undefined is nil.
//!
//! ```no_run
//! # use goakit::engine::*;
//! let engine = Engine::new();
//! let t = engine.compile("templates/pages/x.html", "{{ l.hi }} {{ 0 | times: 1.5 }}").unwrap();
//! ```

pub mod filters;
pub mod runtime;
pub mod scan;
pub mod tags;
pub mod value;

use crate::diagnostic::{Diagnostic, source_line};
use liquid_core::model::{KStringRef, Object, ValueView};
use liquid_core::runtime::PartialStore;
use liquid_core::{Language, Renderable, Runtime};
use runtime::{RootScope, Scope};
use scan::{Pos, TokenKind};
use std::fmt;
use std::io::Write;
use std::sync::Arc;
use tags::{ErrorTrail, PosBlock, PosTag, YieldHtml};

/// The tag outputs are rewritten to.
pub const OUTPUT_TAG: &str = "__goakit_output";
/// The filter unknown filters are rewritten to: it passes its input through.
pub const UNKNOWN_FILTER: &str = "__goakit_unknown_filter";

/// Tags and blocks that get `line column` put first in their markup.
const POSITIONED: &[&str] = &[
    "assign",
    "break",
    "continue",
    "cycle",
    "increment",
    "decrement",
    "include",
    "render",
    "yield",
    OUTPUT_TAG,
    "if",
    "unless",
    "ifchanged",
    "for",
    "tablerow",
    "capture",
    "case",
];

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
    file: String,
    source: String,
    elements: liquid_core::Template,
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

    /// Unknown tags and filters found when compiling.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.0.warnings
    }
}

/// A snippet as `include`/`render` gets it: its template and its own `l`.
pub struct Snippet {
    pub template: Template,
    /// Shared, so an include per table row copies nothing.
    pub locale: Arc<Object>,
}

/// Finds snippets by name (`order/lines`).
pub trait SnippetResolver: Sync {
    fn snippet(&self, name: &str) -> Option<Snippet>;
}

pub struct RenderInput<'a> {
    /// project, locale, page, params, api.
    pub globals: &'a Object,
    /// This template's own `l`.
    pub locale: Arc<Object>,
    pub snippets: &'a dyn SnippetResolver,
    /// What `{% yield %}` outputs (root only).
    pub yield_html: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Rendered {
    pub html: String,
    /// Unknown filters and tags in every template that took part.
    pub warnings: Vec<Diagnostic>,
}

/// The Liquid language goakit renders: build once, compile many.
pub struct Engine {
    language: Arc<Language>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    pub fn new() -> Self {
        use liquid_lib::stdlib;
        let mut lang = Language::empty();
        let tags: Vec<(&str, Box<dyn liquid_core::ParseTag>)> = vec![
            ("assign", Box::new(stdlib::AssignTag)),
            ("break", Box::new(stdlib::BreakTag)),
            ("continue", Box::new(stdlib::ContinueTag)),
            ("cycle", Box::new(stdlib::CycleTag)),
            ("increment", Box::new(stdlib::IncrementTag)),
            ("decrement", Box::new(stdlib::DecrementTag)),
            ("include", Box::new(tags::IncludeTag { isolated: false })),
            ("render", Box::new(tags::IncludeTag { isolated: true })),
            ("yield", Box::new(tags::YieldTag)),
            (OUTPUT_TAG, Box::new(tags::OutputTag)),
        ];
        for (name, tag) in tags {
            lang.tags.register(name.to_string(), Box::new(PosTag(tag)));
        }
        let blocks: Vec<(&str, Box<dyn liquid_core::ParseBlock>)> = vec![
            ("if", Box::new(stdlib::IfBlock)),
            ("unless", Box::new(stdlib::UnlessBlock)),
            ("ifchanged", Box::new(stdlib::IfChangedBlock)),
            ("capture", Box::new(stdlib::CaptureBlock)),
            ("case", Box::new(tags::CaseBlock)),
            ("for", Box::new(tags::ForBlock)),
            ("tablerow", Box::new(tags::TableRowBlock)),
        ];
        for (name, block) in blocks {
            lang.blocks
                .register(name.to_string(), Box::new(PosBlock(block)));
        }
        lang.blocks
            .register("raw".to_string(), Box::new(stdlib::RawBlock));
        let crate_filters: Vec<Box<dyn liquid_core::ParseFilter>> = vec![
            Box::new(stdlib::Capitalize),
            Box::new(stdlib::Compact),
            Box::new(stdlib::Concat),
            Box::new(stdlib::Date),
            Box::new(stdlib::Downcase),
            Box::new(stdlib::EscapeOnce),
            Box::new(stdlib::Lstrip),
            Box::new(stdlib::Map),
            Box::new(stdlib::Remove),
            Box::new(stdlib::RemoveFirst),
            Box::new(stdlib::Replace),
            Box::new(stdlib::ReplaceFirst),
            Box::new(stdlib::Reverse),
            Box::new(stdlib::Rstrip),
            Box::new(stdlib::Slice),
            Box::new(stdlib::Sort),
            Box::new(stdlib::SortNatural),
            Box::new(stdlib::Strip),
            Box::new(stdlib::StripHtml),
            Box::new(stdlib::StripNewlines),
            Box::new(stdlib::Truncate),
            Box::new(stdlib::Uniq),
            Box::new(stdlib::Upcase),
            Box::new(stdlib::Where),
        ];
        for f in crate_filters {
            let name = f.reflection().name().to_string();
            let f = match filters::ARRAY_FILTERS.contains(&name.as_str()) {
                true => Box::new(filters::RubyInput(f)),
                false => f,
            };
            lang.filters.register(name, f);
        }
        for f in filters::all() {
            lang.filters.register(f.name.to_string(), Box::new(f));
        }
        Engine {
            language: Arc::new(lang),
        }
    }

    /// Checks that `source` compiles, without keeping the result: the crate
    /// parses only the tags and outputs (the HTML between them cannot fail),
    /// which is what makes lint fast.
    pub fn check(
        &self,
        file: &str,
        source: &str,
        scanned: &scan::Scan,
    ) -> Result<(), TemplateError> {
        let rewrite = rewrite(
            source,
            scanned,
            |name| self.language.filters.get(name).is_some(),
            false,
        );
        liquid_core::parser::parse(&rewrite.text, &self.language)
            .map(drop)
            .map_err(|e| {
                let (pos, message) = rewrite.locate_parse_error(source, &e.to_string());
                TemplateError {
                    file: file.to_string(),
                    line: pos.line,
                    column: pos.column,
                    message: format!("Liquid syntax error: {message}"),
                    source_line: source_line(source, pos.line).to_string(),
                    chain: Vec::new(),
                }
            })
    }

    /// Compiles `source`; `file` is the path errors and warnings name.
    pub fn compile(&self, file: &str, source: &str) -> Result<Template, TemplateError> {
        let scanned = scan::scan(source);
        let error_at = |pos: Pos, message: String| TemplateError {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message,
            source_line: source_line(source, pos.line).to_string(),
            chain: Vec::new(),
        };
        if let Some(p) = scanned.problems.first() {
            return Err(error_at(
                p.pos,
                format!("Liquid syntax error: {}", p.message),
            ));
        }
        let rewrite = rewrite(
            source,
            &scanned,
            |name| self.language.filters.get(name).is_some(),
            true,
        );
        let warnings = rewrite
            .warnings
            .iter()
            .map(|(pos, msg, rule)| {
                Diagnostic::warning(rule, file, (pos.line, pos.column), msg.clone())
            })
            .collect();
        let elements = liquid_core::parser::parse(&rewrite.text, &self.language).map_err(|e| {
            let (pos, message) = rewrite.locate_parse_error(source, &e.to_string());
            error_at(pos, format!("Liquid syntax error: {message}"))
        })?;
        Ok(Template(Arc::new(Compiled {
            file: file.to_string(),
            source: source.to_string(),
            elements: liquid_core::Template::new(elements),
            warnings,
        })))
    }
}

/// The crate-ready text and a map back to the original positions.
struct Rewrite {
    text: String,
    /// (start in `text`, original position) of every emitted tag.
    spans: Vec<(usize, Pos)>,
    warnings: Vec<(Pos, String, &'static str)>,
}

impl Rewrite {
    /// Maps the crate's " --> line:col" back to the original source.
    fn locate_parse_error(&self, source: &str, message: &str) -> (Pos, String) {
        let mut offset = None;
        if let Some(i) = message.find("--> ") {
            let rest = &message[i + 4..];
            let lc: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            if let Some((l, c)) = lc.split_once(':')
                && let (Ok(l), Ok(c)) = (l.parse::<usize>(), c.parse::<usize>())
            {
                offset = offset_of(&self.text, l, c);
            }
        }
        let pos = offset
            .and_then(|o| self.spans.iter().rev().find(|(start, _)| *start <= o))
            .map(|(_, p)| *p)
            .unwrap_or(Pos::at(source, 0));
        // Keep the crate's explanation, not its echo of our rewritten text.
        let explanation = message
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with('='))
            .map(|l| l.trim_start_matches('=').trim().to_string())
            .or_else(|| {
                message
                    .lines()
                    .next()
                    .map(|l| l.trim_start_matches("liquid:").trim().to_string())
            })
            .unwrap_or_default();
        let explanation = explanation
            .replace(OUTPUT_TAG, "output")
            .replace(UNKNOWN_FILTER, "filter");
        (pos, explanation)
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut at = 0;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return Some(at + col_bytes);
        }
        at += l.len() + 1;
    }
    None
}

/// Markup with Ruby whitespace as plain spaces (outside strings) and unknown
/// filters renamed to the pass-through.
fn clean_markup(
    src: &str,
    range: std::ops::Range<usize>,
    known_filter: &dyn Fn(&str) -> bool,
    warnings: &mut Vec<(Pos, String, &'static str)>,
) -> String {
    let markup = &src[range.clone()];
    let mut out = String::with_capacity(markup.len());
    let mut quote: Option<char> = None;
    for c in markup.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(if scan::is_ruby_space(c) { ' ' } else { c });
            }
        }
    }
    // Edits go from the end so earlier offsets stay valid.
    let lexed = scan::lex(src, range.clone());
    let mut found = Vec::new();
    let mut swallowed = None;
    for (i, (lex, at)) in lexed.iter().enumerate().rev() {
        if swallowed == Some(i) {
            continue;
        }
        // `1e20` or `2px` is one name to Ruby, a variable lookup: nil.
        if let scan::Lex::Ident(name) = lex
            && let Some(p) = i.checked_sub(1)
            && let (scan::Lex::Number(n), n_at) = &lexed[p]
            && n_at + n.len() == *at
        {
            let start = n_at - range.start;
            out.replace_range(start..at - range.start + name.len(), "nil");
            swallowed = Some(p);
            continue;
        }
        if let scan::Lex::Number(n) = lex
            && !n.contains('.')
            && n.parse::<i64>().is_err()
        {
            // The crate panics on integer literals beyond i64; Ruby has
            // bignums. As a string it at least prints the same digits.
            let at_out = at - range.start;
            out.replace_range(at_out..at_out + n.len(), &format!("\"{n}\""));
            continue;
        }
        let scan::Lex::Ident(name) = lex else {
            continue;
        };
        let at_out = at - range.start;
        match i.checked_sub(1).map(|p| &lexed[p].0) {
            Some(scan::Lex::Punct('|')) => {
                if known_filter(name) && !name.starts_with("__") {
                    continue;
                }
                out.replace_range(at_out..at_out + name.len(), UNKNOWN_FILTER);
                found.push((
                    Pos::at(src, *at),
                    format!("unknown filter '{name}': its input is passed through unchanged"),
                    "unknown-filter",
                ));
            }
            Some(scan::Lex::Punct('.')) => {}
            _ if runtime::shadows_literal(name) => {
                // The crate reads `empty_list` as the literal `empty` and
                // junk; the prefix is stripped again by the scopes.
                out.insert_str(at_out, runtime::KEYWORD_PREFIX);
            }
            _ if name == "blank" => {
                // Without ActiveSupport nothing in Ruby answers `blank?`, so
                // `x == blank` is always false there: compare with a string
                // no value holds.
                out.replace_range(at_out..at_out + name.len(), "\"\u{1}goakit-blank\"");
            }
            _ => {}
        }
    }
    found.reverse();
    warnings.extend(found);
    out
}

/// `with_text`: false leaves out the text between tags (for checking only).
fn rewrite(
    src: &str,
    scanned: &scan::Scan,
    known_filter: impl Fn(&str) -> bool,
    with_text: bool,
) -> Rewrite {
    let tokens = &scanned.tokens;
    // Whitespace control: `{%-` strips the text before, `-%}` the text after.
    let mut text_ranges: Vec<std::ops::Range<usize>> =
        tokens.iter().map(|t| t.span.clone()).collect();
    for (i, t) in tokens.iter().enumerate() {
        if t.trim_left && i > 0 && tokens[i - 1].kind == (TokenKind::Text { raw: false }) {
            let r = &mut text_ranges[i - 1];
            let trimmed = src[r.clone()].trim_end_matches(scan::is_ruby_space).len();
            r.end = r.start + trimmed;
        }
        if t.trim_right
            && let Some(next) = tokens.get(i + 1)
            && next.kind == (TokenKind::Text { raw: false })
        {
            let r = &mut text_ranges[i + 1];
            let s = &src[r.clone()];
            r.start += s.len() - s.trim_start_matches(scan::is_ruby_space).len();
        }
    }
    let mut out = Rewrite {
        text: String::with_capacity(src.len() + src.len() / 4),
        spans: Vec::new(),
        warnings: Vec::new(),
    };
    for (t, range) in tokens.iter().zip(text_ranges) {
        let emit_tag = |out: &mut Rewrite, name: &str, markup: &str, positioned: bool| {
            out.spans.push((out.text.len(), t.pos));
            out.text.push_str("{%");
            out.text.push_str(name);
            if positioned {
                out.text
                    .push_str(&format!(" {} {}", t.pos.line, t.pos.column));
            }
            if !markup.is_empty() {
                out.text.push(' ');
                out.text.push_str(markup);
            }
            out.text.push_str("%}");
        };
        match &t.kind {
            TokenKind::Text { .. } if !with_text => {}
            TokenKind::Text { raw: false } => out.text.push_str(&src[range]),
            TokenKind::Text { raw: true } => {
                out.text.push_str("{%raw%}");
                out.text.push_str(&src[range]);
                out.text.push_str("{%endraw%}");
            }
            TokenKind::Comment => {}
            TokenKind::Output => {
                if t.markup.is_empty() {
                    continue;
                }
                let m = clean_markup(src, t.markup.clone(), &known_filter, &mut out.warnings);
                emit_tag(&mut out, OUTPUT_TAG, &m, true);
            }
            TokenKind::Tag { name } => {
                let name = name.as_str();
                match name {
                    "raw" | "endraw" => {}
                    "echo" => {
                        if t.markup.is_empty() {
                            continue;
                        }
                        let m =
                            clean_markup(src, t.markup.clone(), &known_filter, &mut out.warnings);
                        emit_tag(&mut out, OUTPUT_TAG, &m, true);
                    }
                    _ if POSITIONED.contains(&name) => {
                        let m =
                            clean_markup(src, t.markup.clone(), &known_filter, &mut out.warnings);
                        emit_tag(&mut out, name, &m, true);
                    }
                    _ if scan::INNER_TAGS.contains(&name) => {
                        let m =
                            clean_markup(src, t.markup.clone(), &known_filter, &mut out.warnings);
                        emit_tag(&mut out, name, &m, false);
                    }
                    _ => out.warnings.push((
                        t.pos,
                        format!("unknown tag '{name}': it renders nothing"),
                        "unknown-tag",
                    )),
                }
            }
        }
    }
    out
}

/// Snippets as the crate's partial store: each lookup gives a renderable
/// that pushes the snippet's own `l`. Lookups are cached for the render,
/// so an include in a 500-row loop resolves its snippet once.
struct SnippetStore<'a> {
    resolver: &'a dyn SnippetResolver,
    cache: std::cell::RefCell<std::collections::HashMap<String, Option<Arc<dyn Renderable>>>>,
}

impl fmt::Debug for SnippetStore<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SnippetStore")
    }
}

impl PartialStore for SnippetStore<'_> {
    fn contains(&self, name: &str) -> bool {
        self.try_get(name).is_some()
    }

    fn names(&self) -> Vec<&str> {
        Vec::new()
    }

    fn try_get(&self, name: &str) -> Option<Arc<dyn Renderable>> {
        if let Some(hit) = self.cache.borrow().get(name) {
            return hit.clone();
        }
        let found = self
            .resolver
            .snippet(name)
            .map(|s| Arc::new(Bounded(s.template, s.locale)) as Arc<dyn Renderable>);
        self.cache
            .borrow_mut()
            .insert(name.to_string(), found.clone());
        found
    }

    fn get(&self, name: &str) -> liquid_core::Result<Arc<dyn Renderable>> {
        self.try_get(name)
            .ok_or_else(|| liquid_core::Error::with_msg(format!("snippet '{name}' not found")))
    }
}

/// Warnings of every template that took part in a render.
#[derive(Default)]
struct Warnings(Vec<Diagnostic>);

/// A template rendered with its own `l`; turns errors into positions.
#[derive(Debug)]
struct Bounded(Template, Arc<Object>);

impl Renderable for Bounded {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> liquid_core::Result<()> {
        let Bounded(template, locale) = self;
        let c = &template.0;
        {
            let mut w = runtime.registers().get_mut::<Warnings>();
            for d in &c.warnings {
                if !w.0.contains(d) {
                    w.0.push(d.clone());
                }
            }
        }
        let mut vars: std::collections::HashMap<KStringRef<'_>, &dyn ValueView> =
            std::collections::HashMap::with_capacity(1);
        vars.insert(KStringRef::from_static("l"), &**locale);
        let scope = Scope::new(runtime, &vars);
        c.elements.render_to(writer, &scope).inspect_err(|e| {
            let mut trail = runtime.registers().get_mut::<ErrorTrail>();
            match trail.located.is_some() {
                false => {
                    let (line, column) = trail.site.take().unwrap_or((1, 1));
                    trail.located = Some(TemplateError {
                        file: c.file.clone(),
                        line,
                        column,
                        message: error_message(e),
                        source_line: source_line(&c.source, line).to_string(),
                        chain: Vec::new(),
                    });
                }
                true => {
                    // The error came from a snippet this template included.
                    let (line, column) = trail.chain_site.take().unwrap_or((1, 1));
                    let located = trail.located.as_mut().expect("matched Some");
                    located
                        .chain
                        .insert(0, format!("{}:{}:{}", c.file, line, column));
                }
            }
        })
    }
}

/// The crate's error text without its "liquid: " prefix and our internals.
fn error_message(e: &liquid_core::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("liquid:").unwrap_or(first).trim();
    let mut msg = first.to_string();
    // Name the filter that failed, when the crate said which.
    if let Some(f) = text.lines().find_map(|l| l.trim().strip_prefix("filter=")) {
        msg = format!("{msg} (filter {f})");
    }
    msg.replace(OUTPUT_TAG, "output")
        .replace(UNKNOWN_FILTER, "filter")
}

/// Renders a template with its own `l` and the caller's globals.
pub fn render(t: &Template, input: &RenderInput) -> Result<Rendered, TemplateError> {
    let store = SnippetStore {
        resolver: input.snippets,
        cache: Default::default(),
    };
    let root = RootScope::new(input.globals, &store);
    if let Some(html) = input.yield_html {
        root.registers.get_mut::<YieldHtml>().0 = html.to_string();
    }
    let bounded = Bounded(t.clone(), input.locale.clone());
    let mut out = Vec::with_capacity(t.0.source.len() * 2);
    let result = bounded.render_to(&mut out, &root);
    let warnings = std::mem::take(&mut root.registers.get_mut::<Warnings>().0);
    match result {
        Ok(()) => Ok(Rendered {
            html: String::from_utf8_lossy(&out).into_owned(),
            warnings,
        }),
        Err(e) => {
            let located = root.registers.get_mut::<ErrorTrail>().located.take();
            Err(located.unwrap_or_else(|| TemplateError {
                file: t.0.file.clone(),
                line: 1,
                column: 1,
                message: error_message(&e),
                source_line: source_line(&t.0.source, 1).to_string(),
                chain: Vec::new(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liquid_core::model::Value;
    use std::collections::HashMap;
    use tags::MAX_INCLUDE_DEPTH;

    /// Snippets by name, each with its own `l`.
    struct Snips(HashMap<String, Snippet>);

    impl SnippetResolver for Snips {
        fn snippet(&self, name: &str) -> Option<Snippet> {
            self.0.get(name).map(|s| Snippet {
                template: s.template.clone(),
                locale: s.locale.clone(),
            })
        }
    }

    fn locale(pairs: &[(&str, &str)]) -> Arc<Object> {
        let mut o = Object::new();
        for (k, v) in pairs {
            o.insert((*k).to_string().into(), Value::scalar((*v).to_string()));
        }
        Arc::new(o)
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
                globals: &Object::new(),
                locale: locale(l),
                snippets,
                yield_html,
            },
        )
    }

    #[test]
    fn render_error_names_the_original_line_and_column() {
        let engine = Engine::new();
        let none = Snips(HashMap::new());
        // Tabs, a `{% liquid %}` block and a comment before the failing
        // output all change the rewritten text's layout, not the position.
        let src = "<p>\n{%\tassign a\t= 1 %}{% # note %}\n{% liquid\n  assign b = 2\n  echo b\n%}\n  x {{ a | divided_by: 0 }}\n";
        let e = run(&engine, src, &[], &none, None).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/pages/a.html", 7, 5)
        );
        assert_eq!(e.source_line, "  x {{ a | divided_by: 0 }}");
        assert!(e.message.contains("divided"), "{}", e.message);
        assert!(e.to_string().starts_with("templates/pages/a.html:7:5: "));
    }

    #[test]
    fn syntax_error_names_the_original_line_and_column() {
        let engine = Engine::new();
        let e = engine
            .compile(
                "p.html",
                "a\n\tb {% if x %}\n{% for %}{% endfor %}{% endif %}",
            )
            .unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e}");
        assert_eq!(e.source_line, "{% for %}{% endfor %}{% endif %}");
        let e = engine
            .compile("p.html", "ok\n  {% if x %}never closed")
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
    }

    #[test]
    fn cycle_is_an_error_naming_the_chain() {
        let engine = Engine::new();
        let s = snips(
            &engine,
            &[
                ("a", "{% include 'b' %}", &[]),
                ("b", "x\n  {% include 'a' %}", &[]),
            ],
        );
        let e = run(&engine, "\n{% include 'a' %}", &[], &s, None).unwrap_err();
        assert!(
            e.message.contains("include cycle: 'a' → 'b' → 'a'"),
            "{}",
            e.message
        );
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/snippets/b.html", 2, 3)
        );
        assert_eq!(e.chain[0], "templates/pages/a.html:2:1");
        assert!(e.chain.len() >= MAX_INCLUDE_DEPTH, "{:?}", e.chain);
    }

    #[test]
    fn self_include_stops_without_overflowing_a_small_stack() {
        // 512 KiB is a quarter of a test thread's default stack.
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let engine = Engine::new();
                let s = snips(&engine, &[("me", "{% include 'me' %}", &[])]);
                run(&engine, "{% include 'me' %}", &[], &s, None).unwrap_err()
            })
            .unwrap();
        let e = handle.join().expect("no stack overflow");
        assert_eq!(e.file, "templates/snippets/me.html");
        assert!(e.message.contains("'me' → 'me'"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_without_a_cycle_is_limited() {
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
        let e = run(&engine, "{% include 'n0' %}", &[], &s, None).unwrap_err();
        assert!(e.message.contains("nest deeper than 32"), "{}", e.message);
        // Exactly the limit is fine.
        let ok = run(&engine, "{% include 'n2' %}", &[], &s, None).unwrap();
        assert_eq!(ok.html, "end");
    }

    #[test]
    fn missing_snippet_names_the_include() {
        let engine = Engine::new();
        let s = snips(&engine, &[("a", "\n {% include 'gone' %}", &[])]);
        let e = run(&engine, "{% include 'a' %}", &[], &s, None).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("templates/snippets/a.html", 2, 2)
        );
        assert!(
            e.message.contains("'gone'") && e.message.contains("'a'"),
            "{}",
            e.message
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
            "{{ 99999999999999999999 }}{% assign x = -99999999999999999999 | plus: 1 %}",
            "{% for i in (1..99999999999999999999) %}{% endfor %}",
            "{{ +99999999999999999999 }}",
            "{% if 99999999999999999999 > 1 %}{% endif %}",
        ] {
            let _ = run(&engine, src, &[], &none, None);
        }
    }
}
