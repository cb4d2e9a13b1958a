//! End to end in real headless Chromium (Debian's `chromium`): the shell
//! shows a page in its sandboxed iframe; editing the template shows the new
//! content without a manual reload; breaking it shows the overlay; fixing
//! it brings the page back; and the iframe cannot reach the shell.

mod support;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Chromium for a browser test: on CI (`CI` set) its absence fails the
/// test; elsewhere the test says it is skipped.
fn chromium_for_test() -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing on CI: .ci/run must install Debian's chromium"
        );
        eprintln!("SKIPPED: no chromium here (apt-get install chromium); CI runs this test");
    }
    bin
}

struct Browser {
    child: Child,
    _profile: tempfile::TempDir,
    port: u16,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn launch(bin: &Path, url: &str) -> Browser {
    let profile = tempfile::tempdir().unwrap();
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    // Chromium writes its DevTools port into the profile when ready.
    let port_file = profile.path().join("DevToolsActivePort");
    let started = Instant::now();
    let port = loop {
        if let Ok(text) = std::fs::read_to_string(&port_file)
            && let Some(p) = text.lines().next().and_then(|l| l.trim().parse().ok())
        {
            break p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromium did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    Browser {
        child,
        _profile: profile,
        port,
    }
}

struct Page {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
}

impl Page {
    async fn attach(b: &Browser, url_prefix: &str) -> Page {
        Page::attach_to(b, "page", url_prefix).await
    }

    /// A target of `kind` (`page`, or `iframe` for an out-of-process
    /// frame such as the sandboxed page) whose URL starts with the prefix.
    async fn attach_to(b: &Browser, kind: &str, url_prefix: &str) -> Page {
        let started = Instant::now();
        let ws_url = loop {
            let list: Value = reqwest::get(format!("http://127.0.0.1:{}/json/list", b.port))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(u) = list.as_array().unwrap().iter().find(|t| {
                t["type"] == kind && t["url"].as_str().unwrap_or("").starts_with(url_prefix)
            }) {
                break u["webSocketDebuggerUrl"].as_str().unwrap().to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no page target: {list}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let (ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
        Page { ws, next_id: 1 }
    }

    async fn eval(&mut self, expr: &str) -> Value {
        self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true}),
        )
        .await["result"]["value"]
            .clone()
    }

    /// The preview shell at `url`, loaded, with every message the iframe
    /// posts to it recorded in `window.__probe`.
    async fn shell(b: &Browser, url: &str) -> Page {
        let mut p = Page::attach(b, url).await;
        p.wait_for(
            "document.readyState === 'complete' && !!document.getElementById('frame')",
            "the shell",
        )
        .await;
        p.eval("window.__probe = window.__probe || []; if (!window.__listening) { window.__listening = true; addEventListener('message', e => __probe.push(e.data)); } true").await;
        p
    }

    /// Goes to `url` as the user would (typed in the address bar).
    async fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
    }

    /// One DevTools command; its `result`.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"id": id, "method": method, "params": params});
        self.ws
            .send(Message::Text(msg.to_string().into()))
            .await
            .unwrap();
        while let Some(m) = self.ws.next().await {
            let m = m.unwrap();
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["id"] == id {
                    return v["result"].clone();
                }
            }
        }
        panic!("devtools closed");
    }

