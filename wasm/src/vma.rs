//! VMAs: address ranges with the flags the reaping rules look at, and page counts per kind.
//! Pages are counted, never allocated one by one, so a 64 GiB victim costs what a 4 KiB
//! one does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// MAP_PRIVATE|MAP_ANONYMOUS.
    Anon,
    /// MAP_SHARED|MAP_ANONYMOUS (shmem-backed, VM_SHARED).
    AnonShared,
    /// MAP_PRIVATE file mapping: page-cache pages plus private COW copies (anon).
    FilePrivate,
    /// MAP_SHARED file mapping (VM_SHARED).
    FileShared,
    /// shmem / tmpfs mapping (VM_SHARED).
    Shmem,
    /// VM_PFNMAP (device memory): no struct pages, nothing counted.
    PfnMap,
}

impl VmaKind {
    /// Every kind; its index is the VMA record's kind code.
    pub const ALL: [VmaKind; 6] = [
        Self::Anon,
        Self::AnonShared,
        Self::FilePrivate,
        Self::FileShared,
        Self::Shmem,
        Self::PfnMap,
    ];

    pub fn from_code(code: i32) -> Option<Self> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The kind's name in the scenario format.
    pub fn name(self) -> &'static str {
        match self {
            Self::Anon => "anon",
            Self::AnonShared => "anon_shared",
            Self::FilePrivate => "file_private",
            Self::FileShared => "file_shared",
            Self::Shmem => "shmem",
            Self::PfnMap => "pfnmap",
        }
    }

    /// `vma->vm_flags & VM_SHARED`.
    pub fn is_shared(self) -> bool {
        matches!(self, Self::AnonShared | Self::FileShared | Self::Shmem)
    }

    /// `vma_is_anonymous(vma)`: no vm_ops. Shared anonymous memory is shmem-backed, so it is
    /// not anonymous in this sense.
    pub fn is_anonymous(self) -> bool {
        matches!(self, Self::Anon)
    }
}

pub const VM_LOCKED: u32 = 1;
pub const VM_HUGETLB: u32 = 2;
/// Not a kernel flag: this VMA holds the thread's robust-futex list head (reference §F.6).
pub const VMA_ROBUST_LIST: u32 = 4;
/// Not a kernel flag: this private anon VMA's resident pages are transparent huge pages,
/// each mapped by one PMD (madvise(MADV_HUGEPAGE) on a 2 MiB-aligned mapping), so a zap
/// frees them a PMD at a time (mm/huge_memory.c zap_huge_pmd()); the loader checks that its
/// size and resident pages are whole PMDs.
pub const VMA_THP: u32 = 8;
pub const VMA_FLAGS_MASK: u32 = VM_LOCKED | VM_HUGETLB | VMA_ROBUST_LIST | VMA_THP;
/// The VMA record's flag bits by name, as `kernel_facts()` states them.
pub const VMA_FLAGS: [(&str, u32); 4] = [
    ("VM_LOCKED", VM_LOCKED),
    ("VM_HUGETLB", VM_HUGETLB),
    ("ROBUST_FUTEX_LIST", VMA_ROBUST_LIST),
    ("THP", VMA_THP),
];
/// The VMA record's notifier codes by name: how the range's mmu notifier answers a
/// non-blocking invalidate. Code 1 is an interval notifier (a GPU driver's
/// mmu_interval_notifier), code 2 an mm-wide hlist subscriber (KVM), which
/// mmu_notifier_release() unhooks when exit_mmap starts ([`Vma::notifier_on_hlist`]).
pub const NOTIFIERS: [&str; 3] = ["none", "refuses_nonblock", "hlist_refuses_nonblock"];

/// The `notifier` word of the VMA record and of `Kernel::zap_coverage`: (refuses a
/// non-blocking invalidate, is an hlist subscriber).
pub fn notifier_from_code(code: usize) -> (bool, bool) {
    (code == 1 || code == 2, code == 2)
}

/// Page counts by the kernel's rss_stat members (MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS,
/// MM_SHMEMPAGES).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
    pub swap: u64,
}

impl Pages {
    pub fn add(&mut self, o: Pages) {
        self.anon += o.anon;
        self.file += o.file;
        self.shmem += o.shmem;
        self.swap += o.swap;
    }

