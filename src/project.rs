//! The addon project on disk (SPEC 2 and 3), read into one in-memory model that
//! every command uses. Loading never fails on a broken template, locale or
//! settings file: those are kept with their parse error so lint can report
//! every problem in one run and render can name the exact file and position.
//! Only a missing or invalid `goakit.toml` makes the project unreadable.

use crate::diagnostic::line_col;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE: &str = "goakit.toml";
pub const DEFAULT_API: &str = "https://goaddon.com";
pub const DEFAULT_PORT: u16 = 4100;
pub const DEFAULT_LOCALE: &str = "en";
/// Goaddon's two required pages (SPEC 1).
pub const ROOT_PAGE: &str = "root";
pub const FRONT_PAGE: &str = "frontpage";
/// A sub page is named `<parent>__<child>` (SPEC 5, assumed).
pub const SUB_PAGE_SEPARATOR: &str = "__";

/// Why a project cannot be read at all (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// Path as the user gave it (or relative to the project).
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// goakit.toml (SPEC 3). Unknown keys are an error with their line.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub addon: AddonConfig,
    #[serde(default)]
    pub preview: PreviewConfig,
    #[serde(default)]
    pub render: RenderConfig,
    /// `[environments.<name>]`: the addons push, pull, diff and restore
    /// can target with `--env NAME` (SPEC 9).
    #[serde(default)]
    pub environments: std::collections::BTreeMap<String, EnvironmentConfig>,
}

/// `[environments.<name>]` (SPEC 9).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// The addon id on that environment.
    pub id: String,
    /// The Goaddon API host; `[addon].api` when absent.
    pub api: Option<String>,
    /// Every write needs `--yes`, also on a terminal.
    #[serde(default)]
    pub protected: bool,
}

/// `[render]`: the budget of every render (SPEC 4.4).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RenderConfig {
    #[serde(default = "default_max_seconds")]
    pub max_seconds: f64,
    #[serde(default = "default_max_output_mib")]
    pub max_output_mib: f64,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            max_seconds: default_max_seconds(),
            max_output_mib: default_max_output_mib(),
        }
    }
}

fn default_max_seconds() -> f64 {
    5.0
}

fn default_max_output_mib() -> f64 {
    64.0
}

impl RenderConfig {
    /// The engine's budget (non-positive or absurd values are clamped).
    pub fn budget(&self) -> goakit_engine::Budget {
        let secs = if self.max_seconds.is_finite() && self.max_seconds > 0.0 {
            self.max_seconds.min(86_400.0)
        } else {
            default_max_seconds()
        };
        let mib = if self.max_output_mib.is_finite() && self.max_output_mib > 0.0 {
            self.max_output_mib.min(4096.0)
        } else {
            default_max_output_mib()
        };
        goakit_engine::Budget {
            max_time: std::time::Duration::from_secs_f64(secs),
            max_bytes: (mib * 1024.0 * 1024.0) as usize,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AddonConfig {
    /// Needed by push/pull only.
    pub id: Option<String>,
    #[serde(default = "default_api")]
    pub api: String,
    #[serde(default)]
    pub scripts: Vec<String>,
    #[serde(default)]
    pub stylesheets: Vec<String>,
}

impl Default for AddonConfig {
    fn default() -> Self {
        AddonConfig {
            id: None,
            api: default_api(),
            scripts: Vec::new(),
            stylesheets: Vec::new(),
        }
    }
}

fn default_api() -> String {
    DEFAULT_API.to_string()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PreviewConfig {
    /// The addon's own API, called for pages with `api_path`.
    pub addon_api: Option<String>,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default = "default_locale")]
    pub locale: String,
}

impl Default for PreviewConfig {
    fn default() -> Self {
        PreviewConfig {
            addon_api: None,
            port: DEFAULT_PORT,
            locale: default_locale(),
        }
    }
}

fn default_port() -> u16 {
    DEFAULT_PORT
}

fn default_locale() -> String {
    DEFAULT_LOCALE.to_string()
}

impl Config {
    /// Parses goakit.toml text; `file` is the name used in errors.
    pub fn parse(file: &str, text: &str) -> Result<Config, LoadError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            LoadError {
                file: file.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })
    }
}

