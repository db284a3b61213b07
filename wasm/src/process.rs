//! The thread group and its signal_struct, credentials and fd table.

use crate::fd::FdTable;
use crate::ids::{MmId, Pid, Tgid};

/// signal->flags & SIGNAL_GROUP_EXIT (exit_group, a fatal signal).
pub const SIGNAL_GROUP_EXIT: u32 = 1;
/// SIGNAL_UNKILLABLE: init ignores SIGKILL from its own namespace.
pub const SIGNAL_UNKILLABLE: u32 = 2;

pub const CAP_KILL: u32 = 1;
pub const CAP_SYS_NICE: u32 = 2;
pub const CAP_SYS_PTRACE: u32 = 4;
pub const CAP_SYS_ADMIN: u32 = 8;
pub const CAPS_MASK: u32 = CAP_KILL | CAP_SYS_NICE | CAP_SYS_PTRACE | CAP_SYS_ADMIN;
/// The capability bits by name, as `kernel_facts()` states them (the PROCESS record's caps
/// word and `capable()` use these bits, not the kernel's capability numbers).
pub const CAPS: [(&str, u32); 4] = [
    ("CAP_KILL", CAP_KILL),
    ("CAP_SYS_NICE", CAP_SYS_NICE),
    ("CAP_SYS_PTRACE", CAP_SYS_PTRACE),
    ("CAP_SYS_ADMIN", CAP_SYS_ADMIN),
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cred {
    pub uid: u32,
    pub euid: u32,
    pub caps: u32,
}

#[derive(Clone, PartialEq)]
pub struct Process {
    pub tgid: Tgid,
    pub parent: Option<Tgid>,
    /// Every thread ever in the group, leader first; dead ones stay listed with state Dead.
    pub threads: Vec<Pid>,
    /// How many of them are alive (neither zombie nor dead), so that an exiting thread
    /// learns whether it is the last without walking the group.
    pub live_threads: u32,
    pub cred: Cred,
    pub signal_flags: u32,
    /// signal->core_state: a core dump is in progress.
    pub core_state: bool,
    /// SIGNAL_GROUP_COREDUMP, which zap_process() set for a dump before v5.17 and which a
    /// fatal signal's complete_signal() overwrote (`signal->flags = SIGNAL_GROUP_EXIT`):
    /// what __task_will_free_mem() tested until 98b24b16b2ae made it test core_state.
    pub signal_group_coredump: bool,
    /// The process group (PIDTYPE_PGID): the pid of its leader, which need not exist.
    pub pgid: Tgid,
    pub kthread: bool,
    /// The parent reaps the zombie as soon as it appears (a parent blocked in wait()).
    pub parent_waits: bool,
    /// Created by vfork(): the parent's threads wait for this child's mm_release.
    pub vfork_child: bool,
    /// A SIGKILL sits in signal->shared_pending (it stays there while the group exits).
    pub sigkill_queued: bool,
    /// signal->oom_mm (mark_oom_victim), with the mmgrab it holds.
    pub oom_mm: Option<MmId>,
    /// The wait status the group will report (kernel/exit.c wait_task_zombie(): `status =
    /// (p->signal->flags & SIGNAL_GROUP_EXIT) ? p->signal->group_exit_code : p->exit_code`):
    /// the fatal signal's number, or the exit code shifted left by 8, with 0x80 for a core
    /// dumped ([`crate::wait`]).
    pub exit_code: i32,
    pub fds: FdTable,
}

impl Process {
    pub fn group_exit(&self) -> bool {
        self.signal_flags & SIGNAL_GROUP_EXIT != 0
    }

    pub fn unkillable(&self) -> bool {
        self.signal_flags & SIGNAL_UNKILLABLE != 0
    }
}
