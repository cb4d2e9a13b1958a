//! `goakit lint` end to end: planted defects with exact positions, clean
//! projects, output formats, exit codes and --watch on real files.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("lint")
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json_findings(dir: &Path) -> (serde_json::Value, Vec<(String, String, u64, u64)>) {
    let o = lint(dir, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("lint JSON");
    let list = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (v, list)
}

#[test]
fn every_planted_defect_at_its_exact_spot() {
    let (v, found) = json_findings(&fixture("lint/defects"));
    let expected: &[(&str, &str, u64, u64)] = &[
        ("token-in-project", "description.md", 3, 19),
        ("unsafe-markdown", "description.md", 5, 1),
        ("insecure-asset-url", "goakit.toml", 3, 13),
        ("locale-missing-en", "locales/pages/ghost__child.json", 1, 1),
        ("unused-locale-key", "locales/pages/orders.json", 4, 18),
        ("unused-locale-key", "locales/pages/orders.json", 5, 5),
        (
            "invalid-locale-json",
            "locales/snippets/unused_one.json",
            3,
            1,
        ),
        (
            "menu-title-on-sub-page",
            "settings/pages/ghost__child.json",
            1,
            2,
        ),
        ("invalid-api-path", "settings/pages/orders.json", 3, 15),
        ("invalid-api-method", "settings/pages/orders.json", 4, 17),
        ("invalid-settings", "settings/pages/orders.json", 5, 3),
        ("unsafe-markdown", "settings/shortcuts/stats.json", 1, 45),
        ("unsafe-markdown", "settings/shortcuts/stats.json", 1, 71),
        ("unsafe-markdown", "settings/shortcuts/stats.json", 1, 99),
        (
            "insecure-asset-url",
            "settings/shortcuts/stats.json",
            1,
            139,
        ),
        ("invalid-name", "templates/pages/Bad-Name.html", 1, 1),
        ("missing-menu-title", "templates/pages/Bad-Name.html", 1, 1),
        (
            "missing-required-page",
            "templates/pages/frontpage.html",
            1,
            1,
        ),
        ("orphan-sub-page", "templates/pages/ghost__child.html", 1, 1),
        (
            "missing-locale-key",
            "templates/pages/ghost__child.html",
            1,
            7,
        ),
        ("missing-locale-key", "templates/pages/orders.html", 2, 7),
        ("missing-locale-key", "templates/pages/orders.html", 2, 27),
        ("unknown-snippet", "templates/pages/orders.html", 3, 12),
        ("yield-outside-root", "templates/pages/orders.html", 4, 1),
        ("erb-style-tag", "templates/pages/orders.html", 5, 1),
        ("unknown-filter", "templates/pages/orders.html", 6, 12),
        ("unknown-tag", "templates/pages/orders.html", 7, 1),
        ("dynamic-include", "templates/pages/orders.html", 8, 12),
        ("liquid-syntax", "templates/pages/orders.html", 9, 1),
        ("root-without-yield", "templates/pages/root.html", 1, 1),
        ("missing-locale-key", "templates/shortcuts/stats.html", 1, 8),
        ("include-cycle", "templates/snippets/a/loop.html", 1, 12),
        // Other templates have "da": these two would show English there.
        ("missing-translation", "locales/pages/orders.json", 2, 3),
        ("missing-translation", "locales/pages/root.json", 1, 2),
    ];
    for e in expected {
        let e = (e.0.to_string(), e.1.to_string(), e.2, e.3);
        assert!(found.contains(&e), "missing {e:?} in {found:#?}");
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "unexpected extra findings: {found:#?}"
    );
    assert_eq!(v["errors"], 15);
    assert_eq!(v["warnings"], 19);
    // The token itself never reaches any output.
    for format in ["human", "json", "github"] {
        let o = lint(&fixture("lint/defects"), &["--format", format]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!all.contains("e1f92c77-5bb0"), "{format} leaks the token");
        assert_eq!(o.status.code(), Some(1));
    }
}

#[test]
fn clean_projects_have_no_findings() {
    let dir = fixture("example-addon");
    let (v, found) = json_findings(&dir);
    assert!(found.is_empty(), "{}: {found:#?}", dir.display());
    assert_eq!(v["errors"], 0);
    let o = lint(&dir, &["--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no findings"));
    let base = tempfile::tempdir().unwrap();
    let init = base.path().join("new");
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("init")
        .arg(&init)
        .output()
        .unwrap();
    assert!(o.status.success());
    let (_, found) = json_findings(&init);
    assert!(found.is_empty(), "init output: {found:#?}");
}

#[test]
fn vendor_style_project_lints_without_false_errors() {
    let dir = fixture("vendor-addon");
    let templates = walk(&dir.join("templates")).len();
    assert!(templates >= 150, "{templates} templates");
    let (v, found) = json_findings(&dir);
    assert_eq!(v["errors"], 0, "{found:#?}");
    assert!(found.iter().all(|f| f.0 == "unknown-filter"), "{found:#?}");
    let filters: std::collections::BTreeSet<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .split('\'')
                .nth(1)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        filters.into_iter().collect::<Vec<_>>(),
        ["asset_url", "money", "money_with_currency", "t"]
    );
    // Warnings alone exit 0, or 1 with --deny-warnings.
    assert_eq!(lint(&dir, &[]).status.code(), Some(0));
    assert_eq!(lint(&dir, &["--deny-warnings"]).status.code(), Some(1));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn formats_and_exit_codes() {
    let dir = fixture("lint/defects");
    let human = String::from_utf8(lint(&dir, &[]).stdout).unwrap();
    assert!(human.contains("templates/pages/orders.html:3:12: error[unknown-snippet]"));
    assert!(
        human.contains("3 | {% include 'nope' %}\n  |            ^"),
        "{human}"
    );
    assert!(human.contains("lint: 15 errors, 19 warnings"), "{human}");
    assert!(!human.contains("\x1b["), "no colour off a terminal");
    let github = String::from_utf8(lint(&dir, &["--format", "github"]).stdout).unwrap();
    assert!(github.lines().any(|l| l
        == "::error file=templates/pages/orders.html,line=3,col=12,title=unknown-snippet::snippet 'nope' does not exist (expected templates/snippets/nope.html)"));
    assert_eq!(github.lines().count(), 34);
    let json: serde_json::Value =
        serde_json::from_slice(&lint(&dir, &["--format", "json"]).stdout).unwrap();
    let keys: Vec<&str> = json["diagnostics"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["rule", "severity", "file", "line", "column", "message"]
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(lint(empty.path(), &[]).status.code(), Some(2));
    assert_eq!(lint(&dir, &["--format", "xml"]).status.code(), Some(2));
}

#[test]
fn watch_prints_only_what_changed() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("w");
    assert!(
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .arg("init")
            .arg(&dir)
            .output()
            .unwrap()
            .status
            .success()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["lint", "--watch", "--format", "json", "--dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || lines.next().unwrap().unwrap();
    let first: serde_json::Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(first["errors"], 0);
    assert!(next().contains("watching"));
    let page = dir.join("templates/pages/frontpage.html");
    let good = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{good}\n{{% include 'nope' %}}\n")).unwrap();
    let change: serde_json::Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(change["added"][0]["rule"], "unknown-snippet");
    assert_eq!(change["fixed"].as_array().unwrap().len(), 0);
    std::fs::write(&page, &good).unwrap();
    let change: serde_json::Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(change["fixed"][0]["rule"], "unknown-snippet");
    assert_eq!(change["errors"], 0);
    child.kill().unwrap();
    let _ = child.wait();
}

/// Writes `rel` under `dir`, creating folders.
fn put(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn project_wide_rules_and_rebound_l() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("p");
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success());
    // A page in a folder is the sub page of the same name; a snippet whose
    // name differs only by case is the same snippet to Goaddon.
    put(&dir, "templates/pages/frontpage/details.html", "<p>x</p>\n");
    put(
        &dir,
        "templates/snippets/Shared/greeting.html",
        "<p>x</p>\n",
    );
    // Never included, and reads `l` without a locale file.
    put(
        &dir,
        "templates/snippets/lonely.html",
        "<b>{{ l.title }}</b>\n",
    );
    // `l` rebound by a loop or an assign is not the locale.
    let page = dir.join("templates/pages/frontpage.html");
    let mut text = std::fs::read_to_string(&page).unwrap();
    text.push_str("{% for l in api.items %}{{ l.name }}{% endfor %}\n");
    text.push_str("{% liquid\n  for l in api.items\n    echo l.count\n  endfor\n%}\n");
    text.push_str("{% assign l = api %}{{ l.anything }}\n");
    std::fs::write(&page, text).unwrap();
    // A broken settings file is one finding, not also a missing menu title.
    put(&dir, "templates/pages/help.html", "<p>help</p>\n");
    put(&dir, "settings/pages/help.json", "{\"menu_title\": [1\n");
    // One pass: an unclosed block does not hide the other broken tags, nor
    // the findings of other rules.
    put(
        &dir,
        "templates/snippets/broken.html",
        "{% if a %}\n{% assign = 3 %}\n{{ 'a' | }}\n{% include 'nowhere' %}\n",
    );
    // A locale file without its template is still searched for tokens.
    put(
        &dir,
        "locales/pages/gone.json",
        "{\"en\": {\"k\": \"p-12345678-1234-1234-1234-123456789abc\"}}\n",
    );
    let (_, found) = json_findings(&dir);
    let expected: &[(&str, &str, u64, u64)] = &[
        ("token-in-project", "locales/pages/gone.json", 1, 15),
        ("invalid-settings", "settings/pages/help.json", 2, 1),
        (
            "duplicate-name",
            "templates/pages/frontpage/details.html",
            1,
            1,
        ),
        (
            "invalid-name",
            "templates/pages/frontpage/details.html",
            1,
            1,
        ),
        (
            "duplicate-name",
            "templates/snippets/Shared/greeting.html",
            1,
            1,
        ),
        (
            "invalid-name",
            "templates/snippets/Shared/greeting.html",
            1,
            1,
        ),
        (
            "unused-snippet",
            "templates/snippets/Shared/greeting.html",
            1,
            1,
        ),
        // Ruby's parser stops at the first error: the assign on line 2.
        ("liquid-syntax", "templates/snippets/broken.html", 2, 1),
        // Read past the error: Ruby's lax parser drops the empty filter.
        ("lax-syntax", "templates/snippets/broken.html", 3, 1),
        ("unknown-snippet", "templates/snippets/broken.html", 4, 12),
        ("unused-snippet", "templates/snippets/broken.html", 1, 1),
        ("missing-locale-key", "templates/snippets/lonely.html", 1, 7),
        ("unused-snippet", "templates/snippets/lonely.html", 1, 1),
    ];
    let expected: Vec<(String, String, u64, u64)> = expected
        .iter()
        .map(|e| (e.0.to_string(), e.1.to_string(), e.2, e.3))
        .collect();
    let mut found = found;
    found.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(found, want);
    let human = String::from_utf8(lint(&dir, &[]).stdout).unwrap();
    assert!(
        human.contains("l.title is missing: locales/snippets/lonely.json does not exist"),
        "{human}"
    );
    assert!(
        human.contains(
            "a sub page is named <parent>__<child>: templates/pages/frontpage__details.html"
        ),
        "{human}"
    );
}

/// Colours on a terminal (a pseudo-terminal from util-linux `script`),
/// none with NO_COLOR, none into a pipe (checked above).
#[test]
fn colour_only_on_a_terminal_without_no_color() {
    let dir = fixture("lint/defects");
    let run = |no_color: Option<&str>| {
        let cmd = format!(
            "'{}' lint --dir '{}'",
            env!("CARGO_BIN_EXE_goakit"),
            dir.display()
        );
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let o = c.output().expect("util-linux script");
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let tty = run(None);
    assert!(tty.contains("\x1b[31;1merror\x1b[0m"), "{tty}");
    assert!(tty.contains("unknown-snippet"));
    let plain = run(Some("1"));
    assert!(!plain.contains("\x1b["), "{plain}");
    assert!(plain.contains("unknown-snippet"));
}

/// Strings from project files never reach the terminal raw: a locale key
/// holding an escape sequence is shown as `\u{1b}`.
#[test]
fn human_output_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&fixture("example-addon"), dir.path());
    put(
        dir.path(),
        "locales/pages/settings.json",
        "{\"en\": {\"headline\": \"Settings\", \"\\u001b]0;pwned\\u0007\\u001b[2J\": \"x\"}}",
    );
    let o = lint(dir.path(), &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("\\u{1b}]0;pwned"), "{out}");
    assert!(!out.contains('\u{1b}'), "raw escape in: {out:?}");
    assert!(!out.contains('\u{7}'), "raw bell in: {out:?}");
}

/// Pathological templates (the crash harness's kinds) linted in process on
/// a 256 KiB thread stack under a watchdog: lint neither overflows, panics
/// nor hangs, and deep nesting is Ruby's `Nesting too deep` at its spot.
#[test]
fn pathological_templates_lint_on_a_small_stack() {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&fixture("example-addon"), dir.path());
    let rep = |s: &str, n: usize| s.repeat(n);
    let pages: Vec<(&str, String)> = vec![
        (
            "deep_if",
            format!(
                "{}x{}",
                rep("{% if true %}", 8000),
                rep("{% endif %}", 8000)
            ),
        ),
        (
            "deep_case",
            format!(
                "{}{}",
                rep("{% case a %}{% when 1 %}", 1000),
                rep("{% endcase %}", 1000)
            ),
        ),
        (
            "deep_brackets",
            format!(
                "{{{{ {}{} }}}}{{% if {}{} %}}y{{% endif %}}",
                rep("a[", 5000),
                rep("]", 5000),
                rep("a[", 5000),
                rep("]", 5000)
            ),
        ),
        (
            "long_line",
            format!("{{{{ '{}' | upcase }}}}", rep("x", 1 << 20)),
        ),
        ("unterminated", format!("{{{{ {}", rep("a | ", 100_000))),
        (
            "deep_parens",
            format!("{{{{ {}1{} }}}}", rep("(", 3000), rep(")", 3000)),
        ),
        (
            "long_chain",
            format!("{{% if {}true %}}y{{% endif %}}", rep("a or ", 20_000)),
        ),
    ];
    for (name, text) in &pages {
        put(dir.path(), &format!("templates/pages/{name}.html"), text);
    }
    std::fs::write(
        dir.path().join("templates/pages/bytes.html"),
        b"{{ \xff\xfe }}{% if \xc3 %}\x00{% endif %}",
    )
    .unwrap();
    let root = dir.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("lint-small-stack".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            let project = goakit::project::Project::load(&root).expect("loads");
            let _ = tx.send(goakit::lint::lint_project(&project));
        })
        .unwrap();
    let found = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("lint finished within 60 s without a panic");
    let nesting: Vec<_> = found
        .iter()
        .filter(|d| d.message.contains("Nesting too deep"))
        .map(|d| (d.file.clone(), d.line, d.column))
        .collect();
    assert!(
        nesting
            .iter()
            .any(|(f, l, c)| f == "templates/pages/deep_if.html" && *l == 1 && *c == 1301),
        "{nesting:?}"
    );
    assert!(
        nesting
            .iter()
            .any(|(f, ..)| f == "templates/pages/deep_case.html"),
        "{nesting:?}"
    );
}

