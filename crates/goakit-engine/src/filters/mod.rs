//! The filter catalogue: every filter goakit knows, one named unit per file,
//! each with Ruby Liquid 5.4's behaviour (`standardfilters.rb`) in its doc.
//! Every list of known filter names (lint, language server) comes from
//! [`CATALOGUE`].

use crate::binary::ByteWise;
use crate::value::{Hash, Value};
use std::time::Instant;

/// Why a filter failed. Rendered inline as Ruby renders the error.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterError {
    /// A `Liquid::Error` subclass; the text after `Liquid error: `
    /// (`divided by 0`, `invalid integer`, `wrong number of arguments (given 2, expected 1)`).
    Liquid(String),
    /// A Ruby exception that is not a `Liquid::Error` (NoMethodError,
    /// TypeError, ...): Ruby renders `Liquid error: internal`.
    Internal,
    /// The render budget ran out inside the filter (see `Budget`).
    Budget(String),
}

pub type FilterResult = Result<Value, FilterError>;

/// Ruby's `Encoding::CompatibilityError` is not a `Liquid::Error`.
impl From<crate::binary::Incompatible> for FilterError {
    fn from(_: crate::binary::Incompatible) -> Self {
        FilterError::Internal
    }
}

/// What a filter may need besides its arguments: the render budget.
pub struct FilterCtx {
    /// The most bytes a value a filter builds may reach (the render budget's
    /// `max_output_mib`).
    pub max_bytes: usize,
    /// When the render's time budget ends.
    pub deadline: Option<Instant>,
}

impl FilterCtx {
    pub fn unlimited() -> Self {
        FilterCtx {
            max_bytes: usize::MAX,
            deadline: None,
        }
    }
    /// Fails when `bytes` exceed the size budget.
    pub fn check_size(&self, bytes: usize) -> Result<(), FilterError> {
        if bytes > self.max_bytes {
            return Err(FilterError::Budget(format!(
                "a filter result of more than {} bytes",
                self.max_bytes
            )));
        }
        Ok(())
    }
    /// Fails when the time budget is spent; call it inside long loops.
    pub fn check_time(&self) -> Result<(), FilterError> {
        if let Some(d) = self.deadline
            && Instant::now() >= d
        {
            return Err(FilterError::Budget("the time budget".into()));
        }
        Ok(())
    }
}

/// One filter: its name, Ruby's arity and its code.
pub struct Filter {
    pub name: &'static str,
    /// Ruby's required parameters, the input included (`plus(input, operand)`: 2).
    pub required: usize,
    /// Ruby's optional parameters (`truncate(input, length = 50, truncate_string = "...")`: 2).
    pub optional: usize,
    /// One line for lint and the language server.
    pub summary: &'static str,
    /// `input`, then the positional arguments (a keyword-argument hash, when
    /// the markup had `k: v`, comes last, as Ruby passes it). The arity is
    /// checked before the call.
    pub call: fn(&Value, &[Value], &FilterCtx) -> FilterResult,
    /// Whether Ruby's code works character by character in a way that, on
    /// a binary string, is byte by byte (then a binary input or argument
    /// goes through [`crate::binary::bridge`]), and which encoding checks
    /// it meets on the way.
    pub bytes: ByteWise,
}

mod abs;
mod append;
mod at_least;
mod at_most;
mod base64;
mod capitalize;
mod ceil;
mod compact;
mod concat;
mod date;
mod default;
mod divided_by;
mod downcase;
pub mod escape;
mod escape_once;
mod first;
mod floor;
mod input;
mod join;
mod last;
mod map;
mod minus;
mod modulo;
mod newline_to_br;
mod plus;
mod prepend;
mod remove;
mod replace;
mod reverse;
mod round;
mod size;
mod slice;
mod sort;
mod sort_natural;
mod split;
mod strip;
mod strip_html;
mod strip_newlines;
mod times;
mod truncate;
mod truncatewords;
mod uniq;
mod upcase;
mod url_decode;
mod url_encode;
mod r#where;

pub use date::{strftime, to_date};
pub use input::InputIter;

