//! Render speed, in one run, side by side: goakit, the plain `liquid` crate,
//! Ruby Liquid 5.4 and LiquidJS 10, on the example addon's heaviest page
//! (`orders`) with 500 rows of API data.
//!
//! `cargo bench --bench render` (needs `ruby-liquid`; LiquidJS is installed
//! into benches/peers with npm on first run). Prints microseconds per render
//! and the ratios.

use goakit::project::{Kind, Project};
use goakit::render::{Mode, RenderOptions, Renderer};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const PAGE: &str = "orders";
const ROWS: usize = 500;

/// The page's offline API data with its first list grown to ROWS rows.
fn api_data(project: &Project) -> Map<String, Value> {
    let mut api = project
        .preview_api
        .get(PAGE)
        .and_then(|f| f.object().cloned())
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
    for i in 0..ROWS {
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

fn time_per_iter(iterations: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..(iterations / 10).max(1) {
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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = Project::load(&root.join("fixtures/example-addon")).expect("example addon");
    let api = api_data(&project);
    let iterations = 300;

    let renderer = Renderer::for_project(&project);
    let opts = RenderOptions::for_project(&project);
    let goakit_html = renderer
        .render_page(&project, PAGE, &opts, &api, Mode::Bare)
        .expect("goakit renders orders")
        .html;
    let goakit_us = time_per_iter(iterations, || {
        let r = renderer.render_page(&project, PAGE, &opts, &api, Mode::Bare);
        std::hint::black_box(r.is_ok());
    });

    // For profiling goakit alone: RENDER_BENCH_GOAKIT_ONLY=1.
    if std::env::var_os("RENDER_BENCH_GOAKIT_ONLY").is_some() {
        println!("goakit: {goakit_us:.1} µs per render");
        return;
    }
    let (source, partials, data) = flat_inputs(&project, &api);
    // The plain crate rejects Ruby's `include 'x', k: v` (the comma) and
    // fails on undefined variables: give it the comma-less form and every
    // parameter the page reads. Same template otherwise.
    let plain_src = |s: &str| s.replace("' , ", "' ").replace("', ", "' ");
    let mut store = liquid::partials::InMemorySource::new();
    for (name, text) in &partials {
        store.add(name.as_str(), plain_src(text.as_str().unwrap_or_default()));
    }
    let parser = liquid::ParserBuilder::with_stdlib()
        .partials(liquid::partials::EagerCompiler::new(store))
        .build()
        .expect("liquid parser");
    let plain = match parser.parse(&plain_src(&source)) {
        Ok(t) => {
            let mut plain_data = data.clone();
            plain_data["params"] = json!({"status": "all", "q": ""});
            let globals = match liquid::model::to_value(&plain_data) {
                Ok(liquid::model::Value::Object(o)) => o,
                _ => liquid::Object::new(),
            };
            match t.render(&globals) {
                Ok(html) => Some((
                    time_per_iter(iterations, || {
                        std::hint::black_box(t.render(&globals).is_ok());
                    }),
                    html.len(),
                )),
                Err(e) => {
                    eprintln!("plain liquid crate cannot render the page: {e}");
                    None
                }
            }
        }
        Err(e) => {
            eprintln!("plain liquid crate cannot parse the page: {e}");
            None
        }
    };

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
    row(
        "liquid crate (plain)",
        plain.ok_or_else(|| "see above".to_string()),
    );
    row("Ruby Liquid 5.4", ruby);
    row("LiquidJS 10", liquidjs);
    if let Some((plain_us, _)) = plain {
        println!(
            "fidelity layer overhead over the plain liquid crate: {:+.1} %",
            (goakit_us / plain_us - 1.0) * 100.0
        );
    }
}