    /// Polls `expr` until it is true (the page's own signal), or fails.
    async fn wait_for(&mut self, expr: &str, what: &str) {
        let started = Instant::now();
        loop {
            if self.eval(expr).await == json!(true) {
                return;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let seen = self.eval("JSON.stringify(window.__probe)").await;
                panic!("timed out waiting for {what}; messages: {seen}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// A page that reports its text to the shell and tries to reach it.
fn probe(text: &str) -> String {
    format!(
        "<p id=\"x\">{text}</p>\n<script>\nvar r;\ntry {{ parent.document.body.dataset.pwned = 'yes'; r = 'reachable'; }} catch (e) {{ r = 'blocked'; }}\nparent.postMessage({{goakit: 'probe', text: document.getElementById('x').textContent, parent: r}}, '*');\n</script>\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_break_fix_in_a_real_browser() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let (_base, dir) = new_addon();
    let page = dir.join("templates/pages/frontpage__details.html");
    std::fs::write(&page, probe("VERSION-1")).unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = goakit::preview::Preview::new(goakit::project::Project::load(&dir).unwrap(), true);
    let _watcher = goakit::preview::watch::spawn(state.clone()).unwrap();
    let app = goakit::preview::router(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let shell = format!("http://{addr}/");
    let browser = launch(&bin, &format!("{shell}#frontpage__details"));
    let mut p = Page::shell(&browser, &shell).await;
    // The first load may have posted before we listened: reload the frame once.
    p.eval("document.getElementById('frame').src = document.getElementById('frame').src; true")
        .await;
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'VERSION-1')",
        "the first render",
    )
    .await;

    // The sandboxed iframe cannot touch the shell.
    assert_eq!(
        p.eval("document.body.dataset.pwned === undefined").await,
        json!(true)
    );
    assert_eq!(
        p.eval("__probe.filter(m => m.goakit === 'probe').every(m => m.parent === 'blocked')")
            .await,
        json!(true)
    );
    assert_eq!(
        p.eval("document.getElementById('frame').getAttribute('sandbox')")
            .await,
        json!("allow-scripts allow-forms allow-popups")
    );

    // Edit: the iframe shows the new content by itself.
    std::fs::write(&page, probe("VERSION-2")).unwrap();
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'VERSION-2')",
        "the edited page",
    )
    .await;

    // Break: the overlay shows.
    std::fs::write(&page, "<p>{% if %}{% endif %}</p>").unwrap();
    p.wait_for(
        "__probe.some(m => m.goakit === 'page' && m.error === true)",
        "the error overlay",
    )
    .await;

    // Fix: the page is back, with no manual reload anywhere.
    std::fs::write(&page, probe("VERSION-3")).unwrap();
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'VERSION-3')",
        "the fixed page",
    )
    .await;
    assert_eq!(
        p.eval("document.getElementById('status').textContent")
            .await,
        json!("● live")
    );

    // A new top-level page appears in the shell's menu by itself.
    std::fs::write(dir.join("templates/pages/zeta.html"), "<p>zeta</p>").unwrap();
    std::fs::write(
        dir.join("settings/pages/zeta.json"),
        r#"{"menu_title": {"en": "Zeta page"}}"#,
    )
    .unwrap();
    p.wait_for(
        "[...document.querySelectorAll('.menu-item')].some(a => a.textContent === 'Zeta page')",
        "the new page in the menu",
    )
    .await;
    assert_eq!(
        p.eval("document.body.dataset.pwned === undefined").await,
        json!(true)
    );
}

/// A running `goakit preview` process (killed on drop).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh project from `goakit init`, in a folder that lives as long as
/// the returned guard.
fn new_addon() -> (tempfile::TempDir, PathBuf) {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("addon");
    assert!(
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .arg("init")
            .arg(&dir)
            .status()
            .unwrap()
            .success()
    );
    (base, dir)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(dir: &Path, port: u16) -> Server {
    serve_with(dir, port, &["--offline"])
}

fn serve_with(dir: &Path, port: u16, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["preview", "--port", &port.to_string()])
        .args(extra)
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line says it listens.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.contains("preview"), "{line}");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Server(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_reconnects_after_the_server_restarts() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let (_base, dir) = new_addon();
    let page = dir.join("templates/pages/frontpage__details.html");
    std::fs::write(&page, "<p id=\"x\">before</p>").unwrap();
    let port = free_port();
    let server = serve(&dir, port);
    let url = format!("http://127.0.0.1:{port}/pages/frontpage__details");
    let browser = launch(&bin, &url);
    let mut p = Page::attach(&browser, &url).await;
    p.wait_for(
        "document.getElementById('x') && document.getElementById('x').textContent === 'before'",
        "the page",
    )
    .await;
    p.eval("window.__marker = 1; true").await;
    // Stop the server, change the page while it is down, start it again.
    drop(server);
    std::fs::write(&page, "<p id=\"x\">after restart</p>").unwrap();
    let _server = serve(&dir, port);
    // The page reconnects by itself and reloads into the new content
    // (the marker proves it was a reload, not the same document).
    p.wait_for(
        "window.__marker === undefined && !!document.getElementById('x') && document.getElementById('x').textContent === 'after restart'",
        "the reload after the restart",
    )
    .await;
}

/// Inside the shell, a restarted server (a new key) is picked up: the
/// sandboxed page's reload channel is refused with the old key, the shell
/// reads the new one from a fresh copy of itself and loads the page again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_picks_up_a_restarted_servers_key() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let (_base, dir) = new_addon();
    let page = dir.join("templates/pages/frontpage__details.html");
    let report = "<script>parent.postMessage({goakit: 'probe', text: document.getElementById('x').textContent}, '*');</script>";
    std::fs::write(&page, format!("<p id=\"x\">before</p>{report}")).unwrap();
    let port = free_port();
    let server = serve(&dir, port);
    let shell = format!("http://127.0.0.1:{port}/");
    let browser = launch(&bin, &format!("{shell}#frontpage__details"));
    let mut p = Page::shell(&browser, &shell).await;
    p.eval("document.getElementById('frame').src = document.getElementById('frame').src; true")
        .await;
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'before')",
        "the page",
    )
    .await;
    let key = |src: Value| {
        let src = src.as_str().unwrap_or_default().to_string();
        src.split("_goakit=")
            .nth(1)
            .map(|k| k[..32.min(k.len())].to_string())
    };
    let first = key(p.eval("document.getElementById('frame').src").await)
        .expect("a key in the frame's URL");
    // Stop the server, change the page while it is down, start it again.
    drop(server);
    std::fs::write(&page, format!("<p id=\"x\">after restart</p>{report}")).unwrap();
    let _server = serve(&dir, port);
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'after restart')",
        "the page again, with the new key",
    )
    .await;
    let second = key(p.eval("document.getElementById('frame').src").await).unwrap();
    assert_ne!(first, second, "the shell took the restarted server's key");
    p.wait_for(
        "document.getElementById('status').textContent === '● live'",
        "the reload channel up again",
    )
    .await;
}

