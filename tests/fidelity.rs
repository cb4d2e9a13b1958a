//! Differential tests of goakit's engine layer (`goakit::engine`: Goaddon's
//! parse options, project snippets, positions) on the first 148 cases: each
//! is rendered by goakit and by Ruby Liquid 5.4 (Debian's ruby-liquid,
//! through tests/ruby/render.rb) and the outputs must be byte-identical.
//! The engine crate's own suites (crates/goakit-engine/tests) hold 805
//! stored cases, a generative test and Shopify's liquid-spec.

use goakit::engine::{Engine, RenderInput, Snippet, SnippetResolver, render};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn ruby_outputs(cases: &Value) -> Map<String, Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ruby/render.rb");
    let child = Command::new("ruby")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.unwrap_or_else(|e| {
        panic!("cannot run ruby ({e}): install Debian's ruby-liquid (`apt-get install ruby-liquid`), as .ci/run does")
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Ruby reference failed (is ruby-liquid 5.4 installed? `apt-get install ruby-liquid`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("JSON from render.rb") {
        Value::Object(m) => m,
        other => panic!("unexpected output from render.rb: {other}"),
    }
}

struct Snippets {
    compiled: BTreeMap<String, goakit::engine::Template>,
}

impl SnippetResolver for Snippets {
    fn snippet(&self, name: &str) -> Option<Result<Snippet, goakit::engine::TemplateError>> {
        self.compiled.get(name).map(|t| {
            Ok(Snippet {
                template: t.clone(),
                locale: goakit::engine::Value::from(goakit::engine::Hash::new()),
            })
        })
    }
}

fn goakit_output(engine: &Engine, case: &Value) -> String {
    let template = case["template"].as_str().unwrap();
    let mut compiled = BTreeMap::new();
    for (name, src) in case["snippets"].as_object().unwrap() {
        match engine.compile(
            &format!("templates/snippets/{name}.html"),
            src.as_str().unwrap(),
        ) {
            Ok(t) => {
                compiled.insert(name.clone(), t);
            }
            Err(e) => return format!("GOAKIT-ERROR: {e}"),
        }
    }
    let t = match engine.compile("templates/pages/case.html", template) {
        Ok(t) => t,
        Err(e) => return format!("GOAKIT-ERROR: {e}"),
    };
    let globals = goakit::engine::hash_of(case["assigns"].as_object().unwrap());
    match render(
        &t,
        &RenderInput {
            globals: &globals,
            locale: goakit::engine::Value::from(goakit::engine::Hash::new()),
            snippets: &Snippets { compiled },
            yield_to: goakit::engine::Yield::Nothing,
            budget: goakit::engine::Budget::default(),
        },
    ) {
        Ok(r) => r.html,
        Err(e) => format!("GOAKIT-ERROR: {e}"),
    }
}

#[test]
fn goakit_renders_like_ruby_liquid() {
    // FIDELITY_CASES=other.json tries extra cases without touching the suite.
    let extra = std::env::var_os("FIDELITY_CASES");
    let path = match &extra {
        Some(p) => Path::new(p).to_path_buf(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity/cases.json"),
    };
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let list = cases.as_array().unwrap();
    assert!(
        extra.is_some() || list.len() >= 60,
        "the suite needs at least 60 cases"
    );
    let expected = ruby_outputs(&cases);
    let engine = Engine::new();
    let mut failures = Vec::new();
    for case in list {
        let name = case["name"].as_str().unwrap();
        let want = expected[name].as_str().unwrap();
        assert!(
            !want.starts_with("RUBY-ERROR"),
            "case {name} is not valid for Ruby Liquid: {want}"
        );
        let got = goakit_output(&engine, case);
        if got != want {
            failures.push(format!(
                "case {name}\n  template: {}\n  ruby:   {want:?}\n  goakit: {got:?}",
                case["template"].as_str().unwrap()
            ));
        }
    }
    println!("{} cases, {} differ", list.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Ruby Liquid 5.4:\n{}",
        failures.len(),
        list.len(),
        failures.join("\n")
    );
}
