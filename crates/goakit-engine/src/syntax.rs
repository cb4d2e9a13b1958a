//! Ruby Liquid 5.4's lax regular expressions, written once, as Ruby writes
//! them (`liquid.rb`, `variable.rb`, `tags/*.rb`), for `fancy-regex`
//! (which backtracks like Onigmo and has look-ahead and atomic groups).
//!
//! Ruby's classes are ASCII: `\w` is `[a-zA-Z0-9_]`, `\s` is
//! `[ \t\n\v\f\r]`, `\d` is `[0-9]`; `\b` treats non-ASCII letters as word
//! characters, as Rust's Unicode `\b` does. `.` matches a newline only in
//! Ruby's `/m` mode, spelled `(?s)` here.

use fancy_regex::{Captures, Regex};
use std::sync::LazyLock;

/// Ruby's `\w`.
pub const W: &str = "[a-zA-Z0-9_]";
/// Ruby's `\s`.
pub const S: &str = r"[ \t\n\x0B\x0C\r]";
/// Ruby's `\S`.
pub const NS: &str = r"[^ \t\n\x0B\x0C\r]";

/// Expands Ruby's `\w`, `\s`, `\S`, `\d` in a pattern into ASCII classes
/// (outside character classes only; the patterns below never use them
/// inside one).
fn ruby(pattern: &str) -> Regex {
    let mut out = String::with_capacity(pattern.len() * 2);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('w') => out.push_str(W),
                Some('s') => out.push_str(S),
                Some('S') => out.push_str(NS),
                Some('d') => out.push_str("[0-9]"),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Regex::new(&out).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
}

pub const QUOTED_STRING: &str = r#""[^"]*"|'[^']*'"#;

/// `QuotedFragment = /#{QuotedString}|(?:[^\s,\|'"]|#{QuotedString})+/`
pub fn quoted_fragment() -> String {
    format!(r#"(?:{QUOTED_STRING}|(?:[^ \t\n\x0B\x0C\r,|'"]|{QUOTED_STRING})+)"#)
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        // Compiling a pattern recurses; on a small thread stack grow it.
        pub static $name: LazyLock<Regex> =
            LazyLock::new(|| stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, || ruby(&$pat)));
    };
}

// liquid.rb
re!(QUOTED_FRAGMENT, quoted_fragment());
re!(
    TAG_ATTRIBUTES,
    format!(r"(\w[\w-]*)\s*\:\s*({})", quoted_fragment())
);
re!(VARIABLE_PARSER, r"\[[^\]]+\]|[\w\-]+\??");

/// `markup.scan(VariableParser)` in one pass. The regex scanned by a
/// leftmost-first engine is quadratic on `a[a[a[...` (at every `[` the
/// bracket branch runs to the end looking for a `]` before a later word may
/// match; Onigmo does the same); its rule is simple enough to run linearly:
/// at a `[` whose next `]` is at least two bytes on, the bracket part; at a
/// `[\w-]` run, the run and one optional `?`; otherwise one character on.
/// The tests check it against the regex.
pub fn scan_variable_parts(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    // next_close[i]: index of the first `]` at or after i.
    let mut next_close = vec![usize::MAX; b.len() + 1];
    for i in (0..b.len()).rev() {
        next_close[i] = if b[i] == b']' { i } else { next_close[i + 1] };
    }
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'[' {
            let close = next_close[i + 1];
            if close != usize::MAX && close > i + 1 {
                out.push(&text[i..=close]);
                i = close + 1;
                continue;
            }
        }
        if word(b[i]) {
            let start = i;
            while i < b.len() && word(b[i]) {
                i += 1;
            }
            if b.get(i) == Some(&b'?') {
                i += 1;
            }
            out.push(&text[start..i]);
            continue;
        }
        // One character on (a UTF-8 lead byte and its continuation bytes).
        i += 1;
        while i < b.len() && (b[i] & 0xC0) == 0x80 {
            i += 1;
        }
    }
    out
}

