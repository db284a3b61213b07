//! The kernel versions whose behaviour the record distinguishes (reference §A.4.1, §B.3-B.5),
//! and what each one changed, as named predicates with their commit ids. The rest of the core
//! asks these predicates, never compares versions itself; `Kernel::kernel_facts()` hands
//! them to TypeScript per version (see `FEATURES`).

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KernelVersion {
    V5_10,
    V5_15,
    V5_16,
    V5_17,
    V5_18,
    V6_0,
    V6_18,
}

/// How exit_mmap() orders unmapping, MMF_OOM_SKIP and freeing (reference §B.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitMmapShape {
    /// v4.17-v5.16 (27ae357fa82b): an OOM victim reaps itself and takes the write lock as a
    /// barrier; any other mm is unmapped and its page tables freed with no mmap_lock.
    Unlocked,
    /// v5.17-v5.19 (64591e8605d6): unmap, free_pgtables and VMA removal under the write lock.
    WriteLocked,
    /// v6.0+ (bf3980c85212): unmap under the read lock, set MMF_OOM_SKIP, free under the
    /// write lock.
    ReadThenWrite,
}

impl ExitMmapShape {
    /// The shape's name as `kernel_facts()` states it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unlocked => "unlocked",
            Self::WriteLocked => "write_locked",
            Self::ReadThenWrite => "read_then_write",
        }
    }
}

/// The value of one named feature on one kernel version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureValue {
    Bool(bool),
    Ns(u64),
    Name(&'static str),
}