/// The three kinds of template Goaddon knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Page,
    Snippet,
    Shortcut,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Page, Kind::Snippet, Kind::Shortcut];

    /// The folder name under templates/, locales/ and settings/.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Page => "pages",
            Kind::Snippet => "snippets",
            Kind::Shortcut => "shortcuts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Snippet => "snippet",
            Kind::Shortcut => "shortcut",
        }
    }

    pub fn template_path(self, name: &str) -> String {
        format!("templates/{}/{}.html", self.dir(), name)
    }

    pub fn locale_path(self, name: &str) -> String {
        format!("locales/{}/{}.json", self.dir(), name)
    }

    pub fn settings_path(self, name: &str) -> String {
        format!("settings/{}/{}.json", self.dir(), name)
    }

    /// Snippets may not have settings; only their names may contain '/'.
    pub fn has_settings(self) -> bool {
        self != Kind::Snippet
    }
}

/// Is `name` a valid name for this kind (SPEC 5)?
pub fn valid_name(kind: Kind, name: &str) -> bool {
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    match kind {
        Kind::Snippet => name.split('/').all(segment_ok),
        Kind::Page | Kind::Shortcut => segment_ok(name),
    }
}

/// A template as a user names it: its name (`orders`, `order/row`,
/// `orders.html`) or one of its files (`templates/pages/orders.html`,
/// `locales/snippets/order/row.json`); the kind when a file path says it.
pub fn template_ref(given: &str) -> (Option<Kind>, String) {
    let g = given.trim().trim_start_matches("./").replace('\\', "/");
    let in_folder = ["templates/", "locales/", "settings/"]
        .iter()
        .find_map(|p| g.strip_prefix(p));
    let strip = |s: &str| {
        s.strip_suffix(".html")
            .or_else(|| s.strip_suffix(".json"))
            .unwrap_or(s)
            .to_string()
    };
    if let Some(rest) = in_folder {
        for k in Kind::ALL {
            if let Some(name) = rest.strip_prefix(k.dir()).and_then(|r| r.strip_prefix('/')) {
                return (Some(k), strip(name));
            }
        }
    }
    (None, strip(&g))
}

/// The parent of a sub page (`orders__show` → `orders`), None for a top-level page.
pub fn parent_page(name: &str) -> Option<&str> {
    name.rfind(SUB_PAGE_SEPARATOR).map(|i| &name[..i])
}

/// A text file of the project, with its path relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// A JSON file (locale, settings, preview data). `value` is None when the
/// text does not parse; `error` then says where. `V` is the tree it is read
/// into: serde_json's for files goakit inspects, the engine's for preview
/// API data (read once into render values, SPEC 4.2: see [`DataFile`]).
#[derive(Debug, Clone)]
pub struct JsonFile<V = Value> {
    pub path: String,
    pub text: String,
    pub value: Option<V>,
    pub error: Option<JsonError>,
}

/// preview/api/<page>.json: the page's `api` hash, straight into engine
/// values (no serde tree beside it: a 100,000-row list is held once).
pub type DataFile = JsonFile<goakit_engine::Value>;

/// What a JSON file can be read into.
pub trait JsonTree: Sized {
    fn from_json(text: &str) -> Result<Self, serde_json::Error>;
    fn is_object(&self) -> bool;
}

impl JsonTree for Value {
    fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
}

impl JsonTree for goakit_engine::Value {
    fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        goakit_engine::json::from_str(text)
    }
    fn is_object(&self) -> bool {
        matches!(self, goakit_engine::Value::Hash(_))
    }
}

/// The value is read from the text, so the text decides equality.
impl<V> PartialEq for JsonFile<V> {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.text == other.text
    }
}

/// Equal files have equal text, and the value is read from the text.
impl<V> Eq for JsonFile<V> {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl<V: JsonTree> JsonFile<V> {
    pub fn parse(path: String, text: String) -> JsonFile<V> {
        match V::from_json(&text) {
            Ok(v) => JsonFile {
                path,
                text,
                value: Some(v),
                error: None,
            },
            Err(e) => {
                let message = strip_serde_position(&e.to_string());
                JsonFile {
                    path,
                    text,
                    value: None,
                    error: Some(JsonError {
                        line: e.line().max(1),
                        column: e.column().max(1),
                        message,
                    }),
                }
            }
        }
    }

