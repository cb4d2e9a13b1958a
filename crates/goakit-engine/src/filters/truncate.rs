//! `truncate`: Ruby's
//! ```ruby
//! return if input.nil?
//! length = Utils.to_integer(length)            # default 50
//! l = [length - truncate_string.to_s.length, 0].max   # default "..."
//! input_str.length > length ? input_str[0...l].concat(truncate_string_str) : input_str
//! ```
//! Lengths count characters; a length of any size is compared exactly.

use super::{FilterCtx, FilterResult, s, text};
use crate::number::to_integer;
use crate::value::Value;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

pub fn truncate(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    let src = s(input);
    let length = match args.first() {
        Some(l) => to_integer(l)?.to_bigint().unwrap_or_default(),
        None => BigInt::from(50),
    };
    let ts = match args.get(1) {
        Some(t) => s(t),
        None => "...".to_string(),
    };
    let n = src.chars().count();
    if BigInt::from(n) <= length {
        return Ok(Value::from(src));
    }
    // length < n here, so it fits.
    let l = (length - BigInt::from(ts.chars().count()))
        .to_i64()
        .unwrap_or(0)
        .max(0) as usize;
    let mut out: String = src.chars().take(l).collect();
    out.push_str(&ts);
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_truncate() {
        assert_eq!(
            rendered(call_filter!("truncate", "hello world foo", 8)),
            "hello..."
        );
        assert_eq!(rendered(call_filter!("truncate", "hello", 2)), "...");
        assert_eq!(rendered(call_filter!("truncate", "hello", 5)), "hello");
        assert_eq!(rendered(call_filter!("truncate", "hello", -1)), "...");
        assert_eq!(
            rendered(call_filter!("truncate", "héllo wörld", 7, "…")),
            "héllo …"
        );
        assert!(call_filter!("truncate", Value::Nil, 1).unwrap().is_nil());
        assert_eq!(
            rendered(call_filter!("truncate", "hello", 3, Value::Nil)),
            "hel"
        );
        let huge: Value = Value::from_bigint("100000000000000000000".parse().unwrap());
        assert_eq!(rendered(call_filter!("truncate", "hello", huge)), "hello");
        let neg: Value = Value::from_bigint("-100000000000000000000".parse().unwrap());
        assert_eq!(rendered(call_filter!("truncate", "hello", neg)), "...");
        assert_eq!(
            rendered(call_filter!("truncate", "x".repeat(60))),
            format!("{}...", "x".repeat(47))
        );
        assert_eq!(
            rendered(call_filter!("truncate", "hello", "a")),
            "Liquid error: invalid integer"
        );
    }
}