/// A named feature and how to read it off a version.
pub type Feature = (&'static str, fn(KernelVersion) -> FeatureValue);

/// Every named feature, in the order `kernel_facts()` lists them: the TypeScript
/// `KernelFeatures` record is read from this table (one field per entry).
pub const FEATURES: &[Feature] = &[
    ("exit_mmap_shape", |v| {
        FeatureValue::Name(v.exit_mmap_shape().name())
    }),
    ("exit_mmap_clears_mmap", |v| {
        FeatureValue::Bool(v.exit_mmap_clears_mmap())
    }),
    ("drops_signals_to_exiting_group", |v| {
        FeatureValue::Bool(v.drops_signals_to_exiting_group())
    }),
    ("lone_exit_sets_group_exit", |v| {
        FeatureValue::Bool(v.lone_exit_sets_group_exit())
    }),
    ("pidfd_self_sentinels", |v| {
        FeatureValue::Bool(v.pidfd_self_sentinels())
    }),
    ("pidfd_thread", |v| FeatureValue::Bool(v.pidfd_thread())),
    ("cgroup_kill", |v| FeatureValue::Bool(v.cgroup_kill())),
    ("pidfd_signal_scope_flags", |v| {
        FeatureValue::Bool(v.pidfd_signal_scope_flags())
    }),
    ("mlocked_reapable", |v| {
        FeatureValue::Bool(v.mlocked_reapable())
    }),
    ("has_mmf_oom_victim", |v| {
        FeatureValue::Bool(v.has_mmf_oom_victim())
    }),
    ("oom_reaper_delay_ns", |v| {
        FeatureValue::Ns(v.oom_reaper_delay_ns())
    }),
    ("reap_walks_in_reverse", |v| {
        FeatureValue::Bool(v.reap_walks_in_reverse())
    }),
    ("proc_mem_open_esrch", |v| {
        FeatureValue::Bool(v.proc_mem_open_esrch())
    }),
];

impl KernelVersion {
    /// Every version, oldest first.
    pub const ALL: [KernelVersion; 7] = [
        Self::V5_10,
        Self::V5_15,
        Self::V5_16,
        Self::V5_17,
        Self::V5_18,
        Self::V6_0,
        Self::V6_18,
    ];

    /// The version as the scenario format and the CLI spell it: "5.10", "6.18".
    pub fn name(self) -> &'static str {
        match self {
            Self::V5_10 => "5.10",
            Self::V5_15 => "5.15",
            Self::V5_16 => "5.16",
            Self::V5_17 => "5.17",
            Self::V5_18 => "5.18",
            Self::V6_0 => "6.0",
            Self::V6_18 => "6.18",
        }
    }

    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            510 => Self::V5_10,
            515 => Self::V5_15,
            516 => Self::V5_16,
            517 => Self::V5_17,
            518 => Self::V5_18,
            600 => Self::V6_0,
            618 => Self::V6_18,
            _ => return None,
        })
    }

    pub fn code(self) -> i32 {
        match self {
            Self::V5_10 => 510,
            Self::V5_15 => 515,
            Self::V5_16 => 516,
            Self::V5_17 => 517,
            Self::V5_18 => 518,
            Self::V6_0 => 600,
            Self::V6_18 => 618,
        }
    }

    /// exit_mmap()'s shape: 27ae357fa82b (v4.17), 64591e8605d6 (v5.17), bf3980c85212 (v6.0).
    pub fn exit_mmap_shape(self) -> ExitMmapShape {
        if self >= Self::V6_0 {
            ExitMmapShape::ReadThenWrite
        } else if self >= Self::V5_17 {
            ExitMmapShape::WriteLocked
        } else {
            ExitMmapShape::Unlocked
        }
    }

    /// f798a1d4f94d "mm: fix use-after-free bug when mm->mmap is reused after being freed"
    /// (v5.17-rc, the fix of §F.3): exit_mmap() sets mm->mmap = NULL once it has removed the
    /// VMAs. Before it, mm->mmap kept pointing at the freed first VMA, and a walker that got
    /// the mm after exit_mmap (process_mrelease holding only an mmgrab) read freed memory.
    pub fn exit_mmap_clears_mmap(self) -> bool {
        self >= Self::V5_17
    }

    /// 9a95f78eab70 "signal: Drop signals received after a fatal signal has been processed"
    /// (Eric W. Biederman): prepare_signal() drops a new signal to a thread group that is
    /// already exiting (SIGKILL during a core dump excepted); before it the signal went on
    /// to __send_signal(), where a SIGKILL already in shared_pending is
    /// TRACE_SIGNAL_ALREADY_PENDING. Its first version (e051a9366f65) was queued for v5.17
    /// and dropped before the merge; 9a95f78eab70 went in through Eric Biederman's
    /// signal-for-v5.20 branch, i.e. v6.0 (errata.md).
    pub fn drops_signals_to_exiting_group(self) -> bool {
        self >= Self::V6_0
    }

    /// cbe9dac37904 "signal: Ensure SIGNAL_GROUP_EXIT gets set in do_group_exit" (same
    /// signal-for-v5.20 branch, v6.0): `-\telse if (!thread_group_empty(current)) {`
    /// `+\telse {`, so a lone thread's exit_group() (`_exit()`) sets SIGNAL_GROUP_EXIT too and
    /// signal_group_exit() is true for it. Before it only a group with other threads got
    /// the flag; a lone thread was dying to task_will_free_mem() by PF_EXITING alone.
    pub fn lone_exit_sets_group_exit(self) -> bool {
        self >= Self::V6_0
    }

    /// e1fb1dc08e73 "pidfd: allow to override signal scope in pidfd_send_signal()" (v6.9):
    /// PIDFD_SIGNAL_THREAD (1), PIDFD_SIGNAL_THREAD_GROUP (2), PIDFD_SIGNAL_PROCESS_GROUP (4).
    /// Before it any flag is EINVAL. Of the lab's versions, 6.18 is the first that has it.
    pub fn pidfd_signal_scope_flags(self) -> bool {
        self >= Self::V6_18
    }

    /// 64bef697d33b "pidfd: implement PIDFD_THREAD flag for pidfd_open()" (v6.9): pidfd_open
    /// takes PIDFD_THREAD (O_EXCL) and opens a pidfd of any thread, not only of a leader
    /// (`if (flags & ~(PIDFD_NONBLOCK | PIDFD_THREAD)) return -EINVAL;`). Before it the
    /// flag is EINVAL. Of the lab's versions, 6.18 is the first that has it.
    pub fn pidfd_thread(self) -> bool {
        self >= Self::V6_18
    }

    /// 661ee6280931 "cgroup: introduce cgroup.kill" (Christian Brauner, v5.14): a non-root
    /// cgroup v2 has a cgroup.kill file. Of the lab's versions, 5.15 is the first that has it;
    /// on 5.10 writing it finds no file (ENOENT).
    pub fn cgroup_kill(self) -> bool {
        self >= Self::V5_15
    }

    /// Christian Brauner's "pidfs: improve pidfd_open() errors" (v6.15, for systemd #36982):
    /// pidfd_prepare() reports `-ENOENT` when "this struct pid isn't used as a thread-group
    /// leader but the caller requested to create a thread-group leader pidfd", and `-ESRCH`
    /// when the task was reaped; before, both were `-EINVAL`. This host (6.18) answers ENOENT.
    pub fn pidfd_open_enoent(self) -> bool {
        self >= Self::V6_18
    }

    /// Lorenzo Stoakes' PIDFD_SELF series (v6.14): pidfd_get_task() and pidfd_send_signal()
    /// take PIDFD_SELF_THREAD / PIDFD_SELF_THREAD_GROUP for the caller's own thread or
    /// thread group. Of the lab's versions, 6.18 is the first that has them.
    pub fn pidfd_self_sentinels(self) -> bool {
        self >= Self::V6_18
    }

    /// Eric Biederman's coredump series for v5.17: 98b24b16b2ae "signal: Have the oom killer
    /// detect coredumps using signal->core_state" and 7ba03471ac4a "signal: Make coredump
    /// handling explicit in complete_signal". Before it a SIGKILL during a dump replaced
    /// SIGNAL_GROUP_COREDUMP with SIGNAL_GROUP_EXIT, so __task_will_free_mem() called the
    /// process dying at once; from it the dump counts until coredump_finish().
    pub fn oom_detects_core_state(self) -> bool {
        self >= Self::V5_17
    }

    /// a213e5cf71cb "mm/munlock: delete munlock_vma_pages_all(), allow oomreap" (v5.18):
    /// before it, __oom_reap_task_mm skipped VM_LOCKED VMAs.
    pub fn mlocked_reapable(self) -> bool {
        self >= Self::V5_18
    }

    /// b3541d912a84 "mm: delete unused MMF_OOM_VICTIM flag" (v6.0).
    pub fn has_mmf_oom_victim(self) -> bool {
        self < Self::V6_0
    }

    /// e4a38402c36e "oom_kill.c: futex: delay the OOM reaper to allow time for proper futex
    /// cleanup" (v5.18-rc4): OOM_REAPER_DELAY = 2*HZ. Before it the reaper was woken at once.
    pub fn oom_reaper_delay_ns(self) -> u64 {
        if self >= Self::V5_18 {
            2_000_000_000
        } else {
            0
        }
    }

    /// bf3980c85212 (v6.0): exit_mmap() unmaps under mmap_read_lock, so any number of
    /// reapers zap beside it under theirs, and they contend for page-table locks where they
    /// meet: what the 2025 reverse walk's profile measured (params.rs
    /// `ptl_contention_per_mille`). The lab prices that contention from here on; before
    /// v5.17 the two also zapped together (with no lock at all, §F.1), but the profile is of
    /// the read-lock kernel, and the §F.1 replays keep their calibrated timing.
    pub fn exit_unmaps_beside_readers(self) -> bool {
        self.exit_mmap_shape() == ExitMmapShape::ReadThenWrite
    }

    /// zhongjinji's 2025 change: __oom_reap_task_mm walks the VMAs in reverse (~v6.18).
    pub fn reap_walks_in_reverse(self) -> bool {
        self >= Self::V6_18
    }

    /// "mm/oom_kill: thaw the entire OOM victim process", the other patch of the series
    /// that brought [`Self::reap_walks_in_reverse`] (patchew
    /// 20250915162946.5515-1-zhongjinji@honor.com): mark_oom_victim() calls
    /// `thaw_process(tsk)` (every thread) instead of `__thaw_task(tsk)`, so the same release.
    pub fn oom_thaws_whole_process(self) -> bool {
        self.reap_walks_in_reverse()
    }

    /// Penglei Jiang's "proc: fix the issue of proc_mem_open returning NULL" (2025, v6.15):
    /// `__mem_open()` answers `if (IS_ERR_OR_NULL(mm)) return mm ? PTR_ERR(mm) : -ESRCH;`,
    /// so opening /proc/<pid>/mem of a task without an mm (a zombie, a task past exit_mm)
    /// fails with ESRCH (measured on this host, 6.18); before, the open succeeded with a
    /// NULL mm and every read answered 0 (mem_rw(): `if (!mm) return 0;`).
    pub fn proc_mem_open_esrch(self) -> bool {
        self >= Self::V6_18
    }
}
