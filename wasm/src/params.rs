//! The cost model. Every constant is a named model parameter with its source; invented
//! ones say so. Costs are for a CPU of speed 1.0 (capacity 1024 at its maximum frequency)
//! and are divided by the running CPU's speed (see `cpu_speed_ppm`).

/// Bytes per page (x86_64 and arm64 4K pages).
pub const PAGE_SIZE: u64 = 4096;

/// Zapping one private anon page from the killer's context (process_mrelease, oom_reaper):
/// 4096 B at 12,398 MB/s (MB = 10^6 B), the "expedited" reclaim rate on a Snapdragon 845 big
/// core at maximum frequency (reference §E.4, 2019 RFC
/// 20190411014353.113252-1-surenb@google.com).
pub const REAP_NS_PER_PAGE: u64 = 330;

/// The victim's own exit_mmap() unmapping one private anon page, on a CPU it had to itself.
/// Fitted, with BACKGROUND_LOAD_PER_MILLE, to the four "normal" kill rates of §E.4 and to
/// this host's (docs/calibration/host.json): 233 ns with the background load's share gives
/// 4096 B at 13,624 MB/s on the big core at its maximum, where the RFC measured 14,656
/// (the fit keeps every measured rate within 1.36×; docs/architecture.md, "Calibration").
/// The same zap_pte_range() work as the reaper's REAP_NS_PER_PAGE, minus the reaper's
/// per-VMA TLB flushes: exit_mmap() gathers the whole mm at once (tlb_gather_mmu_fullmm).
pub const EXIT_UNMAP_NS_PER_PAGE: u64 = 233;

/// Base pages per PMD-mapped transparent huge page (HPAGE_PMD_NR with 4K pages: 2 MiB).
pub const HPAGE_PMD_NR: u64 = 512;

/// The reaper zapping one PMD-mapped transparent huge page: zap_huge_pmd() (mm/huge_memory.c)
/// clears the PMD and frees the 2 MiB folio at once, with none of zap_pte_range()'s per-page
/// work. Measured by hand on this host (docs/host.md "Transparent huge pages", 2026-12-02,
/// 6.18.44, AMD EPYC, host preset = speed 1.0): process_mrelease on a frozen SIGKILLed child whose
/// MADV_HUGEPAGE mapping was fully THP-backed (smaps_rollup AnonHugePages = its size),
/// medians of 5 runs 0.256 / 0.844 / 3.146 ms at 64 / 256 / 1024 MiB: the slope over sizes,
/// (3.146 - 0.256) ms / 480 PMDs = 6.02 µs a PMD (the same in small pages is 512 × 330 ns).
pub const REAP_NS_PER_PMD: u64 = 6_000;

/// The victim's own exit_mmap() freeing one PMD-mapped transparent huge page (the same
/// zap_huge_pmd()). Measured by hand with REAP_NS_PER_PMD: kill → pidfd readable, medians
/// 0.287 / 0.907 / 2.835 ms at 64 / 256 / 1024 MiB, a slope of 5.31 µs a PMD; the model
/// divides an exit's work by the exit's share of the CPU beside BACKGROUND_LOAD_PER_MILLE
/// (0.775 at speed 1.0), so 5.31 µs × 0.775 = 4.1 µs.
pub const EXIT_UNMAP_NS_PER_PMD: u64 = 4_100;

/// A zap splitting one PMD-mapped transparent huge page that its range covers only in part:
/// zap_pmd_range() (mm/memory.c, `if (next - addr != HPAGE_PMD_SIZE) __split_huge_pmd(...)`)
/// has __split_huge_pmd_locked() (mm/huge_memory.c) withdraw the deposited page table, write
/// 512 PTEs and take a mapcount on every subpage, before zap_pte_range() zaps the range's
/// PTEs. Measured on this host (docs/host.md "A zap over part of a huge page", 2026-12-02,
/// 6.18.44): a child's own madvise(MADV_DONTNEED) of 1 page at the start of each of 128
/// PMD-mapped huge pages, one call a block, medians of 5 runs 8.77 µs a call over an empty
/// page's 0.16 µs (the per-PTE part below is 9 ns of it); thp_split_pmd rose by 128.
pub const THP_SPLIT_PMD_NS: u64 = 8_800;

