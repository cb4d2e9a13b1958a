//! `goakit lint` (SPEC 7): every rule, each finding at its exact spot, all
//! findings in one pass over the project held in memory.

pub mod json_pos;
pub mod output;
pub mod rules;
pub mod syntax;
pub mod watch;

use crate::diagnostic::LineIndex;
use crate::diagnostic::{Diagnostic, Severity, line_col};
use crate::engine::escape_html;
use crate::exit::{CmdResult, Failure, failed_if};
use crate::project::DEFAULT_LOCALE;
use crate::project::{
    FRONT_PAGE, JsonFile, Kind, Project, ROOT_PAGE, SourceFile, Template, parent_page, valid_name,
};
use clap::{Args, ValueEnum};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

#[derive(Args, Debug, Clone)]
pub struct LintArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Re-lint on every change and print only what changed.
    #[arg(long)]
    pub watch: bool,
    /// List every rule: id, default severity, summary.
    #[arg(long, conflicts_with_all = ["explain", "watch"])]
    pub rules: bool,
    /// What a rule checks, why, an example and the fix.
    #[arg(long, value_name = "RULE", conflicts_with = "watch")]
    pub explain: Option<String>,
}

pub fn run(dir: &Path, args: LintArgs) -> CmdResult {
    if args.rules {
        for r in rules::RULES {
            let sev = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            println!("{:<24} {sev:<8} {}", r.id, r.summary);
        }
        return Ok(());
    }
    if let Some(id) = &args.explain {
        return match rules::get(id) {
            Some(r) => {
                print!("{}", rules::explain(r));
                Ok(())
            }
            None => Err(Failure::UsageError(format!(
                "no rule {id:?}{} (goakit lint --rules lists them)",
                crate::suggest::aside(id, rules::RULES.iter().map(|r| r.id))
            ))),
        };
    }
    let project = crate::project::Project::load(dir)?;
    if args.watch {
        return watch::run(project, &args);
    }
    let diags = lint_project(&project);
    output::print(&project, &diags, args.format);
    exit_code(&diags, args.deny_warnings)
}

pub fn exit_code(diags: &[Diagnostic], deny_warnings: bool) -> CmdResult {
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    let warnings = diags.iter().any(|d| d.severity == Severity::Warning);
    failed_if(errors || (deny_warnings && warnings))
}

/// Page settings keys and shortcut settings keys Goaddon knows.
const PAGE_SETTINGS: &[&str] = &["menu_title", "api_path", "api_method"];
const SHORTCUT_SETTINGS: &[&str] = &[
    "headline",
    "subheadline",
    "description",
    "webhooks",
    "scripts",
    "stylesheets",
];

/// Everything lint learned about one template from its one parse.
struct Scanned<'a> {
    t: &'a Template,
    read: syntax::Read,
    index: LineIndex,
}

impl Scanned<'_> {
    fn at(&self, offset: usize) -> LineCol {
        self.index.line_col(&self.t.source.text, offset)
    }
}

fn at(text: &str, offset: usize) -> (usize, usize) {
    line_col(text, offset)
}

