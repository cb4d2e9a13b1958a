//! Shopify's liquid-spec against goakit-engine, with Ruby Liquid 5.4's own
//! output as the truth (`tests/liquid-spec/cases/<suite>.json`, made by
//! `tests/ruby/liquid_spec_import.rb`; see `tests/liquid-spec/README.md`).
//!
//! Prints the agreement per suite directory and overall, and apart the rate
//! on cases whose Ruby output holds an inline `Liquid error`. Ratchet: each
//! rate must stay ≥ its floor in `tests/liquid_spec_floor.json`.
//! Run: `cargo test -p goakit-engine --test liquid_spec [-- --nocapture]`.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::collections::BTreeMap;
use support::Outcome;

#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    agree: usize,
}

impl Tally {
    fn rate(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.agree as f64 / self.total as f64
        }
    }
}

/// A template that dates `'now'` or `'today'` (its output is the clock's).
fn reads_the_clock(template: &str) -> bool {
    let t = template.to_ascii_lowercase();
    ["'now'", "\"now\"", "'today'", "\"today\""]
        .iter()
        .any(|w| t.contains(w))
}

fn run() -> Result<(), Failed> {
    support::quiet_render_panics();
    let dir = support::tests_dir().join("liquid-spec");
    let floor_path = support::tests_dir().join("liquid_spec_floor.json");
    let floors: Value = serde_json::from_str(
        &std::fs::read_to_string(&floor_path)
            .map_err(|e| format!("{}: {e}", floor_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", floor_path.display()))?;
    let summary: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;

    let mut paths: Vec<_> = std::fs::read_dir(dir.join("cases"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();

    let mut suites: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut overall, mut inline) = (Tally::default(), Tally::default());
    let mut crashes = Vec::new();
    let mut examples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut clock_cases = 0;
    for p in &paths {
        let suite = p.file_stem().unwrap().to_string_lossy().to_string();
        let cases = support::load_cases(p)?;
        let t = suites.entry(suite.clone()).or_default();
        for c in &cases {
            // Ruby's output was stored on the day of the import: a date of
            // 'now' or 'today' cannot be compared with a stored text.
            if reads_the_clock(&c.template) {
                clock_cases += 1;
                continue;
            }
            let want = Outcome::from_expected(c.expected.as_ref().ok_or("no expected")?)?;
            let got = support::goakit_case(c);
            let ok = want.matches(&got);
            if got.is_crash() {
                crashes.push(format!("{suite}::{} ({})", c.name, got.short()));
            }
            t.total += 1;
            overall.total += 1;
            let is_inline = matches!(&want, Outcome::Output(s) if s.contains("Liquid error"));
            if is_inline {
                inline.total += 1;
            }
            if ok {
                t.agree += 1;
                overall.agree += 1;
                if is_inline {
                    inline.agree += 1;
                }
            } else {
                let ex = examples.entry(suite.clone()).or_default();
                if ex.len() < 3 {
                    ex.push(format!(
                        "{}: template {} ruby {} goakit {}",
                        c.name,
                        support::clip(&c.template, 160),
                        want.short(),
                        got.short()
                    ));
                }
            }
        }
    }

    println!(
        "liquid-spec vs Ruby Liquid 5.4 (usable cases; apart: see tests/liquid-spec/summary.json, and {clock_cases} that date 'now'/'today')"
    );
    if let Some(s) = summary["suites"].as_object() {
        for (name, v) in s {
            if !suites.contains_key(name) {
                println!(
                    "  {name:32} no usable case ({} set apart: {})",
                    v["total"], v["apart"]
                );
            }
        }
    }
    let mut problems = Vec::new();
    let mut check = |key: &str, t: Tally| {
        let floor = floors[key].as_f64().unwrap_or(0.0);
        println!(
            "  {key:32} {:5}/{:5} agree  {:6.2}%  (floor {:.2}%)",
            t.agree,
            t.total,
            t.rate() * 100.0,
            floor * 100.0
        );
        if t.rate() + 1e-12 < floor {
            problems.push(format!(
                "{key}: agreement {:.4} fell below floor {floor}",
                t.rate()
            ));
        }
    };
    for (name, t) in &suites {
        check(name, *t);
    }
    check("overall", overall);
    check("inline_errors", inline);
    for (suite, ex) in &examples {
        for e in ex {
            println!("  e.g. {suite}::{e}");
        }
    }
    if !crashes.is_empty() {
        println!(
            "  {} cases made goakit panic or run past {:?}, e.g. {}",
            crashes.len(),
            support::GOAKIT_TIMEOUT,
            crashes
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let trials = vec![Trial::test("liquid_spec_agreement_with_ruby_5_4", run)];
    libtest_mimic::run(&args, trials).exit();
}
