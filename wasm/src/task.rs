//! task_struct: one thread. Its kernel-side work is a small stack of frames the scheduler
//! steps through (see `frame.rs`).

use crate::frame::Frame;
use crate::ids::{CpuId, MmId, Pid, Tgid};

/// PF_ flags (include/linux/sched.h) the reaping paths look at.
pub const PF_EXITING: u32 = 0x0000_0004;
pub const PF_KTHREAD: u32 = 0x0020_0000;
/// The PF_ flags by name, as `kernel_facts()` states them.
pub const PF_FLAGS: [(&str, u32); 2] = [("PF_EXITING", PF_EXITING), ("PF_KTHREAD", PF_KTHREAD)];

/// DEFAULT_PRIO (include/linux/sched/prio.h): the `prio` of nice 0, what sched tracepoints
/// print for a SCHED_OTHER task at nice 0 and for the idle task.
pub const DEFAULT_PRIO: i32 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Normal { nice: i32 },
    Fifo { rt_prio: i32 },
}

impl Policy {
    /// The kernel's `prio` as sched tracepoints print it: 0..99 RT (lower is higher), 100..139
    /// for nice -20..19.
    pub fn prio(self) -> i32 {
        match self {
            Policy::Normal { nice } => DEFAULT_PRIO + nice,
            Policy::Fifo { rt_prio } => 99 - rt_prio,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepKind {
    /// TASK_INTERRUPTIBLE: any signal wakes it.
    Interruptible,
    /// TASK_UNINTERRUPTIBLE (D state): only its wake-up condition ends it.
    Uninterruptible,
    /// TASK_KILLABLE: D state that a fatal signal ends.
    Killable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitFor {
    /// A timed or scenario-driven sleep.
    Plain,
    /// Queued on an mm's mmap_lock.
    MmapLock(MmId),
    /// A vfork parent waiting for its child to exit or exec (wait_for_vfork_done).
    VforkDone,
    /// A thread of a dumping process waiting for the dump to finish (coredump_task_exit).
    CoreDump,
    /// The oom_reaper kthread waiting for work (oom_reaper_wait).
    OomReaperWork,
    /// A userspace task waiting for its next action, driven from TypeScript.
    External,
    /// TASK_TRACED in do_exit()'s ptrace_event(PTRACE_EVENT_EXIT): stopped for a tracer
    /// that asked for PTRACE_O_TRACEEXIT, mm still attached (kernel/exit.c, `exit.rs`).
    PtraceExit,
    /// A parent in waitid() waiting for this child's group to exit (wait_chldexit).
    ChildExit(Tgid),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// On a CPU.
    Running,
    /// On a run queue.
    Runnable,
    Sleeping {
        kind: SleepKind,
        waiting: WaitFor,
    },
    /// TASK_STOPPED (SIGSTOP). SIGKILL wakes it.
    Stopped,
    /// Frozen by the cgroup-v1 freezer: signals do not wake it; mark_oom_victim thaws it.
    Frozen,
    /// EXIT_ZOMBIE: past do_exit, not yet released.
    Zombie,
    /// EXIT_DEAD / released: get_pid_task() no longer finds it.
    Dead,
}

/// The task state codes of `TaskState::code`, by code: the name the lab prints, and the
/// letter sched_switch's prev_state prints for it (`__print_flags` over the state bits:
/// TASK_FROZEN reads as uninterruptible, EXIT_ZOMBIE "Z", EXIT_DEAD "X").
pub const TASK_STATE_CODES: [(&str, &str); 8] = [
    ("running", "R"), // running or runnable
    ("interruptible", "S"),
    ("uninterruptible", "D"), // TASK_UNINTERRUPTIBLE or TASK_KILLABLE
    ("stopped", "T"),
    ("frozen", "D"),
    ("zombie", "Z"),
    ("dead", "X"),
    ("traced", "t"), // __TASK_TRACED, the ptrace exit stop
];

impl TaskState {
    /// The state's code (an index into `TASK_STATE_CODES`), as task_info and the task_state
    /// and sched_switch events carry it.
    pub fn code(self) -> i32 {
        match self {
            TaskState::Running | TaskState::Runnable => 0,
            TaskState::Sleeping {
                waiting: WaitFor::PtraceExit,
                ..
            } => 7,
            TaskState::Sleeping {
                kind: SleepKind::Interruptible,
                ..
            } => 1,
            TaskState::Sleeping { .. } => 2,
            TaskState::Stopped => 3,
            TaskState::Frozen => 4,
            TaskState::Zombie => 5,
            TaskState::Dead => 6,
        }
    }

    /// Stopped in do_exit()'s PTRACE_EVENT_EXIT (TASK_TRACED).
    pub fn is_ptrace_exit_stop(self) -> bool {
        matches!(
            self,
            TaskState::Sleeping {
                waiting: WaitFor::PtraceExit,
                ..
            }
        )
    }

    pub fn is_alive(self) -> bool {
        !matches!(self, TaskState::Zombie | TaskState::Dead)
    }
}

#[derive(Clone, PartialEq)]
pub struct Task {
    pub pid: Pid,
    pub tgid: Tgid,
    pub flags: u32,
    pub mm: Option<MmId>,
    /// The mm exit_mm() left and kept mmgrab()'d until free_task(), with the
    /// `exit_mm_retention` kernel variant only (variant.rs).
    pub exit_mm: Option<MmId>,
    pub cpu: CpuId,
    pub affinity: u64,
    pub policy: Policy,
    pub state: TaskState,
    /// When a timed sleep ends (ns), and a generation so a stale timer is ignored.
    pub sleep_until_ns: Option<u64>,
    pub sleep_gen: u32,
    pub sigkill_pending: bool,
    /// PT_TRACE_EXIT: a tracer attached with PTRACE_O_TRACEEXIT, so do_exit() stops in
    /// PTRACE_EVENT_EXIT once; the lab's tracer never resumes it (PTRACE_CONT).
    pub ptrace_exit: bool,
    /// TIF_MEMDIE: set by mark_oom_victim.
    pub memdie: bool,
    /// Kernel work to do, innermost last.
    pub frames: Vec<Frame>,
    /// The result of the last blocking primitive or routine (read by `take_result`).
    pub result: i64,
    /// Driven from TypeScript (a memory killer's thread), between ext_start and ext_end.
    pub external: bool,
    /// Cost accumulated by the current TypeScript segment, charged when it yields.
    pub ext_pending_ns: u64,
    /// mmap_locks this task holds, to release them when a D-state holder wakes.
    pub held: Vec<(MmId, crate::rwsem::LockMode)>,
    /// get_task_struct() references held by others.
    pub usage: u32,
    /// The part of `usage` the designs took through get_pid_task and must put back.
    pub ext_refs: u32,
    /// task_lock(): held by the given task's context.
    pub alloc_lock_holder: Option<Pid>,
    /// Time spent in the kernel (and, for external tasks, in their recipe's userspace).
    pub cpu_time_ns: u64,
    /// The part of `cpu_time_ns` spent contending for page-table locks with another walker
    /// of the same VMA (params::ptl_contention_per_mille).
    pub ptl_spin_ns: u64,
    /// Time spent computing in userspace before any kill.
    pub user_time_ns: u64,
    /// When the task last got its CPU, for the equal-priority slice.
    pub slice_start_ns: u64,
    /// The run queue (its CPU) and slot it waits in: set exactly while it is Runnable.
    pub rq_slot: Option<(CpuId, crate::rq::Slot)>,
    /// (si_pid, si_code, si_status) its last waitid filled in (kernel/exit.c).
    pub wait_siginfo: (i32, i32, i32),
}

impl Task {
    pub fn new(pid: Pid, tgid: Tgid, cpu: CpuId, affinity: u64, policy: Policy) -> Self {
        Task {
            pid,
            tgid,
            flags: 0,
            mm: None,
            exit_mm: None,
            cpu,
            affinity,
            policy,
            state: TaskState::Runnable,
            sleep_until_ns: None,
            sleep_gen: 0,
            sigkill_pending: false,
            ptrace_exit: false,
            memdie: false,
            frames: Vec::new(),
            result: 0,
            external: false,
            ext_pending_ns: 0,
            held: Vec::new(),
            usage: 1,
            ext_refs: 0,
            alloc_lock_holder: None,
            cpu_time_ns: 0,
            ptl_spin_ns: 0,
            user_time_ns: 0,
            slice_start_ns: 0,
            rq_slot: None,
            wait_siginfo: (0, 0, 0),
        }
    }

    pub fn is_kthread(&self) -> bool {
        self.flags & PF_KTHREAD != 0
    }

    pub fn is_leader(&self) -> bool {
        self.pid.0 == self.tgid.0
    }

    /// Higher is more important: any FIFO task beats any normal one; lower nice beats higher.
    pub fn rank(&self) -> i32 {
        match self.policy {
            Policy::Fifo { rt_prio } => 1000 + rt_prio,
            Policy::Normal { nice } => -nice,
        }
    }
}
