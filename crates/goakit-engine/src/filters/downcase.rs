//! `downcase`: Ruby's `input.to_s.downcase` (full Unicode case mapping in
//! Ruby 3.1: `"ÉA" → "éa"`, `"İ" → "i̇"`, no final-sigma rule: `"ΣΑΣ" → "σασ"`, so each
//! character is mapped on its own).

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

pub fn downcase(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    // A binary string's case mapping is ASCII's.
    if let Value::Bin(b) = input {
        return Ok(Value::binary(b.to_ascii_lowercase()));
    }
    text(ruby_downcase(&s(input)), ctx)
}

/// Ruby's `String#downcase`: each character's lowercase mapping.
pub(crate) fn ruby_downcase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_downcase() {
        assert_eq!(rendered(call_filter!("downcase", "ÉA ß İ")), "éa ß i̇");
        assert_eq!(rendered(call_filter!("downcase", "ΣΑΣ")), "σασ");
        assert_eq!(rendered(call_filter!("downcase", Value::Nil)), "");
        assert_eq!(
            rendered(call_filter!("downcase", j(r#"["A",null]"#))),
            r#"["a", nil]"#
        );
    }
}
