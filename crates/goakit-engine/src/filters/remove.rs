//! The remove family: `remove` (`replace(input, string, '')`, every
//! occurrence), `remove_first` (`replace_first(input, string, '')`) and
//! `remove_last` (`replace_last(input, string, '')`).

use super::replace::{remove_str, replace_last_str};
use super::{FilterCtx, FilterResult, s};
use crate::value::Value;

pub fn remove(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    remove_str(&s(input), &s(&args[0]), true, ctx)
}

pub fn remove_first(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    remove_str(&s(input), &s(&args[0]), false, ctx)
}

pub fn remove_last(input: &Value, args: &[Value], ctx: &FilterCtx) -> FilterResult {
    replace_last_str(&s(input), &s(&args[0]), "", ctx)
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, rendered};

    #[test]
    fn filters_remove() {
        assert_eq!(rendered(call_filter!("remove", "aXbX", "X")), "ab");
        assert_eq!(rendered(call_filter!("remove", "abc", "")), "abc");
        assert_eq!(rendered(call_filter!("remove_first", "aXbX", "X")), "abX");
        assert_eq!(rendered(call_filter!("remove_last", "aXbX", "X")), "aXb");
        assert_eq!(rendered(call_filter!("remove", 1.25, 2)), "1.5");
    }
}
