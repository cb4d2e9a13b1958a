//! `date`: Ruby's
//! ```ruby
//! def date(input, format)
//!   return input if format.to_s.empty?
//!   return input unless (date = Utils.to_date(input))
//!   date.strftime(format.to_s)
//! end
//! def self.to_date(obj)            # Utils
//!   return nil if obj is an empty String; obj = obj.downcase
//!   case obj
//!   when 'now', 'today' then Time.now
//!   when /\A\d+\z/, Integer then Time.at(obj.to_i)
//!   when String then Time.parse(obj)
//!   end
//! rescue ::ArgumentError → nil
//! ```
//! The local zone is taken to be UTC. [`to_date`] is `Time.parse` as Ruby
//! 3.1 runs it: `Date._parse(str, comp = true)` ported subparser by
//! subparser from ruby/date's ext/date/date_parse.c (the preprocessing that
//! turns runs of other characters into one space; parse_day, parse_time
//! with its zone pattern, parse_eu, parse_us, parse_iso, parse_jis,
//! parse_vms, parse_sla, parse_dot, parse_iso2, parse_year, parse_mon,
//! parse_mday, parse_ddd, then parse_bc and parse_frag; `s3e`; BC and
//! two-digit year completion; the 128-byte limit), each pattern a
//! hand-written scanner, then lib/time.rb's `make_time` (leading missing
//! fields from now, trailing ones from the start, `yday`, `zone_offset`,
//! `apply_offset`, `Time.utc`'s field checks). Ruby's ArgumentError gives
//! nil, so the filter returns the input; its RangeError (a field past a C
//! int) escapes `Utils.to_date` and renders `Liquid error: internal`.
//! Known gap: non-ASCII letters count as letters (`[[:alpha:]]`) but never as digits.
//! [`strftime`] is Ruby's `Time#strftime` with the flags `-_0^#`, widths
//! and `%:z`.
//!
//! Ruby's `Time` holds any Integer of seconds (`Time.at(10**20)` is in the
//! year 3,168,873,852,651) and `Time.utc` any Integer year, so the calendar
//! here is goakit's own: the proleptic Gregorian civil date of a 128-bit
//! second count (Howard Hinnant's `civil_from_days`), not chrono's, whose
//! years end at 262,143. Beyond 128 bits a time also counts whole 400-year
//! cycles (146,097 days, a whole number of weeks, after which the calendar
//! repeats), so only printing its year or seconds needs a big integer.

use super::{FilterCtx, FilterError, FilterResult, s, text};
use crate::value::Value;
use chrono::{DateTime, FixedOffset, Utc};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

/// Years in one Gregorian cycle, and its seconds (146,097 days).
const CYCLE_YEARS: i128 = 400;
const CYCLE_SECS: i128 = 146_097 * 86_400;
/// Second counts and years up to this size stay plain 128-bit numbers
/// (every calendar step on them fits); larger ones are split into cycles.
const SMALL: i128 = 1 << 100;

/// A Ruby `Time`: the moment and its zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RubyTime {
    /// Seconds since 1970-01-01 00:00:00 UTC, less `cycles` whole cycles.
    pub secs: i128,
    /// Whole 400-year cycles ([`CYCLE_SECS`] each) beyond `secs`: zero for
    /// every time whose seconds fit [`SMALL`].
    pub cycles: BigInt,
    pub nanos: u32,
    /// The zone: local time minus UTC, in seconds.
    pub offset: i32,
}

/// A moment's civil fields in its zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Civil {
    year: i128,
    /// 1..=12
    month: u32,
    /// 1..=31
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Day of the year, 1..=366.
    ordinal: u32,
    /// 0 = Sunday.
    wday: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant).
fn days_from_civil(y: i128, m: u32, d: u32) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i128::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i128::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant).
fn civil_from_days(z: i128) -> (i128, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i128::from(m <= 2);
    (y, m, d)
}

impl RubyTime {
    fn from_chrono(t: DateTime<FixedOffset>) -> RubyTime {
        RubyTime {
            secs: i128::from(t.timestamp()),
            cycles: BigInt::zero(),
            nanos: t.timestamp_subsec_nanos(),
            offset: t.offset().local_minus_utc(),
        }
    }

    fn civil(&self) -> Civil {
        let local = self.secs + i128::from(self.offset);
        let days = local.div_euclid(86_400);
        let sod = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: sod / 3600,
            minute: sod / 60 % 60,
            second: sod % 60,
            ordinal: (days - days_from_civil(year, 1, 1) + 1) as u32,
            // 1970-01-01 was a Thursday.
            wday: (days + 4).rem_euclid(7) as u32,
        }
    }
}

impl Civil {
    /// ISO 8601 week-numbering year and week (`%G`, `%V`).
    fn iso_week(&self) -> (i128, u32) {
        let iso_wday = if self.wday == 0 { 7 } else { self.wday };
        let weeks_in = |y: i128| {
            let jan1 = (days_from_civil(y, 1, 1) + 4).rem_euclid(7);
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            if jan1 == 4 || (leap && jan1 == 3) {
                53
            } else {
                52
            }
        };
        let w = (self.ordinal as i128 - iso_wday as i128 + 10) / 7;
        if w < 1 {
            (self.year - 1, weeks_in(self.year - 1))
        } else if w > i128::from(weeks_in(self.year)) {
            (self.year + 1, 1)
        } else {
            (self.year, w as u32)
        }
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn now() -> RubyTime {
    RubyTime::from_chrono(Utc::now().fixed_offset())
}

/// `Time.at(secs)` in UTC.
fn at(secs: i128) -> RubyTime {
    RubyTime {
        secs,
        cycles: BigInt::zero(),
        nanos: 0,
        offset: 0,
    }
}

/// `Time.at(secs)` in UTC for any Integer.
fn at_big(secs: &BigInt) -> RubyTime {
    match secs.to_i128().filter(|s| s.abs() < SMALL) {
        Some(s) => at(s),
        None => {
            let (cycles, rest) = secs.div_mod_floor(&BigInt::from(CYCLE_SECS));
            RubyTime {
                cycles,
                ..at(rest.to_i128().unwrap_or(0))
            }
        }
    }
}

/// A year of any size as (whole cycles, the year within them).
fn split_year(year: &BigInt) -> (BigInt, i128) {
    match year.to_i128().filter(|y| y.abs() < SMALL) {
        Some(y) => (BigInt::zero(), y),
        None => {
            let (c, r) = year.div_mod_floor(&BigInt::from(CYCLE_YEARS));
            (c, r.to_i128().unwrap_or(0))
        }
    }
}

/// The text of `cycles` whole cycles of `unit` plus `rest` (no big
/// integer for the usual time, whose cycles are zero).
fn whole(cycles: &BigInt, unit: i128, rest: i128) -> String {
    if cycles.is_zero() {
        rest.to_string()
    } else {
        (cycles * BigInt::from(unit) + BigInt::from(rest)).to_string()
    }
}

/// Ruby's `Utils.to_date` (nil where Ruby gives nil, or raises).
pub fn to_date(v: &Value) -> Option<RubyTime> {
    to_date_or_raise(v).ok().flatten()
}

/// `Utils.to_date`, with the RangeError that escapes its `rescue
/// ArgumentError` (`Time.utc` given a field past a C int) as
/// [`FilterError::Internal`].
fn to_date_or_raise(v: &Value) -> Result<Option<RubyTime>, FilterError> {
    Ok(match v {
        Value::Int(i) => Some(at(i128::from(*i))),
        Value::BigInt(b) => Some(at_big(b)),
        Value::Str(st) => {
            if st.is_empty() {
                return Ok(None);
            }
            let low = st.to_lowercase();
            if low == "now" || low == "today" {
                return Ok(Some(now()));
            }
            if low.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(low.parse::<BigInt>().ok().map(|n| at_big(&n)));
            }
            match time_parse(&low, &now()) {
                Ok(t) => Some(t),
                Err(Fail::Arg) => None,
                Err(Fail::Range) => return Err(FilterError::Internal),
            }
        }
        _ => None,
    })
}

// ---------------------------------------------------------------------
// `Date._parse(str, comp = true)` (ruby/date ext/date/date_parse.c) and
// `Time.parse`'s `make_time` (lib/time.rb), ported rule by rule. Each
// Onigmo pattern is a hand-written scanner over the preprocessed bytes;
// the comment above each quotes the pattern. Inputs are at most 128 bytes
// (Date._parse's `limit:`), so every scan is bounded; nothing recurses on
// the input.
// ---------------------------------------------------------------------

/// A non-ASCII letter or digit (`[[:alnum:]]` is Unicode in Ruby).
const NA: u8 = 0x80;
/// Date._parse's `limit:` (bytes).
const PARSE_LIMIT: usize = 128;
/// Numbers are saturated here; anything this big is out of every range.
const HUGE: i128 = 1_000_000_000_000_000_000_000_000_000_000;

/// The hash `Date._parse` builds (the keys `Time.parse` reads).
#[derive(Debug, Clone)]
struct Hash {
    /// Any Integer (`str2num` has no limit; Date._parse's 128-byte one).
    year: Option<BigInt>,
    yday: Option<i128>,
    mon: Option<i128>,
    mday: Option<i128>,
    hour: Option<i128>,
    min: Option<i128>,
    sec: Option<i128>,
    /// `sec_fraction` as nanoseconds (Ruby's Rational, truncated).
    frac: Option<u32>,
    zone: Option<Vec<u8>>,
    comp: bool,
    bc: bool,
    /// parse_time_cb's `NUM2INT(h)` raised RangeError.
    range: bool,
}

/// How `Time.parse` fails: ArgumentError (rescued: nil) or RangeError
/// (not rescued by `Utils.to_date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    Arg,
    Range,
}

