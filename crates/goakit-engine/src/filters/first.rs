//! `first`: Ruby's `array.first if array.respond_to?(:first)` — an array's
//! first item, a hash's first `[key, value]` pair, a range's begin
//! (`Range#first`, even when the range is empty: `(4..1) | first` is 4);
//! nil for everything else (strings have no `first`).

use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn first(input: &Value, _args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    Ok(input.ruby_first().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_first() {
        assert_eq!(
            rendered(call_filter!("first", j(r#"[1,[2,null],"a"]"#))),
            "1"
        );
        assert_eq!(rendered(call_filter!("first", j(r#"{"a":1}"#))), "a1");
        assert_eq!(rendered(call_filter!("first", "abc")), "");
        assert_eq!(rendered(call_filter!("first", j("[]"))), "");
        assert_eq!(
            rendered(call_filter!("first", Value::range(2.into(), 5.into()))),
            "2"
        );
        assert_eq!(
            rendered(call_filter!("first", Value::range(4.into(), 1.into()))),
            "4"
        );
    }
}
