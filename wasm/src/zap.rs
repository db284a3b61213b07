//! The VMA walks that zap pages: __oom_reap_task_mm() (reference §B.3), exit_mmap()'s
//! unmap_vmas(), and process_madvise(MADV_DONTNEED) over a range (§A.2). One step is one
//! VMA's set-up or one batch of pages; between steps the walker can be preempted.

use crate::events::{Kind, Warn};
use crate::frame::{Frame, Zap, ZapMode};
use crate::ids::{MmId, Pid};
use crate::mm::MMF_UNSTABLE;
use crate::params;
use crate::rwsem::LockMode;
use crate::thp;
use crate::version::KernelVersion;
use crate::vma::{Pages, Vma};
use crate::world::World;

/// rss_stat members (include/linux/mm_types_task.h order).
pub const MM_FILEPAGES: i64 = 0;
pub const MM_ANONPAGES: i64 = 1;
pub const MM_SWAPENTS: i64 = 2;
pub const MM_SHMEMPAGES: i64 = 3;
/// Their names, indexed by member, as `__print_symbolic(member, TRACE_MM_PAGES)` prints them.
pub const RSS_MEMBER_NAMES: [&str; 4] = [
    "MM_FILEPAGES",
    "MM_ANONPAGES",
    "MM_SWAPENTS",
    "MM_SHMEMPAGES",
];

/// What a walk does with one VMA when it gets there (the discriminant is the code
/// `Kernel::zap_coverage` answers, an index of `COVERAGE_NAMES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Coverage {
    /// The walk's skip rules pass it by.
    Skipped,
    /// __oom_reap_task_mm(): the range's mmu notifier refuses a non-blocking invalidate, so
    /// the VMA is left alone and the walk fails (§B.3 step 4).
    Refused,
    /// The walk zaps its pages.
    Zapped,
}

/// The names of `Coverage`, by code.
pub const COVERAGE_NAMES: [&str; 3] = ["skipped", "refused", "zapped"];

/// The per-VMA rule of every walk: __oom_reap_task_mm()'s skip rules (§B.3: private or
/// anonymous, not hugetlb or VM_PFNMAP, VM_LOCKED only with `mlocked_reapable`, and a
/// notifier that does not refuse), exit_mmap()'s unmap_vmas() (everything), and
/// MADV_DONTNEED's can_madv_lru_vma() (never mlocked; a refusing notifier is waited for).
/// The walks, `reapable_pages` and the `Kernel::zap_covers` export all ask this one function.
pub fn zap_coverage(version: KernelVersion, vma: &Vma, mode: ZapMode) -> Coverage {
    let private_or_anon = vma.kind.is_anonymous() || !vma.kind.is_shared();
    let eligible = match mode {
        ZapMode::ExitUnmap => true,
        ZapMode::Reap => {
            let skip_locked = vma.is_locked() && !version.mlocked_reapable();
            !vma.is_hugetlb() && !vma.is_pfnmap() && !skip_locked && private_or_anon
        }
        ZapMode::MadviseDontneed => vma.can_madv_lru() && private_or_anon,
    };
    if !eligible {
        Coverage::Skipped
    } else if mode == ZapMode::Reap && vma.notifier_refuses_nonblock {
        Coverage::Refused
    } else {
        Coverage::Zapped
    }
}

impl World {
    /// Private anon pages that __oom_reap_task_mm would free now under this kernel's rules:
    /// what a successful reap must leave at zero.
    pub fn reapable_pages(&self, mm: MmId) -> u64 {
        self.mm(mm).map_or(0, |m| {
            m.vmas
                .iter()
                .filter(|v| zap_coverage(self.version, v, ZapMode::Reap) == Coverage::Zapped)
                .map(|v| v.mapped.anon)
                .sum()
        })
    }

    pub fn start_zap(&mut self, pid: Pid, z: Zap) {
        if let Some(t) = self.task_mut(pid) {
            t.frames.push(Frame::Zap(z));
        }
    }

    fn set_zap(&mut self, pid: Pid, z: Zap) {
        if let Some(t) = self.task_mut(pid) {
            if let Some(top) = t.frames.last_mut() {
                *top = Frame::Zap(z);
            }
        }
    }

