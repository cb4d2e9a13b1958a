//! `strip_newlines`: Ruby's `input.to_s.gsub(/\r?\n/, '')` (a lone `\r`
//! stays).

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

pub fn strip_newlines(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    text(s(input).replace("\r\n", "\n").replace('\n', ""), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_strip_newlines() {
        assert_eq!(
            rendered(call_filter!("strip_newlines", "a\r\nb\nc\r")),
            "abc\r"
        );
        assert_eq!(rendered(call_filter!("strip_newlines", "\r\r\n")), "\r");
    }
}
