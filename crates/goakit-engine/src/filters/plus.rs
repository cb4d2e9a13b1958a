//! `plus`: Ruby's `apply_operation(input, operand, :+)`: both sides through
//! `Utils.to_number` (Integer, or BigDecimal for floats and decimal
//! strings), then `+`, then a BigDecimal result back to Float.
//! Integers are exact at any size.

use super::{FilterCtx, FilterResult};
use crate::number::{Op, apply_operation};
use crate::value::Value;

pub fn plus(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    apply_operation(input, &args[0], Op::Add, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    #[allow(unused_imports)]
    use crate::value::Value;

    #[test]
    fn filters_plus() {
        assert_eq!(rendered(call_filter!("plus", 1, 2)), "3");
        assert_eq!(rendered(call_filter!("plus", 0.1, 0.2)), "0.3");
        assert_eq!(rendered(call_filter!("plus", "abc", 1)), "1");
        assert_eq!(rendered(call_filter!("plus", "12abc", 1)), "13");
        assert_eq!(rendered(call_filter!("plus", " 3.5 ", 1)), "4.5");
        assert_eq!(rendered(call_filter!("plus", Value::Nil, 1)), "1");
        assert_eq!(rendered(call_filter!("plus", true, 1)), "1");
        assert_eq!(rendered(call_filter!("plus", f64::INFINITY, 1)), "Infinity");
        assert_eq!(rendered(call_filter!("plus", f64::NAN, 1)), "NaN");
        assert_eq!(rendered(call_filter!("plus", -0.0, 0)), "0.0");
        let big = Value::from_bigint("12345678901234567890123456789012345678901".parse().unwrap());
        assert_eq!(
            rendered(call_filter!("plus", big, 1)),
            "12345678901234567890123456789012345678902"
        );
    }
}
