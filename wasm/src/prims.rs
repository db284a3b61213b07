//! The kernel-primitives API that proposals (TypeScript) are written against, and the
//! userspace syscalls the core implements itself. Every argument is checked here: any
//! integer gets an errno-style answer, never a trap. `cur` is the external task whose
//! TypeScript segment is running (the kernel's `current`).

use crate::errno::{BLOCKED, EBADF, ECHILD, EINVAL, ENOENT, ESRCH};
use crate::events::{Kind, Warn};
use crate::fd::File;
use crate::frame::{Frame, Zap, ZapMode};
use crate::ids::{MmId, Pid, Tgid};
use crate::mm::{Mm, MmState, MMF_MASK};
use crate::mmops::{LockAnswer, LockHow};
use crate::params;
use crate::process::CAP_SYS_PTRACE;
use crate::rwsem::LockMode;
use crate::signal::{signal_supported, Sender};
use crate::task::{SleepKind, Task, TaskState, WaitFor};
use crate::world::World;

/// O_NONBLOCK, which pidfd_open accepts as PIDFD_NONBLOCK.
pub const PIDFD_NONBLOCK: i32 = 0o4000;
/// include/uapi/linux/pidfd.h (v6.9): `#define PIDFD_THREAD O_EXCL` (0o200 on x86 and
/// asm-generic).
pub const PIDFD_THREAD: i32 = 0o200;
pub use crate::wait::{WEXITED, WNOHANG};

/// get_pid_task()'s pid types (include/linux/pid.h `enum pid_type`, its first two).
pub const PIDTYPE_PID: i32 = 0;
pub const PIDTYPE_TGID: i32 = 1;

/// ptrace_may_access()'s modes as the lab numbers them (the kernel's are bit sets:
/// PTRACE_MODE_READ 0x01, PTRACE_MODE_ATTACH 0x02); the lab's rule is the same for both.
pub const PTRACE_MODE_READ: i32 = 0;
pub const PTRACE_MODE_ATTACH: i32 = 1;

/// pidfd_send_signal()'s scope flags (include/uapi/linux/pidfd.h, v6.9): exactly one may be
/// given, on a kernel with `pidfd_signal_scope_flags`.
pub const PIDFD_SIGNAL_THREAD: i32 = 1 << 0;
pub const PIDFD_SIGNAL_THREAD_GROUP: i32 = 1 << 1;
pub const PIDFD_SIGNAL_PROCESS_GROUP: i32 = 1 << 2;
const PIDFD_SIGNAL_SCOPES: [i32; 3] = [
    PIDFD_SIGNAL_THREAD,
    PIDFD_SIGNAL_THREAD_GROUP,
    PIDFD_SIGNAL_PROCESS_GROUP,
];

/// include/uapi/linux/fcntl.h (6.18): fd arguments that name the caller, for the calls that
/// know them (`pidfd_self_sentinels`): `#define PIDFD_SELF_THREAD -10000 /* Current thread. */`
/// and `#define PIDFD_SELF_THREAD_GROUP -10001 /* Current thread group leader. */`. The
/// series' first value for the group, -20000, is an ordinary bad fd (EBADF) on 6.18.
pub const PIDFD_SELF_THREAD: i32 = -10000;
pub const PIDFD_SELF_THREAD_GROUP: i32 = -10001;

pub(crate) type Ans = Result<i32, i32>;

fn answer(a: Ans) -> i32 {
    match a {
        Ok(v) | Err(v) => v,
    }
}

impl World {
    /// `cur` must be the external task whose segment runs now.
    pub(crate) fn cur(&self, cur: u32) -> Result<Pid, i32> {
        match self.ext_running {
            Some(p) if p.0 == cur && self.failed.is_none() => Ok(p),
            _ => Err(-EINVAL),
        }
    }

    /// A task handle: any task the world knows, released or not.
    fn task_handle(&self, pid: u32) -> Result<Pid, i32> {
        self.task(Pid(pid)).map(|t| t.pid).ok_or(-ESRCH)
    }

    /// An mm handle is the mm's index + 1 (0 is NULL).
    fn mm_handle(&self, h: u32) -> Result<MmId, i32> {
        let id = h.checked_sub(1).ok_or(-EINVAL)?;
        match self.mm(MmId(id)) {
            Some(m) if m.state != MmState::Freed => Ok(m.id),
            _ => Err(-EINVAL),
        }
    }

