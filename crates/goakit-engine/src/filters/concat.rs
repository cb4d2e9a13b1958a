//! `concat`: Ruby's
//! ```ruby
//! raise ArgumentError, "concat filter requires an array argument" unless array.respond_to?(:to_ary)
//! InputIterator.new(input, context).concat(array)   # the input flattened, the argument as it is
//! ```

use super::input::InputIter;
use super::{FilterCtx, FilterError, FilterResult};
use crate::value::Value;

pub fn concat(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let Value::Array(extra) = &args[0] else {
        return Err(FilterError::Liquid(
            "concat filter requires an array argument".into(),
        ));
    };
    let mut items = InputIter::collect(input, ctx)?;
    ctx.check_size((items.len() + extra.len()).saturating_mul(16))?;
    items.extend(extra.iter().cloned());
    Ok(Value::from(items))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};

    #[test]
    fn filters_concat() {
        let arr = j(r#"[1,[2,null],"a"]"#);
        assert_eq!(
            call_filter!("concat", arr.clone(), arr.clone())
                .unwrap()
                .inspect(),
            r#"[1, 2, nil, "a", 1, [2, nil], "a"]"#
        );
        assert_eq!(
            rendered(call_filter!("concat", arr.clone(), 1)),
            "Liquid error: concat filter requires an array argument"
        );
        assert_eq!(
            rendered(call_filter!("concat", arr.clone(), j(r#"{"a":1}"#))),
            "Liquid error: concat filter requires an array argument"
        );
        assert_eq!(
            call_filter!("concat", "x", arr).unwrap().inspect(),
            r#"["x", 1, [2, nil], "a"]"#
        );
    }
}
