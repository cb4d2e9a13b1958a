//! Filters where Ruby Liquid 5.4 differs from the `liquid` crate, or that
//! the crate lacks. Each is a plain function of the input and its evaluated
//! arguments (undefined arguments are nil, as in Ruby).

use base64::Engine as _;
use liquid_core::model::{Value, ValueView};
use liquid_core::parser::{FilterArguments, FilterReflection, ParameterReflection, ParseFilter};
use liquid_core::runtime::Expression;
use liquid_core::{Error, Filter, Result, Runtime};
use std::fmt;

type FilterFn = fn(&dyn ValueView, &Args) -> Result<Value>;

/// Evaluated arguments: positional, then keyword.
pub struct Args {
    pub positional: Vec<Value>,
    pub keyword: Vec<(String, Value)>,
}

impl Args {
    fn get(&self, i: usize) -> Option<&Value> {
        self.positional.get(i)
    }

    fn keyword(&self, key: &str) -> Option<&Value> {
        self.keyword.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A filter registered under `name`, implemented by `f`.
#[derive(Clone)]
pub struct RubyFilter {
    pub name: &'static str,
    pub f: FilterFn,
}

impl FilterReflection for RubyFilter {
    fn name(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        "Ruby Liquid 5.4 semantics"
    }
    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
}

impl ParseFilter for RubyFilter {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        Ok(Box::new(BoundFilter {
            name: self.name,
            f: self.f,
            positional: arguments.positional.collect(),
            keyword: arguments.keyword.map(|(k, v)| (k.to_string(), v)).collect(),
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct BoundFilter {
    name: &'static str,
    f: FilterFn,
    positional: Vec<Expression>,
    keyword: Vec<(String, Expression)>,
}

impl fmt::Debug for RubyFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RubyFilter({})", self.name)
    }
}

impl fmt::Display for BoundFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

fn eval(e: &Expression, runtime: &dyn Runtime) -> Value {
    e.try_evaluate(runtime)
        .map(|v| v.into_owned())
        .unwrap_or(Value::Nil)
}

impl Filter for BoundFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let args = Args {
            positional: self.positional.iter().map(|e| eval(e, runtime)).collect(),
            keyword: self
                .keyword
                .iter()
                .map(|(k, e)| (k.clone(), eval(e, runtime)))
                .collect(),
        };
        (self.f)(input, &args)
    }
}

/// Every filter goakit registers over the crate's standard library.
pub fn all() -> Vec<RubyFilter> {
    let list: &[(&'static str, FilterFn)] = &[
        ("plus", |i, a| arith(i, a, Op::Add)),
        ("minus", |i, a| arith(i, a, Op::Sub)),
        ("times", |i, a| arith(i, a, Op::Mul)),
        ("divided_by", |i, a| arith(i, a, Op::Div)),
        ("modulo", |i, a| arith(i, a, Op::Mod)),
        ("abs", |i, _| Ok(num_value(to_number(i).abs()))),
        ("round", round),
        ("ceil", |i, _| {
            Ok(Value::scalar(to_number(i).as_f64().ceil() as i64))
        }),
        ("floor", |i, _| {
            Ok(Value::scalar(to_number(i).as_f64().floor() as i64))
        }),
        ("at_least", |i, a| {
            let (x, y) = (to_number(i), to_number(arg(a, 0)));
            Ok(num_value(if y.as_f64() > x.as_f64() { y } else { x }))
        }),
        ("at_most", |i, a| {
            let (x, y) = (to_number(i), to_number(arg(a, 0)));
            Ok(num_value(if y.as_f64() < x.as_f64() { y } else { x }))
        }),
        ("size", size),
        ("default", default),
        ("h", |i, _| Ok(str_value(escape_html(&to_s(i))))),
        ("escape", |i, _| {
            Ok(if i.is_nil() {
                Value::Nil
            } else {
                str_value(escape_html(&to_s(i)))
            })
        }),
        ("url_encode", |i, _| {
            Ok(if i.is_nil() {
                Value::Nil
            } else {
                str_value(cgi_escape(&to_s(i)))
            })
        }),
        ("url_decode", |i, _| {
            Ok(if i.is_nil() {
                Value::Nil
            } else {
                str_value(cgi_unescape(&to_s(i)))
            })
        }),
        ("base64_encode", |i, _| {
            Ok(str_value(
                base64::engine::general_purpose::STANDARD.encode(to_s(i)),
            ))
        }),
        ("base64_decode", |i, _| {
            b64_decode(&base64::engine::general_purpose::STANDARD, &to_s(i))
        }),
        ("base64_url_safe_encode", |i, _| {
            Ok(str_value(
                base64::engine::general_purpose::URL_SAFE.encode(to_s(i)),
            ))
        }),
        ("base64_url_safe_decode", |i, _| {
            b64_decode(&base64::engine::general_purpose::URL_SAFE, &to_s(i))
        }),
        ("remove_last", |i, a| {
            Ok(str_value(replace_last(&to_s(i), &to_s(arg(a, 0)), "")))
        }),
        ("replace_last", |i, a| {
            Ok(str_value(replace_last(
                &to_s(i),
                &to_s(arg(a, 0)),
                &to_s(arg(a, 1)),
            )))
        }),
        ("date", date),
        ("split", |i, a| {
            let parts = ruby_split(&to_s(i), &to_s(arg(a, 0)));
            Ok(Value::Array(parts.into_iter().map(str_value).collect()))
        }),
        ("first", |i, _| {
            Ok(i.as_array()
                .and_then(|a| a.first().map(|v| v.to_value()))
                .unwrap_or(Value::Nil))
        }),
        ("last", |i, _| {
            Ok(i.as_array()
                .and_then(|a| a.last().map(|v| v.to_value()))
                .unwrap_or(Value::Nil))
        }),
        ("append", |i, a| Ok(str_value(to_s(i) + &to_s(arg(a, 0))))),
        ("prepend", |i, a| Ok(str_value(to_s(arg(a, 0)) + &to_s(i)))),
        ("join", |i, a| {
            // Ruby: InputIterator (flattened) then Array#join, `to_s` of each.
            let glue = match a.get(0) {
                Some(g) => to_s(g),
                None => " ".to_string(),
            };
            let mut items = Vec::new();
            match i.as_array() {
                Some(arr) => flatten_into(arr, &mut items),
                None if i.is_nil() => {}
                None => items.push(i.to_value()),
            }
            let parts: Vec<String> = items.iter().map(|v| to_s(v)).collect();
            Ok(str_value(parts.join(&glue)))
        }),
        ("truncatewords", truncatewords),
        ("newline_to_br", |i, _| {
            Ok(str_value(
                to_s(i).replace("\r\n", "\n").replace('\n', "<br />\n"),
            ))
        }),
        (crate::engine::UNKNOWN_FILTER, |i, _| Ok(i.to_value())),
    ];
    list.iter()
        .map(|(name, f)| RubyFilter { name, f: *f })
        .collect()
}

/// The crate's array filters that Ruby runs through its `InputIterator`.
pub const ARRAY_FILTERS: &[&str] = &[
    "sort",
    "sort_natural",
    "where",
    "uniq",
    "reverse",
    "map",
    "compact",
    "concat",
];

/// Wraps one of the crate's [`ARRAY_FILTERS`] so its input is what Ruby's
/// `InputIterator` makes of it: nested arrays flattened, a hash as a
/// one-item array, nil as an empty one, any other value as a one-item array.
#[derive(Clone)]
pub struct RubyInput(pub Box<dyn ParseFilter>);

impl ParseFilter for RubyInput {
    fn parse(&self, arguments: FilterArguments) -> Result<Box<dyn Filter>> {
        Ok(Box::new(RubyInputFilter(self.0.parse(arguments)?)))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self.0.reflection()
    }
}

#[derive(Debug)]
struct RubyInputFilter(Box<dyn Filter>);

impl fmt::Display for RubyInputFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn flatten_into(a: &dyn liquid_core::model::ArrayView, out: &mut Vec<Value>) {
    for v in a.values() {
        match v.as_array() {
            Some(inner) => flatten_into(inner, out),
            None => out.push(v.to_value()),
        }
    }
}

impl Filter for RubyInputFilter {
    fn evaluate(&self, input: &dyn ValueView, runtime: &dyn Runtime) -> Result<Value> {
        let converted = match input.as_array() {
            // The common case, a flat array, is passed on without a copy.
            Some(a) if !a.values().any(|v| v.as_array().is_some()) => None,
            Some(a) => {
                let mut out = Vec::with_capacity(a.size() as usize);
                flatten_into(a, &mut out);
                Some(Value::Array(out))
            }
            None if input.is_nil() => Some(Value::Array(Vec::new())),
            None => Some(Value::Array(vec![input.to_value()])),
        };
        match &converted {
            Some(v) => self.0.evaluate(v, runtime),
            None => self.0.evaluate(input, runtime),
        }
    }
}

const NIL: Value = Value::Nil;

fn arg(a: &Args, i: usize) -> &dyn ValueView {
    a.get(i)
        .map_or(&NIL as &dyn ValueView, |v| v as &dyn ValueView)
}

fn str_value(s: String) -> Value {
    Value::scalar(s)
}

/// Ruby's `to_s` of a value as filters see it (floats keep `.0`).
pub fn to_s(v: &dyn ValueView) -> String {
    let mut out = String::new();
    crate::engine::value::render_ruby(v, &mut out);
    out
}

fn b64_decode(engine: &impl base64::Engine, s: &str) -> Result<Value> {
    match engine.decode(s.trim_end()) {
        Ok(bytes) => Ok(str_value(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Err(Error::with_msg(format!(
            "invalid base64 provided to base64_decode: {s:?}"
        ))),
    }
}

/// `String#split` with a string pattern.
fn ruby_split(s: &str, pattern: &str) -> Vec<String> {
    let mut parts: Vec<String> = if pattern == " " {
        return s.split_whitespace().map(str::to_string).collect();
    } else if pattern.is_empty() {
        s.chars().map(String::from).collect()
    } else {
        s.split(pattern).map(str::to_string).collect()
    };
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

fn replace_last(s: &str, find: &str, with: &str) -> String {
    match s.rfind(find) {
        Some(i) => format!("{}{}{}", &s[..i], with, &s[i + find.len()..]),
        None => s.to_string(),
    }
}

/// `CGI.escapeHTML`.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `CGI.escape`: unreserved characters stay, space becomes '+'.
fn cgi_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn cgi_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Ruby: the first `words` whitespace-separated words joined by one space
/// plus the ellipsis, or the input unchanged when it has no more words.
fn truncatewords(i: &dyn ValueView, a: &Args) -> Result<Value> {
    if i.is_nil() {
        return Ok(Value::Nil);
    }
    let input = to_s(i);
    let words = match a.get(0) {
        Some(w) => to_number(w).as_f64() as i64,
        None => 15,
    }
    .max(1) as usize;
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r');
    let mut taken = Vec::with_capacity(words.min(64));
    let mut rest = input.as_str();
    loop {
        if taken.len() == words {
            // Like Ruby's `split(" ", words + 1)`: even trailing whitespace
            // after the last kept word counts as one more (empty) word.
            if rest.is_empty() {
                return Ok(str_value(input));
            }
            break;
        }
        rest = rest.trim_start_matches(is_space);
        if rest.is_empty() {
            return Ok(str_value(input));
        }
        let end = rest.find(is_space).unwrap_or(rest.len());
        taken.push(&rest[..end]);
        rest = &rest[end..];
    }
    let ellipsis = match a.get(1) {
        Some(t) => to_s(t),
        None => "...".to_string(),
    };
    Ok(str_value(taken.join(" ") + &ellipsis))
}

fn size(i: &dyn ValueView, _: &Args) -> Result<Value> {
    let n = if let Some(a) = i.as_array() {
        a.size()
    } else if let Some(o) = i.as_object() {
        o.size()
    } else if let Some(s) = i.as_scalar() {
        match s.type_name() {
            "string" => s.to_kstr().chars().count() as i64,
            // Integer#size is its byte width in Ruby.
            "whole number" => 8,
            _ => 0,
        }
    } else {
        0
    };
    Ok(Value::scalar(n))
}

fn is_empty(v: &dyn ValueView) -> bool {
    if let Some(a) = v.as_array() {
        a.size() == 0
    } else if let Some(o) = v.as_object() {
        o.size() == 0
    } else if let Some(s) = v.as_scalar() {
        s.type_name() == "string" && s.to_kstr().is_empty()
    } else {
        false
    }
}

fn is_false(v: &dyn ValueView) -> bool {
    v.as_scalar().and_then(|s| s.to_bool()).is_some_and(|b| !b)
}

fn default(i: &dyn ValueView, a: &Args) -> Result<Value> {
    let allow_false = a
        .keyword("allow_false")
        .is_some_and(|v| v.query_state(liquid_core::model::State::Truthy));
    let fallback = if allow_false {
        i.is_nil()
    } else {
        i.is_nil() || is_false(i)
    };
    Ok(if fallback || is_empty(i) {
        a.get(0)
            .cloned()
            .unwrap_or_else(|| str_value(String::new()))
    } else {
        i.to_value()
    })
}

/// A number as Ruby Liquid's `Utils.to_number` makes it. Floats are kept
/// as exact decimals, since Ruby computes with BigDecimal (0.1 + 0.2 is 0.3).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i64),
    Dec { m: i128, scale: u32 },
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Dec { m, scale } => format!("{}e-{}", m, scale).parse().unwrap_or(f64::NAN),
        }
    }

    fn abs(self) -> Num {
        match self {
            Num::Int(i) => Num::Int(i.wrapping_abs()),
            Num::Dec { m, scale } => Num::Dec { m: m.abs(), scale },
        }
    }

    fn from_f64(f: f64) -> Num {
        if !f.is_finite() {
            return Num::Dec { m: 0, scale: 0 };
        }
        // Shortest round-trip decimal digits of the float.
        decimal_from_str(&format!("{f}")).unwrap_or(Num::Dec { m: 0, scale: 0 })
    }
}

fn decimal_from_str(s: &str) -> Option<Num> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = format!("{int}{frac}");
    let m: i128 = digits.parse().ok()?;
    Some(Num::Dec {
        m,
        scale: frac.len() as u32,
    })
}

fn num_value(n: Num) -> Value {
    match n {
        Num::Int(i) => Value::scalar(i),
        d => Value::scalar(d.as_f64()),
    }
}

pub fn to_number(v: &dyn ValueView) -> Num {
    let Some(s) = v.as_scalar() else {
        return Num::Int(0);
    };
    match s.type_name() {
        "whole number" => Num::Int(s.to_integer().unwrap_or(0)),
        "fractional number" => Num::from_f64(s.to_float().unwrap_or(0.0)),
        "string" => {
            let text = s.to_kstr();
            let t = text.trim();
            let is_decimal = {
                let body = t.strip_prefix('-').unwrap_or(t);
                body.split_once('.').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && a.bytes().all(|c| c.is_ascii_digit())
                        && b.bytes().all(|c| c.is_ascii_digit())
                })
            };
            if is_decimal {
                decimal_from_str(t).unwrap_or(Num::Int(0))
            } else {
                Num::Int(ruby_to_i(t))
            }
        }
        _ => Num::Int(0),
    }
}