/// Lints the whole project; findings sorted by file, line, column.
pub fn lint_project(project: &Project) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    // Parsing is per template: spread it over the cores.
    let templates: Vec<&Template> = project.all_templates().collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    let chunk = templates.len().div_ceil(threads).max(1);
    let mut scanned: Vec<Scanned> = Vec::with_capacity(templates.len());
    std::thread::scope(|scope| {
        let workers: Vec<_> = templates
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut found = Vec::new();
                    let done: Vec<Scanned> = part
                        .iter()
                        .map(|t| {
                            let s = Scanned {
                                t,
                                read: syntax::read(&t.source.text),
                                index: LineIndex::new(&t.source.text),
                            };
                            template_rules(&s, &mut found);
                            s
                        })
                        .collect();
                    (done, found)
                })
            })
            .collect();
        for w in workers {
            if let Ok((done, found)) = w.join() {
                scanned.extend(done);
                d.extend(found);
            }
        }
    });

    required_pages(project, &scanned, &mut d);
    names(project, &mut d);
    includes(project, &scanned, &mut d);
    let by_template: std::collections::HashMap<*const Template, &Scanned> = scanned
        .iter()
        .map(|s| (std::ptr::from_ref(s.t), s))
        .collect();
    let locales = project.locales();
    for t in project.all_templates() {
        let s = by_template.get(&std::ptr::from_ref(t)).copied();
        locale_rules(t, s, &mut d);
        translation_rules(t, &locales, &mut d);
        settings_rules(project, t, &mut d);
    }
    config_rules(project, &mut d);
    markdown_rules(project, &mut d);
    tokens(project, &mut d);
    d.sort_by(|a, b| (&a.file, a.line, a.column, a.rule).cmp(&(&b.file, b.line, b.column, b.rule)));
    d.dedup();
    d
}

fn required_pages(project: &Project, scanned: &[Scanned], d: &mut Vec<Diagnostic>) {
    for (name, why) in [
        (
            ROOT_PAGE,
            "every page is rendered into it where it says {% yield %}",
        ),
        (FRONT_PAGE, "it is the addon's landing page"),
    ] {
        if !project.pages.contains_key(name) {
            d.push(Diagnostic::error(
                "missing-required-page",
                Kind::Page.template_path(name),
                (1, 1),
                format!("the page '{name}' is required: {why}"),
            ));
        }
    }
    let root = scanned
        .iter()
        .find(|s| s.t.kind == Kind::Page && s.t.name == ROOT_PAGE);
    if let Some(Scanned { t: root, read, .. }) = root
        && read.yields.is_empty()
    {
        d.push(Diagnostic::error(
            "root-without-yield",
            &root.source.path,
            (1, 1),
            "root has no {% yield %}: no page would be shown",
        ));
    }
}

/// The name Goaddon would see: names are compared case-insensitively, and
/// a page in a folder (`orders/show`) is the sub page `orders__show`.
fn folded_name(kind: Kind, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if kind == Kind::Page {
        lower.replace('/', crate::project::SUB_PAGE_SEPARATOR)
    } else {
        lower
    }
}

fn names(project: &Project, d: &mut Vec<Diagnostic>) {
    for kind in Kind::ALL {
        // Valid names first, so a clash is reported on the odd file out.
        let mut list: Vec<(&String, &Template)> = project
            .templates(kind)
            .iter()
            .map(|(n, t)| (n, &**t))
            .collect();
        list.sort_by_key(|(name, _)| !valid_name(kind, name));
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (name, t) in list {
            if !valid_name(kind, name) {
                let rule = if kind == Kind::Snippet {
                    "segments of [a-z0-9_] joined by '/'".to_string()
                } else if kind == Kind::Page && name.contains('/') {
                    format!(
                        "[a-z0-9_]+; a sub page is named <parent>__<child>: {}",
                        Kind::Page.template_path(&folded_name(kind, name))
                    )
                } else {
                    "[a-z0-9_]+".to_string()
                };
                d.push(Diagnostic::error(
                    "invalid-name",
                    &t.source.path,
                    (1, 1),
                    format!("'{name}' is not a valid {} name ({rule})", kind.label()),
                ));
            }
            let folded = folded_name(kind, name);
            if let Some(other) = seen.get(&folded) {
                d.push(Diagnostic::error(
                    "duplicate-name",
                    &t.source.path,
                    (1, 1),
                    format!(
                        "{} '{name}' has the same name as '{other}' ({}): Goaddon would see one {} twice",
                        kind.label(),
                        kind.template_path(other),
                        kind.label()
                    ),
                ));
            } else {
                seen.insert(folded, name);
            }
        }
    }
}

