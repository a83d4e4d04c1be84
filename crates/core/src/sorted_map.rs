//! A map kept as a list sorted by key: each browser's verdict in a report,
//! a scenario's expectations by browser name, a network's address spaces by
//! origin, Firefox's preferences by name.
//!
//! These maps hold a handful of entries, read and written whole. A
//! `BTreeMap` did the job before, with a copy of the B-tree's code (insert,
//! search, clone, drop) for every key and value type in the page's wasm;
//! this list costs a binary search and a `Vec`. It iterates, serializes
//! and deserializes as a `BTreeMap` does: in key order, a repeated key's
//! last value kept.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A map from `K` to `V`, kept sorted by key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: Vec::new() }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Sets `key`'s value; returns the one it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// `key`'s value.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// `key`'s value, to change.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// The map of `entries`, in any order; of a repeated key, the last value.
    fn from_entries(entries: Vec<(K, V)>) -> Self {
        // Sorted by key, then by position, with the crate's n log n sort: a
        // file with a million repeated keys must not take n² steps.
        let mut numbered: Vec<(usize, (K, V))> = entries.into_iter().enumerate().collect();
        crate::sort::sort_by(&mut numbered, |(i, (a, _)), (j, (b, _))| a.cmp(b).then(i.cmp(j)).is_lt());
        let mut out: Vec<(K, V)> = Vec::with_capacity(numbered.len());
        for (_, (key, value)) in numbered {
            match out.last_mut() {
                Some(last) if last.0 == key => last.1 = value,
                _ => out.push((key, value)),
            }
        }
        SortedMap { entries: out }
    }
}

impl<K, V> SortedMap<K, V> {
    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values, in their keys' order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Each key and its value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// How many keys have a value.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        SortedMap::from_entries(iter.into_iter().collect())
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(SortedMap::from_entries(entries))
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Built by inserting, collecting or reading JSON, the map has the
    /// entries, the order and the JSON a `BTreeMap` has.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_sorted_map_behaves_as_a_btree_map() {
        let pairs = [("firefox", 2), ("chrome", 1), ("spec", 4), ("chrome", 10), ("webkit", 3)];
        let tree: BTreeMap<String, i32> = pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let collected: SortedMap<String, i32> = pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let mut inserted = SortedMap::new();
        for (k, v) in pairs {
            inserted.insert(k.to_owned(), v);
        }
        let json = r#"{"firefox": 2, "chrome": 1, "spec": 4, "chrome": 10, "webkit": 3}"#;
        let read: SortedMap<String, i32> = serde_json::from_str(json).unwrap();
        let read_tree: BTreeMap<String, i32> = serde_json::from_str(json).unwrap();
        assert_eq!(read_tree, tree);
        for map in [&collected, &inserted, &read] {
            assert_eq!(map.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>(), tree.clone().into_iter().collect::<Vec<_>>());
            assert_eq!(serde_json::to_string(map).unwrap(), serde_json::to_string(&tree).unwrap());
            assert_eq!((map.get("chrome"), map.get("opera"), map.len()), (Some(&10), None, 4));
        }
        assert_eq!(inserted.insert("chrome".to_owned(), 11), Some(10));
        *inserted.get_mut("spec").unwrap() += 1;
        assert_eq!(inserted.values().copied().collect::<Vec<_>>(), [11, 2, 5, 3]);
        assert!(serde_json::from_str::<SortedMap<String, i32>>("[1]").is_err());
    }

    /// A map read from 200,000 keys, most of them repeated, sorts them
    /// once (n log n): the fuzzers feed it files of a megabyte.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn many_repeated_keys_keep_the_last_value() {
        let map: SortedMap<u32, u32> = (0..200_000u32).map(|i| (i % 1000, i)).collect();
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get(&7), Some(&199_007));
    }
}
