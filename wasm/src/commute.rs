//! Whether two CPUs' steps commute, for the explorer's sleep sets (docs/exploration.md):
//! at an order choice (which of the CPUs due at this instant acts first), CPU `a` then CPU
//! `b` reaches the same world as `b` then `a`. The answer is found by doing both on copies
//! of the world and comparing them, so it holds exactly in the state where it is asked,
//! whatever the steps do; a step that hands a thread to TypeScript, draws a choice of its
//! own, breaks an invariant or reaches a limit is never called commuting.

use crate::abi::Kernel;
use crate::events::{EventLog, EVENT_WORDS};
use crate::sched::Dispatch;
use crate::world::World;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Kernel {
    /// At an order choice where CPUs `a` and `b` are both due: `[1, ib, ia, due...]` when
    /// `a` then `b` reaches the world `b` then `a` reaches (up to the order of the
    /// instant's events in the log, which the outcome does not read), else `[0, ib, ia,
    /// due...]`; `ib` is `b`'s position among the CPUs due after `a` acted, `ia` is `a`'s
    /// after `b` acted, and `due` are the CPUs due after `b` acted alone. Empty when either
    /// order cannot be tried (a CPU not due, a step that is not the core's alone).
    pub fn order_commutes(&self, a: u32, b: u32) -> Vec<u32> {
        let (a, b) = (a as usize, b as usize);
        let w = &self.w;
        if a == b || a >= w.cpus.len() || b >= w.cpus.len() || w.ext_running.is_some() {
            return Vec::new();
        }
        if w.failed.is_some() || !w.cpu_due(a) || !w.cpu_due(b) {
            return Vec::new();
        }
        let mut ab = w.clone();
        let mut ba = w.clone();
        let a_first = act(&mut ab, a);
        let ib = position_due(&ab, b);
        let a_then_b = a_first && ib.is_some() && act(&mut ab, b);
        if !act(&mut ba, b) {
            return Vec::new();
        }
        let ia = position_due(&ba, a);
        let due: Vec<u32> = (0..ba.cpus.len())
            .filter(|&c| ba.cpu_due(c))
            .map(|c| c as u32)
            .collect();
        let b_then_a = ia.is_some() && act(&mut ba, a);
        let from = w.log.data.len() / EVENT_WORDS;
        let same = a_then_b && b_then_a && same_world(&ab, &ba, from);
        let mut out = vec![
            same as u32,
            ib.unwrap_or(u32::MAX as usize) as u32,
            ia.unwrap_or(u32::MAX as usize) as u32,
        ];
        out.extend(due);
        out
    }
}

/// CPU `c` acts as the event loop lets it, then the instant's due timers fire; false when
/// the step is not the core's alone (see the module's comment).
fn act(w: &mut World, c: usize) -> bool {
    let taken = w.choices.taken();
    w.steps_total += 1;
    let outcome = w.dispatch(c);
    w.check_after_step(c);
    if w.failed.is_some() || w.over_limit() || matches!(outcome, Dispatch::External(_)) {
        return false;
    }
    while let Some(t) = w.pop_due_timer() {
        w.fire(t);
    }
    w.failed.is_none() && w.choices.taken() == taken
}

fn position_due(w: &World, c: usize) -> Option<usize> {
    w.cpu_due(c)
        .then(|| (0..c).filter(|&x| w.cpu_due(x)).count())
}

/// Every field of the two worlds equal, but the log's events from event `from` on may come
/// in another order (and so its running hash differs), and the scheduler's work counter
/// (a statistic) may differ.
fn same_world(x: &World, y: &World, from: usize) -> bool {
    same_log(&x.log, &y.log, from)
        && x.version == y.version
        && x.cpus == y.cpus
        && x.mms == y.mms
        && x.tasks == y.tasks
        && x.pid_index == y.pid_index
        && x.procs == y.procs
        && x.tgid_index == y.tgid_index
        && x.now_ns == y.now_ns
        && x.timers.clone().into_sorted_vec() == y.timers.clone().into_sorted_vec()
        && x.timer_seq == y.timer_seq
        && x.choices == y.choices
        && x.oom_reaper == y.oom_reaper
        && x.oom_reaper_list == y.oom_reaper_list
        && x.scenario_events == y.scenario_events
        && x.caller == y.caller
        && x.horizon_ns == y.horizon_ns
        && x.failed == y.failed
        && x.kernel_bugs == y.kernel_bugs
        && x.kernel_variants == y.kernel_variants
        && x.ext_running == y.ext_running
        && x.limits == y.limits
        && x.limit_reached == y.limit_reached
        && x.steps_total == y.steps_total
        && (x.folding, x.run_until_ns) == (y.folding, y.run_until_ns)
        && x.proc_mm == y.proc_mm
}

fn same_log(x: &EventLog, y: &EventLog, from: usize) -> bool {
    let cut = from * EVENT_WORDS;
    if x.data.len() != y.data.len() || x.data.get(..cut) != y.data.get(..cut) {
        return false;
    }
    let events = |l: &EventLog| {
        let mut v: Vec<Vec<u64>> = l.data[cut.min(l.data.len())..]
            .chunks(EVENT_WORDS)
            .map(|e| e.iter().map(|f| f.to_bits()).collect())
            .collect();
        v.sort_unstable();
        v
    };
    (x.record, x.taken, x.max_events, x.full, x.folded)
        == (y.record, y.taken, y.max_events, y.full, y.folded)
        && events(x) == events(y)
}
