//! mm_struct: the two reference counts, the MMF_ flags, the VMAs and mmap_lock.

use crate::ids::{MmId, Pid};
use crate::rwsem::RwSem;
use crate::vma::{Pages, Vma};

/// MMF_ bits (include/linux/sched/coredump.h; mm_types.h in newer trees). Only the ones the
/// reaping paths look at.
pub const MMF_OOM_SKIP: u32 = 1 << 0;
pub const MMF_UNSTABLE: u32 = 1 << 1;
/// Until v6.0 (b3541d912a84).
pub const MMF_OOM_VICTIM: u32 = 1 << 2;
pub const MMF_OOM_REAP_QUEUED: u32 = 1 << 3;
/// Set by kernel/fork.c `copy_oom_score_adj()` when a process is cloned with CLONE_VM but
/// neither CLONE_THREAD nor CLONE_VFORK (`(clone_flags & (CLONE_VM | CLONE_THREAD |
/// CLONE_VFORK)) != CLONE_VM` returns early), and never cleared: a vfork child does not set
/// it. REAP_KILL v2 bails out on it (errata.md); the lab sets it at load (load.rs).
pub const MMF_MULTIPROCESS: u32 = 1 << 4;
pub const MMF_MASK: u32 =
    MMF_OOM_SKIP | MMF_UNSTABLE | MMF_OOM_VICTIM | MMF_OOM_REAP_QUEUED | MMF_MULTIPROCESS;
/// The MMF_ bits by name, as `kernel_facts()` states them.
pub const MMF_FLAGS: [(&str, u32); 5] = [
    ("MMF_OOM_SKIP", MMF_OOM_SKIP),
    ("MMF_UNSTABLE", MMF_UNSTABLE),
    ("MMF_OOM_VICTIM", MMF_OOM_VICTIM),
    ("MMF_OOM_REAP_QUEUED", MMF_OOM_REAP_QUEUED),
    ("MMF_MULTIPROCESS", MMF_MULTIPROCESS),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmState {
    /// Users still hold it (mm_users > 0) or it was never set up.
    Live,
    /// The last mmput() is running exit_mmap().
    Exiting,
    /// exit_mmap() has removed every VMA (the VMA set is empty, not dangling: §F.3).
    TornDown,
    /// mm_count reached 0: the mm_struct itself is gone.
    Freed,
}

impl MmState {
    /// Every state; its index is the code mm_info carries.
    pub const ALL: [MmState; 4] = [
        MmState::Live,
        MmState::Exiting,
        MmState::TornDown,
        MmState::Freed,
    ];

    pub fn code(self) -> u8 {
        match self {
            MmState::Live => 0,
            MmState::Exiting => 1,
            MmState::TornDown => 2,
            MmState::Freed => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            MmState::Live => "live",
            MmState::Exiting => "exiting",
            MmState::TornDown => "torn_down",
            MmState::Freed => "freed",
        }
    }
}

#[derive(Clone, PartialEq)]
pub struct Mm {
    pub id: MmId,
    /// mm_users: threads using it plus transient mmget()s (a /proc reader).
    pub users: u32,
    /// mm_count: 1 for all users together, plus each mmgrab().
    pub count: u32,
    pub flags: u32,
    pub vmas: Vec<Vma>,
    pub lock: RwSem,
    pub state: MmState,
    /// free_pgtables() has run: a walker that still holds a pointer into the page tables
    /// without the lock would crash (§F.1).
    pub pgtables_freed: bool,
    /// VMAs freed by exit_mmap that mm->mmap still points at (only with the §F.3 bug).
    pub dangling_vmas: usize,
    /// Tasks walking the VMAs right now (reapers and exit_mmap's unmap), for the §F.1 check.
    pub walkers: Vec<Pid>,
    /// mmget/mmgrab references the designs took through the primitives and still hold: a
    /// design can only drop what it took (more is the kernel's refcount underflow WARN).
    pub ext_users: u32,
    pub ext_grabs: u32,
    /// What the scenario mapped, for page conservation.
    pub initial: Pages,
    /// Pages removed so far (sum over VMAs of `zapped`, kept as VMAs are removed too).
    pub zapped: Pages,
}

impl Mm {
    pub fn new(id: MmId) -> Self {
        Mm {
            id,
            users: 0,
            count: 1,
            flags: 0,
            vmas: Vec::new(),
            lock: RwSem::default(),
            state: MmState::Live,
            pgtables_freed: false,
            dangling_vmas: 0,
            walkers: Vec::new(),
            ext_users: 0,
            ext_grabs: 0,
            initial: Pages::default(),
            zapped: Pages::default(),
        }
    }

    pub fn test(&self, bit: u32) -> bool {
        self.flags & bit != 0
    }

    /// What is mapped now, by kind.
    pub fn mapped(&self) -> Pages {
        let mut p = Pages::default();
        for v in &self.vmas {
            p.add(v.mapped);
        }
        p
    }

    pub fn reclaimable_pages(&self) -> u64 {
        self.vmas.iter().map(Vma::reclaimable_pages).sum()
    }

    /// Page conservation: what is mapped plus what was zapped is what was set up (VMAs are
    /// only removed once nothing is left mapped in them).
    pub fn pages_conserved(&self) -> bool {
        let mut now = self.mapped();
        now.add(self.zapped);
        now == self.initial
    }
}
