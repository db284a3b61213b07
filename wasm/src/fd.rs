//! Per-process file descriptor tables, holding what the designs look up: pidfds (with
//! PIDFD_NONBLOCK recorded), /proc/<pid> directory fds and other files (to be rejected).

use crate::ids::{Pid, Tgid};
use std::collections::BTreeMap;

/// The lab's limit on fd numbers (a soft RLIMIT_NOFILE of 1024).
pub const FD_LIMIT: i32 = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    /// A pidfd names a `struct pid`: here the pid number, which outlives the task.
    /// `thread`: opened with PIDFD_THREAD (v6.9), so `pid` may be any thread's and the
    /// file's f_flags carry PIDFD_THREAD (pidfd_send_signal and poll read them).
    Pidfd {
        pid: Pid,
        nonblock: bool,
        thread: bool,
    },
    /// An fd of a /proc/<pid> directory (accepted by pidfd_send_signal only).
    ProcDir {
        tgid: Tgid,
    },
    Other,
}

#[derive(Clone, Default, PartialEq)]
pub struct FdTable {
    files: BTreeMap<i32, File>,
}

impl FdTable {
    pub fn get(&self, fd: i32) -> Option<File> {
        self.files.get(&fd).copied()
    }

    pub fn install_at(&mut self, fd: i32, f: File) -> bool {
        if !(0..FD_LIMIT).contains(&fd) || self.files.contains_key(&fd) {
            return false;
        }
        self.files.insert(fd, f);
        true
    }

    /// The lowest free fd, as the kernel allocates (get_unused_fd_flags).
    pub fn install(&mut self, f: File) -> Option<i32> {
        let fd = (0..FD_LIMIT).find(|fd| !self.files.contains_key(fd))?;
        self.files.insert(fd, f);
        Some(fd)
    }

    pub fn close(&mut self, fd: i32) -> bool {
        self.files.remove(&fd).is_some()
    }
}
