//! Shared plumbing for goakit-engine's differential tests: the stored case
//! files, the Ruby Liquid 5.4 reference (`tests/ruby/batch.rb`, one process
//! per batch) and a guarded call of `render_like_ruby` (own thread, timeout,
//! panics caught).
#![allow(dead_code)]

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one `render_like_ruby` call may take before the test fails.
pub const GOAKIT_TIMEOUT: Duration = Duration::from_secs(2);

pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// One template to render, as stored in `tests/cases/*.json` (and as
/// `batch.rb` reads it).
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub template: String,
    pub assigns: Value,
    pub snippets: BTreeMap<String, String>,
    /// `{"output": ..}`, `{"error": ..}` or `{"raised": ..}` when stored.
    pub expected: Option<Value>,
}

impl Case {
    pub fn from_json(v: &Value) -> Result<Case, String> {
        let name = v["name"].as_str().ok_or("case without a name")?.to_string();
        let template = v["template"]
            .as_str()
            .ok_or_else(|| format!("{name}: no template"))?
            .to_string();
        let assigns = match &v["assigns"] {
            Value::Null => json!({}),
            a => a.clone(),
        };
        let mut snippets = BTreeMap::new();
        if let Some(m) = v["snippets"].as_object() {
            for (k, s) in m {
                let s = s
                    .as_str()
                    .ok_or_else(|| format!("{name}: snippet {k} is not a string"))?;
                snippets.insert(k.clone(), s.to_string());
            }
        }
        let expected = v.get("expected").cloned();
        Ok(Case {
            name,
            template,
            assigns,
            snippets,
            expected,
        })
    }

    /// The shape batch.rb reads.
    pub fn to_ruby_json(&self) -> Value {
        let snippets: Map<String, Value> = self
            .snippets
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "name": self.name,
            "template": self.template,
            "assigns": self.assigns,
            "snippets": snippets,
        })
    }
}

/// Reads one JSON array of cases.
pub fn load_cases(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let arr = v
        .as_array()
        .ok_or_else(|| format!("{}: not a JSON array", path.display()))?;
    arr.iter().map(Case::from_json).collect()
}

/// What a renderer gave for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Output(String),
    Error(String),
    Raised(String),
    Panic(String),
    Timeout,
}

impl Outcome {
    pub fn from_expected(v: &Value) -> Result<Outcome, String> {
        if let Some(s) = v.get("output").and_then(Value::as_str) {
            Ok(Outcome::Output(s.to_string()))
        } else if let Some(s) = v.get("error").and_then(Value::as_str) {
            Ok(Outcome::Error(s.to_string()))
        } else if let Some(s) = v.get("raised").and_then(Value::as_str) {
            Ok(Outcome::Raised(s.to_string()))
        } else {
            Err(format!("unknown expected shape: {v}"))
        }
    }

    pub fn to_expected(&self) -> Value {
        match self {
            Outcome::Output(s) => json!({ "output": s }),
            Outcome::Error(s) => json!({ "error": s }),
            Outcome::Raised(s) => json!({ "raised": s }),
            Outcome::Panic(s) => json!({ "panic": s }),
            Outcome::Timeout => json!({ "timeout": true }),
        }
    }

    /// Does goakit's outcome match Ruby's? A Ruby exception escaping render
    /// is matched by goakit returning `Err` with the same text.
    pub fn matches(&self, goakit: &Outcome) -> bool {
        match (self, goakit) {
            (Outcome::Output(a), Outcome::Output(b)) => a == b,
            (Outcome::Error(a), Outcome::Error(b)) => a == b,
            (Outcome::Raised(a), Outcome::Error(b)) => a == b,
            _ => false,
        }
    }

    pub fn is_crash(&self) -> bool {
        matches!(self, Outcome::Panic(_) | Outcome::Timeout)
    }

    pub fn short(&self) -> String {
        let s = format!("{self:?}");
        if s.chars().count() > 400 {
            let t: String = s.chars().take(400).collect();
            format!("{t}…")
        } else {
            s
        }
    }
}

