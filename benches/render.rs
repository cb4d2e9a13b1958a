//! Render speed, in one run, side by side: goakit, the plain `liquid` crate,
//! Ruby Liquid 5.4 and LiquidJS 10, on the example addon's heaviest page
//! (`orders`) with 500 rows of API data.
//!
//! `cargo bench --bench render` (needs `ruby-liquid`; LiquidJS is installed
//! into benches/peers with npm on first run). Prints microseconds per render
//! and the ratios.
//!
//! Then the scaling section: the same page with 100, 1,000, 10,000 and
//! 100,000 rows (`GOAKIT_BENCH_ROWS=100,1000` chooses), (a) in-process, each
//! engine timing its own renders (templates parsed and data converted
//! beforehand: goakit reads the API JSON once into shared engine values,
//! as `render` and preview do); (b) whole processes side by side, the
//! release `goakit render orders --offline` on a project copy holding N rows
//! against `benches/peers/render_file.rb` doing the same in Ruby (medians of
//! several runs, taken in turn); (c) their peak memory (max RSS, from
//! `/usr/bin/time -v`) and KiB per row. Only ratios of one run mean much.

use goakit::project::{Kind, Project};
use goakit::render::{Mode, RenderOptions, Renderer};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const PAGE: &str = "orders";
const ROWS: usize = 500;
/// Row counts of the scaling section (`GOAKIT_BENCH_ROWS` overrides).
const SCALE_ROWS: [usize; 4] = [100, 1_000, 10_000, 100_000];
/// Rows each engine renders per size in the scaling section (at least one
/// timed render after one warm-up render).
const SCALE_ROW_BUDGET: usize = 30_000;

/// The page's offline API data with its first list grown to `rows` rows.
fn api_data(project: &Project, rows: usize) -> Map<String, Value> {
    let mut api = project
        .preview_api
        .get(PAGE)
        .and_then(|f| serde_json::from_str::<Map<String, Value>>(&f.text).ok())
        .expect("fixtures/example-addon/preview/api/orders.json");
    let list = api
        .values_mut()
        .find_map(|v| {
            v.as_array_mut()
                .filter(|a| a.first().is_some_and(Value::is_object))
        })
        .expect("an array of row objects in the orders API data");
    let template = list.clone();
    list.clear();
    for i in 0..rows {
        let mut row = template[i % template.len()].clone();
        if let Some(o) = row.as_object_mut() {
            for key in ["id", "_id", "number"] {
                if let Some(v) = o.get_mut(key) {
                    *v = if v.is_number() {
                        json!(1000 + i)
                    } else {
                        json!(format!("{}", 1000 + i))
                    };
                }
            }
        }
        list.push(row);
    }
    api
}

/// Page source, snippet sources and one `l` holding every template's keys,
/// so engines without per-template locales see the same text.
fn flat_inputs(project: &Project, api: &Map<String, Value>) -> (String, Map<String, Value>, Value) {
    let page = project.page(PAGE).expect("orders page");
    let mut l = Map::new();
    let mut partials = Map::new();
    for t in project.templates(Kind::Snippet).values() {
        partials.insert(t.name.clone(), json!(t.source.text));
        goakit::project::deep_merge(&mut l, &t.locale_for("en"));
    }
    goakit::project::deep_merge(&mut l, &page.locale_for("en"));
    let data = json!({
        "project": project.preview_project_value(),
        "locale": "en",
        "page": {"name": PAGE},
        "params": {},
        "api": api,
        "l": l,
    });
    (page.source.text.clone(), partials, data)
}

fn time_per_iter(iterations: usize, f: impl FnMut()) -> f64 {
    time_after_warmup((iterations / 10).max(1), iterations, f)
}

fn time_after_warmup(warmups: usize, iterations: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..warmups {
        f();
    }
    let t = Instant::now();
    for _ in 0..iterations {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / iterations as f64
}

fn peer(cmd: &mut Command, input: &Value) -> Result<(f64, usize), String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let us = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("bad output")?;
    let bytes = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or("bad output")?;
    Ok((us, bytes))
}