/// Zapping one PTE that maps a page of a transparent huge page (a block split before):
/// zap_present_ptes() clears a run of PTEs of one folio together and drops MM_ANONPAGES, but
/// frees no page (the folio goes as a whole, `REAP_NS_PER_PMD` / `EXIT_UNMAP_NS_PER_PMD`,
/// when its last PTE does). Measured with THP_SPLIT_PMD_NS: zapping 511 pages of each block
/// instead of 1 added 9.2 ns a page (13.48 µs against 8.77 µs a call), and zapping the
/// other 511 PTE-mapped pages of each split block afterwards cost 10.3 ns a page more than
/// zapping the last 1 (9.02 µs against 3.77 µs a block). The exit is priced the same: its
/// runs on this host were too noisy to separate (docs/host.md).
pub const THP_PTE_ZAP_NS_PER_PAGE: u64 = 10;

/// The zap cost of `pages` private anon pages: per 4 KiB page, or per PMD when they are
/// PMD-mapped transparent huge pages (whole PMDs: a block a range covers in part is split
/// and priced by `THP_SPLIT_PMD_NS` and `THP_PTE_ZAP_NS_PER_PAGE` instead, thp.rs); by the
/// reaper or by the victim's exit.
pub fn anon_zap_ns(pages: u64, thp: bool, exit: bool) -> u64 {
    match (thp, exit) {
        (false, false) => pages * REAP_NS_PER_PAGE,
        (false, true) => pages * EXIT_UNMAP_NS_PER_PAGE,
        (true, false) => pages.div_ceil(HPAGE_PMD_NR) * REAP_NS_PER_PMD,
        (true, true) => pages.div_ceil(HPAGE_PMD_NR) * EXIT_UNMAP_NS_PER_PMD,
    }
}

/// The CPU demand, in thousandths of a speed-1.0 CPU, of the work a killed Android
/// background app shares its core with while it exits (kswapd and the other apps of a
/// device short of memory). A killed victim exits at its own priority in its own cgroup,
/// not at the killer's (reference §E.4: "the worst case (a victim confined to a throttled
/// little core)"), so its exit path gets what that load leaves: a share 1 - load/speed of
/// the CPU, which shrinks as the CPU slows, where a reaper running at lmkd's priority is
/// not slowed. Fitted to §E.4 with EXIT_UNMAP_NS_PER_PAGE: the measured normal-kill rate
/// falls 17× from the big core at its maximum to the little core at 300 MHz while the
/// expedited one falls 3.8×, which a share of the CPU that shrinks with its speed
/// reproduces and no per-page cost alone can.
pub const BACKGROUND_LOAD_PER_MILLE: u64 = 225;

/// The least share of its CPU an exiting task keeps under that load: Android's background
/// cgroup weight against the root's, AOSP system/core/rootdir/init.rc
/// `bg_non_interactive/cpu.shares 52` against `cpu.shares 1024` ("# 5.0 %").
pub const BACKGROUND_SHARE_MIN_PER_MILLE: u64 = 50;

/// Dropping one swap entry while zapping. Invented: a swap_map decrement with no I/O, taken
/// as a quarter of freeing a resident page.
pub const SWAP_ENTRY_NS: u64 = 80;

/// Unmapping one page-cache page (rmap and counter updates, the page stays cached).
/// Invented: a third of freeing an anon page, which also returns the page to the allocator.
pub const FILE_UNMAP_NS_PER_PAGE: u64 = 110;

/// Per-VMA work of a zap: mmu_notifier range start/end and tlb_gather/tlb_finish.
/// Invented: about a microsecond, the order of a TLB shootdown IPI round.
pub const ZAP_VMA_NS: u64 = 1_000;

/// free_pgtables() and VMA removal in exit_mmap, per VMA. Invented, as ZAP_VMA_NS.
pub const FREE_PGTABLES_NS_PER_VMA: u64 = 1_500;

/// Page-table-lock contention between two walkers zapping the same VMA at once (a reaper
/// beside exit_mmap, which have zapped together under read locks since v6.0): the share of
/// unmap_page_range()'s time spent in `__pte_offset_map_lock`, in basis points (1/10,000),
/// when they meet.
/// zhongjinji's 2025 reverse-walk patch (5e1953dc71af; lore
/// 20250909090659.26400-4-zhongjinji@honor.com), perf on arm64 with the oom_reaper and the
/// victim's exit_mmap running together: 41.59% before the patch, when both walked forward.
pub const PTL_SHARE_CONTENDED_BP: u64 = 4159;

/// The same share when they do not meet: 0.51% with the patch, the reaper walking from the
/// other end of the address space (same cover letter).
pub const PTL_SHARE_UNCONTENDED_BP: u64 = 51;

