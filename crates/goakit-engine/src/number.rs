//! The number model of the math filters: Ruby Liquid 5.4's `Utils.to_number`
//! (an Integer of any size, or a `BigDecimal` for floats — read through
//! `Float#to_s` — and for decimal strings), `BigDecimal` arithmetic, the
//! conversion back to Float that `apply_operation` does, and
//! `Utils.to_integer`.
//!
//! Ruby's rules reproduced here:
//! - `Integer op Integer` is exact (`/` and `%` floored; a zero divisor
//!   raises `ZeroDivisionError: divided by 0`);
//! - anything with a `BigDecimal` is `BigDecimal` (`+ - *` exact, `/` to more
//!   digits than a Float holds, `%` floored), with BigDecimal's special values:
//!   `x / 0` is `±Infinity` (or `NaN` for `0 / 0`), `x % 0` raises, `NaN`
//!   spreads, `Infinity % x` is `NaN`, `x % ±Infinity` is `x`;
//! - `round(n)` rounds half away from zero; on a `BigDecimal` it gives an
//!   Integer when `n <= 0` (raising `FloatDomainError` for the special values)
//!   and a `BigDecimal` otherwise; the digits go through C's `int` (a
//!   `RangeError` outside 32 bits);
//! - `ceil`/`floor` give Integers (`FloatDomainError` for the specials).

use crate::filters::{FilterCtx, FilterError};
use crate::value::{Value, write_float};
use num_bigint::{BigInt, Sign};
use num_integer::Integer as _;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// A Ruby `BigDecimal`: `mantissa * 10^exponent`, or one of its special
/// values.
#[derive(Clone, Debug, PartialEq)]
pub enum Decimal {
    /// `mantissa * 10^exponent`; a zero mantissa is `+0`.
    Finite(BigInt, i64),
    /// `-0` (from `-0.0` or `"-0.0"`).
    NegZero,
    /// `Infinity` (`false`) or `-Infinity` (`true`).
    Infinite(bool),
    NaN,
}

/// What `Utils.to_number` gives: an Integer or a BigDecimal.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(BigInt),
    Dec(Decimal),
}

/// The arithmetic of `apply_operation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// Significant digits kept by a BigDecimal division (Ruby keeps at least
/// 36 here; only `to_f` of the quotient is ever seen).
const DIV_DIGITS: u64 = 40;

fn zero_div() -> FilterError {
    FilterError::Liquid("divided by 0".into())
}

fn float_domain(d: &Decimal) -> FilterError {
    FilterError::Liquid(match d {
        Decimal::Infinite(false) => "Computation results in 'Infinity'".into(),
        Decimal::Infinite(true) => "Computation results in '-Infinity'".into(),
        _ => "Computation results in 'NaN' (Not a Number)".into(),
    })
}

/// Decimal digits of `|m|` (1 for zero).
fn digits(m: &BigInt) -> u64 {
    if m.is_zero() {
        return 1;
    }
    // bits * log10(2), then corrected: cheap and exact enough for bounds,
    // exact via the string for small numbers.
    let bits = m.bits();
    if bits < 4096 {
        return m.magnitude().to_string().len() as u64;
    }
    (bits as f64 * std::f64::consts::LOG10_2).floor() as u64 + 1
}

fn pow10(n: u64, ctx: &FilterCtx) -> Result<BigInt, FilterError> {
    check_digits(n, ctx)?;
    Ok(num_traits::pow(BigInt::from(10u8), n as usize))
}

