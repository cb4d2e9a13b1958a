//! `size`: Ruby's `input.respond_to?(:size) ? input.size : 0`.
//!
//! Strings count characters, arrays and hashes their items, ranges their
//! length, and an Integer answers `Integer#size` (8 bytes for a machine
//! integer); everything else (nil, floats, booleans) is 0.

use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn size(input: &Value, _args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    Ok(input.ruby_size().unwrap_or(Value::Int(0)))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_size() {
        assert_eq!(rendered(call_filter!("size", "héllo")), "5");
        assert_eq!(
            rendered(call_filter!("size", j(r#"[1,[2,null],"a"]"#))),
            "3"
        );
        assert_eq!(rendered(call_filter!("size", j(r#"{"a":1}"#))), "1");
        assert_eq!(rendered(call_filter!("size", 5)), "8");
        assert_eq!(rendered(call_filter!("size", 5.5)), "0");
        assert_eq!(rendered(call_filter!("size", Value::Nil)), "0");
        assert_eq!(
            rendered(call_filter!("size", Value::range(1.into(), 5.into()))),
            "5"
        );
    }
}
