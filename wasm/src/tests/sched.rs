//! The deterministic scheduler and the cost model: replayability, whose context pays for
//! the work, and CPU speed scaling (params.rs).

use super::*;
use crate::params::{
    cpu_speed_ppm, exit_share_ppm, BACKGROUND_LOAD_PER_MILLE, EXIT_UNMAP_NS_PER_PAGE,
    MEMORY_BOUND_PER_MILLE, PRIMITIVE_NS, REAP_NS_PER_PAGE, ZAP_BATCH_PAGES,
};

/// The SIGKILL baseline against a victim whose four threads all sleep on CPU 0: the kill wakes
/// them together, so which idle CPU each one takes, and which of several CPUs due at the same
/// instant acts first, are choices. `choices` replaces the seeded PRNG.
fn baseline_run(seed: u32, choices: Option<&[u32]>) -> Kernel {
    let mut sim = Sim::new(618)
        .victim(&[VmaSpec::anon(4 * MIB)], S)
        .horizon_us(1_000_000);
    for t in 1..4 {
        sim = sim.thread(VICTIM + t, S);
    }
    let mut k = sim.load(seed);
    if let Some(list) = choices {
        k.set_choices(list);
    }
    assert_eq!(
        run_baseline(&mut k, Baseline::Sigkill, VICTIM, 0.0),
        0,
        "{}",
        k.last_error()
    );
    k
}

/// Determinism: the same program and seed give the same event log.
#[test]
fn same_program_and_seed_give_the_same_events() {
    let (a, b) = (baseline_run(7, None), baseline_run(7, None));
    assert!(a.choices_taken() > 0.0, "the run made real choices");
    assert_eq!(a.events_hash(), b.events_hash());
    assert_eq!(a.event_count(), b.event_count());
}

/// Determinism: the seed drives the choices, so other seeds may give other logs (among 16
/// seeds, not all logs agree).
#[test]
fn other_seeds_can_give_other_events() {
    let hashes: std::collections::BTreeSet<String> = (1..=16)
        .map(|s| baseline_run(s, None).events_hash())
        .collect();
    assert!(hashes.len() > 1);
}

/// Determinism: an explicit choice list (what fast-check shrinks) replays exactly, whatever
/// the seed.
#[test]
fn an_explicit_choice_list_replays() {
    let list = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
    let (a, b) = (baseline_run(1, Some(&list)), baseline_run(99, Some(&list)));
    assert!(a.choices_taken() > 0.0);
    assert_eq!(a.events_hash(), b.events_hash());
}

/// Cost: the victim's exit_mmap runs in the victim's context, so the victim pays for it (on
/// the reference CPU: EXIT_UNMAP_NS_PER_PAGE per anon page, plus less than 100 µs of exit
/// steps and switches); the caller who killed it pays almost nothing.
#[test]
fn exit_mmap_is_charged_to_the_victim() {
    let pages = 16 * 1024;
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(pages)], S).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    let unmap = (pages as u64 * EXIT_UNMAP_NS_PER_PAGE) as f64;
    let victim = lab.cpu_time(VICTIM);
    assert!(
        victim >= unmap && victim < unmap + 100e3,
        "victim {victim} ns for {unmap} ns of unmapping"
    );
    assert!(
        lab.cpu_time(KILLER) < 100e3,
        "caller {}",
        lab.cpu_time(KILLER)
    );
}

/// Cost: the oom_reaper's reap runs in the kthread's context, so the kthread pays for it
/// (REAP_NS_PER_PAGE per anon page on the reference CPU); the victim, asleep in D, pays
/// nothing and the caller almost nothing.
#[test]
fn oom_reaper_work_is_charged_to_the_kthread() {
    let pages = 16 * 1024;
    let mut lab = Sim::new(515).victim(&[VmaSpec::anon(pages)], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "reaped");
    let reap = (pages as u64 * REAP_NS_PER_PAGE) as f64;
    let reaper = lab.cpu_time(lab.k.oom_reaper_pid() as i32);
    assert!(
        reaper >= reap && reaper < reap + 100e3,
        "oom_reaper {reaper} ns for {reap} ns of reaping"
    );
    assert_eq!(lab.cpu_time(VICTIM), 0.0);
    assert!(
        lab.cpu_time(KILLER) < 100e3,
        "caller {}",
        lab.cpu_time(KILLER)
    );
}

/// The wall time between the victim's first and last rss_stat of its exit_mmap, SIGKILLed
/// asleep on four CPUs of type `cpu`, with 8 batches of ZAP_BATCH_PAGES: 7 batches' work.
fn exit_unmap_span_on(cpu: [i32; 3]) -> f64 {
    let pages = 8 * ZAP_BATCH_PAGES as i32;
    let mut lab = Sim::new(618)
        .cpus(&[cpu; 4])
        .victim(&[VmaSpec::anon(pages)], S)
        .lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(60.0 * ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "exited");
    let rss: Vec<f64> = lab
        .of(Kind::RssStat)
        .iter()
        .filter(|e| e.pid == VICTIM as f64)
        .map(|e| e.ts)
        .collect();
    assert_eq!(rss.len(), 8, "one rss_stat a batch");
    rss[7] - rss[0]
}

