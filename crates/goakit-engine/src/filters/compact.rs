//! `compact`: Ruby's
//! ```ruby
//! ary = InputIterator.new(input, context)
//! if property.nil? then ary.compact
//! elsif ary.empty? then []
//! else ary.reject { |item| item[property].nil? }   # TypeError → cannot select the property; NoMethodError → nil
//! end
//! ```

use super::input::{InputIter, access};
use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn compact(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let items = InputIter::collect(input, ctx)?;
    let property = match args.first() {
        None | Some(Value::Nil) => {
            return Ok(Value::from(
                items
                    .into_iter()
                    .filter(|v| !v.is_nil())
                    .collect::<Vec<_>>(),
            ));
        }
        Some(p) => p,
    };
    let mut out = Vec::new();
    for item in items {
        match access(&item, property).or_raise(property)? {
            Some(v) if !v.is_nil() => out.push(item),
            Some(_) => {}
            None => return Ok(Value::Nil),
        }
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, ins, j};

    #[test]
    fn filters_compact() {
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(
            ins(call_filter!("compact", hs.clone(), "b")),
            r#"[{"a"=>2, "b"=>"x"}]"#
        );
        assert_eq!(
            ins(call_filter!("compact", hs)),
            r#"[{"a"=>2, "b"=>"x"}, {"a"=>1}, {"b"=>nil}]"#
        );
        assert_eq!(
            ins(call_filter!("compact", j(r#"[1,[2,null],"a"]"#))),
            r#"[1, 2, "a"]"#
        );
        assert_eq!(
            ins(call_filter!("compact", j(r#"[1,[2,null],"a"]"#), "b")),
            "Liquid error: cannot select the property 'b'"
        );
        assert_eq!(
            ins(call_filter!("compact", j(r#"[{"a":1},null]"#), "a")),
            "nil"
        );
    }
}
