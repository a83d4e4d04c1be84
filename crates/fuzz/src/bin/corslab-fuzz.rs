//! The AFL binary: `corslab-fuzz TARGET` runs one target under AFL++
//! (persistent mode, input from shared memory); `corslab-fuzz --list`
//! names them. Built only by `cargo afl build --features afl` (the
//! Makefile's `fuzz`), which links AFL++'s runtime.

use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    if name == "--list" {
        for target in corslab_fuzz::TARGETS {
            println!("{:<11} {}", target.name, target.about);
        }
        return ExitCode::SUCCESS;
    }
    let Some(target) = corslab_fuzz::target(&name) else {
        eprintln!("usage: corslab-fuzz TARGET (one of: {})", names().join(", "));
        return ExitCode::from(2);
    };
    let run = target.run;
    afl::fuzz!(|data: &[u8]| run(data));
    ExitCode::SUCCESS
}

fn names() -> Vec<&'static str> {
    corslab_fuzz::TARGETS.iter().map(|t| t.name).collect()
}
