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
//! The local zone is taken to be UTC. [`to_date`] follows `Time.parse`
//! (`Date._parse`) for the common shapes: a time `hh:mm[:ss[.frac]]` with
//! `am`/`pm` and a zone (`z`, `utc`, `gmt`, `est`..`pdt`, `+hh:mm`, `-hhmm`),
//! weekday names, ISO `y-m-d`, `y/m/d` and `d.m.y` with `Date`'s `s3e`
//! ordering rules, `15 jan 2024`, `jan 15, 2024`, `jan 2024`, and digit runs
//! (`20240115`); two-digit years are 19xx from 69, else 20xx; missing leading
//! parts come from now, missing trailing ones are the first day / midnight.
//! Text with no date or time information, or out-of-range parts, gives
//! nil, so the filter returns the input. [`strftime`] is Ruby's
//! `Time#strftime` with the flags `-_0^#`, widths and `%:z`.
//!
//! Ruby's `Time` holds any Integer of seconds (`Time.at(10**20)` is in the
//! year 3,168,873,852,651), so the calendar here is goakit's own: the
//! proleptic Gregorian civil date of a 128-bit second count (Howard
//! Hinnant's `civil_from_days`), not chrono's, whose years end at 262,143.

use super::{FilterCtx, FilterError, FilterResult, s, text};
use crate::value::Value;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use num_traits::ToPrimitive;

/// A Ruby `Time`: the moment and its zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RubyTime {
    /// Seconds since 1970-01-01 00:00:00 UTC.
    pub secs: i128,
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
        nanos: 0,
        offset: 0,
    }
}

/// Ruby's `Utils.to_date` (nil where Ruby gives nil).
pub fn to_date(v: &Value) -> Option<RubyTime> {
    match v {
        Value::Int(i) => Some(at(i128::from(*i))),
        Value::BigInt(b) => b.to_i128().map(at),
        Value::Str(st) => {
            if st.is_empty() {
                return None;
            }
            let low = st.to_lowercase();
            if low == "now" || low == "today" {
                return Some(now());
            }
            if low.bytes().all(|b| b.is_ascii_digit()) {
                return low.parse::<i128>().ok().map(at);
            }
            time_parse(&low, &now())
        }
        _ => None,
    }
}

#[derive(Default, Debug)]
struct Parts {
    year: Option<i64>,
    mon: Option<i64>,
    mday: Option<i64>,
    hour: Option<i64>,
    min: Option<i64>,
    sec: Option<i64>,
    offset: Option<i32>,
}

/// Reads `\d+` at `i`.
fn digits_at(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

fn num(s: &str) -> i64 {
    s.parse().unwrap_or(i64::MAX)
}

/// A zone at `b[i..]`: (offset seconds, length).
fn zone_at(b: &[u8], i: usize) -> Option<(i32, usize)> {
    let rest = &b[i..];
    if let Some(&c) = rest.first()
        && (c == b'+' || c == b'-')
    {
        {
            let sign = if c == b'-' { -1 } else { 1 };
            let n = digits_at(rest, 1);
            let (h, m, len) = match n {
                1 | 2 => {
                    let h = num(std::str::from_utf8(&rest[1..1 + n]).ok()?);
                    if rest.get(1 + n) == Some(&b':') && digits_at(rest, 2 + n) == 2 {
                        let m = num(std::str::from_utf8(&rest[2 + n..4 + n]).ok()?);
                        (h, m, 4 + n)
                    } else {
                        (h, 0, 1 + n)
                    }
                }
                4 => {
                    let t = std::str::from_utf8(&rest[1..5]).ok()?;
                    (num(&t[..2]), num(&t[2..]), 5)
                }
                _ => return None,
            };
            return Some((sign * (h * 3600 + m * 60) as i32, len));
        }
    }
    let word: String = rest
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|&c| c as char)
        .collect();
    let off = match word.as_str() {
        "z" | "utc" | "gmt" | "ut" => 0,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        _ => return None,
    };
    Some((off * 3600, word.len()))
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    i
}

