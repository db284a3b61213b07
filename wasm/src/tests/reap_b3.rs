//! §B.3 __oom_reap_task_mm(mm), called by the caller under mmap_read_lock as a reaping design
//! does: MMF_UNSTABLE, the walk order, the skip rules by kernel version, notifier refusal.

use super::*;
use crate::mm::MMF_UNSTABLE;
use crate::vma::{VM_HUGETLB, VM_LOCKED};
use crate::zap::MM_ANONPAGES;

/// The victim (D forever, so it never exits by itself) with `vmas`, killed; the caller's
/// segment is running, nothing reaped yet.
fn killed_victim(kernel: i32, vmas: &[VmaSpec]) -> Lab {
    let mut lab = Sim::new(kernel).victim(vmas, D).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab
}

/// The victim's mm after the caller reaped it once; also returns the walk's result.
fn reaped(kernel: i32, vmas: &[VmaSpec]) -> (Lab, f64) {
    let mut lab = killed_victim(kernel, vmas);
    let r = lab.reap(H_VICTIM);
    (lab, r)
}

/// §B.3 step 3: VM_LOCKED is skipped up to v5.17 (can_madv_lru_vma) and reaped from v5.18
/// (a213e5cf71cb).
#[test]
fn mlocked_vma_skipped_before_5_18_reaped_from_5_18() {
    let locked = VmaSpec::anon(1000).flags(VM_LOCKED);
    for kernel in ALL_KERNELS {
        let (lab, r) = reaped(kernel, &[locked]);
        assert_eq!(r, 1.0, "{kernel}: no notifier refused");
        let left = if kernel <= 517 { 1000.0 } else { 0.0 };
        assert_eq!(lab.mm(H_VICTIM).anon, left, "{kernel}");
    }
}

/// §B.3 step 3: VM_HUGETLB and VM_PFNMAP are skipped on every version. (A pfnmap VMA is not
/// RSS; the loader still accepts counters on it, given here so that a zap would show.)
#[test]
fn hugetlb_and_pfnmap_always_skipped() {
    let vmas = [
        VmaSpec::anon(100).flags(VM_HUGETLB),
        VmaSpec::of(PFNMAP, 200).pages(200, 0, 0, 0),
        VmaSpec::anon(300),
    ];
    for kernel in ALL_KERNELS {
        let (lab, r) = reaped(kernel, &vmas);
        assert_eq!(r, 1.0, "{kernel}");
        let mm = lab.mm(H_VICTIM);
        assert_eq!(mm.anon, 300.0, "{kernel}: only the plain anon VMA goes");
        assert_eq!(mm.anon_zapped, 300.0, "{kernel}");
    }
}

/// §B.3 step 3: only `vma_is_anonymous || !VM_SHARED` is zapped: shmem, MAP_SHARED file and
/// MAP_SHARED|MAP_ANONYMOUS mappings are skipped on every version.
#[test]
fn shared_mappings_always_skipped() {
    let vmas = [
        VmaSpec::of(SHMEM, 100).pages(0, 0, 100, 0),
        VmaSpec::of(FILE_SHARED, 200).pages(0, 200, 0, 0),
        VmaSpec::of(ANON_SHARED, 300).pages(0, 0, 300, 0),
        VmaSpec::anon(50),
    ];
    for kernel in ALL_KERNELS {
        let (lab, _) = reaped(kernel, &vmas);
        let mm = lab.mm(H_VICTIM);
        assert_eq!(
            (mm.shmem, mm.file),
            (400.0, 200.0),
            "{kernel}: shared pages stay mapped"
        );
        assert_eq!(mm.anon, 0.0, "{kernel}: the private VMA was walked");
    }
}

/// §B.3 step 3 (derived): a private file mapping is zapped: its COW anon pages are freed
/// (they were the only reclaimable part), its page-cache pages are only unmapped (never
/// counted as reclaimable: they stay in the page cache).
#[test]
fn private_file_mapping_frees_cow_pages_and_unmaps_page_cache() {
    let mut lab = killed_victim(618, &[VmaSpec::of(FILE_PRIVATE, 300).pages(100, 200, 0, 0)]);
    let before = lab.mm(H_VICTIM);
    assert_eq!(
        (before.anon, before.file, before.reclaimable),
        (100.0, 200.0, 100.0)
    );
    assert_eq!(lab.reap(H_VICTIM), 1.0);
    let after = lab.mm(H_VICTIM);
    assert_eq!((after.anon, after.file, after.reclaimable), (0.0, 0.0, 0.0));
    assert_eq!(
        after.anon_zapped, 100.0,
        "the COW copies are what was freed"
    );
}

