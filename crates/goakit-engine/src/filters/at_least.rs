//! `at_least`: Ruby's
//! ```ruby
//! min_value = Utils.to_number(n)
//! result = Utils.to_number(input)
//! result = min_value if min_value > result      # false with NaN
//! result.is_a?(BigDecimal) ? result.to_f : result
//! ```

use super::{FilterCtx, FilterResult};
use crate::number::to_number;
use crate::value::Value;
use std::cmp::Ordering;

pub fn at_least(input: &Value, args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    let bound = to_number(&args[0]);
    let result = to_number(input);
    let replace = bound.partial_cmp(&result) == Some(Ordering::Greater);
    Ok(if replace { bound } else { result }.into_value())
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_at_least() {
        assert_eq!(rendered(call_filter!("at_least", 4, 5.5)), "5.5");
        assert_eq!(rendered(call_filter!("at_least", 5, 5.0)), "5");
        assert_eq!(rendered(call_filter!("at_least", 5.0, 5)), "5.0");
        assert_eq!(rendered(call_filter!("at_least", f64::NAN, 5)), "NaN");
        assert_eq!(rendered(call_filter!("at_least", 5, f64::NAN)), "5");
        assert_eq!(rendered(call_filter!("at_least", "x", 3)), "3");
    }
}
