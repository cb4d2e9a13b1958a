//! Goaddon's page model on top of the Liquid engine (SPEC 4): the context
//! variables, per-template `l`, snippets, `{% yield %}` into root, API
//! variables and the HTML document.

use crate::diagnostic::{Diagnostic, source_line};
use crate::engine::{self, Engine, RenderInput, SnippetResolver, TemplateError, Yield};
use crate::project::{JsonFile, JsonTree, Kind, Project, ROOT_PAGE, Template};
use goakit_engine::Value as LValue;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub locale: String,
    /// Query parameters in preview, `--param k=v` in render.
    pub params: BTreeMap<String, String>,
    /// Use preview/api/<page>.json instead of calling the addon API.
    pub offline: bool,
}

impl RenderOptions {
    pub fn for_project(project: &Project) -> Self {
        RenderOptions {
            locale: project.default_locale().to_string(),
            params: BTreeMap::new(),
            offline: false,
        }
    }
}

/// A page's `api` hash (SPEC 4.2), in engine values: read once from the
/// addon API's answer or preview/api/<page>.json and shared by every render
/// that uses it, never copied.
pub type Api = Arc<goakit_engine::Hash>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The page rendered into root (what Goaddon shows).
    InRoot,
    /// The page alone; needs no root page.
    Bare,
}

/// Where an error is, for messages and preview's overlay.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub source_line: String,
}

#[derive(Debug, Clone)]
pub enum RenderError {
    /// A Liquid syntax or render error, with the include chain.
    Template(TemplateError),
    /// A locale, settings or preview data file that is not valid JSON, or not an object.
    Json(ErrorLocation, String),
    /// The addon API failed (SPEC 4.2).
    Api {
        page: String,
        url: String,
        status: Option<u16>,
        message: String,
        body_start: String,
    },
    /// No such page/shortcut.
    Missing { kind: Kind, name: String },
    /// The renderer itself failed (a bug in goakit, never the template's).
    Internal(String),
    /// A locale no locale file of the project defines (SPEC 4.2).
    UnknownLocale { locale: String, known: Vec<String> },
}

impl RenderError {
    pub fn location(&self) -> Option<ErrorLocation> {
        match self {
            RenderError::Template(e) => Some(ErrorLocation {
                file: e.file.clone(),
                line: e.line,
                column: e.column,
                source_line: e.source_line.clone(),
            }),
            RenderError::Json(loc, _) => Some(loc.clone()),
            _ => None,
        }
    }

    /// The include chain of a template error, outermost first.
    pub fn chain(&self) -> &[String] {
        match self {
            RenderError::Template(e) => &e.chain,
            _ => &[],
        }
    }

    /// A short hint for the user, if there is an obvious next step.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            RenderError::Api { .. } => Some(
                "is the addon API running? Use --offline to render with preview/api/<page>.json instead",
            ),
            _ => None,
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Template(e) => write!(f, "{e}"),
            RenderError::Json(loc, msg) => {
                write!(f, "{}:{}:{}: {}", loc.file, loc.line, loc.column, msg)
            }
            RenderError::Api {
                page,
                url,
                status,
                message,
                body_start,
            } => {
                write!(f, "addon API for page '{page}' failed: {message} ({url}")?;
                if let Some(s) = status {
                    write!(f, ", status {s}")?;
                }
                write!(f, ")")?;
                if !body_start.is_empty() {
                    write!(f, "; body starts: {body_start:?}")?;
                }
                Ok(())
            }
            RenderError::Internal(msg) => write!(f, "goakit's renderer failed: {msg}"),
            RenderError::UnknownLocale { locale, known } => write!(
                f,
                "unknown locale {locale:?}: the project's locale files define {}",
                known.join(", ")
            ),
            RenderError::Missing { kind, name } => {
                write!(
                    f,
                    "no {} named '{}' (expected {})",
                    kind.label(),
                    name,
                    kind.template_path(name)
                )
            }
        }
    }
}

impl std::error::Error for RenderError {}

impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> Self {
        RenderError::Template(e)
    }
}

/// A rendered page or shortcut.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub html: String,
    /// Unknown filters or tags passed through, with positions.
    pub warnings: Vec<Diagnostic>,
    /// Runtime errors: printed inline in `html` as Ruby does, and listed
    /// here with their positions (render and build exit 1 on them).
    pub errors: Vec<TemplateError>,
}

#[derive(Clone)]
struct Compiled {
    /// The template it was compiled from: the same `Arc` in the next
    /// snapshot of the project means unchanged, without reading its text.
    from: Arc<Template>,
    result: Result<engine::Template, TemplateError>,
}

/// Holds the engine and every template compiled once; `sync` recompiles
/// only what changed, so preview re-renders from memory.
pub struct Renderer {
    engine: Engine,
    /// Per kind (`Kind as usize`), by name; names are shared, so cloning
    /// the renderer for a new snapshot allocates no strings.
    compiled: [HashMap<Arc<str>, Compiled>; 3],
    /// liquid values of each template's `l`, per locale, built on first use.
    locales: Mutex<HashMap<(Kind, String, String), LValue>>,
}