fn bt(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}
fn dig(c: u8) -> bool {
    c.is_ascii_digit()
}
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == NA
}
fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == NA
}
/// `\b` at `i`.
fn boundary(s: &[u8], i: usize) -> bool {
    let before = i > 0 && i <= s.len() && is_word(s[i - 1]);
    let after = i < s.len() && is_word(s[i]);
    before != after
}
fn digits(s: &[u8], i: usize) -> usize {
    s.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| dig(**c)).count())
}
fn spaces(s: &[u8], i: usize) -> usize {
    s.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| **c == b' ').count())
}
/// Length of a run of bytes at `i` that satisfy `f`.
fn run(s: &[u8], i: usize, f: impl Fn(u8) -> bool) -> usize {
    s.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| f(**c)).count())
}
fn starts(s: &[u8], i: usize, w: &[u8]) -> bool {
    s.get(i..).is_some_and(|r| r.starts_with(w))
}
/// `(?<!\d)\d` at `i`.
fn number_at(s: &[u8], i: usize) -> bool {
    dig(bt(s, i)) && (i == 0 || !dig(s[i - 1]))
}
/// `str2num` (`rb_str_to_inum(s, 10, 0)`), saturated at [`HUGE`].
fn num(s: &[u8]) -> i128 {
    let mut i = spaces(s, 0);
    let neg = bt(s, i) == b'-';
    if matches!(bt(s, i), b'-' | b'+') {
        i += 1;
    }
    let mut v: i128 = 0;
    for &c in &s[i.min(s.len())..] {
        if !dig(c) {
            break;
        }
        v = (v * 10 + i128::from(c - b'0')).min(HUGE);
    }
    if neg { -v } else { v }
}
/// `str2num` for a year: any number of digits.
fn big_num(s: &[u8]) -> BigInt {
    let mut i = spaces(s, 0);
    let neg = bt(s, i) == b'-';
    if matches!(bt(s, i), b'-' | b'+') {
        i += 1;
    }
    let d = digits(s, i);
    if d < 30 {
        return BigInt::from(num(s));
    }
    let v = BigInt::parse_bytes(&s[i..i + d], 10).unwrap_or_default();
    if neg { -v } else { v }
}
/// `n2i(s, f, w)`.
fn n2i(s: &[u8], f: usize, w: usize) -> i128 {
    num(&s[f..f + w])
}
/// `sec_fraction`: Rational(digits, 10**len) as nanoseconds.
fn frac_nanos(d: &[u8]) -> u32 {
    let mut n: u32 = 0;
    for k in 0..9 {
        n = n * 10 + u32::from(bt(d, k).wrapping_sub(b'0').min(9) * u8::from(k < d.len()));
    }
    n
}
/// `subx`: the match is replaced by one space.
fn sub(s: &mut Vec<u8>, a: usize, b: usize) {
    s.splice(a..b, [b' ']);
}

/// `ABBR_MONTHS` at `i`: the month number.
fn month_at(s: &[u8], i: usize) -> Option<i128> {
    let w = s.get(i..i + 3)?;
    MONTHS
        .iter()
        .position(|m| m.as_bytes() == w)
        .map(|p| p as i128 + 1)
}
fn day_at(s: &[u8], i: usize) -> Option<usize> {
    let w = s.get(i..i + 3)?;
    DAYS.iter().position(|d| d.as_bytes() == w)
}

const ERAS: [&[u8]; 8] = [
    b"ce", b"c.e.", b"bce", b"b.c.e.", b"ad", b"a.d.", b"bc", b"b.c.",
];

/// `(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))`, with
/// parse_eu's `\b` before and `(?!(?<!\.)[a-z])` after when `eu`: every
/// alternative that matches at `i`, in the regex's order.
fn eras_at(s: &[u8], i: usize, eu: bool) -> Vec<usize> {
    if eu && !boundary(s, i) {
        return Vec::new();
    }
    ERAS.iter()
        .filter(|e| starts(s, i, e))
        .map(|e| i + e.len())
        .filter(|&k| !(eu && bt(s, k).is_ascii_alphabetic() && s[k - 1] != b'.'))
        .collect()
}

/// `'?-?\d+`, with `(?:(?:st|nd|rd|th)\b)?` when `suffix`: its end.
fn year_tok(s: &[u8], i: usize, suffix: bool) -> Option<usize> {
    let mut k = i;
    if bt(s, k) == b'\'' {
        k += 1;
    }
    if bt(s, k) == b'-' {
        k += 1;
    }
    let n = digits(s, k);
    if n == 0 {
        return None;
    }
    k += n;
    if suffix {
        for sf in [b"st", b"nd", b"rd", b"th"] {
            if starts(s, k, sf) && boundary(s, k + 2) {
                return Some(k + 2);
            }
        }
    }
    Some(k)
}

/// `'?-?(?<!\d)\d+` (or `'?[-+]?` when `plus`) at `i`: the digits' span.
fn lead_num(s: &[u8], i: usize, plus: bool) -> Option<(usize, usize)> {
    let mut k = i;
    if bt(s, k) == b'\'' {
        k += 1;
    }
    if bt(s, k) == b'-' || (plus && bt(s, k) == b'+') {
        k += 1;
    }
    if !number_at(s, k) {
        return None;
    }
    Some((k, k + digits(s, k)))
}

/// `[ap](?:m\b|\.m\.)` at `i`: (pm, end).
fn meridian(s: &[u8], i: usize) -> Option<(bool, usize)> {
    let c = bt(s, i);
    if c != b'a' && c != b'p' {
        return None;
    }
    if bt(s, i + 1) == b'm' && boundary(s, i + 2) {
        return Some((c == b'p', i + 2));
    }
    if starts(s, i + 1, b".m.") {
        return Some((c == b'p', i + 4));
    }
    None
}

/// `s3e(hash, y, m, d, bc)`, as date_parse.c orders the three strings.
fn s3e(h: &mut Hash, y: Option<Vec<u8>>, m: Option<Vec<u8>>, d: Option<Vec<u8>>, bc: bool) {
    let (mut y, mut m, mut d) = (y, m, d);
    let mut c: Option<bool> = None;
    if y.is_some() && m.is_some() && d.is_none() {
        (y, m, d) = (None, y, m);
    }
    if y.is_none() {
        if d.as_ref().is_some_and(|d| d.len() > 2) {
            y = d.take();
        }
        if d.as_ref().is_some_and(|d| d.first() == Some(&b'\'')) {
            y = d.take();
        }
    }
    if let Some(yy) = y.clone() {
        let mut i = run(&yy, 0, |c| !matches!(c, b'-' | b'+') && !dig(c));
        if i < yy.len() {
            let bp = i;
            if matches!(yy[i], b'-' | b'+') {
                i += 1;
            }
            let ep = i + digits(&yy, i);
            if ep < yy.len() {
                y = d.take();
                d = Some(yy[bp..ep].to_vec());
            }
        }
    }
    if m.as_ref()
        .is_some_and(|mm| mm.first() == Some(&b'\'') || mm.len() > 2)
    {
        // us -> be
        (y, m, d) = (m, d, y);
    }
    if d.as_ref()
        .is_some_and(|dd| dd.first() == Some(&b'\'') || dd.len() > 2)
    {
        std::mem::swap(&mut y, &mut d);
    }
    if let Some(yy) = &y {
        let mut i = run(yy, 0, |c| !matches!(c, b'-' | b'+') && !dig(c));
        if i < yy.len() {
            let bp = i;
            if matches!(yy[i], b'-' | b'+') {
                i += 1;
                c = Some(false);
            }
            let l = digits(yy, i);
            if l > 2 {
                c = Some(false);
            }
            h.year = Some(big_num(&yy[bp..i + l]));
        }
    }
    if bc {
        h.bc = true;
    }
    if let Some(mm) = &m {
        let i = run(mm, 0, |c| !dig(c));
        if i < mm.len() {
            h.mon = Some(num(&mm[i..i + digits(mm, i)]));
        }
    }
    if let Some(dd) = &d {
        let i = run(dd, 0, |c| !dig(c));
        if i < dd.len() {
            h.mday = Some(num(&dd[i..i + digits(dd, i)]));
        }
    }
    if let Some(c) = c {
        h.comp = c;
    }
}

fn mon_str(m: i128) -> Option<Vec<u8>> {
    Some(m.to_string().into_bytes())
}

/// `\b(sun|mon|tue|wed|thu|fri|sat)[^-/\d\s]*` (the wday itself is not
/// read by Time.parse; the match is still blanked).
fn parse_day(s: &mut Vec<u8>) -> bool {
    for i in 0..s.len() {
        if boundary(s, i) && day_at(s, i).is_some() {
            let e = i + 3 + run(s, i + 3, |c| !matches!(c, b'-' | b'/' | b' ') && !dig(c));
            sub(s, i, e);
            return true;
        }
    }
    false
}

/// The zone after a time:
/// `(?:gmt|utc?)?[-+]\d+(?:[,.:]\d+(?::\d+)?)?`
/// `|(?-i:[[:alpha:].\s]+)(?:standard|daylight)\stime\b`
/// `|(?-i:[[:alpha:]]+)(?:\sdst)?\b` — its end.
fn zone_at(s: &[u8], t: usize) -> Option<usize> {
    for pre in [&b"gmt"[..], b"utc", b"ut", b""] {
        if !starts(s, t, pre) {
            continue;
        }
        let q = t + pre.len();
        if matches!(bt(s, q), b'-' | b'+') && dig(bt(s, q + 1)) {
            let mut e = q + 1 + digits(s, q + 1);
            if matches!(bt(s, e), b',' | b'.' | b':') && dig(bt(s, e + 1)) {
                e += 1 + digits(s, e + 1);
                if bt(s, e) == b':' && dig(bt(s, e + 1)) {
                    e += 1 + digits(s, e + 1);
                }
            }
            return Some(e);
        }
    }
    let r = run(s, t, |c| is_alpha(c) || c == b'.' || c == b' ');
    for q in (t + 1..t + r).rev() {
        if (starts(s, q, b"standard time") || starts(s, q, b"daylight time")) && boundary(s, q + 13)
        {
            return Some(q + 13);
        }
    }
    let a = run(s, t, is_alpha);
    if a > 0 {
        let e = t + a;
        if starts(s, e, b" dst") && boundary(s, e + 4) {
            return Some(e + 4);
        }
        if boundary(s, e) {
            return Some(e);
        }
    }
    None
}

