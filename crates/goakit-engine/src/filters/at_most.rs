//! `at_most`: Ruby's
//! ```ruby
//! max_value = Utils.to_number(n)
//! result = Utils.to_number(input)
//! result = max_value if max_value < result      # false with NaN
//! result.is_a?(BigDecimal) ? result.to_f : result
//! ```

use super::{FilterCtx, FilterResult};
use crate::number::to_number;
use crate::value::Value;
use std::cmp::Ordering;

pub fn at_most(input: &Value, args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    let bound = to_number(&args[0]);
    let result = to_number(input);
    let replace = bound.partial_cmp(&result) == Some(Ordering::Less);
    Ok(if replace { bound } else { result }.into_value())
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_at_most() {
        assert_eq!(rendered(call_filter!("at_most", "a", 5.5)), "0");
        assert_eq!(rendered(call_filter!("at_most", 7, 5.5)), "5.5");
        assert_eq!(rendered(call_filter!("at_most", 5, "5.0")), "5");
        assert_eq!(rendered(call_filter!("at_most", 1.5, 3)), "1.5");
    }
}