/// Calls `goakit_engine::render_like_ruby` on its own thread: a panic
/// becomes `Outcome::Panic`, a call running past `timeout` `Outcome::Timeout`
/// (the thread is left behind; the test fails anyway).
pub fn goakit(
    template: &str,
    assigns: &Value,
    snippets: &BTreeMap<String, String>,
    timeout: Duration,
) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let (t, a, s) = (template.to_string(), assigns.clone(), snippets.clone());
    let spawned = std::thread::Builder::new()
        .name("goakit-render".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let r = std::panic::catch_unwind(|| goakit_engine::render_like_ruby(&t, &a, &s));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Outcome::Panic(format!("could not spawn a thread: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(Ok(s))) => Outcome::Output(s),
        Ok(Ok(Err(e))) => Outcome::Error(e),
        Ok(Err(p)) => Outcome::Panic(panic_text(&p)),
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Timeout,
        Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Panic("render thread died".into()),
    }
}

pub fn goakit_case(c: &Case) -> Outcome {
    goakit(&c.template, &c.assigns, &c.snippets, GOAKIT_TIMEOUT)
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".into()
    }
}

/// Silences the default panic message of render threads (they are reported
/// as `Outcome::Panic`), keeping it for every other thread.
pub fn quiet_render_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some("goakit-render") {
            default(info);
        }
    }));
}

const RUBY_MISSING: &str = "Ruby Liquid 5.4 is needed as the reference: `ruby` with the `liquid` gem \
     5.4.0 (Debian's ruby-liquid). `.ci/run` installs them (apt-get install ruby ruby-liquid)";

/// Checks that `ruby` runs and loads Liquid 5.4.0.
pub fn ruby_check() -> Result<(), String> {
    let out = Command::new("ruby")
        .args(["-rliquid", "-e", "print Liquid::VERSION"])
        .output()
        .map_err(|e| format!("cannot run `ruby` ({e}). {RUBY_MISSING}"))?;
    if !out.status.success() {
        return Err(format!(
            "`ruby -rliquid` failed: {}. {RUBY_MISSING}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v = String::from_utf8_lossy(&out.stdout).to_string();
    if !v.starts_with("5.4.") {
        return Err(format!("Ruby loads Liquid {v}, not 5.4. {RUBY_MISSING}"));
    }
    Ok(())
}

/// Renders `cases` with one Ruby process running `tests/ruby/batch.rb`.
pub fn ruby_batch(cases: &[Value]) -> Result<BTreeMap<String, Outcome>, String> {
    let script = tests_dir().join("ruby").join("batch.rb");
    let mut child = Command::new("ruby")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `ruby` ({e}). {RUBY_MISSING}"))?;
    let input = serde_json::to_vec(&Value::Array(cases.to_vec())).map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(format!(
            "batch.rb failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("batch.rb printed no JSON: {e}"))?;
    let obj = v.as_object().ok_or("batch.rb printed no object")?;
    let mut res = BTreeMap::new();
    for (k, r) in obj {
        res.insert(k.clone(), Outcome::from_expected(r)?);
    }
    Ok(res)
}

/// `ruby_batch` over `Case`s.
pub fn ruby_cases(cases: &[Case]) -> Result<BTreeMap<String, Outcome>, String> {
    let v: Vec<Value> = cases.iter().map(Case::to_ruby_json).collect();
    ruby_batch(&v)
}

/// Shows a string with its control characters visible.
pub fn show(s: &str) -> String {
    format!("{s:?}")
}

/// `show`, cut to about `n` characters.
pub fn clip(s: &str, n: usize) -> String {
    let t = show(s);
    if t.chars().count() > n {
        let c: String = t.chars().take(n).collect();
        format!("{c}…")
    } else {
        t
    }
}

/// The seeded generator of the generative and crash tests (splitmix64):
/// the same seed gives the same cases on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick_any<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