/// `String#to_i`: the leading integer, 0 if none.
fn ruby_to_i(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = body
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(|c| *c != '_')
        .collect();
    let n: i64 = digits.parse().unwrap_or(0);
    if neg { -n } else { n }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

fn align(a: (i128, u32), b: (i128, u32)) -> (i128, i128, u32) {
    let scale = a.1.max(b.1);
    let up = |(m, s): (i128, u32)| m * 10i128.pow(scale - s);
    (up(a), up(b), scale)
}

fn parts(n: Num) -> (i128, u32) {
    match n {
        Num::Int(i) => (i as i128, 0),
        Num::Dec { m, scale } => (m, scale),
    }
}

fn arith(i: &dyn ValueView, a: &Args, op: Op) -> Result<Value> {
    let x = to_number(i);
    let y = to_number(arg(a, 0));
    if let (Num::Int(p), Num::Int(q)) = (x, y) {
        return match op {
            Op::Add => Ok(Value::scalar(p.wrapping_add(q))),
            Op::Sub => Ok(Value::scalar(p.wrapping_sub(q))),
            Op::Mul => Ok(Value::scalar(p.wrapping_mul(q))),
            Op::Div | Op::Mod if q == 0 => Err(Error::with_msg("divided by 0")),
            // Ruby's Integer#/ floors.
            Op::Div => {
                let d = p.wrapping_div(q);
                let floor = p % q != 0 && ((p < 0) != (q < 0));
                Ok(Value::scalar(if floor { d - 1 } else { d }))
            }
            Op::Mod => Ok(Value::scalar(((p % q) + q) % q)),
        };
    }
    let (pm, qm, scale) = align(parts(x), parts(y));
    let result = match op {
        Op::Add => Some(Num::Dec { m: pm + qm, scale }),
        Op::Sub => Some(Num::Dec { m: pm - qm, scale }),
        Op::Mul => {
            let (px, py) = (parts(x), parts(y));
            px.0.checked_mul(py.0).map(|m| Num::Dec {
                m,
                scale: px.1 + py.1,
            })
        }
        Op::Div => {
            if qm == 0 {
                return Err(Error::with_msg("divided by 0"));
            }
            return Ok(Value::scalar(x.as_f64() / y.as_f64()));
        }
        Op::Mod => {
            if qm == 0 {
                return Err(Error::with_msg("divided by 0"));
            }
            Some(Num::Dec {
                m: ((pm % qm) + qm) % qm,
                scale,
            })
        }
    };
    Ok(match result {
        Some(n) => Value::scalar(n.as_f64()),
        None => Value::scalar(match op {
            Op::Mul => x.as_f64() * y.as_f64(),
            _ => f64::NAN,
        }),
    })
}

fn round(i: &dyn ValueView, a: &Args) -> Result<Value> {
    let x = to_number(i);
    let digits = match to_number(arg(a, 0)) {
        Num::Int(d) => d,
        d => d.as_f64() as i64,
    };
    match x {
        Num::Int(v) if digits >= 0 => Ok(Value::scalar(v)),
        _ => {
            let (m, scale) = parts(x);
            // Round half away from zero on the exact decimal, as BigDecimal does.
            let keep = digits.clamp(-30, 30);
            let result = if (scale as i64) <= keep {
                x.as_f64()
            } else {
                let drop = (scale as i64 - keep) as u32;
                let p = 10i128.pow(drop.min(38));
                let q = m / p;
                let r = m % p;
                let q = if r.abs() * 2 >= p { q + m.signum() } else { q };
                if keep >= 0 {
                    Num::Dec {
                        m: q,
                        scale: keep as u32,
                    }
                    .as_f64()
                } else {
                    (q * 10i128.pow((-keep) as u32)) as f64
                }
            };
            if digits == 0 {
                Ok(Value::scalar(result as i64))
            } else {
                Ok(Value::scalar(result))
            }
        }
    }
}

/// Ruby's `date`: parse like `Time.parse` (or a unix time, or "now"),
/// then `strftime`; input that does not parse passes through.
fn date(i: &dyn ValueView, a: &Args) -> Result<Value> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
    let format = to_s(arg(a, 0));
    if format.is_empty() || i.is_nil() {
        return Ok(i.to_value());
    }
    let text = to_s(i);
    let lower = text.trim().to_ascii_lowercase();
    let fixed: Option<DateTime<chrono::FixedOffset>> = if lower.is_empty() {
        None
    } else if lower == "now" || lower == "today" {
        Some(Utc::now().fixed_offset())
    } else if lower.bytes().all(|b| b.is_ascii_digit()) {
        lower
            .parse::<i64>()
            .ok()
            .and_then(|t| Utc.timestamp_opt(t, 0).single())
            .map(|d| d.fixed_offset())
    } else {
        let t = text.trim();
        DateTime::parse_from_rfc3339(t)
            .ok()
            .or_else(|| DateTime::parse_from_rfc2822(t).ok())
            .or_else(|| DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z").ok())
            .or_else(|| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
            .or_else(|| {
                [
                    "%Y-%m-%dT%H:%M:%S%.f",
                    "%Y-%m-%d %H:%M:%S%.f",
                    "%Y-%m-%d %H:%M",
                    "%Y/%m/%d %H:%M:%S",
                ]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .or_else(|| {
                    [
                        "%Y-%m-%d",
                        "%Y/%m/%d",
                        "%d %b %Y",
                        "%b %d %Y",
                        "%B %d, %Y",
                        "%b %d, %Y",
                        "%d %B %Y",
                    ]
                    .iter()
                    .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                })
                .map(|n| Utc.from_utc_datetime(&n).fixed_offset())
            })
    };
    let Some(d) = fixed else {
        return Ok(i.to_value());
    };
    use std::fmt::Write as _;
    let mut out = String::new();
    match write!(out, "{}", d.format(&format)) {
        Ok(()) => Ok(str_value(out)),
        Err(_) => Ok(str_value(format)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic_like_bigdecimal() {
        let args = |v: Value| Args {
            positional: vec![v],
            keyword: vec![],
        };
        let r = arith(&Value::scalar(0.1), &args(Value::scalar(0.2)), Op::Add).unwrap();
        assert_eq!(r, Value::scalar(0.3));
        let r = arith(&Value::scalar(0), &args(Value::scalar(1.25)), Op::Mul).unwrap();
        assert_eq!(r, Value::scalar(0.0));
        let r = arith(&Value::scalar(10), &args(Value::scalar(4)), Op::Div).unwrap();
        assert_eq!(r, Value::scalar(2));
        let r = arith(&Value::scalar(-7), &args(Value::scalar(2)), Op::Div).unwrap();
        assert_eq!(r, Value::scalar(-4));
        let r = arith(&Value::scalar(-7), &args(Value::scalar(3)), Op::Mod).unwrap();
        assert_eq!(r, Value::scalar(2));
        assert!(arith(&Value::scalar(1), &args(Value::scalar(0)), Op::Div).is_err());
        assert_eq!(to_number(&Value::scalar("12abc")), Num::Int(12));
    }
}
