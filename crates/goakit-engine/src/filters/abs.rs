//! `abs`: Ruby's `result = Utils.to_number(input).abs` then
//! `result.is_a?(BigDecimal) ? result.to_f : result`.

use super::{FilterCtx, FilterResult};
use crate::number::to_number;
use crate::value::Value;

pub fn abs(input: &Value, _args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    Ok(to_number(input).abs().into_value())
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_abs() {
        assert_eq!(rendered(call_filter!("abs", -5)), "5");
        assert_eq!(rendered(call_filter!("abs", -5.5)), "5.5");
        assert_eq!(rendered(call_filter!("abs", "-5.5")), "5.5");
        assert_eq!(rendered(call_filter!("abs", -0.0)), "0.0");
        assert_eq!(rendered(call_filter!("abs", "x")), "0");
        assert_eq!(
            rendered(call_filter!("abs", i64::MIN)),
            "9223372036854775808"
        );
        assert_eq!(rendered(call_filter!("abs", f64::NEG_INFINITY)), "Infinity");
    }
}
