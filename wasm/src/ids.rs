//! Newtypes for the identifiers of the simulated world, so a pid cannot be passed where a
//! tgid or an mm is expected. `pid` is a thread id and `tgid` a process id, as in the kernel.

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
    };
}

id!(
    /// A thread id (`task->pid`).
    Pid
);
id!(
    /// A process id (`task->tgid`, the leader's pid).
    Tgid
);
id!(
    /// An index into the world's mm_structs.
    MmId
);
id!(
    /// An index into the world's CPUs.
    CpuId
);

/// The kernel's PID_MAX_LIMIT on 64-bit (include/linux/threads.h): the largest pid a
/// scenario may use.
pub const PID_MAX_LIMIT: u32 = 4 * 1024 * 1024;
