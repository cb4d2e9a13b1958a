//! `goakit preview` (SPEC 8): the dev server. The shell at `/` looks like
//! Goaddon's addon screen; pages render from memory; a watcher re-reads only
//! the changed file, recompiles only what changed and only then signals the
//! browser, over a same-origin-free SSE channel that reconnects by itself.

pub mod serve;
pub mod watch;

use crate::addon_api::api_vars;
use crate::exit::{CmdResult, Failure};
use crate::project::{JsonFile, Kind, LoadError, Project, ROOT_PAGE, valid_name};
use crate::render::{ErrorLocation, Mode, RenderError, RenderOptions, Renderer};
use axum::Router;
use axum::extract::{Form, Path as UrlPath, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use clap::Args;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::RwLock;
use tokio::sync::broadcast;

const SHELL_HTML: &str = include_str!("../../theme/preview/shell.html");
const CLIENT_JS: &str = include_str!("../../theme/preview/client.js");
const OVERLAY_CSS: &str = include_str!("../../theme/preview/overlay.css");
/// The query parameter the shell uses to switch locale (not given to pages).
pub const LOCALE_PARAM: &str = "_locale";
/// The query parameter that carries this run's [`session_key`] (preview's
/// own URLs inside the sandboxed iframe, whose requests a browser marks
/// cross-site like any other site's).
pub const KEY_PARAM: &str = "_goakit";

/// A secret made at each start (128 random bits): only preview's own pages
/// hold it, and no other site can read them.
pub fn session_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut bytes = [0u8; 16];
        let random = std::fs::File::open("/dev/urandom")
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
        if random.is_err() {
            // No /dev/urandom: std's per-process random hash seeds.
            use std::hash::{BuildHasher, Hasher};
            for chunk in bytes.chunks_mut(8) {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u128(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos()),
                );
                chunk.copy_from_slice(&h.finish().to_le_bytes()[..chunk.len()]);
            }
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
}

#[derive(Args, Debug, Clone)]
pub struct PreviewArgs {
    /// Port to listen on (default: [preview].port, 4100).
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Open the shell in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Use preview/api/<page>.json instead of calling the addon API.
    #[arg(long)]
    pub offline: bool,
    /// Serve the variables panel's data (project and API answers) to other
    /// machines too, when --host is not loopback.
    #[arg(long)]
    pub expose_data: bool,
}