/// §B.3 step 3 (derived): swap entries of the zapped range are freed as well.
#[test]
fn swap_entries_are_dropped() {
    let vmas = [
        VmaSpec::anon(300).pages(100, 0, 0, 200),
        VmaSpec::of(FILE_PRIVATE, 300).pages(10, 20, 0, 30),
    ];
    let (lab, _) = reaped(618, &vmas);
    assert_eq!(lab.mm(H_VICTIM).swap, 0.0);
}

/// §B.3 step 1: MMF_UNSTABLE is set first, before any page is zapped.
#[test]
fn mmf_unstable_is_set_before_the_first_page_goes() {
    let mut lab = killed_victim(618, &[VmaSpec::anon(100)]);
    assert_eq!(lab.k.mm_flag(lab.me, H_VICTIM, MMF_UNSTABLE, 0), 0);
    lab.reap(H_VICTIM);
    assert_eq!(lab.k.mm_flag(lab.me, H_VICTIM, MMF_UNSTABLE, 0), 1);
    let ev = lab.events();
    let mm = (MM_VICTIM) as f64;
    let unstable = pos(&ev, |e| {
        e.kind == Kind::MmFlag as u8 && e.a == mm && e.b == MMF_UNSTABLE as f64 && e.c == 1.0
    });
    let first_rss = pos(&ev, |e| e.kind == Kind::RssStat as u8 && e.a == mm);
    assert!(unstable.unwrap() < first_rss.unwrap());
}

/// §B.3 steps 4-5: a VMA whose notifier refuses the non-blocking invalidate is left alone,
/// the walk continues with the next VMAs, and the result is false (EAGAIN for mrelease).
#[test]
fn notifier_refusal_skips_that_vma_and_returns_false() {
    let vmas = [
        VmaSpec::anon(100),
        VmaSpec::anon(200).notifier(),
        VmaSpec::anon(300),
    ];
    let (lab, r) = reaped(618, &vmas);
    assert_eq!(r, 0.0);
    let mm = lab.mm(H_VICTIM);
    assert_eq!(mm.anon, 200.0, "only the refusing VMA is still mapped");
    assert_eq!(mm.anon_zapped, 400.0);
}

/// §B.3 step 6: the walk never frees page tables, VMAs or the mm.
#[test]
fn reaping_leaves_vmas_and_mm_in_place() {
    let (lab, _) = reaped(618, &[VmaSpec::anon(100), VmaSpec::anon(200)]);
    let mm = lab.mm(H_VICTIM);
    assert_eq!(
        (mm.vmas, mm.state, mm.users),
        (2.0, 0.0, 1.0),
        "2 VMAs, live, the victim's one user"
    );
    assert!(
        !lab.k
            .world()
            .mm(crate::ids::MmId(MM_VICTIM as u32))
            .unwrap()
            .pgtables_freed
    );
}

/// §B.3 step 2: forward VMA walk up to v6.0 (linked list) and on the maple tree; reverse
/// (`mas_for_each_rev`) on ~v6.18. With VMAs of 100 then 300 anon pages, the first anon
/// rss_stat the caller emits shows 300 pages left (forward) or 100 left (reverse).
#[test]
fn walk_is_reversed_on_6_18_forward_before() {
    let page = crate::params::PAGE_SIZE as f64;
    for (kernel, left) in [(515, 300.0), (600, 300.0), (618, 100.0)] {
        let (lab, _) = reaped(kernel, &[VmaSpec::anon(100), VmaSpec::anon(300)]);
        let first = lab
            .of(Kind::RssStat)
            .into_iter()
            .find(|e| e.pid == KILLER as f64 && e.b == MM_ANONPAGES as f64)
            .unwrap();
        assert_eq!(first.c, left * page, "{kernel}");
    }
}