// block_body.rb
re!(FULL_TOKEN, r"(?s)\A\{%-?(\s*)(#|\w+)(\s*)(.*?)-?%\}\z");
re!(CONTENT_OF_VARIABLE, r"(?s)\A\{\{-?(.*?)-?\}\}\z");
re!(LIQUID_TAG_TOKEN, r"\A\s*(#|\w+)\s*(.*?)\z");

// variable.rb
re!(
    MARKUP_WITH_QUOTED_FRAGMENT,
    format!(r"(?s)({})(.*)", quoted_fragment())
);
re!(FILTER_MARKUP, r"(?s)\|\s*(.*)");
re!(FILTER_PARSER, format!(r"(?:\s+|{}|,)+", quoted_fragment()));
re!(
    FILTER_ARGS,
    format!(r"(?::|,)\s*((?:\w+\s*\:\s*)?{})", quoted_fragment())
);
re!(
    JUST_TAG_ATTRIBUTES,
    format!(r"\A(\w[\w-]*)\s*\:\s*({})\z", quoted_fragment())
);

// expression.rb
re!(INTEGERS, r"\A(-?\d+)\z");
re!(FLOATS, r"\A(-?\d[\d\.]+)\z");
re!(RANGES, r"\A\(\s*(?>(\S+)\s*\.\.)\s*(\S+)\s*\)\z");

// tags
re!(ASSIGN, r"(?s)((?:\(?[\w\-\.\[\]]\)?)+)\s*=\s*(.*)\s*");
re!(CAPTURE, r"((?:\(?[\w\-\.\[\]]\)?)+)");
re!(CASE, format!("({})", quoted_fragment()));
re!(
    WHEN,
    format!(
        r"(?s)({qf})(?:(?:\s+or\s+|\s*\,\s*)({qf}.*))?",
        qf = quoted_fragment()
    )
);
re!(CYCLE_SIMPLE, format!(r"\A(?:{})+", quoted_fragment()));
re!(
    CYCLE_NAMED,
    format!(r"(?s)\A({})\s*\:\s*(.*)", quoted_fragment())
);
re!(CYCLE_VAR, format!(r"\s*({})\s*", quoted_fragment()));
re!(
    FOR,
    format!(
        r"\A([\w\-]+)\s+in\s+((?:{})+)\s*(reversed)?",
        quoted_fragment()
    )
);
re!(
    IF,
    format!(r"({qf})\s*([=!<>a-z_]+)?\s*({qf})?", qf = quoted_fragment())
);
re!(
    EXPRESSIONS_AND_OPERATORS,
    format!(
        r"(?:\b(?:\s?and\s?|\s?or\s?)\b|(?:\s*(?!\b(?:\s?and\s?|\s?or\s?)\b)(?:{}|\S+)\s*)+)",
        quoted_fragment()
    )
);
re!(
    INCLUDE,
    format!(
        r"((?:{qf})+)(\s+(?:with|for)\s+((?:{qf})+))?(\s+(?:as)\s+([\w\-]+))?",
        qf = quoted_fragment()
    )
);
re!(
    RENDER,
    format!(
        r"((?:{qs})+)(\s+(with|for)\s+((?:{qf})+))?(\s+(?:as)\s+([\w\-]+))?",
        qs = QUOTED_STRING,
        qf = quoted_fragment()
    )
);
re!(
    TABLE_ROW,
    format!(r"(\w+)\s+in\s+((?:{})+)", quoted_fragment())
);
re!(INLINE_COMMENT_INVALID, r"\n\s*[^#\s]");
re!(RAW_SYNTAX, r"\A\s*\z");
re!(RAW_END, r"(?s)\A(.*)\{%\s*(\w+)\s*(.*)?%\}\z");
re!(WHITESPACE_OR_NOTHING, r"\A\s*\z");

/// `markup =~ re`: the first match's captures, or `None` (a regex that
/// gives up on pathological input counts as no match).
pub fn captures<'t>(re: &Regex, text: &'t str) -> Option<Captures<'t>> {
    re.captures(text).ok().flatten()
}

/// Capture group `i` as text, if it took part in the match.
pub fn group<'t>(c: &Captures<'t>, i: usize) -> Option<&'t str> {
    c.get(i).map(|m| m.as_str())
}