impl Decimal {
    /// Parses Ruby's float/decimal text: `-12.5`, `1.0e-05`, `3`, `Infinity`,
    /// `NaN` (surrounding whitespace allowed, as `BigDecimal()` allows it).
    pub fn parse(s: &str) -> Option<Decimal> {
        let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
        match s {
            "Infinity" | "+Infinity" => return Some(Decimal::Infinite(false)),
            "-Infinity" => return Some(Decimal::Infinite(true)),
            "NaN" => return Some(Decimal::NaN),
            _ => {}
        }
        let (neg, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (mant, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let m: BigInt = format!("{int}{frac}").parse().ok()?;
        if m.is_zero() {
            return Some(if neg {
                Decimal::NegZero
            } else {
                Decimal::Finite(BigInt::zero(), 0)
            });
        }
        let e = exp.checked_sub(frac.len() as i64)?;
        Some(Decimal::Finite(if neg { -m } else { m }, e))
    }

    /// `BigDecimal(float.to_s)`.
    pub fn from_f64(f: f64) -> Decimal {
        let mut s = String::new();
        write_float(f, &mut s);
        Decimal::parse(&s).unwrap_or(Decimal::NaN)
    }

    /// `BigDecimal#to_f`.
    pub fn to_f64(&self) -> f64 {
        match self {
            Decimal::NaN => f64::NAN,
            Decimal::Infinite(n) => {
                if *n {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            }
            Decimal::NegZero => -0.0,
            Decimal::Finite(m, e) => {
                if m.is_zero() {
                    return 0.0;
                }
                let d = digits(m) as i64;
                // Far outside the Float range: no need to print the digits.
                if d + e > 400 {
                    return if m.is_negative() {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    };
                }
                if d + e < -400 {
                    return if m.is_negative() { -0.0 } else { 0.0 };
                }
                format!("{m}e{e}").parse().unwrap_or(f64::NAN)
            }
        }
    }

    fn is_zero(&self) -> bool {
        matches!(self, Decimal::NegZero) || matches!(self, Decimal::Finite(m, _) if m.is_zero())
    }

    /// The sign for zero results: `true` when negative.
    fn is_negative(&self) -> bool {
        match self {
            Decimal::NegZero | Decimal::Infinite(true) => true,
            Decimal::Finite(m, _) => m.is_negative(),
            _ => false,
        }
    }

    fn parts(&self) -> (BigInt, i64) {
        match self {
            Decimal::Finite(m, e) => (m.clone(), *e),
            _ => (BigInt::zero(), 0),
        }
    }

    fn finite(m: BigInt, e: i64, neg_zero: bool) -> Decimal {
        if m.is_zero() {
            if neg_zero {
                Decimal::NegZero
            } else {
                Decimal::Finite(m, 0)
            }
        } else {
            Decimal::Finite(m, e)
        }
    }

    fn neg(&self) -> Decimal {
        match self {
            Decimal::Finite(m, e) if m.is_zero() => {
                let _ = e;
                Decimal::NegZero
            }
            Decimal::Finite(m, e) => Decimal::Finite(-m, *e),
            Decimal::NegZero => Decimal::Finite(BigInt::zero(), 0),
            Decimal::Infinite(n) => Decimal::Infinite(!n),
            Decimal::NaN => Decimal::NaN,
        }
    }

    /// Brings two finite values to one exponent.
    fn align(
        a: &Decimal,
        b: &Decimal,
        ctx: &FilterCtx,
    ) -> Result<(BigInt, BigInt, i64), FilterError> {
        let (ma, ea) = a.parts();
        let (mb, eb) = b.parts();
        let e = ea.min(eb);
        let sa = (ea - e) as u64;
        let sb = (eb - e) as u64;
        let ma = if sa > 0 && !ma.is_zero() {
            ma * pow10(sa, ctx)?
        } else {
            ma
        };
        let mb = if sb > 0 && !mb.is_zero() {
            mb * pow10(sb, ctx)?
        } else {
            mb
        };
        Ok((ma, mb, e))
    }

    pub fn add(&self, b: &Decimal, ctx: &FilterCtx) -> Result<Decimal, FilterError> {
        use Decimal::*;
        Ok(match (self, b) {
            (NaN, _) | (_, NaN) => NaN,
            (Infinite(x), Infinite(y)) => {
                if x == y {
                    Infinite(*x)
                } else {
                    NaN
                }
            }
            (Infinite(x), _) | (_, Infinite(x)) => Infinite(*x),
            _ => {
                let both_neg_zero = matches!(self, NegZero) && matches!(b, NegZero);
                let (ma, mb, e) = Decimal::align(self, b, ctx)?;
                Decimal::finite(ma + mb, e, both_neg_zero)
            }
        })
    }

    pub fn sub(&self, b: &Decimal, ctx: &FilterCtx) -> Result<Decimal, FilterError> {
        self.add(&b.neg(), ctx)
    }

    pub fn mul(&self, b: &Decimal, ctx: &FilterCtx) -> Result<Decimal, FilterError> {
        use Decimal::*;
        let neg = self.is_negative() != b.is_negative();
        Ok(match (self, b) {
            (NaN, _) | (_, NaN) => NaN,
            (Infinite(_), _) | (_, Infinite(_)) => {
                if self.is_zero() || b.is_zero() {
                    NaN
                } else {
                    Infinite(neg)
                }
            }
            _ => {
                let (ma, ea) = self.parts();
                let (mb, eb) = b.parts();
                check_digits(digits(&ma) + digits(&mb), ctx)?;
                let e = ea.checked_add(eb).ok_or(FilterError::Internal)?;
                Decimal::finite(ma * mb, e, neg)
            }
        })
    }

    pub fn div(&self, b: &Decimal, ctx: &FilterCtx) -> Result<Decimal, FilterError> {
        use Decimal::*;
        let neg = self.is_negative() != b.is_negative();
        Ok(match (self, b) {
            (NaN, _) | (_, NaN) => NaN,
            (Infinite(_), Infinite(_)) => NaN,
            (Infinite(_), _) => Infinite(neg),
            (_, Infinite(_)) => Decimal::finite(BigInt::zero(), 0, neg),
            _ if b.is_zero() => {
                if self.is_zero() {
                    NaN
                } else {
                    Infinite(neg)
                }
            }
            _ if self.is_zero() => Decimal::finite(BigInt::zero(), 0, neg),
            _ => {
                let (ma, ea) = self.parts();
                let (mb, eb) = b.parts();
                let (da, db) = (digits(&ma), digits(&mb));
                let s = (DIV_DIGITS + db + 1).saturating_sub(da);
                let num = if s > 0 { ma * pow10(s, ctx)? } else { ma };
                let q = num / mb;
                Decimal::finite(q, ea - eb - s as i64, neg)
            }
        })
    }

    /// Floored modulo (`BigDecimal#%`).
    pub fn rem(&self, b: &Decimal, ctx: &FilterCtx) -> Result<Decimal, FilterError> {
        use Decimal::*;
        if matches!(self, NaN) || matches!(b, NaN) {
            return Ok(NaN);
        }
        if b.is_zero() {
            return Err(zero_div());
        }
        if matches!(self, Infinite(_)) {
            return Ok(NaN);
        }
        if matches!(b, Infinite(_)) {
            return Ok(self.clone());
        }
        let (ma, mb, e) = Decimal::align(self, b, ctx)?;
        Ok(Decimal::finite(ma.mod_floor(&mb), e, false))
    }

    fn cmp(&self, b: &Decimal) -> Option<Ordering> {
        use Decimal::*;
        match (self, b) {
            (NaN, _) | (_, NaN) => None,
            (Infinite(x), Infinite(y)) => Some(y.cmp(x)),
            (Infinite(x), _) => Some(if *x {
                Ordering::Less
            } else {
                Ordering::Greater
            }),
            (_, Infinite(y)) => Some(if *y {
                Ordering::Greater
            } else {
                Ordering::Less
            }),
            _ => {
                let (ma, ea) = self.parts();
                let (mb, eb) = b.parts();
                if ma.sign() != mb.sign() || ma.is_zero() || mb.is_zero() {
                    return Some(ma.sign().cmp(&mb.sign()));
                }
                // Same sign, both non-zero: compare magnitudes by order first.
                let oa = digits(&ma) as i64 + ea;
                let ob = digits(&mb) as i64 + eb;
                let mag = if oa != ob {
                    oa.cmp(&ob)
                } else {
                    let ctx = FilterCtx::unlimited();
                    let (x, y, _) = Decimal::align(self, b, &ctx).ok()?;
                    x.abs().cmp(&y.abs())
                };
                Some(if ma.is_negative() { mag.reverse() } else { mag })
            }
        }
    }

    /// `BigDecimal#round(n)` half away from zero: an Integer for `n <= 0`.
    fn round(&self, n: i64, ctx: &FilterCtx) -> Result<Number, FilterError> {
        match self {
            Decimal::NaN | Decimal::Infinite(_) => {
                if n > 0 {
                    Ok(Number::Dec(self.clone()))
                } else {
                    Err(float_domain(self))
                }
            }
            Decimal::NegZero => Ok(if n > 0 {
                Number::Dec(self.clone())
            } else {
                Number::Int(BigInt::zero())
            }),
            Decimal::Finite(m, e) => {
                // Keep `n` fraction digits: scale to exponent -n.
                let target = -n;
                if *e >= target {
                    return Ok(if n > 0 {
                        Number::Dec(self.clone())
                    } else {
                        Number::Int(to_int_exact(m, *e, ctx)?)
                    });
                }
                let drop = (target - e) as u64;
                let rounded = if drop > digits(m) {
                    BigInt::zero()
                } else {
                    round_half_up(m, &pow10(drop, ctx)?)
                };
                if n > 0 {
                    Ok(Number::Dec(Decimal::finite(
                        rounded,
                        target,
                        m.is_negative(),
                    )))
                } else {
                    Ok(Number::Int(to_int_exact(&rounded, target, ctx)?))
                }
            }
        }
    }

    /// `ceil` (`up`) or `floor` as an Integer.
    fn to_int_rounding(&self, up: bool, ctx: &FilterCtx) -> Result<BigInt, FilterError> {
        match self {
            Decimal::NaN | Decimal::Infinite(_) => Err(float_domain(self)),
            Decimal::NegZero => Ok(BigInt::zero()),
            Decimal::Finite(m, e) => {
                if *e >= 0 {
                    return to_int_exact(m, *e, ctx);
                }
                let drop = (-e) as u64;
                if drop > digits(m) {
                    let z = BigInt::zero();
                    return Ok(match (up, m.sign()) {
                        (true, Sign::Plus) => BigInt::one(),
                        (false, Sign::Minus) => -BigInt::one(),
                        _ => z,
                    });
                }
                let p = pow10(drop, ctx)?;
                Ok(if up { m.div_ceil(&p) } else { m.div_floor(&p) })
            }
        }
    }

    fn abs(&self) -> Decimal {
        match self {
            Decimal::NegZero => Decimal::Finite(BigInt::zero(), 0),
            Decimal::Infinite(_) => Decimal::Infinite(false),
            Decimal::Finite(m, e) => Decimal::Finite(m.abs(), *e),
            Decimal::NaN => Decimal::NaN,
        }
    }
}

/// `m * 10^e` for `e >= 0`, bounded by the size budget.
fn to_int_exact(m: &BigInt, e: i64, ctx: &FilterCtx) -> Result<BigInt, FilterError> {
    if e <= 0 || m.is_zero() {
        return Ok(m.clone());
    }
    check_digits(digits(m).saturating_add(e as u64), ctx)?;
    Ok(m * pow10(e as u64, ctx)?)
}

/// `m / p` rounded half away from zero (`p > 0`).
fn round_half_up(m: &BigInt, p: &BigInt) -> BigInt {
    let (q, r) = m.abs().div_rem(p);
    let q = if r * 2u8 >= *p { q + 1u8 } else { q };
    if m.is_negative() { -q } else { q }
}

impl Number {
    /// `apply_operation`'s last step: a BigDecimal result becomes a Float.
    pub fn into_value(self) -> Value {
        match self {
            Number::Int(i) => Value::from_bigint(i),
            Number::Dec(d) => Value::Float(d.to_f64()),
        }
    }

    fn as_dec(&self) -> Decimal {
        match self {
            Number::Int(i) => Decimal::finite(i.clone(), 0, false),
            Number::Dec(d) => d.clone(),
        }
    }

    /// Ruby's `<=>` between Integers and BigDecimals (`None` with NaN).
    pub fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
            _ => self.as_dec().cmp(&other.as_dec()),
        }
    }

    /// `Integer#abs` / `BigDecimal#abs`.
    pub fn abs(&self) -> Number {
        match self {
            Number::Int(i) => Number::Int(i.abs()),
            Number::Dec(d) => Number::Dec(d.abs()),
        }
    }

    /// `ceil.to_i`.
    pub fn ceil(&self, ctx: &FilterCtx) -> Result<Value, FilterError> {
        match self {
            Number::Int(i) => Ok(Value::from_bigint(i.clone())),
            Number::Dec(d) => Ok(Value::from_bigint(d.to_int_rounding(true, ctx)?)),
        }
    }

    /// `floor.to_i`.
    pub fn floor(&self, ctx: &FilterCtx) -> Result<Value, FilterError> {
        match self {
            Number::Int(i) => Ok(Value::from_bigint(i.clone())),
            Number::Dec(d) => Ok(Value::from_bigint(d.to_int_rounding(false, ctx)?)),
        }
    }

    /// `self.round(digits)` where `digits` is `Utils.to_number(n)`
    /// (`Integer#round` / `BigDecimal#round`; the digits pass through C's
    /// `int`).
    pub fn round(&self, digits_arg: &Number, ctx: &FilterCtx) -> Result<Number, FilterError> {
        let n: i64 = match digits_arg {
            Number::Int(i) => i.to_i32().ok_or(FilterError::Internal)? as i64,
            Number::Dec(d) => match d {
                Decimal::NaN | Decimal::Infinite(_) => return Err(float_domain(d)),
                _ => {
                    let t = if d.is_negative() {
                        d.to_int_rounding(true, ctx)?
                    } else {
                        d.to_int_rounding(false, ctx)?
                    };
                    t.to_i32().ok_or(FilterError::Internal)? as i64
                }
            },
        };
        match self {
            Number::Int(i) => {
                if n >= 0 {
                    return Ok(Number::Int(i.clone()));
                }
                let k = (-n) as u64;
                if k > digits(i) {
                    return Ok(Number::Int(BigInt::zero()));
                }
                let p = pow10(k, ctx)?;
                Ok(Number::Int(round_half_up(i, &p) * p))
            }
            Number::Dec(d) => d.round(n, ctx),
        }
    }
}

/// The most decimal digits an integer result may have, whatever the size
/// budget: one multiplication or one `to_s` of a bigger integer cannot be
/// interrupted and takes seconds (num-bigint's `to_string` is quadratic), so
/// a squaring loop (`{% assign n = n | times: n %}`) would overrun the time
/// budget inside a single filter call.
pub const MAX_INT_DIGITS: u64 = 100_000;

/// Fails with the budget error when a result of `n` digits would exceed
/// the size budget or [`MAX_INT_DIGITS`].
fn check_digits(n: u64, ctx: &FilterCtx) -> Result<(), FilterError> {
    if n > MAX_INT_DIGITS {
        return Err(FilterError::Budget(format!(
            "a number of more than {MAX_INT_DIGITS} digits (the render budget)"
        )));
    }
    ctx.check_size(n as usize)
}

/// Ruby's `Integer op Integer` / BigDecimal arithmetic.
pub fn operate(a: &Number, b: &Number, op: Op, ctx: &FilterCtx) -> Result<Number, FilterError> {
    if let (Number::Int(x), Number::Int(y)) = (a, b) {
        return Ok(Number::Int(match op {
            Op::Add => {
                check_digits(digits(x).max(digits(y)) + 1, ctx)?;
                x + y
            }
            Op::Sub => {
                check_digits(digits(x).max(digits(y)) + 1, ctx)?;
                x - y
            }
            Op::Mul => {
                check_digits(digits(x) + digits(y), ctx)?;
                x * y
            }
            Op::Div => {
                if y.is_zero() {
                    return Err(zero_div());
                }
                x.div_floor(y)
            }
            Op::Rem => {
                if y.is_zero() {
                    return Err(zero_div());
                }
                x.mod_floor(y)
            }
        }));
    }
    let (x, y) = (a.as_dec(), b.as_dec());
    Ok(Number::Dec(match op {
        Op::Add => x.add(&y, ctx)?,
        Op::Sub => x.sub(&y, ctx)?,
        Op::Mul => x.mul(&y, ctx)?,
        Op::Div => x.div(&y, ctx)?,
        Op::Rem => x.rem(&y, ctx)?,
    }))
}

/// `apply_operation(input, operand, op)`: `Utils.to_number` on both, the
/// operation, then `to_f` of a BigDecimal result.
pub fn apply_operation(
    input: &Value,
    operand: &Value,
    op: Op,
    ctx: &FilterCtx,
) -> Result<Value, FilterError> {
    let r = operate(&to_number(input), &to_number(operand), op, ctx)?;
    Ok(r.into_value())
}

/// Ruby's whitespace for `strip`, `to_i` and `Integer()`.
fn is_ruby_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Ruby's `String#strip` (ASCII whitespace and NUL at both ends).
pub fn ruby_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c == '\0' || (c.is_ascii() && is_ruby_space(c as u8)))
}