/// ```text
/// ((?<!\d)\d+\s*(?:(?::\s*\d+(?:\s*:\s*\d+(?:[,.]\d*)?)?
///    |h(?:\s*\d+m?(?:\s*\d+s?)?)?)(?:\s*[ap](?:m\b|\.m\.))?
///  |[ap](?:m\b|\.m\.)))
/// (?:\s*(zone))?
/// ```
/// then parse_time_cb reads the time with
/// `\A(\d+)h?(?:\s*:?\s*(\d+)m?(?:\s*:?\s*(\d+)(?:[,.](\d+))?s?)?)?(?:\s*([ap])(?:m\b|\.m\.))?`.
fn parse_time(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        if !number_at(s, i) {
            continue;
        }
        let j0 = i + digits(s, i);
        let j = j0 + spaces(s, j0);
        let mut e;
        if bt(s, j) == b':' && dig(bt(s, j + 1 + spaces(s, j + 1))) {
            let k = j + 1 + spaces(s, j + 1);
            e = k + digits(s, k);
            let t = e + spaces(s, e);
            if bt(s, t) == b':' {
                let t2 = t + 1 + spaces(s, t + 1);
                if dig(bt(s, t2)) {
                    e = t2 + digits(s, t2);
                    if matches!(bt(s, e), b',' | b'.') {
                        e += 1 + digits(s, e + 1);
                    }
                }
            }
        } else if bt(s, j) == b'h' {
            e = j + 1;
            let t = e + spaces(s, e);
            if dig(bt(s, t)) {
                e = t + digits(s, t);
                if bt(s, e) == b'm' {
                    e += 1;
                }
                let t2 = e + spaces(s, e);
                if dig(bt(s, t2)) {
                    e = t2 + digits(s, t2);
                    if bt(s, e) == b's' {
                        e += 1;
                    }
                }
            }
        } else if let Some((_, me)) = meridian(s, j) {
            e = me;
        } else {
            continue;
        }
        if bt(s, j) == b':' || bt(s, j) == b'h' {
            let t = e + spaces(s, e);
            if let Some((_, me)) = meridian(s, t) {
                e = me;
            }
        }
        let time = s[i..e].to_vec();
        let t = e + spaces(s, e);
        let mut end = e;
        if let Some(ze) = zone_at(s, t) {
            h.zone = Some(s[t..ze].to_vec());
            end = ze;
        }
        sub(s, i, end);
        // parse_time_cb's second pattern, on the time alone.
        let b = &time[..];
        let mut p = digits(b, 0);
        let mut hour = num(&b[..p]);
        if bt(b, p) == b'h' {
            p += 1;
        }
        let colon = |p: usize| {
            let mut q = p + spaces(b, p);
            if bt(b, q) == b':' {
                q += 1;
            }
            q + spaces(b, q)
        };
        let q = colon(p);
        if dig(bt(b, q)) {
            p = q + digits(b, q);
            h.min = Some(num(&b[q..p]));
            if bt(b, p) == b'm' {
                p += 1;
            }
            let q = colon(p);
            if dig(bt(b, q)) {
                p = q + digits(b, q);
                h.sec = Some(num(&b[q..p]));
                if matches!(bt(b, p), b',' | b'.') && dig(bt(b, p + 1)) {
                    let n = digits(b, p + 1);
                    h.frac = Some(frac_nanos(&b[p + 1..p + 1 + n]));
                    p += 1 + n;
                }
                if bt(b, p) == b's' {
                    p += 1;
                }
            }
        }
        if let Some((pm, _)) = meridian(b, p + spaces(b, p)) {
            if i32::try_from(hour).is_err() {
                h.range = true;
            }
            hour = hour % 12 + if pm { 12 } else { 0 };
        }
        h.hour = Some(hour);
        return true;
    }
    false
}

/// ```text
/// ('?(?<!\d)\d+)[^-\d\s]*\s*(jan|...|dec)[^-\d\s']*
/// (?:\s*(?:\b(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))(?!(?<!\.)[a-z]))?
///    \s*('?-?\d+(?:(?:st|nd|rd|th)\b)?))?
/// ```
fn parse_eu(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    let cls = |c: u8| c != b'-' && c != b' ' && !dig(c);
    for i in 0..s.len() {
        let Some((_, dend)) = lead_num(s, i, false).filter(|_| bt(s, i) != b'-') else {
            continue;
        };
        let cend = dend + run(s, dend, cls);
        let q0 = cend + spaces(s, cend);
        let q = if month_at(s, q0).is_some() {
            q0
        } else if let Some(q) = (dend..cend).rev().find(|&q| month_at(s, q).is_some()) {
            q
        } else {
            continue;
        };
        let mon = month_at(s, q).unwrap_or(1);
        let m2 = q + 3 + run(s, q + 3, |c| cls(c) && c != b'\'');
        let t = m2 + spaces(s, m2);
        let mut found = None;
        for ee in eras_at(s, t, true) {
            let t2 = ee + spaces(s, ee);
            if let Some(ye) = year_tok(s, t2, true) {
                found = Some((Some(s[t] == b'b'), t2, ye));
                break;
            }
        }
        if found.is_none()
            && let Some(ye) = year_tok(s, t, true)
        {
            found = Some((None, t, ye));
        }
        let d = s[i..dend].to_vec();
        let (bc, y, end) = match found {
            Some((b, ys, ye)) => (b == Some(true), Some(s[ys..ye].to_vec()), ye),
            None => (false, None, m2),
        };
        sub(s, i, end);
        s3e(h, y, mon_str(mon), Some(d), bc);
        return true;
    }
    false
}

/// ```text
/// \b(jan|...|dec)[^-\d\s']*\s*('?\d+)[^-\d\s']*
/// (?:\s*+,?\s*+(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?\s*('?-?\d+))?
/// ```
fn parse_us(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    let cls = |c: u8| !matches!(c, b'-' | b' ' | b'\'') && !dig(c);
    for i in 0..s.len() {
        if !boundary(s, i) {
            continue;
        }
        let Some(mon) = month_at(s, i) else { continue };
        let mut k = i + 3 + run(s, i + 3, cls);
        k += spaces(s, k);
        let ds = k;
        if bt(s, k) == b'\'' {
            k += 1;
        }
        let n = digits(s, k);
        if n == 0 {
            continue;
        }
        let dend = k + n;
        let c2 = dend + run(s, dend, cls);
        let mut t = c2 + spaces(s, c2);
        if bt(s, t) == b',' {
            t += 1;
        }
        t += spaces(s, t);
        let mut found = None;
        for ee in eras_at(s, t, false) {
            let t2 = ee + spaces(s, ee);
            if let Some(ye) = year_tok(s, t2, false) {
                found = Some((s[t] == b'b', t2, ye));
                break;
            }
        }
        if found.is_none()
            && let Some(ye) = year_tok(s, t, false)
        {
            found = Some((false, t, ye));
        }
        let d = s[ds..dend].to_vec();
        let (bc, y, end) = match found {
            Some((b, ys, ye)) => (b, Some(s[ys..ye].to_vec()), ye),
            None => (false, None, c2),
        };
        sub(s, i, end);
        s3e(h, y, mon_str(mon), Some(d), bc);
        return true;
    }
    false
}

/// `('?[-+]?(?<!\d)\d+)-(\d+)-('?-?\d+)`
fn parse_iso(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let Some((_, e1)) = lead_num(s, i, true) else {
            continue;
        };
        if bt(s, e1) != b'-' || digits(s, e1 + 1) == 0 {
            continue;
        }
        let e2 = e1 + 1 + digits(s, e1 + 1);
        if bt(s, e2) != b'-' {
            continue;
        }
        let Some(e3) = year_tok(s, e2 + 1, false) else {
            continue;
        };
        let (y, m, d) = (
            s[i..e1].to_vec(),
            s[e1 + 1..e2].to_vec(),
            s[e2 + 1..e3].to_vec(),
        );
        sub(s, i, e3);
        s3e(h, Some(y), Some(m), Some(d), false);
        return true;
    }
    false
}

/// `\b([mtshr])(\d+)\.(\d+)\.(\d+)`
fn parse_jis(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let era = match bt(s, i) {
            b'm' => 1867,
            b't' => 1911,
            b's' => 1925,
            b'h' => 1988,
            b'r' => 2018,
            _ => continue,
        };
        if !boundary(s, i) {
            continue;
        }
        let a = i + 1;
        let ae = a + digits(s, a);
        if ae == a || bt(s, ae) != b'.' || digits(s, ae + 1) == 0 {
            continue;
        }
        let be = ae + 1 + digits(s, ae + 1);
        if bt(s, be) != b'.' || digits(s, be + 1) == 0 {
            continue;
        }
        let ce = be + 1 + digits(s, be + 1);
        let (y, m, d) = (big_num(&s[a..ae]), num(&s[ae + 1..be]), num(&s[be + 1..ce]));
        sub(s, i, ce);
        h.year = Some(y + era);
        h.mon = Some(m);
        h.mday = Some(d);
        return true;
    }
    false
}

