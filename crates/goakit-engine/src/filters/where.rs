//! `where`: Ruby's
//! ```ruby
//! ary = InputIterator.new(input, context)
//! if ary.empty? then []
//! elsif target_value.nil? then ary.select { |item| item[property] }
//! else ary.select { |item| item[property] == target_value }
//! end
//! # TypeError → "cannot select the property '#{property}'";
//! # NoMethodError on an item without [] → the filter returns nil
//! ```
//! `item[property]` is Ruby's: a hash's value, a string's substring test
//! (`"abc"["a"]` is `"a"`), an Integer's bit, an array's element.

use super::input::{InputIter, access};
use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn r#where(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let items = InputIter::collect(input, ctx)?;
    if items.is_empty() {
        return Ok(Value::from(Vec::new()));
    }
    let property = &args[0];
    let target = args.get(1).unwrap_or(&Value::Nil);
    let mut out = Vec::new();
    for item in items {
        let Some(v) = access(&item, property).or_raise(property)? else {
            return Ok(Value::Nil);
        };
        let keep = if target.is_nil() {
            v.truthy()
        } else {
            v.ruby_eq(target)
        };
        if keep {
            out.push(item);
        }
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, ins, j};
    use crate::value::Value;

    #[test]
    fn filters_where() {
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(
            ins(call_filter!("where", hs.clone(), "a")),
            r#"[{"a"=>2, "b"=>"x"}, {"a"=>1}]"#
        );
        assert_eq!(
            ins(call_filter!("where", hs.clone(), "a", 1)),
            r#"[{"a"=>1}]"#
        );
        assert_eq!(ins(call_filter!("where", hs, "a", 1.0)), r#"[{"a"=>1}]"#);
        assert_eq!(
            ins(call_filter!("where", j(r#"[1,[2,null],"a"]"#), "a")),
            "Liquid error: cannot select the property 'a'"
        );
        assert_eq!(ins(call_filter!("where", "abc", "a")), r#"["abc"]"#);
        assert_eq!(
            ins(call_filter!("where", j(r#"["abc","xyz"]"#), "b")),
            r#"["abc"]"#
        );
        assert_eq!(
            ins(call_filter!("where", j(r#"{"a":1}"#), "a")),
            r#"[{"a"=>1}]"#
        );
        assert_eq!(
            ins(call_filter!("where", j(r#"[{"a":1},null]"#), "a")),
            "nil"
        );
        assert_eq!(
            ins(call_filter!("where", j(r#"[{"a":1},1.5]"#), "a")),
            "nil"
        );
        assert_eq!(ins(call_filter!("where", j("[1,2,3]"), 0)), "[1, 2, 3]");
        assert_eq!(ins(call_filter!("where", j("[1,2,3]"), 0, 1)), "[1, 3]");
        assert_eq!(ins(call_filter!("where", Value::Nil, "a")), "[]");
        assert_eq!(
            ins(call_filter!("where", j(r#"[{"a":false},{"a":true}]"#), "a")),
            r#"[{"a"=>true}]"#
        );
    }
}
