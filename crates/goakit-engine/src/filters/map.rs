//! `map`: Ruby's
//! ```ruby
//! InputIterator.new(input, context).map do |e|
//!   if property == "to_liquid" then e
//!   elsif e.respond_to?(:[]) then e[property]
//!   end                                        # nil for items without []
//! end
//! rescue TypeError → "cannot select the property '#{property}'"
//! ```

use super::input::{InputIter, access};
use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn map(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let property = &args[0];
    let to_liquid = property.as_str() == Some("to_liquid");
    let items = InputIter::collect(input, ctx)?;
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        if to_liquid {
            out.push(e);
            continue;
        }
        out.push(access(&e, property).or_raise(property)?.unwrap_or_default());
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, ins, j};
    use crate::value::Value;

    #[test]
    fn filters_map() {
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(ins(call_filter!("map", hs, "a")), "[2, 1, nil]");
        assert_eq!(ins(call_filter!("map", j(r#"{"a":1}"#), "a")), "[1]");
        assert_eq!(
            ins(call_filter!("map", j(r#"[1,[2,null],"a"]"#), "a")),
            "Liquid error: cannot select the property 'a'"
        );
        assert_eq!(ins(call_filter!("map", "str", "a")), "[nil]");
        assert_eq!(ins(call_filter!("map", "str", "t")), r#"["t"]"#);
        assert_eq!(
            ins(call_filter!("map", j("[null,true,1.5]"), "a")),
            "[nil, nil, nil]"
        );
        assert_eq!(
            ins(call_filter!("map", j("[1,true]"), "to_liquid")),
            "[1, true]"
        );
        assert_eq!(ins(call_filter!("map", Value::Nil, "a")), "[]");
        assert_eq!(
            ins(call_filter!("map", j(r#"[["x","y"]]"#), 1)),
            "[nil, nil]"
        );
    }
}
