//! `strip_html`: Ruby's
//! `input.to_s.gsub(Regexp.union(%r{<script.*?</script>}m, /<!--.*?-->/m, %r{<style.*?</style>}m), '')`
//! then `.gsub(/<.*?>/m, '')`: script, comment and style blocks go with
//! their content, then every `<...>` tag (case-sensitive, shortest match).

use super::{FilterCtx, FilterResult, s, text};
use crate::value::Value;

/// Removes every `open .*? close` (tried in order at each position).
fn strip_blocks(src: &str, blocks: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    'outer: while i < src.len() {
        let rest = &src[i..];
        if rest.starts_with('<') {
            for (open, close) in blocks {
                if let Some(after) = rest.strip_prefix(open)
                    && let Some(end) = after.find(close)
                {
                    i += open.len() + end + close.len();
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

pub fn strip_html(input: &Value, _args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let src = s(input);
    let first = strip_blocks(
        &src,
        &[
            ("<script", "</script>"),
            ("<!--", "-->"),
            ("<style", "</style>"),
        ],
    );
    text(strip_blocks(&first, &[("<", ">")]), ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_strip_html() {
        assert_eq!(
            rendered(call_filter!(
                "strip_html",
                "a<script>x</script>b<!-- c -->d<style>e</style><p class=x>f</p><br/>"
            )),
            "abdf"
        );
        assert_eq!(
            rendered(call_filter!("strip_html", "a <b c\n> < d")),
            "a  < d"
        );
        assert_eq!(
            rendered(call_filter!("strip_html", "<script>x<script>y</script>z")),
            "z"
        );
        assert_eq!(rendered(call_filter!("strip_html", "<!-->x-->y")), "y");
        assert_eq!(
            rendered(call_filter!("strip_html", "<SCRIPT>x</SCRIPT>")),
            "x"
        );
        assert_eq!(rendered(call_filter!("strip_html", "<scriptx>é")), "é");
    }
}