    /// One step of a walk: first the batch just paid for is removed (so memory comes back
    /// at the end of the work that frees it), then the next batch is reserved and its cost
    /// occupies the CPU. Returns the cost (scaled to the CPU).
    pub fn step_zap(&mut self, pid: Pid, mut z: Zap) -> u64 {
        let mm = z.mm;
        if z.done_vmas == 0 && !z.in_vma && !self.mm(mm).is_some_and(|m| m.walkers.contains(&pid)) {
            self.begin_walk(pid, &z);
        }
        let n = self.mm(mm).map(|m| m.vmas.len()).unwrap_or(0);
        if z.pending > 0 {
            let i = self.walk_index(&z);
            self.apply_batch(pid, &mut z, i);
        }
        if z.done_vmas >= n {
            return self.finish_walk(pid, z);
        }
        let i = self.walk_index(&z);
        let cost = if z.in_vma {
            let (cost, spin) = self.reserve_batch(pid, &mut z, i);
            let spin_ns = self.cost_on(pid, spin);
            if let Some(t) = self.task_mut(pid) {
                t.ptl_spin_ns = t.ptl_spin_ns.saturating_add(spin_ns);
            }
            cost
        } else {
            self.enter_vma(&mut z, i)
        };
        self.set_zap(pid, z);
        self.cost_on(pid, cost)
    }

    /// The index of the VMA a walk is at: a reaper walks from the top from 6.18
    /// (`reap_walks_in_reverse`), every other walk from the bottom.
    pub(crate) fn walk_index(&self, z: &Zap) -> usize {
        let n = self.mm(z.mm).map(|m| m.vmas.len()).unwrap_or(0);
        if z.mode == ZapMode::Reap && self.version.reap_walks_in_reverse() {
            n.saturating_sub(1 + z.done_vmas)
        } else {
            z.done_vmas
        }
    }

    /// Whether another walker of the same mm is zapping VMA `idx` on a CPU right now: the
    /// two then take the same page-table locks (`params::ptl_contention_per_mille`). The
    /// lab's granularity is the VMA; the kernel's is the page-table page (derived: two
    /// walkers in one VMA meet, walkers in different VMAs do not).
    fn meets_walker(&self, pid: Pid, mm: MmId, idx: usize) -> bool {
        if !self.version.exit_unmaps_beside_readers() {
            return false;
        }
        let Some(m) = self.mm(mm) else { return false };
        m.walkers.iter().filter(|w| **w != pid).any(|w| {
            self.task(*w).is_some_and(|t| {
                t.state == crate::task::TaskState::Running
                    && matches!(t.frames.last(), Some(Frame::Zap(o))
                        if o.mm == mm && o.in_vma && self.walk_index(o) == idx)
            })
        })
    }

    fn begin_walk(&mut self, pid: Pid, z: &Zap) {
        let mm = z.mm;
        if let Some(m) = self.mm_mut(mm) {
            m.walkers.push(pid);
        }
        if z.mode == ZapMode::ExitUnmap {
            return;
        }
        if z.mode == ZapMode::Reap {
            self.set_mm_flag(pid, mm, MMF_UNSTABLE, true);
            // §F.3: the walk starts at a dangling mm->mmap and reads a freed VMA's flags.
            if self.mm(mm).is_some_and(|m| m.dangling_vmas > 0) {
                self.warn(pid, Warn::VmaUseAfterFree, mm.0 as i64, 0);
            }
        }
        let locked = self.mm(mm).is_some_and(|m| {
            m.lock.holds(pid, LockMode::Read) || m.lock.holds(pid, LockMode::Write)
        });
        if z.needs_lock && !locked {
            self.warn(pid, Warn::ReapWithoutMmapLock, mm.0 as i64, 0);
        }
        if let Some(live) = self.live_sharer(mm) {
            self.warn(pid, Warn::ZapLiveSharer, live.0 as i64, mm.0 as i64);
        }
    }

    /// The first process that uses `mm` and is not dying (`__task_will_free_mem` false).
    fn live_sharer(&self, mm: MmId) -> Option<crate::ids::Tgid> {
        self.procs
            .iter()
            .filter(|p| self.process_shares_mm(p.tgid, mm))
            .find(|p| !self.task_will_free_mem_group(p.tgid))
            .map(|p| p.tgid)
    }

