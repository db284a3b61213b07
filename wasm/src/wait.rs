//! What a parent's waitid(P_PIDFD, ..., WEXITED) sees (kernel/exit.c): the group's wait
//! status, the siginfo it becomes, and the blocking wait on the parent's `wait_chldexit`
//! queue that do_notify_parent() wakes.

use crate::errno::{BLOCKED, ECHILD, EINTR, EINVAL};
use crate::ids::{Pid, Tgid};
use crate::signal::SIGKILL;
use crate::task::{SleepKind, TaskState, WaitFor};
use crate::world::World;

/// waitid options the lab implements: WEXITED, with or without WNOHANG.
pub const WNOHANG: i32 = 1;
pub const WEXITED: i32 = 4;

/// include/uapi/asm-generic/siginfo.h: the SIGCHLD si_codes a reaped child reports.
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;

/// The signal a scenario's core dump is for (`core_dump: true` names no signal): SIGSEGV,
/// the common one. zap_threads() stores it as `signal->group_exit_code`.
pub const CORE_DUMP_SIGNAL: i32 = 11;
/// do_coredump(): `if (core_dumped) ... group_exit_code |= 0x80` (coredump_finish()).
const WCOREFLAG: i32 = 0x80;

/// The status word a loaded process starts with. A zombie or reaped process of a scenario
/// died of SIGKILL (as the host's zombies do: they are SIGKILLed, the only way the host
/// backend ends a victim); a process dumping core will report that dump unless a SIGKILL
/// interrupts it (complete_signal() then stores SIGKILL, below); a live process's is set
/// when it exits.
pub fn loaded_exit_code(exited: bool, core_dump: bool) -> i32 {
    if exited {
        SIGKILL
    } else if core_dump {
        CORE_DUMP_SIGNAL | WCOREFLAG
    } else {
        0
    }
}

/// wait_task_zombie()'s siginfo for a status word: `if ((status & 0x7f) == 0) { cause =
/// CLD_EXITED; status >>= 8 } else { cause = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
/// status &= 0x7f }`. Returns (si_code, si_status).
pub fn siginfo_of(status: i32) -> (i32, i32) {
    if status & 0x7f == 0 {
        (CLD_EXITED, (status >> 8) & 0xff)
    } else if status & WCOREFLAG != 0 {
        (CLD_DUMPED, status & 0x7f)
    } else {
        (CLD_KILLED, status & 0x7f)
    }
}

impl World {
    /// The status a fatal signal leaves: complete_signal() `signal->group_exit_code = sig`
    /// (for SIGKILL during a core dump too: `signal->core_state || !(signal->flags &
    /// SIGNAL_GROUP_EXIT)`, v5.17+; before, the dump's SIGNAL_GROUP_COREDUMP let it through
    /// the same test).
    pub fn set_group_exit_code(&mut self, tgid: Tgid, status: i32) {
        if let Some(p) = self.process_mut(tgid) {
            p.exit_code = status;
        }
    }

    /// waitid(P_PIDFD, fd, options) once the pidfd named `tgid`, a child of the caller: a
    /// zombie whose group is empty is reaped (release_task), 0, with its siginfo (si_pid,
    /// si_code, si_status) kept for `waitid_siginfo`; a child still running answers 0 with
    /// WNOHANG and an empty siginfo (si_pid 0), and otherwise the caller sleeps (TASK_INTERRUPTIBLE on wait_chldexit, do_wait()'s
    /// `schedule()`) until do_notify_parent() wakes it, then asks again. A fatal signal
    /// ends the wait (-ERESTARTSYS: the caller dies on its way out; the lab answers EINTR).
    pub fn do_wait_child(&mut self, me: Pid, tgid: Tgid, options: i32) -> Result<i32, i32> {
        if options != WEXITED && options != (WEXITED | WNOHANG) {
            return Err(-EINVAL);
        }
        let leader = Pid(tgid.0);
        match self.task(leader).map(|t| t.state) {
            Some(TaskState::Zombie) if !self.group_alive(tgid) => {
                let status = self.process(tgid).map_or(0, |p| p.exit_code);
                self.release_task(leader);
                self.emit_task_state(leader);
                let (code, status) = siginfo_of(status);
                if let Some(t) = self.task_mut(me) {
                    t.wait_siginfo = (tgid.0 as i32, code, status);
                }
                Ok(0)
            }
            Some(TaskState::Dead) | None => Err(-ECHILD),
            _ if options & WNOHANG != 0 => {
                if let Some(t) = self.task_mut(me) {
                    t.wait_siginfo = (0, 0, 0);
                }
                Ok(0)
            }
            _ if self.task(me).is_some_and(|t| t.sigkill_pending) => Err(-EINTR),
            _ => {
                let waiting = WaitFor::ChildExit(tgid);
                self.sleep(me, SleepKind::Interruptible, waiting, None);
                Ok(BLOCKED)
            }
        }
    }

    /// do_notify_parent() → __wake_up_parent(): the whole group of `child` has exited, so
    /// every thread of its parent waiting for it in waitid is woken to look again.
    pub fn wake_parent_waiters(&mut self, ctx: Pid, child: Tgid) {
        let Some(parent) = self.process(child).and_then(|p| p.parent) else {
            return;
        };
        for pid in self.threads_of(parent) {
            let waits = self.task(pid).is_some_and(|t| {
                t.state
                    == TaskState::Sleeping {
                        kind: SleepKind::Interruptible,
                        waiting: WaitFor::ChildExit(child),
                    }
            });
            if waits {
                self.wake(pid, ctx);
            }
        }
    }
}
