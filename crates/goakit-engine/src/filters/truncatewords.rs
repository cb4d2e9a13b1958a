//! `truncatewords`: Ruby's
//! ```ruby
//! return if input.nil?
//! words = Utils.to_integer(words); words = 1 if words <= 0   # default 15
//! wordlist = input.split(" ", words + 1)   # RangeError past C int:
//!   # "integer #{words} too big for truncatewords"
//! return input if wordlist.length <= words
//! wordlist.pop
//! wordlist.join(" ").concat(truncate_string.to_s)   # default "..."
//! ```
//! `split(" ")` is awk-style: runs of ASCII whitespace separate words,
//! leading whitespace is skipped, the last piece keeps the rest.

use super::{FilterCtx, FilterError, FilterResult, s, text};
use crate::number::to_integer;
use crate::value::Value;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The words `src.split(" ", limit)` pushes before its last piece (Ruby's
/// awk split: a word is pushed when whitespace ends it; at most
/// `limit - 1` of them; the rest of the string is the last piece).
fn pushed_words(src: &str, limit: usize) -> Vec<&str> {
    let b = src.as_bytes();
    let mut list = Vec::new();
    let (mut i, mut skip, mut beg, mut end) = (1usize, true, 0usize, 0usize);
    for (p, &c) in b.iter().enumerate() {
        if skip {
            if is_space(c) {
                beg = p + 1;
            } else {
                end = p + 1;
                skip = false;
                if limit <= i {
                    break;
                }
            }
        } else if is_space(c) {
            list.push(&src[beg..end]);
            skip = true;
            beg = p + 1;
            i += 1;
        } else {
            end = p + 1;
        }
    }
    list
}

pub fn truncatewords(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    let src = s(input);
    let words = match args.first() {
        Some(w) => to_integer(w)?.to_bigint().unwrap_or_default(),
        None => BigInt::from(15),
    };
    let words = if words <= BigInt::from(0) {
        BigInt::from(1)
    } else {
        words
    };
    let limit: BigInt = &words + 1;
    let words = match limit.to_i32() {
        Some(_) => words.to_usize().unwrap_or(1),
        None => {
            return Err(FilterError::Liquid(format!(
                "integer {words} too big for truncatewords"
            )));
        }
    };
    let list = pushed_words(&src, words + 1);
    // `wordlist` is `list` plus the last piece (always there for a
    // non-empty string).
    if src.is_empty() || list.len() < words {
        return Ok(Value::from(src));
    }
    let ts = args.get(1).map(s).unwrap_or_else(|| "...".into());
    let mut out = list.join(" ");
    out.push_str(&ts);
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_truncatewords() {
        assert_eq!(
            rendered(call_filter!("truncatewords", "a  b\tc\nd e", 2)),
            "a b..."
        );
        assert_eq!(rendered(call_filter!("truncatewords", "  a b", 1)), "a...");
        assert_eq!(rendered(call_filter!("truncatewords", "a b", 0)), "a...");
        assert_eq!(rendered(call_filter!("truncatewords", "a b", 2)), "a b");
        assert_eq!(
            rendered(call_filter!("truncatewords", " a  b ", 2)),
            "a b..."
        );
        assert_eq!(rendered(call_filter!("truncatewords", "a b ", 2)), "a b...");
        assert_eq!(rendered(call_filter!("truncatewords", " ", 1)), " ");
        assert_eq!(rendered(call_filter!("truncatewords", "a ", 1)), "a...");
        assert_eq!(
            rendered(call_filter!("truncatewords", "a b c", 2, Value::Nil)),
            "a b"
        );
        assert_eq!(rendered(call_filter!("truncatewords", "a b ", 1)), "a...");
        assert_eq!(
            rendered(call_filter!("truncatewords", "a\u{a0}b c", 1)),
            "a\u{a0}b..."
        );
        assert_eq!(
            rendered(call_filter!("truncatewords", "a b", 2147483646)),
            "a b"
        );
        assert_eq!(
            rendered(call_filter!("truncatewords", "a b", 2147483647)),
            "Liquid error: integer 2147483647 too big for truncatewords"
        );
        let huge = Value::from_bigint("100000000000000000000".parse().unwrap());
        assert_eq!(
            rendered(call_filter!("truncatewords", "a b", huge)),
            "Liquid error: integer 100000000000000000000 too big for truncatewords"
        );
        let neg = Value::from_bigint("-100000000000000000000".parse().unwrap());
        assert_eq!(rendered(call_filter!("truncatewords", "a b", neg)), "a...");
        let long = "w ".repeat(20);
        assert_eq!(
            rendered(call_filter!("truncatewords", long)),
            format!("{}...", vec!["w"; 15].join(" "))
        );
    }
}