    pub(crate) fn with_cur(&mut self, cur: u32, f: impl FnOnce(&mut World, Pid) -> Ans) -> i32 {
        match self.cur(cur) {
            Ok(p) => {
                self.charge_ext(p, params::PRIMITIVE_NS);
                answer(f(self, p))
            }
            Err(e) => e,
        }
    }

    fn file_of(&self, cur: Pid, fd: i32) -> Option<File> {
        self.task(cur)
            .and_then(|t| self.process(t.tgid))
            .and_then(|p| p.fds.get(fd))
    }

    // ---- runner protocol ---------------------------------------------------------------

    /// The thread starts running TypeScript-driven userspace (a memory killer's recipe).
    pub fn ext_start(&mut self, pid: u32) -> i32 {
        let Some(t) = self.task(Pid(pid)) else {
            return -ESRCH;
        };
        if t.is_kthread() || !t.state.is_alive() || t.external || self.failed.is_some() {
            return -EINVAL;
        }
        let p = t.pid;
        let interruptible = matches!(
            t.state,
            TaskState::Sleeping {
                kind: SleepKind::Interruptible,
                ..
            }
        );
        if let Some(t) = self.task_mut(p) {
            t.external = true;
            t.frames.push(Frame::External);
        }
        if interruptible {
            self.wake(p, p);
        }
        0
    }

    /// The running segment yields (a preemption point, or it blocked in a primitive).
    pub fn ext_yield(&mut self, pid: u32) -> i32 {
        match self.cur(pid) {
            Ok(p) => {
                self.end_ext_segment(p);
                0
            }
            Err(e) => e,
        }
    }

    /// The recipe is over: the thread goes back to sleeping in userspace (or, killed, exits).
    pub fn ext_end(&mut self, pid: u32) -> i32 {
        let p = match self.cur(pid) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if let Some(t) = self.task_mut(p) {
            t.external = false;
            if t.frames.last() == Some(&Frame::External) {
                t.frames.pop();
            }
        }
        let fatal = self.task(p).is_some_and(|t| t.sigkill_pending);
        if !fatal && self.task(p).is_some_and(|t| t.state == TaskState::Running) {
            self.sleep(p, SleepKind::Interruptible, WaitFor::External, None);
        }
        self.end_ext_segment(p);
        0
    }

    /// The result of the last blocking primitive or routine of `pid`.
    pub fn take_result(&self, pid: u32) -> f64 {
        self.task(Pid(pid))
            .map(|t| t.result as f64)
            .unwrap_or(-(ESRCH as f64))
    }

    pub fn syscall_enter(&mut self, cur: u32, nr: i32, a0: i32, a1: i32) -> i32 {
        self.with_cur(cur, |w, p| {
            w.charge_ext(p, params::SYSCALL_NS);
            w.emit(p, Kind::SysEnter, nr as i64, a0 as i64, a1 as i64, 0);
            Ok(0)
        })
    }

    pub fn syscall_exit(&mut self, cur: u32, nr: i32, ret: i32) -> i32 {
        self.with_cur(cur, |w, p| {
            w.emit(p, Kind::SysExit, nr as i64, ret as i64, 0, 0);
            Ok(0)
        })
    }

    // ---- userspace syscalls the core implements ---------------------------------------