/// `am`/`pm` at `b[i..]`: (is pm, length).
fn meridian_at(b: &[u8], i: usize) -> Option<(bool, usize)> {
    let rest = &b[i..];
    for (pat, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if rest.starts_with(pat.as_bytes())
            && !rest.get(pat.len()).is_some_and(|c| c.is_ascii_alphabetic())
        {
            return Some((pm, pat.len()));
        }
    }
    None
}

fn apply_meridian(h: i64, pm: bool) -> i64 {
    (h % 12) + if pm { 12 } else { 0 }
}

/// Finds and blanks the time of day (and its zone).
fn parse_time(b: &mut [u8], p: &mut Parts) {
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let d = digits_at(b, i);
        let start = i;
        let mut j = i + d;
        let text = |b: &[u8], a: usize, z: usize| num(std::str::from_utf8(&b[a..z]).unwrap_or(""));
        if d <= 2 && b.get(j) == Some(&b':') && digits_at(b, j + 1) >= 1 {
            let hour = text(b, i, j);
            let md = digits_at(b, j + 1);
            let min = text(b, j + 1, j + 1 + md);
            j += 1 + md;
            let mut sec = None;
            if b.get(j) == Some(&b':') && digits_at(b, j + 1) >= 1 {
                let sd = digits_at(b, j + 1);
                sec = Some(text(b, j + 1, j + 1 + sd));
                j += 1 + sd;
                if matches!(b.get(j), Some(b'.') | Some(b',')) && digits_at(b, j + 1) >= 1 {
                    j += 1 + digits_at(b, j + 1);
                }
            }
            let mut hour = hour;
            let k = skip_spaces(b, j);
            if let Some((pm, len)) = meridian_at(b, k) {
                hour = apply_meridian(hour, pm);
                j = k + len;
            }
            let k = skip_spaces(b, j);
            if let Some((off, len)) = zone_at(b, k) {
                p.offset = Some(off);
                j = k + len;
            }
            p.hour = Some(hour);
            p.min = Some(min);
            p.sec = sec;
            b[start..j].fill(b' ');
            return;
        }
        if d <= 2 {
            let k = skip_spaces(b, j);
            if let Some((pm, len)) = meridian_at(b, k) {
                p.hour = Some(apply_meridian(text(b, i, j), pm));
                b[start..k + len].fill(b' ');
                return;
            }
        }
        i = j;
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(String),
    Word(String),
    Sep(u8),
}

fn tokens(b: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let d = digits_at(b, i);
            out.push(Tok::Num(String::from_utf8_lossy(&b[i..i + d]).into_owned()));
            i += d;
        } else if c.is_ascii_alphabetic() {
            let d = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            out.push(Tok::Word(
                String::from_utf8_lossy(&b[i..i + d]).into_owned(),
            ));
            i += d;
        } else {
            if c != b' ' {
                out.push(Tok::Sep(c));
            } else if !matches!(out.last(), Some(Tok::Sep(b' '))) {
                out.push(Tok::Sep(b' '));
            }
            i += 1;
        }
    }
    out
}

fn month_of(w: &str) -> Option<i64> {
    MONTHS
        .iter()
        .position(|m| w.starts_with(m))
        .map(|i| i as i64 + 1)
}

/// A year as `Date._parse(comp = true)` completes it.
fn year_of(y: &str) -> i64 {
    let v = num(y);
    if y.len() <= 2 {
        v + if v >= 69 { 1900 } else { 2000 }
    } else {
        v
    }
}

