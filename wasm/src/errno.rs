//! Error numbers as the kernel returns them (include/uapi/asm-generic/errno-base.h).
//! Every export answers with one of these (negated) instead of trapping.

pub const EPERM: i32 = 1;
/// pidfd_open of a non-leader without PIDFD_THREAD (v6.15+, `version::pidfd_open_enoent`).
pub const ENOENT: i32 = 2;
pub const ESRCH: i32 = 3;
pub const EINTR: i32 = 4;
/// A /proc/<pid>/mem read that copied nothing (fs/proc/base.c mem_rw()).
pub const EIO: i32 = 5;
pub const EBADF: i32 = 9;
pub const ECHILD: i32 = 10;
pub const EAGAIN: i32 = 11;
/// madvise over a range that is not all mapped (mm/madvise.c `unmapped_error`).
pub const ENOMEM: i32 = 12;
pub const EACCES: i32 = 13;
pub const EFAULT: i32 = 14;
pub const EBUSY: i32 = 16;
pub const EINVAL: i32 = 22;
/// No room: a live-snapshot limit was reached (`snapshot.rs`).
pub const ENOSPC: i32 = 28;
pub const ENOSYS: i32 = 38;
/// Every errno the core answers with, by name, as `kernel_facts()` states them.
pub const ERRNOS: [(&str, i32); 15] = [
    ("EPERM", EPERM),
    ("ENOENT", ENOENT),
    ("ESRCH", ESRCH),
    ("EINTR", EINTR),
    ("EIO", EIO),
    ("EBADF", EBADF),
    ("ECHILD", ECHILD),
    ("EAGAIN", EAGAIN),
    ("ENOMEM", ENOMEM),
    ("EACCES", EACCES),
    ("EFAULT", EFAULT),
    ("EBUSY", EBUSY),
    ("EINVAL", EINVAL),
    ("ENOSPC", ENOSPC),
    ("ENOSYS", ENOSYS),
];

/// Not an errno: the answer of a primitive whose caller must now sleep or let the core run
/// kernel code in its context. The result arrives later through `take_result`.
pub const BLOCKED: i32 = 1_000;

/// Not an errno: the simulator itself broke an invariant (a lab bug, see `last_error`).
pub const SIM_BUG: i32 = -10_000;

/// Not an errno: the run reached one of its limits (`limits.rs`; `Kernel::run_limit` names
/// it). Every later `run` answers the same.
pub const RUN_LIMIT: i32 = -10_001;