    /// pidfd_open(pid, flags) (kernel/pid.c): EINVAL for flags other than PIDFD_NONBLOCK
    /// (and PIDFD_THREAD from v6.9) or a pid <= 0, ESRCH when no task has that pid. Then
    /// pidfd_prepare() (kernel/fork.c): without PIDFD_THREAD the pid must be a thread-group
    /// leader's, else EINVAL, ENOENT from v6.15 (`pidfd_open_enoent`); with it any live
    /// thread's pid will do, and the file's f_flags keep PIDFD_THREAD.
    pub fn sys_pidfd_open(&mut self, cur: u32, pid: i32, flags: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let known = if w.version.pidfd_thread() {
                PIDFD_NONBLOCK | PIDFD_THREAD
            } else {
                PIDFD_NONBLOCK
            };
            if flags & !known != 0 || pid <= 0 {
                return Err(-EINVAL);
            }
            let t = w.live_task(Pid(pid as u32)).ok_or(-ESRCH)?;
            // find_get_pid() looks the number up in task_active_pid_ns(current): a process
            // of an ancestor or sibling namespace has no number there (ESRCH).
            if !w.access_pidfd_pidns(me, t.pid) {
                return Err(-ESRCH);
            }
            let thread = flags & PIDFD_THREAD != 0;
            if !thread && !t.is_leader() {
                let enoent = w.version.pidfd_open_enoent();
                return Err(if enoent { -ENOENT } else { -EINVAL });
            }
            let file = File::Pidfd {
                pid: t.pid,
                nonblock: flags & PIDFD_NONBLOCK != 0,
                thread,
            };
            let tgid = w.task(me).map(|t| t.tgid).ok_or(-ESRCH)?;
            w.process_mut(tgid)
                .and_then(|p| p.fds.install(file))
                .ok_or(-crate::errno::EBUSY)
        })
    }

    pub fn sys_close(&mut self, cur: u32, fd: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let tgid = w.task(me).map(|t| t.tgid).ok_or(-ESRCH)?;
            let closed = w.process_mut(tgid).is_some_and(|p| p.fds.close(fd));
            if closed {
                Ok(0)
            } else {
                Err(-EBADF)
            }
        })
    }

    /// pidfd_send_signal(pidfd, sig, NULL, flags) (kernel/signal.c).
    pub fn sys_pidfd_send_signal(&mut self, cur: u32, fd: i32, sig: i32, flags: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            // With e1fb1dc08e73 (`pidfd_signal_scope_flags`) one of the PIDFD_SIGNAL_* scope
            // flags may pick the scope (kernel/signal.c); before, any flag is EINVAL. The lab
            // signals the thread group for PIDFD_SIGNAL_THREAD too (a fatal signal to one
            // thread takes the group down, complete_signal) and the process group the
            // target's pid leads for PIDFD_SIGNAL_PROCESS_GROUP.
            let scope_ok =
                w.version.pidfd_signal_scope_flags() && PIDFD_SIGNAL_SCOPES.contains(&flags);
            if flags != 0 && !scope_ok {
                return Err(-EINVAL);
            }
            // `switch (pidfd) { case PIDFD_SELF_THREAD: pid = get_task_pid(current,
            // PIDTYPE_PID); ... case PIDFD_SELF_THREAD_GROUP: ... PIDTYPE_TGID` before any fd
            // lookup. The lab signals the thread group for both (as for the scope flags).
            let pid = match fd {
                PIDFD_SELF_THREAD | PIDFD_SELF_THREAD_GROUP if w.version.pidfd_self_sentinels() => {
                    Pid(w.task(me).map_or(me.0, |t| t.tgid.0))
                }
                _ => w.pidfd_to_pid_of(me, fd)?,
            };
            // `if (!access_pidfd_pidns(pid)) return -EINVAL;` right after the fd lookup
            // (kernel/signal.c, since the syscall came in v5.1): a pidfd received from an
            // ancestor namespace names a process the caller's namespace cannot see.
            if !w.access_pidfd_pidns(me, pid) {
                return Err(-EINVAL);
            }
            if !signal_supported(sig) {
                return Err(-EINVAL);
            }
            // do_pidfd_send_signal(): `if (type == PIDTYPE_PGID) return kill_pgrp_info(sig,
            // &kinfo, pid);` the group the target's pid leads, which may be empty (ESRCH).
            if flags == PIDFD_SIGNAL_PROCESS_GROUP {
                return Ok(w.kill_pgrp_info(Sender::Task(me), sig, Tgid(pid.0)));
            }
            // kill_pid_info_type(): `p = pid_task(pid, PIDTYPE_PID); if (p) error =
            // group_send_sig_info(sig, info, p, type);` the pid's own task, which for a
            // PIDFD_THREAD pidfd may be a non-leader: its thread group is signalled (for every
            // scope; measured on 6.18: THREAD_GROUP through a non-leader's thread pidfd is 0).
            let tgid = w.live_task(pid).map_or(Tgid(pid.0), |t| t.tgid);
            Ok(w.kill_pid_info(Sender::Task(me), sig, tgid))
        })
    }

    /// kill(pid, sig) for pid > 0 (process groups are not modelled: pid <= 0 is EINVAL).
    pub fn sys_kill(&mut self, cur: u32, pid: i32, sig: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            if pid <= 0 || !signal_supported(sig) {
                return Err(-EINVAL);
            }
            // kill_proc_info(): `kill_pid_info(sig, info, find_vpid(pid))` (kernel/signal.c),
            // the number looked up in the caller's active pid namespace: a process it cannot
            // see has none there, and a NULL pid has no task (ESRCH).
            if !w.access_pidfd_pidns(me, Pid(pid as u32)) {
                return Err(-ESRCH);
            }
            Ok(w.kill_pid_info(Sender::Task(me), sig, Tgid(pid as u32)))
        })
    }

    /// waitid(P_PIDFD, fd, WEXITED [| WNOHANG]): 0 as the real call answers, having reaped
    /// an exited child or (WNOHANG) found it running, the siginfo through `waitid_siginfo`;
    /// BLOCKED while the caller waits for it without WNOHANG (ask again when woken), ECHILD
    /// if it is not the caller's child. A PIDFD_THREAD pidfd of a non-leader is ECHILD too
    /// (kernel/exit.c: do_wait_pid() finds the thread, but eligible_child() refuses it,
    /// `(p->exit_signal != SIGCHLD) ^ !!(wo->wo_flags & __WCLONE)`, a thread's exit_signal
    /// being -1): the lab finds no process by its pid.
    pub fn sys_waitid_pidfd(&mut self, cur: u32, fd: i32, options: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            if options != WEXITED && options != (WEXITED | WNOHANG) {
                return Err(-EINVAL);
            }
            let pid = w.pidfd_get_pid_of(me, fd)?;
            let tgid = Tgid(pid.0);
            let my_tgid = w.task(me).map(|t| t.tgid);
            if w.process(tgid).and_then(|p| p.parent) != my_tgid {
                return Err(-ECHILD);
            }
            w.do_wait_child(me, tgid, options)
        })
    }

    /// The siginfo `pid`'s last waitid filled in: `si_pid` (which 0; 0 when it reaped
    /// nothing), `si_code` (1) or `si_status` (2); zeros before any.
    pub fn waitid_siginfo(&self, pid: u32, which: i32) -> i32 {
        let Some((si_pid, code, status)) = self.task(Pid(pid)).map(|t| t.wait_siginfo) else {
            return -ESRCH;
        };
        match which {
            0 => si_pid,
            1 => code,
            2 => status,
            _ => -EINVAL,
        }
    }

    /// poll() on a pidfd (kernel/pid.c pidfd_poll): readable (1) once the whole process has
    /// exited, or for a PIDFD_THREAD pidfd once that one thread has (`task->exit_state &&
    /// (thread || thread_group_empty(task))`).
    pub fn sys_pidfd_poll(&mut self, cur: u32, fd: i32) -> i32 {
        self.with_cur(cur, |w, me| match w.file_of(me, fd) {
            Some(File::Pidfd { pid, thread, .. }) => Ok(if thread {
                !w.task(pid).is_some_and(|t| t.state.is_alive())
            } else {
                !w.group_alive(Tgid(pid.0))
            } as i32),
            _ => Err(-EBADF),
        })
    }

    pub(crate) fn group_alive(&self, tgid: Tgid) -> bool {
        self.threads_of(tgid)
            .iter()
            .any(|t| self.task(*t).is_some_and(|t| t.state.is_alive()))
    }

    /// The OOM killer chose `tgid` in `cur`'s context (the baseline's entry).
    /// The OOM killer never chooses init or a kthread (oom_unkillable_task(): is_global_init
    /// or PF_KTHREAD), so asking it to is refused with -EINVAL.
    pub fn k_oom_kill_process(&mut self, cur: u32, tgid: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let Some(p) = (tgid > 0).then(|| w.process(Tgid(tgid as u32))).flatten() else {
                return Err(-ESRCH);
            };
            if p.kthread || p.unkillable() {
                return Err(-EINVAL);
            }
            Ok(w.oom_kill_process(me, Tgid(tgid as u32)))
        })
    }

    // ---- kernel primitives -----------------------------------------------------------

    fn pidfd_get_pid_of(&self, me: Pid, fd: i32) -> Result<Pid, i32> {
        match self.file_of(me, fd) {
            Some(File::Pidfd { pid, .. }) => Ok(pid),
            _ => Err(-EBADF),
        }
    }

    fn pidfd_to_pid_of(&self, me: Pid, fd: i32) -> Result<Pid, i32> {
        match self.file_of(me, fd) {
            Some(File::Pidfd { pid, .. }) => Ok(pid),
            Some(File::ProcDir { tgid }) => Ok(Pid(tgid.0)),
            _ => Err(-EBADF),
        }
    }

    /// pidfd_get_pid(): pidfds only (EBADF otherwise). Returns the pid number.
    pub fn k_pidfd_get_pid(&mut self, cur: u32, fd: i32) -> i32 {
        self.with_cur(cur, |w, me| w.pidfd_get_pid_of(me, fd).map(|p| p.0 as i32))
    }

    /// pidfd_to_pid() (pidfd_send_signal's): a pidfd or a /proc/<pid> directory fd.
    pub fn k_pidfd_to_pid(&mut self, cur: u32, fd: i32) -> i32 {
        self.with_cur(cur, |w, me| w.pidfd_to_pid_of(me, fd).map(|p| p.0 as i32))
    }

    /// The file's f_flags & PIDFD_NONBLOCK (which every proposal ignores, §A.0).
    pub fn k_pidfd_nonblock(&mut self, cur: u32, fd: i32) -> i32 {
        self.with_cur(cur, |w, me| match w.file_of(me, fd) {
            Some(File::Pidfd { nonblock, .. }) => Ok(nonblock as i32),
            _ => Err(-EBADF),
        })
    }

    /// get_pid_task(pid, type): NULL (ESRCH) once released; PIDTYPE_TGID only finds a
    /// thread-group leader. Takes a task reference.
    pub fn k_get_pid_task(&mut self, cur: u32, pid: i32, pidtype: i32) -> i32 {
        self.with_cur(cur, |w, _| {
            if pid <= 0 || !(PIDTYPE_PID..=PIDTYPE_TGID).contains(&pidtype) {
                return Err(-EINVAL);
            }
            let t = w.live_task(Pid(pid as u32)).ok_or(-ESRCH)?;
            if pidtype == PIDTYPE_TGID && !t.is_leader() {
                return Err(-ESRCH);
            }
            let p = t.pid;
            if let Some(t) = w.task_mut(p) {
                t.usage += 1;
                t.ext_refs += 1;
            }
            Ok(p.0 as i32)
        })
    }

    pub fn k_put_task_struct(&mut self, cur: u32, task: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            let held = w.task(t).is_some_and(|t| t.ext_refs > 0);
            if !held {
                w.warn(me, Warn::TaskRefUnderflow, t.0 as i64, 0);
                return Err(-EINVAL);
            }
            if let Some(t) = w.task_mut(t) {
                t.ext_refs -= 1;
            }
            w.put_task_struct(me, t);
            Ok(0)
        })
    }

    pub fn k_task_lock(&mut self, cur: u32, task: u32, lock: bool) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            let holder = w.task(t).and_then(|t| t.alloc_lock_holder);
            match (lock, holder) {
                (true, None) => {}
                (false, Some(h)) if h == me => {}
                _ => return Err(-EINVAL),
            }
            if let Some(t) = w.task_mut(t) {
                t.alloc_lock_holder = if lock { Some(me) } else { None };
            }
            Ok(0)
        })
    }

    pub fn k_find_lock_task_mm(&mut self, cur: u32, task: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            let n = w
                .threads_of(w.task(t).map(|t| t.tgid).unwrap_or(Tgid(0)))
                .len() as u64;
            w.charge_ext(me, n * params::PRIMITIVE_NS);
            w.find_lock_task_mm(me, t).map(|p| p.0 as i32).ok_or(-ESRCH)
        })
    }

    /// task->mm as a handle (0 = NULL).
    pub fn k_task_mm(&self, task: u32) -> i32 {
        match self.task(Pid(task)) {
            Some(t) => t.mm.map(|m| m.0 as i32 + 1).unwrap_or(0),
            None => -ESRCH,
        }
    }

    /// task->exit_mm as a handle (0 = NULL): set only by the exit_mm_retention variant.
    pub fn k_task_exit_mm(&self, task: u32) -> i32 {
        match self.task(Pid(task)) {
            Some(t) => t.exit_mm.map(|m| m.0 as i32 + 1).unwrap_or(0),
            None => -ESRCH,
        }
    }

    pub fn k_task_tgid(&self, task: u32) -> i32 {
        self.task(Pid(task))
            .map(|t| t.tgid.0 as i32)
            .unwrap_or(-ESRCH)
    }

    pub fn k_task_flags(&self, task: u32) -> i32 {
        self.task(Pid(task))
            .map(|t| t.flags as i32)
            .unwrap_or(-ESRCH)
    }

    /// op: 0 mmgrab, 1 mmdrop, 2 mmget, 3 mmget_not_zero, 4 mmput. Dropping a reference
    /// the design never took is refused with the kernel's refcount WARN.
    pub fn k_mm_ref(&mut self, cur: u32, mm: u32, op: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            let (users, grabs) = w
                .mm(m)
                .map(|m| (m.ext_users, m.ext_grabs))
                .unwrap_or((0, 0));
            match op {
                0 => w.mmgrab(me, m),
                2 => w.mmget(me, m),
                3 if !w.mmget_not_zero(me, m) => return Ok(0),
                1 | 4 if (op == 1 && grabs == 0) || (op == 4 && users == 0) => {
                    w.warn(me, Warn::MmRefUnderflow, (op == 4) as i64, m.0 as i64);
                    return Err(-EINVAL);
                }
                1 => w.mmdrop(me, m),
                3 | 4 => {}
                _ => return Err(-EINVAL),
            }
            if let Some(mm) = w.mm_mut(m) {
                match op {
                    0 => mm.ext_grabs += 1,
                    1 => mm.ext_grabs -= 1,
                    2 | 3 => mm.ext_users += 1,
                    _ => mm.ext_users -= 1,
                }
            }
            if op == 4 && w.mmput_begin(me, m) {
                // The last reference: this context runs exit_mmap (§F.1's side effect).
                if let Some(t) = w.task_mut(me) {
                    t.frames.push(Frame::ExitMmap { mm: m, pc: 0 });
                }
                return Ok(BLOCKED);
            }
            Ok(if op == 3 { 1 } else { 0 })
        })
    }

    pub fn k_task_will_free_mem(&mut self, cur: u32, task: u32, full: bool) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            if !full {
                return Ok(w.__task_will_free_mem(t) as i32);
            }
            let (ok, walked) = w.task_will_free_mem(t);
            w.charge_ext(me, walked * params::TWFM_NS_PER_PROCESS);
            Ok(ok as i32)
        })
    }

    pub fn k_process_shares_mm(&self, tgid: u32, mm: u32) -> i32 {
        if self.process(Tgid(tgid)).is_none() {
            return -ESRCH;
        }
        match self.mm_handle(mm) {
            Ok(m) => self.process_shares_mm(Tgid(tgid), m) as i32,
            Err(e) => e,
        }
    }

    /// The next process after `after` (a tgid, 0 to start) in for_each_process() order that
    /// shares `mm` (process_shares_mm), or 0 when there is none; the walk is charged to cur.
    pub fn k_next_process_sharing_mm(&mut self, cur: u32, mm: u32, after: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            let start = if after == 0 {
                0
            } else {
                w.proc_index(Tgid(after)).ok_or(-ESRCH)? + 1
            };
            let mut walked = 0u64;
            let found = w.procs[start.min(w.procs.len())..]
                .iter()
                .filter(|p| w.process_listed(p.tgid))
                .inspect(|_| walked += 1)
                .find(|p| w.process_shares_mm(p.tgid, m))
                .map(|p| p.tgid.0 as i32);
            w.charge_ext(me, walked * params::TWFM_NS_PER_PROCESS);
            Ok(found.unwrap_or(0))
        })
    }

    /// is_global_init(): the process is init (SIGNAL_UNKILLABLE in the lab's one namespace).
    pub fn k_is_global_init(&self, tgid: u32) -> i32 {
        match self.process(Tgid(tgid)) {
            Some(p) => p.unkillable() as i32,
            None => -ESRCH,
        }
    }

    /// signal_group_exit() as in v5.10: SIGNAL_GROUP_EXIT or group_exit_task set, which a
    /// core dump (and an exec, not modelled) also sets (§A.2, Oleg's objection).
    pub fn k_signal_group_exit(&self, task: u32) -> i32 {
        let Some(t) = self.task(Pid(task)) else {
            return -ESRCH;
        };
        self.process(t.tgid)
            .map(|p| (p.group_exit() || p.core_state) as i32)
            .unwrap_or(-ESRCH)
    }

    pub fn k_fatal_signal_pending(&self, task: u32) -> i32 {
        self.task(Pid(task))
            .map(|t| t.sigkill_pending as i32)
            .unwrap_or(-ESRCH)
    }

    /// test_bit / set_bit / clear_bit on mm->flags (op 0, 1, 2).
    pub fn k_mm_flag(&mut self, cur: u32, mm: u32, bit: u32, op: i32) -> i32 {
        if bit == 0 || bit & !MMF_MASK != 0 || !bit.is_power_of_two() {
            return -EINVAL;
        }
        if op == 0 {
            return match self.mm_handle(mm) {
                Ok(m) => self.test_mm_flag(m, bit) as i32,
                Err(e) => e,
            };
        }
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            match op {
                1 => w.set_mm_flag(me, m, bit, true),
                2 => w.set_mm_flag(me, m, bit, false),
                _ => return Err(-EINVAL),
            }
            Ok(0)
        })
    }

    /// mmap_read_lock / _killable / _trylock (how 0, 1, 2) and mmap_write_lock (mode 1).
    pub fn k_mmap_lock(&mut self, cur: u32, mm: u32, mode: i32, how: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            let mode = match mode {
                0 => LockMode::Read,
                1 => LockMode::Write,
                _ => return Err(-EINVAL),
            };
            let how = match how {
                0 => LockHow::Block,
                1 => LockHow::Killable,
                2 if mode == LockMode::Read => LockHow::Try,
                _ => return Err(-EINVAL),
            };
            Ok(match w.mmap_lock(me, m, mode, how) {
                LockAnswer::Acquired => 0,
                LockAnswer::Blocked => BLOCKED,
                LockAnswer::Interrupted => -crate::errno::EINTR,
                LockAnswer::Busy => -crate::errno::EAGAIN,
            })
        })
    }

    pub fn k_mmap_unlock(&mut self, cur: u32, mm: u32, mode: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            let mode = if mode == 1 {
                LockMode::Write
            } else {
                LockMode::Read
            };
            if w.mmap_unlock(me, m, mode) {
                Ok(0)
            } else {
                Err(-EINVAL)
            }
        })
    }

    /// __oom_reap_task_mm(mm) in cur's context: the walk runs as kernel work; the result
    /// (1 true / 0 false) comes through take_result.
    pub fn k_oom_reap_task_mm(&mut self, cur: u32, mm: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            w.start_zap(me, Zap::new(m, ZapMode::Reap, true));
            Ok(BLOCKED)
        })
    }

    /// zap of [start, end) pages with MADV_DONTNEED's rules (process_madvise): the result
    /// is the number of reclaimable pages freed.
    pub fn k_zap_range(&mut self, cur: u32, mm: u32, start_page: f64, end_page: f64) -> i32 {
        self.with_cur(cur, |w, me| {
            let m = w.mm_handle(mm)?;
            let ok = |x: f64| x.is_finite() && x >= 0.0 && x <= 2f64.powi(52);
            if !ok(start_page) || !ok(end_page) || end_page < start_page {
                return Err(-EINVAL);
            }
            let mut z = Zap::new(m, ZapMode::MadviseDontneed, true);
            z.start_page = start_page as u64;
            z.end_page = end_page as u64;
            w.start_zap(me, z);
            Ok(BLOCKED)
        })
    }

    pub fn k_kill_pid_info(&mut self, cur: u32, sig: i32, pid: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            if pid <= 0 || !signal_supported(sig) {
                return Err(-EINVAL);
            }
            Ok(w.kill_pid_info(Sender::Task(me), sig, Tgid(pid as u32)))
        })
    }

    /// mark_oom_victim(task): TIF_MEMDIE, signal->oom_mm pinned with mmgrab, thaw (oom.rs).
    pub fn k_mark_oom_victim(&mut self, cur: u32, task: u32) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            w.mark_oom_victim(me, t);
            Ok(0)
        })
    }

    /// queue_oom_reaper(task) with its timer `delay_us` ahead (0: wake the kthread now):
    /// -EINVAL when mark_oom_victim() has not set signal->oom_mm (the kernel's would
    /// dereference NULL).
    pub fn k_queue_oom_reaper(&mut self, cur: u32, task: u32, delay_us: i32) -> i32 {
        self.with_cur(cur, |w, me| {
            let t = w.task_handle(task)?;
            if delay_us < 0 {
                return Err(-EINVAL);
            }
            let marked = w
                .task(t)
                .and_then(|x| w.process(x.tgid))
                .is_some_and(|p| p.oom_mm.is_some());
            if !marked {
                return Err(-EINVAL);
            }
            w.queue_oom_reaper_after(me, t, delay_us as u64 * 1000);
            Ok(0)
        })
    }

    pub fn k_capable(&self, cur: u32, cap: u32) -> i32 {
        if !cap.is_power_of_two() || cap & crate::process::CAPS_MASK == 0 {
            return -EINVAL;
        }
        let Ok(me) = self.cur(cur) else {
            return -EINVAL;
        };
        self.task(me)
            .and_then(|t| self.process(t.tgid))
            .map(|p| (p.cred.caps & cap != 0) as i32)
            .unwrap_or(-ESRCH)
    }

    /// check_kill_permission(sender, target) asked without sending anything, for analyses that
    /// must not re-derive the rule: 1 when the sender may signal the process, 0 when not,
    /// -ESRCH when either is unknown.
    pub fn k_check_kill_permission(&self, sender: u32, tgid: u32) -> i32 {
        if self.task(Pid(sender)).is_none() || self.process(Tgid(tgid)).is_none() {
            return -ESRCH;
        }
        self.check_kill_permission(Pid(sender), Tgid(tgid)) as i32
    }

    /// __ptrace_may_access(): same uid and euid as the target, or CAP_SYS_PTRACE (dumpable
    /// and LSM checks are not modelled). PTRACE_MODE_READ and _ATTACH: the same rule here.
    pub fn k_ptrace_may_access(&self, cur: u32, task: u32, mode: i32) -> i32 {
        if !(PTRACE_MODE_READ..=PTRACE_MODE_ATTACH).contains(&mode) {
            return -EINVAL;
        }
        let Ok(me) = self.cur(cur) else {
            return -EINVAL;
        };
        self.ptrace_access(me, task)
    }

    /// ptrace_may_access()'s rule for any task as the tracer, asked without a running caller,
    /// for analyses that must not re-derive it: 1, 0, -EINVAL for a mode, -ESRCH for a task.
    pub fn k_check_ptrace_permission(&self, tracer: u32, task: u32, mode: i32) -> i32 {
        if !(PTRACE_MODE_READ..=PTRACE_MODE_ATTACH).contains(&mode) {
            return -EINVAL;
        }
        self.ptrace_access(Pid(tracer), task)
    }

    fn ptrace_access(&self, me: Pid, task: u32) -> i32 {
        let (Some(a), Some(b)) = (
            self.task(me).and_then(|t| self.process(t.tgid)),
            self.task(Pid(task)).and_then(|t| self.process(t.tgid)),
        ) else {
            return -ESRCH;
        };
        if a.tgid == b.tgid {
            return 1;
        }
        let same = a.cred.uid == b.cred.uid && a.cred.uid == b.cred.euid;
        (same || a.cred.caps & CAP_SYS_PTRACE != 0) as i32
    }

    /// `mm_info(mm)`: the fields of `mm_info_fields`, or nothing for a bad handle.
    pub fn k_mm_info(&self, mm: u32) -> Vec<f64> {
        mm.checked_sub(1)
            .and_then(|i| self.mm(MmId(i)))
            .map(|m| mm_info_fields(m).iter().map(|&(_, v)| v).collect())
            .unwrap_or_default()
    }

    /// `task_info(pid)`: the fields of `task_info_fields`, or nothing for an unknown pid.
    pub fn k_task_info(&self, pid: u32) -> Vec<f64> {
        self.task(Pid(pid))
            .map(|t| task_info_fields(t).iter().map(|&(_, v)| v).collect())
            .unwrap_or_default()
    }
}

