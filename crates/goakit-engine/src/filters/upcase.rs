//! `upcase`: Ruby's `input.to_s.upcase` (full Unicode case mapping:
//! `"ß" → "SS"`, `"ﬀ" → "FF"`). Arrays and hashes are upcased as their
//! `inspect` text (`[1, [2, NIL], "A"]`).

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

pub fn upcase(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    // A binary string's case mapping is ASCII's.
    if let Value::Bin(b) = input {
        return Ok(Value::binary(b.to_ascii_uppercase()));
    }
    text(s(input).to_uppercase(), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};

    #[test]
    fn filters_upcase() {
        assert_eq!(rendered(call_filter!("upcase", "éa ÀB ß")), "ÉA ÀB SS");
        assert_eq!(rendered(call_filter!("upcase", "ﬀ")), "FF");
        assert_eq!(
            rendered(call_filter!("upcase", j(r#"[1,[2,null],"a"]"#))),
            r#"[1, [2, NIL], "A"]"#
        );
        assert_eq!(rendered(call_filter!("upcase", 1.5)), "1.5");
    }
}
