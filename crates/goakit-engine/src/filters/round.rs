//! `round`: Ruby's
//! ```ruby
//! result = Utils.to_number(input).round(Utils.to_number(n))   # n = 0
//! result = result.to_f if result.is_a?(BigDecimal)
//! result = result.to_i if n == 0
//! rescue ::FloatDomainError => e → Liquid::FloatDomainError
//! ```
//! Half away from zero; negative digits round to tens, hundreds...;
//! `BigDecimal#round(n <= 0)` is an Integer; digits outside a C `int` are a
//! `RangeError` (`Liquid error: internal`).

use super::{FilterCtx, FilterResult};
use crate::number::{Number, to_number};
use crate::value::Value;

pub fn round(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let n = args.first().cloned().unwrap_or(Value::Int(0));
    let result = to_number(input).round(&to_number(&n), ctx)?;
    let is_zero = matches!(n, Value::Int(0)) || matches!(n, Value::Float(f) if f == 0.0);
    match result {
        // `result.to_f.to_i` (Float#to_i truncates; the specials raise).
        Number::Dec(d) if is_zero => to_number(&Value::Float(d.to_f64().trunc())).floor(ctx),
        r => Ok(r.into_value()),
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_round() {
        assert_eq!(rendered(call_filter!("round", 2.5)), "3");
        assert_eq!(rendered(call_filter!("round", -2.5)), "-3");
        assert_eq!(rendered(call_filter!("round", 2.675, 2)), "2.68");
        assert_eq!(rendered(call_filter!("round", 1.5, 2)), "1.5");
        assert_eq!(rendered(call_filter!("round", 15, 2)), "15");
        assert_eq!(rendered(call_filter!("round", 15, 2.5)), "15");
        assert_eq!(rendered(call_filter!("round", 1.55, 1.5)), "1.6");
        assert_eq!(rendered(call_filter!("round", 1.55, "1")), "1.6");
        assert_eq!(rendered(call_filter!("round", 1.55, "a")), "2");
        assert_eq!(rendered(call_filter!("round", 1.5, 0.0)), "2");
        assert_eq!(rendered(call_filter!("round", 1234.5678, -2)), "1200");
        assert_eq!(rendered(call_filter!("round", 1250, -2)), "1300");
        assert_eq!(rendered(call_filter!("round", -1250, -2)), "-1300");
        assert_eq!(rendered(call_filter!("round", 5, 1000000000)), "5");
        assert_eq!(rendered(call_filter!("round", 5.5, 1000000000)), "5.5");
        assert_eq!(rendered(call_filter!("round", 5.5, -1000000000)), "0");
        assert_eq!(rendered(call_filter!("round", 5, -2147483648i64)), "0");
        assert_eq!(
            rendered(call_filter!("round", 5, 3000000000i64)),
            "Liquid error: internal"
        );
        assert_eq!(
            rendered(call_filter!("round", f64::INFINITY)),
            "Liquid error: Computation results in 'Infinity'"
        );
        assert_eq!(
            rendered(call_filter!("round", f64::NEG_INFINITY)),
            "Liquid error: Computation results in '-Infinity'"
        );
        assert_eq!(
            rendered(call_filter!("round", f64::NAN)),
            "Liquid error: Computation results in 'NaN' (Not a Number)"
        );
        assert_eq!(
            rendered(call_filter!("round", f64::INFINITY, 2)),
            "Infinity"
        );
        assert_eq!(
            rendered(call_filter!("round", 5.5, f64::NAN)),
            "Liquid error: Computation results in 'NaN' (Not a Number)"
        );
        assert_eq!(
            rendered(call_filter!("round", 5, f64::INFINITY)),
            "Liquid error: Computation results in 'Infinity'"
        );
        assert_eq!(rendered(call_filter!("round", Value::Nil)), "0");
    }
}
