//! `escape_once`: Ruby's
//! `input.to_s.gsub(/["><']|&(?!([a-zA-Z]+|(#\d+));)/, HTML_ESCAPE)`:
//! like `escape`, but an `&` that starts a named (`&amp;`) or decimal
//! (`&#39;`) entity is kept; hex entities (`&#x27;`) are escaped.

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

/// Whether `rest` (after an `&`) is `[a-zA-Z]+;` or `#\d+;`.
fn starts_entity(rest: &[u8]) -> bool {
    let (body, skip) = match rest.first() {
        Some(b'#') => (&rest[1..], 1),
        _ => (rest, 0),
    };
    let n = if skip == 1 {
        body.iter().take_while(|b| b.is_ascii_digit()).count()
    } else {
        body.iter().take_while(|b| b.is_ascii_alphabetic()).count()
    };
    n > 0 && body.get(n) == Some(&b';')
}

pub fn escape_once(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = s(input);
    ctx.check_size(src.len())?;
    let bytes = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    for (i, c) in src.char_indices() {
        match c {
            '&' if starts_entity(&bytes[i + 1..]) => out.push('&'),
            c => match super::escape::entity(c) {
                Some(e) => out.push_str(e),
                None => out.push(c),
            },
        }
    }
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_escape_once() {
        assert_eq!(
            rendered(call_filter!(
                "escape_once",
                "&amp; &lt; &#39; &#x27; &foo &1; <"
            )),
            "&amp; &lt; &#39; &amp;#x27; &amp;foo &amp;1; &lt;"
        );
        assert_eq!(rendered(call_filter!("escape_once", Value::Nil)), "");
        assert_eq!(
            rendered(call_filter!("escape_once", "\"'>")),
            "&quot;&#39;&gt;"
        );
    }
}
