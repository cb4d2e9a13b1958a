//! `compact`: Ruby's
//! ```ruby
//! ary = InputIterator.new(input, context)
//! if property.nil? then ary.compact
//! elsif ary.empty? then []
//! else ary.reject { |item| item[property].nil? }   # TypeError → cannot select the property; NoMethodError → nil
//! end
//! ```

use super::input::{Access, InputIter, access, property_error};
use super::{FilterCtx, FilterError, FilterResult};
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
        match access(&item, property) {
            Access::Value(v) => {
                if !v.is_nil() {
                    out.push(item);
                }
            }
            Access::TypeError => return Err(property_error(property)),
            Access::NoMethod => return Ok(Value::Nil),
            Access::Internal => return Err(FilterError::Internal),
        }
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};

    fn ins(r: crate::filters::FilterResult) -> String {
        match r {
            Ok(v) => v.inspect(),
            e => rendered(e),
        }
    }

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
