//! `escape` (alias `h`): Ruby's `CGI.escapeHTML(input.to_s) unless
//! input.nil?`: `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`; nil stays
//! nil.

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

/// `CGI.escapeHTML`'s entity for `c`, if it has one.
pub fn entity(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
}

/// `CGI.escapeHTML`.
pub fn escape_html(src: &str, out: &mut String) {
    for c in src.chars() {
        match entity(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
}

pub fn escape(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if input.is_nil() {
        return Ok(Value::Nil);
    }
    let src = s(input);
    ctx.check_size(src.len())?;
    let mut out = String::with_capacity(src.len());
    escape_html(&src, &mut out);
    text(out, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};
    use crate::value::Value;

    #[test]
    fn filters_escape() {
        assert_eq!(
            rendered(call_filter!("escape", "<a href=\"x\">&amp;'</a>")),
            "&lt;a href=&quot;x&quot;&gt;&amp;amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(rendered(call_filter!("h", "a<b")), "a&lt;b");
        assert!(call_filter!("escape", Value::Nil).unwrap().is_nil());
        assert_eq!(rendered(call_filter!("escape", 5)), "5");
    }
}