/// unmap_page_range()'s share of an uncontended reap's time (the rest is tlb_finish_mmu and
/// rmap work the lock does not touch): 55.77% in the same profile, with the patch.
pub const UNMAP_SHARE_BP: u64 = 5577;

/// What a zap batch costs on top when another walker is in the same VMA, in 1/1,000 of its
/// per-page cost, derived from the three above: unmap_page_range's non-lock work is the same
/// in both profiles, so contention stretches it by (1 - 0.0051) / (1 - 0.4159) = 1.703, and
/// that applies to its 55.77% of the batch: 0.5577 × 0.703 = 392‰. Applied to exit_mmap's
/// batches too (the lock is shared; the cover letter's table has exit_mmap slowing as much,
/// 90.7 against 72.4). The same table's totals (167.1 against 132.6, 26%) are lower because
/// the two walkers do not meet for the whole run even without the patch; docs/performance.md.
pub const fn ptl_contention_per_mille() -> u64 {
    let stretched =
        (10_000 - PTL_SHARE_UNCONTENDED_BP) * 10_000 / (10_000 - PTL_SHARE_CONTENDED_BP);
    UNMAP_SHARE_BP * (stretched - 10_000) / 100_000
}

/// One step of task_will_free_mem()'s for_each_process walk (process_shares_mm on a
/// task_struct that is likely cold in cache). Invented: a few cache misses, ~25 ns.
pub const TWFM_NS_PER_PROCESS: u64 = 25;

/// Pages zapped between two preemption points. The kernel can cond_resched() after every
/// PMD (512 pages); the lab coarsens it to bound the number of simulated steps for multi-GiB
/// victims (16 MiB a step: an 8 GiB victim is 512 steps). Changing it changes interleavings, not totals.
pub const ZAP_BATCH_PAGES: u64 = 4_096;

/// Syscall entry plus exit. Invented: ~100 ns on a modern core.
pub const SYSCALL_NS: u64 = 100;

/// A cheap primitive (flag test, refcount, task_lock, fd lookup). Invented.
pub const PRIMITIVE_NS: u64 = 20;

/// Generating and queueing a signal to every thread (complete_signal). Invented: ~1 us.
pub const SIGNAL_NS: u64 = 1_000;

/// A context switch. Invented: ~2 us including the cache refill a real switch costs.
pub const CONTEXT_SWITCH_NS: u64 = 2_000;

/// The exit path up to exit_mm (exit_signals, robust-list walk, files) and after it
/// (exit_notify), each. Invented: tens of microseconds for a small process.
pub const EXIT_STEP_NS: u64 = 20_000;

/// How long a runnable userspace task runs before the lab looks at it again (a tick at
/// HZ=250). It is when a running victim notices a pending SIGKILL at the latest.
pub const USER_SLICE_NS: u64 = 4_000_000;

/// EEVDF's normalized base slice (normalized_sysctl_sched_base_slice, 0.75 ms since v6.6):
/// equal-priority SCHED_OTHER tasks on one CPU take turns at [`sched_base_slice_ns`], this
/// scaled with the CPU count.
pub const SCHED_SLICE_NS: u64 = 750_000;

/// sysctl_sched_base_slice as the kernel sets it at boot: kernel/sched/fair.c's
/// update_sysctl() multiplies the normalized value by get_update_sysctl_factor(), which
/// under the default SCHED_TUNABLESCALING_LOG is `1 + ilog2(min(num_online_cpus(), 8))`
/// ("(default: 0.75 msec * (1 + ilog(ncpus)), units: nanoseconds)"): 0.75 ms on one CPU,
/// 1.5 ms on two or three, 2.25 ms on four to seven, 3 ms from eight.
pub fn sched_base_slice_ns(ncpus: usize) -> u64 {
    let cpus = ncpus.clamp(1, 8) as u64;
    SCHED_SLICE_NS * (1 + u64::from(cpus.ilog2()))
}

/// oom_reaper: MAX_OOM_REAP_RETRIES (mm/oom_kill.c) attempts, HZ/10 apart.
pub const MAX_OOM_REAP_RETRIES: u32 = 10;
pub const OOM_REAP_RETRY_SLEEP_NS: u64 = 100_000_000;

/// The fraction of page-freeing work that does not speed up with CPU frequency (memory
/// bound), fitted to the Snapdragon 845 expedited rates of reference §E.4: big core
/// 6144/12398 at 800/2500 MHz and little core 3236/8144 at 300/1600 MHz both give 0.258.
pub const MEMORY_BOUND_PER_MILLE: u64 = 258;

