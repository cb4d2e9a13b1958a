//! `newline_to_br`: Ruby's `input.to_s.gsub(/\r?\n/, "<br />\n")` (the
//! `\r` of `\r\n` goes, a lone `\r` stays).

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

pub fn newline_to_br(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = s(input);
    let n = src.matches('\n').count();
    ctx.check_size(src.len().saturating_add(n.saturating_mul(6)))?;
    text(src.replace("\r\n", "\n").replace('\n', "<br />\n"), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_newline_to_br() {
        assert_eq!(
            rendered(call_filter!("newline_to_br", "a\r\nb\nc\r")),
            "a<br />\nb<br />\nc\r"
        );
        assert_eq!(
            rendered(call_filter!("newline_to_br", "\r\r\n")),
            "\r<br />\n"
        );
    }
}
