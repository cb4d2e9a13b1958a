//! Findings with exact positions, shared by the loader, the renderer and lint.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One finding. `file` is relative to the project root with `/` separators;
/// `line` and `column` are 1-based (column counts characters, not bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        file: impl Into<String>,
        (line, column): (usize, usize),
        message: impl Into<String>,
    ) -> Self {
        debug_assert!(
            crate::lint::rules::get(rule).is_some_and(|r| r.severity == severity),
            "rule {rule} is not in the registry with that severity"
        );
        Diagnostic {
            rule,
            severity,
            file: file.into(),
            line,
            column,
            message: message.into(),
        }
    }

    pub fn error(
        rule: &'static str,
        file: impl Into<String>,
        pos: (usize, usize),
        message: impl Into<String>,
    ) -> Self {
        Self::new(rule, Severity::Error, file, pos, message)
    }

    pub fn warning(
        rule: &'static str,
        file: impl Into<String>,
        pos: (usize, usize),
        message: impl Into<String>,
    ) -> Self {
        Self::new(rule, Severity::Warning, file, pos, message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}] {}",
            self.file, self.line, self.column, self.severity, self.rule, self.message
        )
    }
}

/// 1-based line and column (in characters) of a byte offset in `src`.
/// Offsets past the end or inside a character are clamped.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Where each line starts, for many position look-ups in one text.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Same as [`line_col`], in O(log lines + line length).
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, src[start..offset].chars().count() + 1)
    }
}

/// The text of 1-based `line` in `src`, without its line ending.
pub fn source_line(src: &str, line: usize) -> &str {
    src.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "ab\nçd{{ x }}";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        // 'ç' is two bytes but one column
        assert_eq!(line_col(src, 6), (2, 3));
        assert_eq!(line_col(src, 999), (2, 10));
        assert_eq!(source_line(src, 2), "çd{{ x }}");
        assert_eq!(source_line(src, 7), "");
        let idx = LineIndex::new(src);
        for off in [0, 2, 3, 6, 8, 999] {
            assert_eq!(idx.line_col(src, off), line_col(src, off), "{off}");
        }
    }
}

/// Text from project files made safe for a terminal: control characters
/// (escape sequences, carriage returns, bells, ...) are shown as `\u{1b}`
/// instead of acting; tabs stay.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// [`terminal_safe`] for text of several lines: newlines stay.
pub fn terminal_lines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
        return std::borrow::Cow::Borrowed(s);
    }
    let lines: Vec<_> = s.split('\n').map(terminal_safe).collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// A count with its noun in the right number: `1 error`, `2 errors`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `println!` for output that holds project or server text (names,
/// messages): control characters are shown, never run (SPEC 8 terminal
/// hygiene, every command's human output).
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {
        println!("{}", $crate::diagnostic::terminal_lines(&format!($($t)*)))
    };
}

/// `eprintln!` the same way.
#[macro_export]
macro_rules! say_err {
    ($($t:tt)*) => {
        eprintln!("{}", $crate::diagnostic::terminal_lines(&format!($($t)*)))
    };
}

#[cfg(test)]
mod terminal_tests {
    use super::terminal_safe;

    #[test]
    fn control_characters_are_shown_not_run() {
        assert_eq!(terminal_safe("a\x1b[31mb\r\tc"), "a\\u{1b}[31mb\\u{d}\tc");
        assert_eq!(terminal_safe("plain é"), "plain é");
        assert_eq!(super::terminal_lines("a\x1b\nb"), "a\\u{1b}\nb");
    }
}
