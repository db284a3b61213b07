//! The kernel versions whose behaviour the record distinguishes (reference §A.4.1, §B.3-B.5).

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

impl KernelVersion {
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

    pub fn exit_mmap_shape(self) -> ExitMmapShape {
        if self >= Self::V6_0 {
            ExitMmapShape::ReadThenWrite
        } else if self >= Self::V5_17 {
            ExitMmapShape::WriteLocked
        } else {
            ExitMmapShape::Unlocked
        }
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

    /// zhongjinji's 2025 change: __oom_reap_task_mm walks the VMAs in reverse (~v6.18).
    pub fn reap_walks_in_reverse(self) -> bool {
        self >= Self::V6_18
    }
}