    fn finish_walk(&mut self, pid: Pid, z: Zap) -> u64 {
        if let Some(m) = self.mm_mut(z.mm) {
            if let Some(i) = m.walkers.iter().position(|w| *w == pid) {
                m.walkers.remove(i);
            }
        }
        let result = match z.mode {
            ZapMode::MadviseDontneed => z.freed_pages as i64,
            _ => z.ok as i64,
        };
        if let Some(t) = self.task_mut(pid) {
            t.frames.pop();
            t.result = result;
        }
        self.cost_on(pid, params::PRIMITIVE_NS)
    }

    /// The per-VMA set-up: skip rules, then the notifier and TLB gather.
    fn enter_vma(&mut self, z: &mut Zap, idx: usize) -> u64 {
        let Some(vma) = self.mm(z.mm).and_then(|m| m.vmas.get(idx)) else {
            z.done_vmas += 1;
            return params::PRIMITIVE_NS;
        };
        let coverage = zap_coverage(self.version, vma, z.mode);
        if coverage == Coverage::Skipped {
            z.done_vmas += 1;
            return params::PRIMITIVE_NS;
        }
        let overlap = vma
            .end_page()
            .min(z.end_page)
            .saturating_sub(vma.start_page.max(z.start_page));
        if overlap == 0 {
            z.done_vmas += 1;
            return params::PRIMITIVE_NS;
        }
        // mmu_notifier_invalidate_range_start_nonblock() failing: skip this VMA, the walk
        // returns false (§B.3 step 4). madvise uses the blocking variant, which waits.
        if coverage == Coverage::Refused {
            z.ok = false;
            z.done_vmas += 1;
            return params::ZAP_VMA_NS;
        }
        z.in_vma = true;
        if vma.is_thp() {
            return self.enter_thp_vma(z, idx);
        }
        let total = vma.mapped.total();
        z.vma_budget = if overlap >= vma.size_pages {
            total
        } else {
            // A partial range zaps its proportional share of what is mapped.
            (total as u128 * overlap as u128).div_ceil(vma.size_pages.max(1) as u128) as u64
        };
        z.thp_pte_budget = 0;
        params::ZAP_VMA_NS
    }

    /// A THP VMA's set-up: the huge pages the range covers in part are split
    /// (__split_huge_pmd(), thp.rs), then its PTE-mapped pages are zapped before its
    /// PMD-mapped ones.
    fn enter_thp_vma(&mut self, z: &mut Zap, idx: usize) -> u64 {
        let Some(vma) = self.mm_mut(z.mm).and_then(|m| m.vmas.get_mut(idx)) else {
            return params::ZAP_VMA_NS;
        };
        let plan = thp::plan(vma, z.start_page, z.end_page);
        vma.split_pmds(plan.splits);
        z.vma_budget = plan.huge_pages + plan.pte_pages;
        z.thp_pte_budget = plan.pte_pages;
        params::ZAP_VMA_NS + plan.splits * params::THP_SPLIT_PMD_NS
    }

    /// Picks the next batch of the current VMA and prices it; an exhausted VMA ends. A batch
    /// whose pages another walker removes first is still paid in full: the walker behind
    /// waits on the page-table locks of the one ahead and finds the entries cleared (what
    /// `apply_batch` takes is what is left). Returns the cost and the part of it spent
    /// contending for page-table locks with another walker in the same VMA.
    fn reserve_batch(&self, pid: Pid, z: &mut Zap, idx: usize) -> (u64, u64) {
        let include_shared = z.mode == ZapMode::ExitUnmap;
        let exit = z.mode == ZapMode::ExitUnmap;
        let Some(vma) = self.mm(z.mm).and_then(|m| m.vmas.get(idx)) else {
            z.in_vma = false;
            z.done_vmas += 1;
            return (params::PRIMITIVE_NS, 0);
        };
        if z.thp_pte_budget > 0 && vma.thp_pte_pages == 0 {
            // Another walker zapped them first: what is left of the range is PMD-mapped.
            z.vma_budget = z.vma_budget.saturating_sub(z.thp_pte_budget);
            z.thp_pte_budget = 0;
        }
        // A batch is PTE-mapped THP pages or none of them (fold.rs folds only the latter).
        let batch = if z.thp_pte_budget > 0 {
            z.thp_pte_budget.min(vma.thp_pte_pages)
        } else {
            z.vma_budget
        }
        .min(params::ZAP_BATCH_PAGES);
        let peek = vma.peek_zap(batch, include_shared);
        if peek.total() == 0 {
            z.in_vma = false;
            z.done_vmas += 1;
            return (params::PRIMITIVE_NS, 0);
        }
        z.pending = peek.total();
        z.vma_budget -= z.pending;
        z.pending_pte = if z.thp_pte_budget > 0 {
            peek.anon.min(vma.thp_pte_pages)
        } else {
            0
        };
        z.thp_pte_budget = z.thp_pte_budget.saturating_sub(z.pending);
        let huge = peek.anon - z.pending_pte;
        let pages_ns = thp::pte_zap_ns(vma, z.pending_pte, exit)
            + params::anon_zap_ns(huge, vma.is_thp(), exit)
            + peek.swap * params::SWAP_ENTRY_NS
            + (peek.file + peek.shmem) * params::FILE_UNMAP_NS_PER_PAGE;
        let spin_ns = if self.meets_walker(pid, z.mm, idx) {
            pages_ns * params::ptl_contention_per_mille() / 1000
        } else {
            0
        };
        (pages_ns + spin_ns + params::PRIMITIVE_NS, spin_ns)
    }