/// vms11 `('?-?(?<!\d)\d+)-(jan|...|dec)[^-/.]*-('?-?\d+)`, then
/// vms12 `\b(jan|...|dec)[^-/.]*-('?-?\d+)(?:-('?-?\d+))?`
fn parse_vms(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    let cls = |c: u8| !matches!(c, b'-' | b'/' | b'.');
    for i in 0..s.len() {
        let Some((_, e1)) = lead_num(s, i, false) else {
            continue;
        };
        if bt(s, e1) != b'-' {
            continue;
        }
        let Some(mon) = month_at(s, e1 + 1) else {
            continue;
        };
        let k = e1 + 4 + run(s, e1 + 4, cls);
        if bt(s, k) != b'-' {
            continue;
        }
        let Some(ye) = year_tok(s, k + 1, false) else {
            continue;
        };
        let (d, y) = (s[i..e1].to_vec(), s[k + 1..ye].to_vec());
        sub(s, i, ye);
        s3e(h, Some(y), mon_str(mon), Some(d), false);
        return true;
    }
    for i in 0..s.len() {
        if !boundary(s, i) {
            continue;
        }
        let Some(mon) = month_at(s, i) else { continue };
        let k = i + 3 + run(s, i + 3, cls);
        if bt(s, k) != b'-' {
            continue;
        }
        let Some(de) = year_tok(s, k + 1, false) else {
            continue;
        };
        let d = s[k + 1..de].to_vec();
        let mut end = de;
        let mut y = None;
        if bt(s, de) == b'-'
            && let Some(ye) = year_tok(s, de + 1, false)
        {
            y = Some(s[de + 1..ye].to_vec());
            end = ye;
        }
        sub(s, i, end);
        s3e(h, y, mon_str(mon), Some(d), false);
        return true;
    }
    false
}

/// `('?\d+)` at `i`: its end.
fn apos_num(s: &[u8], i: usize) -> Option<usize> {
    let k = i + usize::from(bt(s, i) == b'\'');
    let n = digits(s, k);
    (n > 0).then_some(k + n)
}

/// `('?-?(?<!\d)\d+)/\s*('?\d+)(?:\D\s*('?-?\d+))?`
fn parse_sla(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let Some((_, e1)) = lead_num(s, i, false) else {
            continue;
        };
        if bt(s, e1) != b'/' {
            continue;
        }
        let ms = e1 + 1 + spaces(s, e1 + 1);
        let Some(me) = apos_num(s, ms) else { continue };
        let mut end = me;
        let mut d = None;
        if me < s.len() && !dig(s[me]) {
            let t = me + 1 + spaces(s, me + 1);
            if let Some(de) = year_tok(s, t, false) {
                d = Some(s[t..de].to_vec());
                end = de;
            }
        }
        let (y, m) = (s[i..e1].to_vec(), s[ms..me].to_vec());
        sub(s, i, end);
        s3e(h, Some(y), Some(m), d, false);
        return true;
    }
    false
}

/// `('?-?(?<!\d)\d+)\.\s*('?\d+)\.\s*('?-?\d+)`
fn parse_dot(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let Some((_, e1)) = lead_num(s, i, false) else {
            continue;
        };
        if bt(s, e1) != b'.' {
            continue;
        }
        let ms = e1 + 1 + spaces(s, e1 + 1);
        let Some(me) = apos_num(s, ms) else { continue };
        if bt(s, me) != b'.' {
            continue;
        }
        let ds = me + 1 + spaces(s, me + 1);
        let Some(de) = year_tok(s, ds, false) else {
            continue;
        };
        let (y, m, d) = (s[i..e1].to_vec(), s[ms..me].to_vec(), s[ds..de].to_vec());
        sub(s, i, de);
        s3e(h, Some(y), Some(m), Some(d), false);
        return true;
    }
    false
}

/// `(\d{2}|\d{4})` at `i` in the regex's order: the ends that fit.
fn d2or4(s: &[u8], i: usize) -> Vec<usize> {
    let n = digits(s, i);
    [2, 4]
        .into_iter()
        .filter(|&w| n >= w)
        .map(|w| i + w)
        .collect()
}

/// parse_iso2: iso21 `\b(\d{2}|\d{4})?-?w(\d{2})(?:-?(\d))?\b`,
/// iso22 `-w-(\d)\b`, iso23 `--(\d{2})?-(\d{2})\b`,
/// iso24 `--(\d{2})(\d{2})?\b`, iso25 `\b(\d{2}|\d{4})-(\d{3})\b` unless
/// `[,.](\d{2}|\d{4})-\d{3}\b`, iso26 `\b-(\d{3})\b` unless `\d-\d{3}\b`.
/// (cwyear, cweek and cwday are not read by Time.parse.)
fn parse_iso2(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    let n = s.len();
    // iso21
    for i in 0..=n {
        if !boundary(s, i) {
            continue;
        }
        let mut starts_at = d2or4(s, i);
        starts_at.push(i);
        for p in starts_at {
            let p = p + usize::from(bt(s, p) == b'-');
            if bt(s, p) != b'w' || digits(s, p + 1) < 2 {
                continue;
            }
            let w = p + 3;
            let mut ends = Vec::new();
            if bt(s, w) == b'-' && dig(bt(s, w + 1)) {
                ends.push(w + 2);
            }
            if dig(bt(s, w)) {
                ends.push(w + 1);
            }
            ends.push(w);
            if let Some(e) = ends.into_iter().find(|&e| boundary(s, e)) {
                sub(s, i, e);
                return true;
            }
        }
    }
    // iso22
    for i in 0..n {
        if starts(s, i, b"-w-") && dig(bt(s, i + 3)) && boundary(s, i + 4) {
            sub(s, i, i + 4);
            return true;
        }
    }
    // iso23
    for i in 0..n {
        if !starts(s, i, b"--") {
            continue;
        }
        let mut tries = Vec::new();
        if digits(s, i + 2) >= 2 && bt(s, i + 4) == b'-' {
            tries.push((Some(i + 2), i + 5));
        }
        if bt(s, i + 2) == b'-' {
            tries.push((None, i + 3));
        }
        for (m, dpos) in tries {
            if digits(s, dpos) >= 2 && boundary(s, dpos + 2) {
                if let Some(m) = m {
                    h.mon = Some(n2i(s, m, 2));
                }
                h.mday = Some(n2i(s, dpos, 2));
                sub(s, i, dpos + 2);
                return true;
            }
        }
    }
    // iso24
    for i in 0..n {
        if !starts(s, i, b"--") || digits(s, i + 2) < 2 {
            continue;
        }
        let mut e = None;
        if digits(s, i + 4) >= 2 && boundary(s, i + 6) {
            e = Some(i + 6);
        } else if boundary(s, i + 4) {
            e = Some(i + 4);
        }
        if let Some(e) = e {
            h.mon = Some(n2i(s, i + 2, 2));
            if e == i + 6 {
                h.mday = Some(n2i(s, i + 4, 2));
            }
            sub(s, i, e);
            return true;
        }
    }
    // iso25
    let ydd = |s: &[u8], p: usize| {
        d2or4(s, p)
            .into_iter()
            .find(|&e| bt(s, e) == b'-' && digits(s, e + 1) >= 3 && boundary(s, e + 4))
    };
    let guard = (0..n).any(|i| matches!(s[i], b',' | b'.') && ydd(s, i + 1).is_some());
    if !guard {
        for i in 0..n {
            if !boundary(s, i) {
                continue;
            }
            if let Some(e) = ydd(s, i) {
                h.year = Some(big_num(&s[i..e]));
                h.yday = Some(n2i(s, e + 1, 3));
                sub(s, i, e + 4);
                return true;
            }
        }
    }
    // iso26
    let guard = (0..n)
        .any(|i| dig(s[i]) && bt(s, i + 1) == b'-' && digits(s, i + 2) >= 3 && boundary(s, i + 5));
    if !guard {
        for i in 0..n {
            if s[i] == b'-' && boundary(s, i) && digits(s, i + 1) >= 3 && boundary(s, i + 4) {
                h.yday = Some(n2i(s, i + 1, 3));
                sub(s, i, i + 4);
                return true;
            }
        }
    }
    false
}

/// `'(\d+)\b`
fn parse_year(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let n = digits(s, i + 1);
        if s[i] == b'\'' && n > 0 && boundary(s, i + 1 + n) {
            h.year = Some(big_num(&s[i + 1..i + 1 + n]));
            sub(s, i, i + 1 + n);
            return true;
        }
    }
    false
}

/// `\b(jan|...|dec)\S*`
fn parse_mon(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        if boundary(s, i)
            && let Some(m) = month_at(s, i)
        {
            let e = i + 3 + run(s, i + 3, |c| c != b' ');
            h.mon = Some(m);
            sub(s, i, e);
            return true;
        }
    }
    false
}

/// `((?<!\d)\d+)(st|nd|rd|th)\b`
fn parse_mday(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        if !number_at(s, i) {
            continue;
        }
        let e = i + digits(s, i);
        if [b"st", b"nd", b"rd", b"th"]
            .iter()
            .any(|sf| starts(s, e, &sf[..]))
            && boundary(s, e + 2)
        {
            h.mday = Some(num(&s[i..e]));
            sub(s, i, e + 2);
            return true;
        }
    }
    false
}

