//! `times`: Ruby's `apply_operation(input, operand, :*)`: both sides through
//! `Utils.to_number` (Integer, or BigDecimal for floats and decimal
//! strings), then `*`, then a BigDecimal result back to Float.
//! The result's digits are bounded by the size budget before it is built.

use super::{FilterCtx, FilterResult};
use crate::number::{Op, apply_operation};
use crate::value::Value;

pub fn times(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    apply_operation(input, &args[0], Op::Mul, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    #[allow(unused_imports)]
    use crate::value::Value;

    #[test]
    fn filters_times() {
        assert_eq!(rendered(call_filter!("times", 3, 0.1)), "0.3");
        assert_eq!(rendered(call_filter!("times", 0.1, 3)), "0.3");
        assert_eq!(rendered(call_filter!("times", f64::INFINITY, 0)), "NaN");
        let big = Value::from_bigint(num_bigint::BigInt::from(2).pow(70));
        assert_eq!(
            rendered(call_filter!("times", big.clone(), big)),
            "1393796574908163946345982392040522594123776"
        );
        let huge = Value::from_bigint(num_bigint::BigInt::from(10).pow(5000));
        let ctx = crate::filters::FilterCtx {
            max_bytes: 8000,
            deadline: None,
        };
        let r = crate::filters::call_with(&ctx, "times", huge.clone(), vec![huge]);
        assert!(matches!(r, Err(crate::filters::FilterError::Budget(_))));
    }
}
