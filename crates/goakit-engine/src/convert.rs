//! Ruby's own conversions that tags and expressions use: `String#to_i`,
//! `String#to_f`, `Object#to_i` (tablerow's `cols`/`limit`/`offset`,
//! literal range bounds), `Utils.to_integer` (for's `limit`/`offset`).

use crate::value::Value;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// `String#to_i` (number.rs has Ruby's rule).
pub fn str_to_i(s: &str) -> Value {
    Value::from_bigint(crate::number::str_to_i(s))
}

/// `String#to_f` on a prefix: sign, digits, one `.digits`, an exponent.
pub fn parse_float_prefix(s: &str) -> f64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0B', '\x0C', '\r']);
    let b = t.as_bytes();
    let mut end = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits_start = end;
    while end < b.len() && (b[end].is_ascii_digit() || (b[end] == b'_' && end > digits_start)) {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' && b.get(end + 1).is_some_and(|c| c.is_ascii_digit()) {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end > digits_start && end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut e = end + 1;
        if matches!(b.get(e), Some(b'-' | b'+')) {
            e += 1;
        }
        if b.get(e).is_some_and(|c| c.is_ascii_digit()) {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
        }
    }
    t[..end].replace('_', "").parse::<f64>().unwrap_or(0.0)
}

/// Why a conversion failed, as Ruby says it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConvertError {
    /// A Liquid::Error text (`invalid integer`).
    Liquid(String),
    /// A Ruby exception outside Liquid (NoMethodError): `Liquid error: internal`.
    Internal,
}

/// `obj.to_i` for what a template can hold.
pub fn ruby_to_i(v: &Value) -> Result<Value, ConvertError> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Nil => Ok(Value::Int(0)),
        Value::Str(s) => Ok(str_to_i(s)),
        // A binary string's digits are ASCII: its lossy text reads the same.
        Value::Bin(_) => Ok(str_to_i(&v.to_s())),
        Value::Float(f) => float_to_i(*f),
        _ => Err(ConvertError::Internal),
    }
}

/// `Float#to_i` (truncation; NaN and infinities raise FloatDomainError).
pub fn float_to_i(f: f64) -> Result<Value, ConvertError> {
    if f.is_nan() {
        return Err(ConvertError::Liquid("NaN".into()));
    }
    if f.is_infinite() {
        return Err(ConvertError::Liquid(
            if f > 0.0 { "Infinity" } else { "-Infinity" }.into(),
        ));
    }
    let t = f.trunc();
    if let Some(i) = t.to_i64() {
        return Ok(Value::Int(i));
    }
    Ok(Value::from_bigint(
        num_bigint::BigInt::from(t as i128).max(BigInt::from(i128::MIN)),
    ))
}

/// `Utils.to_integer`: an Integer as it is, anything else through
/// `Integer(x.to_s)`, which fails with `invalid integer`.
pub fn to_integer(v: &Value) -> Result<Value, ConvertError> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        other => {
            kernel_integer(&other.to_s()).ok_or(ConvertError::Liquid("invalid integer".into()))
        }
    }
}

/// Ruby's `Kernel#Integer(string)` (number.rs has Ruby's rule).
pub fn kernel_integer(s: &str) -> Option<Value> {
    crate::number::ruby_integer(s).map(Value::from_bigint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_string_numbers() {
        assert_eq!(str_to_i(" 12abc").inspect(), "12");
        assert_eq!(str_to_i("1_000").inspect(), "1000");
        assert_eq!(str_to_i("abc").inspect(), "0");
        assert_eq!(parse_float_prefix("1.2.3"), 1.2);
        assert_eq!(parse_float_prefix("-1.5e3x"), -1500.0);
        assert_eq!(
            kernel_integer(" 0x1A ").map(|v| v.inspect()),
            Some("26".into())
        );
        assert!(kernel_integer("1.5").is_none());
        assert!(to_integer(&Value::str("x")).is_err());
    }
}
