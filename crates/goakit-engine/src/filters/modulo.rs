//! `modulo`: Ruby's `apply_operation(input, operand, :%)`: both sides through
//! `Utils.to_number` (Integer, or BigDecimal for floats and decimal
//! strings), then `%`, then a BigDecimal result back to Float.
//! Floored (the sign of the divisor); a zero divisor is `divided by 0` for Integers and BigDecimals alike.

use super::{FilterCtx, FilterResult};
use crate::number::{Op, apply_operation};
use crate::value::Value;

pub fn modulo(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    apply_operation(input, &args[0], Op::Rem, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    #[allow(unused_imports)]
    use crate::value::Value;

    #[test]
    fn filters_modulo() {
        assert_eq!(rendered(call_filter!("modulo", -7, 2)), "1");
        assert_eq!(rendered(call_filter!("modulo", 5, -3)), "-1");
        assert_eq!(rendered(call_filter!("modulo", 7.5, -2)), "-0.5");
        assert_eq!(rendered(call_filter!("modulo", 1, 0.3)), "0.1");
        assert_eq!(
            rendered(call_filter!("modulo", 10, 0.0)),
            "Liquid error: divided by 0"
        );
        assert_eq!(
            rendered(call_filter!("modulo", 10.5, 0)),
            "Liquid error: divided by 0"
        );
        assert_eq!(rendered(call_filter!("modulo", f64::INFINITY, 2)), "NaN");
        assert_eq!(rendered(call_filter!("modulo", 2, f64::INFINITY)), "2.0");
        assert_eq!(rendered(call_filter!("modulo", -2, f64::INFINITY)), "-2.0");
    }
}
