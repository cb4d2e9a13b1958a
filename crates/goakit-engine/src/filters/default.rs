//! `default`: Ruby's
//! ```ruby
//! def default(input, default_value = '', options = {})
//!   options = {} unless options.is_a?(Hash)
//!   false_check = options['allow_false'] ? input.nil? : !Liquid::Utils.to_liquid_value(input)
//!   false_check || (input.respond_to?(:empty?) && input.empty?) ? default_value : input
//! end
//! ```
//! The keyword arguments (`allow_false: true`) arrive as the trailing hash.

use super::{FilterCtx, FilterResult, kwargs};
use crate::value::Value;

pub fn default(input: &Value, args: &[Value], _ctx: &FilterCtx) -> FilterResult {
    let default_value = args.first().cloned().unwrap_or_else(|| Value::from(""));
    let allow_false = args
        .get(1)
        .and_then(kwargs)
        .and_then(|h| h.get("allow_false"))
        .is_some_and(Value::truthy);
    let false_check = if allow_false {
        input.is_nil()
    } else {
        !input.truthy()
    };
    if false_check || input.ruby_empty() == Some(true) {
        Ok(default_value)
    } else {
        Ok(input.clone())
    }
}

#[cfg(test)]
mod tests {
    use crate::filters::{call_filter, j, rendered};
    use crate::value::Value;

    #[test]
    fn filters_default() {
        let af = j(r#"{"allow_false":true}"#);
        assert_eq!(rendered(call_filter!("default", Value::Nil, 1)), "1");
        assert_eq!(rendered(call_filter!("default", false, 1)), "1");
        assert_eq!(rendered(call_filter!("default", "", 1)), "1");
        assert_eq!(rendered(call_filter!("default", j("[]"), 1)), "1");
        assert_eq!(rendered(call_filter!("default", j("{}"), 1)), "1");
        assert_eq!(
            rendered(call_filter!("default", j(r#"[1,[2,null],"a"]"#), 1)),
            "12a"
        );
        assert_eq!(
            rendered(call_filter!("default", false, 1, af.clone())),
            "false"
        );
        assert_eq!(
            rendered(call_filter!("default", Value::Nil, 1, af.clone())),
            "1"
        );
        assert_eq!(rendered(call_filter!("default", "", 1, af.clone())), "1");
        assert_eq!(rendered(call_filter!("default", 0, 1)), "0");
        assert_eq!(rendered(call_filter!("default", Value::Nil)), "");
        assert_eq!(rendered(call_filter!("default", false, 1, 5)), "1");
        assert_eq!(
            rendered(call_filter!("default", false, af)),
            r#"{"allow_false"=>true}"#
        );
    }
}