macro_rules! f {
    ($name:literal, $req:expr, $opt:expr, $summary:literal, $call:path) => {
        f!($name, $req, $opt, $summary, $call, No)
    };
    ($name:literal, $req:expr, $opt:expr, $summary:literal, $call:path, bytes) => {
        f!($name, $req, $opt, $summary, $call, Pieces)
    };
    ($name:literal, $req:expr, $opt:expr, $summary:literal, $call:path, search) => {
        f!($name, $req, $opt, $summary, $call, Search)
    };
    ($name:literal, $req:expr, $opt:expr, $summary:literal, $call:path, splice) => {
        f!($name, $req, $opt, $summary, $call, Splice)
    };
    ($name:literal, $req:expr, $opt:expr, $summary:literal, $call:path, $bytes:ident) => {
        Filter {
            name: $name,
            required: $req,
            optional: $opt,
            summary: $summary,
            call: $call,
            bytes: ByteWise::$bytes,
        }
    };
}

/// Every filter, sorted by name.
pub static CATALOGUE: &[Filter] = &[
    f!(
        "abs",
        1,
        0,
        "Returns the absolute value of a number.",
        abs::abs
    ),
    f!(
        "append",
        2,
        0,
        "Adds a given string to the end of a string.",
        append::append
    ),
    f!(
        "at_least",
        2,
        0,
        "Limits a number to a minimum value.",
        at_least::at_least
    ),
    f!(
        "at_most",
        2,
        0,
        "Limits a number to a maximum value.",
        at_most::at_most
    ),
    f!(
        "base64_decode",
        1,
        0,
        "Decodes a string in Base64 format.",
        base64::base64_decode
    ),
    f!(
        "base64_encode",
        1,
        0,
        "Encodes a string to Base64 format.",
        base64::base64_encode
    ),
    f!(
        "base64_url_safe_decode",
        1,
        0,
        "Decodes a string in URL-safe Base64 format.",
        base64::base64_url_safe_decode
    ),
    f!(
        "base64_url_safe_encode",
        1,
        0,
        "Encodes a string to URL-safe Base64 format.",
        base64::base64_url_safe_encode
    ),
    f!(
        "capitalize",
        1,
        0,
        "Capitalizes the first word in a string.",
        capitalize::capitalize
    ),
    f!(
        "ceil",
        1,
        0,
        "Rounds a number up to the nearest integer.",
        ceil::ceil
    ),
    f!(
        "compact",
        1,
        1,
        "Removes any nil items from an array.",
        compact::compact
    ),
    f!(
        "concat",
        2,
        0,
        "Concatenates (combines) two arrays.",
        concat::concat
    ),
    f!(
        "date",
        2,
        0,
        "Formats a date with Ruby's strftime.",
        date::date,
        bytes
    ),
    f!(
        "default",
        1,
        2,
        "Sets a default value for a nil, false or empty value.",
        default::default
    ),
    f!(
        "divided_by",
        2,
        0,
        "Divides a number by a given number.",
        divided_by::divided_by
    ),
    f!(
        "downcase",
        1,
        0,
        "Converts a string to all lowercase characters.",
        downcase::downcase
    ),
    f!(
        "escape",
        1,
        0,
        "Escapes a string for HTML.",
        escape::escape,
        bytes
    ),
    f!(
        "escape_once",
        1,
        0,
        "Escapes a string without changing characters that have already been escaped.",
        escape_once::escape_once,
        bytes
    ),
    f!(
        "first",
        1,
        0,
        "Returns the first item in an array.",
        first::first
    ),
    f!(
        "floor",
        1,
        0,
        "Rounds a number down to the nearest integer.",
        floor::floor
    ),
    f!(
        "h",
        1,
        0,
        "Escapes a string for HTML (alias of escape).",
        escape::escape,
        bytes
    ),
    f!(
        "join",
        1,
        1,
        "Combines the items in an array into a single string.",
        join::join
    ),
    f!(
        "last",
        1,
        0,
        "Returns the last item in an array.",
        last::last
    ),
    f!(
        "lstrip",
        1,
        0,
        "Strips all whitespace from the left of a string.",
        strip::lstrip,
        bytes
    ),
    f!(
        "map",
        2,
        0,
        "Creates an array of values from a property of the items in an array.",
        map::map
    ),
    f!(
        "minus",
        2,
        0,
        "Subtracts a given number from another number.",
        minus::minus
    ),
    f!(
        "modulo",
        2,
        0,
        "Returns the remainder of dividing a number by a given number.",
        modulo::modulo
    ),
    f!(
        "newline_to_br",
        1,
        0,
        "Converts newlines in a string to HTML line breaks.",
        newline_to_br::newline_to_br,
        bytes
    ),
    f!("plus", 2, 0, "Adds two numbers.", plus::plus),
    f!(
        "prepend",
        2,
        0,
        "Adds a given string to the beginning of a string.",
        prepend::prepend
    ),
    f!(
        "remove",
        2,
        0,
        "Removes any instance of a substring inside a string.",
        remove::remove,
        search
    ),
    f!(
        "remove_first",
        2,
        0,
        "Removes the first instance of a substring inside a string.",
        remove::remove_first,
        search
    ),
    f!(
        "remove_last",
        2,
        0,
        "Removes the last instance of a substring inside a string.",
        remove::remove_last,
        splice
    ),
    f!(
        "replace",
        2,
        1,
        "Replaces any instance of a substring inside a string.",
        replace::replace,
        search
    ),
    f!(
        "replace_first",
        2,
        1,
        "Replaces the first instance of a substring inside a string.",
        replace::replace_first,
        search
    ),
    f!(
        "replace_last",
        3,
        0,
        "Replaces the last instance of a substring inside a string.",
        replace::replace_last,
        splice
    ),
    f!(
        "reverse",
        1,
        0,
        "Reverses the order of the items in an array.",
        reverse::reverse
    ),
    f!(
        "round",
        1,
        1,
        "Rounds a number to the nearest integer or to a number of digits.",
        round::round
    ),
    f!(
        "rstrip",
        1,
        0,
        "Strips all whitespace from the right of a string.",
        strip::rstrip,
        bytes
    ),
    f!(
        "size",
        1,
        0,
        "Returns the size of a string or array.",
        size::size
    ),
    f!(
        "slice",
        2,
        1,
        "Returns a substring or series of array items from a 0-based index.",
        slice::slice,
        bytes
    ),
    f!(
        "sort",
        1,
        1,
        "Sorts the items in an array in case-sensitive order.",
        sort::sort
    ),
    f!(
        "sort_natural",
        1,
        1,
        "Sorts the items in an array in case-insensitive order.",
        sort_natural::sort_natural
    ),
    f!(
        "split",
        2,
        0,
        "Splits a string into an array of substrings on a separator.",
        split::split,
        search
    ),
    f!(
        "strip",
        1,
        0,
        "Strips all whitespace from the left and right of a string.",
        strip::strip,
        bytes
    ),
    f!(
        "strip_html",
        1,
        0,
        "Strips all HTML tags from a string.",
        strip_html::strip_html,
        bytes
    ),
    f!(
        "strip_newlines",
        1,
        0,
        "Strips all newline characters from a string.",
        strip_newlines::strip_newlines,
        bytes
    ),
    f!(
        "times",
        2,
        0,
        "Multiplies a number by a given number.",
        times::times
    ),
    f!(
        "truncate",
        1,
        2,
        "Truncates a string down to a given number of characters.",
        truncate::truncate,
        bytes
    ),
    f!(
        "truncatewords",
        1,
        2,
        "Truncates a string down to a given number of words.",
        truncatewords::truncatewords,
        bytes
    ),
    f!(
        "uniq",
        1,
        1,
        "Removes any duplicate items in an array.",
        uniq::uniq
    ),
    f!(
        "upcase",
        1,
        0,
        "Converts a string to all uppercase characters.",
        upcase::upcase
    ),
    f!(
        "url_decode",
        1,
        0,
        "Decodes percent-encoded characters in a string.",
        url_decode::url_decode
    ),
    f!(
        "url_encode",
        1,
        0,
        "Percent-encodes URL-unsafe characters in a string.",
        url_encode::url_encode
    ),
    f!(
        "where",
        2,
        1,
        "Filters an array to the items with a given property value.",
        r#where::r#where
    ),
];

