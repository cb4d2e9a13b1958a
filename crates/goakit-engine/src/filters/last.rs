//! `last`: Ruby's `array.last if array.respond_to?(:last)` — an array's
//! last item, a range's end (`Range#last`, even when the range is empty:
//! `(2..1) | last` is 1); nil otherwise (hashes and strings have
//! no `last`).

use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn last(input: &Value, _args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    Ok(input.ruby_last().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_last() {
        assert_eq!(
            rendered(call_filter!("last", j(r#"[1,[2,null],"a"]"#))),
            "a"
        );
        assert_eq!(rendered(call_filter!("last", j(r#"{"a":1}"#))), "");
        assert_eq!(rendered(call_filter!("last", "abc")), "");
        assert_eq!(
            rendered(call_filter!("last", Value::range(1.into(), 5.into()))),
            "5"
        );
        assert_eq!(
            rendered(call_filter!("last", Value::range(2.into(), 1.into()))),
            "1"
        );
    }
}
