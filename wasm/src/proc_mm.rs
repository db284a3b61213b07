//! What task_will_free_mem()'s for_each_process walk asks of every process, kept beside
//! `World::procs` (same index): whether the process is still listed (a thread not yet
//! released) and the mm its first thread with one has (process_shares_mm(), mm/oom_kill.c:
//! `for_each_thread(p, t) { t_mm = READ_ONCE(t->mm); if (t_mm) return t_mm == mm; }`).
//!
//! The walk over 100,000 processes then reads 12 bytes a process instead of the process, its
//! thread list and its first thread, which was its whole cost (docs/performance.md). The
//! kernel's walk does read each task; what it costs the simulated caller is charged per
//! process visited, as before (`TWFM_NS_PER_PROCESS`): only the simulator got faster.
//!
//! Kept by counting: every thread of a group has the group's mm until exit_mm() drops it
//! (CLONE_THREAD needs CLONE_VM; the lab has no kthread_use_mm), so the first thread with an
//! mm has the group's mm while any thread still has one. The counts change where a thread's
//! mm or listing does (exit_mm, release_task, the loader); the full invariant check compares
//! them with the threads themselves.

use crate::ids::{MmId, Tgid};
use crate::task::{Task, TaskState};
use crate::world::World;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcMm {
    /// The group's mm (what its threads have while they have one).
    pub mm: Option<MmId>,
    /// Threads whose `->mm` is still set.
    pub threads_with_mm: u32,
    /// Threads not released yet (on the group's thread list).
    pub unreleased: u32,
}

impl ProcMm {
    /// for_each_process() still finds the process.
    pub fn listed(self) -> bool {
        self.unreleased > 0
    }

    /// The mm process_shares_mm() compares: its first thread's that has one.
    pub fn first_mm(self) -> Option<MmId> {
        self.mm.filter(|_| self.threads_with_mm > 0)
    }
}

impl World {
    /// Thread `t` joined the process at index `pi` (World::add_task, add_process).
    pub(crate) fn proc_mm_thread_added(&mut self, pi: usize, t: &Task) {
        let Some(v) = self.proc_mm.get_mut(pi) else {
            return;
        };
        if let Some(mm) = t.mm {
            v.mm = Some(mm);
            v.threads_with_mm += 1;
        }
        v.unreleased += u32::from(t.state != TaskState::Dead);
    }

    /// exit_mm(): a thread of `tgid` set its `->mm` to NULL.
    pub(crate) fn proc_mm_thread_dropped_mm(&mut self, tgid: Tgid) {
        if let Some(v) = self.proc_index(tgid).and_then(|i| self.proc_mm.get_mut(i)) {
            v.threads_with_mm = v.threads_with_mm.saturating_sub(1);
        }
    }

    /// release_task(): a thread of `tgid` left the group's list.
    pub(crate) fn proc_mm_thread_released(&mut self, tgid: Tgid) {
        if let Some(v) = self.proc_index(tgid).and_then(|i| self.proc_mm.get_mut(i)) {
            v.unreleased = v.unreleased.saturating_sub(1);
        }
    }

    /// What the threads of `p` say, counted afresh.
    fn proc_mm_counted(&self, p: &crate::process::Process) -> ProcMm {
        let threads = p.threads.iter().filter_map(|t| self.task(*t));
        ProcMm {
            mm: threads.clone().find_map(|t| t.mm),
            threads_with_mm: threads.clone().filter(|t| t.mm.is_some()).count() as u32,
            unreleased: threads.filter(|t| t.state != TaskState::Dead).count() as u32,
        }
    }

    /// A process whose kept answers differ from what its threads say.
    pub(crate) fn proc_mm_violation(&self) -> Option<String> {
        self.procs.iter().zip(&self.proc_mm).find_map(|(p, v)| {
            let truth = self.proc_mm_counted(p);
            let same = truth.listed() == v.listed() && truth.first_mm() == v.first_mm();
            (!same).then(|| {
                format!(
                    "process {}: the walk's view says listed {} and mm {:?}, its threads {} and {:?}",
                    p.tgid.0,
                    v.listed(),
                    v.first_mm().map(|m| m.0),
                    truth.listed(),
                    truth.first_mm().map(|m| m.0)
                )
            })
        })
    }

    /// Counts every process afresh: for a test that set a task's `->mm` by hand.
    #[cfg(test)]
    pub(crate) fn proc_mm_recount(&mut self) {
        self.proc_mm = self.procs.iter().map(|p| self.proc_mm_counted(p)).collect();
    }
}