/// The crash harness's mutation run, for lint (the engine's own harness,
/// `crates/goakit-engine/tests/crash.rs`, covers parse and render): the
/// example addon's templates spliced, duplicated, cut, nested deep and
/// sprinkled with bytes, seeded, each project linted in process on a
/// 256 KiB stack under a watchdog, for about 10 s (`GOAKIT_LINT_CASES`
/// for a fixed count, `GOAKIT_LINT_SEED` for another seed).
#[test]
fn mutated_templates_never_crash_or_hang_lint() {
    let seed: u64 = std::env::var("GOAKIT_LINT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x1157);
    let explicit: Option<u64> = std::env::var("GOAKIT_LINT_CASES")
        .ok()
        .and_then(|s| s.parse().ok());
    let fixture = fixture("example-addon");
    let mut sources: Vec<(String, String)> = Vec::new();
    for path in walk(&fixture.join("templates")) {
        let rel = path
            .strip_prefix(&fixture)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        sources.push((rel, std::fs::read_to_string(&path).unwrap()));
    }
    let fragments = [
        "{% if a %}",
        "{% endif %}",
        "{% for i in (1..3) %}",
        "{% endfor %}",
        "{{ l.",
        "}}",
        "{%",
        "%}",
        "{{",
        "{% include 'order/row' %}",
        "{% raw %}",
        "{% endraw %}",
        "a[",
        "]",
        "| upcase",
        "{% liquid\nassign x = 1\n",
        "{% case x %}{% when 1 %}",
        "{% endcase %}",
        "\u{0}",
        "é",
        "'",
        "\"",
        "{%- comment -%}",
        "{% endcomment %}",
    ];
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = std::time::Instant::now();
    let mut cases = 0u64;
    loop {
        match explicit {
            Some(n) if cases >= n => break,
            None if started.elapsed() > std::time::Duration::from_secs(10) => break,
            _ => {}
        }
        cases += 1;
        let dir = tempfile::tempdir().unwrap();
        support::copy_dir(&fixture, dir.path());
        for _ in 0..1 + next() % 3 {
            let (rel, text) = &sources[(next() % sources.len() as u64) as usize];
            let mut t = text.clone();
            for _ in 0..1 + next() % 4 {
                let at = t.floor_char_boundary((next() % (t.len() as u64 + 1)) as usize);
                match next() % 5 {
                    0 => t.insert_str(at, fragments[(next() % fragments.len() as u64) as usize]),
                    1 => t.truncate(at),
                    2 => {
                        let piece = t[at..].chars().take(40).collect::<String>();
                        t.insert_str(at, &piece.repeat(1 + (next() % 50) as usize));
                    }
                    3 => {
                        let f = fragments[(next() % fragments.len() as u64) as usize];
                        t.insert_str(at, &f.repeat(50 + (next() % 300) as usize));
                    }
                    _ => t.insert(at, char::from_u32((next() % 0x80) as u32).unwrap_or('x')),
                }
            }
            std::fs::write(dir.path().join(rel), t).unwrap();
        }
        let root = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name(format!("lint-case-{seed}-{cases}"))
            .stack_size(256 * 1024)
            .spawn(move || {
                let ok = std::panic::catch_unwind(|| {
                    let project = goakit::project::Project::load(&root).expect("loads");
                    goakit::lint::lint_project(&project).len()
                });
                let _ = tx.send(ok.is_ok());
            })
            .unwrap();
        let ok = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("lint case {cases} (seed {seed}) did not finish in 20 s"));
        assert!(ok, "lint case {cases} (seed {seed}) panicked");
    }
    eprintln!(
        "lint mutation run: {cases} projects (seed {seed}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(cases > 0);
}

/// A typo gets a "did you mean": filters, tags, snippets, locale keys.
#[test]
fn typos_get_did_you_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (rel, text) in [
        ("goakit.toml", "[addon]\n"),
        ("templates/pages/root.html", "{% yield %}"),
        (
            "templates/pages/frontpage.html",
            "{{ 'x' | upcse }}{% include 'order/rw' %}{{ l.headlin }}{% capturee x %}",
        ),
        ("templates/snippets/order/row.html", "row"),
        (
            "locales/pages/frontpage.json",
            r#"{"en": {"headline": "Hi"}}"#,
        ),
    ] {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (v, _) = json_findings(dir);
    let message = |rule: &str| -> String {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule}: {v}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        message("unknown-filter").contains("(did you mean 'upcase'?)"),
        "{v}"
    );
    assert!(
        message("unknown-snippet").contains("did you mean 'order/row'?"),
        "{v}"
    );
    assert!(
        message("missing-locale-key").contains("(did you mean l.headline?)"),
        "{v}"
    );
    assert!(
        message("unknown-tag").contains("(did you mean 'capture'?)"),
        "{v}"
    );
}

