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
                "GET /_goakit/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
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
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    tcp.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut tcp, &mut buf)
        .await
        .unwrap();
    let code = buf
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, buf)
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
    write(
        &d,
        "templates/pages/settings.html",
        "<p>ok</p>\n  {% include 'missing/snippet' %}",
    );
    assert_eq!(ev.next(WAIT).await.as_deref(), Some("reload"));
    let (code, body) = get(&s, "/pages/settings").await;
    assert_eq!(code, 500);
    assert!(body.contains("goakit-overlay"));
    assert!(body.contains("templates/pages/settings.html:2:3"), "{body}");
    assert!(
        body.contains("{% include &#39;missing/snippet&#39; %}"),
        "source line shown"
    );
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