/// Ruby's `String#scan` without groups: every match, left to right (an
/// empty match advances by one character).
pub fn scan_all<'t>(re: &Regex, text: &'t str) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= text.len() {
        let m = match re.find_from_pos(text, pos) {
            Ok(Some(m)) => m,
            _ => break,
        };
        out.push(m.as_str());
        pos = if m.end() == m.start() {
            match text[m.end()..].chars().next() {
                Some(c) => m.end() + c.len_utf8(),
                None => break,
            }
        } else {
            m.end()
        };
    }
    out
}

/// Ruby's `String#scan` with groups: the groups of every match.
pub fn scan_groups<'t>(re: &Regex, text: &'t str) -> Vec<Vec<Option<&'t str>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= text.len() {
        let c = match re.captures_from_pos(text, pos) {
            Ok(Some(c)) => c,
            _ => break,
        };
        let m = c.get(0).expect("group 0");
        out.push((1..c.len()).map(|i| group(&c, i)).collect());
        pos = if m.end() == m.start() {
            match text[m.end()..].chars().next() {
                Some(ch) => m.end() + ch.len_utf8(),
                None => break,
            }
        } else {
            m.end()
        };
    }
    out
}

/// Ruby's `String#strip` (ASCII whitespace and NUL).
pub fn strip(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | '\0'))
}

/// Ruby's `String#lstrip`.
pub fn lstrip(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\n', '\x0B', '\x0C', '\r', '\0'])
}

/// Ruby's `String#rstrip`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\n', '\x0B', '\x0C', '\r', '\0'])
}

pub fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_scan_as_the_regex_does() {
        // Every string over a small alphabet up to 6 characters, and some
        // longer ones: the one-pass scan gives the regex's matches.
        let alphabet = ["a", "[", "]", "?", "-", ".", " ", "é", "_", "1"];
        let mut cases: Vec<String> = vec![String::new()];
        let mut frontier = cases.clone();
        for _ in 0..5 {
            let mut next = Vec::new();
            for s in &frontier {
                for c in alphabet {
                    next.push(format!("{s}{c}"));
                }
            }
            cases.extend(next.iter().cloned());
            frontier = next;
        }
        cases.push("a[b[c]]?.d-e[ ].x[é]]".into());
        cases.push(format!("{}{}", "a[".repeat(50), "]".repeat(50)));
        for s in &cases {
            assert_eq!(
                scan_variable_parts(s),
                scan_all(&VARIABLE_PARSER, s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn every_pattern_compiles() {
        for re in [
            &*QUOTED_FRAGMENT,
            &*TAG_ATTRIBUTES,
            &*VARIABLE_PARSER,
            &*FULL_TOKEN,
            &*CONTENT_OF_VARIABLE,
            &*LIQUID_TAG_TOKEN,
            &*MARKUP_WITH_QUOTED_FRAGMENT,
            &*FILTER_MARKUP,
            &*FILTER_PARSER,
            &*FILTER_ARGS,
            &*JUST_TAG_ATTRIBUTES,
            &*INTEGERS,
            &*FLOATS,
            &*RANGES,
            &*ASSIGN,
            &*CAPTURE,
            &*CASE,
            &*WHEN,
            &*CYCLE_SIMPLE,
            &*CYCLE_NAMED,
            &*CYCLE_VAR,
            &*FOR,
            &*IF,
            &*EXPRESSIONS_AND_OPERATORS,
            &*INCLUDE,
            &*RENDER,
            &*TABLE_ROW,
            &*INLINE_COMMENT_INVALID,
            &*RAW_SYNTAX,
            &*RAW_END,
            &*WHITESPACE_OR_NOTHING,
        ] {
            let _ = re.is_match("x");
        }
    }

    #[test]
    fn if_markup_splits_like_ruby() {
        assert_eq!(
            scan_all(&EXPRESSIONS_AND_OPERATORS, "a and b"),
            vec!["a ", "and ", "b"]
        );
        assert_eq!(
            scan_all(&EXPRESSIONS_AND_OPERATORS, r#"a == "b c" or d"#),
            vec![r#"a == "b c" "#, "or ", "d"]
        );
    }
}