/// ```text
/// ([-+]?)((?<!\d)\d{2,14})(?:\s*t?\s*(\d{2,6})?(?:[,.](\d*))?)?
/// (?:\s*(z\b|[-+]\d{1,4}\b|\[[-+]?\d[^\]]*\]))?
/// ```
fn parse_ddd(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        let k = i + usize::from(matches!(s[i], b'-' | b'+'));
        if !number_at(s, k) || digits(s, k) < 2 {
            continue;
        }
        let neg = s[i] == b'-';
        let s2 = s[k..k + digits(s, k).min(14)].to_vec();
        let mut p = k + s2.len();
        p += spaces(s, p);
        if bt(s, p) == b't' {
            p += 1;
        }
        p += spaces(s, p);
        let mut s3 = None;
        if digits(s, p) >= 2 {
            let w = digits(s, p).min(6);
            s3 = Some(s[p..p + w].to_vec());
            p += w;
        }
        let mut s4 = None;
        if matches!(bt(s, p), b',' | b'.') {
            let w = digits(s, p + 1);
            s4 = Some(s[p + 1..p + 1 + w].to_vec());
            p += 1 + w;
        }
        // If nothing of the optional group matched, its spaces and `t`
        // are still part of the match (the group matched them).
        let z = p + spaces(s, p);
        let mut s5 = None;
        if bt(s, z) == b'z' && boundary(s, z + 1) {
            s5 = Some((z, z + 1));
        } else if matches!(bt(s, z), b'-' | b'+') {
            let r = digits(s, z + 1);
            if (1..=4).contains(&r) && boundary(s, z + 1 + r) {
                s5 = Some((z, z + 1 + r));
            }
        } else if bt(s, z) == b'[' {
            let mut q = z + 1;
            if matches!(bt(s, q), b'-' | b'+') {
                q += 1;
            }
            if dig(bt(s, q))
                && let Some(c) = s[q + 1..].iter().position(|&c| c == b']')
            {
                s5 = Some((z, q + 2 + c));
            }
        }
        let end = s5.map_or(p, |(_, e)| e);
        let zone = s5.map(|(a, b)| s[a..b].to_vec());
        sub(s, i, end);
        ddd_cb(h, neg, &s2, s3.as_deref(), s4.as_deref(), zone);
        return true;
    }
    false
}

/// parse_ddd_cb.
fn ddd_cb(
    h: &mut Hash,
    neg: bool,
    c2: &[u8],
    s3: Option<&[u8]>,
    s4: Option<&[u8]>,
    s5: Option<Vec<u8>>,
) {
    let l2 = c2.len();
    let time = s3.is_none() && s4.is_some();
    let sgn = |y: i128| if neg { -y } else { y };
    match l2 {
        2 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
            } else {
                h.mday = Some(n2i(c2, 0, 2));
            }
        }
        4 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 4, 2));
            } else {
                h.mon = Some(n2i(c2, 0, 2));
                h.mday = Some(n2i(c2, 2, 2));
            }
        }
        6 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 4, 2));
                h.hour = Some(n2i(c2, l2 - 6, 2));
            } else {
                h.year = Some(BigInt::from(sgn(n2i(c2, 0, 2))));
                h.mon = Some(n2i(c2, 2, 2));
                h.mday = Some(n2i(c2, 4, 2));
            }
        }
        8 | 10 | 12 | 14 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 4, 2));
                h.hour = Some(n2i(c2, l2 - 6, 2));
                h.mday = Some(n2i(c2, l2 - 8, 2));
                if l2 >= 10 {
                    h.mon = Some(n2i(c2, l2 - 10, 2));
                }
                if l2 == 12 {
                    h.year = Some(BigInt::from(sgn(n2i(c2, l2 - 12, 2))));
                }
                if l2 == 14 {
                    h.year = Some(BigInt::from(sgn(n2i(c2, l2 - 14, 4))));
                    h.comp = false;
                }
            } else {
                h.year = Some(BigInt::from(sgn(n2i(c2, 0, 4))));
                h.mon = Some(n2i(c2, 4, 2));
                h.mday = Some(n2i(c2, 6, 2));
                if l2 >= 10 {
                    h.hour = Some(n2i(c2, 8, 2));
                }
                if l2 >= 12 {
                    h.min = Some(n2i(c2, 10, 2));
                }
                if l2 >= 14 {
                    h.sec = Some(n2i(c2, 12, 2));
                }
                h.comp = false;
            }
        }
        3 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 3, 1));
            } else {
                h.yday = Some(n2i(c2, 0, 3));
            }
        }
        5 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 4, 2));
                h.hour = Some(n2i(c2, l2 - 5, 1));
            } else {
                h.year = Some(BigInt::from(sgn(n2i(c2, 0, 2))));
                h.yday = Some(n2i(c2, 2, 3));
            }
        }
        7 => {
            if time {
                h.sec = Some(n2i(c2, l2 - 2, 2));
                h.min = Some(n2i(c2, l2 - 4, 2));
                h.hour = Some(n2i(c2, l2 - 6, 2));
                h.mday = Some(n2i(c2, l2 - 7, 1));
            } else {
                h.year = Some(BigInt::from(sgn(n2i(c2, 0, 4))));
                h.yday = Some(n2i(c2, 4, 3));
            }
        }
        _ => {}
    }
    if let Some(c3) = s3 {
        let l3 = c3.len();
        if matches!(l3, 2 | 4 | 6) {
            if s4.is_some() {
                h.sec = Some(n2i(c3, l3 - 2, 2));
                if l3 >= 4 {
                    h.min = Some(n2i(c3, l3 - 4, 2));
                }
                if l3 >= 6 {
                    h.hour = Some(n2i(c3, l3 - 6, 2));
                }
            } else {
                h.hour = Some(n2i(c3, 0, 2));
                if l3 >= 4 {
                    h.min = Some(n2i(c3, 2, 2));
                }
                if l3 >= 6 {
                    h.sec = Some(n2i(c3, 4, 2));
                }
            }
        }
    }
    if let Some(f) = s4 {
        h.frac = Some(frac_nanos(f));
    }
    if let Some(z) = s5 {
        if z.first() == Some(&b'[') {
            // `[offset:name]` or `[name]`: the zone is the name.
            let inner = &z[1..z.len() - 1];
            let name = match inner.iter().position(|&c| c == b':') {
                Some(c) => &inner[c + 1..],
                None => inner,
            };
            h.zone = Some(name.to_vec());
        } else {
            h.zone = Some(z);
        }
    }
}

/// `\b(bc\b|bce\b|b\.c\.|b\.c\.e\.)`
fn parse_bc(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    for i in 0..s.len() {
        if !boundary(s, i) {
            continue;
        }
        let e = if starts(s, i, b"bc") && boundary(s, i + 2) {
            i + 2
        } else if starts(s, i, b"bce") && boundary(s, i + 3) {
            i + 3
        } else if starts(s, i, b"b.c.") {
            i + 4
        } else {
            continue;
        };
        h.bc = true;
        sub(s, i, e);
        return true;
    }
    false
}

/// `\A\s*(\d{1,2})\s*\z`
fn parse_frag(s: &mut Vec<u8>, h: &mut Hash) -> bool {
    let a = spaces(s, 0);
    let n = digits(s, a);
    if !(1..=2).contains(&n) || a + n + spaces(s, a + n) != s.len() {
        return false;
    }
    let v = num(&s[a..a + n]);
    if h.hour.is_some() && h.mday.is_none() && (1..=31).contains(&v) {
        h.mday = Some(v);
    }
    if h.mday.is_some() && h.hour.is_none() && (0..=24).contains(&v) {
        h.hour = Some(v);
    }
    let len = s.len();
    sub(s, 0, len);
    true
}

const HAVE_ALPHA: u8 = 1;
const HAVE_DIGIT: u8 = 2;
const HAVE_DASH: u8 = 4;
const HAVE_DOT: u8 = 8;
const HAVE_SLASH: u8 = 16;

/// check_class, and `HAVE_ELEM_P(x)`.
fn have(s: &[u8], x: u8) -> bool {
    let mut f = 0;
    for &c in s {
        if c.is_ascii_alphabetic() {
            f |= HAVE_ALPHA;
        }
        if dig(c) {
            f |= HAVE_DIGIT;
        }
        match c {
            b'-' => f |= HAVE_DASH,
            b'.' => f |= HAVE_DOT,
            b'/' => f |= HAVE_SLASH,
            _ => {}
        }
    }
    f & x == x
}

/// `Date._parse(str, true)`; `None` for its ArgumentError (too long).
fn date_parse(str: &str) -> Option<Hash> {
    if str.len() > PARSE_LIMIT {
        return None;
    }
    // `str.gsub!(/[^-+',.\/:@[:alnum:]\[\]]+/, ' ')`
    let mut s: Vec<u8> = Vec::with_capacity(str.len());
    for c in str.chars() {
        let b = if c.is_ascii_alphanumeric() || "-+',./:@[]".contains(c) {
            c as u8
        } else if !c.is_ascii() && c.is_alphanumeric() {
            NA
        } else {
            b' '
        };
        if b == b' ' && s.last() == Some(&b' ') {
            continue;
        }
        s.push(b);
    }
    let mut h = Hash {
        year: None,
        yday: None,
        mon: None,
        mday: None,
        hour: None,
        min: None,
        sec: None,
        frac: None,
        zone: None,
        comp: true,
        bc: false,
        range: false,
    };
    let s = &mut s;
    if have(s, HAVE_ALPHA) {
        parse_day(s);
    }
    if have(s, HAVE_DIGIT) {
        parse_time(s, &mut h);
    }
    let h = &mut h;
    let _ = (have(s, HAVE_ALPHA | HAVE_DIGIT) && (parse_eu(s, h) || parse_us(s, h)))
        || (have(s, HAVE_DIGIT | HAVE_DASH) && parse_iso(s, h))
        || (have(s, HAVE_DIGIT | HAVE_DOT) && parse_jis(s, h))
        || (have(s, HAVE_ALPHA | HAVE_DIGIT | HAVE_DASH) && parse_vms(s, h))
        || (have(s, HAVE_DIGIT | HAVE_SLASH) && parse_sla(s, h))
        || (have(s, HAVE_DIGIT | HAVE_DOT) && parse_dot(s, h))
        || (have(s, HAVE_DIGIT) && parse_iso2(s, h))
        || (have(s, HAVE_DIGIT) && parse_year(s, h))
        || (have(s, HAVE_ALPHA) && parse_mon(s, h))
        || (have(s, HAVE_DIGIT) && parse_mday(s, h))
        || (have(s, HAVE_DIGIT) && parse_ddd(s, h));
    if have(s, HAVE_ALPHA) {
        parse_bc(s, h);
    }
    if have(s, HAVE_DIGIT) {
        parse_frag(s, h);
    }
    if h.bc
        && let Some(y) = &h.year
    {
        h.year = Some(1 - y);
    }
    if h.comp
        && let Some(y) = h.year.as_ref().and_then(ToPrimitive::to_i128)
        && (0..=99).contains(&y)
    {
        h.year = Some(BigInt::from(y + if y >= 69 { 1900 } else { 2000 }));
    }
    Some(h.clone())
}