/// Everything the server shares between requests and the watcher.
pub struct Preview {
    pub root: PathBuf,
    /// Swapped whole by the watcher; requests take a cheap `Arc` clone.
    pub project: RwLock<Arc<Project>>,
    /// Swapped whole by the watcher; each render holds its own snapshot.
    pub renderer: RwLock<Arc<Renderer>>,
    pub offline: bool,
    /// Bumped after each change is applied; sent to browsers.
    pub version: std::sync::atomic::AtomicU64,
    pub changes: broadcast::Sender<u64>,
    /// Host names requests may use (DNS-rebinding guard).
    pub allowed_hosts: Vec<String>,
    /// Listening on all interfaces (`--host 0.0.0.0`): the port on which any
    /// IP-literal Host is also accepted (an IP cannot be DNS-rebound).
    pub any_ip_port: Option<u16>,
    /// goakit.toml (or the layout) could not be re-read: every document
    /// shows this until it is fixed, while the last good settings stay.
    pub load_error: RwLock<Option<LoadError>>,
    /// Differs between server runs, so a page reloads after a restart.
    pub boot: u64,
    /// `--expose-data`: the scope panel answers other machines too.
    pub expose_data: bool,
    /// The API answer of each page's latest load, so the variables panel
    /// shows what the page saw without calling the addon API again.
    last_api: std::sync::Mutex<HashMap<String, ApiSeen>>,
    /// Errors printed to the terminal since the last change (each once).
    reported: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// One page load's API answer: for which locale, params and version.
struct ApiSeen {
    locale: String,
    params: BTreeMap<String, String>,
    version: u64,
    api: Result<crate::addon_api::Answer, String>,
}

impl Preview {
    /// The current renderer (cheap: an `Arc`).
    pub fn renderer(&self) -> Arc<Renderer> {
        self.renderer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn new(project: Project, offline: bool) -> Arc<Preview> {
        let renderer = Renderer::for_project(&project);
        let (changes, _) = broadcast::channel(64);
        Arc::new(Preview {
            root: project.root.clone(),
            project: RwLock::new(Arc::new(project)),
            renderer: RwLock::new(Arc::new(renderer)),
            offline,
            version: Default::default(),
            changes,
            allowed_hosts: Vec::new(),
            any_ip_port: None,
            load_error: RwLock::new(None),
            last_api: Default::default(),
            reported: Default::default(),
            expose_data: false,
            boot: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
        })
    }

    /// The project as of now (a cheap clone of the shared snapshot).
    pub fn current(&self) -> Arc<Project> {
        self.project
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What a document was rendered at: this run and the change count.
    pub fn tag(&self) -> String {
        format!("{}.{}", self.boot, self.version())
    }

    /// The current version (changes applied so far).
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Tell browsers to reload; call after the change is applied.
    /// Prints each error not printed since the last change, one line each
    /// (terminal-safe): a page loaded again does not repeat it; after a
    /// save, what is still wrong is said once more.
    pub fn report<'e>(&self, errors: impl IntoIterator<Item = &'e str>) {
        use std::io::Write;
        let mut seen = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = std::io::stderr().lock();
        for e in errors {
            if seen.insert(e.to_string()) {
                let _ = writeln!(out, "error: {}", crate::diagnostic::terminal_safe(e));
            }
        }
    }

    pub fn signal(&self) -> u64 {
        self.reported
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let v = self
            .version
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let _ = self.changes.send(v);
        v
    }
}

pub fn run(dir: &Path, args: PreviewArgs) -> CmdResult {
    let project = crate::project::Project::load(dir)?;
    let port = args.port.unwrap_or(project.config.preview.port);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::say_err!("error: cannot start the server runtime: {e}");
            return Err(Failure::Failed);
        }
    };
    rt.block_on(async move {
        let addr = SocketAddr::new(args.host, port);
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                crate::say_err!("error: cannot listen on {addr}: {e} (try --port)");
                return Err(Failure::Usage);
            }
        };
        let local = listener.local_addr().unwrap_or(addr);
        let mut preview = Preview::new(project, args.offline);
        if let Some(p) = Arc::get_mut(&mut preview) {
            p.allowed_hosts = allowed_hosts(args.host, local.port());
            p.any_ip_port = args.host.is_unspecified().then_some(local.port());
            p.expose_data = args.expose_data;
        }
        if !args.host.is_loopback() {
            crate::say_err!(
                "warning: listening on {}: every page, shortcut, asset and the reload channel are reachable from other machines; {}",
                args.host,
                if args.expose_data {
                    "so is the variables panel's data (project and addon API answers), as --expose-data asks"
                } else {
                    "the variables panel's data (project and addon API answers) stays for this machine only (--expose-data shares it)"
                }
            );
        }
        let _watcher = match watch::spawn(preview.clone()) {
            Ok(w) => Some(w),
            Err(e) => {
                crate::say_err!("warning: file watching is off: {e}");
                None
            }
        };
        let url = format!("http://{}/", host_for_url(local));
        // A closed stdout (piped into `head`, say) must not stop the server.
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "goakit preview of {} at {url}", preview.root.display());
            let _ = writeln!(out, "(Ctrl-C to stop; pages reload when you save)");
            let _ = out.flush();
        }
        if args.open {
            open_browser(&url);
        }
        serve::serve(listener, router(preview))
            .await
            .map_err(|e| Failure::Error(format!("server stopped: {e}")))
    })
}

