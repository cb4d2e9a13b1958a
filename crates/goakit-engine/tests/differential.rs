//! Differential tests: goakit-engine against Ruby Liquid 5.4 on the stored
//! cases of `tests/cases/*.json` (each with Ruby's `expected`).
//!
//! One trial per case, `cases::<file>::<name>`, compares `render_like_ruby`
//! with the stored expectation; the trial `ruby_agrees_with_stored_expectations`
//! re-renders every case with Ruby (`tests/ruby/batch.rb`) and fails when Ruby
//! is missing or disagrees with a stored value (refill them with
//! `ruby crates/goakit-engine/tests/ruby/expect.rb`).
//!
//! Run: `cargo test -p goakit-engine --test differential [-- FILTER]`.

mod support;

use libtest_mimic::{Arguments, Failed, Trial};
use support::{Case, Outcome};

fn case_files() -> Vec<(String, Vec<Case>)> {
    let dir = support::tests_dir().join("cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            let cases = support::load_cases(&p).unwrap_or_else(|e| panic!("{e}"));
            (stem, cases)
        })
        .collect()
}

fn check_case(c: &Case) -> Result<(), Failed> {
    let expected = c
        .expected
        .as_ref()
        .ok_or_else(|| format!("{}: no stored expected (run tests/ruby/expect.rb)", c.name))?;
    let want = Outcome::from_expected(expected)?;
    let got = support::goakit_case(c);
    if want.matches(&got) {
        return Ok(());
    }
    Err(format!(
        "goakit differs from Ruby Liquid 5.4\n template: {}\n assigns:  {}\n snippets: {:?}\n ruby:     {}\n goakit:   {}",
        support::show(&c.template),
        c.assigns,
        c.snippets,
        want.short(),
        got.short()
    )
    .into())
}

fn ruby_agrees(files: &[(String, Vec<Case>)]) -> Result<(), Failed> {
    support::ruby_check()?;
    let mut bad = Vec::new();
    let mut total = 0;
    for (file, cases) in files {
        let got = support::ruby_cases(cases)?;
        for c in cases {
            total += 1;
            let Some(exp) = &c.expected else {
                bad.push(format!("{file}::{}: no stored expected", c.name));
                continue;
            };
            let want = Outcome::from_expected(exp)?;
            match got.get(&c.name) {
                Some(r) if *r == want => {}
                r => bad.push(format!(
                    "{file}::{}: stored {} but Ruby now gives {}",
                    c.name,
                    want.short(),
                    r.map(Outcome::short).unwrap_or_else(|| "nothing".into())
                )),
            }
        }
    }
    if bad.is_empty() {
        println!("Ruby agrees with all {total} stored expectations");
        Ok(())
    } else {
        Err(format!(
            "{} of {total} stored expectations differ from Ruby (refill with tests/ruby/expect.rb):\n{}",
            bad.len(),
            bad.join("\n")
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    support::quiet_render_panics();
    let files = case_files();
    let mut trials = Vec::new();
    for (file, cases) in &files {
        for c in cases {
            let c = c.clone();
            trials.push(Trial::test(
                format!("cases::{file}::{}", c.name),
                move || check_case(&c),
            ));
        }
    }
    trials.push(Trial::test(
        "ruby_agrees_with_stored_expectations",
        move || ruby_agrees(&files),
    ));
    libtest_mimic::run(&args, trials).exit();
}
