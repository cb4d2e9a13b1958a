//! `split`: Ruby's `input.to_s.split(pattern.to_s)`: `" "` splits awk-style
//! on runs of ASCII whitespace (leading whitespace ignored), `""` splits into
//! characters, any other text splits on itself; trailing empty strings are
//! dropped (so `",,,"` gives `[]`), leading ones kept.

use super::{FilterCtx, FilterResult, s};
use crate::value::Value;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

pub(crate) fn ruby_split(src: &str, pattern: &str) -> Vec<String> {
    let mut parts: Vec<String> = if pattern == " " {
        src.split(is_space)
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    } else if pattern.is_empty() {
        src.chars().map(String::from).collect()
    } else {
        src.split(pattern).map(String::from).collect()
    };
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

pub fn split(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = s(input);
    // Each piece costs at least one Value besides its text.
    ctx.check_size(src.len().saturating_mul(2))?;
    let parts = ruby_split(&src, &s(&args[0]));
    ctx.check_size(parts.len().saturating_mul(16))?;
    Ok(Value::from(
        parts.into_iter().map(Value::from).collect::<Vec<_>>(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    fn parts(input: &str, pat: Value) -> String {
        call_filter!("split", input, pat).unwrap().inspect()
    }

    #[test]
    fn filters_split() {
        assert_eq!(parts("a,b,,c,,", ",".into()), r#"["a", "b", "", "c"]"#);
        assert_eq!(parts(",a", ",".into()), r#"["", "a"]"#);
        assert_eq!(parts("  a  b ", " ".into()), r#"["a", "b"]"#);
        assert_eq!(parts("abc", "".into()), r#"["a", "b", "c"]"#);
        assert_eq!(parts("", ",".into()), "[]");
        assert_eq!(parts("a b", Value::Nil), r#"["a", " ", "b"]"#);
        assert_eq!(parts(",,,", ",".into()), "[]");
        assert_eq!(parts("aaa", "aa".into()), r#"["", "a"]"#);
        assert_eq!(rendered(call_filter!("split", 123, 2)), "13");
    }
}
