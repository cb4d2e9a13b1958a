//! Ruby's binary strings: what `base64_decode` returns.
//!
//! Ruby's `Base64.strict_decode64` gives an `ASCII-8BIT` string. While it
//! holds only ASCII it behaves exactly as UTF-8 text, so goakit keeps such
//! a result a plain [`Value::Str`]; with a byte ≥ 0x80 it is a
//! [`Value::Bin`], whose rules are Ruby's (string.c, encoding.c):
//!
//! - **Compatibility** (`rb_enc_check`, used by `+`, `<<`, `include?`,
//!   `split`, `gsub`, `Array#join`): a binary string and a UTF-8 string go
//!   together only when the UTF-8 one is ASCII (or empty); the result is
//!   binary. Otherwise Ruby raises `Encoding::CompatibilityError`, which
//!   Liquid renders as `Liquid error: internal`.
//! - **Equality** (`rb_str_comparable`): a binary string never equals a
//!   UTF-8 string (it has a non-ASCII byte, so either the bytes differ or
//!   the encodings are incomparable); two binary strings compare bytes.
//!   `<=>` compares bytes. A hash key never matches it.
//! - **Characters are bytes**: `size`, `slice`, `split('')`, `truncate`
//!   count bytes; `upcase`/`downcase`/`capitalize` touch ASCII letters only.
//! - **inspect** writes each non-ASCII byte as `\xHH`.
//! - **The output buffer** (`+''`, UTF-8) turns binary when a binary
//!   string is appended while it holds only ASCII, and from then on takes
//!   only ASCII text or binary strings: other text raises. [`OutBuf`] keeps
//!   that state beside the `String` buffer; while binary, the buffer holds
//!   each byte ≥ 0x80 as the char of the same number (Latin-1), so a
//!   captured buffer gives its bytes back exactly and the page's final bytes
//!   are read with U+FFFD for what is not UTF-8 (what a browser shows).
//!
//! Every filter meets binary strings in `tests/cases/binary.json`, beside
//! ASCII and non-ASCII UTF-8 text, with Ruby's output stored. Where a
//! filter reads one through `Value::to_s` (UTF-8 with U+FFFD for what is
//! not UTF-8: a number's text, a property name in an error message) the
//! page shows the same bytes.

use crate::filters::{FilterCtx, FilterResult};
use crate::value::Value;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::Arc;

/// Ruby's `Encoding::CompatibilityError` (Liquid prints it as `internal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incompatible;

/// Ruby's message when the error escapes the render (text appended to a
/// binary output buffer at the top level of the page).
pub const INCOMPATIBLE_MESSAGE: &str =
    "Encoding::CompatibilityError: incompatible character encodings: ASCII-8BIT and UTF-8";

/// A Ruby string's bytes and whether it is binary (non-ASCII ASCII-8BIT).
#[derive(Debug, Clone)]
pub struct RStr<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub binary: bool,
}

impl RStr<'_> {
    /// `rb_enc_check(self, other)`: may the two go together?
    pub fn check(&self, other: &RStr) -> Result<(), Incompatible> {
        if self.binary == other.binary || (self.binary && other.bytes.is_ascii()) {
            return Ok(());
        }
        if other.binary && self.bytes.is_ascii() {
            return Ok(());
        }
        Err(Incompatible)
    }

    /// The string as a value: binary when either side was (and a byte is
    /// non-ASCII), else UTF-8 text.
    pub fn into_value(self, binary: bool) -> Value {
        if binary {
            Value::binary(self.bytes.into_owned())
        } else {
            match String::from_utf8(self.bytes.into_owned()) {
                Ok(s) => Value::from(s),
                Err(e) => Value::binary(e.into_bytes()),
            }
        }
    }
}

/// `input.to_s` as Ruby's bytes (a binary string keeps its bytes).
pub fn rstr(v: &Value) -> RStr<'_> {
    match v {
        Value::Bin(b) => RStr {
            bytes: Cow::Borrowed(b),
            binary: true,
        },
        Value::Str(s) => RStr {
            bytes: Cow::Borrowed(s.as_bytes()),
            binary: false,
        },
        other => RStr {
            bytes: Cow::Owned(other.to_s().into_owned().into_bytes()),
            binary: false,
        },
    }
}

