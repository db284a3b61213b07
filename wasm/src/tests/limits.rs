//! The run's limits (limits.rs): a run that reaches its event or step limit ends with
//! `RUN_LIMIT` and the limit's name, its log never past the limit; pausing a run in slices
//! changes nothing of it.

use super::*;
use crate::errno::RUN_LIMIT;
use crate::limits::{DEFAULT_MAX_EVENTS, DEFAULT_MAX_STEPS};

/// Two CPUs and four threads computing to a far horizon: a context switch every user slice,
/// for as long as the run may go.
fn busy(cpus: usize) -> Sim {
    let mut sim = Sim::new(618)
        .cpus(&vec![BIG_MAX; cpus])
        .victim(&[VmaSpec::anon(16)], RUN);
    for t in 1..(2 * cpus as i32) {
        sim = sim.thread(VICTIM + t, RUN).on(t % cpus as i32);
    }
    sim.horizon_us(i32::MAX)
}

#[test]
fn a_fresh_kernel_has_the_default_limits() {
    let k = Kernel::new(1, 0);
    assert_eq!(
        k.run_limits(),
        vec![DEFAULT_MAX_EVENTS as f64, DEFAULT_MAX_STEPS as f64]
    );
    assert_eq!(k.run_limit(), "");
    assert_eq!(Kernel::run_limit_bounds()[0], DEFAULT_MAX_EVENTS as f64);
}

/// The event limit: the log stops at exactly the limit, `run` answers RUN_LIMIT now and on
/// every later call, and `last_error` says which limit and its value.
#[test]
fn the_event_limit_ends_the_run_with_the_log_at_the_limit() {
    let mut k = busy(2).load(1);
    assert_eq!(k.set_run_limits(1000.0, 1e9), 0);
    assert_eq!(k.run(ONE_S * 1e3), RUN_LIMIT);
    assert_eq!(k.run_limit(), "events");
    assert_eq!(k.event_count(), 1000);
    assert_eq!(k.events(0).len(), 1000 * EVENT_WORDS);
    assert_eq!(k.last_error(), "run limit reached: more than 1000 events");
    let steps = k.steps_taken();
    assert_eq!(k.run(ONE_S * 1e3), RUN_LIMIT, "and stays reached");
    assert_eq!(k.steps_taken(), steps);
    assert_eq!(k.check_invariants(), 0, "the world itself is sound");
}

/// The step limit: at most that many steps, then RUN_LIMIT naming "steps".
#[test]
fn the_step_limit_ends_the_run_after_exactly_that_many_steps() {
    let mut k = busy(2).load(1);
    assert_eq!(k.set_run_limits(1e6, 500.0), 0);
    assert_eq!(k.run(ONE_S * 1e3), RUN_LIMIT);
    assert_eq!(k.run_limit(), "steps");
    assert_eq!(k.steps_taken(), 500.0);
    assert!(k.last_error().contains("more than 500 steps"));
}

/// A run of exactly its limits finishes as it would without them.
#[test]
fn a_run_of_exactly_its_limits_finishes() {
    let sim = Sim::new(618).victim(&[VmaSpec::anon(4 * MIB)], S);
    let mut free = sim.load(3);
    assert_eq!(run_baseline(&mut free, Baseline::Sigkill, VICTIM, 0.0), 0);
    let mut exact = sim.load(3);
    let (events, steps) = (free.event_count() as f64, free.steps_taken());
    assert_eq!(exact.set_run_limits(events, steps), 0);
    assert_eq!(run_baseline(&mut exact, Baseline::Sigkill, VICTIM, 0.0), 0);
    assert_eq!(exact.events_hash(), free.events_hash());
    let mut short = sim.load(3);
    assert_eq!(short.set_run_limits(events - 1.0, steps), 0);
    assert_eq!(
        run_baseline(&mut short, Baseline::Sigkill, VICTIM, 0.0),
        RUN_LIMIT
    );
}

/// `run_steps` pauses with -EAGAIN after its slice, and a run sliced into single steps
/// gives the same events (choices included) as one run straight through.
#[test]
fn pausing_in_slices_changes_nothing() {
    let straight = {
        let mut k = busy(4).load(9);
        assert_eq!(k.set_run_limits(5000.0, 1e9), 0);
        assert_eq!(k.run(ONE_S * 1e3), RUN_LIMIT);
        k
    };
    let mut k = busy(4).load(9);
    assert_eq!(k.set_run_limits(5000.0, 1e9), 0);
    let mut pauses = 0;
    let r = loop {
        match k.run_steps(ONE_S * 1e3, 1.0) {
            r if r == -EAGAIN => pauses += 1,
            r => break r,
        }
    };
    assert_eq!(r, RUN_LIMIT);
    assert!(pauses > 1000, "{pauses}");
    assert_eq!(k.events_hash(), straight.events_hash());
    assert_eq!(k.choices_taken(), straight.choices_taken());
    assert_eq!(k.steps_taken(), straight.steps_taken());
}

#[test]
fn limits_and_slices_out_of_range_are_refused() {
    let mut k = busy(2).load(1);
    for (e, s) in [
        (0.0, 1.0),
        (1.0, 0.0),
        (-1.0, 1.0),
        (1.5, 1.0),
        (f64::NAN, 1.0),
        (1.0, f64::INFINITY),
        ((1u64 << 24) as f64 + 1.0, 1.0),
        (1.0, (1u64 << 53) as f64),
    ] {
        assert_eq!(k.set_run_limits(e, s), -EINVAL, "{e} {s}");
    }
    assert_eq!(
        k.run_limits(),
        vec![DEFAULT_MAX_EVENTS as f64, DEFAULT_MAX_STEPS as f64]
    );
    for slice in [0.0, -1.0, f64::NAN, 0.5] {
        assert_eq!(k.run_steps(ONE_S, slice), -EINVAL, "{slice}");
    }
    assert_eq!(k.run_steps(ONE_S, 1e12), 0);
}
