//! The base64 family: `base64_encode` (`Base64.strict_encode64(input.to_s)`),
//! `base64_decode` (`Base64.strict_decode64`: padding required, no
//! newlines, no stray bits), `base64_url_safe_encode`
//! (`Base64.urlsafe_encode64`: `-_` alphabet, padded) and
//! `base64_url_safe_decode` (`Base64.urlsafe_decode64`: `-_` read as `+/`,
//! missing padding added when the text has no `=`, then strict). A decoding
//! failure is `Liquid::ArgumentError: invalid base64 provided to <filter>`.
//!
//! Ruby returns the decoded bytes as a binary (ASCII-8BIT) string: a
//! [`Value::Bin`] when a byte is non-ASCII (see [`crate::binary`]); the
//! encoders read a binary input's bytes.

use super::{FilterCtx, FilterError, FilterResult, checked, s, text};
use crate::binary::rstr;
use crate::value::Value;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};

pub fn base64_encode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = rstr(input);
    ctx.check_size(src.bytes.len().div_ceil(3) * 4)?;
    text(STANDARD.encode(&src.bytes), ctx)
}

pub fn base64_url_safe_encode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = rstr(input);
    ctx.check_size(src.bytes.len().div_ceil(3) * 4)?;
    text(URL_SAFE.encode(&src.bytes), ctx)
}

fn decoded(bytes: Vec<u8>, ctx: &FilterCtx) -> FilterResult {
    checked(Value::binary(bytes), ctx)
}

pub fn base64_decode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    match STANDARD.decode(s(input).as_bytes()) {
        Ok(b) => decoded(b, ctx),
        Err(_) => Err(FilterError::Liquid(
            "invalid base64 provided to base64_decode".into(),
        )),
    }
}

pub fn base64_url_safe_decode(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let mut src: String = s(input)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    if !src.ends_with('=') && !src.len().is_multiple_of(4) {
        let pad = 4 - src.len() % 4;
        src.extend(std::iter::repeat_n('=', pad));
    }
    match STANDARD.decode(src.as_bytes()) {
        Ok(b) => decoded(b, ctx),
        Err(_) => Err(FilterError::Liquid(
            "invalid base64 provided to base64_url_safe_decode".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_base64() {
        assert_eq!(rendered(call_filter!("base64_encode", "héllo")), "aMOpbGxv");
        assert_eq!(rendered(call_filter!("base64_decode", "aGk=")), "hi");
        let bad = "Liquid error: invalid base64 provided to base64_decode";
        assert_eq!(rendered(call_filter!("base64_decode", "aGk")), bad);
        assert_eq!(rendered(call_filter!("base64_decode", "aGk=\n")), bad);
        assert_eq!(rendered(call_filter!("base64_decode", "aGl=")), bad);
        assert_eq!(
            rendered(call_filter!("base64_url_safe_encode", "???")),
            "Pz8_"
        );
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "Pz8_")),
            "???"
        );
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "aGk")),
            "hi"
        );
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "aGk=")),
            "hi"
        );
        let bad = "Liquid error: invalid base64 provided to base64_url_safe_decode";
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "aGk=aGk=")),
            bad
        );
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "aG=k")),
            bad
        );
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "aGk==")),
            bad
        );
        assert_eq!(rendered(call_filter!("base64_url_safe_decode", "aGl")), bad);
        // Ruby gives the binary string "\xFF\xEF"; goakit cannot hold it.
        assert_eq!(
            rendered(call_filter!("base64_url_safe_decode", "/+8=")),
            "\u{FFFD}\u{FFFD}"
        );
    }
}
