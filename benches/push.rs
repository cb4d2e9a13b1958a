//! Push speed against the fake Goaddon API with 20 ms injected latency:
//! a 300-template addon where 10 items changed. goakit (diff, then only the
//! changes, concurrently) next to a naive push that sends one request per
//! item, sequentially, in the same run. `cargo bench --bench push`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::fake_goaddon::Fake;

const TOKEN: &str = "a-00000000-1111-2222-3333-444444444444";
const LATENCY: Duration = Duration::from_millis(20);

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("addon");
    let ok = Command::new("python3")
        .arg(root.join("fixtures/gen-vendor-addon.py"))
        .args(["--templates", "300", "--out"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(ok.success());
    let fake = Fake::start(TOKEN);
    std::fs::write(
        dir.join("goakit.toml"),
        format!("[addon]\nid = \"bench\"\napi = \"{}\"\n", fake.url()),
    )
    .unwrap();
    let push = || {
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .args(["push", "--format", "json", "--dir"])
            .arg(&dir)
            .env("GOAKIT_TOKEN", TOKEN)
            .output()
            .unwrap()
    };
    // Setup: the remote addon holds every item.
    assert!(push().status.success());
    let items: usize = ["pages", "snippets", "shortcuts"]
        .iter()
        .map(|k| fake.items(k).len())
        .sum();
    // Ten items change locally.
    let mut changed = 0;
    for entry in std::fs::read_dir(dir.join("templates/pages")).unwrap() {
        if changed == 10 {
            break;
        }
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, format!("{text}<!-- edited -->\n")).unwrap();
        changed += 1;
    }
    fake.inner.lock().unwrap().latency = LATENCY;

    fake.clear_log();
    let t = Instant::now();
    let out = push();
    let goakit_time = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let goakit_requests = fake.log().len();

    // Naive: one PATCH per item, in sequence, no diff.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let all: Vec<(String, String, serde_json::Value)> = ["pages", "snippets", "shortcuts"]
        .iter()
        .flat_map(|k| {
            fake.items(k)
                .into_iter()
                .map(move |v| (k.to_string(), v["_id"].as_str().unwrap().to_string(), v))
        })
        .collect();
    fake.clear_log();
    let t = Instant::now();
    rt.block_on(async {
        use base64::Engine as _;
        let auth = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(TOKEN)
        );
        let client = reqwest::Client::new();
        for (kind, id, body) in &all {
            client
                .patch(format!("{}/api/v1/{kind}/{id}", fake.url()))
                .header("authorization", &auth)
                .json(body)
                .send()
                .await
                .unwrap();
        }
    });
    let naive_time = t.elapsed();
    let naive_requests = fake.log().len();

    println!(
        "push of a {items}-item addon with {changed} changed items, {} ms latency per request",
        LATENCY.as_millis()
    );
    println!("{:<28} {:>10} {:>10}", "", "wall ms", "requests");
    println!(
        "{:<28} {:>10.0} {:>10}",
        "goakit push",
        goakit_time.as_secs_f64() * 1e3,
        goakit_requests
    );
    println!(
        "{:<28} {:>10.0} {:>10}",
        "naive sequential push",
        naive_time.as_secs_f64() * 1e3,
        naive_requests
    );
    println!(
        "goakit: {} requests (3 lists + {changed} changes), {:.1}x faster than the naive push",
        goakit_requests,
        naive_time.as_secs_f64() / goakit_time.as_secs_f64()
    );
    // The targets: one list per kind plus one request per change,
    // and at least 5x the naive push.
    assert_eq!(goakit_requests, 3 + changed, "request count target missed");
    assert!(
        naive_time >= goakit_time * 5,
        "speed target missed: {goakit_time:?} vs naive {naive_time:?}"
    );
}
