//! Native driver of the core: `replay` prints the event-log hash of a baseline run on a
//! world program (the determinism check compares it with WASM's), `bench` times the same
//! loop natively for the WASM/native ratio.
//!
//! Usage: lab_native replay <program.txt> <seed> <sigkill|oom_reaper> <victim> <at_ns>
//!        lab_native bench  <program.txt> <seed> <sigkill|oom_reaper> <victim> <at_ns> <runs>

use mrelease_core::baseline::{run_baseline, Baseline};
use mrelease_core::Kernel;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Err(e) = run(&args) {
        eprintln!("lab_native: {e}");
        eprintln!("usage: lab_native replay|bench <program.txt> <seed> <sigkill|oom_reaper> <victim> <at_ns> [runs]");
        std::process::exit(2);
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [_, mode, path, seed, design, victim, at, rest @ ..] = args else {
        return Err("missing arguments".into());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let program: Vec<i32> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i32>().map_err(|e| format!("{path}: {s:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let seed: u64 = seed.parse().map_err(|e| format!("seed: {e}"))?;
    let which = match design.as_str() {
        "sigkill" => Baseline::Sigkill,
        "oom_reaper" => Baseline::OomReaper,
        d => return Err(format!("unknown baseline {d}")),
    };
    let victim: i32 = victim.parse().map_err(|e| format!("victim: {e}"))?;
    let at: f64 = at.parse().map_err(|e| format!("at_ns: {e}"))?;
    let once = || -> Result<Kernel, String> {
        let mut k = Kernel::new(seed as u32, (seed >> 32) as u32);
        if k.load_world(&program) != 0 {
            return Err(k.last_error());
        }
        let r = run_baseline(&mut k, which, victim, at);
        if r < -1000 {
            return Err(k.last_error());
        }
        Ok(k)
    };
    match mode.as_str() {
        "replay" => {
            let k = once()?;
            println!("{} {}", k.events_hash(), k.event_count());
        }
        "bench" => {
            let runs: u32 = rest
                .first()
                .ok_or("bench needs a run count")?
                .parse()
                .map_err(|e| format!("runs: {e}"))?;
            let start = Instant::now();
            for _ in 0..runs {
                once()?;
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{{\"runs\":{runs},\"seconds\":{secs},\"runs_per_second\":{}}}",
                runs as f64 / secs
            );
        }
        m => return Err(format!("unknown mode {m}")),
    }
    Ok(())
}