    /// The parse error as a one-line `file:line:col: message`.
    pub fn error_message(&self) -> Option<String> {
        self.error.as_ref().map(|e| {
            format!(
                "{}:{}:{}: invalid JSON: {}",
                self.path, e.line, e.column, e.message
            )
        })
    }

    /// Why this file cannot be used as a hash: (line, column, message) of
    /// its parse error, or of a value that is not an object.
    pub fn object_problem(&self) -> Option<(usize, usize, String)> {
        match (&self.error, &self.value) {
            (Some(e), _) => Some((e.line, e.column, format!("invalid JSON: {}", e.message))),
            (None, Some(v)) if v.is_object() => None,
            (None, _) => {
                let start = self.text.len() - self.text.trim_start().len();
                let (line, column) = crate::diagnostic::line_col(&self.text, start);
                Some((line, column, "expected a JSON object ({...})".to_string()))
            }
        }
    }
}

impl JsonFile {
    pub fn object(&self) -> Option<&Map<String, Value>> {
        self.value.as_ref().and_then(Value::as_object)
    }
}

/// serde_json appends " at line X column Y"; we print positions ourselves.
fn strip_serde_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A page, snippet or shortcut with its optional locale and settings.
/// `Eq`, so that comparing two snapshots of the project skips templates
/// that are the same `Arc` in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub kind: Kind,
    pub name: String,
    pub source: SourceFile,
    pub locale: Option<JsonFile>,
    pub settings: Option<JsonFile>,
}

impl Template {
    /// The locale hash for `locale`, falling back to `en` key by key
    /// (SPEC 4: "falling back to en"). Empty when there is no locale file
    /// or it does not parse.
    pub fn locale_for(&self, locale: &str) -> Map<String, Value> {
        let Some(all) = self.locale.as_ref().and_then(JsonFile::object) else {
            return Map::new();
        };
        let mut merged = match all.get(DEFAULT_LOCALE) {
            Some(Value::Object(en)) => en.clone(),
            _ => Map::new(),
        };
        if locale != DEFAULT_LOCALE
            && let Some(Value::Object(own)) = all.get(locale)
        {
            deep_merge(&mut merged, own);
        }
        merged
    }

    /// The `en` keys (dotted, `orders.title`) that `locale` lacks: in that
    /// locale `l` shows them in English. Empty for `en` itself and for a
    /// template without an `en` locale.
    pub fn untranslated(&self, locale: &str) -> Vec<String> {
        fn leaves(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match v.as_object() {
                Some(o) if !o.is_empty() => {
                    for (k, v) in o {
                        prefix.push(k.clone());
                        leaves(v, prefix, out);
                        prefix.pop();
                    }
                }
                _ => out.push(prefix.clone()),
            }
        }
        fn has(mut v: &Value, path: &[String]) -> bool {
            for k in path {
                match v.get(k) {
                    Some(next) => v = next,
                    None => return false,
                }
            }
            true
        }
        let Some(all) = self.locale.as_ref().and_then(JsonFile::object) else {
            return Vec::new();
        };
        let Some(en) = all.get(DEFAULT_LOCALE).filter(|v| v.is_object()) else {
            return Vec::new();
        };
        if locale == DEFAULT_LOCALE {
            return Vec::new();
        }
        let mut paths = Vec::new();
        leaves(en, &mut Vec::new(), &mut paths);
        paths.retain(|p| !p.is_empty());
        let own = all.get(locale);
        paths
            .into_iter()
            .filter(|p| !own.is_some_and(|o| has(o, p)))
            .map(|p| p.join("."))
            .collect()
    }

    /// A string setting, e.g. `api_path`. None when absent or not a string.
    pub fn setting_str(&self, key: &str) -> Option<&str> {
        self.settings
            .as_ref()
            .and_then(JsonFile::object)
            .and_then(|o| o.get(key))
            .and_then(Value::as_str)
    }

    /// The page's API path (SPEC 4.2), if any and non-empty.
    pub fn api_path(&self) -> Option<&str> {
        self.setting_str("api_path")
            .filter(|p| !p.trim().is_empty())
    }