/// The background load (BACKGROUND_LOAD_PER_MILLE): the exiting victim's unmapping takes its
/// work divided by its share of the CPU, 1 - load/speed: 0.775 of the reference CPU, and on
/// the little core at 300 MHz (speed 0.261) only 0.14, so exit slows there far more than the
/// CPU's speed alone says, as §E.4's normal kills did. The load's time is charged to no task
/// (`exit_mmap_is_charged_to_the_victim` above still holds).
#[test]
fn an_exiting_victim_shares_its_cpu_with_the_background_load() {
    for cpu in [BIG_MAX, LITTLE_MIN] {
        let speed = cpu_speed_ppm(cpu[0] as u32, cpu[1] as u32, cpu[2] as u32);
        let share = 1.0 - BACKGROUND_LOAD_PER_MILLE as f64 * 1e3 / speed as f64;
        assert!((exit_share_ppm(speed) as f64 / 1e6 - share).abs() < 1e-3);
        let work = 7.0 * (ZAP_BATCH_PAGES * EXIT_UNMAP_NS_PER_PAGE + PRIMITIVE_NS) as f64 * 1e6
            / speed as f64;
        let got = exit_unmap_span_on(cpu);
        assert!(
            (got / (work / share) - 1.0).abs() < 0.01,
            "{cpu:?}: {got} ns for {work} ns of work at a share of {share}"
        );
    }
}

/// The caller's CPU time for reaping a 256 MiB victim with the caller on a CPU of type `cpu`.
fn reap_cost_on(cpu: [i32; 3]) -> f64 {
    let cpus = [BIG_MAX, cpu, BIG_MAX, BIG_MAX];
    let mut lab = Sim::new(618)
        .cpus(&cpus)
        .victim(&[VmaSpec::anon(256 * MIB)], D)
        .lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.segment_cost(|_, _| {});
    let before = lab.cpu_time(KILLER);
    assert_eq!(lab.reap(H_VICTIM), 1.0);
    lab.segment_cost(|_, _| {});
    lab.cpu_time(KILLER) - before
}

/// Speed scaling: the same reap on a little core at minimum frequency and on a big core at
/// maximum takes times in the inverse ratio of their speeds, speed = capacity/1024 *
/// (M + (1-M) * freq/max_freq) with M = MEMORY_BOUND_PER_MILLE/1000 (docs/scenario-format.md
/// "Presets and their calibration"), within 5%.
#[test]
fn reap_time_scales_with_cpu_speed() {
    let speed = |[cap, f, max]: [i32; 3]| {
        let m = MEMORY_BOUND_PER_MILLE as f64 / 1000.0;
        cap as f64 / 1024.0 * (m + (1.0 - m) * f as f64 / max as f64)
    };
    let expected = speed(BIG_MAX) / speed(LITTLE_MIN);
    let got = reap_cost_on(LITTLE_MIN) / reap_cost_on(BIG_MAX);
    assert!(
        (got / expected - 1.0).abs() < 0.05,
        "little/big time ratio {got}, speeds say {expected}"
    );
}

/// The SIGKILL baseline against a victim of `threads` sleeping threads (every one wakes to
/// exit) on the base world's 4 CPUs; returns the scheduler's work counter and the steps.
fn many_threads_killed(threads: i32) -> (f64, f64) {
    let mut sim = Sim::new(618).victim(&[VmaSpec::anon(16 * MIB)], S);
    for t in 1..threads {
        sim = sim.thread(VICTIM + t, S).on(t % 4);
    }
    let mut k = sim.horizon_us(10_000_000).load(1);
    assert_eq!(
        run_baseline(&mut k, Baseline::Sigkill, VICTIM, 0.0),
        0,
        "{}",
        k.last_error()
    );
    assert_eq!(k.mm_info(H_VICTIM)[3], 0.0, "every thread exited");
    (k.sched_work(), k.steps_taken())
}

/// Scheduling cost does not depend on how many tasks are runnable: 16 times the threads
/// take at most 32 times the scheduler's work (linear, with room for the queue's log
/// factor); rescanning the run queue on every step made it about 256 times.
#[test]
fn scheduler_work_grows_linearly_with_the_threads() {
    let (small, small_steps) = many_threads_killed(4096);
    let (large, large_steps) = many_threads_killed(65536);
    assert!(
        large_steps <= 17.0 * small_steps,
        "steps {small_steps} -> {large_steps}"
    );
    assert!(
        large <= 32.0 * small,
        "scheduler work {small} for 4096 threads, {large} for 65536 ({:.0}x)",
        large / small
    );
}