/// Every cost-model parameter by name (PAGE_SIZE aside), as `kernel_facts()` states them and
/// docs/architecture.md's parameter table lists them.
pub const COST_MODEL: [(&str, u64); 28] = [
    ("REAP_NS_PER_PAGE", REAP_NS_PER_PAGE),
    ("EXIT_UNMAP_NS_PER_PAGE", EXIT_UNMAP_NS_PER_PAGE),
    ("HPAGE_PMD_NR", HPAGE_PMD_NR),
    ("REAP_NS_PER_PMD", REAP_NS_PER_PMD),
    ("EXIT_UNMAP_NS_PER_PMD", EXIT_UNMAP_NS_PER_PMD),
    ("THP_SPLIT_PMD_NS", THP_SPLIT_PMD_NS),
    ("THP_PTE_ZAP_NS_PER_PAGE", THP_PTE_ZAP_NS_PER_PAGE),
    ("BACKGROUND_LOAD_PER_MILLE", BACKGROUND_LOAD_PER_MILLE),
    (
        "BACKGROUND_SHARE_MIN_PER_MILLE",
        BACKGROUND_SHARE_MIN_PER_MILLE,
    ),
    ("SWAP_ENTRY_NS", SWAP_ENTRY_NS),
    ("FILE_UNMAP_NS_PER_PAGE", FILE_UNMAP_NS_PER_PAGE),
    ("ZAP_VMA_NS", ZAP_VMA_NS),
    ("FREE_PGTABLES_NS_PER_VMA", FREE_PGTABLES_NS_PER_VMA),
    ("TWFM_NS_PER_PROCESS", TWFM_NS_PER_PROCESS),
    ("ZAP_BATCH_PAGES", ZAP_BATCH_PAGES),
    ("SYSCALL_NS", SYSCALL_NS),
    ("PRIMITIVE_NS", PRIMITIVE_NS),
    ("SIGNAL_NS", SIGNAL_NS),
    ("CONTEXT_SWITCH_NS", CONTEXT_SWITCH_NS),
    ("EXIT_STEP_NS", EXIT_STEP_NS),
    ("USER_SLICE_NS", USER_SLICE_NS),
    ("SCHED_SLICE_NS", SCHED_SLICE_NS),
    ("MAX_OOM_REAP_RETRIES", MAX_OOM_REAP_RETRIES as u64),
    ("OOM_REAP_RETRY_SLEEP_NS", OOM_REAP_RETRY_SLEEP_NS),
    ("MEMORY_BOUND_PER_MILLE", MEMORY_BOUND_PER_MILLE),
    ("PTL_SHARE_CONTENDED_BP", PTL_SHARE_CONTENDED_BP),
    ("PTL_SHARE_UNCONTENDED_BP", PTL_SHARE_UNCONTENDED_BP),
    ("UNMAP_SHARE_BP", UNMAP_SHARE_BP),
];

/// Speed of a CPU relative to the reference (capacity 1024 at maximum frequency), in parts
/// per million: capacity/1024 * (M + (1-M) * freq/max_freq).
pub fn cpu_speed_ppm(capacity: u32, freq_mhz: u32, max_freq_mhz: u32) -> u64 {
    let cap = capacity.clamp(1, 1024) as u64;
    let max = max_freq_mhz.max(1) as u64;
    let freq = (freq_mhz as u64).clamp(1, max);
    let scaled_per_mille = MEMORY_BOUND_PER_MILLE * max + (1000 - MEMORY_BOUND_PER_MILLE) * freq;
    // cap/1024 * scaled_per_mille/(1000*max), times 10^6.
    (cap * scaled_per_mille * 1_000_000 / (1024 * 1000 * max)).max(1)
}

/// The share of a CPU of the given speed that an exiting SCHED_OTHER task gets beside the
/// background load, in parts per million: 1 - load/speed, at least the background cgroup's
/// share.
pub fn exit_share_ppm(speed_ppm: u64) -> u64 {
    let load_ppm = BACKGROUND_LOAD_PER_MILLE * 1000;
    let left = 1_000_000u64.saturating_sub(load_ppm.saturating_mul(1_000_000) / speed_ppm.max(1));
    left.max(BACKGROUND_SHARE_MIN_PER_MILLE * 1000)
}

