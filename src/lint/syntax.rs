//! `liquid-syntax` beyond the scanner: the engine's parser judges every tag
//! and output on its own, so a template with one broken tag still has each
//! of its other tags checked, and the block structure once more as a bare
//! skeleton. Small pieces repeat a lot across a project (`{{ l.title }}`,
//! `{% endif %}`), so each distinct piece is parsed once per lint run.

use crate::engine::Engine;
use crate::engine::scan::{self, Scan, Token, TokenKind};
use std::collections::HashMap;

/// A syntax error at a byte offset of the checked source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

/// Blocks with a stand-in opener whose markup always parses.
const OPENERS: &[(&str, &str)] = &[
    ("if", "{% if true %}"),
    ("unless", "{% unless true %}"),
    ("case", "{% case x %}"),
    ("for", "{% for x in y %}"),
    ("tablerow", "{% tablerow x in y %}"),
    ("capture", "{% capture x %}"),
    ("ifchanged", "{% ifchanged %}"),
];

/// Stand-ins for the tags that live inside a block.
const INNER: &[(&str, &str)] = &[
    ("else", "{% else %}"),
    ("elsif", "{% elsif true %}"),
    ("when", "{% when 1 %}"),
];

fn opener(name: &str) -> Option<&'static str> {
    OPENERS.iter().find(|(n, _)| *n == name).map(|(_, o)| *o)
}

/// The token as it would stand alone in a template: lines of
/// `{% liquid %}` get their delimiters back.
fn standalone<'s>(src: &'s str, t: &Token) -> (std::borrow::Cow<'s, str>, usize) {
    let text = &src[t.span.clone()];
    if t.in_liquid {
        (format!("{{% {text} %}}").into(), 3)
    } else {
        (text.into(), 0)
    }
}

pub struct Checker<'e> {
    engine: &'e Engine,
    /// Piece → its first error (offset in the piece, message), if any.
    cache: HashMap<String, Option<(usize, String)>>,
}

impl<'e> Checker<'e> {
    pub fn new(engine: &'e Engine) -> Self {
        Checker {
            engine,
            cache: HashMap::new(),
        }
    }

    /// Parses `piece` (memoised); the error's offset is within `piece`.
    fn parse(&mut self, piece: String) -> Option<(usize, String)> {
        if let Some(hit) = self.cache.get(&piece) {
            return hit.clone();
        }
        let scanned = scan::scan(&piece);
        let result = self.engine.check("", &piece, &scanned).err().map(|e| {
            let message = e
                .message
                .trim_start_matches("Liquid syntax error: ")
                .to_string();
            (offset_of(&piece, e.line, e.column), message)
        });
        self.cache.insert(piece, result.clone());
        result
    }

    /// Every syntax error the engine's parser finds in `src`, besides the
    /// scanner's own problems (which the caller reports).
    pub fn check(&mut self, src: &str, scanned: &Scan) -> Vec<SyntaxError> {
        let mut out = Vec::new();
        // Open blocks, innermost last, for the context of else/elsif/when.
        let mut open: Vec<&str> = Vec::new();
        // The block structure alone, and which token each piece came from.
        let mut skeleton = String::new();
        let mut pieces: Vec<(usize, usize)> = Vec::new();
        for t in &scanned.tokens {
            let name = match &t.kind {
                TokenKind::Output => "",
                // Nameless tags are the scanner's finding; raw bodies are text.
                TokenKind::Tag { name } if name.is_empty() || name == "raw" => continue,
                TokenKind::Tag { name } => name.as_str(),
                TokenKind::Text { .. } | TokenKind::Comment => continue,
            };
            let (text, lead) = standalone(src, t);
            // What wraps the token so that it parses alone, and the piece
            // of the skeleton it stands for.
            let (before, after, skeleton_piece): (String, String, Option<String>) =
                if let Some(o) = opener(name) {
                    open.push(name);
                    (String::new(), format!("{{% end{name} %}}"), Some(o.into()))
                } else if let Some(block) = name.strip_prefix("end")
                    && opener(block).is_some()
                {
                    if let Some(i) = open.iter().rposition(|b| *b == block) {
                        open.truncate(i);
                    }
                    pieces.push((skeleton.len(), t.span.start));
                    if t.markup.is_empty() {
                        skeleton.push_str(&format!("{{% end{block} %}}"));
                    } else {
                        // The engine refuses words after an end tag.
                        skeleton.push_str(&text);
                    }
                    continue;
                } else if let Some((_, stand_in)) = INNER.iter().find(|(n, _)| *n == name) {
                    // Outside its block is the scanner's finding.
                    let Some(&parent) = open.last() else { continue };
                    let mut before = opener(parent).unwrap_or_default().to_string();
                    if parent == "case" && name == "else" {
                        before.push_str("{% when 1 %}");
                    }
                    (
                        before,
                        format!("{{% end{parent} %}}"),
                        Some(stand_in.to_string()),
                    )
                } else if t.kind == TokenKind::Output || scan::KNOWN_TAGS.contains(&name) {
                    (String::new(), String::new(), None)
                } else {
                    // Unknown tags are unknown-tag warnings.
                    continue;
                };
            if let Some(piece) = skeleton_piece {
                pieces.push((skeleton.len(), t.span.start));
                skeleton.push_str(&piece);
            }
            let piece = format!("{before}{text}{after}");
            if let Some((at, message)) = self.parse(piece) {
                // Inside the token: that spot; in the wrapping: the token.
                let rel = at.saturating_sub(before.len() + lead);
                let rel = if rel < t.span.len() { rel } else { 0 };
                out.push(SyntaxError {
                    offset: t.span.start + rel,
                    message,
                });
            }
        }
        // Structure, only when every piece parsed and the scanner saw none
        // of its own problems (they would explain the same thing).
        if out.is_empty()
            && scanned.problems.is_empty()
            && !skeleton.is_empty()
            && let Some((at, message)) = self.parse(skeleton)
        {
            let i = pieces.partition_point(|(start, _)| *start <= at);
            let offset = pieces.get(i.saturating_sub(1)).map_or(0, |p| p.1);
            out.push(SyntaxError { offset, message });
        }
        out
    }
}

