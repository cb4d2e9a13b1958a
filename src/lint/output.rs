//! Lint output: like a compiler for people, the SPEC's JSON object for
//! tools, workflow commands for GitHub Actions.

use super::Format;
use crate::diagnostic::{Diagnostic, Severity, source_line};
use crate::project::Project;
use std::io::{IsTerminal, Write};

/// The text of a project file, for source lines under findings.
pub fn file_text<'p>(project: &'p Project, path: &str) -> Option<&'p str> {
    if path == crate::project::CONFIG_FILE {
        return Some(&project.config_text);
    }
    for t in project.all_templates() {
        if t.source.path == path {
            return Some(&t.source.text);
        }
        for f in t.locale.iter().chain(&t.settings) {
            if f.path == path {
                return Some(&f.text);
            }
        }
    }
    if let Some(d) = &project.description
        && d.path == path
    {
        return Some(&d.text);
    }
    project
        .loose_json_files()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| text)
}

/// The line with any Goaddon token masked: tokens never reach output.
pub fn mask_tokens(line: &str) -> String {
    let mut out = line.to_string();
    for off in super::find_tokens(line) {
        // Keep the `a-` prefix and the first 4 characters, star the rest.
        let end = off + 2 + 36;
        let masked: String = out[off..end]
            .char_indices()
            .map(|(i, c)| if i < 6 || c == '-' { c } else { '*' })
            .collect();
        out.replace_range(off..end, &masked);
    }
    out
}

pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

/// "1 error, 2 warnings".
pub fn tally(errors: usize, warnings: usize) -> String {
    use crate::diagnostic::count;
    format!(
        "{}, {}",
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings")
    )
}

pub fn json(diags: &[Diagnostic]) -> serde_json::Value {
    let (errors, warnings) = counts(diags);
    serde_json::json!({"diagnostics": diags, "errors": errors, "warnings": warnings})
}

fn github_escape(s: &str, property: bool) -> String {
    let mut s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        s = s.replace(':', "%3A").replace(',', "%2C");
    }
    s
}

pub fn github(d: &Diagnostic) -> String {
    format!(
        "::{} file={},line={},col={},title={}::{}",
        d.severity,
        github_escape(&d.file, true),
        d.line,
        d.column,
        github_escape(d.rule, true),
        github_escape(&d.message, false)
    )
}

/// One finding as a compiler prints it, with the source line and a caret.
pub fn human(project: &Project, d: &Diagnostic, color: bool) -> String {
    let (red, yellow, bold, blue, reset) = if color {
        (
            "\x1b[31;1m",
            "\x1b[33;1m",
            "\x1b[1m",
            "\x1b[34;1m",
            "\x1b[0m",
        )
    } else {
        ("", "", "", "", "")
    };
    let sev = match d.severity {
        Severity::Error => format!("{red}error{reset}"),
        Severity::Warning => format!("{yellow}warning{reset}"),
    };
    let mut out = format!(
        "{bold}{}:{}:{}{reset}: {sev}[{}]: {}\n",
        crate::diagnostic::terminal_safe(&d.file),
        d.line,
        d.column,
        d.rule,
        crate::diagnostic::terminal_safe(&d.message)
    );
    if let Some(text) = file_text(project, &d.file) {
        let line = mask_tokens(source_line(text, d.line));
        let line = crate::diagnostic::terminal_safe(&line).into_owned();
        let line = line.as_str();
        if !line.is_empty() {
            let gutter = d.line.to_string();
            let pad: String = line
                .chars()
                .take(d.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{blue}{} |{reset}\n{blue}{gutter} |{reset} {line}\n{blue}{} |{reset} {pad}{}^{reset}\n",
                " ".repeat(gutter.len()),
                " ".repeat(gutter.len()),
                if d.severity == Severity::Error { red } else { yellow },
            ));
        }
    }
    out
}

pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn print(project: &Project, diags: &[Diagnostic], format: Format) {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let _ = writeln!(out, "{}", json(diags));
        }
        Format::Github => {
            for d in diags {
                let _ = writeln!(out, "{}", github(d));
            }
        }
        Format::Human => {
            let color = use_color();
            for d in diags {
                let _ = writeln!(out, "{}", human(project, d, color));
            }
            let (errors, warnings) = counts(diags);
            let files =
                crate::diagnostic::count(project.all_templates().count(), "template", "templates");
            if diags.is_empty() {
                let _ = writeln!(out, "lint: {files} checked, no findings");
            } else {
                let _ = writeln!(out, "lint: {} in {files}", tally(errors, warnings));
            }
        }
    }
}