/// `Date`'s `s3e(y, m, d)` ordering for three numbers.
fn s3e(p: &mut Parts, y: Option<&str>, m: &str, d: Option<&str>) {
    let (mut y, mut m, mut d) = (y.map(String::from), m.to_string(), d.map(String::from));
    if y.is_some() && d.is_none() {
        // Two numbers: month and day.
        d = Some(m.clone());
        m = y.take().unwrap_or_default();
    }
    if y.is_none() && d.as_ref().is_some_and(|dd| dd.len() > 2) {
        y = d.take();
    }
    if m.len() > 2 {
        let old_y = y.take();
        y = Some(m.clone());
        m = d.take().unwrap_or_default();
        d = old_y;
    }
    if d.as_ref().is_some_and(|dd| dd.len() > 2) {
        std::mem::swap(&mut y, &mut d);
    }
    if let Some(y) = y {
        p.year = Some(year_of(&y));
    }
    if !m.is_empty() {
        p.mon = Some(num(&m));
    }
    if let Some(d) = d {
        p.mday = Some(num(&d));
    }
}

fn ordinal(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Word(w)) if ["st", "nd", "rd", "th"].contains(&w.as_str()))
}

/// The date parts among the tokens.
fn parse_date(toks: &[Tok], p: &mut Parts) {
    let numv = |i: usize| match toks.get(i) {
        Some(Tok::Num(n)) => Some(n.as_str()),
        _ => None,
    };
    let sep = |i: usize, c: u8| toks.get(i) == Some(&Tok::Sep(c));
    // y-m-d, y/m/d, d.m.y
    for (i, _) in toks.iter().enumerate() {
        for c in [b'-', b'/', b'.'] {
            if let (Some(a), true, Some(b)) = (numv(i), sep(i + 1, c), numv(i + 2)) {
                let third = if sep(i + 3, c) { numv(i + 4) } else { None };
                if c == b'-' && third.is_none() {
                    continue;
                }
                if c == b'.' && third.is_none() {
                    continue;
                }
                if c == b'/' && third.is_none() {
                    s3e(p, Some(a), b, None);
                } else {
                    s3e(p, Some(a), b, third);
                }
                return;
            }
        }
    }
    // Month names: "15 jan 2024" (eu) first, then "jan 15, 2024" (us).
    let skip = |mut i: usize| {
        while matches!(toks.get(i), Some(Tok::Sep(b' ')) | Some(Tok::Sep(b','))) {
            i += 1;
        }
        i
    };
    for (i, t) in toks.iter().enumerate() {
        let Tok::Word(w) = t else { continue };
        let Some(mon) = month_of(w) else { continue };
        let mut k = i + 1;
        if sep(k, b'.') {
            k += 1;
        }
        // eu: a number before the month.
        let mut b = i;
        while b > 0 && matches!(toks.get(b - 1), Some(Tok::Sep(b' '))) {
            b -= 1;
        }
        let mut before = None;
        if b >= 1 {
            if ordinal(toks.get(b - 1)) && b >= 2 {
                before = numv(b - 2);
            } else {
                before = numv(b - 1);
            }
        }
        if let Some(d) = before {
            let y = numv(skip(k));
            s3e(p, y, &mon.to_string(), Some(d));
            return;
        }
        // us: month then a number, then perhaps the year.
        let j = skip(k);
        if let Some(d) = numv(j) {
            let mut after = j + 1;
            if ordinal(toks.get(after)) {
                after += 1;
            }
            let y = numv(skip(after));
            s3e(p, y, &mon.to_string(), Some(d));
            return;
        }
        p.mon = Some(mon);
        return;
    }
    // Digit runs.
    for t in toks {
        if let Tok::Num(n) = t {
            let part = |a: usize, z: usize| num(&n[a..z]);
            match n.len() {
                2 => p.mday = Some(part(0, 2)),
                4 => {
                    p.mon = Some(part(0, 2));
                    p.mday = Some(part(2, 4));
                }
                6 => {
                    p.year = Some(year_of(&n[0..2]));
                    p.mon = Some(part(2, 4));
                    p.mday = Some(part(4, 6));
                }
                8 | 10 | 12 | 14 => {
                    p.year = Some(part(0, 4));
                    p.mon = Some(part(4, 6));
                    p.mday = Some(part(6, 8));
                    if n.len() >= 10 {
                        p.hour = Some(part(8, 10));
                    }
                    if n.len() >= 12 {
                        p.min = Some(part(10, 12));
                    }
                    if n.len() >= 14 {
                        p.sec = Some(part(12, 14));
                    }
                }
                _ => continue,
            }
            return;
        }
    }
}