    /// The page's API method, upper-cased; GET when not given.
    pub fn api_method(&self) -> String {
        self.setting_str("api_method")
            .map(|m| m.trim().to_ascii_uppercase())
            .unwrap_or_else(|| "GET".to_string())
    }

    /// The menu title for `locale`, falling back to `en`.
    pub fn menu_title(&self, locale: &str) -> Option<&str> {
        let titles = self
            .settings
            .as_ref()
            .and_then(JsonFile::object)?
            .get("menu_title")?
            .as_object()?;
        titles
            .get(locale)
            .or_else(|| titles.get(DEFAULT_LOCALE))
            .and_then(Value::as_str)
    }

    /// Is this a sub page (`<parent>__<child>`, not in the menu)?
    pub fn is_sub_page(&self) -> bool {
        self.kind == Kind::Page && parent_page(&self.name).is_some()
    }
}

/// Overlay `over` onto `base`, recursing into objects present in both.
pub fn deep_merge(base: &mut Map<String, Value>, over: &Map<String, Value>) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => deep_merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// What a project file is, from its relative path. Files outside the layout
/// are `None`: ignored and never pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRole {
    Config,
    Template(Kind, String),
    Locale(Kind, String),
    Settings(Kind, String),
    Description,
    PreviewProject,
    PreviewApi(String),
}

impl FileRole {
    /// Classify a path relative to the project root (either separator).
    pub fn of(rel: &str) -> Option<FileRole> {
        let rel = rel.replace('\\', "/");
        let rel = rel.trim_start_matches("./");
        match rel {
            CONFIG_FILE => return Some(FileRole::Config),
            "description.md" => return Some(FileRole::Description),
            "preview/project.json" => return Some(FileRole::PreviewProject),
            _ => {}
        }
        if let Some(rest) = rel.strip_prefix("preview/api/") {
            // `<page>.json`, or `<page>/<k>=<v>&....json` for some parameters.
            let name = rest.strip_suffix(".json")?;
            let ok = match name.split_once('/') {
                None => !name.is_empty(),
                Some((page, query)) => {
                    !page.is_empty()
                        && !query.is_empty()
                        && !query.contains('/')
                        && !query.starts_with('.')
                }
            };
            return ok.then(|| FileRole::PreviewApi(name.to_string()));
        }
        let (top, rest) = rel.split_once('/')?;
        let (kind_dir, file) = rest.split_once('/')?;
        let kind = Kind::ALL.into_iter().find(|k| k.dir() == kind_dir)?;
        let (ext, make): (&str, fn(Kind, String) -> FileRole) = match top {
            "templates" => (".html", FileRole::Template),
            "locales" => (".json", FileRole::Locale),
            "settings" => (".json", FileRole::Settings),
            _ => return None,
        };
        let name = file.strip_suffix(ext)?;
        if name.is_empty() || name.split('/').any(|s| s.is_empty() || s.starts_with('.')) {
            return None;
        }
        Some(make(kind, name.to_string()))
    }
}

/// The whole addon project in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The project directory as given.
    pub root: PathBuf,
    pub config: Config,
    /// goakit.toml's text, for positions.
    pub config_text: String,
    pub pages: BTreeMap<String, Arc<Template>>,
    pub snippets: BTreeMap<String, Arc<Template>>,
    pub shortcuts: BTreeMap<String, Arc<Template>>,
    /// Locale or settings files whose template does not exist.
    pub stray: Vec<JsonFile>,
    pub description: Option<SourceFile>,
    pub preview_project: Option<JsonFile>,
    /// Shared, like the templates: a snapshot copies no data.
    pub preview_api: BTreeMap<String, Arc<DataFile>>,
}