impl Clone for Renderer {
    /// Shares every compiled template (they are `Arc`s); the locale cache
    /// starts empty.
    fn clone(&self) -> Self {
        Renderer {
            engine: Engine::new(),
            compiled: self.compiled.clone(),
            locales: Mutex::new(HashMap::new()),
        }
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        Renderer {
            engine: Engine::new(),
            compiled: Default::default(),
            locales: Mutex::new(HashMap::new()),
        }
    }

    /// A renderer with every template of `project` compiled.
    pub fn for_project(project: &Project) -> Self {
        let mut r = Renderer::new();
        r.sync(project);
        r
    }

    /// Brings compiled templates in line with `project`: compiles new or
    /// changed templates, drops deleted ones. Returns how many were compiled.
    /// A template whose `Arc` is the one compiled is unchanged; another
    /// `Arc` (its locale or settings changed, say) is compared by text.
    pub fn sync(&mut self, project: &Project) -> usize {
        let mut compiled = 0;
        for kind in Kind::ALL {
            let map = &mut self.compiled[kind as usize];
            let templates = project.templates(kind);
            map.retain(|name, _| templates.contains_key(&**name));
            for (name, t) in templates {
                match map.get_mut(name.as_str()) {
                    Some(c) if Arc::ptr_eq(&c.from, t) => {}
                    Some(c) if c.from.source == t.source => c.from = t.clone(),
                    _ => {
                        let result = self.engine.compile(&t.source.path, &t.source.text);
                        map.insert(
                            Arc::from(name.as_str()),
                            Compiled {
                                from: t.clone(),
                                result,
                            },
                        );
                        compiled += 1;
                    }
                }
            }
        }
        // Locales are cheap to rebuild; any change may have touched them.
        self.locales
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        compiled
    }

    fn template(&self, t: &Template) -> Result<engine::Template, RenderError> {
        match self.compiled[t.kind as usize].get(t.name.as_str()) {
            Some(c) => c.result.clone().map_err(RenderError::Template),
            // Not synced yet (a caller that skipped `sync`): compile now.
            None => Ok(self.engine.compile(&t.source.path, &t.source.text)?),
        }
    }

    /// The template's `l` for `locale`, or an error if its locale file is broken.
    fn locale_object(&self, t: &Template, locale: &str) -> Result<LValue, RenderError> {
        if let Some(file) = &t.locale {
            check_json_object(file)?;
        }
        let key = (t.kind, t.name.clone(), locale.to_string());
        let mut cache = self.locales.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(o) = cache.get(&key) {
            return Ok(o.clone());
        }
        let obj = LValue::from(engine::hash_of(&t.locale_for(locale)));
        cache.insert(key, obj.clone());
        Ok(obj)
    }

