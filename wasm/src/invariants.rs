//! The simulator's own bookkeeping, checked after every step in small worlds and after every
//! `run` call in any world. A broken invariant is a lab bug: the run stops with a message.
//! (What a *design* breaks is a WARN event instead, see events.rs.)

use crate::mm::MmState;
use crate::task::TaskState;
use crate::world::World;

/// Worlds up to this many tasks are checked in full after every step; larger ones after
/// each `run` call, so a 100,000-process world stays fast.
pub const FULL_CHECK_MAX_TASKS: usize = 256;

impl World {
    pub fn check_after_step(&mut self) {
        if self.tasks.len() <= FULL_CHECK_MAX_TASKS {
            self.check_invariants();
        }
    }

    pub fn check_invariants(&mut self) {
        if let Some(msg) = self.find_violation() {
            self.bug(msg);
        }
    }

    fn find_violation(&self) -> Option<String> {
        for m in &self.mms {
            if !m.pages_conserved() {
                return Some(format!("pages not conserved in mm {}", m.id.0));
            }
            if !m.lock.is_consistent() {
                return Some(format!("mmap_lock of mm {} inconsistent (held by nobody with waiters, or shared and exclusive)", m.id.0));
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
            let threads_using = self.tasks.iter().filter(|t| t.mm == Some(m.id)).count() as u32;
            if threads_using > m.users {
                return Some(format!(
                    "mm {}: {} threads use it but mm_users is {}",
                    m.id.0, threads_using, m.users
                ));
            }
        }
        for t in &self.tasks {
            for (mm, mode) in &t.held {
                let holds = self.mm(*mm).is_some_and(|m| m.lock.holds(t.pid, *mode));
                if !holds {
                    return Some(format!(
                        "task {} thinks it holds mmap_lock of mm {} but the lock disagrees",
                        t.pid.0, mm.0
                    ));
                }
            }
            if t.state == TaskState::Running {
                let on_cpu = self
                    .cpus
                    .get(t.cpu.0 as usize)
                    .is_some_and(|c| c.current == Some(t.pid));
                if !on_cpu {
                    return Some(format!("task {} is running but not on its CPU", t.pid.0));
                }
            }
            if t.state.is_alive() && t.frames.is_empty() {
                return Some(format!("live task {} has no work", t.pid.0));
            }
        }
        for (c, cpu) in self.cpus.iter().enumerate() {
            for p in &cpu.rq {
                let ok = self
                    .task(*p)
                    .is_some_and(|t| t.state == TaskState::Runnable && t.cpu.0 as usize == c);
                if !ok {
                    return Some(format!(
                        "cpu {c} queues task {} that is not runnable there",
                        p.0
                    ));
                }
            }
        }
        None
    }
}
