//! `{% raw %}...{% endraw %}` (Ruby `Raw`): the markup must be blank
//! (`/\A\s*\z/`); the body is every token up to the first tag token
//! matching `/\A(.*)#{TagStart}\s*(\w+)\s*(.*)?#{TagEnd}\z/om` whose name is
//! `endraw` (so `{%- endraw %}` does not end it), kept as written.

use crate::ast::Tag;
use crate::parse::{ParseError, Parser};
use crate::syntax::{self, captures, group};

pub fn parse(p: &mut Parser, markup: &str, at: usize) -> Result<Tag, ParseError> {
    if !syntax::RAW_SYNTAX.is_match(markup).unwrap_or(false) {
        return Err(ParseError::syntax(
            "Syntax Error in 'raw' - Valid syntax: raw",
            at,
        ));
    }
    let mut body = String::new();
    while let Some(token) = p.shift() {
        if let Some(c) = captures(&syntax::RAW_END, token)
            && group(&c, 2) == Some("endraw")
        {
            body.push_str(group(&c, 1).unwrap_or(""));
            return Ok(Tag::Raw(body.into()));
        }
        body.push_str(token);
    }
    Err(ParseError::syntax("'raw' tag was never closed", at))
}
