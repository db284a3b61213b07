//! Transparent huge pages (vma.rs `VMA_THP`): the loader's shape rule, zaps priced per PMD
//! (params.rs `REAP_NS_PER_PMD`, `EXIT_UNMAP_NS_PER_PMD`) while freed pages stay counted in
//! 4 KiB pages, and a zap over part of a huge page splitting it (thp.rs).

use super::*;
use crate::params::{
    EXIT_UNMAP_NS_PER_PMD, HPAGE_PMD_NR, REAP_NS_PER_PAGE, REAP_NS_PER_PMD,
    THP_PTE_ZAP_NS_PER_PAGE, THP_SPLIT_PMD_NS, ZAP_VMA_NS,
};
use crate::vma::{VMA_THP, VM_HUGETLB};

const PMD: i32 = HPAGE_PMD_NR as i32;

/// The oom_reaper's CPU time reaping a D-state victim of `pmds` PMDs, small or huge pages;
/// the victim's anon counter must end at 0 either way.
fn reaper_ns(pmds: i32, thp: bool) -> f64 {
    let vma = VmaSpec::anon(pmds * PMD).flags(if thp { VMA_THP } else { 0 });
    let mut lab = Sim::new(515).victim(&[vma], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, VICTIM), 1);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "reaped");
    lab.cpu_time(lab.k.oom_reaper_pid() as i32)
}

/// The reaper pays REAP_NS_PER_PMD a PMD for huge pages (plus under 100 µs of set-up),
/// REAP_NS_PER_PAGE a page for the same memory in small pages.
#[test]
fn the_reaper_frees_a_thp_a_pmd_at_a_time() {
    let pmds = 64;
    let (huge, small) = (reaper_ns(pmds, true), reaper_ns(pmds, false));
    let want = (pmds as u64 * REAP_NS_PER_PMD) as f64;
    assert!(
        huge >= want && huge < want + 100e3,
        "THP reap {huge} ns, want {want}"
    );
    let want_small = (pmds as u64 * HPAGE_PMD_NR * REAP_NS_PER_PAGE) as f64;
    assert!(small >= want_small, "small-page reap {small} ns");
}

/// The victim's own exit_mmap pays EXIT_UNMAP_NS_PER_PMD a PMD, and its rss_stat records
/// still count 4 KiB pages: the last one reads 0 bytes of anon memory after 64 PMDs' worth.
#[test]
fn exit_mmap_frees_a_thp_a_pmd_at_a_time_and_counts_small_pages() {
    let pmds = 64;
    let vma = VmaSpec::anon(pmds * PMD).flags(VMA_THP);
    let mut lab = Sim::new(618).victim(&[vma], S).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "exited");
    let unmap = (pmds as u64 * EXIT_UNMAP_NS_PER_PMD) as f64;
    let victim = lab.cpu_time(VICTIM);
    assert!(
        victim >= unmap && victim < unmap + 100e3,
        "victim {victim} ns for {unmap} ns"
    );
}

/// The loader refuses a THP VMA that is not whole PMDs of private anon memory, with a
/// message, and takes one that is.
#[test]
fn the_loader_refuses_a_thp_vma_that_is_not_whole_pmds() {
    let bad = [
        (
            "size",
            VmaSpec::anon(PMD + 1).pages(PMD, 0, 0, 0).flags(VMA_THP),
        ),
        (
            "resident",
            VmaSpec::anon(2 * PMD)
                .pages(PMD + 1, 0, 0, 0)
                .flags(VMA_THP),
        ),
        (
            "swap",
            VmaSpec::anon(2 * PMD).pages(PMD, 0, 0, PMD).flags(VMA_THP),
        ),
        ("hugetlb", VmaSpec::anon(PMD).flags(VMA_THP | VM_HUGETLB)),
        (
            "shmem",
            VmaSpec::of(SHMEM, PMD).pages(0, 0, PMD, 0).flags(VMA_THP),
        ),
    ];
    for (what, vma) in bad {
        let mut k = Kernel::new(1, 0);
        assert_eq!(
            k.load_world(&Sim::new(618).victim(&[vma], S).prog().0),
            -EINVAL,
            "{what}"
        );
        assert!(
            k.last_error().contains("THP VMA"),
            "{what}: {}",
            k.last_error()
        );
    }
    let good = VmaSpec::anon(4 * PMD)
        .pages(2 * PMD, 0, 0, 0)
        .flags(VMA_THP);
    Sim::new(618).victim(&[VmaSpec::anon(3), good], S).load(1);
}

/// The victim's THP VMA starts on the first PMD boundary after page 16 (load.rs).
const THP_START: f64 = HPAGE_PMD_NR as f64;

/// The caller zaps victim pages `[a, b)` (offsets into its THP VMA) under the read lock, as
/// process_madvise(MADV_DONTNEED) does: the caller's CPU time for the walk.
fn zap_thp_range(lab: &mut Lab, a: f64, b: f64) -> f64 {
    let (me, h) = (lab.me, H_VICTIM);
    assert_eq!(lab.k.mmap_lock(me, h, 0, 0), 0);
    let before = lab.cpu_time(me as i32);
    let answer = lab.k.zap_range(me, h, THP_START + a, THP_START + b);
    lab.wait(answer);
    let spent = lab.cpu_time(me as i32) - before;
    assert_eq!(lab.k.mmap_unlock(me, h, 0), 0);
    spent
}

