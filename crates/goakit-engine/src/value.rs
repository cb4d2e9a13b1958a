//! The value model: what a Ruby Liquid 5.4 template sees, with Ruby's rules.
//!
//! Values are cheap to clone (strings, arrays and hashes are shared behind
//! `Arc`), hashes keep their insertion (JSON) order as Ruby's `Hash` does,
//! integers have any size (`Int`, spilling to `BigInt` outside `i64`), and a
//! range stays a range (never materialised) until something iterates it.
//!
//! Ruby behaviour matched here: `to_s` (what `{{ x }}` and string filters
//! see), `inspect` (Ruby 3.1's `Array#inspect` / `Hash#inspect`, also what
//! `to_s` of an array or hash is), `==`, truthiness (only nil and false are
//! falsy), `<=>`, and `VariableLookup#evaluate`'s lookup rules.

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};

/// A Ruby hash with string keys, in insertion order.
pub use crate::hash::Hash;

/// One Liquid value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    /// An Integer that fits in 64 bits.
    Int(i64),
    /// An Integer outside `i64` (never holds a value that fits `Int`).
    BigInt(Arc<BigInt>),
    Float(f64),
    Str(Arc<str>),
    /// A Ruby ASCII-8BIT string with a byte >= 0x80 (`base64_decode`'s
    /// result); its rules are in [`crate::binary`].
    Bin(Arc<[u8]>),
    Array(Arc<Vec<Value>>),
    Hash(Arc<Hash>),
    /// `(a..b)`: inclusive, integer bounds, never materialised.
    Range(Arc<RangeValue>),
    /// `forloop` inside `for` (and `render ... for`).
    Forloop(Arc<ForloopDrop>),
    /// `tablerowloop` inside `tablerow`.
    Tablerowloop(Arc<TablerowloopDrop>),
}

/// An integer range `first..last` (inclusive), bounds of any size.
#[derive(Clone, Debug)]
pub struct RangeValue {
    pub first: Value,
    pub last: Value,
}

impl RangeValue {
    /// Both bounds as `i64` when they fit.
    pub fn small(&self) -> Option<(i64, i64)> {
        match (&self.first, &self.last) {
            (Value::Int(a), Value::Int(b)) => Some((*a, *b)),
            _ => None,
        }
    }

    /// The number of elements, as Ruby's `Range#size` (0 when reversed).
    pub fn len(&self) -> BigInt {
        let a = self.first.to_bigint().unwrap_or_default();
        let b = self.last.to_bigint().unwrap_or_default();
        if b < a { BigInt::zero() } else { b - a + 1 }
    }

    pub fn is_empty(&self) -> bool {
        self.len().is_zero()
    }

    /// The `i`-th element (from 0), if there is one.
    pub fn nth(&self, i: u64) -> Option<Value> {
        if let Some((a, b)) = self.small() {
            let v = (a as i128) + i as i128;
            return (v <= b as i128).then(|| Value::from_i128(v));
        }
        let a = self.first.to_bigint()?;
        let b = self.last.to_bigint()?;
        let v = a + BigInt::from(i);
        (v <= b).then(|| Value::from_bigint(v))
    }
}

/// Ruby's `Liquid::ForloopDrop`: shared, its index moves as the loop runs.
#[derive(Debug)]
pub struct ForloopDrop {
    pub name: Arc<str>,
    pub length: i64,
    pub parentloop: Value,
    index: AtomicI64,
}

impl ForloopDrop {
    pub fn new(name: Arc<str>, length: i64, parentloop: Value) -> Self {
        ForloopDrop {
            name,
            length,
            parentloop,
            index: AtomicI64::new(0),
        }
    }
    pub fn index0(&self) -> i64 {
        self.index.load(AtomicOrdering::Relaxed)
    }
    pub fn increment(&self) {
        self.index.fetch_add(1, AtomicOrdering::Relaxed);
    }
    /// The drop's methods (`ForloopDrop`'s public instance methods).
    pub fn get(&self, key: &str) -> Value {
        let i = self.index0();
        let n = self.length;
        match key {
            "name" => Value::Str(self.name.clone()),
            "length" => Value::Int(n),
            "parentloop" => self.parentloop.clone(),
            "index" => Value::Int(i + 1),
            "index0" => Value::Int(i),
            "rindex" => Value::Int(n - i),
            "rindex0" => Value::Int(n - i - 1),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i == n - 1),
            _ => Value::Nil,
        }
    }
}

