//! `uniq`: Ruby's
//! ```ruby
//! ary = InputIterator.new(input, context)
//! if property.nil? then ary.uniq               # eql?: 1 and 1.0 differ
//! elsif ary.empty? then []
//! else ary.uniq { |item| item[property] }      # TypeError → cannot select the property; NoMethodError → nil
//! end
//! ```
//! The first of each group of `eql?` items stays, in order.

use super::input::{InputIter, access};
use super::{FilterCtx, FilterResult};
use crate::value::Value;
use std::collections::HashMap;

/// A bucket for `eql?` candidates: exact for strings and integers.
fn bucket(v: &Value) -> (u8, String) {
    match v {
        Value::Str(s) => (1, s.to_string()),
        Value::Int(i) => (2, i.to_string()),
        Value::BigInt(b) => (2, b.to_string()),
        Value::Nil => (3, String::new()),
        Value::Bool(b) => (4, b.to_string()),
        _ => (5, String::new()),
    }
}

/// Keeps the first item of each `eql?` key.
pub(crate) fn uniq_by(items: Vec<Value>, keys: Vec<Value>, ctx: &FilterCtx) -> FilterResult {
    let mut seen: HashMap<(u8, String), Vec<Value>> = HashMap::new();
    let mut out = Vec::new();
    for (i, (item, key)) in items.into_iter().zip(keys).enumerate() {
        if i % 4096 == 4095 {
            ctx.check_time()?;
        }
        let b = seen.entry(bucket(&key)).or_default();
        if !b.iter().any(|k| k.ruby_eql(&key)) {
            b.push(key);
            out.push(item);
        }
    }
    Ok(Value::from(out))
}

pub fn uniq(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let items = InputIter::collect(input, ctx)?;
    match args.first() {
        None | Some(Value::Nil) => {
            let keys = items.clone();
            uniq_by(items, keys, ctx)
        }
        Some(property) => {
            // Ruby's `Array#uniq` with a block returns a copy of a
            // one-item array without calling the block.
            if items.len() <= 1 {
                return Ok(Value::from(items));
            }
            let mut keys = Vec::with_capacity(items.len());
            for item in &items {
                match access(item, property).or_raise(property)? {
                    Some(v) => keys.push(v),
                    None => return Ok(Value::Nil),
                }
            }
            uniq_by(items, keys, ctx)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, ins, j};

    #[test]
    fn filters_uniq() {
        assert_eq!(
            ins(call_filter!(
                "uniq",
                j(r#"[1,1.0,"1",1,[1],[1.0],null,null]"#)
            )),
            r#"[1, 1.0, "1", nil]"#
        );
        assert_eq!(ins(call_filter!("uniq", j(r#"[[1],[1.0]]"#))), "[1, 1.0]");
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(
            ins(call_filter!("uniq", hs, "b")),
            r#"[{"a"=>2, "b"=>"x"}, {"a"=>1}]"#
        );
        assert_eq!(
            ins(call_filter!("uniq", j(r#"[1,[2,null],"a"]"#), "b")),
            "Liquid error: cannot select the property 'b'"
        );
        assert_eq!(
            ins(call_filter!("uniq", j(r#"[{"a":1},true]"#), "a")),
            "nil"
        );
        assert_eq!(
            ins(call_filter!("uniq", j(r#"[{"a":1},{"a":1}]"#))),
            r#"[{"a"=>1}]"#
        );
        assert_eq!(ins(call_filter!("uniq", "x", "a")), r#"["x"]"#);
    }
}
