//! `slice`: Ruby's
//! ```ruby
//! offset = Utils.to_integer(offset)
//! length = length ? Utils.to_integer(length) : 1
//! input.is_a?(Array) ? (input.slice(offset, length) || []) : (input.to_s.slice(offset, length) || '')
//! ```
//! Characters (not bytes) for strings; a negative offset counts from the
//! end; a negative length, or an offset before the start or past the end,
//! gives the empty result. An offset or length outside a C `long` is a
//! `RangeError` (`Liquid error: internal`).

use super::{FilterCtx, FilterError, FilterResult, s, text};
use crate::number::to_integer;
use crate::value::Value;

/// The `[start, end)` window of `String#slice(offset, length)` on `len` items.
pub(crate) fn window(len: usize, offset: i64, length: i64) -> Option<(usize, usize)> {
    if length < 0 {
        return None;
    }
    let len = len as i128;
    let mut off = offset as i128;
    if off < 0 {
        off += len;
        if off < 0 {
            return None;
        }
    }
    if off > len {
        return None;
    }
    let end = (off + length as i128).min(len);
    Some((off as usize, end as usize))
}

fn long(v: Value) -> Result<i64, FilterError> {
    match v {
        Value::Int(i) => Ok(i),
        _ => Err(FilterError::Internal),
    }
}

pub fn slice(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let offset = to_integer(&args[0])?;
    let length = match args.get(1) {
        Some(l) if l.truthy() => to_integer(l)?,
        _ => Value::Int(1),
    };
    let (offset, length) = (long(offset)?, long(length)?);
    match input {
        Value::Array(a) => Ok(match window(a.len(), offset, length) {
            Some((from, to)) => Value::from(a[from..to].to_vec()),
            None => Value::from(Vec::new()),
        }),
        other => {
            let src = s(other);
            let n = src.chars().count();
            Ok(match window(n, offset, length) {
                Some((from, to)) => text(src.chars().skip(from).take(to - from).collect(), ctx)?,
                None => Value::from(""),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_slice() {
        assert_eq!(rendered(call_filter!("slice", "hello", -3, 2)), "ll");
        assert_eq!(rendered(call_filter!("slice", "hello", 5)), "");
        assert_eq!(rendered(call_filter!("slice", "hello", -6)), "");
        assert_eq!(rendered(call_filter!("slice", "hello", 1, -1)), "");
        assert_eq!(rendered(call_filter!("slice", "héllo", 1, 100)), "éllo");
        assert_eq!(rendered(call_filter!("slice", "hello", " 2 ")), "l");
        assert_eq!(rendered(call_filter!("slice", "hello", "0x2")), "l");
        assert_eq!(rendered(call_filter!("slice", "hello", "+1")), "e");
        assert_eq!(
            rendered(call_filter!("slice", "hello", 1.5)),
            "Liquid error: invalid integer"
        );
        assert_eq!(
            rendered(call_filter!("slice", "hello", Value::Nil)),
            "Liquid error: invalid integer"
        );
        assert_eq!(rendered(call_filter!("slice", "hello", i64::MIN)), "");
        assert_eq!(
            rendered(call_filter!("slice", "hello", 0, i64::MAX)),
            "hello"
        );
        let huge = Value::from_bigint("100000000000000000000".parse().unwrap());
        assert_eq!(
            rendered(call_filter!("slice", "hello", huge.clone())),
            "Liquid error: internal"
        );
        assert_eq!(
            rendered(call_filter!("slice", "hello", 0, huge)),
            "Liquid error: internal"
        );
        let a = j(r#"[1,[2,null],"a"]"#);
        assert_eq!(
            call_filter!("slice", a.clone(), 1, 2).unwrap().inspect(),
            r#"[[2, nil], "a"]"#
        );
        assert_eq!(call_filter!("slice", a.clone(), 3).unwrap().inspect(), "[]");
        assert_eq!(call_filter!("slice", a, 4).unwrap().inspect(), "[]");
        assert_eq!(rendered(call_filter!("slice", Value::Nil, 0)), "");
        assert_eq!(
            rendered(call_filter!("slice", j(r#"{"a":1}"#), 0, 3)),
            "{\"a"
        );
        assert_eq!(
            rendered(call_filter!("slice", Value::range(1.into(), 5.into()), 1)),
            "."
        );
    }
}