/// Ruby's `Liquid::TablerowloopDrop`.
#[derive(Debug)]
pub struct TablerowloopDrop {
    pub length: i64,
    pub cols: i64,
    state: std::sync::Mutex<(i64, i64, i64)>, // index, row, col
}

impl TablerowloopDrop {
    pub fn new(length: i64, cols: i64) -> Self {
        TablerowloopDrop {
            length,
            cols,
            state: std::sync::Mutex::new((0, 1, 1)),
        }
    }
    fn state(&self) -> (i64, i64, i64) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn col(&self) -> i64 {
        self.state().2
    }
    pub fn row(&self) -> i64 {
        self.state().1
    }
    pub fn col_last(&self) -> bool {
        self.state().2 == self.cols
    }
    pub fn last(&self) -> bool {
        self.state().0 == self.length - 1
    }
    pub fn increment(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 += 1;
        if s.2 == self.cols {
            s.2 = 1;
            s.1 += 1;
        } else {
            s.2 += 1;
        }
    }
    pub fn get(&self, key: &str) -> Value {
        let (i, row, col) = self.state();
        let n = self.length;
        match key {
            "length" => Value::Int(n),
            "col" => Value::Int(col),
            "row" => Value::Int(row),
            "index" => Value::Int(i + 1),
            "index0" => Value::Int(i),
            "col0" => Value::Int(col - 1),
            "rindex" => Value::Int(n - i),
            "rindex0" => Value::Int(n - i - 1),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i == n - 1),
            "col_first" => Value::Bool(col == 1),
            "col_last" => Value::Bool(col == self.cols),
            _ => Value::Nil,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(Arc::new(v))
    }
}
impl From<Hash> for Value {
    fn from(h: Hash) -> Self {
        Value::Hash(Arc::new(h))
    }
}

