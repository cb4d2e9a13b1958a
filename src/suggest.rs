//! "Did you mean": the one edit-distance helper every command uses for a
//! mistyped command, page, snippet, filter, locale key or rule id
//! (strsim's Levenshtein distance).

/// The candidate closest to `word`, if it is close enough to be a typo:
/// at most a third of the word's length in edits (at least one).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `: did you mean 'x'?` or nothing, to end a message with.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(word, candidates) {
        Some(c) => format!(": did you mean '{c}'?"),
        None => String::new(),
    }
}

/// ` (did you mean 'x'?)` or nothing, to put inside a message.
pub fn aside<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(word, candidates) {
        Some(c) => format!(" (did you mean '{c}'?)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_strangers() {
        let pages = ["orders", "orders__show", "repairs", "root"];
        assert_eq!(closest("ordrs", pages), Some("orders"));
        assert_eq!(closest("repair", pages), Some("repairs"));
        assert_eq!(closest("customers", pages), None);
        assert_eq!(closest("orders", pages), None, "an exact name is no typo");
        assert_eq!(closest("upcse", ["upcase", "downcase"]), Some("upcase"));
        assert_eq!(hint("rot", pages), ": did you mean 'root'?");
        assert_eq!(hint("zzz", pages), "");
        assert_eq!(aside("rot", pages), " (did you mean 'root'?)");
    }
}
