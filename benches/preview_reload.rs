//! Edit-to-reload latency, in one run: `goakit preview` on the example addon
//! and on a 1,000-template addon, next to `jekyll serve --livereload` (Debian's
//! jekyll) on sites of the same sizes. For each: 50 edits, the time from the
//! file write to the browser's reload signal (goakit: its SSE event; jekyll:
//! its livereload websocket message); p50 and p95. Also goakit's RSS.
//! `cargo bench --bench preview_reload` (needs jekyll for the peer rows).

#[path = "../tests/support/mod.rs"]
mod support;

use futures_util::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::copy_dir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

const EDITS: usize = 50;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// What one goakit run measured.
struct Run {
    /// Write → reload signal, per edit.
    ms: Vec<f64>,
    /// From spawning the process to the frontpage served (200).
    startup_ms: f64,
    /// RSS after the edits and one render of every page.
    rss_kib: u64,
}

async fn goakit(dir: &Path, page: &str) -> Run {
    let port = free_port();
    let spawned = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["preview", "--offline", "--port", &port.to_string(), "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let child = Killed(child);
    let http = reqwest::Client::new();
    let front = http
        .get(format!("http://127.0.0.1:{port}/pages/frontpage"))
        .send()
        .await
        .unwrap();
    assert_eq!(front.status(), 200);
    front.bytes().await.unwrap();
    let startup_ms = spawned.elapsed().as_secs_f64() * 1e3;
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    tcp.write_all(
        format!("GET /_goakit/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut lines = tokio::io::BufReader::new(tcp).lines();
    async fn next_event(
        lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::net::TcpStream>>,
    ) -> String {
        while let Some(l) = lines.next_line().await.unwrap() {
            if let Some(e) = l.strip_prefix("event:") {
                return e.trim().to_string();
            }
        }
        panic!("stream ended")
    }
    assert_eq!(next_event(&mut lines).await, "hello");
    let path = dir.join(page);
    let base = std::fs::read_to_string(&path).unwrap();
    let mut ms = Vec::new();
    for i in 0..EDITS {
        let t = Instant::now();
        std::fs::write(&path, format!("{base}<!-- edit {i} -->\n")).unwrap();
        assert_eq!(next_event(&mut lines).await, "reload");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        // Let the debounce window close before the next edit.
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // Render every page once so RSS includes warm caches.
    for e in std::fs::read_dir(dir.join("templates/pages")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(name) = name.strip_suffix(".html") {
            let r = http
                .get(format!("http://127.0.0.1:{port}/pages/{name}"))
                .send()
                .await
                .unwrap();
            r.bytes().await.unwrap();
        }
    }
    let rss_kib = rss_kib(child.0.id());
    Run {
        ms,
        startup_ms,
        rss_kib,
    }
}

/// A jekyll site with `pages` pages, each including a shared snippet.
fn jekyll_site(dir: &Path, pages: usize) {
    std::fs::create_dir_all(dir.join("_includes")).unwrap();
    std::fs::create_dir_all(dir.join("_layouts")).unwrap();
    std::fs::write(dir.join("_config.yml"), "title: bench\n").unwrap();
    std::fs::write(
        dir.join("_layouts/default.html"),
        "<html><body>{{ content }}</body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("_includes/row.html"),
        "<tr><td>{{ include.n }}</td></tr>\n",
    )
    .unwrap();
    for i in 0..pages {
        let mut body = format!(
            "---\nlayout: default\ntitle: Page {i}\n---\n<h1>{{{{ page.title }}}}</h1><table>\n"
        );
        for n in 0..10 {
            body.push_str(&format!("{{% include row.html n={n} %}}\n"));
        }
        body.push_str("</table>\n");
        std::fs::write(dir.join(format!("page_{i:03}.html")), body).unwrap();
    }
}

async fn jekyll(dir: &Path) -> Option<Vec<f64>> {
    Command::new("jekyll").arg("--version").output().ok()?;
    let (port, lr) = (free_port(), free_port());
    let dest = dir.join("_site");
    let mut child = Command::new("jekyll")
        .args([
            "serve",
            "--livereload",
            "--port",
            &port.to_string(),
            "--livereload-port",
            &lr.to_string(),
            "--source",
        ])
        .arg(dir)
        .arg("--destination")
        .arg(&dest)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let out = child.stdout.take().unwrap();
    let _child = Killed(child);
    let mut reader = BufReader::new(out);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line.contains("Server running") {
            break;
        }
    }
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{lr}/livereload"))
        .await
        .ok()?;
    ws.send(tokio_tungstenite::tungstenite::Message::Text(
        r#"{"command":"hello","protocols":["http://livereload.com/protocols/official-7"]}"#.into(),
    ))
    .await
    .ok()?;
    let path = dir.join("page_000.html");
    let base = std::fs::read_to_string(&path).unwrap();
    let mut ms = Vec::new();
    for i in 0..EDITS {
        let t = Instant::now();
        std::fs::write(&path, format!("{base}<!-- edit {i} -->\n")).unwrap();
        loop {
            let m = tokio::time::timeout(Duration::from_secs(60), ws.next())
                .await
                .ok()??
                .ok()?;
            if m.to_text().unwrap_or("").contains("\"reload\"") {
                break;
            }
        }
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        // Jekyll sends one reload per regenerated page: drain them all
        // before the next edit, outside the measurement.
        while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(500), ws.next()).await {}
    }
    Some(ms)
}

fn report(name: &str, mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let (p50, p95) = (percentile(&ms, 0.5), percentile(&ms, 0.95));
    println!(
        "{name:<44} p50 {p50:>8.1} ms   p95 {p95:>8.1} ms   ({} edits)",
        ms.len()
    );
    (p50, p95)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let example: PathBuf = tmp.path().join("example");
    copy_dir(&root.join("fixtures/example-addon"), &example);
    let big = tmp.path().join("big");
    assert!(
        Command::new("python3")
            .arg(root.join("fixtures/gen-vendor-addon.py"))
            .args(["--templates", "1000", "--out"])
            .arg(&big)
            .status()
            .unwrap()
            .success()
    );
    let small_n = std::fs::read_dir(example.join("templates/pages"))
        .unwrap()
        .count()
        + walk_count(&example.join("templates/snippets"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        println!(
            "edit → reload signal latency, {EDITS} edits each (write to signal, debounce included)"
        );
        let small = goakit(&example, "templates/pages/orders.html").await;
        let (small_start, small_rss) = (small.startup_ms, small.rss_kib);
        let (g1, g1_95) = report(
            &format!("goakit preview, example addon ({small_n} templates)"),
            small.ms,
        );
        let large = goakit(&big, "templates/pages/page_001.html").await;
        let (large_start, rss) = (large.startup_ms, large.rss_kib);
        let (g2, g2_95) = report("goakit preview, 1,000-template addon", large.ms);
        let j_small = tmp.path().join("jekyll-small");
        jekyll_site(&j_small, small_n);
        let j_big = tmp.path().join("jekyll-big");
        jekyll_site(&j_big, 1000);
        match (jekyll(&j_small).await, jekyll(&j_big).await) {
            (Some(a), Some(b)) => {
                let (j1, j1_95) =
                    report(&format!("jekyll serve --livereload, {small_n} pages"), a);
                let (j2, j2_95) = report("jekyll serve --livereload, 1,000 pages", b);
                println!(
                    "ratio jekyll/goakit: p50 {:.0}x, p95 {:.0}x (small); p50 {:.0}x, p95 {:.0}x (1,000)",
                    j1 / g1,
                    j1_95 / g1_95,
                    j2 / g2,
                    j2_95 / g2_95
                );
            }
            _ => println!("jekyll unavailable (apt-get install jekyll) — no peer rows"),
        }
        println!("goakit p95 on 1,000 templates: {g2_95:.1} ms (target < 50 ms)");
        println!(
            "goakit preview RSS after every page rendered: {:.1} MiB (example addon), {:.1} MiB (1,000 templates)",
            small_rss as f64 / 1024.0,
            rss as f64 / 1024.0
        );
        println!(
            "goakit preview start to first page served: {small_start:.0} ms (example addon), {large_start:.0} ms (1,000 templates)"
        );
    });
}

fn walk_count(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        n += if p.is_dir() { walk_count(&p) } else { 1 };
    }
    n
}