/// Byte offset of a 1-based line and character column in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<(usize, String)> {
        let engine = Engine::new();
        let mut c = Checker::new(&engine);
        let s = scan::scan(src);
        c.check(src, &s)
            .into_iter()
            .map(|e| (e.offset, e.message))
            .collect()
    }

    #[test]
    fn clean_markup_has_no_errors() {
        let src = "{% if a %}{{ a | upcase }}{% elsif b %}x{% else %}y{% endif %}\
                   {% case c %}{% when 1, 2 %}{% else %}{% endcase %}\
                   {% for i in (1..3) reversed %}{% break %}{% else %}{% endfor %}\
                   {% liquid\n  assign\tx = 1\n  if x\n    echo x | plus: 1\n  endif\n%}\
                   {% capture y %}{% cycle 'a', 'b' %}{% endcapture %}{% raw %}{{{% endraw %}\
                   {% include 'x', k: 1 %}{% render 'y' with z as w %}{% unknown_tag %}";
        assert_eq!(errors(src), []);
    }

    #[test]
    fn every_broken_tag_is_found_even_in_a_broken_template() {
        let src = "{% if a %}\n{% assign = 3 %}\n{{ 'a' | }}\n{% for in %}{% endfor %}\n";
        let found = errors(src);
        let offsets: Vec<usize> = found.iter().map(|e| e.0).collect();
        // `if` is never closed (the scanner's finding); each bad tag is ours.
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(offsets[0] >= src.find("{% assign").unwrap(), "{found:?}");
        assert!(offsets[0] < src.find("{{").unwrap(), "{found:?}");
        assert!(offsets[1] >= src.find("{{").unwrap(), "{found:?}");
        assert!(offsets[2] >= src.find("{% for").unwrap(), "{found:?}");
    }

    /// Against the engine's whole-template check on mutated templates:
    /// where the scanner is happy, a template fails one exactly when it
    /// fails the other.
    #[test]
    fn agrees_with_the_whole_template_check() {
        let base = "{% if a == 1 %}{{ a | plus: 2 }}{% elsif b %}{% else %}{% endif %}\n\
                    {%- assign\tx = 'y' | append: z -%}{% for i in (1..3) %}{{ i }}{% endfor %}\n\
                    {% case c %}{% when 1, 'x' %}{% else %}{% endcase %}{% capture q %}{% endcapture %}\n\
                    {% liquid\n  if x\n    echo x | upcase\n  endif\n%}{% include 'p', k: l.v %}\n\
                    {% unless u %}{% cycle 'a', 'b' %}{% endunless %}{% raw %}{{{% endraw %}";
        let bits = [
            "{%",
            "{{",
            "}}",
            "%}",
            "'",
            "|",
            ":",
            ",",
            "=",
            "==",
            " in ",
            "(",
            ")",
            "..",
            "[",
            "]",
            ".",
            "{% else %}",
            "{% endif %}",
            "{% when 2 %}",
            "{% elsif %}",
            "-",
            "\"",
        ];
        let engine = Engine::new();
        let mut checker = Checker::new(&engine);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut rand = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut compared, mut failing) = (0, 0);
        for _ in 0..3000 {
            let mut src = base.to_string();
            for _ in 0..1 + rand(3) {
                let mut at = rand(src.len() + 1);
                while !src.is_char_boundary(at) {
                    at -= 1;
                }
                if rand(3) == 0 {
                    let end = (at + 1 + rand(8)).min(src.len());
                    if src.is_char_boundary(end) {
                        src.replace_range(at..end, "");
                    }
                } else {
                    src.insert_str(at, bits[rand(bits.len())]);
                }
            }
            let scanned = scan::scan(&src);
            if !scanned.problems.is_empty() {
                continue;
            }
            compared += 1;
            let whole = engine.check("t", &src, &scanned).is_err();
            let ours = !checker.check(&src, &scanned).is_empty();
            failing += usize::from(whole);
            assert_eq!(
                whole, ours,
                "whole check {whole}, per piece {ours}: {src:?}"
            );
        }
        assert!(
            compared > 500 && failing > 100,
            "{compared} compared, {failing} failing"
        );
    }

    #[test]
    fn offsets_of_lines_and_columns() {
        let t = "ab\nçd\n";
        assert_eq!(offset_of(t, 1, 1), 0);
        assert_eq!(offset_of(t, 2, 2), 5);
        assert_eq!(offset_of(t, 9, 9), t.len());
    }
}
