//! The run log under load: one request recorded, by one thread, and by two
//! threads at once into the same run (as a load test's preflights are: every
//! worker thread records into one log, behind one lock).
//!
//! `cargo bench -p corslab-server --bench log` (add
//! `-- --warm-up-time 1 --measurement-time 3` for a quicker run). The
//! two-thread figure is the time per record of the pair: with no
//! contention at all it would be half the one-thread figure.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use corslab_server::log::RequestLog;
use criterion::{Criterion, criterion_group, criterion_main};

/// The head `make bench-server`'s wrk preflight sends.
fn preflight_head() -> HeaderMap {
    let mut head = HeaderMap::new();
    for (name, value) in [
        ("host", "127.0.0.1:18180"),
        ("origin", "http://localhost:5050"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-custom"),
    ] {
        head.append(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    head
}

fn record(log: &RequestLog, head: &HeaderMap) {
    log.record(black_box("bench"), &Method::OPTIONS, black_box("/policy/bench"), black_box(head));
}

/// `threads` threads record `iters` requests between them; the time from
/// their common start until the last is done.
fn record_concurrently(log: &Arc<RequestLog>, threads: u64, iters: u64) -> Duration {
    let start = Arc::new(Barrier::new(usize::try_from(threads).unwrap_or(1)));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (log, start) = (Arc::clone(log), Arc::clone(&start));
            std::thread::spawn(move || {
                let head = preflight_head();
                start.wait();
                let begun = Instant::now();
                for _ in 0..iters / threads {
                    record(&log, &head);
                }
                begun
            })
        })
        .collect();
    let begun: Vec<Instant> = workers.into_iter().filter_map(|w| w.join().ok()).collect();
    begun.iter().min().map(Instant::elapsed).unwrap_or_default()
}

fn bench_log(c: &mut Criterion) {
    let mut group = c.benchmark_group("log");
    let log = Arc::new(RequestLog::default());
    // A full run, as in a load test: each record gives up the oldest entry.
    let head = preflight_head();
    for _ in 0..1000 {
        record(&log, &head);
    }
    group.bench_function("record/1_thread", |b| b.iter(|| record(&log, &head)));
    group.bench_function("record/2_threads", |b| b.iter_custom(|iters| record_concurrently(&log, 2, iters)));
    group.finish();
}

criterion_group!(benches, bench_log);
criterion_main!(benches);