fn host_for_url(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

/// Host headers we answer to: the address we listen on, and localhost
/// names when that address is loopback.
pub fn allowed_hosts(host: IpAddr, port: u16) -> Vec<String> {
    let mut hosts = vec![host_for_url(SocketAddr::new(host, port))];
    if host.is_loopback() || host.is_unspecified() {
        hosts.push(format!("localhost:{port}"));
        hosts.push(format!("127.0.0.1:{port}"));
        hosts.push(format!("[::1]:{port}"));
    }
    hosts
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd).arg(url).spawn() {
        crate::say_err!("warning: cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}

pub fn router(state: Arc<Preview>) -> Router {
    Router::new()
        .route("/", get(shell))
        .route("/pages/{name}", get(page).post(form_post))
        .route("/shortcuts/{name}", get(shortcut).post(form_post))
        .route("/description", get(description))
        .route("/_goakit/vendor/{*path}", get(vendor))
        .route("/_goakit/events", get(events))
        .route("/_goakit/client.js", get(client_js))
        .route("/_goakit/scope/{name}", get(scope))
        .route("/_goakit/scope/shortcuts/{name}", get(shortcut_scope))
        .layer(middleware::from_fn(check_site))
        .layer(middleware::from_fn_with_state(state.clone(), check_host))
        .with_state(state)
}

/// Refuses requests for another host name (DNS rebinding): the server
/// answers only on the host it was told.
/// Exactly one Host header, and an absolute-form request line
/// (`GET http://name/ HTTP/1.1`) must name the same host: a second name
/// is never looked at instead of the first.
async fn check_host(State(state): State<Arc<Preview>>, req: Request, next: Next) -> Response {
    let hosts: Vec<_> = req.headers().get_all(header::HOST).iter().collect();
    if hosts.len() > 1 {
        return (StatusCode::BAD_REQUEST, "more than one Host header").into_response();
    }
    let host = hosts.first().and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Some(authority) = req.uri().authority()
        && !authority.as_str().eq_ignore_ascii_case(host)
    {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "the request line names another host",
        )
            .into_response();
    }
    if !state.allowed_hosts.is_empty()
        && !host_allowed(&state.allowed_hosts, state.any_ip_port, host)
    {
        return (StatusCode::MISDIRECTED_REQUEST, "unknown host").into_response();
    }
    next.run(req).await
}

/// Cross-site safety (README "Preview safety"): a request another site's
/// page can cause (a navigation, `<img>`, a form, `fetch`) never renders,
/// so never reaches the addon API. Allowed: the browser's own word that it
/// is this origin or the user (`Sec-Fetch-Site: same-origin` / `none`);
/// this run's key in the query (preview's own links and forms inside the
/// sandboxed iframe, whose opaque origin a browser reports as cross-site);
/// and, from clients that send no fetch metadata, a request whose `Origin`
/// and `Referer` are absent or this server. Static assets are public. After
/// a restart (a new key) the shell fetches itself anew and reloads the
/// page with the new key; a page open on its own is same-origin.
async fn check_site(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let public = path.starts_with("/_goakit/vendor/") || path == "/_goakit/client.js";
    let keyed = has_key(req.uri().query());
    let allowed = public || keyed || same_site_request(req.headers());
    if allowed {
        return next.run(req).await;
    }
    no_store(
        (
            StatusCode::FORBIDDEN,
            Html(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>goakit preview</title></head><body><p>This request came from another site, so goakit preview did not answer it (it would call the addon API). <a href=\"/\">Open goakit preview</a></p></body></html>",
            ),
        )
            .into_response(),
    )
}

/// The query holds this run's key.
fn has_key(query: Option<&str>) -> bool {
    let want = session_key();
    query
        .and_then(|q| reqwest::Url::parse(&format!("http://preview/?{q}")).ok())
        .is_some_and(|u| u.query_pairs().any(|(k, v)| k == KEY_PARAM && v == want))
}

/// What the browser says of where a request comes from.
fn same_site_request(h: &axum::http::HeaderMap) -> bool {
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    let Some(host) = get("host") else {
        return false;
    };
    let ours = format!("http://{host}");
    let origin_ok = get("origin").is_none_or(|o| o == ours);
    let referer_ok = get("referer").is_none_or(|r| {
        r.strip_prefix(&ours)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    origin_ok && referer_ok
}

/// `Access-Control-Allow-Origin: null` for a request from a sandboxed
/// (opaque-origin) document, never a wildcard.
fn allow_sandbox(req: &axum::http::HeaderMap, resp: &mut Response) {
    // Cached answers differ by Origin.
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
    if req.get(header::ORIGIN).is_some_and(|o| o == "null") {
        resp.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("null"),
        );
    }
}

/// Whether a request's Host header names this server.
pub fn host_allowed(allowed: &[String], any_ip_port: Option<u16>, host: &str) -> bool {
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
        return true;
    }
    let Some(port) = any_ip_port else {
        return false;
    };
    // `1.2.3.4:port` or `[::1]:port`: only literal addresses, never names.
    host.parse::<SocketAddr>().is_ok_and(|a| a.port() == port)
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn shell(State(state): State<Arc<Preview>>) -> Response {
    let project = state.project.read().unwrap_or_else(|e| e.into_inner());
    let locale = project.default_locale().to_string();
    let mut locales: Vec<String> = project
        .all_templates()
        .filter_map(|t| {
            t.locale
                .as_ref()?
                .object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    locales.sort();
    locales.dedup();
    if !locales.contains(&locale) {
        locales.insert(0, locale.clone());
    }
    let mut menu = String::new();
    for (name, t, title) in project.menu(&locale) {
        // Every locale's title, for the shell's locale switch.
        let titles: serde_json::Map<String, Value> = locales
            .iter()
            .map(|l| (l.clone(), json!(t.menu_title(l).unwrap_or(name))))
            .collect();
        menu.push_str(&format!(
            "<a class=\"menu-item\" href=\"#{n}\" data-page=\"{n}\" data-titles=\"{ts}\">{t}</a>\n",
            n = crate::document::escape(name),
            ts = crate::document::escape(&Value::Object(titles).to_string()),
            t = crate::document::escape(title)
        ));
    }
    let options: String = locales
        .iter()
        .map(|l| {
            format!(
                "<option{}>{}</option>",
                if *l == locale { " selected" } else { "" },
                crate::document::escape(l)
            )
        })
        .collect();
    let extras = if project.shortcuts.is_empty() {
        String::new()
    } else {
        project
            .shortcuts
            .keys()
            .map(|n| {
                format!(
                    "<a class=\"menu-item shortcut\" href=\"#shortcut:{n}\" data-shortcut=\"{n}\">⚡ {n}</a>\n",
                    n = crate::document::escape(n)
                )
            })
            .collect()
    };
    let html = SHELL_HTML
        .replace("{{menu}}", &menu)
        .replace("{{shortcuts}}", &extras)
        .replace("{{locales}}", &options)
        .replace("{{frontpage}}", crate::project::FRONT_PAGE)
        .replace("{{key}}", session_key())
        .replace(
            "{{title}}",
            &crate::document::escape(
                project
                    .root
                    .canonicalize()
                    .ok()
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "addon".into())
                    .as_str(),
            ),
        );
    no_store(Html(html).into_response())
}

/// The client script every document gets: reload on change, and show
/// render warnings in the console.
fn extra_head(tag: &str) -> String {
    let key = session_key();
    format!(
        "<style>{OVERLAY_CSS}</style>\n<script>window.__goakitVersion = \"{tag}\"; window.__goakitKey = \"{key}\";</script>\n<script src=\"/_goakit/client.js\"></script>\n"
    )
}

async fn client_js() -> Response {
    // A classic script: loads from the sandbox without CORS.
    let resp = (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        CLIENT_JS,
    )
        .into_response();
    no_store(resp)
}

fn options_from(
    project: &Project,
    mut query: BTreeMap<String, String>,
    offline: bool,
) -> RenderOptions {
    query.remove(KEY_PARAM);
    let locale = query
        .remove(LOCALE_PARAM)
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| project.default_locale().to_string());
    RenderOptions {
        locale,
        params: query,
        offline,
    }
}

/// A render error as a page: the overlay with message, file, line, column
/// and the source line. The client script still reloads it on fix.
fn overlay(err: &RenderError, version: &str, title: &str) -> Response {
    overlay_page(
        &err.to_string(),
        err.location(),
        err.chain(),
        err.hint(),
        version,
        title,
    )
}

fn overlay_page(
    message: &str,
    location: Option<ErrorLocation>,
    chain: &[String],
    hint: Option<&str>,
    version: &str,
    title: &str,
) -> Response {
    let esc = crate::document::escape;
    let mut body = String::from(
        "<div class=\"goakit-overlay\" role=\"alert\">\n<h1>goakit: this page does not render</h1>\n",
    );
    body.push_str(&format!(
        "<p class=\"goakit-message\">{}</p>\n",
        esc(message)
    ));
    if let Some(loc) = location {
        body.push_str(&format!(
            "<p class=\"goakit-where\"><code>{}:{}:{}</code></p>\n<pre class=\"goakit-source\"><span class=\"goakit-lineno\">{}</span> {}\n<span class=\"goakit-lineno\">{}</span> {}^</pre>\n",
            esc(&loc.file),
            loc.line,
            loc.column,
            loc.line,
            esc(&loc.source_line),
            " ".repeat(loc.line.to_string().len()),
            " ".repeat(loc.column.saturating_sub(1))
        ));
    }
    if !chain.is_empty() {
        body.push_str("<ul class=\"goakit-chain\">");
        for step in chain {
            body.push_str(&format!(
                "<li>included from <code>{}</code></li>",
                esc(step)
            ));
        }
        body.push_str("</ul>\n");
    }
    if let Some(hint) = hint {
        body.push_str(&format!("<p class=\"goakit-hint\">{}</p>\n", esc(hint)));
    }
    body.push_str(
        "<p class=\"goakit-foot\">Fix the file and save: this page reloads by itself.</p>\n</div>",
    );
    let doc = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{} – error</title>\n{}</head><body>\n{}\n</body></html>\n",
        esc(title),
        extra_head(version),
        body
    );
    no_store((StatusCode::INTERNAL_SERVER_ERROR, Html(doc)).into_response())
}

/// While goakit.toml (or the layout) cannot be read, every document is this
/// overlay: the author sees the problem where they look, not only in the
/// terminal.
fn load_error_overlay(state: &Preview, version: &str, title: &str) -> Option<Response> {
    let guard = state.load_error.read().unwrap_or_else(|e| e.into_inner());
    let err = guard.as_ref()?;
    let location = match (err.line, err.column) {
        (Some(line), Some(column)) => {
            let text = std::fs::read_to_string(state.root.join(&err.file)).unwrap_or_default();
            Some(ErrorLocation {
                file: err.file.clone(),
                line,
                column,
                source_line: crate::diagnostic::source_line(&text, line).to_string(),
            })
        }
        _ => None,
    };
    Some(overlay_page(
        &err.to_string(),
        location,
        &[],
        Some("preview keeps the last good settings until the file is fixed"),
        version,
        title,
    ))
}

/// A settings file that is not a JSON object would silently drop the page's
/// api_path (and root's): show it instead.
fn settings_error(project: &Project, kind: Kind, name: &str) -> Option<RenderError> {
    let own = match kind {
        Kind::Page => project.page(name),
        Kind::Shortcut => project.template(Kind::Shortcut, name),
        Kind::Snippet => None,
    };
    let root = (kind == Kind::Page)
        .then(|| project.page(ROOT_PAGE))
        .flatten();
    [own, root]
        .into_iter()
        .flatten()
        .filter_map(|t| t.settings.as_ref())
        .find_map(json_object_error)
}

fn json_object_error(f: &JsonFile) -> Option<RenderError> {
    crate::render::check_json_object(f).err()
}

/// A form posted to a page or shortcut: Goaddon would send it on to the
/// addon; preview shows the target with the fields as params, via a
/// 303 redirect so that reloading the result never re-posts.
async fn form_post(
    State(state): State<Arc<Preview>>,
    uri: axum::http::Uri,
    Query(query): Query<Vec<(String, String)>>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Response {
    let path = uri.path();
    let name = path.rsplit('/').next().unwrap_or("");
    let kind = if path.starts_with("/shortcuts/") {
        Kind::Shortcut
    } else {
        Kind::Page
    };
    if !valid_name(kind, name) {
        return not_found(
            &state.tag(),
            &format!("'{name}' is not a {} name", kind.label()),
        );
    }
    let mut params: BTreeMap<String, String> = query.into_iter().collect();
    // Fields win over the action's query; a multipart body adds nothing.
    if let Ok(Form(fields)) = form {
        params.extend(fields);
    }
    let mut target = path.to_string();
    if !params.is_empty() {
        let mut url = reqwest::Url::parse("http://preview/").expect("static URL");
        url.query_pairs_mut().extend_pairs(&params);
        target.push('?');
        target.push_str(url.query().unwrap_or(""));
    }
    no_store(Redirect::to(&target).into_response())
}

/// A 404 document that still reloads (the page may be created next) and,
/// knowing its version, catches a change made while it was loading.
fn not_found(version: &str, what: &str) -> Response {
    no_store(
        (
            StatusCode::NOT_FOUND,
            Html(format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>not found</title>\n{}</head><body><p>{}</p></body></html>",
                extra_head(version),
                crate::document::escape(what)
            )),
        )
            .into_response(),
    )
}

async fn page(
    State(state): State<Arc<Preview>>,
    UrlPath(name): UrlPath<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    // Read the version first: a change after this point reloads again.
    let version = state.tag();
    if !valid_name(Kind::Page, &name) {
        return not_found(&version, &format!("'{name}' is not a page name"));
    }
    if let Some(resp) = load_error_overlay(&state, &version, &name) {
        return resp;
    }
    let project = state.current();
    if project.page(&name).is_none() {
        return not_found(
            &version,
            &format!(
                "no page named '{name}' (expected {})",
                Kind::Page.template_path(&name)
            ),
        );
    }
    if let Some(e) = settings_error(&project, Kind::Page, &name) {
        return overlay(&e, &version, &name);
    }
    let opts = options_from(&project, query, state.offline);
    let seen = state.version();
    let api = api_vars(&project, &name, &opts).await;
    state
        .last_api
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            name.clone(),
            ApiSeen {
                locale: opts.locale.clone(),
                params: opts.params.clone(),
                version: seen,
                api: api.as_ref().map_err(|e| e.to_string()).cloned(),
            },
        );
    let api = match api {
        Ok(answer) => answer.api,
        Err(e) => {
            state.report([e.to_string().as_str()]);
            return overlay(&e, &version, &name);
        }
    };
    // Off the async threads: a runaway page runs out its budget there
    // while every other route, asset and the reload channel answer.
    let renderer = state.renderer();
    let lang = opts.locale.clone();
    let fell_back = fallbacks(
        &project,
        &[(Kind::Page, &name), (Kind::Page, ROOT_PAGE)],
        &lang,
    );
    let (r, p, n) = (renderer.clone(), project.clone(), name.clone());
    let result =
        tokio::task::spawn_blocking(move || r.render_page(&p, &n, &opts, &api, Mode::InRoot))
            .await
            .unwrap_or_else(|e| Err(render_panicked(&e)));
    let shown = Shown {
        title: &name,
        version: &version,
        lang: &lang,
        fell_back,
    };
    respond(&state, &renderer, &project, result, shown)
}

/// What a rendered document is about, for [`respond`].
struct Shown<'a> {
    title: &'a str,
    version: &'a str,
    /// The locale rendered (`<html lang>`).
    lang: &'a str,
    /// Banner lines for `l` keys shown in English.
    fell_back: Vec<String>,
}