/// The API data as goakit holds it: read once from JSON text into shared
/// engine values (keys interned), as `render` and preview do.
fn engine_api(api: &Map<String, Value>) -> goakit::render::Api {
    let text = serde_json::to_string(api).expect("JSON");
    match goakit_engine::json::from_str(&text) {
        Ok(goakit_engine::Value::Hash(h)) => h,
        _ => unreachable!("a JSON object reads as a hash"),
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project::load(&root.join("fixtures/example-addon")).expect("example addon");
    let api = api_data(&project, ROWS);
    let goakit_api = engine_api(&api);
    let iterations = 300;

    let renderer = Renderer::for_project(&project);
    let opts = RenderOptions::for_project(&project);
    let goakit_html = renderer
        .render_page(&project, PAGE, &opts, &goakit_api, Mode::Bare)
        .expect("goakit renders orders")
        .html;
    let goakit_us = time_per_iter(iterations, || {
        let r = renderer.render_page(&project, PAGE, &opts, &goakit_api, Mode::Bare);
        std::hint::black_box(r.is_ok());
    });

    // For profiling goakit alone: RENDER_BENCH_GOAKIT_ONLY=1.
    if std::env::var_os("RENDER_BENCH_GOAKIT_ONLY").is_some() {
        println!("goakit: {goakit_us:.1} µs per render");
        return;
    }
    let (source, partials, data) = flat_inputs(&project, &api);
    let plain = plain_liquid(&source, &partials, &data, iterations / 10, iterations);

    let input =
        json!({"template": source, "partials": partials, "data": data, "iterations": iterations});
    let ruby = peer(
        Command::new("ruby").arg(root.join("benches/peers/render.rb")),
        &input,
    );
    let peers_dir = root.join("benches/peers");
    if !peers_dir.join("node_modules/liquidjs").is_dir() {
        let _ = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&peers_dir)
            .status();
    }
    let liquidjs = peer(
        Command::new("node").arg(peers_dir.join("render.mjs")),
        &input,
    );

    println!(
        "render of '{PAGE}' with {ROWS} rows (µs per render, lower is better; {iterations} iterations each)"
    );
    println!(
        "{:<22} {:>10} {:>12} {:>14}",
        "engine", "µs", "output bytes", "goakit is ×"
    );
    println!(
        "{:<22} {:>10.1} {:>12} {:>14}",
        "goakit",
        goakit_us,
        goakit_html.len(),
        "1.00"
    );
    let row = |name: &str, r: Result<(f64, usize), String>| match r {
        Ok((us, bytes)) => println!(
            "{:<22} {:>10.1} {:>12} {:>13.2}x",
            name,
            us,
            bytes,
            us / goakit_us
        ),
        Err(e) => println!("{name:<22} unavailable: {}", e.lines().next().unwrap_or("")),
    };
    row("liquid crate (plain)", plain.clone());
    row("Ruby Liquid 5.4", ruby);
    row("LiquidJS 10", liquidjs);
    if let Ok((plain_us, _)) = plain {
        println!(
            "fidelity layer overhead over the plain liquid crate: {:+.1} %",
            (goakit_us / plain_us - 1.0) * 100.0
        );
    }

    scaling(root, &project, &renderer, &opts);
}