fn template_rules(s: &Scanned, d: &mut Vec<Diagnostic>) {
    let t = s.t;
    let file = &t.source.path;
    // The engine's parser is the judge, as it is for render.
    if let Some((offset, message)) = &s.read.error {
        d.push(Diagnostic::error(
            "liquid-syntax",
            file,
            s.at(*offset),
            message.clone(),
        ));
    }
    for (offset, message) in &s.read.lax {
        d.push(Diagnostic::warning(
            "lax-syntax",
            file,
            s.at(*offset),
            message.clone(),
        ));
    }
    if !(t.kind == Kind::Page && t.name == ROOT_PAGE) {
        for &offset in &s.read.yields {
            d.push(Diagnostic::error(
                "yield-outside-root",
                file,
                s.at(offset),
                "{% yield %} only works in the root page",
            ));
        }
    }
    for (offset, name) in &s.read.unknown_tags {
        d.push(Diagnostic::warning(
            "unknown-tag",
            file,
            s.at(*offset),
            format!(
                "unknown tag '{name}'{}: Goaddon's Liquid 5 does not know it; goakit renders nothing for it",
                crate::suggest::aside(name, goakit_engine::tags::CATALOGUE.iter().map(|t| t.name))
            ),
        ));
    }
    for (offset, name) in &s.read.filters {
        if goakit_engine::filters::lookup(name).is_none() {
            d.push(Diagnostic::warning(
                "unknown-filter",
                file,
                s.at(*offset),
                format!(
                    "unknown filter '{name}'{}: Liquid passes its input through unchanged",
                    crate::suggest::aside(
                        name,
                        goakit_engine::filters::CATALOGUE.iter().map(|f| f.name)
                    )
                ),
            ));
        }
    }
    // `<% %>` outside Liquid markup is almost always a typo for `{% %}`.
    for &offset in &s.read.erb {
        d.push(Diagnostic::error(
            "erb-style-tag",
            file,
            s.at(offset),
            "'<%' is not Liquid: did you mean '{%'?",
        ));
    }
}

fn includes(project: &Project, scanned: &[Scanned], d: &mut Vec<Diagnostic>) {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut any_dynamic = false;
    // Graph of snippet includes for cycle detection: template → [(target, pos)].
    let mut edges: BTreeMap<(Kind, String), Vec<(String, LineCol)>> = BTreeMap::new();
    for s in scanned {
        for inc in &s.read.includes {
            let pos = s.at(inc.at);
            match inc.name.clone() {
                Some(name) => {
                    if !project.snippets.contains_key(&name) {
                        d.push(Diagnostic::error(
                            "unknown-snippet",
                            &s.t.source.path,
                            pos,
                            format!(
                                "snippet '{name}' does not exist (expected {}){}",
                                Kind::Snippet.template_path(&name),
                                crate::suggest::hint(
                                    &name,
                                    project.snippets.keys().map(String::as_str)
                                )
                            ),
                        ));
                    }
                    used.insert(name.clone());
                    edges
                        .entry((s.t.kind, s.t.name.clone()))
                        .or_default()
                        .push((name, pos));
                }
                None => {
                    any_dynamic = true;
                    d.push(Diagnostic::warning(
                        "dynamic-include",
                        &s.t.source.path,
                        pos,
                        format!(
                            "{} with a variable name: goakit cannot check that the snippet exists",
                            inc.tag
                        ),
                    ));
                }
            }
        }
    }
    // Cycles: one colouring DFS over the snippet graph (each snippet is
    // visited once); report the include that closes each cycle.
    let names: Vec<&String> = project.snippets.keys().collect();
    let index: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let adj: Vec<Vec<(usize, LineCol)>> = names
        .iter()
        .map(|n| {
            edges
                .get(&(Kind::Snippet, (*n).clone()))
                .into_iter()
                .flatten()
                .filter_map(|(to, pos)| index.get(to.as_str()).map(|&i| (i, *pos)))
                .collect()
        })
        .collect();
    let mut color = vec![0u8; names.len()];
    for root in 0..names.len() {
        if color[root] != 0 {
            continue;
        }
        color[root] = 1;
        let mut path = vec![root];
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next_edge)) = stack.last_mut() {
            let node = *node;
            if let Some(&(next, pos)) = adj[node].get(*next_edge) {
                *next_edge += 1;
                match color[next] {
                    0 => {
                        color[next] = 1;
                        path.push(next);
                        stack.push((next, 0));
                    }
                    1 => {
                        let from = path.iter().position(|&x| x == next).unwrap_or(0);
                        let cycle: Vec<String> = path[from..]
                            .iter()
                            .chain(std::iter::once(&next))
                            .map(|&i| format!("'{}'", names[i]))
                            .collect();
                        d.push(Diagnostic::error(
                            "include-cycle",
                            Kind::Snippet.template_path(names[node]),
                            pos,
                            format!("include cycle: {}", cycle.join(" → ")),
                        ));
                    }
                    _ => {}
                }
            } else {
                color[node] = 2;
                path.pop();
                stack.pop();
            }
        }
    }
    if !any_dynamic {
        for (name, t) in &project.snippets {
            if !used.contains(name) {
                d.push(Diagnostic::warning(
                    "unused-snippet",
                    &t.source.path,
                    (1, 1),
                    format!("snippet '{name}' is never included"),
                ));
            }
        }
    }
}

