//! Values printed as Ruby Liquid prints them: floats keep their `.0`
//! (`23.0`, `1.0e+20`), nil is empty, arrays are joined flat, hashes look
//! like Ruby's `inspect`.

use liquid_core::model::{ScalarCow, ValueView};
use std::fmt::Write;

/// `Float#to_s` of Ruby.
pub fn ruby_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Shortest round-trip digits, as Ruby uses.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    // Ruby prints fixed notation for 1e-4 <= |f| < 1e16.
    if -4 < decpt && decpt < 16 {
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decpt) as usize));
            out.push_str(&digits);
        } else {
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
        }
        out
    } else {
        exp_form(negative, &digits, exp)
    }
}

fn exp_form(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
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
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    );
    out
}

fn scalar_to_s(s: &ScalarCow<'_>, out: &mut String) {
    if let Some(f) = float_of(s) {
        out.push_str(&ruby_float(f));
    } else {
        let _ = write!(out, "{}", s.render());
    }
}

/// The float inside a scalar that is a float (not an integer).
pub fn float_of(s: &ScalarCow<'_>) -> Option<f64> {
    if s.type_name() == "fractional number" {
        s.to_float()
    } else {
        None
    }
}

/// Appends what `{{ v }}` prints in Ruby Liquid.
pub fn render_ruby(v: &dyn ValueView, out: &mut String) {
    if let Some(s) = v.as_scalar() {
        scalar_to_s(&s, out);
    } else if let Some(a) = v.as_array() {
        // Ruby flattens arrays and joins them without separator.
        for item in a.values() {
            render_ruby(item, out);
        }
    } else if v.as_object().is_some() {
        inspect(v, out);
    }
    // nil, empty, blank: nothing
}

/// Ruby's `inspect`, as a hash prints.
pub fn inspect(v: &dyn ValueView, out: &mut String) {
    if let Some(s) = v.as_scalar() {
        if let Some(f) = float_of(&s) {
            out.push_str(&ruby_float(f));
        } else if s.type_name() == "string" {
            let _ = write!(out, "{:?}", s.to_kstr().as_str());
        } else {
            let _ = write!(out, "{}", s.render());
        }
    } else if let Some(a) = v.as_array() {
        out.push('[');
        for (i, item) in a.values().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            inspect(item, out);
        }
        out.push(']');
    } else if let Some(o) = v.as_object() {
        out.push('{');
        for (i, (k, item)) in o.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{:?}=>", k.as_str());
            inspect(item, out);
        }
        out.push('}');
    } else {
        out.push_str("nil");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_ruby() {
        let cases = [
            (23.0, "23.0"),
            (0.1, "0.1"),
            (1e14, "100000000000000.0"),
            (1.5e15, "1.5e+15"),
            (1e15, "1.0e+15"),
            (123456789012345.6, "123456789012345.6"),
            (1e20, "1.0e+20"),
            (0.0001, "0.0001"),
            (2.5e-5, "2.5e-05"),
            (-0.0, "-0.0"),
            (-2.5, "-2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
        ];
        for (f, want) in cases {
            assert_eq!(ruby_float(f), want, "{f}");
        }
    }
}