/// A link and a POST form inside the sandboxed page go to other pages; the
/// shell follows, and the locale picked in the shell stays on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_and_forms_inside_the_iframe() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let (_base, dir) = new_addon();
    let report = "<script>parent.postMessage({goakit: 'probe', text: document.getElementById('x').textContent}, '*');</script>";
    // A follows its (relative) link by itself once the locale is German.
    std::fs::write(
        dir.join("templates/pages/frontpage__a.html"),
        format!("<p id=\"x\">A {{{{ l.hello }}}} {{{{ params.note }}}}</p>\n<a id=\"go\" href=\"frontpage__b?x=1\">go</a>\n{report}\n{{% if locale == 'de' and params.note == nil %}}<script>document.getElementById('go').click();</script>{{% endif %}}\n"),
    )
    .unwrap();
    // A also reports what the document loaded: jQuery, Popper and Bootstrap
    // usable from an inline script at once (SPEC 4.3), FontAwesome's webfont
    // (fetched from the opaque-origin frame), and every resource URL.
    let assets = r#"<i class="fas fa-cog"></i>
<script>
var libs = typeof $ === 'function' && typeof $.fn.tooltip === 'function' && typeof Popper === 'function';
addEventListener('load', function () { document.fonts.ready.then(function () {
  parent.postMessage({goakit: 'assets', libs: libs, font: document.fonts.check('900 16px "Font Awesome 5 Free"'),
    resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })}, '*');
}); });
</script>"#;
    let a = dir.join("templates/pages/frontpage__a.html");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&a, format!("{text}{assets}\n")).unwrap();
    // B posts its form back to A.
    std::fs::write(
        dir.join("templates/pages/frontpage__b.html"),
        format!("<p id=\"x\">B {{{{ l.hello }}}} {{{{ params.x }}}}</p>\n<form id=\"f\" method=\"post\" action=\"/pages/frontpage__a\"><input name=\"note\" value=\"posted\"></form>\n{report}\n<script>document.getElementById('f').requestSubmit();</script>\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("settings/pages/frontpage.json"),
        r#"{"menu_title": {"en": "Home", "de": "Anfang"}}"#,
    )
    .unwrap();
    for page in ["frontpage__a", "frontpage__b"] {
        std::fs::write(
            dir.join(format!("locales/pages/{page}.json")),
            r#"{"en": {"hello": "Hello"}, "de": {"hello": "Hallo"}}"#,
        )
        .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = goakit::preview::Preview::new(goakit::project::Project::load(&dir).unwrap(), true);
    let app = goakit::preview::router(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let shell = format!("http://{addr}/");
    let browser = launch(&bin, &format!("{shell}#frontpage__a"));
    let mut p = Page::shell(&browser, &shell).await;
    p.eval("var s = document.getElementById('locale'); s.value = 'de'; s.dispatchEvent(new Event('change')); s.value")
        .await;
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'B Hallo 1')",
        "the linked page, in German",
    )
    .await;
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'A Hallo posted')",
        "the page the form posted to, in German",
    )
    .await;
    p.wait_for(
        "location.hash === '#frontpage__a?note=posted' && document.getElementById('pagename').textContent === 'frontpage__a'",
        "the shell following the page",
    )
    .await;
    assert_eq!(
        p.eval("document.getElementById('locale').value").await,
        json!("de")
    );
    p.wait_for(
        "__probe.some(m => m.goakit === 'assets')",
        "the asset report",
    )
    .await;
    let report = p
        .eval("__probe.filter(m => m.goakit === 'assets').pop()")
        .await;
    assert_eq!(report["libs"], json!(true), "{report}");
    assert_eq!(report["font"], json!(true), "{report}");
    let resources: Vec<&str> = report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for needed in [
        "bootstrap.min.css",
        "all.min.css",
        "jquery.min.js",
        "popper.min.js",
        "bootstrap.min.js",
    ] {
        assert!(
            resources.iter().any(|r| r.contains(needed)),
            "{needed} not loaded: {resources:?}"
        );
    }
    // Nothing leaves the machine: every request went to preview itself.
    assert!(
        resources.iter().all(|r| r.starts_with(&shell)),
        "{resources:?}"
    );
    // Menu titles follow the locale switch.
    assert_eq!(
        p.eval("document.querySelector('.menu-item[data-page=frontpage]').textContent")
            .await,
        json!("Anfang")
    );
}

