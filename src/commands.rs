//! `goakit init`, `render` and `build` (SPEC 6).

use crate::addon_api::api_vars;
use crate::diagnostic::terminal_safe;
use crate::exit::{CmdResult, Failure, failed_if};
use crate::project::{Kind, Project};
use crate::render::{Mode, RenderError, RenderOptions, Renderer};
use clap::Args;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to create the project (default: --dir).
    pub path: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The page to render (e.g. frontpage, orders__show, or its file
    /// templates/pages/orders.html).
    #[arg(required_unless_present = "shortcut")]
    pub page: Option<String>,
    /// Render this shortcut instead of a page.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["page", "bare"])]
    pub shortcut: Option<String>,
    /// The locale for `l` and `locale` (default: [preview].locale).
    #[arg(long)]
    pub locale: Option<String>,
    /// A query parameter the page sees as `params.k` (repeatable).
    #[arg(long = "param", value_name = "K=V", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Use preview/api/<page>.json instead of calling the addon API.
    #[arg(long)]
    pub offline: bool,
    /// The page alone, not rendered into root.
    #[arg(long, conflicts_with = "document")]
    pub bare: bool,
    /// The full HTML document with Bootstrap, jQuery, Popper and FontAwesome.
    #[arg(long)]
    pub document: bool,
    /// With --document: the URL prefix of the bundled libraries
    /// (default: where `goakit preview` serves them).
    #[arg(long, value_name = "URL", default_value = crate::VENDOR_URL_BASE, requires = "document")]
    pub asset_base: String,
}

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Output folder (default: <dir>/build).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The locale to build (default: [preview].locale).
    #[arg(long)]
    pub locale: Option<String>,
    /// Use preview/api/<page>.json instead of calling the addon API.
    #[arg(long)]
    pub offline: bool,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected K=V, got {s:?}")),
    }
}

