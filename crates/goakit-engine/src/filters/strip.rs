//! The strip family: `strip`, `lstrip`, `rstrip` — Ruby's `input.to_s.strip`
//! / `.lstrip` / `.rstrip`: ASCII whitespace (`\t\n\v\f\r `) and NUL are
//! removed; other Unicode spaces (U+00A0) stay.

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

fn is_strip(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\0')
}

pub fn strip(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    text(s(input).trim_matches(is_strip).to_string(), ctx)
}

pub fn lstrip(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    text(s(input).trim_start_matches(is_strip).to_string(), ctx)
}

pub fn rstrip(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    text(s(input).trim_end_matches(is_strip).to_string(), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_strip() {
        assert_eq!(rendered(call_filter!("strip", "\0 a \0")), "a");
        assert_eq!(rendered(call_filter!("lstrip", "\0 a \0")), "a \0");
        assert_eq!(rendered(call_filter!("rstrip", "\0 a \0")), "\0 a");
        assert_eq!(
            rendered(call_filter!("strip", "\u{a0}a\u{2003}")),
            "\u{a0}a\u{2003}"
        );
        assert_eq!(rendered(call_filter!("strip", " \t\x0b\x0c\r\n5 ")), "5");
        assert_eq!(rendered(call_filter!("strip", 5)), "5");
    }
}
