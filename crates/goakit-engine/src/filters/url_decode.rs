//! `url_decode`: Ruby's `CGI.unescape(input.to_s)` (`+` is a space, `%XX`
//! a byte, a `%` not followed by two hex digits stays), nil for nil, and
//! `Liquid::ArgumentError: invalid byte sequence in UTF-8` when the bytes
//! are not UTF-8.

use super::{FilterCtx, FilterError, FilterResult, text};
use crate::value::Value;

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

pub fn url_decode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    // `CGI.unescape` reads bytes (a binary string's included).
    let src = crate::binary::rstr(input);
    let b = &*src.bytes;
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    if src.binary {
        // The C `CGI.unescape` keeps a binary input's encoding: no check.
        return super::checked(Value::binary(out), ctx);
    }
    match String::from_utf8(out) {
        Ok(s) => text(s, ctx),
        Err(_) => Err(FilterError::Liquid("invalid byte sequence in UTF-8".into())),
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_url_decode() {
        assert_eq!(
            rendered(call_filter!("url_decode", "a+b%20c%zz%C3%A9%")),
            "a b c%zzé%"
        );
        assert_eq!(rendered(call_filter!("url_decode", "%41%4")), "A%4");
        assert_eq!(
            rendered(call_filter!("url_decode", "%ff")),
            "Liquid error: invalid byte sequence in UTF-8"
        );
        assert!(call_filter!("url_decode", Value::Nil).unwrap().is_nil());
    }
}