/// The filter named `name`.
pub fn lookup(name: &str) -> Option<&'static Filter> {
    CATALOGUE
        .binary_search_by(|f| f.name.cmp(name))
        .ok()
        .map(|i| &CATALOGUE[i])
}

/// Ruby's `ArgumentError` text for a call with `given` arguments (input
/// included): `wrong number of arguments (given 3, expected 1..2)`.
pub fn arity_error(f: &Filter, given: usize) -> Option<FilterError> {
    let (min, max) = (f.required, f.required + f.optional);
    if given >= min && given <= max {
        return None;
    }
    let expected = if f.optional == 0 {
        format!("{min}")
    } else {
        format!("{min}..{max}")
    };
    Some(FilterError::Liquid(format!(
        "wrong number of arguments (given {given}, expected {expected})"
    )))
}

/// A keyword-argument hash as filters receive it.
pub fn kwargs(v: &Value) -> Option<&Hash> {
    match v {
        Value::Hash(h) => Some(h),
        _ => None,
    }
}

/// `input.to_s` as an owned Rust string (string filters start with it).
pub(crate) fn s(v: &Value) -> String {
    v.to_s().into_owned()
}

/// A string result, checked against the size budget.
pub(crate) fn text(out: String, ctx: &FilterCtx) -> FilterResult {
    ctx.check_size(out.len())?;
    Ok(Value::from(out))
}

