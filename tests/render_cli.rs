//! `goakit render` / `build` / `init` end to end: the real binary on real files,
//! with a real HTTP server standing in for the addon's own API.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn goakit(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("GOAKIT_WEBHOOK_TOKEN")
        .output()
        .expect("run goakit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `files` (path, content) under a new temp project.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const ROOT: (&str, &str) = (
    "templates/pages/root.html",
    "<main data-page=\"{{ page.name }}\">{% yield %}</main><footer>{{ l.footer }}</footer>",
);
const ROOT_LOCALE: (&str, &str) = (
    "locales/pages/root.json",
    r#"{"en":{"footer":"Root foot"}}"#,
);
const CONFIG: (&str, &str) = ("goakit.toml", "[addon]\nid = \"x\"\n");

fn assert_clean_failure(o: &Output, code: i32, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in stderr:\n{err}");
    }
}

#[test]
fn renders_page_into_root_with_per_template_locales() {
    let dir = project(&[
        CONFIG,
        ROOT,
        ROOT_LOCALE,
        (
            "templates/pages/frontpage.html",
            "<h1>{{ l.headline }}</h1>{% include 'order/lines', n: 2 %}<p>{{ l.headline }} {{ shown }}</p>",
        ),
        (
            "locales/pages/frontpage.json",
            r#"{"en":{"headline":"Front"},"da":{"headline":"Forside"}}"#,
        ),
        (
            "templates/snippets/order/lines.html",
            "<ul>{{ l.title }}:{{ n }}{% assign shown = 'yes' %}</ul>",
        ),
        (
            "locales/snippets/order/lines.json",
            r#"{"en":{"title":"Lines"}}"#,
        ),
        ("preview/project.json", r#"{"_id":"p1","name":"Demo"}"#),
    ]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "<main data-page=\"frontpage\"><h1>Front</h1><ul>Lines:2</ul><p>Front yes</p></main><footer>Root foot</footer>"
    );
    let o = goakit(
        dir.path(),
        &["render", "frontpage", "--bare", "--locale", "da"],
    );
    assert_eq!(
        stdout(&o),
        "<h1>Forside</h1><ul>Lines:2</ul><p>Forside yes</p>"
    );
    // Root never yields itself.
    let o = goakit(dir.path(), &["render", "root"]);
    assert_eq!(
        stdout(&o),
        "<main data-page=\"root\"></main><footer>Root foot</footer>"
    );
}

#[test]
fn params_and_document() {
    let dir = project(&[
        CONFIG,
        ROOT,
        (
            "templates/pages/frontpage.html",
            "id={{ params.id }} missing={{ params.nope }}",
        ),
    ]);
    let o = goakit(
        dir.path(),
        &["render", "frontpage", "--bare", "--param", "id=42"],
    );
    assert_eq!(stdout(&o), "id=42 missing=");
    let o = goakit(dir.path(), &["render", "frontpage", "--document"]);
    let doc = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let order = [
        "bootstrap.min.css",
        "all.min.css",
        "jquery",
        "popper",
        "bootstrap.min.js",
    ];
    let mut at = 0;
    for needle in order {
        let i = doc[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} after {at} in {doc}"));
        at += i;
    }
    assert!(doc.contains("id= missing="));
    let o = goakit(dir.path(), &["render", "frontpage", "--param", "oops"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn no_project_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 2, &["goakit.toml", "goakit init"]);
}

#[test]
fn bad_config_key_names_its_line() {
    let dir = project(&[(
        "goakit.toml",
        "[addon]\nid = \"x\"\n\n[preview]\nprot = 1\n",
    )]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 2, &["goakit.toml:5:", "prot"]);
}

#[test]
fn unknown_page_is_usage_error() {
    let dir = project(&[CONFIG, ROOT]);
    let o = goakit(dir.path(), &["render", "nope"]);
    assert_clean_failure(&o, 2, &["nope", "templates/pages/nope.html"]);
}

#[test]
fn missing_root_fails() {
    let dir = project(&[CONFIG, ("templates/pages/frontpage.html", "x")]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 1, &["root", "templates/pages/root.html"]);
    // --bare needs no root.
    let o = goakit(dir.path(), &["render", "frontpage", "--bare"]);
    assert_eq!(stdout(&o), "x");
}

#[test]
fn broken_locale_json_has_position() {
    let dir = project(&[
        CONFIG,
        ROOT,
        ("templates/pages/frontpage.html", "{{ l.a }}"),
        (
            "locales/pages/frontpage.json",
            "{\n  \"en\": {\"a\": 1,}\n}\n",
        ),
    ]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 1, &["locales/pages/frontpage.json:2:"]);
}

#[test]
fn unknown_snippet_and_cycle_name_the_chain() {
    let dir = project(&[
        CONFIG,
        ROOT,
        ("templates/pages/frontpage.html", "a\n{% include 'a' %}"),
        ("templates/pages/other.html", "\n\n  {% include 'nope' %}"),
        ("templates/snippets/a.html", "{% include 'b' %}"),
        ("templates/snippets/b.html", "x\n{% include 'a' %}"),
    ]);
    let o = goakit(dir.path(), &["render", "other"]);
    assert_clean_failure(&o, 1, &["templates/pages/other.html:3:", "nope"]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 1, &["templates/snippets/b.html:2:", "cycle"]);
}

#[test]
fn self_include_does_not_overflow() {
    let dir = project(&[
        CONFIG,
        ROOT,
        ("templates/pages/frontpage.html", "{% include 'me' %}"),
        ("templates/snippets/me.html", "{% include 'me' %}"),
    ]);
    let o = goakit(dir.path(), &["render", "frontpage"]);
    assert_clean_failure(&o, 1, &["templates/snippets/me.html:1:"]);
}

#[test]
fn init_scaffold_renders_every_page_and_builds() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("addon");
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["init"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pages: Vec<String> = std::fs::read_dir(dir.join("templates/pages"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(pages.len() >= 3, "{pages:?}");
    // goakit's own folders stay out of the repository.
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(
        ignore.contains("/build/") && ignore.contains("/.goakit/"),
        "{ignore}"
    );
    // In a repository with its own .gitignore, init adds its lines to it.
    let repo = base.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join(".gitignore"), "target/\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("init")
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(repo.join(".gitignore")).unwrap(),
        "target/\n/build/\n/.goakit/\n"
    );
    // The sub page shows the record its id names (per-record fixtures).
    let o = goakit(
        &dir,
        &[
            "render",
            "frontpage__details",
            "--offline",
            "--bare",
            "--param",
            "id=customers",
        ],
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Details: Customers"),
        "{}",
        stderr(&o)
    );
    for page in &pages {
        let o = goakit(&dir, &["render", page, "--offline"]);
        assert_eq!(o.status.code(), Some(0), "{page}: {}", stderr(&o));
        assert!(!stderr(&o).contains("warning"), "{page}: {}", stderr(&o));
    }
    // init refuses to overwrite.
    let again = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .args(["init"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("goakit.toml"));
    let out = base.path().join("site");
    let o = goakit(
        &dir,
        &["build", "--offline", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("pages/frontpage.html").is_file());
    let doc = std::fs::read_to_string(out.join("pages/frontpage.html")).unwrap();
    // Every vendored asset the document links exists beside it.
    for link in doc.split("../assets/vendor/").skip(1) {
        let rel = link.split('"').next().unwrap();
        assert!(out.join("assets/vendor").join(rel).is_file(), "{rel}");
    }
}

#[test]
fn example_addon_renders_every_page_offline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon");
    let project = goakit::project::Project::load(&dir).unwrap();
    assert!(project.pages.len() >= 8);
    for page in project.pages.keys() {
        let o = goakit(&dir, &["render", page, "--offline"]);
        assert_eq!(o.status.code(), Some(0), "{page}: {}", stderr(&o));
        assert!(!stderr(&o).contains("warning"), "{page}: {}", stderr(&o));
        assert!(!stdout(&o).contains("Liquid error"), "{page}");
    }
}

mod api {
    //! SPEC 4.2 failures against a real server on 127.0.0.1.
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use std::net::SocketAddr;

    fn serve(app: Router) -> (SocketAddr, tokio::runtime::Runtime) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
        (addr, rt)
    }

    fn api_project(addon_api: &str, method: &str) -> tempfile::TempDir {
        project(&[
            (
                "goakit.toml",
                &format!("[addon]\nid = \"x\"\n[preview]\naddon_api = \"{addon_api}\"\n"),
            ),
            ("templates/pages/root.html", "{{ api.shop }}|{% yield %}"),
            ("settings/pages/root.json", r#"{"api_path": "/goa/root"}"#),
            (
                "templates/pages/frontpage.html",
                "{{ api.shop }}:{{ api.orders.size }}:{{ api.who }}",
            ),
            (
                "settings/pages/frontpage.json",
                &format!(
                    r#"{{"menu_title":{{"en":"Home"}},"api_path": "/goa/projects/{{{{ project_id }}}}/orders", "api_method": "{method}"}}"#
                ),
            ),
            ("preview/project.json", r#"{"_id":"p42","name":"Demo"}"#),
            (
                "preview/api/frontpage.json",
                r#"{"shop":"offline","orders":[1]}"#,
            ),
        ])
    }

    #[test]
    fn calls_api_merges_root_and_falls_back_offline() {
        let app = Router::new()
            .route(
                "/goa/root",
                get(|| async { r#"{"shop":"root","who":"root-user"}"# }),
            )
            .route(
                "/goa/projects/p42/orders",
                post(|body: String| async move {
                    assert!(body.contains("p42"));
                    r#"{"shop":"page","orders":[1,2,3]}"#
                }),
            );
        let (addr, _rt) = serve(app);
        let dir = api_project(&format!("http://{addr}"), "POST");
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(stdout(&o), "page|page:3:root-user");
        let o = goakit(dir.path(), &["render", "frontpage", "--offline"]);
        assert_eq!(stdout(&o), "offline|offline:1:");
    }

    #[test]
    fn refused() {
        // Bind then drop: nothing listens on that port any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = api_project(&format!("http://127.0.0.1:{port}"), "GET");
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_clean_failure(
            &o,
            1,
            &["root", &format!("127.0.0.1:{port}/goa/root"), "--offline"],
        );
    }

    #[test]
    fn non_2xx_not_json_not_object_and_slow() {
        let app = Router::new()
            .route("/goa/root", get(|| async { r#"{"shop":"root"}"# }))
            .route(
                "/goa/projects/p42/orders",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "database on fire") }),
            )
            .route("/nojson/goa/root", get(|| async { "<html>login</html>" }))
            .route("/array/goa/root", get(|| async { "[1,2]" }))
            .route(
                "/slow/goa/root",
                get(|| async {
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                    "{}"
                }),
            );
        let (addr, _rt) = serve(app);
        let dir = api_project(&format!("http://{addr}"), "GET");
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_clean_failure(
            &o,
            1,
            &[
                "frontpage",
                "500",
                "database on fire",
                "/goa/projects/p42/orders",
            ],
        );
        let dir = api_project(&format!("http://{addr}/nojson"), "GET");
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_clean_failure(&o, 1, &["not JSON", "<html>login"]);
        let dir = api_project(&format!("http://{addr}/array"), "GET");
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_clean_failure(&o, 1, &["not an object", "an array"]);
        let dir = api_project(&format!("http://{addr}/slow"), "GET");
        let started = std::time::Instant::now();
        let o = goakit(dir.path(), &["render", "frontpage"]);
        assert_clean_failure(&o, 1, &["5 s", "/slow/goa/root"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(15));
    }
}

#[test]
fn broken_settings_json_is_an_error_not_a_silent_skip() {
    let dir = project(&[
        CONFIG,
        ROOT,
        ("templates/pages/frontpage.html", "{{ api.x }}"),
        (
            "settings/pages/frontpage.json",
            "{\"api_path\": \"/goa/x\",\n \"api_method\": GET}",
        ),
    ]);
    let o = goakit(dir.path(), &["render", "frontpage", "--offline"]);
    assert_clean_failure(&o, 1, &["settings/pages/frontpage.json:2:"]);
}

/// The page renders straight into root at `{% yield %}`: twice for two
/// yields, its runtime error listed once, its runaway loop stopping the
/// whole render with the page's own position.
#[test]
fn page_renders_into_root_at_each_yield() {
    let dir = project(&[
        CONFIG,
        (
            "templates/pages/root.html",
            "<a>{% yield %}</a><b>{% yield %}</b>{{ 1 | divided_by: 0 }}",
        ),
        ("templates/pages/p.html", "P{{ 2 | divided_by: 0 }}"),
    ]);
    let o = goakit(dir.path(), &["render", "p"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "<a>PLiquid error: divided by 0</a><b>PLiquid error: divided by 0</b>Liquid error: divided by 0"
    );
    let err = stderr(&o);
    assert_eq!(
        err.matches("templates/pages/p.html:1:2").count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.matches("templates/pages/root.html:1:").count(),
        1,
        "{err}"
    );

    std::fs::write(
        dir.path().join("goakit.toml"),
        "[addon]\nid = \"x\"\n[render]\nmax_seconds = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("templates/pages/p.html"),
        "P\n{% for i in (1..1000000000) %}{{ i }}{% endfor %}",
    )
    .unwrap();
    let o = goakit(dir.path(), &["render", "p"]);
    assert_clean_failure(&o, 1, &["templates/pages/p.html:2:1", "max_seconds"]);
}

/// README "Files and links": one policy for every command. Reading never
/// follows a link out of the project (inside is fine); `build --out`
/// refuses the project's own folders, a folder with content it did not
/// make, and never writes through links.
#[test]
fn links_out_of_the_project_are_never_followed() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("addon");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon"),
        &dir,
    );
    let secret = base.path().join("secret");
    std::fs::create_dir_all(&secret).unwrap();
    std::fs::write(secret.join("leak.html"), "<p>SECRET</p>").unwrap();
    // A link to a page outside: not a page of the project.
    std::os::unix::fs::symlink(
        secret.join("leak.html"),
        dir.join("templates/pages/leak.html"),
    )
    .unwrap();
    // A link inside the project: fine.
    std::os::unix::fs::symlink(
        dir.join("templates/pages/orders.html"),
        dir.join("templates/pages/orders_copy.html"),
    )
    .unwrap();
    let o = goakit(&dir, &["render", "leak", "--offline"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stdout(&o).contains("SECRET"));
    let o = goakit(&dir, &["render", "orders_copy", "--offline", "--bare"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A link loop inside the project: each real folder is read once.
    std::os::unix::fs::symlink(dir.join("templates"), dir.join("templates/snippets/loop")).unwrap();
    let o = goakit(&dir, &["lint"]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    let o = goakit(&dir, &["render", "orders", "--offline", "--bare"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // description.md leading outside: refused with its name.
    std::fs::remove_file(dir.join("description.md")).unwrap();
    std::os::unix::fs::symlink(secret.join("leak.html"), dir.join("description.md")).unwrap();
    let o = goakit(&dir, &["render", "orders", "--offline"]);
    assert_clean_failure(&o, 2, &["description.md", "outside the project"]);
    std::fs::remove_file(dir.join("description.md")).unwrap();

    // build --out: the project, its sources, a foreign non-empty folder
    // and a link are refused, and nothing is written.
    let before = std::fs::read_to_string(dir.join("templates/pages/orders.html")).unwrap();
    for out in [
        dir.clone(),
        dir.join("templates"),
        dir.join("templates/pages"),
        secret.clone(),
        PathBuf::from("/"),
    ] {
        let o = goakit(
            &dir,
            &["build", "--offline", "--out", out.to_str().unwrap()],
        );
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            out.display(),
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("templates/pages/orders.html")).unwrap(),
        before
    );
    let link = base.path().join("out-link");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let o = goakit(
        &dir,
        &["build", "--offline", "--out", link.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // A folder goakit made is rebuilt from empty; a link inside it is
    // removed, never written through.
    let site = base.path().join("site");
    let o = goakit(
        &dir,
        &["build", "--offline", "--out", site.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(site.join(".goakit-build").is_file());
    std::fs::remove_file(site.join("pages/orders.html")).unwrap();
    std::os::unix::fs::symlink(secret.join("leak.html"), site.join("pages/orders.html")).unwrap();
    let o = goakit(
        &dir,
        &["build", "--offline", "--out", site.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let built = std::fs::symlink_metadata(site.join("pages/orders.html")).unwrap();
    assert!(
        built.is_file(),
        "the link was removed and the page written anew"
    );
    assert_eq!(
        std::fs::read_to_string(secret.join("leak.html")).unwrap(),
        "<p>SECRET</p>"
    );
}

/// Terminal hygiene in every command's human output: a path or name with
/// an escape sequence is shown, not run.
#[test]
fn command_output_never_sends_control_characters() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("evil\u{1b}[2Jname");
    let o = Command::new(env!("CARGO_BIN_EXE_goakit"))
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains('\u{1b}'), "{all:?}");
    assert!(all.contains("evil\\u{1b}[2Jname"), "{all}");
    let o = goakit(&dir, &["build", "--offline"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains('\u{1b}'), "{all:?}");
}

/// The papercuts a new user trips on (issue: pages with real data): page
/// names given as files, shortcuts, "did you mean", `lang`, and a build in
/// a locale the project does not have.
#[test]
fn names_as_files_shortcuts_hints_and_lang() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example-addon");
    let by_name = goakit(&dir, &["render", "orders", "--offline"]);
    assert_eq!(by_name.status.code(), Some(0), "{}", stderr(&by_name));
    for given in [
        "orders.html",
        "templates/pages/orders.html",
        "./templates/pages/orders.html",
    ] {
        let o = goakit(&dir, &["render", given, "--offline"]);
        assert_eq!(o.status.code(), Some(0), "{given}: {}", stderr(&o));
        assert_eq!(o.stdout, by_name.stdout, "{given}");
    }
    let o = goakit(&dir, &["render", "templates/shortcuts/open_orders.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is a shortcut, not a page: render it with --shortcut NAME"),
        "{}",
        stderr(&o)
    );
    let o = goakit(&dir, &["render", "--shortcut", "open_orders"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("fa-box"), "{}", stdout(&o));
    let o = goakit(&dir, &["render", "ordrs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "no page named 'ordrs' (expected templates/pages/ordrs.html): did you mean 'orders'?"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(".html.html"));
    // `lang` is the locale rendered.
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&dir, tmp.path());
    std::fs::write(
        tmp.path().join("locales/pages/reports.json"),
        r#"{"en": {"headline": "Reports"}, "da": {"headline": "Rapporter"}}"#,
    )
    .unwrap();
    let o = goakit(
        tmp.path(),
        &[
            "render",
            "reports",
            "--offline",
            "--document",
            "--locale",
            "da",
        ],
    );
    assert!(
        stdout(&o).starts_with("<!DOCTYPE html>\n<html lang=\"da\">"),
        "{}",
        stderr(&o)
    );
    let o = goakit(tmp.path(), &["build", "--offline", "--locale", "xx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown locale \"xx\""));
    assert!(!tmp.path().join("build").exists(), "nothing built");
}

/// The command line itself: versions, help, peer tools' command names,
/// completions.
#[test]
fn command_line_papercuts() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_goakit"))
            .args(args)
            .output()
            .unwrap()
    };
    for flag in ["--version", "-V", "-v"] {
        let o = run(&[flag]);
        assert_eq!(o.status.code(), Some(0), "{flag}");
        assert!(
            stdout(&o).starts_with("goakit 0.1.0"),
            "{flag}: {}",
            stdout(&o)
        );
        // Built from a checkout: the revision is named.
        if Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
            assert!(stdout(&o).starts_with("goakit 0.1.0 ("), "{}", stdout(&o));
        }
    }
    let o = run(&["help", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Usage: goakit"));
    for (typed, ours) in [
        ("dev", "preview"),
        ("check", "lint"),
        ("deploy", "push"),
        ("rendr", "render"),
    ] {
        let o = run(&[typed]);
        assert_eq!(o.status.code(), Some(2), "{typed}");
        assert!(
            stderr(&o).contains(&format!("did you mean 'goakit {ours}'?")),
            "{typed}: {}",
            stderr(&o)
        );
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(stdout(&o).contains("goakit"), "{shell}");
    }
}
