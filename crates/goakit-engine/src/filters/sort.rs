//! `sort`: Ruby's
//! ```ruby
//! ary = InputIterator.new(input, context)
//! return [] if ary.empty?
//! if property.nil?
//!   ary.sort { |a, b| nil_safe_compare(a, b) }
//! elsif ary.all? { |el| el.respond_to?(:[]) }
//!   ary.sort { |a, b| nil_safe_compare(a[property], b[property]) }   # TypeError: cannot select the property
//! end                                                                  # else nil
//! ```
//! `nil_safe_compare` is `a <=> b`, else nil sorts last, else
//! `cannot sort values of incompatible types`. Ruby's `Array#sort` is
//! glibc's `qsort_r`, a top-down merge sort; [`merge_sort`] is that
//! algorithm, so ties keep their order and the same pairs are compared (and
//! the same incompatible pair raises) as in Ruby.

use super::input::{Access, InputIter, access, property_error, responds_to_index};
use super::{FilterCtx, FilterError, FilterResult};
use crate::value::Value;
use std::cmp::Ordering;

/// glibc's `msort_with_tmp`: halves (`n / 2` first), then a merge that
/// takes the left item while `cmp(left, right) <= 0`.
pub(crate) fn merge_sort<F>(items: Vec<Value>, cmp: &mut F) -> Result<Vec<Value>, FilterError>
where
    F: FnMut(&Value, &Value) -> Result<Ordering, FilterError>,
{
    let n = items.len();
    if n <= 1 {
        return Ok(items);
    }
    let mut items = items;
    let right = items.split_off(n / 2);
    let left = merge_sort(items, cmp)?;
    let right = merge_sort(right, cmp)?;
    let mut out = Vec::with_capacity(n);
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        if cmp(a, b)? != Ordering::Greater {
            out.extend(l.next());
        } else {
            out.extend(r.next());
        }
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// `nil_safe_compare`.
fn nil_safe_compare(a: &Value, b: &Value) -> Result<Ordering, FilterError> {
    match a.ruby_cmp(b) {
        Some(o) => Ok(o),
        None if a.is_nil() => Ok(Ordering::Greater),
        None if b.is_nil() => Ok(Ordering::Less),
        None => Err(FilterError::Liquid(
            "cannot sort values of incompatible types".into(),
        )),
    }
}

/// `item[property]` inside a sort block (every item answers `[]`).
pub(crate) fn sort_key(item: &Value, property: &Value) -> Result<Value, FilterError> {
    match access(item, property) {
        Access::Value(v) => Ok(v),
        Access::TypeError => Err(property_error(property)),
        Access::NoMethod | Access::Internal => Err(FilterError::Internal),
    }
}

/// The shared shape of `sort` and `sort_natural`.
pub(crate) fn sort_with(
    input: &Value,
    args: &[Value],
    ctx: &FilterCtx,
    compare: fn(&Value, &Value) -> Result<Ordering, FilterError>,
) -> FilterResult {
    let items = InputIter::collect(input, ctx)?;
    if items.is_empty() {
        return Ok(Value::from(Vec::new()));
    }
    let mut calls = 0u32;
    let mut tick = || {
        calls = calls.wrapping_add(1);
        if calls.is_multiple_of(4096) {
            ctx.check_time()
        } else {
            Ok(())
        }
    };
    let sorted = match args.first() {
        None | Some(Value::Nil) => merge_sort(items, &mut |a, b| {
            tick()?;
            compare(a, b)
        })?,
        Some(property) => {
            if !items.iter().all(responds_to_index) {
                return Ok(Value::Nil);
            }
            merge_sort(items, &mut |a, b| {
                tick()?;
                compare(&sort_key(a, property)?, &sort_key(b, property)?)
            })?
        }
    };
    Ok(Value::from(sorted))
}

pub fn sort(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    sort_with(input, args, ctx, nil_safe_compare)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, ins, j};
    use crate::value::Value;

    #[test]
    fn filters_sort() {
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(
            ins(call_filter!("sort", j(r#"[1,[2,null],"a"]"#))),
            "Liquid error: cannot sort values of incompatible types"
        );
        assert_eq!(
            ins(call_filter!("sort", j(r#"[3,null,1.5,2]"#))),
            "[1.5, 2, 3, nil]"
        );
        assert_eq!(
            ins(call_filter!("sort", j(r#"["b","a","C"]"#))),
            r#"["C", "a", "b"]"#
        );
        assert_eq!(
            ins(call_filter!("sort", hs.clone(), "a")),
            r#"[{"a"=>1}, {"a"=>2, "b"=>"x"}, {"b"=>nil}]"#
        );
        assert_eq!(
            ins(call_filter!("sort", hs, "b")),
            r#"[{"a"=>2, "b"=>"x"}, {"a"=>1}, {"b"=>nil}]"#
        );
        assert_eq!(ins(call_filter!("sort", "x")), r#"["x"]"#);
        assert_eq!(ins(call_filter!("sort", Value::Nil)), "[]");
        assert_eq!(ins(call_filter!("sort", j(r#"[1,null]"#), "a")), "nil");
        assert_eq!(
            ins(call_filter!("sort", j(r#"[1,2]"#), "a")),
            "Liquid error: cannot select the property 'a'"
        );
        assert_eq!(ins(call_filter!("sort", j(r#"[1]"#), "a")), "[1]");
        // Stable, as glibc's merge sort.
        assert_eq!(
            ins(call_filter!(
                "sort",
                j(r#"[{"k":1,"i":0},{"k":0,"i":1},{"k":1,"i":2},{"k":0,"i":3}]"#),
                "k"
            )),
            r#"[{"k"=>0, "i"=>1}, {"k"=>0, "i"=>3}, {"k"=>1, "i"=>0}, {"k"=>1, "i"=>2}]"#
        );
        assert_eq!(
            ins(call_filter!("sort", Value::range(3.into(), 1.into()))),
            "[]"
        );
        assert_eq!(
            ins(call_filter!("sort", j(r#"[[2,1],[1,5],[2,0]]"#))),
            "[0, 1, 1, 2, 2, 5]"
        );
    }
}