/// Whether any of `values` is a binary string (filters take their
/// byte-wise path only then).
pub fn any_binary(values: &[&Value]) -> bool {
    values.iter().any(|v| matches!(v, Value::Bin(_)))
}

/// Whether a binary string is among `items` (nested arrays included).
pub fn has_binary(items: &[Value], depth: usize) -> bool {
    items.iter().any(|v| match v {
        Value::Bin(_) => true,
        Value::Array(a) => depth < 512 && has_binary(a, depth + 1),
        _ => false,
    })
}

/// `a + b` (`String#+`), with Ruby's encoding check.
pub fn concat(a: &Value, b: &Value) -> Result<Value, Incompatible> {
    let (x, y) = (rstr(a), rstr(b));
    x.check(&y)?;
    let binary = x.binary || y.binary;
    let mut bytes = x.bytes.into_owned();
    bytes.extend_from_slice(&y.bytes);
    Ok(RStr {
        bytes: Cow::Owned(bytes),
        binary,
    }
    .into_value(binary))
}

/// `String#inspect` of a binary string: ASCII as UTF-8 strings print it
/// (control characters as `\xHH`), each byte ≥ 0x80 as `\xHH`.
pub fn inspect_bytes(b: &[u8], out: &mut String) {
    out.push('"');
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x0c => out.push_str("\\f"),
            0x0b => out.push_str("\\v"),
            0x08 => out.push_str("\\b"),
            0x07 => out.push_str("\\a"),
            0x1b => out.push_str("\\e"),
            b'#' if matches!(b.get(i + 1), Some(b'{' | b'$' | b'@')) => out.push_str("\\#"),
            c if !(0x20..0x7f).contains(&c) => {
                let _ = write!(out, "\\x{c:02X}");
            }
            c => out.push(c as char),
        }
    }
    out.push('"');
}

/// Ruby's `Array#join(sep)` with binary items or separator: each item's
/// `to_s` appended in turn, with the encoding check.
pub fn join(items: &[Value], sep: &Value, depth: usize) -> Result<Value, Incompatible> {
    let sep = rstr(sep);
    let mut acc = RStr {
        bytes: Cow::Owned(Vec::new()),
        binary: false,
    };
    fn push(acc: &mut RStr, s: &RStr) -> Result<(), Incompatible> {
        acc.check(s)?;
        acc.binary |= s.binary;
        acc.bytes.to_mut().extend_from_slice(&s.bytes);
        Ok(())
    }
    fn walk(
        acc: &mut RStr,
        items: &[Value],
        sep: &RStr,
        first: &mut bool,
        depth: usize,
    ) -> Result<(), Incompatible> {
        for v in items {
            if let Value::Array(inner) = v
                && depth < 512
            {
                walk(acc, inner, sep, first, depth + 1)?;
                continue;
            }
            if !*first {
                push(acc, sep)?;
            }
            *first = false;
            push(acc, &rstr(v))?;
        }
        Ok(())
    }
    let mut first = true;
    walk(&mut acc, items, &sep, &mut first, depth)?;
    let binary = acc.binary;
    Ok(acc.into_value(binary))
}

