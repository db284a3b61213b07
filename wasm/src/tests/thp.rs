//! Transparent huge pages (vma.rs `VMA_THP`): the loader's shape rule, and zaps priced per
//! PMD (params.rs `REAP_NS_PER_PMD`, `EXIT_UNMAP_NS_PER_PMD`) while freed pages stay counted
//! in 4 KiB pages.

use super::*;
use crate::params::{EXIT_UNMAP_NS_PER_PMD, HPAGE_PMD_NR, REAP_NS_PER_PAGE, REAP_NS_PER_PMD};
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
