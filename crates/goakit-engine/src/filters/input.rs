//! Ruby Liquid's `StandardFilters::InputIterator`, lazily: an Array is
//! flattened (`input.flatten`), a Hash is wrapped (`[input]`), an Enumerable
//! (a Range) is iterated as it is, anything else is `Array(input)` (nil gives
//! `[]`, a scalar `[scalar]`). Shared by join, sort, sort_natural, where,
//! uniq, reverse, map, compact and concat.
//!
//! Also the `item[property]` access those filters make on each item, with
//! Ruby's outcome: a value, a `TypeError` (Ruby then raises `cannot select
//! the property`), or a `NoMethodError` (the item has no `[]`).

use super::{FilterCtx, FilterError};
use crate::value::{RangeValue, Value};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::sync::Arc;

/// The items of `InputIterator.new(input)`, produced one at a time.
pub struct InputIter {
    /// Arrays being flattened: (array, next index).
    stack: Vec<(Arc<Vec<Value>>, usize)>,
    range: Option<(BigInt, BigInt)>,
    single: Option<Value>,
}

impl InputIter {
    pub fn new(input: &Value) -> InputIter {
        let mut it = InputIter {
            stack: Vec::new(),
            range: None,
            single: None,
        };
        match input {
            Value::Array(a) => it.stack.push((a.clone(), 0)),
            Value::Range(r) => {
                let RangeValue { first, last } = &**r;
                it.range = Some((
                    first.to_bigint().unwrap_or_default(),
                    last.to_bigint().unwrap_or_default(),
                ));
            }
            Value::Nil => {}
            other => it.single = Some(other.clone()),
        }
        it
    }

    /// All items, materialised within the size budget (16 bytes an item).
    pub fn collect(input: &Value, ctx: &FilterCtx) -> Result<Vec<Value>, FilterError> {
        if let Value::Range(r) = input {
            let n = r.len().to_usize().unwrap_or(usize::MAX);
            ctx.check_size(n.saturating_mul(16))?;
        }
        let mut out = Vec::new();
        for (i, v) in InputIter::new(input).enumerate() {
            if i % 4096 == 4095 {
                ctx.check_time()?;
                ctx.check_size(out.len().saturating_mul(16))?;
            }
            out.push(v);
        }
        Ok(out)
    }

    /// `InputIterator#empty?`.
    pub fn is_empty(input: &Value) -> bool {
        InputIter::new(input).next().is_none()
    }
}

impl Iterator for InputIter {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        if let Some(v) = self.single.take() {
            return Some(v);
        }
        if let Some((a, b)) = &mut self.range {
            if *a > *b {
                self.range = None;
                return None;
            }
            let v = Value::from_bigint(a.clone());
            *a += 1;
            return Some(v);
        }
        while let Some((arr, i)) = self.stack.last_mut() {
            if *i >= arr.len() {
                self.stack.pop();
                continue;
            }
            let v = arr[*i].clone();
            *i += 1;
            match v {
                Value::Array(inner) => self.stack.push((inner, 0)),
                v => return Some(v),
            }
        }
        None
    }
}

/// What `item[property]` did in Ruby.
pub enum Access {
    Value(Value),
    /// `TypeError` (e.g. `1["a"]`, `[1]["a"]`, `"s"[nil]`).
    TypeError,
    /// The item has no `[]` (nil, true, Float, Range): `NoMethodError`.
    NoMethod,
    /// Another Ruby exception (`RangeError` for a huge index).
    Internal,
}

fn index_of(p: &Value) -> Result<Option<i64>, Access> {
    match p {
        Value::Int(i) => Ok(Some(*i)),
        Value::BigInt(_) => Err(Access::Internal),
        Value::Float(f) if f.is_finite() => {
            let t = f.trunc();
            if t.abs() < 9.2e18 {
                Ok(Some(t as i64))
            } else {
                Err(Access::Internal)
            }
        }
        Value::Float(_) => Err(Access::Internal),
        _ => Ok(None),
    }
}