/// A zap over 511 pages of one huge page (zap_pmd_range(): `next - addr != HPAGE_PMD_SIZE`)
/// splits it and zaps 511 PTEs: THP_SPLIT_PMD_NS + 511 × THP_PTE_ZAP_NS_PER_PAGE, not the
/// whole PMD's REAP_NS_PER_PMD; MM_ANONPAGES drops by the 511 pages only.
#[test]
fn a_zap_over_part_of_a_huge_page_splits_it_and_pays_per_pte() {
    let vma = VmaSpec::anon(16 * PMD).flags(VMA_THP);
    let mut lab = Sim::new(618).victim(&[vma], D).lab(1);
    lab.enter();
    let spent = zap_thp_range(&mut lab, 0.0, 511.0);
    let want = (ZAP_VMA_NS + THP_SPLIT_PMD_NS + 511 * THP_PTE_ZAP_NS_PER_PAGE) as f64;
    assert!(
        spent >= want && spent < want + 2e3,
        "partial zap {spent} ns, want {want}"
    );
    assert_eq!(lab.mm(H_VICTIM).anon, (16 * PMD - 511) as f64);
    // The same over the whole block: zap_huge_pmd(), no split.
    let whole = zap_thp_range(&mut lab, PMD as f64, 2.0 * PMD as f64);
    let want = (ZAP_VMA_NS + REAP_NS_PER_PMD) as f64;
    assert!(
        whole >= want && whole < want + 2e3,
        "whole-block zap {whole} ns, want {want}"
    );
    lab.leave();
}

/// The victim's exit after the caller zapped pages `[0, cut)` of each of the first `blocks`
/// huge pages of its THP VMA of `size` huge pages: the victim's CPU time (every page gone).
fn exit_after_cuts(size: i32, blocks: i32, cut: f64, folding: bool) -> f64 {
    let vma = VmaSpec::anon(size * PMD).flags(VMA_THP);
    let mut lab = Sim::new(618).victim(&[vma], S).lab(1);
    lab.k.set_folding(folding);
    lab.enter();
    for i in 0..blocks {
        let a = (i * PMD) as f64;
        zap_thp_range(&mut lab, a, a + cut);
    }
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "exited");
    lab.cpu_time(VICTIM)
}

/// After the split a block is PTE-mapped: the victim's exit_mmap pays per PTE for the 511
/// pages each of 8 split blocks still maps, plus each folio's free, where the same 16 blocks
/// untouched cost one PMD each (the old whole-block pricing charged both the same 16 PMDs).
#[test]
fn split_blocks_are_zapped_per_pte_at_exit() {
    let (cut, untouched) = (
        exit_after_cuts(16, 8, 1.0, true),
        exit_after_cuts(16, 0, 0.0, true),
    );
    let more = (8 * 511 * THP_PTE_ZAP_NS_PER_PAGE) as f64;
    assert!(
        (cut - untouched - more).abs() < 1e3,
        "8 blocks split: exit {cut} ns, none: {untouched} ns; want {more} ns more"
    );
}

/// A reaper and the victim's exit_mmap walking the same THP VMA after 8 of its huge pages
/// were split (the caller reaps while the killed victim exits, reference §B.3): every page
/// goes, and the split bookkeeping holds after every step (invariants.rs).
#[test]
fn a_reaper_beside_the_exit_keeps_the_split_bookkeeping() {
    let vma = VmaSpec::anon(16 * PMD).flags(VMA_THP);
    let mut lab = Sim::new(618).victim(&[vma], S).lab(1);
    lab.enter();
    for i in 0..8 {
        let a = (i * PMD + 7) as f64;
        zap_thp_range(&mut lab, a, a + 100.0);
    }
    lab.kill(VICTIM);
    lab.reap(H_VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0);
    assert_eq!(lab.k.check_invariants(), 0, "{}", lab.k.last_error());
}

/// The invariant catches split bookkeeping that cannot be: a split huge page mapping no
/// page, PMD-mapped pages that are not whole huge pages.
#[test]
fn broken_split_bookkeeping_is_a_lab_bug() {
    let vma = VmaSpec::anon(4 * PMD).flags(VMA_THP);
    let sim = Sim::new(618).victim(&[vma], S);
    for (split, pte) in [(1, 0), (0, 3)] {
        let mut w = sim.world();
        let v = w
            .mms
            .iter_mut()
            .flat_map(|m| m.vmas.iter_mut())
            .find(|v| v.is_thp());
        let v = v.expect("the THP VMA");
        (v.thp_split_pmds, v.thp_pte_pages) = (split, pte);
        w.check_invariants();
        let msg = w.failed.clone().unwrap_or_default();
        assert!(msg.contains("huge pages"), "({split}, {pte}): {msg:?}");
    }
}

/// The exit's PTE batches over 32 huge pages split in half (8,192 PTE-mapped pages, two
/// full batches) are not folded (fold.rs): the second frees the 32 folios, so the batches
/// are not equal; the run costs what it does batch by batch.
#[test]
fn pte_batches_of_split_huge_pages_are_not_folded() {
    assert_eq!(
        exit_after_cuts(32, 32, 256.0, true),
        exit_after_cuts(32, 32, 256.0, false)
    );
}
