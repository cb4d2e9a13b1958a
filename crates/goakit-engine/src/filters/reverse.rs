//! `reverse`: Ruby's `InputIterator.new(input, context).reverse` — the
//! input flattened (a string or scalar is a one-item array, nil `[]`) and
//! reversed; a string's characters are not reversed.

use super::input::InputIter;
use super::{FilterCtx, FilterResult};
use crate::value::Value;

pub fn reverse(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let mut items = InputIter::collect(input, ctx)?;
    items.reverse();
    Ok(Value::from(items))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j};
    use crate::value::Value;

    #[test]
    fn filters_reverse() {
        let r = |v: Value| call_filter!("reverse", v).unwrap().inspect();
        assert_eq!(r(j(r#"[1,[2,null],"a"]"#)), r#"["a", nil, 2, 1]"#);
        assert_eq!(r("abc".into()), r#"["abc"]"#);
        assert_eq!(r(Value::Nil), "[]");
        assert_eq!(r(Value::range(1.into(), 3.into())), "[3, 2, 1]");
        assert_eq!(r(j(r#"{"a":1}"#)), r#"[{"a"=>1}]"#);
    }
}