/// Time.zone_offset (the local zone is UTC).
fn zone_offset(zone: &[u8]) -> Option<i128> {
    let z: Vec<u8> = zone.to_ascii_uppercase();
    let d2 = |i: usize| (digits(&z, i) >= 2).then(|| num(&z[i..i + 2]));
    if matches!(bt(&z, 0), b'+' | b'-') {
        let sign = if z[0] == b'-' { -1 } else { 1 };
        // /\A([+-])(\d\d)(:?)(\d\d)(?:\3(\d\d))?\z/
        if let Some(hh) = d2(1) {
            let colon = bt(&z, 3) == b':';
            let m = 3 + usize::from(colon);
            if let Some(mm) = d2(m) {
                let rest = &z[m + 2..];
                if rest.is_empty() {
                    return Some(sign * ((hh * 60 + mm) * 60));
                }
                let sep_ok = if colon {
                    rest.first() == Some(&b':')
                } else {
                    true
                };
                let r = &rest[usize::from(colon)..];
                if sep_ok && r.len() == 2 && digits(r, 0) == 2 {
                    return Some(sign * ((hh * 60 + mm) * 60 + num(r)));
                }
            }
            // /\A[+-]\d\d\z/
            if z.len() == 3 {
                return Some(sign * hh * 3600);
            }
        }
        return None;
    }
    let h = match &z[..] {
        b"UTC" | b"Z" | b"UT" | b"GMT" => 0,
        b"EST" => -5,
        b"EDT" => -4,
        b"CST" => -6,
        b"CDT" => -5,
        b"MST" => -7,
        b"MDT" => -6,
        b"PST" => -8,
        b"PDT" => -7,
        [c @ b'A'..=b'I'] => i128::from(c - b'A') + 1,
        [c @ b'K'..=b'M'] => i128::from(c - b'K') + 10,
        [c @ b'N'..=b'Y'] => -(i128::from(c - b'N') + 1),
        _ => return None,
    };
    Some(h * 3600)
}

fn leap(y: i128) -> bool {
    (y.rem_euclid(4) == 0 && y.rem_euclid(100) != 0) || y.rem_euclid(400) == 0
}

/// Time.month_days (Ruby's array index: `m - 1` may count from the end).
fn month_days(y: &BigInt, m: i128) -> Option<i128> {
    // The year of its cycle shares its calendar.
    let y = split_year(y).1;
    const COMMON: [i128; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let i = m - 1;
    let i = if i < 0 { i + 12 } else { i };
    let d = *COMMON.get(usize::try_from(i).ok()?)?;
    Some(if i == 1 && leap(y) { 29 } else { d })
}

type Fields = (BigInt, i128, i128, i128, i128, i128);

/// Time.apply_offset.
fn apply_offset(f: Fields, off: i128) -> (BigInt, i128, Option<i128>, i128, i128, i128) {
    let (mut year, mut mon, mut day, mut hour, mut min, mut sec) = f;
    let mut dayo = Some(day);
    if off < 0 {
        let mut off = -off;
        let o = off % 60;
        off /= 60;
        if o != 0 {
            sec += o;
            off += sec.div_euclid(60);
            sec = sec.rem_euclid(60);
        }
        let o = off % 60;
        off /= 60;
        if o != 0 {
            min += o;
            off += min.div_euclid(60);
            min = min.rem_euclid(60);
        }
        let o = off % 24;
        off /= 24;
        if o != 0 {
            hour += o;
            off += hour.div_euclid(24);
            hour = hour.rem_euclid(24);
        }
        if off != 0 {
            day += off;
            dayo = Some(day);
            if let Some(days) = month_days(&year, mon)
                && days < day
            {
                mon += 1;
                if mon > 12 {
                    mon = 1;
                    year += 1;
                }
                dayo = Some(1);
            }
        }
    } else if off > 0 {
        let mut off = off;
        let o = off % 60;
        off /= 60;
        if o != 0 {
            sec -= o;
            off -= sec.div_euclid(60);
            sec = sec.rem_euclid(60);
        }
        let o = off % 60;
        off /= 60;
        if o != 0 {
            min -= o;
            off -= min.div_euclid(60);
            min = min.rem_euclid(60);
        }
        let o = off % 24;
        off /= 24;
        if o != 0 {
            hour -= o;
            off -= hour.div_euclid(24);
            hour = hour.rem_euclid(24);
        }
        if off != 0 {
            day -= off;
            dayo = Some(day);
            if day < 1 {
                mon -= 1;
                if mon < 1 {
                    year -= 1;
                    mon = 12;
                }
                dayo = month_days(&year, mon);
            }
        }
    }
    (year, mon, dayo, hour, min, sec)
}

/// `Time.utc(year, mon, day, hour, min, sec, usec)` (ArgumentError → None).
fn time_utc(
    year: BigInt,
    mon: i128,
    day: i128,
    hour: i128,
    min: i128,
    sec: i128,
    nanos: u32,
) -> Result<RubyTime, Fail> {
    // time_arg: `obj2ubits(v, bits)` per field (NUM2INT's RangeError past
    // a C int, ArgumentError outside the bits), then validate_vtm.
    for (v, bits) in [(mon, 4), (day, 5), (hour, 5), (min, 6), (sec, 6)] {
        if i32::try_from(v).is_err() {
            return Err(Fail::Range);
        }
        if !(0..1 << bits).contains(&v) {
            return Err(Fail::Arg);
        }
    }
    let h24 = hour == 24;
    if !(1..=12).contains(&mon)
        || !(1..=31).contains(&day)
        || !(0..=24).contains(&hour)
        || !(0..=if h24 { 0 } else { 59 }).contains(&min)
        || !(0..=if h24 { 0 } else { 60 }).contains(&sec)
    {
        return Err(Fail::Arg);
    }
    let (cycles, year) = split_year(&year);
    let days = days_from_civil(year, mon as u32, 1) + day - 1;
    Ok(RubyTime {
        secs: days * 86_400 + hour * 3600 + min * 60 + sec,
        cycles,
        nanos,
        offset: 0,
    })
}

/// Time.make_time (lib/time.rb, Ruby 3.1).
#[allow(clippy::too_many_arguments)]
fn make_time(
    year: Option<BigInt>,
    yday: Option<i128>,
    mon: Option<i128>,
    day: Option<i128>,
    hour: Option<i128>,
    min: Option<i128>,
    sec: Option<i128>,
    frac: Option<u32>,
    zone: Option<&[u8]>,
    now: &RubyTime,
) -> Result<RubyTime, Fail> {
    if year.is_none()
        && yday.is_none()
        && mon.is_none()
        && day.is_none()
        && hour.is_none()
        && min.is_none()
        && sec.is_none()
        && frac.is_none()
    {
        return Err(Fail::Arg);
    }
    let off = zone.and_then(zone_offset);
    let now_local = RubyTime {
        offset: off.and_then(|o| i32::try_from(o).ok()).unwrap_or(0),
        ..now.clone()
    }
    .civil();
    let off_year = year.clone().unwrap_or_else(|| BigInt::from(now_local.year));
    if let Some(yday) = yday {
        if !(1..=366).contains(&yday) {
            return Err(Fail::Arg);
        }
        let (mut mon, mut day) = ((yday - 1) / 31 + 1, (yday - 1) % 31 + 1);
        let t = make_time(
            year.clone(),
            None,
            Some(mon),
            Some(day),
            hour,
            min,
            sec,
            frac,
            zone,
            now,
        )?;
        let diff = yday - i128::from(t.civil().ordinal);
        if diff == 0 {
            return Ok(t);
        }
        day += diff;
        if day > 28
            && let Some(md) = month_days(&off_year, mon)
            && day > md
        {
            mon += 1;
            if mon > 12 {
                return Err(Fail::Arg);
            }
            day -= md;
        }
        return make_time(
            year,
            None,
            Some(mon),
            Some(day),
            hour,
            min,
            sec,
            frac,
            zone,
            now,
        );
    }
    let n = now_local;
    let (mut year, mut mon, mut day, mut hour, mut min, mut sec) = (year, mon, day, hour, min, sec);
    let mut nanos = frac;
    // Leading missing fields come from now.
    'fill: {
        if year.is_some() {
            break 'fill;
        }
        year = Some(BigInt::from(n.year));
        if mon.is_some() {
            break 'fill;
        }
        mon = Some(n.month.into());
        if day.is_some() {
            break 'fill;
        }
        day = Some(n.day.into());
        if hour.is_some() {
            break 'fill;
        }
        hour = Some(n.hour.into());
        if min.is_some() {
            break 'fill;
        }
        min = Some(n.minute.into());
        if sec.is_some() {
            break 'fill;
        }
        sec = Some(n.second.into());
        if frac.is_some() {
            break 'fill;
        }
        nanos = Some(now.nanos / 1000 * 1000);
    }
    let f = (
        year.unwrap_or_else(|| BigInt::from(1970)),
        mon.unwrap_or(1),
        day.unwrap_or(1),
        hour.unwrap_or(0),
        min.unwrap_or(0),
        sec.unwrap_or(0),
    );
    let nanos = nanos.unwrap_or(0);
    match off {
        Some(off) => {
            let (y, m, d, h, mi, s) = apply_offset(f, off);
            let t = time_utc(y, m, d.unwrap_or(1), h, mi, s, nanos)?;
            // force_zone!: `localtime(off)` wants |off| < 86400.
            if off.abs() >= 86_400 {
                return Err(Fail::Arg);
            }
            Ok(RubyTime {
                offset: off as i32,
                ..t
            })
        }
        None => time_utc(f.0, f.1, f.2, f.3, f.4, f.5, nanos),
    }
}

