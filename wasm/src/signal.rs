//! Signal generation as kernel/signal.c does it for the signals the lab needs: permission
//! (check_kill_permission), prepare_signal's "already dying" drop, sig_task_ignored for
//! init and kthreads, and complete_signal's group-wide SIGKILL.

use crate::errno::{EPERM, ESRCH};
use crate::events::Kind;
use crate::frame::{ExitPc, Frame};
use crate::ids::{Pid, Tgid};
use crate::params;
use crate::process::{CAP_KILL, SIGNAL_GROUP_EXIT};
use crate::task::{SleepKind, TaskState, WaitFor, PF_EXITING};
use crate::world::World;

/// The signals the lab implements (x86_64 and arm64 generic numbering); signal 0 is the
/// existence and permission check only.
pub const SIGKILL: i32 = 9;
pub const SIGTERM: i32 = 15;
pub const SIGCONT: i32 = 18;
pub const SIGSTOP: i32 = 19;
/// The signals by name, as `kernel_facts()` states them.
pub const SIGNALS: [(&str, i32); 4] = [
    ("SIGKILL", SIGKILL),
    ("SIGTERM", SIGTERM),
    ("SIGCONT", SIGCONT),
    ("SIGSTOP", SIGSTOP),
];

/// TRACE_SIGNAL_* results of signal_generate (include/trace/events/signal.h).
pub const TRACE_SIGNAL_DELIVERED: i64 = 0;
pub const TRACE_SIGNAL_IGNORED: i64 = 1;
pub const TRACE_SIGNAL_ALREADY_PENDING: i64 = 2;
/// The results by name, as `kernel_facts()` states them.
pub const TRACE_SIGNAL_RESULTS: [(&str, i64); 3] = [
    ("TRACE_SIGNAL_DELIVERED", TRACE_SIGNAL_DELIVERED),
    ("TRACE_SIGNAL_IGNORED", TRACE_SIGNAL_IGNORED),
    ("TRACE_SIGNAL_ALREADY_PENDING", TRACE_SIGNAL_ALREADY_PENDING),
];

/// Who sends: a task (checked) or the kernel itself (SEND_SIG_PRIV, e.g. the OOM killer).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Task(Pid),
    Kernel(Pid),
}

impl Sender {
    fn ctx(self) -> Pid {
        match self {
            Sender::Task(p) | Sender::Kernel(p) => p,
        }
    }
}

pub fn signal_supported(sig: i32) -> bool {
    sig == 0 || SIGNALS.iter().any(|&(_, s)| s == sig)
}

impl World {
    /// kill_ok_by_cred() || CAP_KILL: the sender's uid or euid matches the target's uid or
    /// saved uid (the lab keeps suid = euid).
    pub fn check_kill_permission(&self, sender: Pid, target: Tgid) -> bool {
        let (Some(s), Some(t)) = (
            self.task(sender).and_then(|t| self.process(t.tgid)),
            self.process(target),
        ) else {
            return false;
        };
        let (c, tc) = (s.cred, t.cred);
        c.euid == tc.euid
            || c.euid == tc.uid
            || c.uid == tc.euid
            || c.uid == tc.uid
            || c.caps & CAP_KILL != 0
    }

    /// kill_pid_info(sig, info, pid) for a process: ESRCH when no task is left, EPERM
    /// without permission, else 0 (even when the signal is then ignored or dropped, as the
    /// kernel reports success for those).
    /// __kill_pgrp_info(sig, info, pgrp) (kernel/signal.c): every process still attached to
    /// the process group gets the signal (`do_each_pid_task(pgrp, PIDTYPE_PGID, p)`); -ESRCH
    /// when none is, else 0 if any send succeeded (`return success ? 0 : retval;`).
    pub fn kill_pgrp_info(&mut self, sender: Sender, sig: i32, pgrp: Tgid) -> i32 {
        let members: Vec<Tgid> = self
            .procs
            .iter()
            .filter(|p| {
                p.pgid == pgrp
                    && p.threads
                        .iter()
                        .any(|t| self.task(*t).is_some_and(|t| t.state != TaskState::Dead))
            })
            .map(|p| p.tgid)
            .collect();
        let (mut success, mut retval) = (false, -ESRCH);
        for tgid in members {
            retval = self.kill_pid_info(sender, sig, tgid);
            success |= retval == 0;
        }
        if success {
            0
        } else {
            retval
        }
    }

    pub fn kill_pid_info(&mut self, sender: Sender, sig: i32, target: Tgid) -> i32 {
        let alive = self.process(target).is_some_and(|p| {
            p.threads
                .iter()
                .any(|t| self.task(*t).is_some_and(|t| t.state != TaskState::Dead))
        });
        if !alive {
            return -ESRCH;
        }
        if let Sender::Task(p) = sender {
            if !self.check_kill_permission(p, target) {
                return -EPERM;
            }
            self.charge_ext(p, params::SIGNAL_NS);
        }
        if sig != 0 {
            self.send_group_signal(sender, sig, target);
        }
        0
    }

