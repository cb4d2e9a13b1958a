//! `capitalize`: Ruby's `input.to_s.capitalize`: the first character in
//! titlecase (`ǆ → ǅ`, `ß → Ss`, `ﬃ → Ffi`), the rest downcased.

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

/// Unicode titlecase of one character (the digraphs have their own).
fn titlecase(c: char, out: &mut String) {
    let special = match c {
        'Ǆ' | 'ǅ' | 'ǆ' => Some('ǅ'),
        'Ǉ' | 'ǈ' | 'ǉ' => Some('ǈ'),
        'Ǌ' | 'ǋ' | 'ǌ' => Some('ǋ'),
        'Ǳ' | 'ǲ' | 'ǳ' => Some('ǲ'),
        _ => None,
    };
    if let Some(t) = special {
        out.push(t);
        return;
    }
    let mut up = c.to_uppercase();
    if let Some(first) = up.next() {
        out.push(first);
    }
    for rest in up {
        out.extend(rest.to_lowercase());
    }
}

pub fn capitalize(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    // A binary string's case mapping is ASCII's, byte by byte.
    if let Value::Bin(b) = input {
        let mut out = b.to_ascii_lowercase();
        if let Some(first) = out.first_mut() {
            first.make_ascii_uppercase();
        }
        return Ok(Value::binary(out));
    }
    let src = s(input);
    let mut chars = src.chars();
    let mut out = String::with_capacity(src.len());
    if let Some(c) = chars.next() {
        titlecase(c, &mut out);
        out.push_str(&super::downcase::ruby_downcase(chars.as_str()));
    }
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_capitalize() {
        assert_eq!(rendered(call_filter!("capitalize", "éCOLE ok")), "École ok");
        assert_eq!(rendered(call_filter!("capitalize", "aBC")), "Abc");
        assert_eq!(rendered(call_filter!("capitalize", "ǆa")), "ǅa");
        assert_eq!(rendered(call_filter!("capitalize", "ǈA")), "ǈa");
        assert_eq!(rendered(call_filter!("capitalize", "ßa")), "Ssa");
        assert_eq!(rendered(call_filter!("capitalize", "ﬃx")), "Ffix");
        assert_eq!(rendered(call_filter!("capitalize", "ΣΑΣ ΣΑΣ")), "Σασ σασ");
        assert_eq!(rendered(call_filter!("capitalize", "")), "");
    }
}
