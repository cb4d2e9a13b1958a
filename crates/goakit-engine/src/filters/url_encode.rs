//! `url_encode`: Ruby's `CGI.escape(input.to_s) unless input.nil?`: every
//! byte but `a-zA-Z0-9_.-~` is `%XX` (upper-case hex), a space is `+`.

use super::{FilterCtx, FilterResult, text};
use crate::value::Value;
use std::fmt::Write as _;

pub fn url_encode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    // `CGI.escape` reads bytes (a binary string's included).
    let src = crate::binary::rstr(input);
    ctx.check_size(src.bytes.len().saturating_mul(3))?;
    let mut out = String::with_capacity(src.bytes.len());
    for &b in src.bytes.iter() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_url_encode() {
        assert_eq!(
            rendered(call_filter!("url_encode", "a b&c/é~*.-_+")),
            "a+b%26c%2F%C3%A9~%2A.-_%2B"
        );
        assert!(call_filter!("url_encode", Value::Nil).unwrap().is_nil());
        assert_eq!(rendered(call_filter!("url_encode", 1.5)), "1.5");
    }
}
