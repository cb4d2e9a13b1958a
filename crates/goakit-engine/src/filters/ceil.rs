//! `ceil`: Ruby's `Utils.to_number(input).ceil.to_i`; Infinity and NaN raise
//! `FloatDomainError` (`Computation results in 'Infinity'`, rendered as a
//! Liquid error).

use super::{FilterCtx, FilterResult};
use crate::number::to_number;
use crate::value::Value;

pub fn ceil(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    to_number(input).ceil(ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_ceil() {
        assert_eq!(rendered(call_filter!("ceil", 2.5)), "3");
        assert_eq!(rendered(call_filter!("ceil", -2.5)), "-2");
        assert_eq!(rendered(call_filter!("ceil", "1.2")), "2");
        assert_eq!(rendered(call_filter!("ceil", 7)), "7");
        assert_eq!(
            rendered(call_filter!("ceil", 1e20)),
            "100000000000000000000"
        );
        assert_eq!(
            rendered(call_filter!("ceil", f64::INFINITY)),
            "Liquid error: Computation results in 'Infinity'"
        );
    }
}