/// The time the background load takes on the CPU while an exiting task does `cost_ns` of
/// work there: the task had `share` of the CPU, the load the rest.
pub fn background_ns(cost_ns: u64, speed_ppm: u64) -> u64 {
    let share = exit_share_ppm(speed_ppm);
    cost_ns.saturating_mul(1_000_000 - share) / share
}

/// A reference cost scaled to a CPU of the given speed.
pub fn scale(cost_ns: u64, speed_ppm: u64) -> u64 {
    cost_ns.saturating_mul(1_000_000) / speed_ppm.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_cpu_has_speed_one() {
        assert_eq!(cpu_speed_ppm(1024, 2500, 2500), 1_000_000);
    }

    // §E.4: the fit must reproduce the measured expedited rates within 2%.
    #[test]
    fn calibration_reproduces_sd845_expedited_rates() {
        let rate = |cap, f, max| {
            let ns = scale(REAP_NS_PER_PAGE, cpu_speed_ppm(cap, f, max));
            PAGE_SIZE as f64 * 1e9 / ns as f64 / 1e6
        };
        let close = |got: f64, want: f64| (got - want).abs() / want < 0.02;
        assert!(close(rate(1024, 2500, 2500), 12398.0));
        assert!(
            close(rate(1024, 800, 2500), 6144.0),
            "{}",
            rate(1024, 800, 2500)
        );
        assert!(
            close(rate(673, 1600, 1600), 8144.0),
            "{}",
            rate(673, 1600, 1600)
        );
        assert!(
            close(rate(673, 300, 1600), 3236.0),
            "{}",
            rate(673, 300, 1600)
        );
    }

    // §E.4's normal kills: the victim's own exit_mmap at its share of the CPU beside the
    // background load must reproduce every measured rate within 1.5× (the fit gives 1.36×).
    #[test]
    fn calibration_reproduces_sd845_normal_kill_rates_within_1_5x() {
        let rate = |cap, f, max| {
            let speed = cpu_speed_ppm(cap, f, max);
            let ns = scale(EXIT_UNMAP_NS_PER_PAGE, speed);
            let ns = ns + background_ns(ns, speed);
            PAGE_SIZE as f64 * 1e9 / ns as f64 / 1e6
        };
        for (cap, f, max, measured) in [
            (1024, 2500, 2500, 14656.0),
            (1024, 800, 2500, 5084.0),
            (673, 1600, 1600, 5602.0),
            (673, 300, 1600, 856.0),
        ] {
            let got = rate(cap, f, max);
            let off = (got / measured).max(measured / got);
            assert!(
                off <= 1.5,
                "{cap}@{f}/{max}: {got:.0} MB/s, measured {measured}"
            );
        }
    }

    // The share never falls below the background cgroup's weight, however slow the CPU.
    #[test]
    fn exit_share_has_the_background_cgroup_floor() {
        assert_eq!(exit_share_ppm(1), BACKGROUND_SHARE_MIN_PER_MILLE * 1000);
        assert_eq!(exit_share_ppm(0), BACKGROUND_SHARE_MIN_PER_MILLE * 1000);
        assert_eq!(background_ns(1000, 1), 19_000);
        assert_eq!(
            exit_share_ppm(1_000_000),
            1_000_000 - BACKGROUND_LOAD_PER_MILLE * 1000
        );
    }

    /// A THP is priced per PMD, far below its 512 small pages.
    #[test]
    fn thp_is_priced_per_pmd() {
        assert_eq!(anon_zap_ns(1024, true, false), 2 * REAP_NS_PER_PMD);
        assert_eq!(anon_zap_ns(1024, true, true), 2 * EXIT_UNMAP_NS_PER_PMD);
        assert_eq!(anon_zap_ns(1024, false, false), 1024 * REAP_NS_PER_PAGE);
        let small = |exit| anon_zap_ns(HPAGE_PMD_NR, false, exit);
        assert!(anon_zap_ns(HPAGE_PMD_NR, true, false) * 20 < small(false));
        assert!(anon_zap_ns(HPAGE_PMD_NR, true, true) * 20 < small(true));
    }

    /// fair.c's "(default: 0.75 msec * (1 + ilog(ncpus)))" with the CPU count capped at 8.
    #[test]
    fn base_slice_scales_with_the_cpu_count() {
        let ms = |n| sched_base_slice_ns(n) as f64 / 1e6;
        let got: Vec<f64> = [1, 2, 3, 4, 7, 8, 64].into_iter().map(ms).collect();
        assert_eq!(got, [0.75, 1.5, 1.5, 2.25, 2.25, 3.0, 3.0]);
    }
}