/// Ruby's `String#to_i`: leading whitespace, a sign, decimal digits with
/// single underscores between them; anything else ends the number.
pub fn str_to_i(s: &str) -> BigInt {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_ruby_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut digits = String::new();
    while i < b.len() {
        if b[i].is_ascii_digit() {
            digits.push(b[i] as char);
        } else if b[i] == b'_' && !digits.is_empty() && i + 1 < b.len() && b[i + 1].is_ascii_digit()
        {
        } else {
            break;
        }
        i += 1;
    }
    let v: BigInt = digits.parse().unwrap_or_default();
    if neg { -v } else { v }
}

/// `/\A-?\d+\.\d+\z/`.
fn is_decimal_text(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Ruby's `Utils.to_number`: Integers as they are, Floats as
/// `BigDecimal(f.to_s)`, strings matching `/\A-?\d+\.\d+\z/` (after `strip`)
/// as BigDecimal, other strings `to_i`, everything else (nil, booleans,
/// arrays, hashes, ranges, drops) 0.
pub fn to_number(v: &Value) -> Number {
    match v {
        Value::Int(i) => Number::Int(BigInt::from(*i)),
        Value::BigInt(b) => Number::Int((**b).clone()),
        Value::Float(f) => Number::Dec(Decimal::from_f64(*f)),
        Value::Bin(_) => to_number(&Value::from(v.to_s().into_owned())),
        Value::Str(s) => {
            let t = ruby_strip(s);
            if is_decimal_text(t) {
                Number::Dec(Decimal::parse(t).unwrap_or(Decimal::NaN))
            } else {
                Number::Int(str_to_i(s))
            }
        }
        _ => Number::Int(BigInt::zero()),
    }
}

/// Ruby's `Kernel#Integer(string)` (strict): surrounding whitespace, a sign,
/// a `0x`/`0b`/`0o`/`0d`/`0` prefix, single underscores between digits.
pub fn ruby_integer(s: &str) -> Option<BigInt> {
    if let Some(nul) = s.find('\0') {
        // `rb_int_parse_cstr`: the word path (`ruby_scan_digits`) checks
        // the whole string, so there a NUL is an error (`Integer("5\0")`);
        // a digit run that overflows an unsigned 64-bit word, or that an
        // underscore follows, takes the bignum path, which reads a C string
        // and so ends at the first NUL (`Integer("1_2\0x")` is 12,
        // `Integer("9" * 20 + "\0")` passes, `Integer("0x" + "f" * 16 +
        // "\0")` fails).
        let head = &s[..nul];
        let (_, radix, body) = sign_radix_body(head);
        let run = body
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(body.len());
        let underscore = run > 0 && body[run..].starts_with('_');
        return ruby_integer(head).filter(|b| underscore || u64::try_from(b.magnitude()).is_err());
    }
    let (neg, radix, body) = sign_radix_body(s);
    let body = body.as_str();
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = BigInt::parse_bytes(clean.as_bytes(), radix)?;
    Some(if neg { -v } else { v })
}

/// `Integer(string)`'s reading of the text around the digits: Ruby's
/// spaces trimmed, the sign, the radix prefix (`0x`, `0b`, `0o`, `0d`, a
/// leading `0`); the digits left (lowercased).
fn sign_radix_body(s: &str) -> (bool, u32, String) {
    let t = s.trim_matches(|c: char| c.is_ascii() && is_ruby_space(c as u8));
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let lower = t.to_ascii_lowercase();
    let (radix, body) = if let Some(r) = lower.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (2, r)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = lower.strip_prefix("0d") {
        (10, r)
    } else if lower.len() > 1 && lower.starts_with('0') {
        let r = &lower[1..];
        (8, r.strip_prefix('_').unwrap_or(r))
    } else {
        (10, lower.as_str())
    };
    (neg, radix, body.to_string())
}

/// Ruby's `Utils.to_integer`: an Integer as it is, else
/// `Integer(num.to_s)`, failing with `invalid integer`.
pub fn to_integer(v: &Value) -> Result<Value, FilterError> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        other => ruby_integer(&other.to_s())
            .map(Value::from_bigint)
            .ok_or_else(|| FilterError::Liquid("invalid integer".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(a: Value, b: Value, o: Op) -> Result<Value, FilterError> {
        apply_operation(&a, &b, o, &FilterCtx::unlimited())
    }
    fn s(r: Result<Value, FilterError>) -> String {
        match r {
            Ok(v) => v.to_s().into_owned(),
            Err(FilterError::Liquid(m)) => format!("Liquid error: {m}"),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn integer_with_a_nul_follows_rubys_two_paths() {
        // What Ruby 3.1's `Integer(s)` gives (nil: ArgumentError).
        let cases: &[(&str, Option<&str>)] = &[
            ("5\0", None),
            ("1_2\0", Some("12")),
            ("1486953564_3\0_3", Some("14869535643")),
            ("123456789012345\0", None),
            ("18446744073709551615\0", None),
            ("18446744073709551616\0", Some("18446744073709551616")),
            ("1_0000000000000000000\0", Some("10000000000000000000")),
            ("0xffffffffffffffff\0", None),
            ("0xfffffffffffffffff\0", Some("295147905179352825855")),
            ("1_2\0x", Some("12")),
            ("12\0_3", None),
            ("-1_2\0", Some("-12")),
        ];
        for (s, want) in cases {
            let got = ruby_integer(s).map(|b| b.to_string());
            assert_eq!(got.as_deref(), *want, "Integer({s:?})");
        }
    }

    #[test]
    fn number_to_number_rules() {
        let n = |v: Value| to_number(&v);
        let i = |x: i64| Number::Int(BigInt::from(x));
        assert_eq!(n("abc".into()), i(0));
        assert_eq!(n("12abc".into()), i(12));
        assert_eq!(n(" 3 ".into()), i(3));
        assert_eq!(n("1_000".into()), i(1000));
        assert_eq!(n("1__0".into()), i(1));
        assert_eq!(n("- 5".into()), i(0));
        assert_eq!(n("+5".into()), i(5));
        assert_eq!(n("1e3".into()), i(1));
        assert_eq!(n(Value::Nil), i(0));
        assert_eq!(n(Value::Bool(true)), i(0));
        assert_eq!(n(vec![Value::Int(3)].into()), i(0));
        assert_eq!(
            n(" 3.5 ".into()),
            Number::Dec(Decimal::Finite(BigInt::from(35), -1))
        );
        assert_eq!(
            n(1.5.into()),
            Number::Dec(Decimal::Finite(BigInt::from(15), -1))
        );
        assert_eq!(
            n(1e-5.into()),
            Number::Dec(Decimal::Finite(BigInt::from(10), -6))
        );
    }

    #[test]
    fn number_arithmetic_matches_ruby() {
        use Op::*;
        assert_eq!(
            s(op(10.into(), 0.into(), Div)),
            "Liquid error: divided by 0"
        );
        assert_eq!(s(op(10.0.into(), 0.into(), Div)), "Infinity");
        assert_eq!(s(op(10.into(), 0.0.into(), Div)), "Infinity");
        assert_eq!(s(op(0.0.into(), 0.into(), Div)), "NaN");
        assert_eq!(
            s(op(10.into(), 0.0.into(), Rem)),
            "Liquid error: divided by 0"
        );
        assert_eq!(s(op(f64::INFINITY.into(), 2.into(), Rem)), "NaN");
        assert_eq!(s(op((-2).into(), f64::INFINITY.into(), Rem)), "-2.0");
        assert_eq!(s(op(2.into(), f64::INFINITY.into(), Div)), "0.0");
        assert_eq!(s(op(f64::INFINITY.into(), 0.into(), Mul)), "NaN");
        assert_eq!(s(op((-0.0).into(), 0.into(), Add)), "0.0");
        assert_eq!(s(op((-0.0).into(), 0.into(), Sub)), "-0.0");
        assert_eq!(
            s(op(i64::MIN.into(), (-1).into(), Div)),
            "9223372036854775808"
        );
        assert_eq!(s(op(7.into(), (-2).into(), Div)), "-4");
        assert_eq!(s(op((-7).into(), 2.into(), Rem)), "1");
        assert_eq!(s(op(7.5.into(), (-2).into(), Rem)), "-0.5");
        assert_eq!(s(op(1.into(), 3.0.into(), Div)), "0.3333333333333333");
        assert_eq!(s(op(10.into(), 3.0.into(), Div)), "3.3333333333333335");
        assert_eq!(s(op(0.1.into(), 0.2.into(), Add)), "0.3");
        assert_eq!(s(op(3.into(), 0.1.into(), Mul)), "0.3");
        assert_eq!(s(op(1.into(), 0.3.into(), Rem)), "0.1");
        assert_eq!(s(op("3.0".into(), 0.into(), Div)), "Infinity");
        assert_eq!(s(op(5.into(), (-3).into(), Rem)), "-1");
        let big: Value =
            Value::from_bigint("12345678901234567890123456789012345678901".parse().unwrap());
        assert_eq!(
            s(op(big, 1.into(), Add)),
            "12345678901234567890123456789012345678902"
        );
    }

    #[test]
    fn number_round_matches_ruby() {
        let ctx = FilterCtx::unlimited();
        let r = |a: Value, n: Value| {
            s(to_number(&a)
                .round(&to_number(&n), &ctx)
                .map(Number::into_value))
        };
        assert_eq!(r(1234.5678.into(), (-2).into()), "1200");
        assert_eq!(r(1250.into(), (-2).into()), "1300");
        assert_eq!(r((-1250).into(), (-2).into()), "-1300");
        assert_eq!(r((-2.5).into(), 0.into()), "-3");
        assert_eq!(r(2.675.into(), 2.into()), "2.68");
        assert_eq!(r(1.55.into(), 1.5.into()), "1.6");
        assert_eq!(r(5.5.into(), (-2147483648i64).into()), "0");
        assert_eq!(r(5.into(), 1000000000.into()), "5");
        assert_eq!(r(5.into(), 3000000000i64.into()), "Internal");
        assert_eq!(
            r(f64::INFINITY.into(), 0.into()),
            "Liquid error: Computation results in 'Infinity'"
        );
        assert_eq!(r(f64::INFINITY.into(), 2.into()), "Infinity");
        assert_eq!(
            r(f64::NAN.into(), 0.into()),
            "Liquid error: Computation results in 'NaN' (Not a Number)"
        );
        assert_eq!(
            r(5.5.into(), f64::NAN.into()),
            "Liquid error: Computation results in 'NaN' (Not a Number)"
        );
        assert_eq!(r(1250.5.into(), (-2.7).into()), "1300");
    }

    #[test]
    fn number_to_integer_is_kernel_integer() {
        let t = |s: &str| to_integer(&Value::from(s)).map(|v| v.to_s().into_owned());
        assert_eq!(t(" 2 "), Ok("2".into()));
        assert_eq!(t("0x2"), Ok("2".into()));
        assert_eq!(t("0b1"), Ok("1".into()));
        assert_eq!(t("010"), Ok("8".into()));
        assert_eq!(t("0_1"), Ok("1".into()));
        assert_eq!(t("1_0"), Ok("10".into()));
        assert_eq!(t("-0x1A"), Ok("-26".into()));
        assert_eq!(t("0o17"), Ok("15".into()));
        assert_eq!(t("0d19"), Ok("19".into()));
        assert_eq!(
            t("18446744073709551616\0x"),
            Ok("18446744073709551616".into())
        );
        for bad in [
            "08",
            "1__0",
            "_1",
            "1.5",
            "",
            "0x",
            "0x_1",
            "1_",
            "5\0",
            "+_1",
            "9223372036854775808\0",
            "-18446744073709551615\0",
        ] {
            assert_eq!(
                t(bad),
                Err(FilterError::Liquid("invalid integer".into())),
                "{bad}"
            );
        }
        assert_eq!(
            to_integer(&Value::Nil).err(),
            Some(FilterError::Liquid("invalid integer".into()))
        );
        assert_eq!(
            to_integer(&Value::Float(1.0)).err(),
            Some(FilterError::Liquid("invalid integer".into()))
        );
    }

    #[test]
    fn number_budget_bounds_big_results() {
        let ctx = FilterCtx {
            max_bytes: 1000,
            deadline: None,
        };
        let big = Value::from_bigint(num_traits::pow(BigInt::from(10), 900));
        assert!(matches!(
            apply_operation(&big, &big, Op::Mul, &ctx),
            Err(FilterError::Budget(_))
        ));
        let r = to_number(&Value::Int(5)).round(&Number::Int(BigInt::from(-2147483648i64)), &ctx);
        assert_eq!(r, Ok(Number::Int(BigInt::zero())));
        let f = to_number(&Value::Float(1e300));
        assert!(f.floor(&ctx).is_ok());
        let tiny = FilterCtx {
            max_bytes: 10,
            deadline: None,
        };
        assert!(matches!(f.floor(&tiny), Err(FilterError::Budget(_))));
    }
}