/// `ary[range]` / `str[range]`: the start and length of the slice (Ruby:
/// negative bounds count from the end, a start past the end is nil).
fn range_slice(len: i64, r: &crate::value::RangeValue) -> Result<Option<(usize, usize)>, Access> {
    let Some((a, b)) = r.small() else {
        return Err(Access::Internal);
    };
    let start = if a < 0 { a + len } else { a };
    if start < 0 || start > len {
        return Ok(None);
    }
    let end = if b < 0 { b + len } else { b };
    let count = (end - start + 1).clamp(0, len - start);
    Ok(Some((start as usize, count as usize)))
}

impl Access {
    /// The value, `None` where the item has no `[]` (each filter decides
    /// what Ruby's `NoMethodError` rescue gives), or the error Ruby raises.
    pub fn or_raise(self, property: &Value) -> Result<Option<Value>, FilterError> {
        match self {
            Access::Value(v) => Ok(Some(v)),
            Access::NoMethod => Ok(None),
            Access::TypeError => Err(property_error(property)),
            Access::Internal => Err(FilterError::Internal),
        }
    }
}

/// Ruby's `item[property]` for the values a template can hold.
pub fn access(item: &Value, property: &Value) -> Access {
    if let Value::Range(r) = property {
        match item {
            // `Integer#[range]` (Ruby's `int_aref1`): the number shifted
            // right by the begin (left when it is negative); when begin <
            // end, only its `end - begin + 1` low bits; begin == end is the
            // one bit at begin (0 below bit 0); begin > end, the shifted
            // number whole. Shifts past a million bits are refused
            // (Ruby's `shift width too big` starts later; the budget here).
            Value::Int(_) | Value::BigInt(_) => {
                const MAX_SHIFT: i64 = 1_000_000;
                let Some((a, b)) = r.small() else {
                    return Access::Internal;
                };
                let n = item.to_bigint().unwrap_or_default();
                if a == b {
                    let bit = (0..=MAX_SHIFT).contains(&a)
                        && ((n >> (a as usize)) & BigInt::from(1)) != BigInt::from(0);
                    return Access::Value(Value::Int(i64::from(bit)));
                }
                let len = i128::from(b) - i128::from(a) + 1;
                if a.unsigned_abs() > MAX_SHIFT as u64 || (a < b && len > i128::from(MAX_SHIFT)) {
                    return Access::Internal;
                }
                let shifted = if a >= 0 {
                    n >> (a as usize)
                } else {
                    n << (a.unsigned_abs() as usize)
                };
                if a > b {
                    return Access::Value(Value::from_bigint(shifted));
                }
                let mask = (BigInt::from(1) << (len as usize)) - 1;
                return Access::Value(Value::from_bigint(shifted & mask));
            }
            Value::Array(a) => {
                return match range_slice(a.len() as i64, r) {
                    Ok(Some((st, n))) => Access::Value(Value::from(a[st..st + n].to_vec())),
                    Ok(None) => Access::Value(Value::Nil),
                    Err(e) => e,
                };
            }
            Value::Str(s) => {
                return match range_slice(s.chars().count() as i64, r) {
                    Ok(Some((st, n))) => {
                        Access::Value(Value::from(s.chars().skip(st).take(n).collect::<String>()))
                    }
                    Ok(None) => Access::Value(Value::Nil),
                    Err(e) => e,
                };
            }
            // A binary string's characters are its bytes.
            Value::Bin(b) => {
                return match range_slice(b.len() as i64, r) {
                    Ok(Some((st, n))) => Access::Value(Value::binary(b[st..st + n].to_vec())),
                    Ok(None) => Access::Value(Value::Nil),
                    Err(e) => e,
                };
            }
            _ => {}
        }
    }
    match item {
        Value::Hash(h) => Access::Value(match property {
            Value::Str(k) => h.get(k).cloned().unwrap_or_default(),
            _ => Value::Nil,
        }),
        Value::Array(a) => match index_of(property) {
            Ok(Some(i)) => {
                let len = a.len() as i64;
                let idx = if i < 0 { i + len } else { i };
                Access::Value(if (0..len).contains(&idx) {
                    a[idx as usize].clone()
                } else {
                    Value::Nil
                })
            }
            Ok(None) => Access::TypeError,
            Err(e) => e,
        },
        Value::Str(s) => match property {
            Value::Str(p) => Access::Value(if s.contains(&**p) {
                Value::Str(p.clone())
            } else {
                Value::Nil
            }),
            _ => match index_of(property) {
                Ok(Some(i)) => {
                    let len = s.chars().count() as i64;
                    let idx = if i < 0 { i + len } else { i };
                    Access::Value(if (0..len).contains(&idx) {
                        s.chars()
                            .nth(idx as usize)
                            .map(|c| Value::from(c.to_string()))
                            .unwrap_or_default()
                    } else {
                        Value::Nil
                    })
                }
                Ok(None) => Access::TypeError,
                Err(e) => e,
            },
        },
        // `String#[]` on a binary string: bytes are its characters, and a
        // non-ASCII UTF-8 pattern is Ruby's `Encoding::CompatibilityError`.
        Value::Bin(b) => match property {
            Value::Str(p) if !p.is_ascii() => Access::Internal,
            Value::Str(p) => Access::Value(if crate::binary::includes(b, p.as_bytes()) {
                Value::Str(p.clone())
            } else {
                Value::Nil
            }),
            Value::Bin(p) => Access::Value(if crate::binary::includes(b, p) {
                Value::Bin(p.clone())
            } else {
                Value::Nil
            }),
            _ => match index_of(property) {
                Ok(Some(i)) => {
                    let len = b.len() as i64;
                    let idx = if i < 0 { i + len } else { i };
                    Access::Value(if (0..len).contains(&idx) {
                        Value::binary(vec![b[idx as usize]])
                    } else {
                        Value::Nil
                    })
                }
                Ok(None) => Access::TypeError,
                Err(e) => e,
            },
        },
        Value::Int(_) | Value::BigInt(_) => match property {
            // Integer#[i]: bit i.
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) => {
                let n = item.to_bigint().unwrap_or_default();
                let i = match index_of(property) {
                    Ok(Some(i)) => i,
                    Ok(None) => return Access::TypeError,
                    Err(_) => {
                        // A bit index past 64 bits (Ruby's `rb_big_aref` on
                        // a Bignum index): a negative one is below bit 0, so
                        // 0; a positive one is beyond the number, its sign bit.
                        let below = property.to_bigint().is_some_and(|i| i < BigInt::from(0))
                            || matches!(property, Value::Float(f) if *f < 0.0);
                        return Access::Value(Value::Int(i64::from(!below && n < BigInt::from(0))));
                    }
                };
                if i < 0 {
                    return Access::Value(Value::Int(0));
                }
                let bit = if i > 1_000_000 {
                    n < BigInt::from(0)
                } else {
                    (&n >> (i as usize)) % 2 != BigInt::from(0)
                };
                Access::Value(Value::Int(i64::from(bit)))
            }
            _ => Access::TypeError,
        },
        Value::Forloop(f) => Access::Value(f.get(&property.to_s())),
        Value::Tablerowloop(t) => Access::Value(t.get(&property.to_s())),
        Value::Nil | Value::Bool(_) | Value::Float(_) | Value::Range(_) => Access::NoMethod,
    }
}

/// Ruby's `respond_to?(:[])`.
pub fn responds_to_index(item: &Value) -> bool {
    !matches!(
        item,
        Value::Nil | Value::Bool(_) | Value::Float(_) | Value::Range(_)
    )
}

/// `raise_property_error(property)`.
pub fn property_error(property: &Value) -> FilterError {
    FilterError::Liquid(format!("cannot select the property '{}'", property.to_s()))
}