impl Project {
    /// Reads the project at `dir`. Fails only when goakit.toml is missing,
    /// unreadable or invalid, or the directory cannot be read.
    pub fn load(dir: &Path) -> Result<Project, LoadError> {
        let config_path = dir.join(CONFIG_FILE);
        let config_text = std::fs::read_to_string(&config_path).map_err(|e| LoadError {
            file: config_path.display().to_string(),
            line: None,
            column: None,
            message: if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "no {CONFIG_FILE} here: {} is not a goakit project (run `goakit init` to create one)",
                    dir.display()
                )
            } else {
                format!("cannot read: {e}")
            },
        })?;
        let config = Config::parse(CONFIG_FILE, &config_text)?;
        let mut project = Project {
            root: dir.to_path_buf(),
            config,
            config_text,
            pages: BTreeMap::new(),
            snippets: BTreeMap::new(),
            shortcuts: BTreeMap::new(),
            stray: Vec::new(),
            description: None,
            preview_project: None,
            preview_api: BTreeMap::new(),
        };
        let mut files = Vec::new();
        let mut seen_dirs = std::collections::HashSet::new();
        for top in ["templates", "locales", "settings", "preview"] {
            collect_files(dir, &dir.join(top), &mut files, &mut seen_dirs).map_err(|e| {
                LoadError {
                    file: top.to_string(),
                    line: None,
                    column: None,
                    message: format!("cannot read folder: {e}"),
                }
            })?;
        }
        files.push("description.md".to_string());
        // Templates first so locales and settings find their template.
        files.sort_by_key(|f| (!f.starts_with("templates/"), f.clone()));
        for rel in files {
            project.refresh(&rel).map_err(|e| LoadError {
                file: rel.clone(),
                line: None,
                column: None,
                message: e.to_string(),
            })?;
        }
        Ok(project)
    }

    pub fn templates(&self, kind: Kind) -> &BTreeMap<String, Arc<Template>> {
        match kind {
            Kind::Page => &self.pages,
            Kind::Snippet => &self.snippets,
            Kind::Shortcut => &self.shortcuts,
        }
    }

    fn templates_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Arc<Template>> {
        match kind {
            Kind::Page => &mut self.pages,
            Kind::Snippet => &mut self.snippets,
            Kind::Shortcut => &mut self.shortcuts,
        }
    }

    /// Every template of every kind, pages first.
    pub fn all_templates(&self) -> impl Iterator<Item = &Template> {
        self.all_shared().map(|t| &**t)
    }

    /// Every template as shared: a template that did not change between
    /// two snapshots of the project is the same `Arc` in both.
    pub fn all_shared(&self) -> impl Iterator<Item = &Arc<Template>> {
        Kind::ALL
            .into_iter()
            .flat_map(move |k| self.templates(k).values())
    }

    pub fn page(&self, name: &str) -> Option<&Template> {
        self.pages.get(name).map(|t| &**t)
    }

    pub fn template(&self, kind: Kind, name: &str) -> Option<&Template> {
        self.templates(kind).get(name).map(|t| &**t)
    }

    /// Goaddon's menu: the top-level pages (not root, not sub pages), the
    /// landing page first, then the others by name; each with its menu
    /// title in `locale` (its name when it has none).
    pub fn menu<'a>(&'a self, locale: &str) -> Vec<(&'a str, &'a Template, &'a str)> {
        let mut pages: Vec<_> = self
            .pages
            .iter()
            .filter(|(n, t)| n.as_str() != ROOT_PAGE && !t.is_sub_page())
            .map(|(n, t)| (n.as_str(), &**t, t.menu_title(locale).unwrap_or(n.as_str())))
            .collect();
        pages.sort_by_key(|(n, _, _)| (*n != FRONT_PAGE, *n));
        pages
    }

    /// The locale preview and render use unless told otherwise.
    pub fn default_locale(&self) -> &str {
        &self.config.preview.locale
    }

    /// Every locale the project defines: `en`, [preview].locale and each
    /// top-level key of every locale file.
    pub fn locales(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        out.insert(DEFAULT_LOCALE.to_string());
        out.insert(self.default_locale().to_string());
        for t in self.all_templates() {
            if let Some(all) = t.locale.as_ref().and_then(JsonFile::object) {
                out.extend(
                    all.iter()
                        .filter(|(_, v)| v.is_object())
                        .map(|(k, _)| k.clone()),
                );
            }
        }
        out
    }

    /// Re-reads one file (relative path) after it changed, was created or
    /// was deleted, updating only what it holds. Returns what the file is,
    /// or None for files outside the layout. A goakit.toml that no longer
    /// parses is an error and leaves the old config in place.
    pub fn refresh(&mut self, rel: &str) -> Result<Option<FileRole>, LoadError> {
        let Some(role) = FileRole::of(rel) else {
            return Ok(None);
        };
        let rel = rel.replace('\\', "/");
        let rel = rel.trim_start_matches("./").to_string();
        let text = read_optional(&self.root, &self.root.join(&rel)).map_err(|e| LoadError {
            file: rel.clone(),
            line: None,
            column: None,
            message: format!("cannot read: {e}"),
        })?;
        match &role {
            FileRole::Config => {
                let text = text.ok_or_else(|| LoadError {
                    file: CONFIG_FILE.to_string(),
                    line: None,
                    column: None,
                    message: format!("{CONFIG_FILE} was removed"),
                })?;
                self.config = Config::parse(CONFIG_FILE, &text)?;
                self.config_text = text;
            }
            FileRole::Description => {
                self.description = text.map(|text| SourceFile { path: rel, text });
            }
            FileRole::PreviewProject => {
                self.preview_project = text.map(|t| JsonFile::parse(rel, t));
            }
            FileRole::PreviewApi(page) => match text {
                Some(t) => {
                    self.preview_api
                        .insert(page.clone(), Arc::new(JsonFile::parse(rel, t)));
                }
                None => {
                    self.preview_api.remove(page);
                }
            },
            FileRole::Template(kind, name) => {
                let kind = *kind;
                match text {
                    Some(text) => {
                        let source = SourceFile { path: rel, text };
                        if let Some(t) = self.templates_mut(kind).get_mut(name) {
                            Arc::make_mut(t).source = source;
                        } else {
                            let mut t = Template {
                                kind,
                                name: name.clone(),
                                source,
                                locale: None,
                                settings: None,
                            };
                            // Adopt locale/settings read before the template appeared.
                            let (lp, sp) = (kind.locale_path(name), kind.settings_path(name));
                            let mut i = 0;
                            while i < self.stray.len() {
                                if self.stray[i].path == lp {
                                    t.locale = Some(self.stray.remove(i));
                                } else if self.stray[i].path == sp {
                                    t.settings = Some(self.stray.remove(i));
                                } else {
                                    i += 1;
                                }
                            }
                            self.templates_mut(kind).insert(name.clone(), Arc::new(t));
                        }
                    }
                    None => {
                        if let Some(t) = self.templates_mut(kind).remove(name) {
                            let t = Arc::unwrap_or_clone(t);
                            self.stray.extend(t.locale);
                            self.stray.extend(t.settings);
                        }
                    }
                }
            }
            FileRole::Locale(kind, name) | FileRole::Settings(kind, name) => {
                let is_locale = matches!(role, FileRole::Locale(..));
                let kind = *kind;
                self.stray.retain(|f| f.path != rel);
                let file = text.map(|t| JsonFile::parse(rel.clone(), t));
                match self.templates_mut(kind).get_mut(name) {
                    Some(t) => {
                        let t = Arc::make_mut(t);
                        if is_locale {
                            t.locale = file;
                        } else {
                            t.settings = file;
                        }
                    }
                    None => self.stray.extend(file),
                }
            }
        }
        Ok(Some(role))
    }

    /// (path, text) of the JSON files no template owns: preview data and
    /// stray files (lint scans them for tokens).
    pub fn loose_json_files(&self) -> impl Iterator<Item = (&str, &str)> {
        fn f(f: &JsonFile) -> (&str, &str) {
            (f.path.as_str(), f.text.as_str())
        }
        self.preview_project
            .iter()
            .map(f)
            .chain(
                self.preview_api
                    .values()
                    .map(|d| (d.path.as_str(), d.text.as_str())),
            )
            .chain(self.stray.iter().map(f))
    }

    /// preview/project.json as an object (empty when absent or broken).
    pub fn preview_project_value(&self) -> Map<String, Value> {
        self.preview_project
            .as_ref()
            .and_then(JsonFile::object)
            .cloned()
            .unwrap_or_default()
    }
}