    /// Renders page `name` (SPEC 4): in root, or alone with `Mode::Bare`.
    /// `api` is the hash from [`crate::addon_api::api_vars`].
    pub fn render_page(
        &self,
        project: &Project,
        name: &str,
        opts: &RenderOptions,
        api: &Api,
        mode: Mode,
    ) -> Result<Rendered, RenderError> {
        let page = project.page(name).ok_or_else(|| RenderError::Missing {
            kind: Kind::Page,
            name: name.to_string(),
        })?;
        let globals = self.globals(project, name, opts, api)?;
        if mode == Mode::Bare {
            return self.render_alone(project, page, &globals, opts);
        }
        let (mut warnings, mut errors) = (Vec::new(), Vec::new());
        let mut html = String::new();
        let root = project
            .page(ROOT_PAGE)
            .ok_or_else(|| RenderError::Missing {
                kind: Kind::Page,
                name: ROOT_PAGE.to_string(),
            })?;
        // The page renders straight into root's output at `{% yield %}`
        // (no copy of it held apart); root never yields itself.
        let page_lists = RefCell::new((Vec::new(), Vec::new()));
        let page_failed = RefCell::new(None);
        let yield_page = |out: &mut String| {
            let (w, e) = &mut *page_lists.borrow_mut();
            match self.render_template(project, page, &globals, opts, Yield::Nothing, out, w, e) {
                Ok(()) => true,
                Err(err) => {
                    *page_failed.borrow_mut() = Some(err);
                    false
                }
            }
        };
        let yield_to = if name == ROOT_PAGE {
            Yield::Nothing
        } else {
            Yield::Render(&yield_page)
        };
        let (mut root_warnings, mut root_errors) = (Vec::new(), Vec::new());
        let result = self.render_template(
            project,
            root,
            &globals,
            opts,
            yield_to,
            &mut html,
            &mut root_warnings,
            &mut root_errors,
        );
        if let Some(err) = page_failed.into_inner() {
            return Err(err);
        }
        result?;
        // The page's findings first, then root's, each once.
        let (page_warnings, page_errors) = page_lists.into_inner();
        for w in page_warnings.into_iter().chain(root_warnings) {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        for e in page_errors.into_iter().chain(root_errors) {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        Ok(Rendered {
            html,
            warnings,
            errors,
        })
    }

    /// Renders shortcut `name` on its own (shortcuts are not put into root).
    pub fn render_shortcut(
        &self,
        project: &Project,
        name: &str,
        opts: &RenderOptions,
    ) -> Result<Rendered, RenderError> {
        let t = project
            .shortcuts
            .get(name)
            .ok_or_else(|| RenderError::Missing {
                kind: Kind::Shortcut,
                name: name.to_string(),
            })?;
        let globals = self.globals(project, name, opts, &Api::default())?;
        self.render_alone(project, t, &globals, opts)
    }

    /// One template on its own (a bare page, a shortcut).
    fn render_alone(
        &self,
        project: &Project,
        t: &Template,
        globals: &goakit_engine::Hash,
        opts: &RenderOptions,
    ) -> Result<Rendered, RenderError> {
        let (mut warnings, mut errors) = (Vec::new(), Vec::new());
        let mut html = String::new();
        self.render_template(
            project,
            t,
            globals,
            opts,
            Yield::Nothing,
            &mut html,
            &mut warnings,
            &mut errors,
        )?;
        Ok(Rendered {
            html,
            warnings,
            errors,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn render_template(
        &self,
        project: &Project,
        t: &Template,
        globals: &goakit_engine::Hash,
        opts: &RenderOptions,
        yield_to: Yield,
        out: &mut String,
        warnings: &mut Vec<Diagnostic>,
        errors: &mut Vec<TemplateError>,
    ) -> Result<(), RenderError> {
        let template = self.template(t)?;
        let locale = self.locale_object(t, &opts.locale)?;
        let snippets = ProjectSnippets {
            renderer: self,
            project,
            locale: &opts.locale,
            broken: Mutex::new(None),
        };
        let input = RenderInput {
            globals,
            locale,
            snippets: &snippets,
            yield_to,
            budget: project.config.render.budget(),
        };
        let result = engine::render_into(&template, &input, out);
        // A snippet whose locale file is broken is reported as that file's error.
        if let Some(e) = snippets
            .broken
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
        {
            return Err(e);
        }
        let rendered = result?;
        for w in rendered.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        errors.extend(rendered.errors);
        Ok(())
    }

    fn globals(
        &self,
        project: &Project,
        name: &str,
        opts: &RenderOptions,
        api: &Api,
    ) -> Result<goakit_engine::Hash, RenderError> {
        check_locale(project, &opts.locale)?;
        if let Some(f) = &project.preview_project {
            check_json_object(f)?;
        }
        Ok(crate::context::globals(project, name, opts, api))
    }

    /// Wraps rendered HTML in the full document (SPEC 4.3), `lang` the
    /// locale rendered.
    pub fn document(
        &self,
        project: &Project,
        body: &str,
        title: &str,
        asset_base: &str,
        extra_head: &str,
        lang: &str,
    ) -> String {
        crate::document::wrap(
            body,
            &crate::document::DocumentOptions {
                title,
                asset_base,
                addon_stylesheets: &project.config.addon.stylesheets,
                addon_scripts: &project.config.addon.scripts,
                extra_head,
                lang,
            },
        )
    }
}

/// Snippets of the project as the engine sees them.
struct ProjectSnippets<'a> {
    renderer: &'a Renderer,
    project: &'a Project,
    locale: &'a str,
    broken: Mutex<Option<RenderError>>,
}

impl SnippetResolver for ProjectSnippets<'_> {
    fn snippet(&self, name: &str) -> Option<Result<engine::Snippet, TemplateError>> {
        let t = self.project.snippets.get(name)?;
        let locale = match self.renderer.locale_object(t, self.locale) {
            Ok(l) => l,
            Err(e) => {
                *self.broken.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                LValue::from(goakit_engine::Hash::new())
            }
        };
        match self.renderer.template(t) {
            Ok(template) => Some(Ok(engine::Snippet { template, locale })),
            // Ruby renders a snippet's syntax error in place of the include.
            Err(RenderError::Template(e)) => Some(Err(e)),
            Err(e) => {
                *self.broken.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                None
            }
        }
    }
}

/// The locale must be one the project defines (SPEC 4.2): it goes into
/// `api_path` and picks every template's `l`.
pub fn check_locale(project: &Project, locale: &str) -> Result<(), RenderError> {
    let known = project.locales();
    if known.contains(locale) {
        return Ok(());
    }
    Err(RenderError::UnknownLocale {
        locale: locale.to_string(),
        known: known.into_iter().collect(),
    })
}

/// A JSON file must parse and hold an object to be used as a hash.
pub fn check_json_object<V: JsonTree>(f: &JsonFile<V>) -> Result<(), RenderError> {
    match f.object_problem() {
        None => Ok(()),
        Some((line, column, message)) => Err(RenderError::Json(
            ErrorLocation {
                file: f.path.clone(),
                line,
                column,
                source_line: source_line(&f.text, line).to_string(),
            },
            message,
        )),
    }
}