type LineCol = (usize, usize);

/// `l.*` paths a template reads, with positions, and whether it also reads
/// `l` in a way lint cannot follow (`l[x]`, `{{ l }}`, `include ... with l`).
fn locale_paths(s: &Scanned) -> (Vec<(Vec<String>, LineCol)>, bool) {
    let paths = s
        .read
        .locale_paths
        .iter()
        .map(|(offset, path)| (path.clone(), s.at(*offset)))
        .collect();
    (paths, s.read.locale_opaque)
}

fn lookup<'v>(mut v: &'v Value, path: &[String]) -> Option<&'v Value> {
    for k in path {
        v = match v {
            Value::Object(o) => o.get(k)?,
            Value::Array(a) => match k.as_str() {
                "size" | "first" | "last" => return Some(v),
                _ => a.get(k.parse::<usize>().ok()?)?,
            },
            Value::String(_) if k == "size" => return Some(v),
            _ => return None,
        };
    }
    Some(v)
}

/// The file's top-level object, or a `rule` finding saying why not.
fn json_object<'f>(
    f: &'f JsonFile,
    rule: &'static str,
    want: &str,
    d: &mut Vec<Diagnostic>,
) -> Option<&'f serde_json::Map<String, Value>> {
    if let Some(e) = &f.error {
        d.push(Diagnostic::error(
            rule,
            &f.path,
            (e.line, e.column),
            format!("invalid JSON: {}", e.message),
        ));
        return None;
    }
    let obj = f.object();
    if obj.is_none() {
        // Point at the value that is not an object.
        let start = f.text.len() - f.text.trim_start().len();
        d.push(Diagnostic::error(rule, &f.path, at(&f.text, start), want));
    }
    obj
}

/// `missing-translation` (SPEC 7): a key of `en` that another locale of the
/// same template lacks (at that locale's key), or a locale other templates
/// have and this one lacks (at its `en` key): the page would show English
/// there.
fn translation_rules(t: &Template, project_locales: &BTreeSet<String>, d: &mut Vec<Diagnostic>) {
    let Some(f) = &t.locale else { return };
    let Some(all) = f.object() else { return };
    let Some(en) = all.get(DEFAULT_LOCALE).filter(|v| v.is_object()) else {
        return;
    };
    if en.as_object().is_none_or(serde_json::Map::is_empty) {
        return;
    }
    for (loc, v) in all {
        if loc == DEFAULT_LOCALE || !v.is_object() {
            continue;
        }
        let off = json_pos::key_offset(&f.text, &[loc]).unwrap_or(0);
        for key in t.untranslated(loc) {
            d.push(Diagnostic::warning(
                "missing-translation",
                &f.path,
                at(&f.text, off),
                format!("\"{loc}\" lacks en.{key}: in {loc} the page shows the English text"),
            ));
        }
    }
    let off = json_pos::key_offset(&f.text, &[DEFAULT_LOCALE]).unwrap_or(0);
    for loc in project_locales {
        if !all.contains_key(loc) {
            d.push(Diagnostic::warning(
                "missing-translation",
                &f.path,
                at(&f.text, off),
                format!("no \"{loc}\" locale, which other templates have: in {loc} this {} shows English", t.kind.label()),
            ));
        }
    }
}