/// A reload after a save keeps the page's scroll position inside the
/// shell's sandboxed iframe (the page reports its scroll after load).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_the_scroll_position() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let (_base, dir) = new_addon();
    let page = dir.join("templates/pages/frontpage__details.html");
    // Version 1 scrolls itself down; version 2 only reports where it is.
    // Each answers the shell's ping once loaded (no reload of ours races).
    let tall = |text: &str, scroll: bool| {
        format!(
            "<p id=\"x\">{text}</p><div style=\"height: 5000px\"></div>\n<script>\n{}addEventListener('message', function (e) {{ if (e.data === 'ping' && document.readyState === 'complete') parent.postMessage({{goakit: 'probe', text: '{text}', y: window.scrollY}}, '*'); }});\n</script>\n",
            if scroll {
                "addEventListener('load', function () { window.scrollTo(0, 1200); });\n"
            } else {
                ""
            }
        )
    };
    std::fs::write(&page, tall("V1", true)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = goakit::preview::Preview::new(goakit::project::Project::load(&dir).unwrap(), true);
    let _watcher = goakit::preview::watch::spawn(state.clone()).unwrap();
    let app = goakit::preview::router(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let shell = format!("http://{addr}/");
    let browser = launch(&bin, &format!("{shell}#frontpage__details"));
    let mut p = Page::shell(&browser, &shell).await;
    let ping = "document.getElementById('frame').contentWindow.postMessage('ping', '*'), true";
    p.eval(&format!("setInterval(function () {{ {ping}; }}, 50), true"))
        .await;
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'V1' && m.y === 1200)",
        "the first render, scrolled",
    )
    .await;
    std::fs::write(&page, tall("V2", false)).unwrap();
    p.wait_for(
        "__probe.some(m => m.goakit === 'probe' && m.text === 'V2')",
        "the reload",
    )
    .await;
    assert_eq!(
        p.eval("__probe.filter(m => m.text === 'V2').map(m => m.y)[0]")
            .await,
        json!(1200),
        "the reload kept the scroll position"
    );
}

