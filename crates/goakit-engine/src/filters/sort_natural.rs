//! `sort_natural`: `sort`'s shape with `nil_safe_casecmp`:
//! ```ruby
//! if !a.nil? && !b.nil? then a.to_s.casecmp(b.to_s) else a.nil? ? 1 : -1 end
//! ```
//! `casecmp` folds ASCII letters only and compares bytes; for two strings
//! whose encodings do not go together (non-ASCII binary and non-ASCII
//! UTF-8, `rb_enc_compatible`) it returns nil, and `sort` raises
//! `comparison of String with String failed`.

use super::sort::sort_with;
use super::{FilterCtx, FilterError, FilterResult};
use crate::binary::rstr;
use crate::value::Value;
use std::cmp::Ordering;

fn nil_safe_casecmp(a: &Value, b: &Value) -> Result<Ordering, FilterError> {
    if !a.is_nil() && !b.is_nil() {
        let (x, y) = (rstr(a), rstr(b));
        if x.check(&y).is_err() {
            return Err(FilterError::Liquid(
                "comparison of String with String failed".into(),
            ));
        }
        let fold = |s: &[u8]| {
            s.iter()
                .map(|c| c.to_ascii_lowercase())
                .collect::<Vec<u8>>()
        };
        Ok(fold(&x.bytes).cmp(&fold(&y.bytes)))
    } else if a.is_nil() {
        Ok(Ordering::Greater)
    } else {
        Ok(Ordering::Less)
    }
}

pub fn sort_natural(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    sort_with(input, args, ctx, nil_safe_casecmp)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j};
    use crate::value::Value;

    #[test]
    fn filters_sort_natural() {
        let s = |v: Value| call_filter!("sort_natural", v).unwrap().inspect();
        assert_eq!(s(j(r#"["b","a","C"]"#)), r#"["a", "b", "C"]"#);
        assert_eq!(s(j(r#"[1,[2,null],"a"]"#)), r#"[1, 2, "a", nil]"#);
        assert_eq!(s(j(r#"[10,9,"É","e"]"#)), r#"[10, 9, "e", "É"]"#);
        let hs = j(r#"[{"a":2,"b":"x"},{"a":1},{"b":null}]"#);
        assert_eq!(
            call_filter!("sort_natural", hs, "b").unwrap().inspect(),
            r#"[{"a"=>2, "b"=>"x"}, {"b"=>nil}, {"a"=>1}]"#
        );
    }
}