fn locale_rules(t: &Template, s: Option<&Scanned>, d: &mut Vec<Diagnostic>) {
    let en = match &t.locale {
        Some(f) => {
            let Some(obj) = json_object(
                f,
                "invalid-locale-json",
                "a locale file is an object of locales: {\"en\": {...}}",
                d,
            ) else {
                return;
            };
            for (loc, v) in obj {
                if !v.is_object() {
                    let off = json_pos::value_offset(&f.text, &[loc]).unwrap_or(0);
                    d.push(Diagnostic::error(
                        "invalid-locale-json",
                        &f.path,
                        at(&f.text, off),
                        format!("locale '{loc}' must be an object of texts"),
                    ));
                }
            }
            match obj.get("en") {
                Some(en) => Some(en.clone()),
                None => {
                    d.push(Diagnostic::warning(
                        "locale-missing-en",
                        &f.path,
                        (1, 1),
                        "no \"en\" locale: English is the fallback Goaddon uses",
                    ));
                    None
                }
            }
        }
        None => None,
    };
    let Some(s) = s else { return };
    let (paths, opaque) = locale_paths(s);
    let file = &t.source.path;
    let locale_file = t.kind.locale_path(&t.name);
    for (path, pos) in &paths {
        let found = en.as_ref().and_then(|en| lookup(en, path));
        if found.is_none() {
            let why = match (&t.locale, &en) {
                (None, _) => format!("{locale_file} does not exist"),
                (Some(_), None) => format!("{locale_file} has no \"en\""),
                _ => format!("not in {locale_file}"),
            };
            // A typo of a key that exists at the same level.
            let siblings: Vec<String> = en
                .as_ref()
                .and_then(|en| lookup(en, &path[..path.len().saturating_sub(1)]))
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            let last = path.last().map(String::as_str).unwrap_or("");
            d.push(Diagnostic::warning(
                "missing-locale-key",
                file,
                *pos,
                format!(
                    "l.{} is missing: {why}{}",
                    path.join("."),
                    crate::suggest::closest(last, siblings.iter().map(String::as_str))
                        .map(|c| format!(
                            " (did you mean l.{}?)",
                            path[..path.len() - 1]
                                .iter()
                                .map(String::as_str)
                                .chain([c])
                                .collect::<Vec<_>>()
                                .join(".")
                        ))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    if opaque {
        return;
    }
    let (Some(f), Some(en)) = (&t.locale, &en) else {
        return;
    };
    // Leaf keys under "en" no `l.` path reaches.
    for k in json_pos::keys(&f.text) {
        if k.path.first().map(String::as_str) != Some("en") || k.path.len() < 2 {
            continue;
        }
        let rel = &k.path[1..];
        let is_leaf = !lookup(en, rel).is_some_and(Value::is_object);
        if !is_leaf {
            continue;
        }
        let used = paths
            .iter()
            .any(|(p, _)| p.starts_with(rel) || rel.starts_with(p));
        if !used {
            d.push(Diagnostic::warning(
                "unused-locale-key",
                &f.path,
                at(&f.text, k.key),
                format!("en.{} is never read as l.{}", rel.join("."), rel.join(".")),
            ));
        }
    }
}

fn settings_rules(project: &Project, t: &Template, d: &mut Vec<Diagnostic>) {
    let has_menu_title = |f: &JsonFile| f.object().is_some_and(|o| o.contains_key("menu_title"));
    if t.kind == Kind::Page && t.name != ROOT_PAGE {
        // A page in a folder (invalid-name) is judged as the sub page it means.
        let name = t.name.replace('/', crate::project::SUB_PAGE_SEPARATOR);
        if let Some(parent) = parent_page(&name)
            && !project.pages.contains_key(parent)
        {
            d.push(Diagnostic::warning(
                "orphan-sub-page",
                &t.source.path,
                (1, 1),
                format!("sub page '{}' has no parent page '{parent}'", t.name),
            ));
        }
        let top_level = parent_page(&name).is_none();
        let titled = t.settings.as_ref().is_some_and(has_menu_title);
        // A broken settings file is reported as invalid-settings alone.
        let broken = t.settings.as_ref().is_some_and(|f| f.object().is_none());
        if top_level && !titled && !broken {
            let (file, pos) = match &t.settings {
                Some(f) => (f.path.clone(), (1, 1)),
                None => (t.source.path.clone(), (1, 1)),
            };
            d.push(Diagnostic::warning(
                "missing-menu-title",
                file,
                pos,
                format!(
                    "top-level page '{}' has no menu_title in {}: the menu would show its name",
                    t.name,
                    Kind::Page.settings_path(&t.name)
                ),
            ));
        }
        if !top_level
            && titled
            && let Some(f) = &t.settings
        {
            let off = json_pos::key_offset(&f.text, &["menu_title"]).unwrap_or(0);
            d.push(Diagnostic::warning(
                "menu-title-on-sub-page",
                &f.path,
                at(&f.text, off),
                "sub pages are not in the menu: this menu_title is never shown",
            ));
        }
    }
    let Some(f) = &t.settings else { return };
    if t.kind == Kind::Snippet {
        d.push(Diagnostic::error(
            "invalid-settings",
            &f.path,
            (1, 1),
            "snippets have no settings",
        ));
        return;
    }
    let Some(obj) = json_object(f, "invalid-settings", "settings must be a JSON object", d) else {
        return;
    };
    let allowed = if t.kind == Kind::Page {
        PAGE_SETTINGS
    } else {
        SHORTCUT_SETTINGS
    };
    let key_at = |k: &str| at(&f.text, json_pos::key_offset(&f.text, &[k]).unwrap_or(0));
    let value_at = |k: &str| at(&f.text, json_pos::value_offset(&f.text, &[k]).unwrap_or(0));
    for (k, v) in obj {
        if !allowed.contains(&k.as_str()) {
            d.push(Diagnostic::error(
                "invalid-settings",
                &f.path,
                key_at(k),
                format!("unknown setting '{k}' (known: {})", allowed.join(", ")),
            ));
            continue;
        }
        let ok = match k.as_str() {
            "menu_title" => v
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_string)),
            "webhooks" => v.is_object() || v.is_array(),
            "scripts" | "stylesheets" => {
                v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
            }
            _ => v.is_string(),
        };
        if !ok {
            let want = match k.as_str() {
                "menu_title" => "an object of texts per locale, {\"en\": \"Orders\"}",
                "webhooks" => "an object or array",
                "scripts" | "stylesheets" => "an array of URLs",
                _ => "a string",
            };
            d.push(Diagnostic::error(
                "invalid-settings",
                &f.path,
                value_at(k),
                format!("'{k}' must be {want}"),
            ));
        }
    }
    if t.kind == Kind::Page {
        if let Some(m) = obj.get("api_method").and_then(Value::as_str)
            && m != "GET"
            && m != "POST"
        {
            d.push(Diagnostic::error(
                "invalid-api-method",
                &f.path,
                value_at("api_method"),
                format!("api_method must be \"GET\" or \"POST\", not {m:?}"),
            ));
        }
        if let Some(p) = obj.get("api_path").and_then(Value::as_str) {
            let problem = if !p.starts_with('/') {
                Some("must start with '/': it is a path on the addon's own API".to_string())
            } else if p.contains("://") || p.starts_with("//") {
                Some("must be a path, not a URL: the host comes from [preview].addon_api".into())
            } else if p.chars().any(char::is_whitespace) && !p.contains("{{") {
                Some("must not contain spaces".into())
            } else {
                goakit_engine::parse(p, goakit_engine::ParseOptions::GOADDON)
                    .err()
                    .map(|e| format!("Liquid in api_path: {}", e.ruby_message()))
            };
            if let Some(why) = problem {
                d.push(Diagnostic::error(
                    "invalid-api-path",
                    &f.path,
                    value_at("api_path"),
                    format!("api_path {why}"),
                ));
            }
        }
    }
    if t.kind == Kind::Shortcut {
        for key in ["scripts", "stylesheets"] {
            let Some(open) = json_pos::value_offset(&f.text, &[key]) else {
                continue;
            };
            for (quote, url) in json_pos::array_strings(&f.text, open) {
                if insecure(&url) {
                    d.push(insecure_diag(&f.path, at(&f.text, quote + 1), &url));
                }
            }
        }
    }
}

/// http:// to anything but this machine.
fn insecure(url: &str) -> bool {
    let url = url.trim();
    let is_http = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    if !is_http {
        return false;
    }
    let rest = &url[7..];
    if rest.starts_with("[::1]") {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

fn insecure_diag(file: &str, pos: (usize, usize), url: &str) -> Diagnostic {
    Diagnostic::error(
        "insecure-asset-url",
        file,
        pos,
        format!(
            "{url} is loaded over plain http: Goaddon serves pages over https, so browsers block it; use https://"
        ),
    )
}

fn config_rules(project: &Project, d: &mut Vec<Diagnostic>) {
    let text = &project.config_text;
    let cfg = &project.config.addon;
    for url in cfg.scripts.iter().chain(&cfg.stylesheets) {
        if insecure(url) {
            let off = text.find(url.as_str()).unwrap_or(0);
            d.push(insecure_diag(
                crate::project::CONFIG_FILE,
                at(text, off),
                url,
            ));
        }
    }
}

fn markdown_rules(project: &Project, d: &mut Vec<Diagnostic>) {
    if let Some(desc) = &project.description {
        unsafe_markdown(&desc.path, &desc.text, &|off| at(&desc.text, off), d);
    }
    for t in project.shortcuts.values() {
        let Some(f) = &t.settings else { continue };
        let Some(md) = f
            .object()
            .and_then(|o| o.get("description"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        // The Markdown is a JSON string: map its offsets back through escapes.
        let quote = json_pos::value_offset(&f.text, &["description"]).unwrap_or(0);
        let pos = |off| at(&f.text, json_pos::string_offset(&f.text, quote, off));
        unsafe_markdown(&f.path, md, &pos, d);
    }
}

/// Reports raw HTML and links in Markdown that ammonia would strip.
fn unsafe_markdown(file: &str, md: &str, pos: &dyn Fn(usize) -> LineCol, d: &mut Vec<Diagnostic>) {
    use pulldown_cmark::{Event, Parser, Tag};
    for (ev, range) in Parser::new_ext(md, pulldown_cmark::Options::all()).into_offset_iter() {
        match ev {
            Event::Html(html) | Event::InlineHtml(html) => {
                let removed = stripped(&html);
                if !removed.is_empty() {
                    d.push(Diagnostic::warning(
                        "unsafe-markdown",
                        file,
                        pos(range.start),
                        format!("sanitising removes {}", removed.join(", ")),
                    ));
                }
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let probe = format!("<a href=\"{}\">x</a>", escape_html(&dest_url));
                if !ammonia::clean(&probe).contains("href=") {
                    d.push(Diagnostic::warning(
                        "unsafe-markdown",
                        file,
                        pos(range.start),
                        format!("sanitising removes the link target {:?}", dest_url.as_ref()),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Tags and attributes of `html` that ammonia removes.
fn stripped(html: &str) -> Vec<String> {
    // A lone closing tag is judged with its opening tag.
    if html.trim_start().starts_with("</") {
        return Vec::new();
    }
    fn parts(h: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = h;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            let end = rest.find('>').unwrap_or(rest.len());
            let inner = rest[..end].trim_start_matches('/');
            let mut words = inner.split_whitespace();
            if let Some(tag) = words.next() {
                let tag = tag.trim_end_matches('/').to_ascii_lowercase();
                if tag.starts_with('!') || tag.is_empty() {
                    continue;
                }
                out.insert(format!("<{tag}>"));
                for w in words {
                    let attr = w.split('=').next().unwrap_or("").to_ascii_lowercase();
                    if !attr.is_empty() && attr != "/" {
                        out.insert(format!("{attr}= on <{tag}>"));
                    }
                }
            }
        }
        out
    }
    let before = parts(html);
    let after = parts(&ammonia::clean(html));
    before.difference(&after).cloned().collect()
}

/// Goaddon tokens (`a-<uuid>`, `p-<uuid>`) must never be in project files.
fn tokens(project: &Project, d: &mut Vec<Diagnostic>) {
    let mut files: Vec<(&str, &str)> = vec![(crate::project::CONFIG_FILE, &project.config_text)];
    for t in project.all_templates() {
        files.push((&t.source.path, &t.source.text));
        for f in t.locale.iter().chain(&t.settings) {
            files.push((&f.path, &f.text));
        }
    }
    if let Some(SourceFile { path, text }) = &project.description {
        files.push((path, text));
    }
    files.extend(project.loose_json_files());
    for (file, text) in files {
        for off in find_tokens(text) {
            d.push(Diagnostic::error(
                "token-in-project",
                file,
                at(text, off),
                format!(
                    "this looks like a Goaddon {} token: keep it out of the project (use GOAKIT_TOKEN), and reset it if it was shared",
                    if text.as_bytes()[off] == b'a' { "addon" } else { "project" }
                ),
            ));
        }
    }
}

/// Offsets of `a-`/`p-` followed by a UUID.
pub fn find_tokens(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let shape = [8, 4, 4, 4, 12];
    let mut i = 0;
    while i + 2 + 36 <= b.len() {
        if (b[i] == b'a' || b[i] == b'p')
            && b[i + 1] == b'-'
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            let mut j = i + 2;
            let mut ok = true;
            for (n, len) in shape.iter().enumerate() {
                for _ in 0..*len {
                    if j >= b.len() || !b[j].is_ascii_hexdigit() {
                        ok = false;
                        break;
                    }
                    j += 1;
                }
                if !ok {
                    break;
                }
                if n < 4 {
                    if j < b.len() && b[j] == b'-' {
                        j += 1;
                    } else {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                out.push(i);
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_found() {
        let t = "x a-e1f92c77-5bb0-4fb8-9bd8-9b61d014ab5f y p-00000000-0000-0000-0000-000000000000";
        assert_eq!(find_tokens(t), vec![2, 43]);
        assert!(find_tokens("data-e1f92c77-5bb0-4fb8-9bd8-9b61d014ab5f").is_empty());
    }

    #[test]
    fn insecure_urls() {
        assert!(insecure("http://cdn.example.com/a.js"));
        assert!(!insecure("https://cdn.example.com/a.js"));
        assert!(!insecure("http://localhost:3000/a.js"));
        assert!(!insecure("http://127.0.0.1/a.js"));
        assert!(!insecure("http://[::1]:8080/a.js"));
        assert!(insecure("HTTP://cdn.example.com/a.js"));
        assert!(insecure("http://127.0.0.1.evil.example/a.js"));
        assert!(insecure("http://localhost.evil.example/a.js"));
        assert!(insecure("http://localhost@evil.example/a.js"));
        assert!(!insecure("//cdn.example.com/a.js"));
    }
}