    /// Removes the paid-for batch (what is left of it: a concurrent zapper may have taken
    /// some) and reports the new counters.
    fn apply_batch(&mut self, pid: Pid, z: &mut Zap, idx: usize) {
        let include_shared = z.mode == ZapMode::ExitUnmap;
        let batch = std::mem::take(&mut z.pending);
        let batches = std::mem::take(&mut z.pending_batches).max(1);
        let Some(m) = self.mm_mut(z.mm) else { return };
        let Some(vma) = m.vmas.get_mut(idx) else {
            return;
        };
        let shared = vma.kind.is_shared();
        let pte = std::mem::take(&mut z.pending_pte) > 0;
        let r = vma.zap_some(vma.thp_batch_left(batch, pte), include_shared);
        if pte {
            vma.unmap_ptes(r.pages.anon);
        }
        m.zapped.add(r.pages);
        if !shared {
            z.freed_pages += r.pages.anon;
        }
        let run = (batches > 1).then(|| FoldedRun {
            earlier: batches - 1,
            period_ns: z.batch_period_ns,
            pages: r.pages.total() / batches,
        });
        self.emit_rss(pid, z.mm, r.pages, run);
    }

    /// kmem:rss_stat for each counter that changed, with the mm's new total; a folded run
    /// of batches (one counter only, fold.rs) as its shorthand and its last record.
    fn emit_rss(&mut self, ctx: Pid, mm: MmId, delta: Pages, run: Option<FoldedRun>) {
        let Some(now) = self.mm(mm).map(|m| m.mapped()) else {
            return;
        };
        let curr = self.task(ctx).is_some_and(|t| t.mm == Some(mm)) as i64;
        let members = [
            (MM_FILEPAGES, delta.file, now.file),
            (MM_ANONPAGES, delta.anon, now.anon),
            (MM_SWAPENTS, delta.swap, now.swap),
            (MM_SHMEMPAGES, delta.shmem, now.shmem),
        ];
        for (member, changed, total) in members {
            if changed == 0 {
                continue;
            }
            let bytes = (total * params::PAGE_SIZE) as i64;
            let Some(run) = run else {
                self.emit(ctx, Kind::RssStat, mm.0 as i64, member, bytes, curr);
                continue;
            };
            if changed != run.pages * (run.earlier + 1) {
                return self.bug(format!(
                    "a folded zap run of mm {} changed more than one rss counter",
                    mm.0
                ));
            }
            let (cpu, at) = (self.cpu_of(ctx), self.now_ns);
            let shorthand = [
                mm.0 as i64,
                run.earlier as i64,
                run.period_ns as i64,
                run.pages as i64,
            ];
            let last = [mm.0 as i64, member, bytes, curr];
            self.log.push_rss_run(at, cpu, ctx.0, shorthand, last);
        }
    }
}

/// The batches a folded zap step freed before its last one (fold.rs).
#[derive(Clone, Copy)]
struct FoldedRun {
    earlier: u64,
    period_ns: u64,
    pages: u64,
}