/// `missing-translation`: a key of `en` another locale lacks (at that
/// locale's key), and a locale other templates have (at the `en` key).
#[test]
fn missing_translation_at_its_exact_spot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (rel, text) in [
        ("goakit.toml", "[addon]\n"),
        ("templates/pages/root.html", "{{ l.x }}{% yield %}"),
        ("templates/pages/frontpage.html", "{{ l.a }}{{ l.b.c }}"),
        (
            "locales/pages/frontpage.json",
            "{\n  \"en\": {\"a\": \"A\", \"b\": {\"c\": \"C\"}},\n  \"da\": {\"a\": \"Å\"}\n}\n",
        ),
        ("locales/pages/root.json", "{\"en\": {\"x\": \"X\"}}"),
    ] {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (v, found) = json_findings(dir);
    let mt: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "missing-translation")
        .cloned()
        .collect();
    assert_eq!(
        mt,
        [
            (
                "missing-translation".to_string(),
                "locales/pages/frontpage.json".to_string(),
                3,
                3
            ),
            (
                "missing-translation".to_string(),
                "locales/pages/root.json".to_string(),
                1,
                2
            ),
        ],
        "{v}"
    );
    let text = v.to_string();
    assert!(text.contains("lacks en.b.c"), "{v}");
    assert!(
        text.contains("no \\\"da\\\" locale, which other templates have"),
        "{v}"
    );
}

/// The registry: `--rules` lists every rule a finding can name, with its
/// severity; `--explain` documents one; a mistyped id gets a "did you mean".
#[test]
fn rules_and_explain() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .arg("lint")
            .args(args)
            .output()
            .unwrap()
    };
    let listed = String::from_utf8(run(&["--rules"]).stdout).unwrap();
    let (v, _) = json_findings(&fixture("lint/defects"));
    for d in v["diagnostics"].as_array().unwrap() {
        let (rule, sev) = (d["rule"].as_str().unwrap(), d["severity"].as_str().unwrap());
        assert!(
            listed
                .lines()
                .any(|l| l.split_whitespace().take(2).eq([rule, sev])),
            "{rule} ({sev}) not listed:\n{listed}"
        );
    }
    let o = run(&["--explain", "missing-translation"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    for part in ["missing-translation (warning)", "Why:", "Example:", "Fix:"] {
        assert!(text.contains(part), "{text}");
    }
    let o = run(&["--explain", "unknown-filtr"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean 'unknown-filter'?"));
}