/// JSON as the plain crate's values. Not `liquid::model::to_value`: with
/// serde_json's `arbitrary_precision` (which goakit-engine turns on for
/// the whole build) numbers serialize as a private one-key map.
fn to_liquid(v: &Value) -> liquid::model::Value {
    use liquid::model::Value as L;
    match v {
        Value::Null => L::Nil,
        Value::Bool(b) => L::scalar(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => L::scalar(i),
            None => L::scalar(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => L::scalar(s.clone()),
        Value::Array(a) => L::Array(a.iter().map(to_liquid).collect()),
        Value::Object(o) => L::Object(
            o.iter()
                .map(|(k, v)| (k.clone().into(), to_liquid(v)))
                .collect(),
        ),
    }
}

/// The plain `liquid` crate: µs per render (parse and data conversion
/// excluded) and output bytes.
fn plain_liquid(
    source: &str,
    partials: &Map<String, Value>,
    data: &Value,
    warmups: usize,
    iterations: usize,
) -> Result<(f64, usize), String> {
    // The plain crate rejects Ruby's `include 'x', k: v` (the comma) and
    // fails on undefined variables: give it the comma-less form and every
    // parameter the page reads. Same template otherwise.
    let plain_src = |s: &str| s.replace("' , ", "' ").replace("', ", "' ");
    let mut store = liquid::partials::InMemorySource::new();
    for (name, text) in partials {
        store.add(name.as_str(), plain_src(text.as_str().unwrap_or_default()));
    }
    let parser = liquid::ParserBuilder::with_stdlib()
        .partials(liquid::partials::EagerCompiler::new(store))
        .build()
        .map_err(|e| format!("liquid parser: {e}"))?;
    let t = parser
        .parse(&plain_src(source))
        .map_err(|e| format!("plain liquid crate cannot parse the page: {e}"))?;
    let mut plain_data = data.clone();
    plain_data["params"] = json!({"status": "all", "q": ""});
    let globals = match to_liquid(&plain_data) {
        liquid::model::Value::Object(o) => o,
        _ => liquid::Object::new(),
    };
    let html = t
        .render(&globals)
        .map_err(|e| format!("plain liquid crate cannot render the page: {e}"))?;
    let us = time_after_warmup(warmups, iterations, || {
        std::hint::black_box(t.render(&globals).is_ok());
    });
    Ok((us, html.len()))
}

/// Row counts from `GOAKIT_BENCH_ROWS=100,1000` (default SCALE_ROWS).
fn scale_rows() -> Vec<usize> {
    match std::env::var("GOAKIT_BENCH_ROWS") {
        Ok(s) if !s.trim().is_empty() => {
            let mut rows: Vec<usize> = s
                .split(',')
                .map(|x| x.trim().replace('_', ""))
                .filter(|x| !x.is_empty())
                .map(|x| {
                    x.parse()
                        .unwrap_or_else(|_| panic!("GOAKIT_BENCH_ROWS: not a number: {x}"))
                })
                .filter(|&n| n > 0)
                .collect();
            rows.sort_unstable();
            rows.dedup();
            rows
        }
        _ => SCALE_ROWS.to_vec(),
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A whole process: its command line, stdout going to `out`.
struct Proc {
    program: PathBuf,
    args: Vec<std::ffi::OsString>,
    out: PathBuf,
}

impl Proc {
    fn command(&self, wrapper: Option<&str>) -> Command {
        let mut c = match wrapper {
            Some(w) => {
                let mut c = Command::new(w);
                c.arg("-v").arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        c.args(&self.args).stdin(Stdio::null());
        c
    }

    /// One run (under `wrapper` if given): wall milliseconds from start to
    /// reaped, and what it wrote on stderr.
    fn run_under(&self, wrapper: Option<&str>) -> Result<(f64, String), String> {
        let file = std::fs::File::create(&self.out).map_err(|e| e.to_string())?;
        let t = Instant::now();
        let out = self
            .command(wrapper)
            .stdout(file)
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("{}: {e}", self.program.display()))?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() {
            return Err(format!(
                "{} exited {}: {}",
                self.program.display(),
                out.status,
                err.lines().next().unwrap_or("")
            ));
        }
        Ok((ms, err))
    }

    fn run(&self) -> Result<f64, String> {
        self.run_under(None).map(|(ms, _)| ms)
    }

    /// One run under `/usr/bin/time -v`: wall ms and peak memory in KiB
    /// (its "Maximum resident set size").
    fn run_with_peak(&self) -> Result<(f64, u64), String> {
        let time = "/usr/bin/time";
        if !Path::new(time).exists() {
            return Err("no /usr/bin/time (apt-get install time)".into());
        }
        let (ms, err) = self.run_under(Some(time))?;
        let kib = err
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Maximum resident set size (kbytes):")
                    .and_then(|v| v.trim().parse().ok())
            })
            .ok_or_else(|| format!("no max RSS in /usr/bin/time's output: {err}"))?;
        Ok((ms, kib))
    }

    fn peak_kib(&self) -> Result<u64, String> {
        self.run_with_peak().map(|(_, k)| k)
    }
}

/// Whole-process figures of one size: medians and peak memory.
struct Whole {
    goakit_ms: f64,
    ruby_ms: f64,
    goakit_kib: Result<u64, String>,
    ruby_kib: Result<u64, String>,
    same_output: bool,
    output_bytes: u64,
    runs: usize,
}

fn whole_process(root: &Path, project: &Project, rows: usize) -> Result<Whole, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path().join("addon");
    copy_dir(&root.join("fixtures/example-addon"), &dir).map_err(|e| e.to_string())?;
    let api = Value::Object(api_data(project, rows));
    std::fs::write(dir.join("preview/api/orders.json"), api.to_string())
        .map_err(|e| e.to_string())?;
    let goakit = Proc {
        program: PathBuf::from(env!("CARGO_BIN_EXE_goakit")),
        args: vec![
            "--dir".into(),
            dir.clone().into(),
            "render".into(),
            PAGE.into(),
            "--offline".into(),
        ],
        out: tmp.path().join("goakit.html"),
    };
    let ruby = Proc {
        program: PathBuf::from("ruby"),
        args: vec![
            root.join("benches/peers/render_file.rb").into(),
            dir.clone().into(),
            PAGE.into(),
        ],
        out: tmp.path().join("ruby.html"),
    };
    // Runs taken in turn, A B A B ..., after one warm-up each (the JSON
    // was just written: no warm-up at 100,000 rows). Long runs also give
    // their peak memory (a median); short ones are timed bare and measured
    // once under /usr/bin/time, whose own start would show in their time.
    let (runs, warm, timed_peak) = match rows {
        100_000.. => (3, false, true),
        10_000.. => (5, true, true),
        _ => (9, true, false),
    };
    if warm {
        goakit.run()?;
        ruby.run()?;
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut ka, mut kb) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        if timed_peak {
            let (ms, k) = goakit.run_with_peak()?;
            a.push(ms);
            ka.push(k as f64);
            let (ms, k) = ruby.run_with_peak()?;
            b.push(ms);
            kb.push(k as f64);
        } else {
            a.push(goakit.run()?);
            b.push(ruby.run()?);
        }
    }
    let ga = std::fs::read(&goakit.out).map_err(|e| e.to_string())?;
    let rb = std::fs::read(&ruby.out).map_err(|e| e.to_string())?;
    let (goakit_kib, ruby_kib) = if timed_peak {
        (Ok(median(ka) as u64), Ok(median(kb) as u64))
    } else {
        (goakit.peak_kib(), ruby.peak_kib())
    };
    Ok(Whole {
        goakit_ms: median(a),
        ruby_ms: median(b),
        goakit_kib,
        ruby_kib,
        same_output: ga == rb,
        output_bytes: ga.len() as u64,
        runs,
    })
}

/// One size in process: µs per render of each engine, output bytes, and
/// the time goakit takes to read the API JSON text into values (once per
/// page view, outside the render).
struct InProcess {
    iterations: usize,
    goakit: (f64, usize),
    convert_us: f64,
    plain: Result<(f64, usize), String>,
    ruby: Result<(f64, usize), String>,
    liquidjs: Result<(f64, usize), String>,
}

fn in_process(
    root: &Path,
    project: &Project,
    renderer: &Renderer,
    opts: &RenderOptions,
    rows: usize,
) -> InProcess {
    let iterations = (SCALE_ROW_BUDGET / rows).max(1);
    let api = api_data(project, rows);
    let goakit_api = engine_api(&api);
    let html = renderer
        .render_page(project, PAGE, opts, &goakit_api, Mode::Bare)
        .expect("goakit renders orders")
        .html;
    // The first render (for the output) is the warm-up: at 100,000 rows
    // every engine renders twice, once timed (the peers do the same).
    let warmups = iterations / 10;
    let goakit_us = time_after_warmup(warmups, iterations, || {
        let r = renderer.render_page(project, PAGE, opts, &goakit_api, Mode::Bare);
        std::hint::black_box(r.is_ok());
    });
    drop(goakit_api);
    let text = serde_json::to_string(&api).expect("JSON");
    let convert_us = time_after_warmup(warmups.max(1), iterations, || {
        std::hint::black_box(goakit_engine::json::from_str(&text).is_ok());
    });
    drop(text);
    let (source, partials, data) = flat_inputs(project, &api);
    let plain = plain_liquid(&source, &partials, &data, warmups, iterations);
    let input =
        json!({"template": source, "partials": partials, "data": data, "iterations": iterations});
    drop(data);
    let peers = root.join("benches/peers");
    let ruby = peer(Command::new("ruby").arg(peers.join("render.rb")), &input);
    let liquidjs = peer(Command::new("node").arg(peers.join("render.mjs")), &input);
    InProcess {
        iterations,
        goakit: (goakit_us, html.len()),
        convert_us,
        plain,
        ruby,
        liquidjs,
    }
}

fn scaling(root: &Path, project: &Project, renderer: &Renderer, opts: &RenderOptions) {
    let sizes = scale_rows();
    if sizes.is_empty() {
        return;
    }
    let started = Instant::now();
    println!();
    println!(
        "scaling: '{PAGE}' with its order list grown (rows: {}; GOAKIT_BENCH_ROWS chooses)",
        sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
    println!(
        "(a) in-process, µs per render (template parse and data conversion excluded; goakit's JSON read shown apart)"
    );
    println!(
        "{:>7} {:<22} {:>13} {:>9} {:>11} {:>8} {:>12} {:>6}",
        "rows", "engine", "µs/render", "µs/row", "out bytes", "MB/s", "vs goakit", "iters"
    );
    let mut ratios = Vec::new();
    for &rows in &sizes {
        let r = in_process(root, project, renderer, opts, rows);
        let (g_us, g_bytes) = r.goakit;
        let line = |name: &str, us: f64, bytes: usize, vs: &str| {
            println!(
                "{:>7} {:<22} {:>13.1} {:>9.2} {:>11} {:>8.1} {:>12} {:>6}",
                rows,
                name,
                us,
                us / rows as f64,
                bytes,
                bytes as f64 / us,
                vs,
                r.iterations
            )
        };
        line("goakit", g_us, g_bytes, "1.00");
        println!(
            "{:>7} {:<22} {:>13.1} {:>9.2} {:>11} {:>8} {:>12}",
            rows,
            "  JSON text→values",
            r.convert_us,
            r.convert_us / rows as f64,
            "",
            "",
            format!("{:.1} % of it", r.convert_us / g_us * 100.0)
        );
        let mut ruby_ratio = None;
        for (name, res) in [
            ("liquid crate (plain)", &r.plain),
            ("Ruby Liquid 5.4", &r.ruby),
            ("LiquidJS 10", &r.liquidjs),
        ] {
            match res {
                Ok((us, bytes)) => {
                    line(name, *us, *bytes, &format!("{:.2}x", us / g_us));
                    if name.starts_with("Ruby") {
                        ruby_ratio = Some(us / g_us);
                    }
                }
                Err(e) => println!(
                    "{rows:>7} {name:<22} unavailable: {}",
                    e.lines().next().unwrap_or("")
                ),
            }
        }
        ratios.push((rows, ruby_ratio));
    }
    println!(
        "goakit vs Ruby Liquid 5.4 in process: {}",
        ratios
            .iter()
            .map(|(n, r)| match r {
                Some(r) => format!("{n} rows {r:.2}x"),
                None => format!("{n} rows n/a"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );

    println!();
    println!(
        "(b, c) whole process: `goakit render {PAGE} --offline` (release) vs benches/peers/render_file.rb (Ruby Liquid 5.4), same project copy; median wall ms of runs taken in turn; peak = max RSS"
    );
    println!(
        "{:>7} {:>11} {:>11} {:>10} {:>11} {:>11} {:>12} {:>12} {:>9} {:>5}",
        "rows",
        "goakit ms",
        "Ruby ms",
        "goakit ×",
        "goakit MiB",
        "Ruby MiB",
        "goakit KiB/r",
        "Ruby KiB/r",
        "same out",
        "runs"
    );
    let mut first: Option<(usize, u64, u64)> = None;
    let mut last: Option<(usize, u64, u64)> = None;
    for &rows in &sizes {
        match whole_process(root, project, rows) {
            Ok(w) => {
                let mib = |k: &Result<u64, String>| match k {
                    Ok(k) => format!("{:.1}", *k as f64 / 1024.0),
                    Err(_) => "n/a".into(),
                };
                let per_row = |k: &Result<u64, String>| match k {
                    Ok(k) => format!("{:.2}", *k as f64 / rows as f64),
                    Err(_) => "n/a".into(),
                };
                println!(
                    "{:>7} {:>11.1} {:>11.1} {:>9.2}x {:>11} {:>11} {:>12} {:>12} {:>9} {:>5}",
                    rows,
                    w.goakit_ms,
                    w.ruby_ms,
                    w.ruby_ms / w.goakit_ms,
                    mib(&w.goakit_kib),
                    mib(&w.ruby_kib),
                    per_row(&w.goakit_kib),
                    per_row(&w.ruby_kib),
                    if w.same_output {
                        format!("yes {}B", w.output_bytes)
                    } else {
                        "NO".into()
                    },
                    w.runs
                );
                for k in [&w.goakit_kib, &w.ruby_kib] {
                    if let Err(e) = k {
                        println!("        peak memory unavailable: {e}");
                    }
                }
                if let (Ok(g), Ok(r)) = (&w.goakit_kib, &w.ruby_kib) {
                    first.get_or_insert((rows, *g, *r));
                    last = Some((rows, *g, *r));
                }
            }
            Err(e) => println!("{rows:>7} whole process unavailable: {e}"),
        }
    }
    if let (Some((n0, g0, r0)), Some((n1, g1, r1))) = (first, last)
        && n1 > n0
    {
        let d = (n1 - n0) as f64;
        println!(
            "memory per extra row ({n0} → {n1} rows): goakit {:.2} KiB, Ruby {:.2} KiB; goakit's peak is {:.2}x Ruby's at {n1} rows",
            (g1 as f64 - g0 as f64) / d,
            (r1 as f64 - r0 as f64) / d,
            g1 as f64 / r1 as f64
        );
    }
    println!(
        "scaling section took {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
