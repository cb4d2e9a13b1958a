//! Ruby's `Hash` as the engine holds it: insertion-ordered string keys.
//!
//! Laid out as Ruby lays out its own (`ar_table`, `st.c`): a hash of at
//! most [`LINEAR`] entries is only its entries, searched in order; a larger
//! one adds an index from key to position. API data is mostly small hashes
//! (a row, its customer, its lines), so a 100,000-row list costs about what
//! Ruby's costs, not a hash table per row.

use crate::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Entries up to which lookups scan (Ruby's `RHASH_AR_TABLE_MAX_SIZE`).
pub const LINEAR: usize = 8;

#[derive(Clone, Default)]
pub struct Hash {
    entries: Vec<(Arc<str>, Value)>,
    /// Key → position, once there are more than [`LINEAR`] entries (boxed:
    /// a small hash pays one pointer for it, not a whole table header).
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<Arc<str>, usize>>>,
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.entries.iter().map(|(k, v)| (k, v)))
            .finish()
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    pub fn with_capacity(n: usize) -> Hash {
        Hash {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| &**k == key),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` (in place if present, else at the end, as Ruby's `[]=`);
    /// returns the old value.
    pub fn insert(&mut self, key: Arc<str>, value: Value) -> Option<Value> {
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        let at = self.entries.len();
        if let Some(ix) = &mut self.index {
            ix.insert(key.clone(), at);
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > LINEAR {
            self.index = Some(Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            ));
        }
        None
    }

    /// The entry at position `i` (insertion order).
    pub fn get_index(&self, i: usize) -> Option<(&Arc<str>, &Value)> {
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    pub fn first(&self) -> Option<(&Arc<str>, &Value)> {
        self.get_index(0)
    }

    pub fn last(&self) -> Option<(&Arc<str>, &Value)> {
        self.entries.last().map(|(k, v)| (k, v))
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Arc<str>, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Arc<str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        if let Some(ix) = &mut self.index {
            ix.shrink_to_fit();
        }
    }
}

impl FromIterator<(Arc<str>, Value)> for Hash {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Value)>>(iter: I) -> Hash {
        let mut h = Hash::new();
        h.extend(iter);
        h
    }
}

impl Extend<(Arc<str>, Value)> for Hash {
    fn extend<I: IntoIterator<Item = (Arc<str>, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl IntoIterator for Hash {
    type Item = (Arc<str>, Value);
    type IntoIter = std::vec::IntoIter<(Arc<str>, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: usize) -> Hash {
        (0..n)
            .map(|i| (Arc::<str>::from(format!("k{i}")), Value::Int(i as i64)))
            .collect()
    }

    #[test]
    fn small_and_large_hashes_find_every_key_in_order() {
        for n in [0, 1, LINEAR, LINEAR + 1, 100] {
            let mut m = h(n);
            assert_eq!(m.len(), n);
            for i in 0..n {
                assert!(matches!(m.get(&format!("k{i}")), Some(Value::Int(j)) if *j == i as i64));
                assert_eq!(&**m.get_index(i).unwrap().0, format!("k{i}"));
            }
            assert!(m.get("nope").is_none());
            // Setting an existing key keeps its place, as Ruby's `[]=`.
            if n > 0 {
                assert!(m.insert("k0".into(), Value::Nil).is_some());
                assert_eq!(&**m.first().unwrap().0, "k0");
                assert!(matches!(m.get("k0"), Some(Value::Nil)));
                assert_eq!(m.len(), n);
            }
            m.insert("new".into(), Value::Bool(true));
            assert_eq!(&**m.last().unwrap().0, "new");
            assert!(m.contains_key("new"));
        }
    }
}