    /// send_signal_locked + complete_signal for a thread-group signal.
    pub fn send_group_signal(&mut self, sender: Sender, sig: i32, target: Tgid) {
        let ctx = sender.ctx();
        let Some(pi) = self.proc_index(target) else {
            return;
        };
        let force = matches!(sender, Sender::Kernel(_));
        let p = &self.procs[pi];
        // sig_task_ignored(): global init ignores SIGKILL and SIGSTOP even when the kernel
        // forces them (is_global_init && sig_kernel_only), and its other default-action
        // signals unless forced; kthreads run with every handler SIG_IGN (ignore_signals).
        let ignored = p.kthread || (p.unkillable() && (matches!(sig, SIGKILL | SIGSTOP) || !force));
        // prepare_signal(): a group already exiting drops new signals, except SIGKILL during a
        // core dump (it interrupts the dump), where the kernel has 9a95f78eab70
        // (`drops_signals_to_exiting_group`). Before it the signal went on to __send_signal
        // ("nothing to do"), where a SIGKILL already in shared_pending is
        // TRACE_SIGNAL_ALREADY_PENDING (legacy_queue), and anything else is queued with no
        // further effect.
        let exiting = p.group_exit() && !(p.core_state && sig == SIGKILL);
        let res = if ignored || (exiting && self.version.drops_signals_to_exiting_group()) {
            TRACE_SIGNAL_IGNORED
        } else if exiting && sig == SIGKILL && p.sigkill_queued {
            TRACE_SIGNAL_ALREADY_PENDING
        } else {
            TRACE_SIGNAL_DELIVERED
        };
        let leader = target.0 as i64;
        self.emit(ctx, Kind::SignalGenerate, sig as i64, leader, 1, res);
        if res != TRACE_SIGNAL_DELIVERED {
            return;
        }
        if sig == SIGKILL {
            self.procs[pi].sigkill_queued = true;
            if self.procs[pi].core_state {
                self.sigkill_during_core_dump(ctx, target);
            }
        }
        if exiting {
            // Before 9a95f78eab70 the SIGKILL went on to complete_signal(), whose
            // signal_wake_up(t, fatal) reaches the thread it picks (the first that
            // wants_signal(): not PF_EXITING); one stopped in PTRACE_EVENT_EXIT wakes and
            // goes on out. From v6.0 prepare_signal() dropped it above: the stop stays.
            if sig == SIGKILL {
                self.wake_ptrace_exit_stop(ctx, target);
            }
            return;
        }
        // complete_signal(): the signal stays queued, but only a thread that wants_signal()
        // (for a fatal one: not PF_EXITING) is woken and turns it into a group exit; "There
        // is just one thread and it does not need to be woken" when all of them are exiting
        // (a lone thread inside its own _exit() before v6.0 set SIGNAL_GROUP_EXIT for it).
        let wanted = self.threads_of(target).into_iter().any(|t| {
            self.task(t)
                .is_some_and(|t| t.state.is_alive() && t.flags & PF_EXITING == 0)
        });
        if !wanted && matches!(sig, SIGKILL | SIGTERM) {
            return;
        }
        match sig {
            SIGKILL | SIGTERM => self.complete_fatal_signal(ctx, target, sig),
            SIGSTOP => self.stop_group(target),
            SIGCONT => self.continue_group(ctx, target),
            _ => {}
        }
    }

    /// complete_signal() for a SIGKILL to a process dumping core. Before v5.17 it overwrote
    /// SIGNAL_GROUP_COREDUMP with SIGNAL_GROUP_EXIT; in every version it queues SIGKILL to
    /// every thread and wakes it, the dumper too, whose dump_emit() then sees
    /// dump_interrupted() (fatal_signal_pending) and gives up: it goes on to
    /// coredump_finish() at once instead of at the end of its write.
    fn sigkill_during_core_dump(&mut self, ctx: Pid, target: Tgid) {
        self.set_group_exit_code(target, SIGKILL);
        if !self.version.oom_detects_core_state() {
            if let Some(p) = self.process_mut(target) {
                p.signal_group_coredump = false;
            }
        }
        let dumper = self.threads_of(target).into_iter().find(|t| {
            self.task(*t).is_some_and(|t| {
                matches!(t.state, TaskState::Sleeping { .. })
                    && matches!(t.frames.last(), Some(Frame::CoreDumpDone))
            })
        });
        if let Some(dumper) = dumper {
            self.wake(dumper, ctx);
        }
    }

    /// complete_signal() for a fatal signal: SIGNAL_GROUP_EXIT, SIGKILL queued to every
    /// thread, each woken if its sleep lets a fatal signal in. The core-dump state stays.
    fn complete_fatal_signal(&mut self, ctx: Pid, target: Tgid, sig: i32) {
        if let Some(p) = self.process_mut(target) {
            p.signal_flags |= SIGNAL_GROUP_EXIT;
        }
        self.set_group_exit_code(target, sig);
        for pid in self.threads_of(target) {
            let Some(t) = self.task_mut(pid) else {
                continue;
            };
            if !t.state.is_alive() {
                continue;
            }
            t.sigkill_pending = true;
            match t.state {
                TaskState::Sleeping {
                    kind: SleepKind::Interruptible | SleepKind::Killable,
                    waiting,
                } => {
                    self.interrupt_wait(pid, waiting);
                    self.wake(pid, ctx);
                }
                // signal_wake_up(t, fatal) also wakes TASK_STOPPED for SIGKILL.
                TaskState::Stopped if sig == SIGKILL => self.wake(pid, ctx),
                TaskState::Running => self.kick_running(pid),
                _ => {}
            }
        }
    }