/// An mm's snapshot, field by field in the order `mm_info` returns them; the names are the
/// layout `kernel_facts()` states.
pub fn mm_info_fields(m: &Mm) -> [(&'static str, f64); 15] {
    let now = m.mapped();
    [
        ("mm_users", m.users as f64),
        ("mm_count", m.count as f64),
        ("flags", m.flags as f64),
        // Pages mapped now, by rss_stat member.
        ("anon_pages", now.anon as f64),
        ("file_pages", now.file as f64),
        ("shmem_pages", now.shmem as f64),
        ("swap_entries", now.swap as f64),
        ("anon_zapped_pages", m.zapped.anon as f64),
        ("anon_initial_pages", m.initial.anon as f64),
        ("reclaimable_pages", m.reclaimable_pages() as f64),
        ("vmas", m.vmas.len() as f64),
        ("state", m.state.code() as f64),
        ("lock_readers", m.lock.reader_count() as f64),
        (
            "lock_writer_pid",
            m.lock.writer().map(|p| p.0 as f64).unwrap_or(0.0),
        ),
        ("lock_waiters", m.lock.waiter_count() as f64),
    ]
}

/// A task's snapshot, field by field in the order `task_info` returns them; the names are
/// the layout `kernel_facts()` states.
pub fn task_info_fields(t: &Task) -> [(&'static str, f64); 12] {
    [
        ("tgid", t.tgid.0 as f64),
        ("state", t.state.code() as f64),
        ("flags", t.flags as f64),
        // The mm handle (index + 1; 0 for none).
        ("mm", t.mm.map(|m| m.0 as f64 + 1.0).unwrap_or(0.0)),
        ("cpu", t.cpu.0 as f64),
        ("cpu_time_ns", t.cpu_time_ns as f64),
        ("user_time_ns", t.user_time_ns as f64),
        ("sigkill_pending", t.sigkill_pending as u8 as f64),
        ("usage", t.usage as f64),
        ("prio", t.policy.prio() as f64),
        ("external", t.external as u8 as f64),
        ("ptl_spin_ns", t.ptl_spin_ns as f64),
    ]
}
