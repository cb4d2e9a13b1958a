//! `goakit push` / `pull` against a fake Goaddon API (a real HTTP server).

mod support;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::copy_dir;
use support::fake_goaddon::{Fake, Fault};

const TOKEN: &str = "a-e1f92c77-5bb0-4fb8-9bd8-9b61d014ab5f";

/// The example addon, pointed at the fake API.
fn project(fake: &Fake) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("addon");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon"),
        &dir,
    );
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    let toml = toml.replace(
        "api = \"https://goaddon.com\"",
        &format!("api = \"{}\"", fake.url()),
    );
    std::fs::write(dir.join("goakit.toml"), toml).unwrap();
    (tmp, dir)
}

/// A goakit.toml alone, for the fake addon: a fresh project to pull into.
fn fresh_config(dir: &Path, fake: &Fake) {
    std::fs::write(
        dir.join("goakit.toml"),
        format!(
            "[addon]\nid = \"5c3f908e3ab42f323432fc60\"\napi = \"{}\"\n",
            fake.url()
        ),
    )
    .unwrap();
}

fn goakit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("GOAKIT_TOKEN", TOKEN)
        .output()
        .unwrap()
}

fn all_output(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_no_token(text: &str) {
    assert!(!text.contains(TOKEN), "the token leaked: {text}");
    assert!(
        !text.contains("e1f92c77"),
        "part of the token leaked: {text}"
    );
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(TOKEN);
    assert!(!text.contains(&b64), "the encoded token leaked");
}

fn push_json(dir: &Path, extra: &[&str]) -> (serde_json::Value, Output) {
    let mut args = vec!["push", "--format", "json"];
    args.extend_from_slice(extra);
    let o = goakit(dir, &args);
    assert_no_token(&all_output(&o));
    let v =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("JSON: {}", all_output(&o)));
    (v, o)
}

#[test]
fn push_creates_everything_then_is_idempotent() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    let o = goakit(&dir, &["push"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.lines().next().unwrap().starts_with(&format!(
            "Target: {}/api/v1 (addon 5c3f908e3ab42f323432fc60)",
            fake.url()
        )),
        "{out}"
    );
    assert!(out.contains("pages: 9 create"), "{out}");
    assert_eq!(fake.names("pages").len(), 9);
    assert_eq!(fake.names("snippets").len(), 7);
    assert_eq!(fake.names("shortcuts"), ["open_orders"]);
    // Every request carried Basic base64(token), the token alone.
    for l in fake.log() {
        use base64::Engine as _;
        assert_eq!(
            l.authorization.unwrap(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(TOKEN)
            )
        );
    }
    let orders = fake
        .items("pages")
        .into_iter()
        .find(|p| p["name"] == "orders")
        .unwrap();
    assert_eq!(orders["menu_title"], json!({"en": "Orders"}));
    assert_eq!(orders["api_method"], "GET");
    assert!(
        orders["html"]
            .as_str()
            .unwrap()
            .contains("{% include 'order/row'")
    );
    // No backup when nothing existing changes.
    assert!(!dir.join(".goakit/backups").exists());
    // Second push: only the three lists, zero writes.
    fake.clear_log();
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0));
    let mut paths: Vec<String> = fake
        .log()
        .into_iter()
        .map(|l| format!("{} {}", l.method, l.path))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "GET /api/v1/pages",
            "GET /api/v1/shortcuts",
            "GET /api/v1/snippets"
        ]
    );
    assert!(fake.writes().is_empty());
    assert_eq!(v["plan"]["pages"]["unchanged"].as_array().unwrap().len(), 9);
    assert!(
        v["plan"]["pages"]["unchanged"]
            .as_array()
            .unwrap()
            .contains(&json!("orders"))
    );
}

#[test]
fn update_backs_up_and_changes_only_what_changed() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    std::fs::write(
        dir.join("templates/pages/settings.html"),
        "<h1>{{ l.headline }}</h1>{{ l.notify }}{{ l.sender }}{{ l.save }}",
    )
    .unwrap();
    fake.clear_log();
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(v["actions"][0]["name"], "settings");
    assert_eq!(v["actions"][0]["result"], "applied");
    let backup = v["backup"].as_str().unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(backup).unwrap()).unwrap();
    let old = saved["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "settings")
        .unwrap();
    assert!(
        old["html"].as_str().unwrap().contains("custom-switch"),
        "backup holds the state before the update"
    );
    assert_no_token(&std::fs::read_to_string(backup).unwrap());
}

