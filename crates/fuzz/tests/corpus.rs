//! Every file of every target's committed corpus (`crates/fuzz/corpus/`:
//! the seeds, what the fuzzer found that `afl-cmin` kept, and each crash
//! repro, `crash-*`) fed to the same target function the AFL binary runs,
//! in a plain build: each must return, within the time bound, with its
//! peak heap under the memory bound. This is the fuzzers' regression test
//! in `make test` (a few seconds).

#![allow(unsafe_code)] // the counting allocator below, and nothing else

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use corslab_fuzz::{DEBUG_TIME_BOUND_MS, HEAP_BOUND_BYTES, TARGETS, Target, time_bound};

/// The system allocator, counting the live and peak bytes of each thread
/// (each input runs on a thread of its own, so its peak is its own).
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: a thread being torn down has no counters left.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters are thread-local `Cell`s, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The corpus folder of `target`.
fn corpus(target: &Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target.name)
}

/// The time one input may take here: the release bound in a release
/// build, a debug build's otherwise.
fn bound() -> Duration {
    if cfg!(debug_assertions) { Duration::from_millis(DEBUG_TIME_BOUND_MS) } else { time_bound() }
}

/// What one input cost.
struct Cost {
    elapsed: Duration,
    peak: usize,
}

/// Runs `target` on `data` on a thread of its own: its cost, or the panic
/// message, or a timeout.
fn run(target: &'static Target, data: Vec<u8>) -> Result<Cost, String> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(format!("fuzz-{}", target.name))
        .spawn(move || {
            PEAK.with(|p| p.set(0));
            LIVE.with(|l| l.set(0));
            let start = Instant::now();
            let outcome = std::panic::catch_unwind(|| (target.run)(&data));
            let elapsed = start.elapsed();
            let peak = PEAK.with(Cell::get).max(0) as usize;
            let _ = tx.send(outcome.map(|()| Cost { elapsed, peak }));
        })
        .map_err(|e| e.to_string())?;
    match rx.recv_timeout(bound() * 3) {
        Ok(Ok(cost)) => {
            let _ = handle.join();
            Ok(cost)
        }
        Ok(Err(panic)) => {
            let _ = handle.join();
            Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic".to_owned()))
        }
        // The thread is left behind: the test fails anyway.
        Err(_) => Err(format!("no answer in {:?} (a hang)", bound() * 3)),
    }
}

#[test]
fn every_corpus_file_returns_within_its_bounds() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    let started = Instant::now();
    for target in TARGETS {
        let dir = corpus(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: the corpus is empty", dir.display());
        let (mut slowest, mut total, mut heaviest) = (Duration::ZERO, Duration::ZERO, 0);
        for file in &files {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            match run(target, data) {
                Ok(cost) => {
                    slowest = slowest.max(cost.elapsed);
                    total += cost.elapsed;
                    heaviest = heaviest.max(cost.peak);
                    if cost.elapsed > bound() {
                        failures.push(format!("{}/{name}: took {:?} (bound {:?})", target.name, cost.elapsed, bound()));
                    }
                    if cost.peak > HEAP_BOUND_BYTES {
                        failures.push(format!("{}/{name}: peak heap {} bytes (bound {HEAP_BOUND_BYTES})", target.name, cost.peak));
                    }
                }
                Err(why) => failures.push(format!("{}/{name}: {why}", target.name)),
            }
        }
        summary.push(format!(
            "{:<10} {:>5} files, mean {:>9.3?}, slowest {:>9.3?}, peak heap {:>6} KiB",
            target.name,
            files.len(),
            total / u32::try_from(files.len()).unwrap_or(u32::MAX),
            slowest,
            heaviest / 1024
        ));
    }
    println!("fuzz corpora, {:?} in all:\n  {}", started.elapsed(), summary.join("\n  "));
    assert!(failures.is_empty(), "{} corpus files fail:\n{}", failures.len(), failures.join("\n"));
}