    /// complete_signal()'s pick for a fatal signal to an exiting group: the first live thread
    /// that is not PF_EXITING; woken if it is stopped in PTRACE_EVENT_EXIT (TASK_TRACED
    /// wakes for a fatal signal: TASK_WAKEKILL before v5.19, then signal_wake_up's
    /// `state = TASK_WAKEKILL | __TASK_TRACED`).
    fn wake_ptrace_exit_stop(&mut self, ctx: Pid, target: Tgid) {
        let picked = self.threads_of(target).into_iter().find(|t| {
            self.task(*t)
                .is_some_and(|t| t.state.is_alive() && t.flags & PF_EXITING == 0)
        });
        let Some(pid) = picked else { return };
        let stopped = self
            .task(pid)
            .is_some_and(|t| t.state.is_ptrace_exit_stop());
        if stopped {
            if let Some(t) = self.task_mut(pid) {
                t.sigkill_pending = true;
            }
            self.wake(pid, ctx);
        }
    }

    /// A killable wait interrupted by a fatal signal: leave the queue, the primitive that
    /// slept answers -EINTR.
    fn interrupt_wait(&mut self, pid: Pid, waiting: WaitFor) {
        if let WaitFor::MmapLock(mm) = waiting {
            let removed = self.mm_mut(mm).is_some_and(|m| m.lock.dequeue(pid));
            if removed {
                if let Some(t) = self.task_mut(pid) {
                    t.result = -(crate::errno::EINTR as i64);
                }
                self.emit(
                    pid,
                    Kind::MmapLock,
                    mm.0 as i64,
                    crate::events::LockOp::WaitInterrupted as u8 as i64,
                    0,
                    0,
                );
                self.grant_mmap_lock_waiters(mm);
            }
        }
    }

    fn stop_group(&mut self, target: Tgid) {
        for pid in self.threads_of(target) {
            let Some(t) = self.task_mut(pid) else {
                continue;
            };
            if matches!(
                t.state,
                TaskState::Sleeping {
                    kind: SleepKind::Interruptible,
                    ..
                } | TaskState::Runnable
                    | TaskState::Running
            ) && t.frames.last() == Some(&Frame::User)
            {
                t.state = TaskState::Stopped;
                self.deschedule(pid);
            }
        }
    }

    fn continue_group(&mut self, ctx: Pid, target: Tgid) {
        for pid in self.threads_of(target) {
            if self
                .task(pid)
                .is_some_and(|t| t.state == TaskState::Stopped)
            {
                self.wake(pid, ctx);
            }
        }
    }

    /// exit_group() called by the task itself (or `_exit` in a single-threaded process):
    /// do_group_exit sets SIGNAL_GROUP_EXIT and kills the other threads. Before v6.0 it did
    /// so only when there were others, and a lone thread just entered do_exit with
    /// PF_EXITING (§B.2 rule 3); from cbe9dac37904 a lone thread sets the flag too.
    pub fn do_group_exit(&mut self, pid: Pid) {
        let Some(tgid) = self.task(pid).map(|t| t.tgid) else {
            return;
        };
        // `if (sig->flags & SIGNAL_GROUP_EXIT) exit_code = sig->group_exit_code;` a group
        // already dying keeps the fatal signal's status; otherwise exit(0)'s, 0 << 8.
        let dying = self.process(tgid).is_some_and(|p| p.group_exit());
        let others: Vec<Pid> = self
            .threads_of(tgid)
            .into_iter()
            .filter(|t| *t != pid && self.task(*t).is_some_and(|t| t.state.is_alive()))
            .collect();
        if !others.is_empty() {
            self.complete_fatal_signal(pid, tgid, SIGKILL);
        } else if self.version.lone_exit_sets_group_exit() {
            // `sig->flags = SIGNAL_GROUP_EXIT; zap_other_threads(current);` with no others.
            if let Some(p) = self.process_mut(tgid) {
                p.signal_flags |= SIGNAL_GROUP_EXIT;
            }
        }
        if !dying {
            self.set_group_exit_code(tgid, 0);
        }
        // The task itself calls exit_group(): a running one stops computing at once.
        self.kick_running(pid);
        if let Some(t) = self.task_mut(pid) {
            if t.state.is_alive() && !matches!(t.frames.last(), Some(Frame::Exit(_))) {
                t.frames.push(Frame::Exit(ExitPc::Start));
            }
        }
        // A thread already stopped in PTRACE_EVENT_EXIT is not running code that could call
        // exit_group() again: only its tracer or a SIGKILL resumes it.
        let traced = self
            .task(pid)
            .is_some_and(|t| t.state.is_ptrace_exit_stop());
        if !traced {
            self.wake(pid, pid);
        }
    }
}