#[test]
fn dry_run_writes_nothing_and_prune_needs_asking() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.insert("snippets", json!({"name": "remote_only", "html": "x"}));
    let (v, o) = push_json(&dir, &["--dry-run", "--prune"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(fake.writes().is_empty());
    assert_eq!(v["plan"]["snippets"]["delete"], json!(["remote_only"]));
    assert!(!dir.join(".goakit").exists());
    // Without --prune nothing is deleted.
    assert!(goakit(&dir, &["push"]).status.success());
    assert_eq!(fake.names("snippets").len(), 8);
    // --prune off a terminal without --yes refuses, writing nothing.
    fake.clear_log();
    let o = goakit(&dir, &["push", "--prune"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(all_output(&o).contains("--yes"));
    assert!(fake.writes().is_empty());
    let (v, o) = push_json(&dir, &["--prune", "--yes"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fake.names("snippets").len(), 7);
    let saved = std::fs::read_to_string(v["backup"].as_str().unwrap()).unwrap();
    assert!(
        saved.contains("remote_only"),
        "the deleted item is in the backup"
    );
}

#[test]
fn refused_token_says_so_without_the_token() {
    let fake = Fake::start("a-00000000-0000-0000-0000-000000000000");
    let (_tmp, dir) = project(&fake);
    let o = goakit(&dir, &["push"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("401") && out.contains("refused the token"),
        "{out}"
    );
    assert_no_token(&out);
    let o = goakit(&dir, &["pull"]);
    assert_eq!(o.status.code(), Some(1));
    assert_no_token(&all_output(&o));
    // No token at all: a usage error before any request.
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["push", "--dir"])
        .arg(&dir)
        .env_remove("GOAKIT_TOKEN")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("GOAKIT_TOKEN"));
    // --token-file works, and trims the newline.
    let tf = dir.join("../token.txt");
    std::fs::write(&tf, format!("{TOKEN}\n")).unwrap();
    let ok = Fake::start(TOKEN);
    let (_t2, dir2) = project(&ok);
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["push", "--token-file"])
        .arg(&tf)
        .arg("--dir")
        .arg(&dir2)
        .env_remove("GOAKIT_TOKEN")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
}

#[test]
fn rejected_item_is_reported_and_rerun_converges() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.fault("POST pages/reports", Fault::Status(422, None));
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["failed"], 1);
    let failed: Vec<_> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["result"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["name"], "reports");
    assert_eq!(failed[0]["status"], 422);
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains("injected 422")
    );
    assert!(!fake.names("pages").contains(&"reports".to_string()));
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(fake.names("pages").contains(&"reports".to_string()));
}

#[test]
fn retries_429_with_retry_after_and_5xx() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.fault("GET pages", Fault::Status(429, Some(1)));
    fake.fault("POST pages/orders", Fault::Status(503, None));
    fake.fault("POST pages/orders", Fault::Status(503, None));
    let started = Instant::now();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let posts = fake
        .log()
        .iter()
        .filter(|l| l.method == "POST" && l.body.contains("\"name\":\"orders\""))
        .count();
    assert_eq!(posts, 3);
    assert_eq!(
        fake.names("pages")
            .iter()
            .filter(|n| *n == "orders")
            .count(),
        1
    );
    // Each retry was a line with its reason and wait.
    let err = String::from_utf8_lossy(&o.stderr);
    let retries: Vec<&str> = err.lines().filter(|l| l.starts_with("retrying")).collect();
    assert_eq!(retries.len(), 3, "{err}");
    assert!(
        retries[0].starts_with("retrying GET /api/v1/pages in 1.0 s (attempt 2 of 5): 429"),
        "{err}"
    );
    assert!(
        retries
            .iter()
            .any(|l| l.contains("POST /api/v1/pages") && l.contains("503")),
        "{err}"
    );
}

