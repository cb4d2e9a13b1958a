//! `divided_by`: Ruby's `apply_operation(input, operand, :/)`: both sides through
//! `Utils.to_number` (Integer, or BigDecimal for floats and decimal
//! strings), then `/`, then a BigDecimal result back to Float.
//! Integer division is floored; an Integer divided by 0 is `Liquid::ZeroDivisionError: divided by 0`, a BigDecimal by 0 is Infinity or NaN.

use super::{FilterCtx, FilterResult};
use crate::number::{Op, apply_operation};
use crate::value::Value;

pub fn divided_by(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    apply_operation(input, &args[0], Op::Div, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    #[allow(unused_imports)]
    use crate::value::Value;

    #[test]
    fn filters_divided_by() {
        assert_eq!(
            rendered(call_filter!("divided_by", 10, 0)),
            "Liquid error: divided by 0"
        );
        assert_eq!(rendered(call_filter!("divided_by", 10.0, 0)), "Infinity");
        assert_eq!(rendered(call_filter!("divided_by", 10, 0.0)), "Infinity");
        assert_eq!(rendered(call_filter!("divided_by", 0.0, 0)), "NaN");
        assert_eq!(rendered(call_filter!("divided_by", "3.0", 0)), "Infinity");
        assert_eq!(
            rendered(call_filter!("divided_by", i64::MIN, -1)),
            "9223372036854775808"
        );
        assert_eq!(rendered(call_filter!("divided_by", 7, -2)), "-4");
        assert_eq!(rendered(call_filter!("divided_by", 7.0, 2)), "3.5");
        assert_eq!(rendered(call_filter!("divided_by", -7, 2.0)), "-3.5");
        assert_eq!(
            rendered(call_filter!("divided_by", 10, 3.0)),
            "3.3333333333333335"
        );
        assert_eq!(
            rendered(call_filter!("divided_by", 2, 3.0)),
            "0.6666666666666666"
        );
        assert_eq!(
            rendered(call_filter!("divided_by", 2, f64::INFINITY)),
            "0.0"
        );
    }
}