impl From<&serde_json::Value> for Value {
    /// JSON as Ruby's `JSON.parse` gives it: ordered hashes, Integer of any
    /// size for integral numbers, Float otherwise.
    fn from(j: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Nil,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::from_json_number(n),
            J::String(s) => Value::Str(s.as_str().into()),
            J::Array(a) => Value::Array(Arc::new(a.iter().map(Value::from).collect())),
            J::Object(o) => Value::Hash(Arc::new(
                o.iter()
                    .map(|(k, v)| (Arc::<str>::from(k.as_str()), Value::from(v)))
                    .collect(),
            )),
        }
    }
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// A JSON number as Ruby's JSON parser reads it.
    pub fn from_json_number(n: &serde_json::Number) -> Value {
        match n.as_i64() {
            Some(i) => Value::Int(i),
            None => crate::json::number(&n.to_string()),
        }
    }

    /// An integer, normalised (`Int` when it fits).
    pub fn from_bigint(b: BigInt) -> Value {
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Arc::new(b)),
        }
    }

    pub fn from_i128(i: i128) -> Value {
        match i64::try_from(i) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(Arc::new(BigInt::from(i))),
        }
    }

    pub fn range(first: Value, last: Value) -> Value {
        Value::Range(Arc::new(RangeValue { first, last }))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Ruby truthiness: everything but nil and false.
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Value::Int(_) | Value::BigInt(_))
    }

    pub fn to_bigint(&self) -> Option<BigInt> {
        match self {
            Value::Int(i) => Some(BigInt::from(*i)),
            Value::BigInt(b) => Some((**b).clone()),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Ruby's class name, as error messages print it.
    pub fn class_name(&self) -> &'static str {
        match self {
            Value::Nil => "NilClass",
            Value::Bool(true) => "TrueClass",
            Value::Bool(false) => "FalseClass",
            Value::Int(_) | Value::BigInt(_) => "Integer",
            Value::Float(_) => "Float",
            Value::Str(_) | Value::Bin(_) => "String",
            Value::Array(_) => "Array",
            Value::Hash(_) => "Hash",
            Value::Range(_) => "Range",
            Value::Forloop(_) => "Liquid::ForloopDrop",
            Value::Tablerowloop(_) => "Liquid::TablerowloopDrop",
        }
    }

    /// Ruby's `to_s`. Arrays and hashes give their `inspect` (Ruby 3.1).
    pub fn to_s(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Value::Str(s) => Cow::Borrowed(s),
            Value::Bin(b) => String::from_utf8_lossy(b),
            Value::Nil => Cow::Borrowed(""),
            Value::Bool(true) => Cow::Borrowed("true"),
            Value::Bool(false) => Cow::Borrowed("false"),
            Value::Forloop(_) => Cow::Borrowed("Liquid::ForloopDrop"),
            Value::Tablerowloop(_) => Cow::Borrowed("Liquid::TablerowloopDrop"),
            _ => {
                let mut s = String::new();
                self.write_to_s(&mut s);
                Cow::Owned(s)
            }
        }
    }

    /// Appends `to_s` to `out`.
    pub fn write_to_s(&self, out: &mut String) {
        match self {
            Value::Nil => {}
            Value::Str(s) => out.push_str(s),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::BigInt(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Float(f) => write_float(*f, out),
            Value::Range(r) => {
                r.first.write_to_s(out);
                out.push_str("..");
                r.last.write_to_s(out);
            }
            Value::Array(_) | Value::Hash(_) => self.write_inspect(out),
            other => out.push_str(&other.to_s()),
        }
    }

    /// What `{{ x }}` prints: arrays are joined (`Array#join`, nested arrays
    /// flattened), everything else is `to_s`.
    pub fn write_output(&self, out: &mut String) {
        match self {
            Value::Array(a) => write_join(a, "", out, 0),
            other => other.write_to_s(out),
        }
    }

    /// Ruby's `inspect`.
    pub fn inspect(&self) -> String {
        let mut s = String::new();
        self.write_inspect(&mut s);
        s
    }

    pub fn write_inspect(&self, out: &mut String) {
        self.write_inspect_depth(out, 0)
    }

    fn write_inspect_depth(&self, out: &mut String, depth: usize) {
        // Values from JSON cannot be self-referential; the depth cap only
        // keeps a pathological nesting from exhausting the stack.
        if depth > 512 {
            out.push_str("[...]");
            return;
        }
        match self {
            Value::Nil => out.push_str("nil"),
            Value::Str(s) => inspect_str(s, out),
            Value::Bin(b) => crate::binary::inspect_bytes(b, out),
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_inspect_depth(out, depth + 1);
                }
                out.push(']');
            }
            Value::Hash(h) => {
                out.push('{');
                for (i, (k, v)) in h.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    inspect_str(k, out);
                    out.push_str("=>");
                    v.write_inspect_depth(out, depth + 1);
                }
                out.push('}');
            }
            Value::Forloop(_) => out.push_str("#<Liquid::ForloopDrop>"),
            Value::Tablerowloop(_) => out.push_str("#<Liquid::TablerowloopDrop>"),
            other => other.write_to_s(out),
        }
    }

    /// Ruby's `==`.
    pub fn ruby_eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Nil, Nil) => true,
            (Bool(a), Bool(b)) => a == b,
            (Str(a), Str(b)) => a == b,
            (Bin(a), Bin(b)) => a == b,
            (Int(_) | BigInt(_) | Float(_), Int(_) | BigInt(_) | Float(_)) => {
                num_cmp(self, other) == Some(Ordering::Equal)
            }
            (Array(a), Array(b)) => {
                Arc::ptr_eq(a, b)
                    || (a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.ruby_eq(y)))
            }
            (Hash(a), Hash(b)) => {
                Arc::ptr_eq(a, b)
                    || (a.len() == b.len()
                        && a.iter()
                            .all(|(k, v)| b.get(k).is_some_and(|w| v.ruby_eq(w))))
            }
            (Range(a), Range(b)) => a.first.ruby_eq(&b.first) && a.last.ruby_eq(&b.last),
            (Forloop(a), Forloop(b)) => Arc::ptr_eq(a, b),
            (Tablerowloop(a), Tablerowloop(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Ruby's `eql?` as `Array#uniq` and `Hash#key?` use it: like `==`
    /// but `1` and `1.0` differ.
    pub fn ruby_eql(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Int(_) | BigInt(_), Float(_)) | (Float(_), Int(_) | BigInt(_)) => false,
            (Float(a), Float(b)) => a == b,
            (Array(a), Array(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.ruby_eql(y))
            }
            (Hash(a), Hash(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.ruby_eql(w)))
            }
            _ => self.ruby_eq(other),
        }
    }

    /// Ruby's `<=>`: `None` where Ruby answers nil (incomparable).
    pub fn ruby_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Int(_) | BigInt(_) | Float(_), Int(_) | BigInt(_) | Float(_)) => num_cmp(self, other),
            (Str(a), Str(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            // `rb_str_cmp`: bytes first, whatever the encodings.
            (Bin(a), Bin(b)) => Some(a.cmp(b)),
            (Bin(a), Str(b)) => Some((**a).cmp(b.as_bytes())),
            (Str(a), Bin(b)) => Some(a.as_bytes().cmp(b)),
            (Array(a), Array(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.ruby_cmp(y)? {
                        Ordering::Equal => continue,
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            (Nil, Nil) => Some(Ordering::Equal),
            (Bool(a), Bool(b)) if a == b => Some(Ordering::Equal),
            _ if self.ruby_eq(other) && !matches!(self, Float(_)) => Some(Ordering::Equal),
            _ => None,
        }
    }

    /// Whether Ruby's value answers `<`, `>`, `<=`, `>=` (Comparable).
    pub fn is_comparable(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Str(_) | Value::Bin(_)
        )
    }

    /// The text Ruby's `rb_cmperr` uses for the right side of a failed
    /// comparison: `inspect` for nil/true/false/numbers, else the class.
    pub fn cmperr_name(&self) -> String {
        // Ruby's special constants: nil, booleans, fixnums (62-bit), flonums.
        const FIXNUM: std::ops::RangeInclusive<i64> = -(1 << 62)..=(1 << 62) - 1;
        match self {
            Value::Int(i) if !FIXNUM.contains(i) => "Integer".to_string(),
            Value::Nil | Value::Bool(_) | Value::Int(_) | Value::Float(_) => self.inspect(),
            other => other.class_name().to_string(),
        }
    }

    /// `size` as the lookup command and the `size` filter see it (`None`:
    /// the value has no `size`).
    pub fn ruby_size(&self) -> Option<Value> {
        match self {
            Value::Str(s) => Some(Value::Int(s.chars().count() as i64)),
            // A binary string's characters are its bytes.
            Value::Bin(b) => Some(Value::Int(b.len() as i64)),
            Value::Array(a) => Some(Value::Int(a.len() as i64)),
            Value::Hash(h) => Some(Value::Int(h.len() as i64)),
            Value::Range(r) => Some(Value::from_bigint(r.len())),
            // Integer#size: the bytes of the machine representation.
            Value::Int(_) => Some(Value::Int(8)),
            // A bignum's size is the bytes of its magnitude.
            Value::BigInt(b) => Some(Value::Int(b.bits().div_ceil(8) as i64)),
            _ => None,
        }
    }

    /// `first` as Ruby's `respond_to?(:first)` values answer it.
    pub fn ruby_first(&self) -> Option<Value> {
        match self {
            Value::Array(a) => Some(a.first().cloned().unwrap_or_default()),
            Value::Hash(h) => Some(
                h.first()
                    .map(|(k, v)| Value::from(vec![Value::Str(k.clone()), v.clone()]))
                    .unwrap_or_default(),
            ),
            // `Range#first` is the range's begin, empty or not.
            Value::Range(r) => Some(r.first.clone()),
            _ => None,
        }
    }

    /// `last` as Ruby answers it (Hash has no `last`).
    pub fn ruby_last(&self) -> Option<Value> {
        match self {
            Value::Array(a) => Some(a.last().cloned().unwrap_or_default()),
            // `Range#last` is the range's end, empty or not (`(2..1).last` is 1).
            Value::Range(r) => Some(r.last.clone()),
            _ => None,
        }
    }

    /// One step of `VariableLookup#evaluate`: `object[key]`, then the
    /// `size`/`first`/`last` commands for dotted (not bracketed) names.
    pub fn lookup(&self, key: &Value, command: bool) -> Value {
        match (self, key) {
            (Value::Hash(h), Value::Str(k)) => {
                if let Some(v) = h.get(k) {
                    return v.clone();
                }
            }
            (Value::Array(a), Value::Int(i)) => {
                let len = a.len() as i64;
                let idx = if *i < 0 { i + len } else { *i };
                return if (0..len).contains(&idx) {
                    a[idx as usize].clone()
                } else {
                    Value::Nil
                };
            }
            (Value::Array(_), Value::BigInt(_)) => return Value::Nil,
            (Value::Forloop(f), Value::Str(k)) => return f.get(k),
            (Value::Tablerowloop(t), Value::Str(k)) => return t.get(k),
            (Value::Forloop(_) | Value::Tablerowloop(_), _) => return Value::Nil,
            _ => {}
        }
        if command && let Value::Str(k) = key {
            let r = match &**k {
                "size" => self.ruby_size(),
                "first" => self.ruby_first(),
                "last" => self.ruby_last(),
                _ => None,
            };
            return r.unwrap_or_default();
        }
        Value::Nil
    }

    /// Ruby's `empty?` where the value has it (`None`: it has not).
    pub fn ruby_empty(&self) -> Option<bool> {
        match self {
            Value::Str(s) => Some(s.is_empty()),
            Value::Bin(_) => Some(false),
            Value::Array(a) => Some(a.is_empty()),
            Value::Hash(h) => Some(h.is_empty()),
            _ => None,
        }
    }
}

/// Numeric comparison across Integer, BigInt and Float, as Ruby does it
/// (exact for big integers against floats; NaN is incomparable).
pub fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Int(_) | BigInt(_), Int(_) | BigInt(_)) => Some(a.to_bigint()?.cmp(&b.to_bigint()?)),
        (Float(x), _) => int_float_cmp(&b.to_bigint()?, *x).map(Ordering::reverse),
        (_, Float(y)) => int_float_cmp(&a.to_bigint()?, *y),
        _ => None,
    }
}

