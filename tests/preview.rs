//! `goakit preview` over real HTTP and the real watcher on real files.

mod support;

use goakit::preview::{Preview, router, watch};
use goakit::project::Project;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::copy_dir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Copies a fixture into a temp dir so tests can edit it.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let dst = tempfile::tempdir().unwrap();
    copy_dir(&src, dst.path());
    dst
}

struct Server {
    addr: SocketAddr,
    state: Arc<Preview>,
    _watcher: notify::RecommendedWatcher,
}

async fn start(dir: &Path, offline: bool, check_host: bool) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut state = Preview::new(Project::load(dir).unwrap(), offline);
    if check_host {
        Arc::get_mut(&mut state).unwrap().allowed_hosts =
            goakit::preview::allowed_hosts(addr.ip(), addr.port());
    }
    let watcher = watch::spawn(state.clone()).unwrap();
    let app = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        addr,
        state,
        _watcher: watcher,
    }
}

async fn get(s: &Server, path: &str) -> (u16, String) {
    let r = reqwest::get(format!("http://{}{}", s.addr, path))
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Reads the SSE stream, yielding event names ("hello", "reload").
struct Events {
    lines: tokio::io::Lines<BufReader<tokio::net::TcpStream>>,
}

impl Events {
    async fn open(s: &Server) -> Events {
        let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        tcp.write_all(
            format!(
                "GET /_goakit/events?_goakit={} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
                goakit::preview::session_key(),
                s.addr
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let mut ev = Events {
            lines: BufReader::new(tcp).lines(),
        };
        assert_eq!(
            ev.next(Duration::from_secs(5)).await.as_deref(),
            Some("hello")
        );
        ev
    }

    /// The next event name, or None when none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<String> {
        let fut = async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                if let Some(name) = line.strip_prefix("event:") {
                    return Some(name.trim().to_string());
                }
            }
            None
        };
        tokio::time::timeout(wait, fut).await.ok().flatten()
    }
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn routes() {
    let dir = copy_fixture("example-addon");
    let s = start(dir.path(), true, false).await;
    let (code, shell) = get(&s, "/").await;
    assert_eq!(code, 200);
    assert!(shell.contains("sandbox=\"allow-scripts allow-forms allow-popups\""));
    assert!(!shell.contains("allow-same-origin\""));
    assert!(shell.contains(">Dashboard</a>") && shell.contains(">Orders</a>"));
    assert!(
        !shell.contains("data-page=\"orders__show\""),
        "sub pages are not in the menu"
    );
    assert!(!shell.contains("data-page=\"root\""));
    let (code, orders) = get(&s, "/pages/orders?status=paid").await;
    assert_eq!(code, 200);
    assert!(
        orders.contains("<option value=\"paid\" selected>"),
        "params reach the page"
    );
    assert!(orders.contains("/_goakit/client.js"));
    let b = orders.find("bootstrap.min.css").unwrap();
    let j = orders.find("jquery.min.js").unwrap();
    assert!(b < j);
    // Unknown filters render (passed through) and are reported in the page.
    std::fs::write(
        dir.path().join("templates/pages/settings.html"),
        "<p>{{ 5 | money }}</p>",
    )
    .unwrap();
    // Apply it now rather than wait for the watcher (which may also see it).
    let root = dir.path().canonicalize().unwrap();
    let changed = std::collections::BTreeSet::from([root.join("templates/pages/settings.html")]);
    watch::apply(&s.state, &root, &changed);
    let (code, warned) = get(&s, "/pages/settings").await;
    assert_eq!(code, 200);
    assert!(warned.contains("<p>5</p>"));
    assert!(warned.contains("__goakitWarnings") && warned.contains("unknown filter 'money'"));
    let (code, show) = get(&s, "/pages/orders__show?id=o-1042").await;
    assert_eq!(code, 200);
    assert!(show.contains("Leave at the back door."));
    assert_eq!(get(&s, "/pages/nope").await.0, 404);
    assert_eq!(get(&s, "/pages/Orders").await.0, 404);
    assert_eq!(get(&s, "/shortcuts/open_orders").await.0, 200);
    let (code, desc) = get(&s, "/description").await;
    assert_eq!(code, 200);
    assert!(desc.contains("<h1>Orderly</h1>") && desc.contains("<strong>Dashboard</strong>"));
    let r = reqwest::get(format!(
        "http://{}/_goakit/vendor/fontawesome-free-5.4.2/webfonts/fa-solid-900.woff2",
        s.addr
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "font/woff2");
    let (code, scope) = get(&s, "/_goakit/scope/orders?q=x").await;
    assert_eq!(code, 200);
    let scope: serde_json::Value = serde_json::from_str(&scope).unwrap();
    assert_eq!(scope["params"]["q"], "x");
    assert_eq!(scope["l"]["headline"], "Orders");
    assert_eq!(scope["api"]["currency"], "EUR");
    assert_eq!(scope["project"]["name"], "Nordic Bikes");
    let (code, scope) = get(&s, "/_goakit/scope/shortcuts/open_orders?x=1").await;
    assert_eq!(code, 200);
    let scope: serde_json::Value = serde_json::from_str(&scope).unwrap();
    assert_eq!(scope["params"]["x"], "1");
    assert_eq!(scope["project"]["name"], "Nordic Bikes");
    assert!(scope["l"].as_object().is_some_and(|l| !l.is_empty()));
    assert_eq!(get(&s, "/_goakit/scope/shortcuts/nope").await.0, 404);
    assert_eq!(get(&s, "/_goakit/scope/nope").await.0, 404);
}

#[tokio::test]
async fn paths_never_escape() {
    let dir = copy_fixture("example-addon");
    let s = start(dir.path(), true, false).await;
    for path in [
        "/_goakit/vendor/../../Cargo.toml",
        "/_goakit/vendor/%2e%2e/%2e%2e/Cargo.toml",
        "/_goakit/vendor/bootstrap-4.3.1/..%2f..%2fCargo.toml",
        "/_goakit/vendor/%2Fetc%2Fpasswd",
        "/pages/..%2f..%2fgoakit",
        "/pages/%2e%2e",
        "/shortcuts/..%5c..%5cgoakit",
        "/../goakit.toml",
        "/goakit.toml",
        "/templates/pages/root.html",
    ] {
        let (code, body) = raw_get(&s, path, &s.addr.to_string()).await;
        assert!(code == 404 || code == 400, "{path}: {code}");
        assert!(
            !body.contains("[addon]") && !body.contains("root:"),
            "{path} leaked"
        );
    }
}

/// Sends `path` byte for byte (no client-side normalisation); the status.
async fn raw_get(s: &Server, path: &str, host: &str) -> (u16, String) {
    send_to(s, "GET", path, host, "").await
}

#[tokio::test]
async fn answers_only_on_its_host() {
    let dir = copy_fixture("example-addon");
    let s = start(dir.path(), true, true).await;
    let own = s.addr.to_string();
    assert_eq!(raw_get(&s, "/", &own).await.0, 200);
    assert_eq!(
        raw_get(&s, "/", &format!("localhost:{}", s.addr.port()))
            .await
            .0,
        200
    );
    // DNS rebinding: a foreign name pointing at 127.0.0.1 gets nothing.
    assert_eq!(raw_get(&s, "/", "evil.example").await.0, 421);
    assert_eq!(
        raw_get(
            &s,
            "/pages/orders",
            &format!("evil.example:{}", s.addr.port())
        )
        .await
        .0,
        421
    );
    // One Host only, and an absolute-form request line names the same one.
    let (code, _) = send(&s, "GET", "/", "Host: evil.example\r\n").await;
    assert_eq!(code, 400);
    let (code, _) = send(&s, "GET", "http://evil.example/pages/orders", "").await;
    assert_eq!(code, 421);
    let (code, _) = send(&s, "GET", &format!("http://{own}/"), "").await;
    assert_eq!(code, 200);
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[tokio::test]
async fn watcher_edit_create_delete_rename_burst() {
    let dir = copy_fixture("example-addon");
    let d = dir.path().to_path_buf();
    let s = start(&d, true, false).await;
    let mut ev = Events::open(&s).await;

    // Edit: the reload comes only once the new render is ready.
    write(
        &d,
        "templates/pages/settings.html",
        "<h1>Edited settings</h1>",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert!(
        get(&s, "/pages/settings")
            .await
            .1
            .contains("Edited settings")
    );

    // A touch that changes nothing does not reload.
    write(
        &d,
        "templates/pages/settings.html",
        "<h1>Edited settings</h1>",
    );
    assert_eq!(ev.next(Duration::from_millis(400)).await, None);

    // Create a page in a new nested snippet folder.
    write(
        &d,
        "templates/snippets/new/thing.html",
        "new snippet {{ l.x }}",
    );
    write(
        &d,
        "locales/snippets/new/thing.json",
        r#"{"en":{"x":"X!"}}"#,
    );
    write(
        &d,
        "templates/pages/extra.html",
        "{% include 'new/thing' %}",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    while ev.next(Duration::from_millis(300)).await.is_some() {}
    assert!(get(&s, "/pages/extra").await.1.contains("new snippet X!"));

    // Atomic save as editors do it: write a temp file, rename over.
    write(
        &d,
        "templates/pages/.extra.html.tmp",
        "renamed in {{ page.name }}",
    );
    std::fs::rename(
        d.join("templates/pages/.extra.html.tmp"),
        d.join("templates/pages/extra.html"),
    )
    .unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert!(get(&s, "/pages/extra").await.1.contains("renamed in extra"));

    // Delete: the page is gone.
    std::fs::remove_file(d.join("templates/pages/extra.html")).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert_eq!(get(&s, "/pages/extra").await.0, 404);

    // A folder renamed away: its snippets are gone from the project.
    std::fs::rename(d.join("templates/snippets/new"), d.join("moved")).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert!(
        !s.state
            .project
            .read()
            .unwrap()
            .snippets
            .contains_key("new/thing")
    );

    // A burst of saves coalesces into (at most a couple of) reloads, and the
    // last content wins.
    while ev.next(Duration::from_millis(200)).await.is_some() {}
    for i in 0..20 {
        write(
            &d,
            "templates/pages/settings.html",
            &format!("<h1>burst {i}</h1>"),
        );
    }
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let mut extra = 0;
    while ev.next(Duration::from_millis(300)).await.is_some() {
        extra += 1;
    }
    assert!(extra <= 2, "20 saves gave {} reloads", extra + 1);
    assert!(get(&s, "/pages/settings").await.1.contains("burst 19"));
}

#[tokio::test]
async fn errors_show_an_overlay_and_recover() {
    let dir = copy_fixture("example-addon");
    let d: PathBuf = dir.path().to_path_buf();
    let s = start(&d, true, false).await;
    let mut ev = Events::open(&s).await;
    // A runtime error renders inline as Ruby does; the banner names it.
    write(
        &d,
        "templates/pages/settings.html",
        "<p>ok</p>\n  {% include 'missing/snippet' %}",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/settings").await;
    assert_eq!(code, 200);
    assert!(
        body.contains("Liquid error: No such template 'missing/snippet'"),
        "{body}"
    );
    assert!(body.contains("templates/pages/settings.html:2:3"), "{body}");
    // A syntax error is the overlay, with its position and source line.
    write(
        &d,
        "templates/pages/settings.html",
        "<p>ok</p>\n  {% if %}{% endif %}",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/settings").await;
    assert_eq!(code, 500);
    assert!(body.contains("goakit-overlay"));
    assert!(body.contains("templates/pages/settings.html:2:3"), "{body}");
    assert!(body.contains("{% if %}{% endif %}"), "source line shown");
    assert!(
        body.contains("/_goakit/client.js"),
        "the overlay reloads itself"
    );
    // Broken locale JSON.
    write(
        &d,
        "locales/pages/settings.json",
        "{\"en\": {\"headline\": }",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    write(
        &d,
        "templates/pages/settings.html",
        "<h1>{{ l.headline }}</h1>",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/settings").await;
    assert_eq!(code, 500);
    assert!(body.contains("locales/pages/settings.json:1:"), "{body}");
    // Fixed: the page is back.
    write(
        &d,
        "locales/pages/settings.json",
        "{\"en\": {\"headline\": \"Back\"}}",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/settings").await;
    assert_eq!(code, 200);
    assert!(body.contains("<h1>Back</h1>"));
}

#[tokio::test]
async fn api_down_shows_overlay_with_hint() {
    let dir = copy_fixture("example-addon");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let toml = std::fs::read_to_string(dir.path().join("goakit.toml")).unwrap();
    let toml = toml.replace(
        "# addon_api = \"http://localhost:3000\"",
        &format!("addon_api = \"http://127.0.0.1:{port}\""),
    );
    std::fs::write(dir.path().join("goakit.toml"), toml).unwrap();
    let s = start(dir.path(), false, false).await;
    let (code, body) = get(&s, "/pages/orders").await;
    assert_eq!(code, 500);
    assert!(body.contains("--offline"), "{body}");
    assert!(body.contains(&format!("127.0.0.1:{port}")));
    // Offline, the same page renders from preview/api.
    let s2 = start(dir.path(), true, false).await;
    assert_eq!(get(&s2, "/pages/orders").await.0, 200);
}

#[tokio::test]
async fn forms_and_links_to_other_pages() {
    let dir = copy_fixture("example-addon");
    let s = start(dir.path(), true, false).await;
    // A page links to others by their preview URL (and relative names
    // resolve against /pages/ the same way).
    let (_, orders) = get(&s, "/pages/orders").await;
    assert!(orders.contains("href=\"/pages/orders__show?id=o-1042\""));
    // A POST form to another page: 303 to the page with the fields as
    // params, so a reload of the result never re-posts.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(format!("http://{}/pages/orders__show?id=o-1042", s.addr))
        .form(&[("note", "leave it & go"), ("_locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        to,
        "/pages/orders__show?_locale=en&id=o-1042&note=leave+it+%26+go"
    );
    let (code, shown) = get(&s, &to).await;
    assert_eq!(code, 200);
    assert!(shown.contains("Leave at the back door."));
    // Followed by a browser-like client, the same POST lands on the page.
    let r = reqwest::Client::new()
        .post(format!("http://{}/pages/orders__edit", s.addr))
        .form(&[("id", "o-1042")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.url().as_str().ends_with("/pages/orders__edit?id=o-1042"));
    // Shortcuts take posts too; bad names do not redirect anywhere.
    let r = client
        .post(format!("http://{}/shortcuts/open_orders", s.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/shortcuts/open_orders");
    let r = client
        .post(format!("http://{}/pages/..%2fx", s.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn watcher_config_description_preview_data_settings() {
    let dir = copy_fixture("example-addon");
    let d = dir.path().to_path_buf();
    let s = start(&d, true, false).await;
    let mut ev = Events::open(&s).await;

    write(
        &d,
        "description.md",
        "# Renamed addon\n\n<script>x()</script>",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (_, desc) = get(&s, "/description").await;
    assert!(desc.contains("<h1>Renamed addon</h1>"));
    assert!(!desc.contains("x()"), "sanitised");

    let api = std::fs::read_to_string(d.join("preview/api/orders.json")).unwrap();
    write(
        &d,
        "preview/api/orders.json",
        &api.replace("\"total\": 184", "\"total\": 999"),
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert!(get(&s, "/pages/orders").await.1.contains("(999)"));

    let toml = std::fs::read_to_string(d.join("goakit.toml")).unwrap();
    let styled = toml.replace(
        "stylesheets = []",
        "stylesheets = [\"https://cdn.example.com/theme.css\"]",
    );
    write(&d, "goakit.toml", &styled);
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert!(
        get(&s, "/pages/orders")
            .await
            .1
            .contains("href=\"https://cdn.example.com/theme.css\"")
    );

    // A broken goakit.toml: every document shows where, the server stays.
    write(&d, "goakit.toml", &format!("{styled}bogus = 1\n"));
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let line = styled.lines().count() + 1;
    for path in ["/pages/orders", "/shortcuts/open_orders", "/description"] {
        let (code, body) = get(&s, path).await;
        assert_eq!(code, 500, "{path}");
        assert!(body.contains(&format!("goakit.toml:{line}:1")), "{body}");
        assert!(body.contains("bogus = 1"), "source line");
    }
    assert_eq!(get(&s, "/").await.0, 200, "the shell stays up");
    write(&d, "goakit.toml", &styled);
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert_eq!(get(&s, "/pages/orders").await.0, 200);

    // A broken settings file would silently drop api_path: an overlay.
    write(
        &d,
        "settings/pages/orders.json",
        "{\"menu_title\": {\"en\": \"O\"},\n",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/orders").await;
    assert_eq!(code, 500);
    assert!(body.contains("settings/pages/orders.json:2:1"), "{body}");
    write(&d, "settings/pages/orders.json", "[]");
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/orders").await;
    assert_eq!(code, 500);
    assert!(body.contains("expected a JSON object"), "{body}");
    write(&d, "settings/pages/orders.json", "{}");
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert_eq!(get(&s, "/pages/orders").await.0, 200);
}

/// A fake addon API: counts calls; `/slow` paths never answer.
async fn fake_api() -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let h = h.clone();
        async move {
            if uri.path().contains("/slow") {
                std::future::pending::<()>().await;
            }
            let n = if uri.path().ends_with("/orders") {
                h.fetch_add(1, Ordering::SeqCst) + 1
            } else {
                0
            };
            axum::Json(serde_json::json!({"total": n, "orders": [], "statuses": ["all"]}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, hits)
}

/// Points the project's goakit.toml at the fake addon API.
fn use_api(dir: &Path, api: SocketAddr) {
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    std::fs::write(
        dir.join("goakit.toml"),
        toml.replace(
            "# addon_api = \"http://localhost:3000\"",
            &format!("addon_api = \"http://{api}\""),
        ),
    )
    .unwrap();
}

#[tokio::test]
async fn api_is_called_on_each_load_with_a_timeout() {
    let (api, hits) = fake_api().await;
    let dir = copy_fixture("example-addon");
    use_api(dir.path(), api);
    let s = start(dir.path(), false, false).await;
    let (code, first) = get(&s, "/pages/orders").await;
    assert_eq!(code, 200, "{first}");
    assert!(first.contains("(1)"));
    assert!(get(&s, "/pages/orders").await.1.contains("(2)"));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    // The variables panel shows what that load saw, without another call.
    let scope: serde_json::Value =
        serde_json::from_str(&get(&s, "/_goakit/scope/orders").await.1).unwrap();
    assert_eq!(scope["api"]["total"], 2);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    // Other params than the last load: the panel asks the API itself.
    let scope: serde_json::Value =
        serde_json::from_str(&get(&s, "/_goakit/scope/orders?status=paid").await.1).unwrap();
    assert_eq!(scope["api"]["total"], 3);

    // An API that hangs: the overlay after the 5 s timeout, and the server
    // answers other requests meanwhile.
    write(
        dir.path(),
        "settings/pages/orders.json",
        r#"{"menu_title": {"en": "Orders"}, "api_path": "/slow", "api_method": "GET"}"#,
    );
    let root = dir.path().canonicalize().unwrap();
    watch::apply(
        &s.state,
        &root,
        &std::collections::BTreeSet::from([root.join("settings/pages/orders.json")]),
    );
    let started = std::time::Instant::now();
    let slow = tokio::spawn({
        let addr = s.addr;
        async move {
            let r = reqwest::get(format!("http://{addr}/pages/orders"))
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get(&s, "/pages/settings").await.0, 200);
    assert!(started.elapsed() < Duration::from_secs(2));
    let (code, body) = slow.await.unwrap();
    let took = started.elapsed();
    assert_eq!(code, 500);
    assert!(body.contains("--offline"), "{body}");
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(9),
        "{took:?}"
    );
}

#[test]
fn host_guard() {
    use goakit::preview::{allowed_hosts, host_allowed};
    let local = allowed_hosts("127.0.0.1".parse().unwrap(), 4100);
    assert!(host_allowed(&local, None, "127.0.0.1:4100"));
    assert!(host_allowed(&local, None, "LOCALHOST:4100"));
    assert!(!host_allowed(&local, None, "127.0.0.1:4101"));
    assert!(!host_allowed(&local, None, "192.168.1.5:4100"));
    assert!(!host_allowed(&local, None, "evil.example:4100"));
    assert!(!host_allowed(&local, None, ""));
    // --host 0.0.0.0: reachable by any address of the machine, never by a name.
    let all = allowed_hosts("0.0.0.0".parse().unwrap(), 4100);
    assert!(host_allowed(&all, Some(4100), "192.168.1.5:4100"));
    assert!(host_allowed(&all, Some(4100), "[fe80::1]:4100"));
    assert!(host_allowed(&all, Some(4100), "localhost:4100"));
    assert!(!host_allowed(&all, Some(4100), "192.168.1.5:4101"));
    assert!(!host_allowed(&all, Some(4100), "evil.example:4100"));
    assert!(!host_allowed(&all, Some(4100), "1.2.3.4.evil.example:4100"));
}

/// A page that runs out its budget freezes nothing: while it renders (off
/// the async threads, on a single-threaded runtime here), assets, other
/// pages and the reload channel answer; then it shows the budget overlay.
#[tokio::test]
async fn a_runaway_page_freezes_nothing() {
    let dir = copy_fixture("example-addon");
    let d: PathBuf = dir.path().to_path_buf();
    let toml = std::fs::read_to_string(d.join("goakit.toml")).unwrap();
    write(
        &d,
        "goakit.toml",
        &format!("{toml}\n[render]\nmax_seconds = 2\n"),
    );
    write(
        &d,
        "templates/pages/reports.html",
        "<p>\n{% for i in (1..2000000000) %}{% endfor %}</p>",
    );
    let s = start(&d, true, false).await;
    let addr = s.addr;
    let slow = tokio::spawn(async move {
        let r = reqwest::get(format!("http://{addr}/pages/reports"))
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    });
    let mut ev = Events::open(&s).await;
    let mut answered = 0;
    let mut saved = false;
    while !slow.is_finished() {
        for path in ["/_goakit/client.js", "/pages/frontpage", "/"] {
            let t = std::time::Instant::now();
            let (code, _) = get(&s, path).await;
            assert_eq!(code, 200, "{path}");
            assert!(
                t.elapsed() < Duration::from_millis(800),
                "{path} took {:?} while a page ran away",
                t.elapsed()
            );
            answered += 1;
        }
        if !saved {
            // A save while the runaway renders still reloads.
            write(&d, "templates/pages/settings.html", "<h1>saved</h1>");
            saved = true;
            loop {
                match ev.next(WAIT).await.as_deref() {
                    Some("reload") => break,
                    Some(_) => continue,
                    None => panic!("no reload while a page ran away"),
                }
            }
        }
    }
    assert!(answered >= 6, "only {answered} requests while it ran");
    let (code, body) = slow.await.unwrap();
    assert_eq!(code, 500);
    assert!(body.contains("max_seconds"), "{body}");
    assert!(body.contains("templates/pages/reports.html:2:1"), "{body}");
}

/// SPEC 4.2: a locale the project does not define is refused before the
/// addon API is called, and values in api_path are one encoded segment.
#[tokio::test]
async fn a_hostile_locale_never_reaches_the_addon_api() {
    let (api, hits) = fake_api().await;
    let dir = copy_fixture("example-addon");
    use_api(dir.path(), api);
    write(
        dir.path(),
        "settings/pages/orders.json",
        r#"{"menu_title": {"en": "Orders"}, "api_path": "/{{ locale }}/orders", "api_method": "GET"}"#,
    );
    let s = start(dir.path(), false, false).await;
    let (code, body) = get(
        &s,
        "/pages/orders?_locale=..%2F..%2Fadmin%2Fdrop_all%3Fx%3D",
    )
    .await;
    assert_eq!(code, 500);
    assert!(body.contains("unknown locale"), "{body}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The project's own locale goes through.
    let (code, body) = get(&s, "/pages/orders?_locale=en").await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// A fake addon API that records each request (method, path and query,
/// body) and answers with an order.
async fn recording_api() -> (
    SocketAddr,
    Arc<std::sync::Mutex<Vec<(String, String, String)>>>,
) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method, uri: axum::http::Uri, body: String| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push((method.to_string(), uri.to_string(), body));
                axum::Json(serde_json::json!({"order": {"id": "o-7", "number": 7, "lines": [], "history": []}}))
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

/// SPEC 4.2 page parameters: `params` in api_path (one encoded segment),
/// a GET's query string, a POST's body; the panel shows what was sent.
#[tokio::test]
async fn page_parameters_reach_the_addon_api() {
    let (api, seen) = recording_api().await;
    let dir = copy_fixture("example-addon");
    use_api(dir.path(), api);
    let s = start(dir.path(), false, false).await;
    let (code, body) = get(&s, "/pages/orders__show?id=10%2F41&tab=a%20b").await;
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("#7"),
        "the page shows the record the API sent"
    );
    let project_id = "5c3f908e3ab42f323432fc59";
    {
        let seen = seen.lock().unwrap();
        let call = seen
            .iter()
            .find(|c| c.1.contains("/orders/"))
            .expect("the page's call");
        assert_eq!(call.0, "GET");
        assert_eq!(
            call.1,
            format!("/goa/projects/{project_id}/orders/10%2F41?id=10%2F41&tab=a%20b")
        );
    }
    // The variables panel shows what was sent.
    let (code, scope) = get(&s, "/_goakit/scope/orders__show?id=10%2F41&tab=a%20b").await;
    assert_eq!(code, 200);
    let scope: serde_json::Value = serde_json::from_str(&scope).unwrap();
    assert_eq!(scope["params"]["id"], "10/41");
    let sent = scope["sent"].as_array().unwrap();
    assert!(
        sent.iter().any(|x| x["method"] == "GET"
            && x["url"]
                .as_str()
                .unwrap()
                .ends_with("/orders/10%2F41?id=10%2F41&tab=a%20b")),
        "{scope}"
    );
    // POST: the body carries project, params, locale and page.
    write(
        dir.path(),
        "settings/pages/orders__show.json",
        r#"{"api_path": "/goa/orders/{{ params.id }}", "api_method": "POST"}"#,
    );
    let mut ev = Events::open(&s).await;
    loop {
        match ev.next(WAIT).await.as_deref() {
            Some("reload") => break,
            Some(_) => continue,
            None => panic!("no reload"),
        }
    }
    seen.lock().unwrap().clear();
    let (code, body) = get(&s, "/pages/orders__show?id=o-1041").await;
    assert_eq!(code, 200, "{body}");
    let seen = seen.lock().unwrap();
    let call = seen
        .iter()
        .find(|c| c.1.starts_with("/goa/orders/"))
        .expect("the POST");
    assert_eq!(
        (call.0.as_str(), call.1.as_str()),
        ("POST", "/goa/orders/o-1041")
    );
    let sent: serde_json::Value = serde_json::from_str(&call.2).unwrap();
    assert_eq!(sent["params"], serde_json::json!({"id": "o-1041"}));
    assert_eq!(sent["locale"], "en");
    assert_eq!(sent["page"], "orders__show");
    assert_eq!(sent["project"]["_id"], project_id);
}

/// A parameter that cannot be a path segment fails the page only when
/// api_path uses it.
#[tokio::test]
async fn unsafe_parameters_matter_only_where_used() {
    let (api, seen) = recording_api().await;
    let dir = copy_fixture("example-addon");
    use_api(dir.path(), api);
    let s = start(dir.path(), false, false).await;
    let (code, body) = get(&s, "/pages/orders__show?id=o-7&q=..").await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = get(&s, "/pages/orders__show?id=..").await;
    assert_eq!(code, 500);
    assert!(body.contains("params.id"), "{body}");
    assert!(
        !seen
            .lock()
            .unwrap()
            .iter()
            .any(|c| c.1.contains("/orders/.."))
    );
}

/// Offline, `preview/api/<page>/<k>=<v>.json` answers for those
/// parameters (the most specific match), else `preview/api/<page>.json`.
#[tokio::test]
async fn offline_fixtures_per_record() {
    let dir = copy_fixture("example-addon");
    write(
        dir.path(),
        "preview/api/orders__show/id=o-1041&tab=lines.json",
        r#"{"order": {"id": "o-1041", "number": 99041, "lines": [], "history": []}}"#,
    );
    let s = start(dir.path(), true, false).await;
    for (query, want) in [
        ("?id=o-1041", "#1041"),
        ("?id=o-1040", "#1040"),
        ("?id=o-1041&tab=lines", "#99041"),
        ("?tab=lines&id=o-1041&x=1", "#99041"),
        ("", "#1042"),
        ("?id=nope", "#1042"),
    ] {
        let (code, body) = get(&s, &format!("/pages/orders__show{query}")).await;
        assert_eq!(code, 200, "{query}: {body}");
        assert!(body.contains(want), "{query}: want {want}");
    }
    let (_, scope) = get(&s, "/_goakit/scope/orders__show?id=o-1040").await;
    let scope: serde_json::Value = serde_json::from_str(&scope).unwrap();
    assert_eq!(
        scope["sent"][1]["url"], "preview/api/orders__show/id=o-1040.json",
        "{scope}"
    );
}

/// The banner names the `l` keys the page shows in English for the locale
/// picked (SPEC 7 `missing-translation`, seen in preview).
#[tokio::test]
async fn banner_names_keys_that_fell_back_to_english() {
    let dir = copy_fixture("example-addon");
    write(
        dir.path(),
        "locales/pages/reports.json",
        r#"{"en": {"headline": "Reports", "period": "Period", "value": "Value", "tooltip": "T", "generated": "Generated"},
            "da": {"headline": "Rapporter", "period": "Periode", "value": "Værdi", "generated": "Dannet"}}"#,
    );
    let s = start(dir.path(), true, false).await;
    let (code, body) = get(&s, "/pages/reports?_locale=da").await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("Rapporter"));
    assert!(
        body.contains("locales/pages/reports.json: no da text for l.tooltip; English shown (missing-translation)"),
        "{body}"
    );
    assert!(
        body.contains("locales/pages/root.json: no da text for"),
        "root's keys too"
    );
    let (_, english) = get(&s, "/pages/reports").await;
    assert!(!english.contains("missing-translation"));
}

#[test]
fn api_path_values_are_one_segment() {
    use goakit::addon_api::path_segment;
    assert_eq!(path_segment("a b/c?d#e").unwrap(), "a%20b%2Fc%3Fd%23e");
    assert_eq!(path_segment("5c3f-ok_~").unwrap(), "5c3f-ok_~");
    assert_eq!(path_segment("x.y").unwrap(), "x%2Ey");
    assert!(path_segment("..").is_err());
    assert!(path_segment(".").is_err());
}

/// Idle and half-sent connections cannot starve the preview: a silent
/// connection takes no serving slot (1,000 of them, a request is answered
/// at once), each is dropped after the header read timeout, and so is a
/// keep-alive connection left idle after its request.
#[tokio::test]
async fn idle_connections_do_not_starve_requests() {
    use tokio::io::AsyncReadExt;
    let dir = copy_fixture("example-addon");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Preview::new(Project::load(dir.path()).unwrap(), true);
    let app = router(state);
    tokio::spawn(goakit::preview::serve::serve_with(
        listener,
        app,
        goakit::preview::serve::Limits {
            header_read_timeout: Duration::from_millis(500),
            max_connections: 64,
            max_waiting: 4096,
        },
    ));
    // 1,000 connections that send nothing, and one that stops mid-header.
    let mut idle = Vec::new();
    for i in 0..1000 {
        let c = tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr))
            .await
            .unwrap_or_else(|_| panic!("connect {i} hangs"));
        idle.push(c.unwrap());
    }
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let t = std::time::Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        reqwest::get(format!("http://{addr}/_goakit/client.js")),
    )
    .await
    .expect("a request is answered while 1,000 idle connections are open")
    .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Silent connections take no serving slot: no wait for their timeout.
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    // The idle ones were closed by the server.
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(5), idle[0].read(&mut buf))
        .await
        .expect("an idle connection is closed by the header timeout");
    assert!(matches!(closed, Ok(0) | Err(_)));
    let closed = tokio::time::timeout(Duration::from_secs(5), half.read(&mut buf))
        .await
        .expect("a half-sent request is closed by the header timeout");
    assert!(matches!(closed, Ok(0) | Err(_)) || buf.starts_with(b"HTTP/1.1 408"));
    // A keep-alive connection left idle after a complete request is closed
    // after the same timeout.
    let mut kept = tokio::net::TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /_goakit/client.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 65536];
    let idle_since = loop {
        let n = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut chunk))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some(head_end) = text.find("\r\n\r\n") {
            let len: usize = text[..head_end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a content length");
            if answer.len() >= head_end + 4 + len {
                break std::time::Instant::now();
            }
        }
    };
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    let end = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut chunk))
        .await
        .expect("an idle keep-alive connection is closed by the server");
    assert!(matches!(end, Ok(0) | Err(_)), "{end:?}");
    assert!(
        idle_since.elapsed() >= Duration::from_millis(400),
        "{:?}",
        idle_since.elapsed()
    );
}

/// The variables panel's data is for this machine unless --expose-data: a
/// request that came from another address (as the server records it) gets
/// a 403, pages still answer.
#[tokio::test]
async fn scope_data_is_for_this_machine_only() {
    use axum::extract::ConnectInfo;
    let dir = copy_fixture("example-addon");
    for (from, expose, want) in [
        ("192.0.2.7:50000", false, 403),
        ("192.0.2.7:50000", true, 200),
        ("127.0.0.1:50000", false, 200),
    ] {
        let mut state = Preview::new(Project::load(dir.path()).unwrap(), true);
        Arc::get_mut(&mut state).unwrap().expose_data = expose;
        let peer: SocketAddr = from.parse().unwrap();
        let app = router(state).layer(axum::Extension(ConnectInfo(peer)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let scope = reqwest::get(format!("http://{addr}/_goakit/scope/orders"))
            .await
            .unwrap();
        assert_eq!(scope.status().as_u16(), want, "{from} expose={expose}");
        let page = reqwest::get(format!("http://{addr}/pages/orders"))
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
    }
}

#[test]
fn a_host_beyond_loopback_is_announced() {
    use std::io::BufRead;
    let dir = copy_fixture("example-addon");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args([
            "preview",
            "--offline",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--dir",
        ])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("warning: listening on 0.0.0.0"), "{line}");
    assert!(line.contains("--expose-data"), "{line}");
}

/// Sends a request with extra header lines; (status, whole answer).
async fn send(s: &Server, method: &str, path: &str, headers: &str) -> (u16, String) {
    send_to(s, method, path, &s.addr.to_string(), headers).await
}

/// The same with any Host header.
async fn send_to(s: &Server, method: &str, path: &str, host: &str, headers: &str) -> (u16, String) {
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let body = if method == "POST" { "q=1" } else { "" };
    tcp.write_all(
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut tcp, &mut bytes)
        .await
        .unwrap();
    let buf = String::from_utf8_lossy(&bytes).into_owned();
    let code = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, buf)
}

/// README "Preview safety": what another site's page can make a browser
/// send (navigations, `<img>`, forms, `fetch`; same-site included: another
/// port on 127.0.0.1 is the same site) is refused before any render, so
/// the addon API hears nothing; the browser's own same-origin or user
/// navigation, and preview's own keyed URLs, work. No wildcard CORS.
#[tokio::test]
async fn requests_from_other_sites_never_reach_the_addon_api() {
    use std::sync::atomic::Ordering::SeqCst;
    let (api, hits) = fake_api().await;
    let dir = copy_fixture("example-addon");
    use_api(dir.path(), api);
    let s = start(dir.path(), false, true).await;
    let key = goakit::preview::session_key();
    assert_eq!(key.len(), 32);
    let evil = "Origin: http://127.0.0.1:1\r\n";
    for (method, path, headers) in [
        (
            "GET",
            "/pages/orders",
            "Sec-Fetch-Site: cross-site\r\n".to_string(),
        ),
        (
            "GET",
            "/pages/orders",
            "Sec-Fetch-Site: same-site\r\nSec-Fetch-Dest: image\r\n".into(),
        ),
        (
            "POST",
            "/pages/orders",
            format!("Sec-Fetch-Site: cross-site\r\n{evil}"),
        ),
        (
            "GET",
            "/pages/orders",
            format!("Sec-Fetch-Site: cross-site\r\n{evil}"),
        ),
        (
            "GET",
            "/_goakit/scope/orders",
            "Sec-Fetch-Site: same-site\r\n".into(),
        ),
        ("GET", "/", "Sec-Fetch-Site: cross-site\r\n".into()),
        (
            "GET",
            "/_goakit/events",
            "Sec-Fetch-Site: cross-site\r\nOrigin: null\r\n".into(),
        ),
        // No fetch metadata (an older browser): Origin or Referer decide.
        ("POST", "/pages/orders", evil.into()),
        (
            "GET",
            "/pages/orders",
            "Referer: http://evil.example/x\r\n".into(),
        ),
        // A wrong key is no key.
        (
            "GET",
            "/pages/orders?_goakit=00",
            "Sec-Fetch-Site: cross-site\r\n".into(),
        ),
    ] {
        let (code, body) = send(&s, method, path, &headers).await;
        assert_eq!(code, 403, "{method} {path} {headers:?}: {body}");
        assert!(body.contains("another site"), "{body}");
    }
    assert_eq!(hits.load(SeqCst), 0, "the addon API was called");

    // The user's own navigation, preview's shell, and keyed URLs work.
    let (code, shell) = send(&s, "GET", "/", "Sec-Fetch-Site: none\r\n").await;
    assert_eq!(code, 200);
    assert!(shell.contains(key), "the shell carries the key");
    let (code, _) = send(
        &s,
        "GET",
        "/pages/orders",
        "Sec-Fetch-Site: same-origin\r\n",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(hits.load(SeqCst), 1);
    let keyed = format!("/pages/orders?status=paid&_goakit={key}");
    let (code, page) = send(
        &s,
        "GET",
        &keyed,
        "Sec-Fetch-Site: cross-site\r\nOrigin: null\r\n",
    )
    .await;
    assert_eq!(code, 200, "{page}");
    assert!(page.contains(&format!("window.__goakitKey = \"{key}\"")));
    assert_eq!(hits.load(SeqCst), 2);
    let (code, scope) = send(
        &s,
        "GET",
        &format!("/_goakit/scope/orders?status=paid&_goakit={key}"),
        "Sec-Fetch-Site: same-origin\r\n",
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        scope.contains(r#""params":{"status":"paid"}"#),
        "the key is not a param: {scope}"
    );
    // A keyed form POST redirects to the page with the key kept.
    let (code, answer) = send(
        &s,
        "POST",
        &format!("/pages/orders?_goakit={key}"),
        "Sec-Fetch-Site: cross-site\r\nOrigin: null\r\n",
    )
    .await;
    assert_eq!(code, 303, "{answer}");
    assert!(answer.contains(&format!("_goakit={key}")), "{answer}");
    // Assets are public; CORS answers only the sandbox, never `*`.
    let (code, font) = send(
        &s,
        "GET",
        "/_goakit/vendor/fontawesome-free-5.4.2/webfonts/fa-solid-900.woff2",
        "Sec-Fetch-Site: cross-site\r\nOrigin: null\r\n",
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        font.contains("access-control-allow-origin: null"),
        "{}",
        &font[..300]
    );
    let (code, js) = send(
        &s,
        "GET",
        "/_goakit/client.js",
        "Sec-Fetch-Site: cross-site\r\n",
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        !js.to_ascii_lowercase()
            .contains("access-control-allow-origin")
    );
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(
        format!(
            "GET /_goakit/events?_goakit={key} HTTP/1.1\r\nHost: {}\r\nOrigin: null\r\nSec-Fetch-Site: cross-site\r\n\r\n",
            s.addr
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = vec![0u8; 512];
    let n = tokio::io::AsyncReadExt::read(&mut tcp, &mut head)
        .await
        .unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("access-control-allow-origin: null"), "{head}");
    assert!(!head.contains("access-control-allow-origin: *"), "{head}");
}

/// The terminal names each render error once (with file:line:col): loading
/// the page again repeats nothing; after a save, once more.
#[test]
fn each_render_error_reaches_the_terminal_once() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let dir = copy_fixture("example-addon");
    write(
        dir.path(),
        "templates/pages/settings.html",
        "<p>{{ 1 | divided_by: 0 }}</p>",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["preview", "--offline", "--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("preview"), "{line}");
    // stdout: one line per reload, read in turn.
    let (reload_tx, reload_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            if l.starts_with("reload:") {
                let _ = reload_tx.send(l);
            }
        }
    });
    let mut err = child.stderr.take().unwrap();
    let load = || {
        use std::io::Write;
        let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            tcp,
            "GET /pages/settings HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut body = String::new();
        tcp.read_to_string(&mut body).unwrap();
        assert!(body.contains("Liquid error: divided by 0"), "{body}");
    };
    load();
    load();
    std::fs::write(
        dir.path().join("templates/pages/settings.html"),
        "<p>{{ 1 | divided_by: 0 }}</p>\n",
    )
    .unwrap();
    reload_rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("a reload line");
    load();
    let _ = child.kill();
    let _ = child.wait();
    let mut text = String::new();
    err.read_to_string(&mut text).unwrap();
    assert_eq!(
        text.matches("templates/pages/settings.html:1:4").count(),
        2,
        "{text}"
    );
    assert!(text.contains("divided by 0"), "{text}");
}

/// Issue 11 item 6: the state converges to what is on disk after the next
/// event. A page that cannot be read (here a FIFO: tests run as root, where
/// `chmod 000` reads anyway) shows its error; readable again, every page is
/// back without an overlay. A deleted and recreated `templates/` too.
#[tokio::test]
async fn watcher_converges_after_unreadable_files_and_a_recreated_folder() {
    let dir = copy_fixture("example-addon");
    let d = dir.path().to_path_buf();
    let s = start(&d, true, false).await;
    let mut ev = Events::open(&s).await;
    let page = d.join("templates/pages/settings.html");
    let original = std::fs::read_to_string(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&page)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (_, body) = get(&s, "/pages/settings").await;
    assert!(body.contains("not a regular file"), "{body}");
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, &original).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    for p in ["/pages/settings", "/pages/orders"] {
        let (code, body) = get(&s, p).await;
        assert_eq!(code, 200, "{p}: {body}");
        assert!(
            !body.contains("goakit-overlay\""),
            "{p} keeps a stale overlay"
        );
    }

    // templates/ deleted, then recreated with its pages.
    let saved = tempfile::tempdir().unwrap();
    support::copy_dir(&d.join("templates"), saved.path());
    std::fs::remove_dir_all(d.join("templates")).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    assert_eq!(get(&s, "/pages/orders").await.0, 404);
    support::copy_dir(saved.path(), &d.join("templates"));
    let started = std::time::Instant::now();
    loop {
        let (code, body) = get(&s, "/pages/orders").await;
        if code == 200 && body.contains("Orders") {
            break;
        }
        // Each applied change is signalled; wait for the next one.
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{code}: {body}"
        );
        let _ = ev.next(WAIT).await;
    }
}

/// A link to a file outside the project, made while preview runs, is not
/// served (its page says why); removed, the state converges.
#[tokio::test]
async fn a_link_out_of_the_project_made_while_running_is_not_served() {
    let dir = copy_fixture("example-addon");
    let d = dir.path().to_path_buf();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.html"), "<p>SECRET</p>").unwrap();
    let s = start(&d, true, false).await;
    let mut ev = Events::open(&s).await;
    let link = d.join("templates/pages/leak.html");
    std::os::unix::fs::symlink(outside.path().join("x.html"), &link).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (_, body) = get(&s, "/pages/leak").await;
    assert!(!body.contains("SECRET"), "{body}");
    assert!(body.contains("outside the project"), "{body}");
    std::fs::remove_file(&link).unwrap();
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/orders").await;
    assert_eq!(code, 200);
    assert!(!body.contains("goakit-overlay\""), "{body}");
}
