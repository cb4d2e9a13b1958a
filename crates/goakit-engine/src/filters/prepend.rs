//! `prepend`: Ruby's `string.to_s + input.to_s`.

use super::{FilterCtx, FilterResult, checked, text};
use crate::value::Value;

pub fn prepend(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if crate::binary::any_binary(&[input, &args[0]]) {
        // `String#+` with a binary side: Ruby's encoding check.
        return checked(crate::binary::concat(&args[0], input)?, ctx);
    }
    let (a, b) = (args[0].to_s(), input.to_s());
    ctx.check_size(a.len().saturating_add(b.len()))?;
    text(format!("{a}{b}"), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_prepend() {
        assert_eq!(rendered(call_filter!("prepend", Value::Nil, 5)), "5");
        assert_eq!(rendered(call_filter!("prepend", "b", "a")), "ab");
    }
}