/// Ruby's `Time.parse(text, now)` (nil for its ArgumentError).
fn time_parse(low: &str, now: &RubyTime) -> Result<RubyTime, Fail> {
    let h = date_parse(low).ok_or(Fail::Arg)?;
    if h.range {
        return Err(Fail::Range);
    }
    make_time(
        h.year,
        h.yday,
        h.mon,
        h.mday,
        h.hour,
        h.min,
        h.sec,
        h.frac,
        h.zone.as_deref(),
        now,
    )
}

const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Pads `body` as Ruby's strftime does.
fn pad(out: &mut String, body: &str, width: Option<usize>, padc: char, neg_ok: bool) {
    let w = width.unwrap_or(0);
    let len = body.chars().count();
    if len >= w {
        out.push_str(body);
        return;
    }
    if padc == '0' && neg_ok && body.starts_with('-') {
        out.push('-');
        out.extend(std::iter::repeat_n('0', w - len));
        out.push_str(&body[1..]);
        return;
    }
    out.extend(std::iter::repeat_n(padc, w - len));
    out.push_str(body);
}

/// Ruby's `Time#strftime`: `Liquid(invalid format: ...)` when the format
/// ends inside a directive, `Budget` when the text outgrows `max_bytes`.
/// Ruby's `case ':'` in strftime: one to three colons directly before a
/// `z` are taken (and their count returned); otherwise nothing is.
fn take_colons(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<usize> {
    let n = chars.clone().take_while(|&c| c == ':').count();
    if n == 0 || n > 3 || chars.clone().nth(n) != Some('z') {
        return None;
    }
    for _ in 0..n {
        chars.next();
    }
    Some(n)
}

pub fn strftime(t: &RubyTime, fmt: &str, max_bytes: usize) -> Result<String, FilterError> {
    let budget = || FilterError::Budget(format!("a filter result of more than {max_bytes} bytes"));
    let invalid = || FilterError::Liquid(format!("invalid format: {fmt}"));
    let time = t;
    let t = time.civil();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() > max_bytes {
            return Err(budget());
        }
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::from("%");
        let (mut no_pad, mut space, mut zero, mut upper, mut swap, mut colons) =
            (false, false, false, false, false, 0);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => no_pad = true,
                '_' => space = true,
                '0' => zero = true,
                '^' => upper = true,
                '#' => swap = true,
                // Ruby's `case ':'`: up to three colons, then `z`, else the
                // spec is unknown and printed as written up to the colon.
                ':' => match take_colons(&mut chars) {
                    Some(n) => {
                        colons = n;
                        spec.extend(std::iter::repeat_n(':', n));
                        continue;
                    }
                    None => break,
                },
                _ => break,
            }
            spec.push(f);
            chars.next();
        }
        let mut width = None;
        let mut wtext = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() {
                wtext.push(d);
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        if colons == 0
            && let Some(n) = take_colons(&mut chars)
        {
            colons = n;
            spec.extend(std::iter::repeat_n(':', n));
        }
        if !wtext.is_empty() {
            let w: usize = wtext.parse().map_err(|_| budget())?;
            if w > max_bytes {
                return Err(budget());
            }
            width = Some(w);
        }
        let Some(mut d) = chars.next() else {
            return Err(invalid());
        };
        // `E` and `O` modify only the conversions Ruby lists for them;
        // before anything else they make the spec unknown.
        let modified = match d {
            'E' => Some("cCxXyY"),
            'O' => Some("deHkIlmMSuUVwWy"),
            _ => None,
        };
        if let Some(allowed) = modified {
            match chars.peek() {
                Some(&n) if allowed.contains(n) => {
                    spec.push(d);
                    d = n;
                    chars.next();
                }
                _ => {
                    out.push_str(&spec);
                    out.push(d);
                    continue;
                }
            }
        }
        let numeric_text = |out: &mut String, body: &str, def_w: usize, def_pad: char| {
            let padc = if no_pad {
                None
            } else if space {
                Some(' ')
            } else if zero {
                Some('0')
            } else {
                Some(def_pad)
            };
            match padc {
                None => out.push_str(body),
                Some(p) => pad(out, body, Some(width.unwrap_or(def_w)), p, true),
            }
        };
        let numeric = |out: &mut String, v: i128, def_w: usize, def_pad: char| {
            numeric_text(out, &v.to_string(), def_w, def_pad)
        };
        let alpha = |out: &mut String, s: &str, lower_on_swap: bool| {
            let s = if upper || (swap && !lower_on_swap) {
                s.to_uppercase()
            } else if swap {
                s.to_lowercase()
            } else {
                s.to_string()
            };
            let padc = if zero { '0' } else { ' ' };
            if no_pad {
                out.push_str(&s);
            } else {
                pad(out, &s, width, padc, false);
            }
        };
        let hour12 = |h: u32| {
            if h.is_multiple_of(12) {
                12
            } else {
                i128::from(h % 12)
            }
        };
        match d {
            // strftime.c: `FMT('0', 0 <= y ? 4 : 5, "ld", y)`.
            // Year, century, ISO year and seconds are whole: a cycle is
            // 400 years, 4 centuries, `CYCLE_SECS` seconds.
            'Y' => {
                let y = whole(&time.cycles, CYCLE_YEARS, t.year);
                let w = if y.starts_with('-') { 5 } else { 4 };
                numeric_text(&mut out, &y, w, '0')
            }
            'C' => numeric_text(
                &mut out,
                &whole(&time.cycles, 4, t.year.div_euclid(100)),
                2,
                '0',
            ),
            'y' => numeric(&mut out, t.year.rem_euclid(100), 2, '0'),
            'm' => numeric(&mut out, t.month.into(), 2, '0'),
            'd' => numeric(&mut out, t.day.into(), 2, '0'),
            'e' => numeric(&mut out, t.day.into(), 2, ' '),
            'j' => numeric(&mut out, t.ordinal.into(), 3, '0'),
            'H' => numeric(&mut out, t.hour.into(), 2, '0'),
            'k' => numeric(&mut out, t.hour.into(), 2, ' '),
            'I' => numeric(&mut out, hour12(t.hour), 2, '0'),
            'l' => numeric(&mut out, hour12(t.hour), 2, ' '),
            'M' => numeric(&mut out, t.minute.into(), 2, '0'),
            'S' => numeric(&mut out, t.second.into(), 2, '0'),
            'L' => {
                let ms = format!("{:09}", time.nanos);
                let w = width.unwrap_or(3);
                let body: String = ms.chars().chain(std::iter::repeat('0')).take(w).collect();
                out.push_str(&body);
            }
            'N' => {
                let ns = format!("{:09}", time.nanos);
                let w = width.unwrap_or(9);
                let body: String = ns.chars().chain(std::iter::repeat('0')).take(w).collect();
                out.push_str(&body);
            }
            'u' => numeric(
                &mut out,
                if t.wday == 0 { 7 } else { t.wday.into() },
                1,
                '0',
            ),
            'w' => numeric(&mut out, t.wday.into(), 1, '0'),
            'U' => {
                let wd = i128::from(t.wday);
                numeric(&mut out, (i128::from(t.ordinal) - 1 + 7 - wd) / 7, 2, '0')
            }
            'W' => {
                let wd = i128::from((t.wday + 6) % 7);
                numeric(&mut out, (i128::from(t.ordinal) - 1 + 7 - wd) / 7, 2, '0')
            }
            'G' => numeric_text(
                &mut out,
                &whole(&time.cycles, CYCLE_YEARS, t.iso_week().0),
                4,
                '0',
            ),
            'g' => numeric(&mut out, t.iso_week().0.rem_euclid(100), 2, '0'),
            'V' => numeric(&mut out, t.iso_week().1.into(), 2, '0'),
            's' => numeric_text(
                &mut out,
                &whole(&time.cycles, CYCLE_SECS, time.secs),
                1,
                '0',
            ),
            'a' => alpha(&mut out, &DAY_NAMES[t.wday as usize][..3], false),
            'A' => alpha(&mut out, DAY_NAMES[t.wday as usize], false),
            'b' | 'h' => alpha(&mut out, &MONTH_NAMES[t.month as usize - 1][..3], false),
            'B' => alpha(&mut out, MONTH_NAMES[t.month as usize - 1], false),
            'p' => alpha(&mut out, if t.hour < 12 { "AM" } else { "PM" }, true),
            'P' => alpha(&mut out, if t.hour < 12 { "am" } else { "pm" }, false),
            'Z' => alpha(&mut out, if time.offset == 0 { "UTC" } else { "" }, true),
            'z' => {
                let off = time.offset;
                let sign = if off < 0 { '-' } else { '+' };
                let a = off.abs();
                let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
                let body = match colons {
                    0 => format!("{h:02}{m:02}"),
                    1 => format!("{h:02}:{m:02}"),
                    3 if m == 0 && sec == 0 => format!("{h:02}"),
                    3 => format!("{h:02}:{m:02}"),
                    _ => format!("{h:02}:{m:02}:{sec:02}"),
                };
                let full = format!("{sign}{body}");
                let padc = if space { ' ' } else { '0' };
                match width {
                    Some(w) if w > full.len() && padc == '0' => {
                        out.push(sign);
                        out.extend(std::iter::repeat_n('0', w - full.len()));
                        out.push_str(&body);
                    }
                    Some(w) if w > full.len() => {
                        out.extend(std::iter::repeat_n(' ', w - full.len()));
                        out.push_str(&full);
                    }
                    _ => out.push_str(&full),
                }
            }
            // `FILL_PADDING(1)`: the width in spaces (`0` flag: zeros,
            // `-`: none), then the character.
            'n' | 't' | '%' => {
                if !no_pad && let Some(w) = width {
                    let padc = if zero { '0' } else { ' ' };
                    out.extend(std::iter::repeat_n(padc, w.saturating_sub(1)));
                }
                out.push(match d {
                    'n' => '\n',
                    't' => '\t',
                    _ => '%',
                });
            }
            'c' | 'x' | 'X' | 'D' | 'F' | 'T' | 'R' | 'r' | 'v' | '+' => {
                let sub = match d {
                    'c' => "%a %b %e %H:%M:%S %Y",
                    'x' | 'D' => "%m/%d/%y",
                    'X' | 'T' => "%H:%M:%S",
                    'F' => "%Y-%m-%d",
                    'R' => "%H:%M",
                    'r' => "%I:%M:%S %p",
                    'v' => "%e-%^b-%4Y",
                    _ => "%a %b %e %H:%M:%S %Z %Y",
                };
                let inner = strftime(time, sub, max_bytes)?;
                alpha(&mut out, &inner, false);
            }
            other => {
                out.push_str(&spec);
                out.push(other);
            }
        }
    }
    if out.len() > max_bytes {
        return Err(budget());
    }
    Ok(out)
}