fn read_optional(root: &Path, path: &Path) -> std::io::Result<Option<String>> {
    // The symlink policy (links.rs): nothing is read through a link that
    // leads outside the project.
    if std::fs::symlink_metadata(path).is_ok() {
        crate::links::check_inside(root, path)?;
    }
    // Only regular files are read: a FIFO or a device would block or
    // never end.
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
        && !m.is_dir()
    {
        return Err(std::io::Error::other("not a regular file"));
    }
    match std::fs::read(path) {
        // Valid UTF-8 is kept as read (no second copy of a large file).
        Ok(bytes) => {
            Ok(Some(String::from_utf8(bytes).unwrap_or_else(|e| {
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            })))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // A path that turned into a folder reads as "not a file here".
        Err(_) if path.is_dir() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Collects files under `dir` as paths relative to `root`, `/`-separated.
/// A missing folder is simply empty. Links are followed only while they
/// stay inside the project (links.rs), each real folder once (no loops).
fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
    seen_dirs: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    if !crate::links::inside(root, dir) {
        return Ok(());
    }
    if let Ok(real) = dir.canonicalize()
        && !seen_dirs.insert(real)
    {
        return Ok(());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let mut file_type = entry.file_type()?;
        if file_type.is_symlink() {
            if !crate::links::inside(root, &path) {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) => file_type = m.file_type(),
                // A dangling link is no file.
                Err(_) => continue,
            }
        }
        if file_type.is_dir() {
            collect_files(root, &path, out, seen_dirs)?;
        } else if file_type.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            let rel: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(rel.join("/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_layout_paths() {
        assert_eq!(FileRole::of("goakit.toml"), Some(FileRole::Config));
        assert_eq!(
            FileRole::of("templates/snippets/order/lines.html"),
            Some(FileRole::Template(Kind::Snippet, "order/lines".into()))
        );
        assert_eq!(
            FileRole::of("locales/pages/orders__show.json"),
            Some(FileRole::Locale(Kind::Page, "orders__show".into()))
        );
        assert_eq!(
            FileRole::of("preview/api/orders.json"),
            Some(FileRole::PreviewApi("orders".into()))
        );
        assert_eq!(FileRole::of("templates/pages/.orders.html.swp"), None);
        assert_eq!(FileRole::of("templates/pages/x.txt"), None);
        assert_eq!(FileRole::of("README.md"), None);
        assert_eq!(FileRole::of("templates/other/x.html"), None);
    }

    #[test]
    fn names() {
        assert!(valid_name(Kind::Page, "orders__show"));
        assert!(!valid_name(Kind::Page, "Orders"));
        assert!(!valid_name(Kind::Page, "a/b"));
        assert!(valid_name(Kind::Snippet, "order/lines"));
        assert!(!valid_name(Kind::Snippet, "order//lines"));
        assert!(!valid_name(Kind::Snippet, "order-lines"));
        assert_eq!(parent_page("orders__show"), Some("orders"));
        assert_eq!(parent_page("a__b__c"), Some("a__b"));
        assert_eq!(parent_page("orders"), None);
    }

    #[test]
    fn config_unknown_key_has_line() {
        let err = Config::parse("goakit.toml", "[addon]\nid = \"x\"\nbogus = 1\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("bogus"), "{}", err.message);
        let ok = Config::parse("goakit.toml", "").unwrap();
        assert_eq!(ok.preview.port, DEFAULT_PORT);
        assert_eq!(ok.addon.api, DEFAULT_API);
    }

    #[test]
    fn json_error_position() {
        let f: JsonFile =
            JsonFile::parse("locales/pages/x.json".into(), "{\n  \"en\": {,}\n}".into());
        let e = f.error.unwrap();
        assert_eq!((e.line, e.column), (2, 10));
    }

    #[test]
    fn locale_falls_back_to_en_key_by_key() {
        let t = Template {
            kind: Kind::Page,
            name: "x".into(),
            source: SourceFile {
                path: "templates/pages/x.html".into(),
                text: String::new(),
            },
            locale: Some(JsonFile::parse(
                "locales/pages/x.json".into(),
                r#"{"en":{"a":"A","n":{"b":"B","c":"C"}},"da":{"n":{"b":"Bda"}}}"#.into(),
            )),
            settings: None,
        };
        let da = Value::Object(t.locale_for("da"));
        assert_eq!(da["a"], "A");
        assert_eq!(da["n"]["b"], "Bda");
        assert_eq!(da["n"]["c"], "C");
    }
}
