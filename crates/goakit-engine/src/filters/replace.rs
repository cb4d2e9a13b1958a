//! The replace family:
//! - `replace`: `input.to_s.gsub(string.to_s, replacement.to_s)` (default `''`),
//! - `replace_first`: `input.to_s.sub(string.to_s, replacement.to_s)`,
//! - `replace_last`: `input.rindex(string)` and
//!   `output[start_index, string.length] = replacement` (taken literally).
//!
//! `gsub`/`sub` with a string pattern still read backslash sequences in the
//! replacement: `\0` and `\&` are the match, `` \` `` the text before it,
//! `\'` the text after it, `\\` one backslash, `\1`..`\9` and `\+` (groups
//! the literal pattern has not) nothing, `\k<name>` an `IndexError`
//! (`Liquid error: internal`); any other `\c` stays as it is. An empty
//! pattern matches before every character and at the end.

use super::{FilterCtx, FilterError, FilterResult, s, text};
use crate::value::Value;

/// Appends Ruby's expansion of `repl` for the match `src[at..at + len]`.
fn expand(
    repl: &str,
    src: &str,
    at: usize,
    len: usize,
    out: &mut String,
) -> Result<(), FilterError> {
    if !repl.contains('\\') {
        out.push_str(repl);
        return Ok(());
    }
    let mut chars = repl.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&(_, n)) = chars.peek() else {
            out.push('\\');
            break;
        };
        match n {
            '0' | '&' => out.push_str(&src[at..at + len]),
            '`' => out.push_str(&src[..at]),
            '\'' => out.push_str(&src[at + len..]),
            '\\' => out.push('\\'),
            '1'..='9' | '+' => {}
            'k' if repl[i + 2..].starts_with('<') => {
                // No named groups: IndexError, or RuntimeError without `>`.
                return Err(FilterError::Internal);
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
        chars.next();
    }
    Ok(())
}

/// `src.gsub(pat, repl)` (`all`) or `src.sub(pat, repl)`.
fn substitute(src: &str, pat: &str, repl: &str, all: bool, ctx: &FilterCtx) -> FilterResult {
    let mut out = String::with_capacity(src.len());
    let mut last = 0;
    let mut count = 0usize;
    let mut positions: Box<dyn Iterator<Item = usize>> = if pat.is_empty() {
        Box::new(
            src.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(src.len())),
        )
    } else {
        Box::new(src.match_indices(pat).map(|(i, _)| i))
    };
    for at in positions.by_ref() {
        out.push_str(&src[last..at]);
        expand(repl, src, at, pat.len(), &mut out)?;
        last = at + pat.len();
        count += 1;
        if count.is_multiple_of(1024) {
            ctx.check_size(out.len())?;
            ctx.check_time()?;
        }
        if !all {
            break;
        }
    }
    out.push_str(&src[last..]);
    text(out, ctx)
}

pub fn replace(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let repl = args.get(1).map(s).unwrap_or_default();
    substitute(&s(input), &s(&args[0]), &repl, true, ctx)
}

pub fn replace_first(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let repl = args.get(1).map(s).unwrap_or_default();
    substitute(&s(input), &s(&args[0]), &repl, false, ctx)
}

/// `replace_last`'s code, shared with `remove_last`.
pub(crate) fn replace_last_str(src: &str, pat: &str, repl: &str, ctx: &FilterCtx) -> FilterResult {
    match src.rfind(pat) {
        None => Ok(Value::from(src)),
        Some(at) => {
            let mut out = String::with_capacity(src.len() + repl.len());
            out.push_str(&src[..at]);
            out.push_str(repl);
            out.push_str(&src[at + pat.len()..]);
            text(out, ctx)
        }
    }
}

pub fn replace_last(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    replace_last_str(&s(input), &s(&args[0]), &s(&args[1]), ctx)
}

/// `gsub`/`sub` for the remove filters (the replacement is `''`).
pub(crate) fn remove_str(src: &str, pat: &str, all: bool, ctx: &FilterCtx) -> FilterResult {
    substitute(src, pat, "", all, ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{FilterCtx, FilterError, call_filter, call_with, rendered};
    use crate::value::Value;

    #[test]
    fn filters_replace() {
        assert_eq!(rendered(call_filter!("replace", "abc", "", "-")), "-a-b-c-");
        assert_eq!(
            rendered(call_filter!("replace", "héllo", "", "-")),
            "-h-é-l-l-o-"
        );
        assert_eq!(
            rendered(call_filter!("replace", "aaa", "a", "\\\\0")),
            "\\0\\0\\0"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abcb", "b", "[\\0]")),
            "a[b]c[b]"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abcb", "b", "\\`")),
            "aacabc"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abcb", "b", "\\'")),
            "acbc"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "b", "\\1|\\9")),
            "a|c"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "b", "\\x")),
            "a\\xc"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "b", "x\\")),
            "ax\\c"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "b", "\\&\\k")),
            "ab\\kc"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "b", "\\k<a>")),
            "Liquid error: internal"
        );
        assert_eq!(
            rendered(call_filter!("replace", "abc", "", "\\0|")),
            "|a|b|c|"
        );
        assert_eq!(rendered(call_filter!("replace", "abc", "b")), "ac");
        assert_eq!(
            rendered(call_filter!("replace", 1.5, ".", Value::Nil)),
            "15"
        );
    }

    #[test]
    fn filters_replace_first_and_last() {
        assert_eq!(
            rendered(call_filter!("replace_first", "aXbX", "X", "y")),
            "aybX"
        );
        assert_eq!(
            rendered(call_filter!("replace_first", "abcb", "b", "\\`")),
            "aacb"
        );
        assert_eq!(
            rendered(call_filter!("replace_first", "abc", "", "-")),
            "-abc"
        );
        assert_eq!(
            rendered(call_filter!("replace_last", "aXbX", "X", "y")),
            "aXby"
        );
        assert_eq!(
            rendered(call_filter!("replace_last", "abc", "", "-")),
            "abc-"
        );
        assert_eq!(
            rendered(call_filter!("replace_last", "abcb", "b", "\\0")),
            "abc\\0"
        );
        assert_eq!(
            rendered(call_filter!("replace_last", "abc", "z", "y")),
            "abc"
        );
        assert_eq!(
            rendered(call_filter!("replace_last", "abc", "b")),
            "Liquid error: wrong number of arguments (given 2, expected 3)"
        );
    }

    #[test]
    fn filters_replace_is_bounded() {
        let ctx = FilterCtx {
            max_bytes: 10_000,
            deadline: None,
        };
        let r = call_with(
            &ctx,
            "replace",
            Value::from("a".repeat(5000)),
            vec!["".into(), "xxxxxxxx".into()],
        );
        assert!(matches!(r, Err(FilterError::Budget(_))));
    }
}