pub fn date(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    let format = s(&args[0]);
    if format.is_empty() {
        return Ok(input.clone());
    }
    let Some(t) = to_date_or_raise(input)? else {
        return Ok(input.clone());
    };
    text(strftime(&t, &format, ctx.max_bytes)?, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filters::{call_filter, rendered};
    use chrono::TimeZone;

    /// Inside chrono's range the own calendar agrees with chrono on every
    /// field strftime prints (a day apart over ±30,000 years, plus edges).
    #[test]
    fn own_calendar_agrees_with_chrono() {
        use chrono::{Datelike, Timelike};
        let mut secs: Vec<i64> = (-11_000_000..11_000_000)
            .map(|d: i64| d * 86_400 + (d.rem_euclid(86_400)))
            .step_by(997)
            .collect();
        secs.extend([
            0,
            -1,
            86_399,
            951_782_400,
            1_709_164_800,
            -62_135_596_800,
            253_402_300_799,
        ]);
        for s in secs {
            let c = Utc.timestamp_opt(s, 0).unwrap();
            let ours = at(i128::from(s)).civil();
            assert_eq!(
                (
                    ours.year,
                    ours.month,
                    ours.day,
                    ours.hour,
                    ours.minute,
                    ours.second
                ),
                (
                    i128::from(c.year()),
                    c.month(),
                    c.day(),
                    c.hour(),
                    c.minute(),
                    c.second()
                ),
                "{s}"
            );
            assert_eq!(ours.ordinal, c.ordinal(), "{s}");
            assert_eq!(ours.wday, c.weekday().num_days_from_sunday(), "{s}");
            let w = c.iso_week();
            assert_eq!(ours.iso_week(), (i128::from(w.year()), w.week()), "{s}");
        }
        // Past chrono's years, as Ruby's Time.at prints them (recorded
        // from ruby-liquid's Ruby: `Time.at(±10**20 - 1).utc.strftime`).
        let fmt = "%Y-%m-%d %H:%M:%S %j %a %G-%V %U %W %s";
        let big: num_bigint::BigInt = "99999999999999999999".parse().unwrap();
        let t = to_date(&Value::from_bigint(big.clone())).unwrap();
        assert_eq!(
            strftime(&t, fmt, 200).unwrap(),
            "3168873852651-02-22 09:46:39 053 Sat 3168873852651-08 07 07 99999999999999999999"
        );
        let t = to_date(&Value::from_bigint(-big)).unwrap();
        assert_eq!(
            strftime(&t, "%Y-%m-%d %H:%M:%S %j %a %G-%V", 200).unwrap(),
            "-3168873848712-11-08 14:13:21 313 Mon -3168873848712-46"
        );
    }

    fn parse(s: &str) -> String {
        // A fixed "now": 2026-12-01 21:16:43 UTC.
        let now = at(1_796_159_803);
        match time_parse(&s.to_lowercase(), &now).ok() {
            Some(t) => strftime(&t, "%Y-%m-%d %H:%M:%S %z |%Z|", 1000).unwrap(),
            None => "nil".into(),
        }
    }

    #[test]
    fn filters_date_parses_like_time_parse() {
        for (input, want) in [
            ("2024-01-15", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("2024-01-15 10:30", "2024-01-15 10:30:00 +0000 |UTC|"),
            ("2024-01-15T10:30:00Z", "2024-01-15 10:30:00 +0000 |UTC|"),
            ("2024-01-15T10:30:00+05:00", "2024-01-15 10:30:00 +0500 ||"),
            ("2024-01-15 10:30:00 -0800", "2024-01-15 10:30:00 -0800 ||"),
            ("jan 15 2024", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("january 15, 2024", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("15 january 2024", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("2024/01/15", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("01/15/2024", "nil"),
            ("15/01/2024", "2024-01-15 00:00:00 +0000 |UTC|"),
            (
                "mon, 15 jan 2024 10:30:00 +0000",
                "2024-01-15 10:30:00 +0000 |UTC|",
            ),
            ("10:30", "2026-12-01 10:30:00 +0000 |UTC|"),
            ("jan 2024", "2024-01-01 00:00:00 +0000 |UTC|"),
            ("march 5", "2026-03-05 00:00:00 +0000 |UTC|"),
            ("2024", "nil"),
            ("hello", "nil"),
            ("10pm", "2026-12-01 22:00:00 +0000 |UTC|"),
            ("2024-01-15 10:30 pm", "2024-01-15 22:30:00 +0000 |UTC|"),
            (
                "tue jan 16 10:30:00 utc 2024",
                "2024-01-16 10:30:00 +0000 |UTC|",
            ),
            ("20240115", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("15.01.2024", "2024-01-15 00:00:00 +0000 |UTC|"),
            ("2024-1-5", "2024-01-05 00:00:00 +0000 |UTC|"),
            ("jan 15 24", "2024-01-15 00:00:00 +0000 |UTC|"),
            (
                "2024-01-15t10:30:00.123z",
                "2024-01-15 10:30:00 +0000 |UTC|",
            ),
            ("sat, 1 feb 97 10:00:00 est", "1997-02-01 10:00:00 -0500 ||"),
            ("2024-01-15 10:30:00 gmt", "2024-01-15 10:30:00 +0000 |UTC|"),
        ] {
            assert_eq!(parse(input), want, "{input}");
        }
    }

    #[test]
    fn filters_date_strftime() {
        let d = |input: Value, f: &str| rendered(call_filter!("date", input, f));
        let t = "2024-03-05 14:07:09";
        assert_eq!(
            d(
                t.into(),
                "%a %A %b %B %c %d %e %H %I %j %k %l %m %M %p %P %S %y %Y %z %Z %% %s %u %w"
            ),
            "Tue Tuesday Mar March Tue Mar  5 14:07:09 2024 05  5 14 02 065 14  2 03 07 PM pm 09 24 2024 +0000 UTC % 1709647629 2 2"
        );
        assert_eq!(
            d(
                t.into(),
                "%-d %-m %^a %^B %_m %010A %-I %3N %L %#p %D %F %T %R %r %x %X"
            ),
            "5 3 TUE MARCH  3 000Tuesday 2 000 000 pm 03/05/24 2024-03-05 14:07:09 14:07 02:07:09 PM 03/05/24 14:07:09"
        );
        assert_eq!(
            d(t.into(), "%U %W %G %V %C %:z %::z %Q"),
            "09 10 2024 10 20 +00:00 +00:00:00 %Q"
        );
        assert_eq!(d(t.into(), "a%"), "Liquid error: invalid format: a%");
        assert_eq!(d(t.into(), "%-"), "Liquid error: invalid format: %-");
        assert_eq!(
            d(
                t.into(),
                "%10Y|%-5d|%_5H|%05e|%^10b|%-10B|%10p|%3z|%10z|%-z|%:::z"
            ),
            "0000002024|5|   14|00005|       MAR|March|        PM|+0000|+000000000|+0000|+00"
        );
        let ctx = FilterCtx {
            max_bytes: 100,
            deadline: None,
        };
        let r = crate::filters::call_with(&ctx, "date", t.into(), vec!["%1000000Y".into()]);
        assert!(matches!(r, Err(FilterError::Budget(_))));
        assert_eq!(d(1700000000.into(), "%Y-%m-%d %H:%M"), "2023-11-14 22:13");
        assert_eq!(d("1700000000".into(), "%s"), "1700000000");
        assert_eq!(d("hello".into(), "%Y"), "hello");
        assert_eq!(d("".into(), "%Y"), "");
        assert_eq!(d(t.into(), ""), t);
        assert_eq!(d(Value::Nil, "%Y"), "");
        assert_eq!(d(1.5.into(), "%Y"), "1.5");
        assert_eq!(d("2024-02-30".into(), "%F"), "2024-03-01");
        assert_eq!(d("2024-13-01".into(), "%F"), "2024-13-01");
    }
}