/// A result that may be a binary string, checked against the size budget.
pub(crate) fn checked(v: Value, ctx: &FilterCtx) -> FilterResult {
    if let Value::Bin(b) = &v {
        ctx.check_size(b.len())?;
    } else if let Value::Str(s) = &v {
        ctx.check_size(s.len())?;
    }
    Ok(v)
}

/// Calls a catalogue filter as the engine does: arity first, then the code.
#[cfg(test)]
macro_rules! call_filter {
    ($name:expr, $input:expr $(, $arg:expr)* $(,)?) => {
        $crate::filters::call_with(&$crate::filters::FilterCtx::unlimited(), $name, $input.into(), vec![$($arg.into()),*])
    };
}
#[cfg(test)]
pub(crate) use call_filter;

/// Calls filter `f` (its arity already checked), through the byte-wise
/// bridge where Ruby's code is byte-wise on binary strings.
pub fn apply(f: &Filter, input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    if f.bytes != ByteWise::No
        && (matches!(input, Value::Bin(_)) || args.iter().any(|a| matches!(a, Value::Bin(_))))
    {
        return crate::binary::bridge(f.call, f.bytes, input, args, ctx);
    }
    (f.call)(input, args, ctx)
}

/// Calls a catalogue filter with a budget, checking the arity first.
#[cfg(test)]
pub(crate) fn call_with(
    ctx: &FilterCtx,
    name: &str,
    input: Value,
    args: Vec<Value>,
) -> FilterResult {
    let f = lookup(name).expect("known filter");
    if let Some(e) = arity_error(f, args.len() + 1) {
        return Err(e);
    }
    apply(f, &input, &args, ctx)
}

/// What Ruby renders for a filter result (`{{ x | f }}`): the output text or
/// `Liquid error: ...`.
#[cfg(test)]
pub(crate) fn rendered(r: FilterResult) -> String {
    match r {
        Ok(v) => {
            let mut s = String::new();
            v.write_output(&mut s);
            s
        }
        Err(FilterError::Liquid(m)) => format!("Liquid error: {m}"),
        Err(FilterError::Internal) => "Liquid error: internal".into(),
        Err(FilterError::Budget(m)) => format!("budget: {m}"),
    }
}

/// A filter result as Ruby's `inspect` of the value, or the error text.
#[cfg(test)]
pub(crate) fn ins(r: FilterResult) -> String {
    match r {
        Ok(v) => v.inspect(),
        e => rendered(e),
    }
}

/// A value from JSON text, for tests.
#[cfg(test)]
pub(crate) fn j(text: &str) -> Value {
    Value::from(&serde_json::from_str::<serde_json::Value>(text).expect("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_catalogue_is_sorted_and_unique() {
        for w in CATALOGUE.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
        assert_eq!(CATALOGUE.len(), 55);
        for f in CATALOGUE {
            assert!(std::ptr::eq(lookup(f.name).unwrap(), f));
        }
        assert!(lookup("nope").is_none());
    }

    #[test]
    fn filters_arity_is_rubys() {
        assert_eq!(
            rendered(call_filter!("truncate", "a", 1, 2, 3)),
            "Liquid error: wrong number of arguments (given 4, expected 1..3)"
        );
        assert_eq!(
            rendered(call_filter!("plus", 1)),
            "Liquid error: wrong number of arguments (given 1, expected 2)"
        );
    }
}