/// `String#include?` on bytes (the encodings already checked): an empty
/// needle is in every string.
pub fn includes(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// Latin-1 text back to bytes (chars above U+00FF cannot occur; they would
/// be kept as their UTF-8 bytes).
pub fn from_latin1(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 0x100 {
            out.push(c as u32 as u8);
        } else {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// How a byte-wise filter meets Ruby's encoding checks (the catalogue's
/// `bytes`, `search` and `splice` marks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteWise {
    /// Not byte-wise: a binary string is read as its UTF-8 text.
    No,
    /// Byte-wise; the result is built by concatenation (`+`, `concat`,
    /// `join`, the pieces of `gsub`/`sub`), so Ruby raises only when one
    /// result would hold non-ASCII binary bytes and non-ASCII UTF-8 text.
    /// An argument that is never used (a `truncate` ending when nothing is
    /// cut, a replacement when nothing matches) is never checked.
    Pieces,
    /// As `Pieces`, and the first argument is searched for in the input
    /// (`gsub`, `sub`, `index`, `rindex`, `split` with a string), which
    /// `rb_enc_check`s the two before anything else.
    Search,
    /// As `Search`, and on a match `String#[]=` puts the second argument
    /// into the input, which `rb_enc_check`s it against the whole input
    /// (`replace_last`, `remove_last`).
    Splice,
}

/// The char standing for byte `b` ≥ 0x80 of a binary string while a
/// byte-wise filter runs: one char per byte, in Supplementary Private Use
/// Area-B so that it is no letter, digit or space of any regex, and apart
/// from every char a UTF-8 argument can bring (one that holds these very
/// private-use chars would be read as bytes).
const BYTE_CHARS: u32 = 0x10_F000;

fn byte_char(b: u8) -> char {
    if b.is_ascii() {
        b as char
    } else {
        char::from_u32(BYTE_CHARS + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

fn char_byte(c: char) -> Option<u8> {
    let n = (c as u32).checked_sub(BYTE_CHARS)?;
    (0x80..=0xFF).contains(&n).then_some(n as u8)
}

/// A filter result read back: its byte chars turned into bytes again (a
/// binary string), or Ruby's `Encoding::CompatibilityError` when it also
/// holds non-ASCII UTF-8 text.
fn from_byte_chars(v: Value) -> Result<Value, Incompatible> {
    match v {
        Value::Str(s) if !s.is_ascii() => {
            if !s.chars().any(|c| char_byte(c).is_some()) {
                return Ok(Value::Str(s));
            }
            let mut out = Vec::with_capacity(s.len());
            for c in s.chars() {
                match char_byte(c) {
                    Some(b) => out.push(b),
                    None if c.is_ascii() => out.push(c as u8),
                    None => return Err(Incompatible),
                }
            }
            Ok(Value::binary(out))
        }
        Value::Array(a)
            if a.iter()
                .any(|x| matches!(x, Value::Str(s) if !s.is_ascii())) =>
        {
            Ok(Value::from(
                a.iter()
                    .cloned()
                    .map(from_byte_chars)
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        }
        other => Ok(other),
    }
}

/// Calls a string filter whose Ruby code is byte-wise on a binary string
/// (it cuts, counts, strips or matches ASCII) with a binary input or
/// argument: each binary string is handed over with one char per byte
/// (see [`BYTE_CHARS`]), UTF-8 strings as they are, and the result read
/// back by [`from_byte_chars`]; `how` adds the checks Ruby makes before
/// the result is built.
pub fn bridge(
    call: fn(&Value, &[Value], &FilterCtx) -> FilterResult,
    how: ByteWise,
    input: &Value,
    args: &[Value],
    ctx: &FilterCtx,
) -> FilterResult {
    fn chars(v: &Value) -> Value {
        match v {
            Value::Bin(b) => Value::from(b.iter().copied().map(byte_char).collect::<String>()),
            other => other.clone(),
        }
    }
    if matches!(how, ByteWise::Search | ByteWise::Splice)
        && let Some(pat) = args.first()
    {
        rstr(input).check(&rstr(pat))?;
        if how == ByteWise::Splice
            && let Some(repl) = args.get(1)
            && includes(&rstr(input).bytes, &rstr(pat).bytes)
        {
            rstr(input).check(&rstr(repl))?;
        }
    }
    let args = args.iter().map(chars).collect::<Vec<_>>();
    Ok(from_byte_chars(call(&chars(input), &args, ctx)?)?)
}

/// The encoding state of one output buffer (the page's, or a capture's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutBuf {
    /// The buffer turned ASCII-8BIT: it holds Latin-1 chars for its bytes.
    pub binary: bool,
    /// Where the buffer starts in the `String` (a page rendered at the end
    /// of its host's text).
    pub start: usize,
    /// The buffer up to here is known to be ASCII.
    checked: usize,
    /// The buffer holds non-ASCII UTF-8 text: it can never turn binary.
    utf8: bool,
}

impl OutBuf {
    /// A buffer starting at `start` of its `String`.
    pub fn at(start: usize) -> Self {
        OutBuf {
            start,
            checked: start,
            ..OutBuf::default()
        }
    }

    /// `output << text` for UTF-8 text.
    pub fn push_str(&self, out: &mut String, text: &str) -> Result<(), Incompatible> {
        if self.binary && !text.is_ascii() {
            return Err(Incompatible);
        }
        out.push_str(text);
        Ok(())
    }

    /// `output << binary`.
    pub fn push_bin(&mut self, out: &mut String, b: &[u8]) -> Result<(), Incompatible> {
        if !self.binary {
            // Only the part not seen before is scanned: a loop appending
            // binary strings stays linear.
            let from = self.checked.clamp(self.start, out.len());
            if self.utf8 || !out.as_bytes()[from..].is_ascii() {
                self.utf8 = true;
                self.checked = out.len();
                return Err(Incompatible);
            }
            self.binary = true;
        }
        out.extend(b.iter().map(|&c| c as char));
        Ok(())
    }

    /// The buffer as a value (what `capture` assigns).
    pub fn into_value(self, out: String) -> Value {
        if self.binary {
            Value::binary(from_latin1(&out))
        } else {
            Value::from(out)
        }
    }

    /// Turns the buffer's Latin-1 chars back into its bytes, read with
    /// U+FFFD for what is not UTF-8 (what a browser shows).
    pub fn finish(self, out: &mut String) {
        if self.binary {
            let bytes = from_latin1(&out[self.start..]);
            out.truncate(self.start);
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
}

impl Value {
    /// A Ruby ASCII-8BIT string: text when it is all ASCII, else binary.
    pub fn binary(bytes: Vec<u8>) -> Value {
        if bytes.is_ascii() {
            // ASCII bytes are UTF-8.
            Value::Str(String::from_utf8(bytes).unwrap_or_default().into())
        } else {
            Value::Bin(Arc::from(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(b: &[u8]) -> Value {
        Value::binary(b.to_vec())
    }

    #[test]
    fn ascii_bytes_are_text() {
        assert!(matches!(bin(b"abc"), Value::Str(_)));
        assert!(matches!(bin(b"\xff"), Value::Bin(_)));
    }

    #[test]
    fn concat_follows_rb_enc_check() {
        let b = bin(b"\xf0\x9f");
        assert!(matches!(concat(&b, &Value::from("a")), Ok(Value::Bin(_))));
        assert!(matches!(concat(&Value::from(""), &b), Ok(Value::Bin(_))));
        assert_eq!(concat(&b, &Value::from("é")).unwrap_err(), Incompatible);
        assert_eq!(concat(&Value::from("é"), &b).unwrap_err(), Incompatible);
        assert!(matches!(concat(&b, &b), Ok(Value::Bin(_))));
    }

    #[test]
    fn inspect_writes_bytes() {
        let mut s = String::new();
        inspect_bytes(b"x\x01\"#{\xf0", &mut s);
        assert_eq!(s, r#""x\x01\"\#{\xF0""#);
    }

    #[test]
    fn out_buffer_turns_binary() {
        let mut o = OutBuf::default();
        let mut s = String::from("a");
        o.push_bin(&mut s, b"\xc3\xa9").unwrap();
        assert!(o.binary);
        assert_eq!(o.push_str(&mut s, "é"), Err(Incompatible));
        o.push_str(&mut s, "z").unwrap();
        o.finish(&mut s);
        assert_eq!(s, "aéz");
        let mut o = OutBuf::default();
        let mut s = String::from("é");
        assert_eq!(o.push_bin(&mut s, b"\xff"), Err(Incompatible));
    }
}
