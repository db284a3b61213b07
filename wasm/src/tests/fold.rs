//! Folding a zap's equal batches (fold.rs): the run is the batch-by-batch run, record for
//! record and state for state, whatever the kernel, the design baseline, the timers and
//! where the driver pauses; only the log's own encoding is shorter.

use super::*;

/// Everything a task, a design or a trace can see of a kernel at a pause: the clock, the
/// steps simulated, each task's info, each mm's counters.
fn seen(k: &Kernel) -> Vec<f64> {
    let mut out = vec![k.now_ns(), k.steps_taken(), k.event_count() as f64];
    for pid in k.pids() {
        out.extend(k.task_info(pid));
    }
    for mm in 1..=k.mm_count_total() {
        out.extend(k.mm_info(mm));
    }
    out
}

/// The D-state world on `kernel` with the victim in D until `d_until_us`, driven to its
/// horizon by a baseline, pausing every `pause_us` to look: what was seen at each pause, the
/// log written out, and the log's own length.
fn drive(
    kernel: i32,
    d_until_us: i32,
    which: Baseline,
    folding: bool,
    pause_us: f64,
) -> (Vec<Vec<f64>>, Vec<[f64; EVENT_WORDS]>, usize) {
    let mut k = load(&dstate_world(kernel, d_until_us), 1);
    k.set_folding(folding);
    let mut seen_at = Vec::new();
    let mut t = 0.0;
    // The caller acts at 1 ms; then the world runs on, paused every `pause_us`.
    assert_eq!(
        run_baseline_until(&mut k, which, 1e6),
        0,
        "{}",
        k.last_error()
    );
    while t < k.horizon_ns() {
        t += pause_us * 1e3;
        assert_eq!(k.run(t.min(k.horizon_ns())), 0, "{}", k.last_error());
        assert_eq!(k.check_invariants(), 0, "{}", k.last_error());
        seen_at.push(seen(&k));
    }
    let raw = k.events(0).len() / EVENT_WORDS;
    (seen_at, written_out(&k), raw)
}

/// The baseline's call at `at_ns` alone (run_baseline's protocol up to the call's end).
fn run_baseline_until(k: &mut Kernel, which: Baseline, at_ns: f64) -> i32 {
    let caller = k.caller();
    assert_eq!(k.run(at_ns), 0);
    assert_eq!(k.ext_start(caller), 0);
    let r = k.run(at_ns + 1e6);
    assert_eq!(r, caller as i32, "the caller runs: {}", k.last_error());
    match which {
        Baseline::Sigkill => assert_eq!(k.kill(caller, 1000, crate::signal::SIGKILL), 0),
        Baseline::OomReaper => assert!(k.oom_kill_process(caller, 1000) >= 0),
    }
    k.ext_end(caller)
}

/// Every kernel, both baselines, a victim whose exit starts before, at and after the
/// oom_reaper's wake-up (the v5.18+ OOM_REAPER_DELAY timer lands in the middle of the exit's
/// unmap when the D sleep ends at 1.5 s: 512 MiB take 848 ms on the little core), paused
/// every 97 ms (about 3 of the little core's 26 ms batches) and every second: at every pause the folded run shows what the batch-by-batch
/// run shows, and its log written out is the same, while its own log is shorter.
#[test]
fn folding_changes_nothing_anyone_can_see() {
    let mut folded = 0;
    for kernel in ALL_KERNELS {
        for which in [Baseline::Sigkill, Baseline::OomReaper] {
            for d_until_us in [100, 500_000, 1_500_000] {
                for pause_us in [97_000.0, 1_000_000.0] {
                    let what = format!("{kernel} {which:?} D until {d_until_us} µs");
                    let (seen_b, log_b, raw_b) = drive(kernel, d_until_us, which, false, pause_us);
                    let (seen_f, log_f, raw_f) = drive(kernel, d_until_us, which, true, pause_us);
                    assert_eq!(seen_f.len(), seen_b.len());
                    for (i, (f, b)) in seen_f.iter().zip(&seen_b).enumerate() {
                        assert_eq!(f, b, "{what}: what is seen at pause {i}");
                    }
                    assert_eq!(log_f, log_b, "{what}: the log written out");
                    assert_eq!(raw_b, log_b.len(), "{what}: nothing folded when off");
                    // With the SIGKILL alone, the exit's unmap runs with nothing beside it.
                    if which == Baseline::Sigkill {
                        assert!(raw_f < raw_b, "{what}: {raw_f} records of {raw_b}");
                    }
                    folded += usize::from(raw_f < raw_b);
                }
            }
        }
    }
    // Beside the oom_reaper (reaping on another CPU at the same time) nothing folds; after it
    // (before v5.18, it has reaped before the D sleep ends) the exit has no pages left.
    assert!(folded >= ALL_KERNELS.len() * 6, "{folded} runs folded");
}

/// The fold's reach: the 512 MiB victim's exit unmap on 6.18 (32 batches, nothing else
/// running) is one shorthand and one rss_stat; 1 GiB is still two records, where the
/// batch-by-batch log grows by a record a batch.
#[test]
fn a_lone_exit_unmap_is_two_records_whatever_its_size() {
    for (mib, batches) in [(512, 32), (1024, 64)] {
        let world = dstate_world(618, 100)
            .0
            .iter()
            .map(|&w| if w == 512 * MIB { mib * MIB } else { w })
            .collect();
        let mut k = load(&Prog(world), 1);
        assert_eq!(run_baseline(&mut k, Baseline::Sigkill, 1000, 1e6), 0);
        let runs = events_of(&k, Kind::RssStatRun);
        assert!(runs.is_empty(), "written out, no shorthand is left");
        let raw: Vec<_> = k
            .events(0)
            .chunks(EVENT_WORDS)
            .map(|e| e[3] as u8)
            .collect();
        let shorthands = raw
            .iter()
            .filter(|&&kind| kind == Kind::RssStatRun as u8)
            .count();
        assert_eq!(shorthands, 1, "{mib} MiB: one run");
        let victim_rss = events_of(&k, Kind::RssStat)
            .into_iter()
            .filter(|e| e[2] == 1000.0 && e[5] == 1.0)
            .count();
        assert_eq!(
            victim_rss, batches,
            "{mib} MiB: one rss_stat a batch, written out"
        );
    }
}

/// A limit in the middle of a foldable unmap is reached where the batch-by-batch run reaches
/// it: the same answer from `run_baseline`, the same limit, the same log written out, for
/// every event and step limit from the unmap's start to past its end.
#[test]
fn a_limit_inside_a_folded_run_is_reached_where_it_was() {
    let limited = |folding: bool, events: f64, steps: f64| {
        let mut k = load(&dstate_world(618, 100), 1);
        k.set_folding(folding);
        assert_eq!(k.set_run_limits(events, steps), 0);
        let r = run_baseline(&mut k, Baseline::Sigkill, 1000, 1e6);
        (r, k.run_limit(), written_out(&k), k.steps_taken())
    };
    let whole = limited(false, 1e6, 1e6);
    let (events, steps) = (whole.2.len() as f64, whole.3);
    for cut in 0..50 {
        let (e, s) = (events - cut as f64, steps - cut as f64);
        assert_eq!(
            limited(true, e, 1e6),
            limited(false, e, 1e6),
            "event limit {e}"
        );
        assert_eq!(
            limited(true, 1e6, s),
            limited(false, 1e6, s),
            "step limit {s}"
        );
    }
}
