//! One value per browser: each browser's verdict in a `cors-check/1` or
//! `cors-har/1` report, its count of blocked requests.
//!
//! A map keyed by [`Browser`], kept as a short list in the browsers' order
//! (there are four), so it serializes as the map it stands for,
//! `{"chrome": …, "firefox": …}`. A `BTreeMap` did this before, at the cost
//! of a copy of the B-tree's code for every value type in the page's wasm.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::profile::Browser;

/// A value for each of some browsers, in [`Browser`]'s order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerBrowser<V> {
    entries: Vec<(Browser, V)>,
}

impl<V> Default for PerBrowser<V> {
    fn default() -> Self {
        PerBrowser { entries: Vec::new() }
    }
}

impl<V> PerBrowser<V> {
    /// No browser's value yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `browser`'s value; returns the one it replaces.
    pub fn insert(&mut self, browser: Browser, value: V) -> Option<V> {
        match self.entries.iter().position(|(b, _)| *b >= browser) {
            Some(i) if self.entries[i].0 == browser => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Some(i) => {
                self.entries.insert(i, (browser, value));
                None
            }
            None => {
                self.entries.push((browser, value));
                None
            }
        }
    }

    /// `browser`'s value.
    pub fn get(&self, browser: &Browser) -> Option<&V> {
        self.entries.iter().find(|(b, _)| b == browser).map(|(_, v)| v)
    }

    /// `browser`'s value, to change.
    pub fn get_mut(&mut self, browser: &Browser) -> Option<&mut V> {
        self.entries.iter_mut().find(|(b, _)| b == browser).map(|(_, v)| v)
    }

    /// Whether `browser` has a value.
    pub fn contains_key(&self, browser: &Browser) -> bool {
        self.get(browser).is_some()
    }

    /// The browsers with a value, in order.
    pub fn keys(&self) -> impl Iterator<Item = &Browser> {
        self.entries.iter().map(|(b, _)| b)
    }

    /// The values, in the browsers' order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Each browser and its value, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Browser, &V)> {
        self.entries.iter().map(|(b, v)| (b, v))
    }

    /// How many browsers have a value.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no browser has a value.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a, V> IntoIterator for &'a PerBrowser<V> {
    type Item = (&'a Browser, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Browser, V)>, fn(&'a (Browser, V)) -> (&'a Browser, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(b, v)| (b, v))
    }
}

impl<V> FromIterator<(Browser, V)> for PerBrowser<V> {
    fn from_iter<I: IntoIterator<Item = (Browser, V)>>(iter: I) -> Self {
        let mut map = PerBrowser::new();
        for (browser, value) in iter {
            map.insert(browser, value);
        }
        map
    }
}

impl<V: Serialize> Serialize for PerBrowser<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (browser, value) in &self.entries {
            map.serialize_entry(browser, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kept in the browsers' order whatever the order of insertion, one
    /// value each, and written as the map a `BTreeMap` would write.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_value_per_browser_in_the_browsers_order() {
        let mut map = PerBrowser::new();
        assert!(map.is_empty());
        assert_eq!(map.insert(Browser::Spec, 4), None);
        assert_eq!(map.insert(Browser::Chrome, 1), None);
        assert_eq!(map.insert(Browser::Webkit, 3), None);
        assert_eq!(map.insert(Browser::Chrome, 10), Some(1));
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), [Browser::Chrome, Browser::Webkit, Browser::Spec]);
        assert_eq!((map.get(&Browser::Chrome), map.get(&Browser::Firefox), map.len()), (Some(&10), None, 3));
        *map.get_mut(&Browser::Webkit).unwrap() += 1;
        let tree: std::collections::BTreeMap<Browser, i32> = map.iter().map(|(b, v)| (*b, *v)).collect();
        assert_eq!(serde_json::to_string(&map).unwrap(), serde_json::to_string(&tree).unwrap());
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"chrome":10,"webkit":4,"spec":4}"#);
        let collected: PerBrowser<i32> = [(Browser::Firefox, 2), (Browser::Chrome, 1)].into_iter().collect();
        assert_eq!(collected.values().copied().collect::<Vec<_>>(), [1, 2]);
    }
}