    pub fn total(&self) -> u64 {
        self.anon + self.file + self.shmem + self.swap
    }
}

#[derive(Clone, Copy, PartialEq)]
pub struct Vma {
    pub start_page: u64,
    pub size_pages: u64,
    pub kind: VmaKind,
    pub flags: u32,
    /// An mmu notifier (KVM, a GPU driver) that refuses non-blocking invalidation.
    pub notifier_refuses_nonblock: bool,
    /// That notifier is an mm-wide hlist subscriber (KVM's): mm/mmu_notifier.c
    /// mn_hlist_release() calls its ->release and unhooks it at the start of exit_mmap, so no
    /// walk after that meets it. An interval notifier stays in its tree.
    pub notifier_on_hlist: bool,
    /// What is mapped now.
    pub mapped: Pages,
    /// What has been zapped away so far; mapped + zapped is what the scenario set up.
    pub zapped: Pages,
    /// A THP VMA's huge pages that a zap over part of them split (thp.rs) and that still
    /// map a page: PTE-mapped now, each a folio on the deferred-split queue.
    pub thp_split_pmds: u64,
    /// The pages of `mapped.anon` those split huge pages still map by PTEs; the rest of
    /// `mapped.anon` is PMD-mapped, whole PMDs.
    pub thp_pte_pages: u64,
}

impl Vma {
    pub fn end_page(&self) -> u64 {
        self.start_page + self.size_pages
    }

    pub fn is_locked(&self) -> bool {
        self.flags & VM_LOCKED != 0
    }

    pub fn is_hugetlb(&self) -> bool {
        self.flags & VM_HUGETLB != 0
    }

    /// Its resident anon pages are PMD-mapped transparent huge pages ([`VMA_THP`]).
    pub fn is_thp(&self) -> bool {
        self.flags & VMA_THP != 0
    }

    pub fn is_pfnmap(&self) -> bool {
        self.kind == VmaKind::PfnMap
    }

    /// `can_madv_lru_vma()`: !(VM_LOCKED|VM_HUGETLB|VM_PFNMAP).
    pub fn can_madv_lru(&self) -> bool {
        !self.is_locked() && !self.is_hugetlb() && !self.is_pfnmap()
    }

    /// Pages of this VMA that zapping really returns to the allocator: private anon pages
    /// (including COW copies in private file mappings). Page-cache and shmem pages are only
    /// unmapped; swap entries free swap, not RAM.
    pub fn reclaimable_pages(&self) -> u64 {
        if self.kind.is_shared() {
            0
        } else {
            self.mapped.anon
        }
    }
}

/// What one zap batch removed, for cost and rss_stat.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZapResult {
    pub pages: Pages,
}

impl Vma {
    /// What `zap_some(budget, ..)` would remove, without removing it.
    pub fn peek_zap(&self, budget: u64, include_shared_pages: bool) -> Pages {
        let mut copy = Vma {
            mapped: self.mapped,
            zapped: Pages::default(),
            ..*self
        };
        copy.zap_some(budget, include_shared_pages).pages
    }

    /// Zaps up to `budget` pages of this VMA, anon first, then swap entries, then page-cache
    /// and shmem mappings (`zap_pte_range` order does not matter for counts). Returns what
    /// was removed.
    pub fn zap_some(&mut self, budget: u64, include_shared_pages: bool) -> ZapResult {
        let mut left = budget;
        let mut take = |have: &mut u64, gone: &mut u64| {
            let n = (*have).min(left);
            *have -= n;
            *gone += n;
            left -= n;
            n
        };
        let anon = take(&mut self.mapped.anon, &mut self.zapped.anon);
        let swap = take(&mut self.mapped.swap, &mut self.zapped.swap);
        let file = take(&mut self.mapped.file, &mut self.zapped.file);
        let shmem = if include_shared_pages {
            take(&mut self.mapped.shmem, &mut self.zapped.shmem)
        } else {
            0
        };
        ZapResult {
            pages: Pages {
                anon,
                file,
                shmem,
                swap,
            },
        }
    }

    pub fn is_empty(&self, include_shared_pages: bool) -> bool {
        let m = &self.mapped;
        m.anon == 0 && m.swap == 0 && m.file == 0 && (!include_shared_pages || m.shmem == 0)
    }
}
