//! Sorting the short lists the crate keeps: header names, scenario ids, the
//! `use` lines of a generated file.
//!
//! One small sort serves them all. The standard library's sorts are built
//! for long lists, and every element type and comparator gets its own copy
//! of them: 2 to 4 KB of wasm apiece, about 15 KB of the page's code in all.
//! These lists hold a few tens of items, where an insertion sort is as fast;
//! a heap sort keeps the rare long one (a file of 10,000 scenario ids) to
//! n log n comparisons.
//!
//! Neither sort is stable: they are for lists whose equal items are alike
//! (strings), where order among equals cannot show.

/// The longest slice sorted by insertion.
const INSERTION_MAX: usize = 20;

/// Sorts `v` by `less` (a strict weak order), not stably.
pub fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    if v.len() <= INSERTION_MAX {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(&v[j], &v[j - 1]) {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    // A max-heap, then its largest item swapped to the end, one at a time.
    let len = v.len();
    for root in (0..len / 2).rev() {
        sift_down(v, root, len, &less);
    }
    for end in (1..len).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &less);
    }
}

/// Moves `v[root]` down the heap `v[..end]` until its children are not
/// greater.
fn sift_down<T>(v: &mut [T], mut root: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

/// Sorts `v` in ascending order, not stably.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, |a, b| a < b);
}

/// Sorts `v` and keeps one of each run of equal items: a sorted set.
pub fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort(v);
    v.dedup();
}

/// A xorshift generator for tests that pick at random: the same numbers
/// from the same seed on every run and every target.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length around both sorts' limits, with many repeats and with
    /// none, against the standard library's sort.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn sorts_as_the_standard_library_does() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for len in (0..70).chain([255, 256, 1000]) {
            for spread in [3, 1 << 40] {
                let v: Vec<u64> = (0..len).map(|_| next() % spread).collect();
                let mut want = v.clone();
                want.sort_unstable();
                let mut got = v.clone();
                sort(&mut got);
                assert_eq!(got, want, "len {len}, spread {spread}");
                let mut desc = v.clone();
                sort_by(&mut desc, |a, b| a > b);
                want.reverse();
                assert_eq!(desc, want, "descending, len {len}");
                let mut set = v;
                sort_dedup(&mut set);
                want.reverse();
                want.dedup();
                assert_eq!(set, want, "set, len {len}");
            }
        }
        let mut names = vec!["origin", "accept", "x-b", "accept", "content-type"];
        sort_dedup(&mut names);
        assert_eq!(names, ["accept", "content-type", "origin", "x-b"]);
    }
}
