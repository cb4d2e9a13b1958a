//! Positions inside JSON text: where a key (by path) or its value starts.
//! serde_json gives values without positions, and lint must point at the
//! exact token.

/// Byte offsets of every object key and its value, with the key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPos {
    pub path: Vec<String>,
    /// Offset of the key's opening quote.
    pub key: usize,
    /// Offset of the value's first character.
    pub value: usize,
}

/// Walks `text` (assumed valid JSON) and lists every key of every object.
pub fn keys(text: &str) -> Vec<KeyPos> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    // For each open container: is it an object, and did it push a key?
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut i = 0;
    let mut expect_key = false;
    while i < b.len() {
        match b[i] {
            b'{' => {
                stack.push((true, false));
                expect_key = true;
                i += 1;
            }
            b'[' => {
                stack.push((false, false));
                expect_key = false;
                i += 1;
            }
            b'}' | b']' => {
                if let Some((_, pushed)) = stack.pop()
                    && pushed
                {
                    path.pop();
                }
                // The container was a value of the parent key: done with it.
                if let Some(top) = stack.last_mut()
                    && top.0
                    && top.1
                {
                    path.pop();
                    top.1 = false;
                }
                expect_key = false;
                i += 1;
            }
            b',' => {
                if let Some(top) = stack.last_mut()
                    && top.0
                {
                    if top.1 {
                        path.pop();
                        top.1 = false;
                    }
                    expect_key = true;
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(b.len());
                i += 1;
                if expect_key {
                    let key: String = serde_json::from_str(&text[start..(end + 1).min(text.len())])
                        .unwrap_or_else(|_| text[start + 1..end].to_string());
                    // Skip to the value after ':'.
                    let mut j = i;
                    while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b':') {
                        j += 1;
                    }
                    path.push(key);
                    if let Some(top) = stack.last_mut() {
                        top.1 = true;
                    }
                    out.push(KeyPos {
                        path: path.clone(),
                        key: start,
                        value: j,
                    });
                    expect_key = false;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Offset of the key at `path`, if present.
pub fn key_offset(text: &str, path: &[&str]) -> Option<usize> {
    keys(text)
        .into_iter()
        .find(|k| k.path.iter().map(String::as_str).eq(path.iter().copied()))
        .map(|k| k.key)
}

/// Offset of the value at `path`, if present.
pub fn value_offset(text: &str, path: &[&str]) -> Option<usize> {
    keys(text)
        .into_iter()
        .find(|k| k.path.iter().map(String::as_str).eq(path.iter().copied()))
        .map(|k| k.value)
}

/// The strings directly inside the array that starts at `open` (its `[`),
/// each with the offset of its opening quote.
pub fn array_strings(text: &str, open: usize) -> Vec<(usize, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    if b.get(open) != Some(&b'[') {
        return out;
    }
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += usize::from(b[i] == b'\\') + 1;
                }
                if depth == 1
                    && let Some(raw) = text.get(start..=i.min(b.len() - 1))
                    && let Ok(v) = serde_json::from_str::<String>(raw)
                {
                    out.push((start, v));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Maps a byte offset inside the decoded value of the JSON string that
/// starts (opening quote) at `quote` back to its offset in `text`, so that
/// a finding inside a string lands on the right column despite escapes.
pub fn string_offset(text: &str, quote: usize, decoded: usize) -> usize {
    let b = text.as_bytes();
    let mut raw = quote + 1;
    let mut out = 0;
    while raw < b.len() && b[raw] != b'"' && out < decoded {
        if b[raw] != b'\\' {
            raw += 1;
            out += 1;
            continue;
        }
        match b.get(raw + 1) {
            Some(b'u') => {
                let hex = |at: usize| {
                    text.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let hi = hex(raw + 2).unwrap_or(0);
                let pair = (0xD800..0xDC00).contains(&hi)
                    && b.get(raw + 6) == Some(&b'\\')
                    && b.get(raw + 7) == Some(&b'u');
                if pair {
                    raw += 12;
                    out += 4;
                } else {
                    raw += 6;
                    out += char::from_u32(hi).map_or(3, char::len_utf8);
                }
            }
            _ => {
                raw += 2;
                out += 1;
            }
        }
    }
    raw.min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys() {
        let t = "{\n  \"en\": {\"a\": 1, \"b\": {\"c\": [1, {\"x\": 2}]}, \"d\": \"x\"},\n  \"da\": {}\n}";
        let ks: Vec<String> = keys(t).iter().map(|k| k.path.join(".")).collect();
        assert_eq!(
            ks,
            ["en", "en.a", "en.b", "en.b.c", "en.b.c.x", "en.d", "da"]
        );
        let off = key_offset(t, &["en", "d"]).unwrap();
        assert_eq!(&t[off..off + 3], "\"d\"");
        let v = value_offset(t, &["en", "a"]).unwrap();
        assert_eq!(&t[v..v + 1], "1");
    }

    #[test]
    fn strings_of_an_array() {
        let t = r#"{"s": ["a", {"x": "no"}, "h\/b"], "t": "c"}"#;
        let open = value_offset(t, &["s"]).unwrap();
        let found = array_strings(t, open);
        assert_eq!(found, [(7, "a".to_string()), (25, "h/b".to_string())]);
        assert!(array_strings(t, 0).is_empty());
        assert!(array_strings("[\"x", 0).is_empty());
    }

    #[test]
    fn offsets_inside_strings_skip_escapes() {
        let t = r#"{"d": "a\"b\n\u00e9\ud83d\ude00<x>"}"#;
        let q = value_offset(t, &["d"]).unwrap();
        let decoded: String = serde_json::from_str(&t[q..t.len() - 1]).unwrap();
        let at = decoded.find("<x>").unwrap();
        assert_eq!(&t[string_offset(t, q, at)..][..3], "<x>");
        assert_eq!(string_offset(t, q, 0), q + 1);
    }
}