/// The banner's line for each `l` key that shows English on this page
/// (SPEC 7 `missing-translation`, seen from the page).
fn fallbacks(project: &Project, templates: &[(Kind, &str)], locale: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, name) in templates {
        if let Some(t) = project.template(*kind, name) {
            let keys = t.untranslated(locale);
            if !keys.is_empty() {
                out.push(format!(
                    "{}: no {locale} text for {}; English shown (missing-translation)",
                    t.kind.locale_path(&t.name),
                    keys.iter()
                        .map(|k| format!("l.{k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    out
}

/// A render task that did not finish (it cannot panic by design; if it
/// did, the page says so instead of the server dying).
fn render_panicked(e: &tokio::task::JoinError) -> RenderError {
    RenderError::Internal(e.to_string())
}

/// The rendered document (with the client and any warnings) or the overlay.
fn respond(
    state: &Preview,
    renderer: &Renderer,
    project: &Project,
    result: Result<crate::render::Rendered, RenderError>,
    shown: Shown,
) -> Response {
    let Shown {
        title,
        version,
        lang,
        fell_back,
    } = shown;
    match &result {
        Ok(r) => {
            let lines: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
            state.report(lines.iter().map(String::as_str));
        }
        Err(e) => state.report([e.to_string().as_str()]),
    }
    match result {
        Ok(r) => {
            // Warnings first: the client script reads them when it runs.
            let mut head = String::new();
            if !r.warnings.is_empty() || !r.errors.is_empty() || !fell_back.is_empty() {
                // Runtime errors render inline as Ruby shows them; the
                // banner names each with its position and include chain.
                let mut list: Vec<String> = r
                    .errors
                    .iter()
                    .map(|e| {
                        let mut line = format!("error: {e}");
                        for step in &e.chain {
                            line.push_str(&format!(" (included from {step})"));
                        }
                        line
                    })
                    .collect();
                list.extend(r.warnings.iter().map(|w| w.to_string()));
                list.extend(fell_back);
                // `</` cannot end the script early inside a JSON string.
                let list = json!(list).to_string().replace("</", "<\\/");
                head.push_str(&format!(
                    "<script>window.__goakitWarnings = {list};</script>\n"
                ));
            }
            head.push_str(&extra_head(version));
            let doc =
                renderer.document(project, &r.html, title, crate::VENDOR_URL_BASE, &head, lang);
            no_store(Html(doc).into_response())
        }
        Err(e) => overlay(&e, version, title),
    }
}

async fn shortcut(
    State(state): State<Arc<Preview>>,
    UrlPath(name): UrlPath<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let version = state.tag();
    if !valid_name(Kind::Shortcut, &name) {
        return not_found(&version, &format!("'{name}' is not a shortcut name"));
    }
    if let Some(resp) = load_error_overlay(&state, &version, &name) {
        return resp;
    }
    let project = state.current();
    if !project.shortcuts.contains_key(&name) {
        return not_found(&version, &format!("no shortcut named '{name}'"));
    }
    if let Some(e) = settings_error(&project, Kind::Shortcut, &name) {
        return overlay(&e, &version, &name);
    }
    let opts = options_from(&project, query, state.offline);
    let renderer = state.renderer();
    let lang = opts.locale.clone();
    let fell_back = fallbacks(&project, &[(Kind::Shortcut, &name)], &lang);
    let (r, p, n) = (renderer.clone(), project.clone(), name.clone());
    let result = tokio::task::spawn_blocking(move || r.render_shortcut(&p, &n, &opts))
        .await
        .unwrap_or_else(|e| Err(render_panicked(&e)));
    let shown = Shown {
        title: &name,
        version: &version,
        lang: &lang,
        fell_back,
    };
    respond(&state, &renderer, &project, result, shown)
}

/// Markdown rendered and sanitised as Goaddon would show it.
pub fn markdown_html(md: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::all());
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::clean(&html)
}

async fn description(State(state): State<Arc<Preview>>) -> Response {
    let version = state.tag();
    if let Some(resp) = load_error_overlay(&state, &version, "description") {
        return resp;
    }
    let project = state.current();
    let body = match &project.description {
        Some(d) => format!(
            "<div class=\"container py-4\">{}</div>",
            markdown_html(&d.text)
        ),
        None => "<div class=\"container py-4 text-muted\">No description.md yet.</div>".into(),
    };
    let renderer = state.renderer();
    let doc = renderer.document(
        &project,
        &body,
        "description",
        crate::VENDOR_URL_BASE,
        &extra_head(&version),
        project.default_locale(),
    );
    no_store(Html(doc).into_response())
}

async fn vendor(UrlPath(path): UrlPath<String>, headers: axum::http::HeaderMap) -> Response {
    // Exact match against the embedded files only: no path ever reaches
    // the file system, so `..` and encoded forms cannot escape.
    match crate::assets::get(&path) {
        Some(asset) => {
            let mut resp =
                ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response();
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            // Fonts are fetched (with CORS) from the sandboxed page.
            allow_sandbox(&headers, &mut resp);
            resp
        }
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The scope panel's data (project, API answers) is for this machine unless
/// `--expose-data`: a request from another address gets a 403.
fn data_denied(
    state: &Preview,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
) -> Option<Response> {
    let peer = peer.map(|p| p.0.0)?;
    if state.expose_data || peer.ip().is_loopback() {
        return None;
    }
    Some(
        (
            StatusCode::FORBIDDEN,
            "the variables panel's data is for the machine running goakit preview (start it with --expose-data to share it)",
        )
            .into_response(),
    )
}

/// The variables in scope for the shell's panel: project, locale, page,
/// params, api (as the page's latest load saw it) and the page's `l`.
async fn scope(
    State(state): State<Arc<Preview>>,
    UrlPath(name): UrlPath<String>,
    Query(query): Query<BTreeMap<String, String>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
) -> Response {
    if let Some(denied) = data_denied(&state, peer) {
        return denied;
    }
    if !valid_name(Kind::Page, &name) {
        return (StatusCode::NOT_FOUND, "not a page").into_response();
    }
    let project = state.current();
    let Some(page) = project.page(&name) else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let opts = options_from(&project, query, state.offline);
    let cached = {
        let seen = state.last_api.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&name)
            .filter(|s| {
                s.locale == opts.locale && s.params == opts.params && s.version == state.version()
            })
            .map(|s| s.api.clone())
    };
    let api = match cached {
        Some(api) => api,
        None => api_vars(&project, &name, &opts)
            .await
            .map_err(|e| e.to_string()),
    };
    let (api, sent, error) = match api {
        Ok(a) => (a.api, a.sent, None),
        Err(e) => (Default::default(), Vec::new(), Some(e)),
    };
    let globals = crate::context::globals(&project, &name, &opts, &api);
    let mut scope = crate::context::panel(&globals, page.locale_for(&opts.locale));
    if let Some(e) = error {
        scope.insert(crate::context::API.into(), json!({"error": e}));
    }
    // What the addon API was sent (or which fixture was read).
    scope.insert("sent".into(), json!(sent));
    scope.insert("version".into(), json!(state.version()));
    let scope = Value::Object(scope);
    no_store(axum::Json(scope).into_response())
}

/// The same for a shortcut (shortcuts get no api hash).
async fn shortcut_scope(
    State(state): State<Arc<Preview>>,
    UrlPath(name): UrlPath<String>,
    Query(query): Query<BTreeMap<String, String>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<SocketAddr>>>,
) -> Response {
    if let Some(denied) = data_denied(&state, peer) {
        return denied;
    }
    let project = state.current();
    let Some(t) = valid_name(Kind::Shortcut, &name)
        .then(|| project.shortcuts.get(&name))
        .flatten()
    else {
        return (StatusCode::NOT_FOUND, "no such shortcut").into_response();
    };
    let opts = options_from(&project, query, state.offline);
    let globals = crate::context::globals(&project, &name, &opts, &Default::default());
    let mut scope = crate::context::panel(&globals, t.locale_for(&opts.locale));
    scope.insert("version".into(), json!(state.version()));
    let scope = Value::Object(scope);
    no_store(axum::Json(scope).into_response())
}

/// Server-sent events: one `reload` event per applied change. The browser's
/// EventSource reconnects by itself after a server restart.
async fn events(State(state): State<Arc<Preview>>, headers: axum::http::HeaderMap) -> Response {
    let rx = state.changes.subscribe();
    let hello = state.tag();
    let stream = futures_util::stream::unfold((rx, Some(hello)), |(mut rx, hello)| async move {
        if let Some(v) = hello {
            // Reconnect quickly after a restart (browsers default to ~3 s).
            let ev = Event::default()
                .event("hello")
                .data(&v)
                .retry(std::time::Duration::from_millis(300));
            return Some((Ok::<_, std::convert::Infallible>(ev), (rx, None)));
        }
        loop {
            match rx.recv().await {
                Ok(v) => {
                    let ev = Event::default().event("reload").data(v.to_string());
                    return Some((Ok(ev), (rx, None)));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let mut resp = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    // The page in the sandbox reads it (its origin is opaque: `null`).
    allow_sandbox(&headers, &mut resp);
    no_store(resp)
}