/// Ruby's `Time.parse(text, now)` (nil for its ArgumentError).
fn time_parse(low: &str, now: &RubyTime) -> Option<RubyTime> {
    let mut b: Vec<u8> = low
        .bytes()
        .map(|c| if c.is_ascii() { c } else { b' ' })
        .collect();
    for c in b.iter_mut() {
        if c.is_ascii_whitespace() {
            *c = b' ';
        }
    }
    let mut p = Parts::default();
    parse_time(&mut b, &mut p);
    let toks: Vec<Tok> = tokens(&b)
        .into_iter()
        .filter(|t| !matches!(t, Tok::Word(w) if DAYS.iter().any(|d| w.starts_with(d))))
        .collect();
    parse_date(&toks, &mut p);
    if p.year.is_none()
        && p.mon.is_none()
        && p.mday.is_none()
        && p.hour.is_none()
        && p.min.is_none()
    {
        return None;
    }
    let off = p.offset.unwrap_or(0);
    let zone = FixedOffset::east_opt(off)?;
    let n = RubyTime {
        offset: off,
        ..*now
    }
    .civil();
    // Leading missing parts come from now, the rest default.
    let mut year = p.year;
    let mut mon = p.mon;
    let mut mday = p.mday;
    if year.is_none() {
        year = Some(i64::try_from(n.year).ok()?);
        if mon.is_none() {
            mon = Some(i64::from(n.month));
            if mday.is_none() {
                mday = Some(i64::from(n.day));
            }
        }
    }
    let (year, mon, mday) = (year?, mon.unwrap_or(1), mday.unwrap_or(1));
    let (hour, min, sec) = (p.hour.unwrap_or(0), p.min.unwrap_or(0), p.sec.unwrap_or(0));
    if !(1..=12).contains(&mon)
        || !(1..=31).contains(&mday)
        || !(0..=24).contains(&hour)
        || !(0..=59).contains(&min)
        || !(0..=60).contains(&sec)
        || (hour == 24 && (min, sec) != (0, 0))
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, mon as u32, 1)?
        .checked_add_signed(Duration::days(mday - 1))?;
    let local = date.and_hms_opt(0, 0, 0)? + Duration::seconds(hour * 3600 + min * 60 + sec);
    zone.from_local_datetime(&local)
        .single()
        .map(RubyTime::from_chrono)
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
    let time = *t;
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
        let numeric = |out: &mut String, v: i128, def_w: usize, def_pad: char| {
            let padc = if no_pad {
                None
            } else if space {
                Some(' ')
            } else if zero {
                Some('0')
            } else {
                Some(def_pad)
            };
            let body = v.to_string();
            match padc {
                None => out.push_str(&body),
                Some(p) => pad(out, &body, Some(width.unwrap_or(def_w)), p, true),
            }
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
            'Y' => {
                numeric(&mut out, t.year, 4, '0');
            }
            'C' => numeric(&mut out, t.year.div_euclid(100), 2, '0'),
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
            'G' => numeric(&mut out, t.iso_week().0, 4, '0'),
            'g' => numeric(&mut out, t.iso_week().0.rem_euclid(100), 2, '0'),
            'V' => numeric(&mut out, t.iso_week().1.into(), 2, '0'),
            's' => numeric(&mut out, time.secs, 1, '0'),
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
                let inner = strftime(&time, sub, max_bytes)?;
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
    let Some(t) = to_date(input) else {
        return Ok(input.clone());
    };
    text(strftime(&t, &format, ctx.max_bytes)?, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filters::{call_filter, rendered};

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
        match time_parse(&s.to_lowercase(), &now) {
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
