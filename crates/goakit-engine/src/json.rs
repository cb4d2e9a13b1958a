//! JSON straight into engine values, as Ruby's `JSON.parse` gives them:
//! ordered hashes, Integer of any size for integral numbers, Float
//! otherwise (SPEC 4.2: the `api` hash, `project`, locales).
//!
//! API data is the largest thing a render holds (a list page of 100,000
//! rows), so it is read once, without a `serde_json::Value` tree in
//! between, and every hash key is shared: the 100,000 `"id"` keys of a
//! list are one `Arc<str>`. Ruby's JSON parser does the same for keys
//! (`freeze` + fstring table), so memory per row stays Ruby's order.

use crate::value::{Hash, Value};
use num_bigint::BigInt;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

/// serde_json's `arbitrary_precision` hands a number to `visit_map` as a
/// one-entry map under this key, its value the number's exact text (the
/// key `serde_json::Number`'s own `Deserialize` reads).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Parses JSON text into a value.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    from_slice(text.as_bytes())
}

/// Parses JSON bytes into a value.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut keys = Keys::default();
    let v = Seed { keys: &mut keys }.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A number's JSON text as Ruby reads it: `Integer` (any size) unless it
/// has a fraction or an exponent, then `Float` (`1e400` is Infinity).
pub fn number(text: &str) -> Value {
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        if let Ok(b) = text.parse::<BigInt>() {
            return Value::from_bigint(b);
        }
    }
    Value::Float(text.parse::<f64>().unwrap_or(f64::NAN))
}

/// A value as JSON (the variables panel shows what a page sees): a range
/// or a loop drop as its Ruby `to_s`, a float JSON cannot hold as null.
pub fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::BigInt(b) => b
            .to_string()
            .parse::<serde_json::Number>()
            .map_or(J::Null, J::Number),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.to_string()),
        Value::Bin(_) => J::String(v.to_s().into_owned()),
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Hash(h) => J::Object(h.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
        Value::Range(_) | Value::Forloop(_) | Value::Tablerowloop(_) => {
            J::String(v.to_s().into_owned())
        }
    }
}

/// Hash keys seen so far in one document.
#[derive(Default)]
struct Keys(HashSet<Arc<str>>);

impl Keys {
    fn get(&mut self, k: &str) -> Arc<str> {
        if let Some(a) = self.0.get(k) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(k);
        self.0.insert(a.clone());
        a
    }
}

struct Seed<'k> {
    keys: &'k mut Keys,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A key, interned.
struct KeySeed<'k> {
    keys: &'k mut Keys,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Arc<str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Arc<str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Arc<str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Arc<str>, E> {
        Ok(self.keys.get(s))
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::from_i128(u.into()))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(Seed {
            keys: &mut *self.keys,
        })? {
            items.push(v);
        }
        items.shrink_to_fit();
        Ok(Value::Array(Arc::new(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut hash = Hash::new();
        while let Some(k) = map.next_key_seed(KeySeed {
            keys: &mut *self.keys,
        })? {
            if hash.is_empty() && &*k == NUMBER_TOKEN {
                let text: String = map.next_value()?;
                return Ok(number(&text));
            }
            let v = map.next_value_seed(Seed {
                keys: &mut *self.keys,
            })?;
            hash.insert(k, v);
        }
        hash.shrink_to_fit();
        Ok(Value::Hash(Arc::new(hash)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect(text: &str) -> String {
        from_str(text).unwrap().inspect()
    }

    #[test]
    fn keeps_order_and_ruby_numbers() {
        assert_eq!(
            inspect(r#"{"b":1,"a":[1.0,2.5e3,-0.0,null,true,"x"]}"#),
            r#"{"b"=>1, "a"=>[1.0, 2500.0, -0.0, nil, true, "x"]}"#
        );
        assert_eq!(
            inspect("[18446744073709551616, 9223372036854775807, -9223372036854775809]"),
            "[18446744073709551616, 9223372036854775807, -9223372036854775809]"
        );
        assert_eq!(inspect("[1e400]"), "[Infinity]");
    }

    #[test]
    fn shares_keys_across_rows() {
        let v = from_str(r#"[{"id":1},{"id":2}]"#).unwrap();
        let Value::Array(rows) = v else { panic!() };
        let key = |r: &Value| match r {
            Value::Hash(h) => h.keys().next().unwrap().clone(),
            _ => panic!(),
        };
        assert!(Arc::ptr_eq(&key(&rows[0]), &key(&rows[1])));
    }

    #[test]
    fn a_key_named_like_the_number_token_later_in_a_hash_is_a_key() {
        // Only a first key can be serde_json's number marker, and JSON text
        // cannot produce it there: the marker is never a real key.
        let v = from_str(r#"{"a":1,"$serde_json::private::Number":"2"}"#).unwrap();
        assert_eq!(
            v.inspect(),
            r#"{"a"=>1, "$serde_json::private::Number"=>"2"}"#
        );
    }

    #[test]
    fn back_to_json_keeps_order_and_big_integers() {
        let text = r#"{"b":1,"a":[1.5,18446744073709551616,null,"x"]}"#;
        assert_eq!(to_json(&from_str(text).unwrap()).to_string(), text);
    }

    #[test]
    fn errors_and_trailing_text() {
        assert!(from_str("{").is_err());
        assert!(from_str("{} x").is_err());
        assert!(from_str(&"[".repeat(200)).is_err());
    }
}