/// Prints a render error with its location, source line and include chain.
pub fn print_render_error(err: &RenderError) {
    let mut out = std::io::stderr().lock();
    let _ = writeln!(out, "error: {}", terminal_safe(&err.to_string()));
    if let Some(loc) = err.location()
        && !loc.source_line.is_empty()
    {
        let gutter = loc.line.to_string();
        let _ = writeln!(out, "{} |", " ".repeat(gutter.len()));
        let _ = writeln!(out, "{gutter} | {}", terminal_safe(&loc.source_line));
        let caret_pad: String = loc
            .source_line
            .chars()
            .take(loc.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{} | {caret_pad}^", " ".repeat(gutter.len()));
    }
    // A runaway cycle has a long chain: show its two ends.
    let chain = err.chain();
    for (i, step) in chain.iter().enumerate() {
        if chain.len() > 8 && (3..chain.len() - 3).contains(&i) {
            if i == 3 {
                let _ = writeln!(out, "  … {} more includes", chain.len() - 6);
            }
            continue;
        }
        let _ = writeln!(out, "  included from {}", terminal_safe(step));
    }
    if let Some(hint) = err.hint() {
        let _ = writeln!(out, "hint: {hint}");
    }
}

/// Prints each runtime error that Ruby rendered inline (SPEC 4.4); true
/// when there was one (the command then exits 1).
fn print_inline_errors(errors: &[crate::engine::TemplateError]) -> bool {
    for e in errors {
        print_render_error(&RenderError::Template(e.clone()));
    }
    !errors.is_empty()
}

fn print_warnings(warnings: &[crate::diagnostic::Diagnostic]) {
    for w in warnings {
        crate::say_err!(
            "warning: {}:{}:{}: {}",
            terminal_safe(&w.file),
            w.line,
            w.column,
            terminal_safe(&w.message)
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn init(dir: &Path, args: InitArgs) -> CmdResult {
    let target = args.path.unwrap_or_else(|| dir.to_path_buf());
    match crate::scaffold::init(&target) {
        Ok(files) => {
            crate::say!(
                "Created a Goaddon addon in {} ({}).",
                target.display(),
                crate::diagnostic::count(files.len(), "file", "files")
            );
            crate::say!("Next: goakit preview --dir {}", target.display());
            Ok(())
        }
        Err(e) => {
            crate::say_err!("error: {e:#}");
            Err(Failure::Usage)
        }
    }
}

/// A template name as the user typed it: the name, or its file
/// (`templates/pages/orders.html`, `orders.html`). `Err` holds the kind the
/// path says it is when that is not `kind`.
pub fn template_name(kind: Kind, given: &str) -> Result<String, Kind> {
    match crate::project::template_ref(given) {
        (Some(k), _) if k != kind => Err(k),
        (_, name) => Ok(name),
    }
}

/// The template `kind`/`given` names, or the exit code after saying what
/// was meant.
fn find_template(project: &Project, kind: Kind, given: &str) -> Result<String, Failure> {
    let name = match template_name(kind, given) {
        Ok(n) => n,
        Err(other) => {
            let hint = match other {
                Kind::Shortcut => "render it with --shortcut NAME",
                Kind::Page => "render it as PAGE, without --shortcut",
                Kind::Snippet => "snippets render inside the pages that include them",
            };
            crate::say_err!(
                "error: {given} is a {}, not a {}: {hint}",
                other.label(),
                kind.label()
            );
            return Err(Failure::Usage);
        }
    };
    if project.template(kind, &name).is_some() {
        return Ok(name);
    }
    let known: Vec<&str> = project.templates(kind).keys().map(String::as_str).collect();
    crate::say_err!(
        "error: no {} named '{name}' (expected {}){}\n  {}: {}",
        kind.label(),
        kind.template_path(&name),
        crate::suggest::hint(&name, known.iter().copied()),
        kind.dir(),
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    );
    Err(Failure::Usage)
}

pub fn render(dir: &Path, args: RenderArgs) -> CmdResult {
    let project = Project::load(dir)?;
    let (kind, given) = match (&args.shortcut, &args.page) {
        (Some(s), _) => (Kind::Shortcut, s.as_str()),
        (None, Some(p)) => (Kind::Page, p.as_str()),
        (None, None) => return Err(Failure::Usage),
    };
    let name = find_template(&project, kind, given)?;
    let opts = RenderOptions {
        locale: args
            .locale
            .unwrap_or_else(|| project.default_locale().to_string()),
        params: args.params.into_iter().collect::<BTreeMap<_, _>>(),
        offline: args.offline,
    };
    if let Err(e) = crate::render::check_locale(&project, &opts.locale) {
        crate::say_err!("error: {e}");
        return Err(Failure::Usage);
    }
    let renderer = Renderer::for_project(&project);
    let mode = if args.bare { Mode::Bare } else { Mode::InRoot };
    let result = match kind {
        Kind::Shortcut => renderer.render_shortcut(&project, &name, &opts),
        _ => runtime()
            .block_on(api_vars(&project, &name, &opts))
            .and_then(|a| renderer.render_page(&project, &name, &opts, &a.api, mode)),
    };
    match result {
        Ok(rendered) => {
            print_warnings(&rendered.warnings);
            let failed = print_inline_errors(&rendered.errors);
            let html = if args.document {
                renderer.document(
                    &project,
                    &rendered.html,
                    &name,
                    &args.asset_base,
                    "",
                    &opts.locale,
                )
            } else {
                rendered.html
            };
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(html.as_bytes());
            let _ = stdout.flush();
            failed_if(failed)
        }
        Err(e) => {
            print_render_error(&e);
            Err(Failure::Failed)
        }
    }
}

/// The file `goakit build` leaves in its output folder: a folder holding it
/// was made by goakit and may be written again.
pub const BUILD_MARKER: &str = ".goakit-build";

/// `build --out` may not be (or hold, or lie inside) the project's sources,
/// nor a folder with content that `goakit build` did not make.
fn check_build_out(root: &Path, out: &Path) -> Result<(), String> {
    let out_real = crate::links::resolved(out).map_err(|e| e.to_string())?;
    let root_real = crate::links::resolved(root).map_err(|e| e.to_string())?;
    if root_real.starts_with(&out_real) {
        return Err("it holds the project itself: choose an output folder of its own".into());
    }
    for src in [
        "templates",
        "locales",
        "settings",
        "preview",
        "goakit.toml",
        "description.md",
    ] {
        if out_real.starts_with(root_real.join(src)) {
            return Err(format!(
                "it is inside the project's {src}: choose an output folder of its own"
            ));
        }
    }
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err("it is a link: build output is never written through links".into());
    }
    let has_content = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some());
    if has_content && !out.join(BUILD_MARKER).is_file() {
        return Err(format!(
            "it is not empty and was not made by goakit build (no {BUILD_MARKER} in it): choose an empty or new folder"
        ));
    }
    Ok(())
}

pub fn build(dir: &Path, args: BuildArgs) -> CmdResult {
    let project = Project::load(dir)?;
    let locale = args
        .locale
        .unwrap_or_else(|| project.default_locale().to_string());
    if let Err(e) = crate::render::check_locale(&project, &locale) {
        crate::say_err!("error: {e}");
        return Err(Failure::Usage);
    }
    let out = args.out.unwrap_or_else(|| dir.join("build"));
    if let Err(why) = check_build_out(&project.root, &out) {
        crate::say_err!("error: build --out {}: {why}", out.display());
        return Err(Failure::Usage);
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        crate::say_err!("error: cannot create {}: {e}", out.display());
        return Err(Failure::Failed);
    }
    // No stale file of an earlier build survives.
    if let Err(e) = crate::build::clear(&out) {
        crate::say_err!("error: cannot empty {}: {e}", out.display());
        return Err(Failure::Failed);
    }
    let opts = RenderOptions {
        locale,
        params: BTreeMap::new(),
        offline: args.offline,
    };
    let renderer = Renderer::for_project(&project);
    let rt = runtime();
    let mut written = 0usize;
    let mut failed = 0usize;
    let mut write = |rel: String, html: &str| -> bool {
        let path = out.join(&rel);
        let result = crate::links::write_no_links(&out, Path::new(&rel), html.as_bytes());
        match result {
            Ok(()) => {
                written += 1;
                true
            }
            Err(e) => {
                crate::say_err!("error: cannot write {}: {e}", path.display());
                false
            }
        }
    };
    // Every page, then every page a built document links to with other
    // parameters (`/pages/orders__show?id=o-1041`), each once.
    let mut queue: std::collections::VecDeque<crate::build::Target> = project
        .pages
        .keys()
        .map(|n| (n.clone(), BTreeMap::new()))
        .collect();
    let mut seen: std::collections::BTreeSet<crate::build::Target> =
        queue.iter().cloned().collect();
    let mut variants = 0usize;
    let mut beyond = 0usize;
    let mut follow = |links: Vec<crate::build::Target>,
                      queue: &mut std::collections::VecDeque<_>| {
        for t in links {
            if seen.contains(&t) {
                continue;
            }
            if variants >= crate::build::MAX_VARIANTS {
                beyond += 1;
                continue;
            }
            variants += 1;
            seen.insert(t.clone());
            queue.push_back(t);
        }
    };
    // Documents sit one folder deep (pages/, shortcuts/); assets beside them.
    let asset_base = "../assets/vendor/";
    for name in project.shortcuts.keys() {
        match renderer.render_shortcut(&project, name, &opts) {
            Ok(r) => {
                print_warnings(&r.warnings);
                if print_inline_errors(&r.errors) {
                    failed += 1;
                }
                let doc = renderer.document(&project, &r.html, name, asset_base, "", &opts.locale);
                let (doc, links) = crate::build::rewrite_links(&project, &doc, 1);
                follow(links, &mut queue);
                if !write(format!("shortcuts/{name}.html"), &doc) {
                    failed += 1;
                }
            }
            Err(e) => {
                print_render_error(&e);
                failed += 1;
            }
        }
    }
    // The description, at the top; the pages it links to are built too.
    if let Some(d) = &project.description {
        let body = format!(
            "<div class=\"container py-4\">{}</div>",
            crate::preview::markdown_html(&d.text)
        );
        let doc = renderer.document(
            &project,
            &body,
            "description",
            "assets/vendor/",
            "",
            &opts.locale,
        );
        let (doc, links) = crate::build::rewrite_links(&project, &doc, 0);
        follow(links, &mut queue);
        if !write("description.html".into(), &doc) {
            failed += 1;
        }
    }
    while let Some((name, params)) = queue.pop_front() {
        let opts = RenderOptions {
            params: params.clone(),
            ..opts.clone()
        };
        let result = rt
            .block_on(api_vars(&project, &name, &opts))
            .and_then(|a| renderer.render_page(&project, &name, &opts, &a.api, Mode::InRoot));
        match result {
            Ok(r) => {
                print_warnings(&r.warnings);
                if print_inline_errors(&r.errors) {
                    failed += 1;
                }
                let doc = renderer.document(&project, &r.html, &name, asset_base, "", &opts.locale);
                let (doc, links) = crate::build::rewrite_links(&project, &doc, 1);
                follow(links, &mut queue);
                if !write(crate::build::page_file(&name, &params), &doc) {
                    failed += 1;
                }
            }
            Err(e) => {
                print_render_error(&e);
                failed += 1;
            }
        }
    }
    if beyond > 0 {
        crate::say_err!(
            "warning: {} not built: more than {} pages opened with parameters",
            crate::diagnostic::count(beyond, "linked page", "linked pages"),
            crate::build::MAX_VARIANTS
        );
    }
    // The index with the menu, at the top.
    let index = crate::build::index_html(&project, &opts.locale, project.description.is_some());
    let doc = renderer.document(
        &project,
        &index,
        "index",
        "assets/vendor/",
        "",
        &opts.locale,
    );
    if !write("index.html".into(), &doc) {
        failed += 1;
    }
    for asset in crate::assets::all() {
        let rel = Path::new("assets/vendor").join(asset.path);
        let path = out.join(&rel);
        let result = crate::links::write_no_links(&out, &rel, asset.bytes);
        if let Err(e) = result {
            crate::say_err!("error: cannot write {}: {e}", path.display());
            failed += 1;
        }
    }
    if let Err(e) = crate::links::write_no_links(
        &out,
        Path::new(BUILD_MARKER),
        b"made by goakit build: this folder may be rebuilt\n",
    ) {
        crate::say_err!(
            "error: cannot write {}: {e}",
            out.join(BUILD_MARKER).display()
        );
        failed += 1;
    }
    let written = crate::diagnostic::count(written, "document", "documents");
    if failed > 0 {
        crate::say_err!(
            "build: {written} written to {}, {failed} failed",
            out.display()
        );
        Err(Failure::Failed)
    } else {
        crate::say_err!("build: {written} written to {}", out.display());
        Ok(())
    }
}