/// README "Preview safety", in a real browser: a page of another loopback
/// origin (same site, another port) tries a navigation, an `<img>`, a form
/// POST and a `fetch` at preview; the fake addon API hears nothing. Then
/// preview's own shell loads the same page in its sandbox, and a link
/// inside it works: the API is called.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_site_cannot_make_preview_call_the_addon_api() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let Some(bin) = chromium_for_test() else {
        return;
    };
    // The addon's own API: counts every request.
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let api = axum::Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, SeqCst);
            axum::Json(json!({"total": 1, "orders": [], "statuses": ["all"], "stats": {}}))
        }
    });
    let api_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_addr = api_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(api_listener, api).await.unwrap() });

    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("addon");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon"),
        &dir,
    );
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    std::fs::write(
        dir.join("goakit.toml"),
        toml.replace(
            "# addon_api = \"http://localhost:3000\"",
            &format!("addon_api = \"http://{api_addr}\""),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/pages/frontpage.html"),
        "<p id=\"front\">front</p><a id=\"go\" href=\"/pages/orders\">orders</a>",
    )
    .unwrap();
    let port = free_port();
    let _server = serve_with(&dir, port, &[]);
    let preview = format!("http://127.0.0.1:{port}");

    // The other site: every kind of request a page can make, then a mark.
    let attack = format!(
        r#"<!DOCTYPE html><html><body><iframe name="sink" id="sink"></iframe>
<form id="f" method="post" action="{preview}/pages/orders" target="sink"><input name="q" value="1"></form>
<script>
var left = 4;
function one(what) {{ left -= 1; if (left === 0) document.title = "done"; }}
var img = new Image(); img.onload = img.onerror = function () {{ one("img"); }}; img.src = "{preview}/pages/frontpage";
fetch("{preview}/pages/orders", {{ mode: "no-cors" }}).then(function () {{ one("fetch"); }}, function () {{ one("fetch"); }});
var nav = document.createElement("iframe"); nav.onload = function () {{ one("navigation"); }}; nav.src = "{preview}/"; document.body.appendChild(nav);
var sink = document.getElementById("sink"); var posted = false;
sink.onload = function () {{ if (posted) one("form"); }};
setTimeout(function () {{ posted = true; document.getElementById("f").submit(); }}, 0);
</script></body></html>"#
    );
    let other = axum::Router::new().fallback(move || {
        let page = attack.clone();
        async move { axum::response::Html(page) }
    });
    let other_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_url = format!("http://{}/", other_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(other_listener, other).await.unwrap() });

    let browser = launch(&bin, &other_url);
    let mut p = Page::attach(&browser, &other_url).await;
    p.wait_for("document.title === 'done'", "the other site's requests")
        .await;
    assert_eq!(hits.load(SeqCst), 0, "another site reached the addon API");

    // Preview itself: the shell's sandboxed page calls the API, and so
    // does a link clicked inside it.
    p.navigate(&format!("{preview}/")).await;
    p.wait_for(
        "(function () { var f = document.getElementById('frame'); return !!f && f.src.indexOf('/pages/frontpage') >= 0; })()",
        "the shell",
    )
    .await;
    let started = Instant::now();
    while hits.load(SeqCst) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the shell's page never called the API"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut frame =
        Page::attach_to(&browser, "iframe", &format!("{preview}/pages/frontpage")).await;
    // Rendered, so every API call of this view has been answered.
    frame
        .wait_for("!!document.getElementById('go')", "the page in the shell")
        .await;
    let before = hits.load(SeqCst);
    frame
        .eval("document.getElementById('go').click(); true")
        .await;
    let started = Instant::now();
    while hits.load(SeqCst) == before {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "a link inside preview did not render"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// `goakit build` browses from disk (SPEC 6): the index's menu opens a
/// page, a link with parameters opens the sub page for that record, the
/// libraries load from `file://`; a rebuild leaves no stale file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_browses_offline_from_file_urls() {
    let Some(bin) = chromium_for_test() else {
        return;
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon");
    let base = tempfile::tempdir().unwrap();
    let out = base.path().join("site");
    let build = || {
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .args(["build", "--offline", "--dir"])
            .arg(&example)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    assert!(build().status.success());
    std::fs::write(out.join("pages/stale.html"), "old").unwrap();
    let o = build();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !out.join("pages/stale.html").exists(),
        "the old output is replaced"
    );
    let index = format!("file://{}", out.join("index.html").display());
    let browser = launch(&bin, &index);
    let mut p = Page::attach(&browser, "file://").await;
    p.wait_for(
        "document.readyState === 'complete' && !!document.getElementById('menu')",
        "the index",
    )
    .await;
    // Click the menu entry "Orders".
    p.eval("Array.from(document.querySelectorAll('#menu a')).find(a => a.textContent.trim() === 'Orders').click(); true")
        .await;
    p.wait_for(
        "location.href.endsWith('/pages/orders.html') && document.readyState === 'complete' && typeof $ === 'function' && typeof $.fn.tooltip === 'function'",
        "the orders page, with jQuery and Bootstrap from disk",
    )
    .await;
    // Follow the link to order #1041's sub page.
    p.eval("document.querySelector('a[href*=\"orders__show@id=o-1041\"]').click(); true")
        .await;
    p.wait_for(
        "location.href.includes('orders__show@id=o-1041') && document.body.textContent.includes('Grace Hopper')",
        "the sub page showing the record its id names",
    )
    .await;
}
