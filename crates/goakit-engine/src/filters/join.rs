//! `join`: Ruby's `InputIterator.new(input, context).join(glue)` (glue
//! default `' '`, `glue.to_s`): the input flattened (a hash wrapped, a
//! scalar alone, nil nothing), each item `to_s` (hashes as `inspect`, nil as
//! `""`). A range is walked lazily and the result is checked against the
//! size budget as it grows.

use super::input::InputIter;
use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

pub fn join(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let binary = match input {
        Value::Bin(_) => true,
        Value::Array(a) => crate::binary::has_binary(a, 0),
        _ => false,
    } || matches!(args.first(), Some(Value::Bin(_)));
    if binary {
        // `Array#join` with Ruby's encoding check on each piece.
        let items: Vec<Value> = InputIter::new(input).collect();
        let glue = args.first().cloned().unwrap_or_else(|| Value::from(" "));
        return super::checked(crate::binary::join(&items, &glue, 0)?, ctx);
    }
    let glue = match args.first() {
        Some(g) => s(g),
        None => " ".into(),
    };
    let mut out = String::new();
    for (i, v) in InputIter::new(input).enumerate() {
        if i > 0 {
            out.push_str(&glue);
        }
        v.write_to_s(&mut out);
        if i % 1024 == 1023 {
            ctx.check_size(out.len())?;
            ctx.check_time()?;
        }
    }
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{FilterCtx, FilterError, call_filter, call_with, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_join() {
        let arr = j(r#"[1,[2,null],"a"]"#);
        assert_eq!(rendered(call_filter!("join", arr.clone())), "1 2  a");
        assert_eq!(rendered(call_filter!("join", arr, Value::Nil)), "12a");
        assert_eq!(
            rendered(call_filter!("join", j(r#"{"a":1}"#))),
            r#"{"a"=>1}"#
        );
        assert_eq!(rendered(call_filter!("join", "abc")), "abc");
        assert_eq!(rendered(call_filter!("join", Value::Nil, 1)), "");
        assert_eq!(rendered(call_filter!("join", 5)), "5");
        assert_eq!(
            rendered(call_filter!("join", Value::range(1.into(), 3.into()), "-")),
            "1-2-3"
        );
        assert_eq!(
            rendered(call_filter!(
                "join",
                j(r#"[{"a":2,"b":"x"},{"b":null}]"#),
                ","
            )),
            r#"{"a"=>2, "b"=>"x"},{"b"=>nil}"#
        );
    }

    #[test]
    fn filters_join_huge_range_hits_the_budget() {
        let ctx = FilterCtx {
            max_bytes: 1 << 20,
            deadline: None,
        };
        let r = call_with(
            &ctx,
            "join",
            Value::range(1.into(), 3_000_000_000i64.into()),
            vec![],
        );
        assert!(matches!(r, Err(FilterError::Budget(_))));
    }
}
