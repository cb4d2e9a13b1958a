//! `minus`: Ruby's `apply_operation(input, operand, :-)`: both sides through
//! `Utils.to_number` (Integer, or BigDecimal for floats and decimal
//! strings), then `-`, then a BigDecimal result back to Float.
//!

use super::{FilterCtx, FilterResult};
use crate::number::{Op, apply_operation};
use crate::value::Value;

pub fn minus(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    apply_operation(input, &args[0], Op::Sub, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    #[allow(unused_imports)]
    use crate::value::Value;

    #[test]
    fn filters_minus() {
        assert_eq!(rendered(call_filter!("minus", 10, 2.5)), "7.5");
        assert_eq!(
            rendered(call_filter!("minus", i64::MIN, 1)),
            "-9223372036854775809"
        );
        assert_eq!(rendered(call_filter!("minus", "-0.5", 0)), "-0.5");
    }
}