/// A Retry-After of an hour is never waited out: the wait is capped, and
/// the overall --timeout ends the push at once with a clear message.
#[test]
fn long_retry_after_meets_the_overall_timeout() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.fault("GET pages", Fault::Status(429, Some(3600)));
    let started = Instant::now();
    let o = goakit(&dir, &["push", "--timeout", "5"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(out.contains("overall deadline of 5 s (--timeout)"), "{out}");
    assert!(fake.writes().is_empty());
}

/// An answer over 32 MiB is refused, not read into memory.
#[test]
fn answers_over_32_mib_are_refused() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.insert(
        "pages",
        json!({"name": "huge", "html": "x".repeat(33 << 20)}),
    );
    let o = goakit(&dir, &["push", "--dry-run"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("larger than 32 MiB: refused"), "{out}");
}

/// The colleague scenario (SPEC 9, sync record): a page edited on Goaddon
/// after the last sync is never overwritten by push; pull takes it.
#[test]
fn a_remote_edit_is_never_overwritten_and_pull_takes_it() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    let record = dir.join(".goakit/sync/default.json");
    let text = std::fs::read_to_string(&record).unwrap();
    assert_no_token(&text);
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["items"]["pages"].as_object().unwrap().len(), 9, "{r}");
    // A colleague edits the frontpage on Goaddon.
    fake.edit(
        "pages",
        "frontpage",
        "html",
        json!("<h1>{{ l.headline }}</h1>colleague\n"),
    );
    fake.clear_log();
    let o = goakit(&dir, &["push", "--dry-run"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "conflict: page frontpage: changed on the remote since the last sync (local unchanged)"
        ),
        "{out}"
    );
    assert!(
        out.contains("--- remote/templates/pages/frontpage.html"),
        "{out}"
    );
    assert!(
        out.contains("    -<h1>{{ l.headline }}</h1>colleague"),
        "{out}"
    );
    assert!(!out.contains("1 update"), "{out}");
    // Even with --yes the push refuses and writes nothing.
    let (v, o) = push_json(&dir, &["--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["refused"], "conflicts");
    assert_eq!(v["conflicts"][0]["name"], "frontpage");
    assert_eq!(v["conflicts"][0]["conflict"], "remote-changed");
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
    let front = |fake: &Fake| {
        fake.items("pages")
            .into_iter()
            .find(|p| p["name"] == "frontpage")
            .unwrap()["html"]
            .clone()
    };
    assert!(front(&fake).as_str().unwrap().contains("colleague"));
    // pull takes the edit without --force: the local file was unchanged.
    let o = goakit(&dir, &["pull"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("wrote templates/pages/frontpage.html"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(dir.join("templates/pages/frontpage.html"))
            .unwrap()
            .contains("colleague")
    );
    // Now both agree: push has nothing to do.
    fake.clear_log();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(fake.writes().is_empty());
    // A later local edit pushes as usual.
    std::fs::write(
        dir.join("templates/pages/frontpage.html"),
        "<h1>{{ l.headline }}</h1>mine\n",
    )
    .unwrap();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(front(&fake).as_str().unwrap().contains("mine"));
    for e in std::fs::read_dir(dir.join(".goakit/sync")).unwrap() {
        assert_no_token(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
}

/// Both sides changed: push and pull both refuse and name the conflict;
/// pull --force keeps the local version in a backup; nothing is lost.
#[test]
fn both_sides_changed_is_a_named_conflict() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    fake.edit("pages", "reports", "html", json!("theirs\n"));
    std::fs::write(dir.join("templates/pages/reports.html"), "mine\n").unwrap();
    fake.clear_log();
    let o = goakit(&dir, &["push", "--yes"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("page reports: changed on both sides since the last sync"),
        "{out}"
    );
    assert!(fake.writes().is_empty());
    let o = goakit(&dir, &["pull"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("page reports: changed on both sides since the last sync"),
        "{out}"
    );
    assert!(
        !out.contains("push --force"),
        "pull never advises pushing over the remote: {out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/reports.html")).unwrap(),
        "mine\n"
    );
    // goakit diff shows both sides and which changed.
    let o = goakit(&dir, &["diff", "reports"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("page reports: changed on both sides since the last sync"),
        "{out}"
    );
    assert!(out.contains("-theirs\n+mine"), "{out}");
    let o = goakit(&dir, &["diff", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["differ"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["differ"][0]["name"], "reports");
    assert!(v["differ"][0]["diff"].as_str().unwrap().contains("+mine"));
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains('\u{1b}'),
        "no colour off a terminal"
    );
    // --force takes theirs and keeps mine in the backup.
    let o = goakit(&dir, &["pull", "--force", "reports"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/reports.html")).unwrap(),
        "theirs\n"
    );
    let backup = std::fs::read_dir(dir.join(".goakit/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-local.json"))
        .unwrap();
    assert!(std::fs::read_to_string(backup).unwrap().contains("mine"));
    // The merge then pushes without a conflict.
    std::fs::write(
        dir.join("templates/pages/reports.html"),
        "theirs and mine\n",
    )
    .unwrap();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    let o = goakit(&dir, &["diff"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(all_output(&o).contains("local and remote agree"));
}

/// First sync (no record) onto an addon whose content differs: the plan
/// says so and replacing the remote content needs --yes.
#[test]
fn first_sync_replacing_remote_content_needs_yes() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.insert(
        "pages",
        json!({"name": "frontpage", "html": "someone else's\n"}),
    );
    fake.insert("snippets", json!({"name": "remote_only", "html": "x"}));
    let o = goakit(&dir, &["push"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no sync record yet (first sync)"), "{out}");
    assert!(
        out.contains("page frontpage: differs from the remote and has no sync record"),
        "{out}"
    );
    assert!(
        out.contains("1 on the remote only, kept (remote_only)"),
        "{out}"
    );
    assert!(out.contains("pass --yes to confirm"), "{out}");
    assert!(fake.writes().is_empty());
    let (v, o) = push_json(&dir, &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["plan"]["snippets"]["remote_only"], json!(["remote_only"]));
    assert_eq!(v["plan"]["pages"]["update"], json!(["frontpage"]));
    assert!(v["backup"].is_string());
    assert_eq!(fake.names("snippets").len(), 8, "remote-only kept");
}

/// `push NAME...` writes only those items; an unknown NAME is a usage error.
#[test]
fn push_and_pull_names_limit_the_work() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    let (v, o) = push_json(&dir, &["orders", "templates/snippets/order/row.html"]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(fake.names("pages"), ["orders"]);
    assert_eq!(fake.names("snippets"), ["order/row"]);
    let o = goakit(&dir, &["push", "ordrs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("no page, snippet or shortcut named \"ordrs\""));
    // pull NAME takes only that one.
    fake.edit("pages", "orders", "html", json!("new orders\n"));
    fake.edit("snippets", "order/row", "html", json!("new row\n"));
    let o = goakit(&dir, &["pull", "orders"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/orders.html")).unwrap(),
        "new orders\n"
    );
    assert_ne!(
        std::fs::read_to_string(dir.join("templates/snippets/order/row.html")).unwrap(),
        "new row\n"
    );
}

#[test]
fn dropped_connection_midway_then_rerun_without_duplicates() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.fault("POST snippets/order/row", Fault::DropAfterApply);
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(1));
    let failed: Vec<_> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["result"] != "applied")
        .collect();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(failed[0]["name"], "order/row");
    // The request reached the server: its fate is unknown, never "not applied".
    assert_eq!(failed[0]["result"], "unknown", "{v}");
    assert_eq!(
        (v["failed"].as_u64(), v["unknown"].as_u64()),
        (Some(0), Some(1))
    );
    // The server did create it; the rerun sees it and creates nothing twice.
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(v["applied"], 0);
    let rows = fake
        .names("snippets")
        .iter()
        .filter(|n| *n == "order/row")
        .count();
    assert_eq!(rows, 1);
}

#[test]
fn replace_uses_one_request_per_kind() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    fake.insert("pages", json!({"name": "old_page", "html": "x"}));
    fake.insert("shortcuts", json!({"name": "remote_shortcut", "html": "x"}));
    // The plan says what the replace removes, and off a terminal it needs --yes.
    let (v, _) = push_json(&dir, &["--replace", "--dry-run"]);
    assert_eq!(v["plan"]["pages"]["replace"], true);
    assert_eq!(v["plan"]["pages"]["replace_removes"], json!(["old_page"]));
    assert_eq!(v["plan"]["shortcuts"]["delete"], json!([]));
    let o = goakit(&dir, &["push", "--replace"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(all_output(&o).contains("old_page"), "{}", all_output(&o));
    assert!(fake.writes().is_empty());
    let (v, o) = push_json(&dir, &["--replace", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    // Shortcuts have no replace-all: without --prune the remote one stays.
    assert!(
        fake.names("shortcuts")
            .contains(&"remote_shortcut".to_string())
    );
    assert!(
        !fake.writes().iter().any(|l| l.method == "DELETE"),
        "{:?}",
        fake.writes()
    );
    let puts: Vec<_> = fake
        .writes()
        .into_iter()
        .filter(|l| l.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 2);
    assert_eq!(fake.names("pages").len(), 9);
    assert!(v["backup"].is_string());
    // A replace plan lists what changes: the one page edited.
    std::fs::write(dir.join("templates/pages/reports.html"), "<p>new</p>\n").unwrap();
    let (v, _) = push_json(&dir, &["--replace", "--dry-run"]);
    assert_eq!(v["plan"]["pages"]["update"], json!(["reports"]), "{v}");
    // A remote item goakit leaves alone (no name) is never removed by a
    // replace-all: refused.
    fake.insert("snippets", json!({"html": "nameless"}));
    let o = goakit(&dir, &["push", "--replace", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert!(
        all_output(&o).contains("push --replace would also remove"),
        "{}",
        all_output(&o)
    );
    assert_eq!(v["plan"]["pages"]["replace"], true);
    assert_eq!(
        v["plan"]["snippets"]["replace"], false,
        "nothing to send: {v}"
    );
}

/// A backup puts the remote back: plan, a backup of what it replaces,
/// creates and updates only; then pull takes the restored content.
#[test]
fn restore_round_trip() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    let original = std::fs::read_to_string(dir.join("templates/pages/reports.html")).unwrap();
    std::fs::write(
        dir.join("templates/pages/reports.html"),
        "<p>bad edit</p>\n",
    )
    .unwrap();
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    let backup = v["backup"].as_str().unwrap().to_string();
    let name = Path::new(&backup)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    // The remote also lost a snippet since.
    let id = fake.items("snippets")[0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let gone = fake.items("snippets")[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    fake.inner
        .lock()
        .unwrap()
        .items
        .get_mut("snippets")
        .unwrap()
        .retain(|i| i["_id"] != id.as_str());
    fake.insert("pages", json!({"name": "added_later", "html": "kept"}));
    fake.clear_log();
    let o = goakit(&dir, &["restore", &name, "--dry-run"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(&format!("restoring {backup}")), "{out}");
    assert!(out.contains("pages: 1 update (reports)"), "{out}");
    assert!(
        out.contains(&format!("snippets: 1 create ({gone})")),
        "{out}"
    );
    assert!(fake.writes().is_empty());
    // Off a terminal, replacing remote content needs --yes.
    let o = goakit(&dir, &["restore", &backup]);
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert!(fake.writes().is_empty());
    let o = goakit(&dir, &["restore", &backup, "--yes"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_no_token(&out);
    let methods: Vec<String> = fake.writes().iter().map(|l| l.method.clone()).collect();
    assert_eq!(methods.len(), 2, "{methods:?}");
    assert!(methods.contains(&"PATCH".to_string()) && methods.contains(&"POST".to_string()));
    assert!(
        fake.names("pages").contains(&"added_later".to_string()),
        "restore never deletes"
    );
    assert!(fake.names("snippets").contains(&gone));
    // The restore took its own backup first, and the sync record sees the
    // restored page as a remote change: pull takes it.
    assert_eq!(
        std::fs::read_dir(dir.join(".goakit/backups"))
            .unwrap()
            .count(),
        2
    );
    let o = goakit(&dir, &["pull", "reports"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/reports.html")).unwrap(),
        original
    );
    // A backup of another addon is refused.
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    std::fs::write(
        dir.join("goakit.toml"),
        toml.replace("5c3f908e3ab42f323432fc60", "other"),
    )
    .unwrap();
    let o = goakit(&dir, &["restore", &backup, "--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("not of addon other"));
}

/// clone: goakit.toml, .gitignore and the remote addon, nothing of the
/// scaffold; the next push plans zero writes.
#[test]
fn clone_then_push_plans_zero_writes() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args([
            "clone",
            "5c3f908e3ab42f323432fc60",
            "--api",
            &fake.url(),
            "--dir",
        ])
        .arg(tmp.path())
        .env("GOAKIT_TOKEN", TOKEN)
        .output()
        .unwrap();
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_no_token(&out);
    let cloned = tmp.path().join("5c3f908e3ab42f323432fc60");
    assert!(
        std::fs::read_to_string(cloned.join(".gitignore"))
            .unwrap()
            .contains("/.goakit/")
    );
    let pages: Vec<_> = std::fs::read_dir(cloned.join("templates/pages"))
        .unwrap()
        .collect();
    assert_eq!(pages.len(), 9);
    assert!(!cloned.join("preview").exists(), "nothing of the scaffold");
    fake.clear_log();
    let (v, o) = push_json(&cloned, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    for k in ["pages", "snippets", "shortcuts"] {
        for op in ["create", "update", "delete", "remote_only"] {
            assert_eq!(v["plan"][k][op], json!([]), "{k} {op}: {v}");
        }
    }
    assert_eq!(v["first_sync"], false, "clone wrote the sync record");
    // A folder that is not empty is refused.
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["clone", "x1", "--api", &fake.url()])
        .arg(&cloned)
        .env("GOAKIT_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("is not empty"));
}

/// Environments: no silent default, the environment's own token, its own
/// sync record, and a protected one needs --yes for any write.
#[test]
fn environments_need_naming_and_protected_needs_yes() {
    let fake = Fake::start(TOKEN);
    let prod = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    std::fs::write(
        dir.join("goakit.toml"),
        format!(
            "{toml}\n[environments.staging]\nid = \"stage1\"\n\n[environments.production]\nid = \"prod1\"\napi = \"{}\"\nprotected = true\n",
            prod.url()
        ),
    )
    .unwrap();
    let o = goakit(&dir, &["push"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("defines environments (production, staging): choose one with --env NAME"),
        "{out}"
    );
    let o = goakit(&dir, &["push", "--env", "prod"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("no environment named \"prod\""));
    // The environment's own token variable wins over GOAKIT_TOKEN.
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["push", "--env", "staging", "--dir"])
        .arg(&dir)
        .env("GOAKIT_TOKEN", "wrong")
        .env("GOAKIT_TOKEN_STAGING", TOKEN)
        .output()
        .unwrap();
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.starts_with("Environment: staging, target http://"),
        "{out}"
    );
    assert!(out.contains("(addon stage1)"), "{out}");
    assert!(dir.join(".goakit/sync/staging.json").exists());
    // Protected: even the first write needs --yes.
    fake.clear_log();
    let o = goakit(&dir, &["push", "--env", "production"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.starts_with(&format!(
            "Environment: production (protected), target {}/api/v1 (addon prod1)",
            prod.url()
        )),
        "{out}"
    );
    assert!(out.contains("environment production is protected"), "{out}");
    assert!(prod.writes().is_empty());
    let o = goakit(&dir, &["push", "--env", "production", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(prod.names("pages").len(), 9);
    for e in std::fs::read_dir(dir.join(".goakit/sync")).unwrap() {
        assert_no_token(&std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
}

#[test]
fn pull_round_trip_and_conflicts() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    // A fresh project pulls the addon.
    let tmp2 = tempfile::tempdir().unwrap();
    let fresh = tmp2.path();
    fresh_config(fresh, &fake);
    let o = goakit(fresh, &["pull"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    for rel in [
        "templates/pages/orders.html",
        "templates/snippets/order/row.html",
        "templates/shortcuts/open_orders.html",
    ] {
        assert_eq!(
            std::fs::read(fresh.join(rel)).unwrap(),
            std::fs::read(dir.join(rel)).unwrap(),
            "{rel} byte for byte"
        );
    }
    let locale: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fresh.join("locales/pages/orders.json")).unwrap(),
    )
    .unwrap();
    let original: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("locales/pages/orders.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(locale, original);
    // pull then push: nothing to write.
    fake.clear_log();
    let o = goakit(fresh, &["push", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
    // A local change made since the sync is kept: nothing to pull.
    std::fs::write(fresh.join("templates/pages/orders.html"), "mine").unwrap();
    let o = goakit(fresh, &["pull"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("kept local changes") && out.contains("page orders"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(fresh.join("templates/pages/orders.html")).unwrap(),
        "mine"
    );
    // --force takes the remote version and saves the local file first.
    let o = goakit(fresh, &["pull", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_ne!(
        std::fs::read_to_string(fresh.join("templates/pages/orders.html")).unwrap(),
        "mine"
    );
    let backups: Vec<_> = std::fs::read_dir(fresh.join(".goakit/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&backups[0]).unwrap()).unwrap();
    assert_eq!(saved["files"]["templates/pages/orders.html"], "mine");
}

#[test]
fn lint_errors_refuse_push_and_http_is_refused_off_loopback() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    std::fs::write(
        dir.join("templates/pages/settings.html"),
        "{% include 'nope' %}",
    )
    .unwrap();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(all_output(&o).contains("unknown-snippet"));
    assert!(fake.log().is_empty(), "no request before lint passes");
    let toml = std::fs::read_to_string(dir.join("goakit.toml")).unwrap();
    std::fs::write(
        dir.join("goakit.toml"),
        toml.replace(&fake.url(), "http://goaddon.example.com"),
    )
    .unwrap();
    let o = goakit(&dir, &["push", "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(all_output(&o).contains("plain http"));
}

#[test]
fn dropped_answers_to_list_and_delete_are_retried() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    fake.insert("snippets", json!({"name": "gone_soon", "html": "x"}));
    // New on the remote since the sync: --prune refuses to delete it...
    let (v, o) = push_json(&dir, &["--prune", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["conflicts"][0]["conflict"], "remote-created");
    // ... until a push has listed it as on the remote only, and kept it.
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["plan"]["snippets"]["remote_only"], json!(["gone_soon"]));
    // The list answer breaks once: a GET is retried.
    fake.fault("GET snippets", Fault::DropAfterApply);
    // The delete happens but its answer is lost: the retry finds it gone,
    // which is what was asked.
    fake.fault("DELETE snippets", Fault::DropAfterApply);
    fake.clear_log();
    let (v, o) = push_json(&dir, &["--prune", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(v["applied"], 1);
    assert_eq!(v["actions"][0]["action"], "delete");
    assert_eq!(v["actions"][0]["result"], "applied");
    assert!(!fake.names("snippets").contains(&"gone_soon".to_string()));
    let count = |m: &str, p: &str| {
        fake.log()
            .iter()
            .filter(|l| l.method == m && l.path.starts_with(p))
            .count()
    };
    assert_eq!(count("GET", "/api/v1/snippets"), 2);
    assert_eq!(count("DELETE", "/api/v1/snippets/"), 2);
}

#[test]
fn pull_sees_local_locale_and_settings_the_remote_lacks() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    // Someone removed the locale and settings of "reports" on the server.
    {
        let mut inner = fake.inner.lock().unwrap();
        let pages = inner.items.get_mut("pages").unwrap();
        let reports = pages.iter_mut().find(|p| p["name"] == "reports").unwrap();
        let o = reports.as_object_mut().unwrap();
        o.insert("locale".into(), json!({}));
        for f in ["menu_title", "api_path", "api_method"] {
            o.remove(f);
        }
    }
    // A local settings file with an extra key the wire does not carry, same
    // fields otherwise: not a conflict.
    let s_path = dir.join("settings/pages/orders.json");
    let mut settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s_path).unwrap()).unwrap();
    settings["note"] = json!("local only");
    std::fs::write(&s_path, serde_json::to_string(&settings).unwrap()).unwrap();
    // Only the remote changed since the push: pull takes it.
    let o = goakit(&dir, &["pull"]);
    let out = all_output(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("wrote locales/pages/reports.json"), "{out}");
    assert!(out.contains("wrote settings/pages/reports.json"), "{out}");
    assert!(!out.contains("settings/pages/orders.json"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.join("locales/pages/reports.json")).unwrap(),
        "{}\n"
    );
    assert!(
        std::fs::read_to_string(&s_path)
            .unwrap()
            .contains("local only")
    );
    // pull then push: the project now says what the server holds.
    fake.clear_log();
    let (v, o) = push_json(&dir, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(fake.writes().is_empty(), "{v}");
}

/// README "Files and links": push never reads and pull never writes
/// through a link that leads out of the project.
#[test]
fn push_and_pull_never_go_through_links_out_of_the_project() {
    let fake = Fake::start(TOKEN);
    let (tmp, dir) = project(&fake);
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.html"), "<p>SECRET</p>").unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.html"),
        dir.join("templates/pages/secret.html"),
    )
    .unwrap();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(!fake.names("pages").contains(&"secret".to_string()));
    assert!(!format!("{:?}", fake.writes()).contains("SECRET"));

    // A fresh project whose templates/ is a link out of it: pull writes
    // nothing there.
    let tmp2 = tempfile::tempdir().unwrap();
    let fresh = tmp2.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    fresh_config(&fresh, &fake);
    let elsewhere = tmp2.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, fresh.join("templates")).unwrap();
    let o = goakit(&fresh, &["pull"]);
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert!(
        all_output(&o).contains("outside the project"),
        "{}",
        all_output(&o)
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// What a reviewer found: a cleared field clears on the remote; a create
/// that may have happened is not sent twice; pull keeps local-only
/// settings keys, never replaces an unreadable local file without
/// --force, and settles "changed locally, deleted on the remote" with it.
#[test]
fn clears_unknown_creates_and_careful_pulls() {
    let fake = Fake::start(TOKEN);
    let (_tmp, dir) = project(&fake);
    assert!(goakit(&dir, &["push"]).status.success());
    // A deleted locale file clears the remote locale; nothing comes back.
    std::fs::remove_file(dir.join("locales/pages/reports.json")).unwrap();
    let o = goakit(&dir, &["push"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    let reports = fake
        .items("pages")
        .into_iter()
        .find(|p| p["name"] == "reports")
        .unwrap();
    assert!(
        reports["locale"].is_null() || reports["locale"] == json!({}),
        "{reports}"
    );
    let o = goakit(&dir, &["pull"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert!(!dir.join("locales/pages/reports.json").exists());
    fake.clear_log();
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert!(fake.writes().is_empty(), "{v}");
    // A 502 to a create: unknown, and not sent again.
    std::fs::write(dir.join("templates/pages/extra.html"), "<p>x</p>\n").unwrap();
    fake.fault("POST pages/extra", Fault::Status(502, None));
    fake.clear_log();
    let (v, o) = push_json(&dir, &[]);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["unknown"], 1, "{v}");
    assert_eq!(
        fake.writes().iter().filter(|l| l.method == "POST").count(),
        1
    );
    // pull keeps a local settings key the wire does not carry.
    let s_path = dir.join("settings/pages/orders.json");
    let mut local: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s_path).unwrap()).unwrap();
    local["note"] = json!("mine");
    std::fs::write(&s_path, serde_json::to_string(&local).unwrap()).unwrap();
    fake.edit("pages", "orders", "menu_title", json!({"en": "All orders"}));
    let o = goakit(&dir, &["pull", "orders"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    let now: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s_path).unwrap()).unwrap();
    assert_eq!(now["menu_title"], json!({"en": "All orders"}));
    assert_eq!(now["note"], "mine");
    // An unreadable local locale is never replaced without --force.
    std::fs::write(dir.join("locales/pages/customers.json"), "{ not json").unwrap();
    fake.edit(
        "pages",
        "customers",
        "locale",
        json!({"en": {"headline": "Clients"}}),
    );
    let o = goakit(&dir, &["pull", "customers"]);
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    assert!(
        all_output(&o).contains("page customers"),
        "{}",
        all_output(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("locales/pages/customers.json")).unwrap(),
        "{ not json"
    );
    // Changed locally, deleted on the remote: --force keeps the files.
    std::fs::write(dir.join("templates/pages/settings.html"), "<p>mine</p>\n").unwrap();
    fake.inner
        .lock()
        .unwrap()
        .items
        .get_mut("pages")
        .unwrap()
        .retain(|p| p["name"] != "settings");
    let o = goakit(&dir, &["pull", "settings"]);
    assert_eq!(o.status.code(), Some(1), "{}", all_output(&o));
    let o = goakit(&dir, &["pull", "--force", "settings"]);
    assert_eq!(o.status.code(), Some(0), "{}", all_output(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/settings.html")).unwrap(),
        "<p>mine</p>\n"
    );
}
