//! Runs inputs through a fuzz target in a plain build (no AFL), saying for
//! each whether it panicked, with the panic's message and backtrace on
//! stderr: the first look at a crash AFL saved.
//!
//!   cargo run -p corslab-fuzz --example repro -- TARGET FILE...

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let Some(target) = corslab_fuzz::target(&name) else {
        let names: Vec<&str> = corslab_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!("usage: repro TARGET FILE... (TARGET: one of {})", names.join(", "));
        return ExitCode::from(2);
    };
    let mut panicked = 0;
    for path in args {
        let data = match std::fs::read(&path) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        let ok = std::panic::catch_unwind(|| (target.run)(&data)).is_ok();
        println!("{path}: {}", if ok { "ok" } else { "PANIC" });
        panicked += usize::from(!ok);
    }
    if panicked == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
