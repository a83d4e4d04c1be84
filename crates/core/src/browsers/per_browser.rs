//! One value per browser: each browser's verdict in a `cors-check/1` or
//! `cors-har/1` report, its count of blocked requests.
//!
//! A map keyed by [`Browser`] ([`SortedMap`]: a short list in the browsers'
//! order), serialized as the map it stands for, `{"chrome": …, "firefox": …}`.

use super::profile::Browser;
use crate::sorted_map::SortedMap;

/// A value for each of some browsers, in [`Browser`]'s order.
pub type PerBrowser<V> = SortedMap<Browser, V>;

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
