//! `append`: Ruby's `input.to_s + string.to_s` (arrays and hashes as their
//! `inspect`).

use super::{FilterCtx, FilterResult, checked, text};
use crate::value::Value;

pub fn append(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if crate::binary::any_binary(&[input, &args[0]]) {
        // `String#+` with a binary side: Ruby's encoding check.
        return checked(crate::binary::concat(input, &args[0])?, ctx);
    }
    let (a, b) = (input.to_s(), args[0].to_s());
    ctx.check_size(a.len().saturating_add(b.len()))?;
    text(format!("{a}{b}"), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_append() {
        assert_eq!(rendered(call_filter!("append", "x", Value::Nil)), "x");
        assert_eq!(
            rendered(call_filter!(
                "append",
                j(r#"[1,[2,null],"a"]"#),
                j(r#"{"a":1}"#)
            )),
            r#"[1, [2, nil], "a"]{"a"=>1}"#
        );
        assert_eq!(rendered(call_filter!("append", 1, 1.5)), "11.5");
    }
}
