//! pid namespaces, as far as a pidfd opened in one namespace and used from another needs
//! (include/linux/pid_namespace.h, kernel/pid_namespace.c). The world's namespaces are a tree
//! under init_pid_ns, each holding the processes whose active pid namespace it is; a process
//! listed nowhere is in init_pid_ns. The lab has no unshare/setns and gives a process one
//! pid number at every level (it does not model a child namespace's own numbering): what it
//! models is which namespaces a struct pid is visible from.
//!
//! Handles: a namespace's index + 1; 0 is init_pid_ns.

use crate::ids::{Pid, Tgid};
use crate::world::World;

/// The most pid namespaces below init_pid_ns a world may hold: the kernel's MAX_PID_NS_LEVEL
/// (include/linux/pid_namespace.h, 32; create_pid_namespace() refuses deeper nesting with
/// ENOSPC), which as a count also bounds every chain's depth and the walk below.
pub const MAX_PID_NAMESPACES: usize = 32;

impl World {
    /// The active pid namespace of the process at index `i` of `procs` (0: init_pid_ns).
    fn pidns_of_index(&self, i: usize) -> u32 {
        self.proc_pidns.get(i).copied().unwrap_or(0)
    }

    /// ns_of_pid(pid): the namespace the struct pid was allocated in, its process's (the
    /// struct pid outlives the task, and so does its namespace: a reaped process's pid keeps it).
    fn ns_of_pid(&self, pid: Pid) -> u32 {
        let tgid = self.task(pid).map_or(Tgid(pid.0), |t| t.tgid);
        self.proc_index(tgid).map_or(0, |i| self.pidns_of_index(i))
    }

    /// access_pidfd_pidns() (kernel/signal.c): walks up from the target's namespace and grants
    /// access only when it reaches the caller's active one, `task_active_pid_ns(current)`.
    /// pidfd_send_signal() answers EINVAL without it; the same relation is what makes a pid
    /// number visible to find_vpid() (pidfd_open's and kill's ESRCH).
    pub(crate) fn access_pidfd_pidns(&self, me: Pid, pid: Pid) -> bool {
        let active = self.ns_of_pid(me);
        let mut p = self.ns_of_pid(pid);
        // Parents are earlier namespaces (load.rs), so the walk ends within the bound.
        for _ in 0..=MAX_PID_NAMESPACES {
            if p == active {
                return true;
            }
            if p == 0 {
                return false;
            }
            p = self
                .pid_namespaces
                .get(p as usize - 1)
                .copied()
                .unwrap_or(0);
        }
        false
    }

    /// Whether `cur` may use a pidfd of `pid` (access_pidfd_pidns): 1 or 0, or the error of
    /// a bad `cur`. Free of charge: a pointer walk inside the syscall the caller is charged for.
    pub fn k_access_pidfd_pidns(&self, cur: u32, pid: u32) -> i32 {
        match self.cur(cur) {
            Ok(me) => self.access_pidfd_pidns(me, Pid(pid)) as i32,
            Err(e) => e,
        }
    }
}
