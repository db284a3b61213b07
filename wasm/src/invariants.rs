//! The simulator's own bookkeeping, checked after every step in small worlds and after every
//! `run` call in any world. A broken invariant is a lab bug: the run stops with a message.
//! (What a *design* breaks is a WARN event instead, see events.rs.)

use crate::mm::MmState;
use crate::task::TaskState;
use crate::world::World;

/// Worlds up to this many tasks are checked in full whenever `run` hands control back (to
/// TypeScript or at its end); larger ones at the end of `run` only, so a 100,000-process
/// world stays fast. After every step, the state that step could touch is checked.
pub const FULL_CHECK_MAX_TASKS: usize = 4096;

/// A run queue up to this long is checked entry by entry after each of its CPU's steps;
/// a longer one when everything is checked, so that a step costs the same whatever the
/// number of runnable tasks.
pub const RQ_CHECK_PER_STEP_MAX: usize = 64;

impl World {
    /// After a step on CPU `c`: its task, the mms that task works on, its run queue (if
    /// short).
    pub fn check_after_step(&mut self, c: usize) {
        let queued = self.cpus.get(c).map_or(0, |cpu| cpu.rq.len());
        if queued <= RQ_CHECK_PER_STEP_MAX {
            self.rq_check_work += queued as u64;
        }
        if let Some(msg) = self.local_violation(c) {
            self.bug(msg);
        }
    }

    /// Everything, in worlds small enough to check often.
    pub fn check_if_small(&mut self) {
        if self.tasks.len() <= FULL_CHECK_MAX_TASKS {
            self.check_invariants();
        }
    }

    pub fn check_invariants(&mut self) {
        if let Some(msg) = self.find_violation() {
            self.bug(msg);
        }
    }

    fn local_violation(&self, c: usize) -> Option<String> {
        let cpu = self.cpus.get(c)?;
        if cpu.rq.len() <= RQ_CHECK_PER_STEP_MAX {
            if let Some(v) = self.rq_entries_violation(c) {
                return Some(v);
            }
        }
        let t = cpu.current.and_then(|p| self.task(p))?;
        if let Some(v) = self.task_violation(t) {
            return Some(v);
        }
        let worked_on = t.frames.last().and_then(|f| match f {
            crate::frame::Frame::Zap(z) => Some(z.mm),
            crate::frame::Frame::ExitMmap { mm, .. } => Some(*mm),
            _ => None,
        });
        [t.mm, worked_on]
            .into_iter()
            .flatten()
            .filter_map(|mm| self.mm(mm))
            .find_map(mm_violation)
    }

    fn find_violation(&self) -> Option<String> {
        // Threads using each mm, counted in one pass.
        let mut threads_using = vec![0u32; self.mms.len()];
        for t in &self.tasks {
            if let Some(c) = t.mm.and_then(|mm| threads_using.get_mut(mm.0 as usize)) {
                *c += 1;
            }
        }
        for m in &self.mms {
            if let Some(v) = mm_violation(m) {
                return Some(v);
            }
            let using = threads_using[m.id.0 as usize];
            if using > m.users {
                return Some(format!(
                    "mm {}: {} threads use it but mm_users is {}",
                    m.id.0, using, m.users
                ));
            }
        }
        if let Some(v) = self.procs.iter().find_map(|p| {
            let live = p
                .threads
                .iter()
                .filter(|t| self.task(**t).is_some_and(|t| t.state.is_alive()))
                .count();
            (live != p.live_threads as usize).then(|| {
                format!(
                    "process {} counts {} live threads but has {live}",
                    p.tgid.0, p.live_threads
                )
            })
        }) {
            return Some(v);
        }
        if let Some(v) = self.proc_mm_violation() {
            return Some(v);
        }
        self.tasks
            .iter()
            .find_map(|t| self.task_violation(t))
            .or_else(|| (0..self.cpus.len()).find_map(|c| self.rq_violation(c)))
    }

    fn task_violation(&self, t: &crate::task::Task) -> Option<String> {
        for (mm, mode) in &t.held {
            if !self.mm(*mm).is_some_and(|m| m.lock.holds(t.pid, *mode)) {
                return Some(format!(
                    "task {} thinks it holds mmap_lock of mm {} but the lock disagrees",
                    t.pid.0, mm.0
                ));
            }
        }
        let on_its_cpu = self
            .cpus
            .get(t.cpu.0 as usize)
            .is_some_and(|c| c.current == Some(t.pid));
        if t.state == TaskState::Running && !on_its_cpu {
            return Some(format!("task {} is running but not on its CPU", t.pid.0));
        }
        if t.state.is_alive() && t.frames.is_empty() {
            return Some(format!("live task {} has no work", t.pid.0));
        }
        if (t.state == TaskState::Runnable) != t.rq_slot.is_some() {
            return Some(format!(
                "task {} is {}runnable but {}queued",
                t.pid.0,
                if t.state == TaskState::Runnable {
                    ""
                } else {
                    "not "
                },
                if t.rq_slot.is_some() { "" } else { "not " },
            ));
        }
        None
    }

    /// The queue's tree agrees with its entries, and each entry is a runnable task of
    /// this CPU that knows its slot.
    fn rq_violation(&self, c: usize) -> Option<String> {
        if !self.cpus.get(c)?.rq.is_consistent() {
            return Some(format!("cpu {c}'s run queue disagrees with itself"));
        }
        self.rq_entries_violation(c)
    }

    fn rq_entries_violation(&self, c: usize) -> Option<String> {
        self.cpus.get(c)?.rq.entries().find_map(|(slot, p)| {
            let ok = self.task(p).is_some_and(|t| {
                t.state == TaskState::Runnable
                    && t.cpu.0 as usize == c
                    && t.rq_slot == Some((t.cpu, slot))
            });
            (!ok).then(|| format!("cpu {c} queues task {} that is not runnable there", p.0))
        })
    }
}

fn mm_violation(m: &crate::mm::Mm) -> Option<String> {
    if !m.pages_conserved() {
        return Some(format!("pages not conserved in mm {}", m.id.0));
    }
    for (i, v) in m.vmas.iter().enumerate() {
        if let Some(why) = v.thp_violation() {
            return Some(format!("mm {} VMA {i}: {why}", m.id.0));
        }
    }
    if !m.lock.is_consistent() {
        return Some(format!(
            "mmap_lock of mm {} inconsistent (held by nobody with waiters, or shared and exclusive)",
            m.id.0
        ));
    }
    if m.state == MmState::TornDown && !m.vmas.is_empty() {
        return Some(format!("mm {} torn down with VMAs left", m.id.0));
    }
    if m.state == MmState::Live && m.users == 0 {
        return Some(format!("mm {} has no user but was not torn down", m.id.0));
    }
    if m.state == MmState::Freed && m.users > 0 {
        return Some(format!("mm {} freed with users", m.id.0));
    }
    None
}
