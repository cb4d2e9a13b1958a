//! `floor`: Ruby's `Utils.to_number(input).floor.to_i`; Infinity and NaN
//! raise `FloatDomainError` (`Computation results in 'NaN' (Not a Number)`).

use super::{FilterCtx, FilterResult};
use crate::number::to_number;
use crate::value::Value;

pub fn floor(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    to_number(input).floor(ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_floor() {
        assert_eq!(rendered(call_filter!("floor", -2.5)), "-3");
        assert_eq!(rendered(call_filter!("floor", 2.5)), "2");
        assert_eq!(rendered(call_filter!("floor", 0.0001)), "0");
        assert_eq!(rendered(call_filter!("floor", "x")), "0");
        assert_eq!(
            rendered(call_filter!("floor", f64::NAN)),
            "Liquid error: Computation results in 'NaN' (Not a Number)"
        );
    }
}