fn int_float_cmp(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let fl = f.floor();
    let fb = BigInt::from(fl as i128);
    // Values beyond i128 are far outside anything a template meets; use
    // the float's own ordering there.
    if fl.abs() >= 1e38 {
        return i.to_f64()?.partial_cmp(&f);
    }
    match i.cmp(&fb) {
        Ordering::Equal if f > fl => Some(Ordering::Less),
        o => Some(o),
    }
}

/// Ruby's `Array#join(sep)`: nested arrays joined recursively, each item
/// `to_s` (a hash gives its `inspect`).
pub fn write_join(items: &[Value], sep: &str, out: &mut String, depth: usize) {
    let mut first = true;
    for v in items {
        if !first {
            out.push_str(sep);
        }
        first = false;
        match v {
            Value::Array(inner) if depth < 512 => write_join(inner, sep, out, depth + 1),
            other => other.write_to_s(out),
        }
    }
}

/// Ruby's `String#inspect` for UTF-8 strings.
pub fn inspect_str(s: &str, out: &mut String) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            '\u{8}' => out.push_str("\\b"),
            '\u{7}' => out.push_str("\\a"),
            '\u{1b}' => out.push_str("\\e"),
            '#' if matches!(chars.peek(), Some('{' | '$' | '@')) => out.push_str("\\#"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Ruby's `Float#to_s`: the shortest digits that read back the same, in
/// fixed notation when the decimal point falls within 16 places (`100.0`,
/// `0.0001`; at the 16th place only when a fraction follows:
/// `1234567890123456.8` but `1.0e+15`), else `1.0e+16` / `1.0e-05`.
pub fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if f == 0.0 {
        out.push_str(if f.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e3".
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    if f < 0.0 {
        out.push('-');
    }
    if decpt > 0 && (decpt <= 15 || (decpt == 16 && digits.len() > 16)) {
        let d = decpt as usize;
        if digits.len() <= d {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', d - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        }
    } else if decpt <= 0 && decpt > -4 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-decpt) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if decpt - 1 < 0 { '-' } else { '+' },
            (decpt - 1).abs()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        let mut s = String::new();
        write_float(x, &mut s);
        s
    }

    #[test]
    fn floats_print_as_ruby() {
        assert_eq!(f(1e16), "1.0e+16");
        assert_eq!(f(1e15), "1.0e+15");
        assert_eq!(f(1e14), "100000000000000.0");
        assert_eq!(f(1234567890123456.8), "1234567890123456.8");
        assert_eq!(f(9.999999999999998e15), "9.999999999999998e+15");
        assert_eq!(f(123456789012345.0), "123456789012345.0");
        assert_eq!(f(1234567890123456.0), "1.234567890123456e+15");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(0.000012), "1.2e-05");
        assert_eq!(f(2.5), "2.5");
        assert_eq!(f(1e100), "1.0e+100");
        assert_eq!(f(5e-324), "5.0e-324");
        assert_eq!(f(f64::INFINITY), "Infinity");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn inspect_is_ruby_31() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":[1,"x",null,2.0],"c":{"d":true}}"#).unwrap();
        assert_eq!(
            Value::from(&j).inspect(),
            r#"{"b"=>1, "a"=>[1, "x", nil, 2.0], "c"=>{"d"=>true}}"#
        );
        assert_eq!(
            Value::from("a\u{1}\u{1b}#{x}").inspect(),
            r#""a\u0001\e\#{x}""#
        );
    }

    #[test]
    fn big_json_integers_stay_integers() {
        let j: serde_json::Value = serde_json::from_str(
            r#"{"n":18446744073709551615,"m":123456789012345678901234567890}"#,
        )
        .unwrap();
        let v = Value::from(&j);
        assert_eq!(
            v.to_s(),
            r#"{"n"=>18446744073709551615, "m"=>123456789012345678901234567890}"#
        );
    }
}
