//! `{% # text %}` (Ruby `InlineComment`): renders nothing; inside
//! `{% liquid %}` or across lines every line must start with `#`
//! (`markup.match?(/\n\s*[^#\s]/)` is a syntax error).

use crate::ast::Tag;
use crate::parse::ParseError;
use crate::syntax;

pub fn parse(markup: &str, at: usize) -> Result<Tag, ParseError> {
    if syntax::INLINE_COMMENT_INVALID
        .is_match(markup)
        .unwrap_or(false)
    {
        return Err(ParseError::syntax(
            "Syntax error in tag '#' - Each line of comments must be prefixed by the '#' character",
            at,
        ));
    }
    Ok(Tag::InlineComment)
}
