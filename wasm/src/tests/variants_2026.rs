//! The 2026 kernel variants (variant.rs, reference §A.5, §C.5) and the page-table-lock
//! contention of parallel teardown (params.rs `ptl_contention_per_mille`, zhongjinji 2025).

use super::*;
use crate::events::LockOp;
use crate::mm::MMF_OOM_SKIP;
use crate::variant::{KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK, KERNEL_VARIANT_EXIT_MM_RETENTION};

const RETAIN: u32 = KERNEL_VARIANT_EXIT_MM_RETENTION;
const WRITE_LOCK: u32 = KERNEL_VARIANT_EXIT_MMAP_WRITE_LOCK;
/// task_info's ptl_spin_ns.
const PTL_SPIN: usize = 11;
/// The proc_reader event's code (EVENT_KIND_CODE).
const EV_PROC_READER: i32 = 0;

/// A 100-page victim killed by the caller and left to exit for 1 s; `waited` says whether
/// its parent reaps the zombie (release_task at once) or leaves it.
fn exited(kernel: i32, variants: u32, waited: bool) -> Lab {
    let mut sim = Sim::new(kernel).victim(&[VmaSpec::anon(100)], S);
    if !waited {
        sim = sim.unwaited();
    }
    let mut lab = sim.variants(variants).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    lab
}

/// exit_mm_retention: exit_mm() leaves the mm in `task->exit_mm` with an mmgrab, so the
/// zombie's mm_struct outlives exit_mmap (mm_count 1, torn down, not freed); without the
/// variant the pointer stays NULL and the last mmdrop frees the mm_struct.
#[test]
fn exit_mm_retention_keeps_an_mmgrabd_exit_mm_until_free_task() {
    let kept = exited(618, RETAIN, false);
    assert_eq!(kept.k.task_exit_mm(VICTIM as u32), H_VICTIM as i32);
    assert_eq!(
        kept.k.task_mm(VICTIM as u32),
        0,
        "task->mm is NULL all the same"
    );
    let m = kept.mm(H_VICTIM);
    assert_eq!(
        (m.users, m.count, m.vmas),
        (0.0, 1.0, 0.0),
        "torn down, grabbed"
    );
    let plain = exited(618, 0, false);
    assert_eq!(plain.k.task_exit_mm(VICTIM as u32), 0);
    assert_eq!(plain.mm(H_VICTIM).count, 0.0, "the mm_struct is gone");
}

/// exit_mm_retention on every kernel (Jann Horn's patch was first posted in 2020), and
/// free_task() drops the grab: a waited-for victim is released at once, its last reference
/// goes, and the mm_struct is freed as without the variant.
#[test]
fn exit_mm_retention_ends_at_free_task() {
    for kernel in ALL_KERNELS {
        let lab = exited(kernel, RETAIN, true);
        assert_eq!(lab.state(VICTIM), RELEASED, "{kernel}");
        assert_eq!(lab.k.task_exit_mm(VICTIM as u32), 0, "{kernel}");
        assert_eq!(lab.mm(H_VICTIM).count, 0.0, "{kernel}: freed");
    }
}

/// The ESRCH window closed (reference §F.7, §A.5's cover letters): the victim has passed
/// exit_mm while a /proc reader holds mm_users for 500 ms, so exit_mmap has not run.
/// find_lock_task_mm() finds nothing (mainline's ESRCH), but `task->exit_mm` of the zombie
/// leader gives the mm, and a reap under mmgrab + mmap_read_lock frees all 100 pages now.
#[test]
fn exit_mm_retention_lets_a_reaper_reach_an_mm_a_holder_pins() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(100)], S)
        .unwaited()
        .event(0, EV_PROC_READER, MM_VICTIM, 500_000, INIT)
        .variants(RETAIN);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(10.0 * MS);
    assert_eq!(
        lab.mm(H_VICTIM).anon,
        100.0,
        "exit_mmap waits for the holder"
    );
    lab.enter();
    assert_eq!(lab.k.find_lock_task_mm(lab.me, VICTIM as u32), -ESRCH);
    let mm = lab.k.task_exit_mm(VICTIM as u32);
    assert_eq!(mm, H_VICTIM as i32);
    assert_eq!(lab.reap(mm as u32), 1.0);
    lab.leave();
    assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "reaped at once, not at 500 ms");
}

/// The victim's exit as its own lock operations and phases on its mm (as exit_mmap_b5.rs
/// reads them): R+/R-/W+/W-, start, rss (merged), skip (MMF_OOM_SKIP), free, gone.
fn teardown(lab: &Lab) -> Vec<&'static str> {
    let mut trace: Vec<&'static str> = Vec::new();
    for e in lab
        .events()
        .iter()
        .filter(|e| e.pid == VICTIM as f64 && e.a == MM_VICTIM as f64)
    {
        let sym = match e.kind {
            k if k == Kind::MmapLock as u8 => match e.b as u8 {
                x if x == LockOp::ReadAcquired as u8 => "R+",
                x if x == LockOp::ReadReleased as u8 => "R-",
                x if x == LockOp::WriteAcquired as u8 => "W+",
                x if x == LockOp::WriteReleased as u8 => "W-",
                _ => continue,
            },
            k if k == Kind::ExitMmap as u8 => match e.b as u8 {
                0 => "start",
                3 => "free",
                4 => "gone",
                _ => continue,
            },
            k if k == Kind::MmFlag as u8 && e.b == MMF_OOM_SKIP as f64 && e.c == 1.0 => "skip",
            k if k == Kind::RssStat as u8 && trace.last() != Some(&"rss") => "rss",
            _ => continue,
        };
        trace.push(sym);
    }
    trace
}

/// exit_mmap_write_lock on 6.0 and 6.18: the whole teardown inside one write section, with
/// MMF_OOM_SKIP set before the unlock, where the released kernels unmap under the read lock
/// (exit_mmap_b5.rs `v6_0_exit_mmap_sets_mmf_oom_skip_between_unmap_and_free`).
#[test]
fn exit_mmap_write_lock_tears_down_under_one_write_section() {
    let exit_mm = ["R+", "R-", "start"];
    for kernel in [600, 618] {
        let lab = exited(kernel, WRITE_LOCK, true);
        let shape = ["W+", "rss", "skip", "free", "gone", "W-"];
        assert_eq!(teardown(&lab), [&exit_mm[..], &shape].concat(), "{kernel}");
        let plain = exited(kernel, 0, true);
        let shape = ["R+", "rss", "R-", "skip", "W+", "free", "gone", "W-"];
        assert_eq!(
            teardown(&plain),
            [&exit_mm[..], &shape].concat(),
            "{kernel}"
        );
    }
}

/// exit_mmap_write_lock changes bf3980c85212's exit_mmap, so a kernel without it refuses
/// the world, naming the variant; unknown bits are EINVAL at once.
#[test]
fn exit_mmap_write_lock_is_refused_before_v6_0() {
    let sim = Sim::new(517).victim(&[VmaSpec::anon(100)], S);
    let mut k = Kernel::new(1, 0);
    assert_eq!(k.set_kernel_variants(WRITE_LOCK), 0);
    assert_eq!(k.load_world(&sim.prog().0), -EINVAL);
    assert!(
        k.last_error().contains("exit_mmap_write_lock"),
        "{}",
        k.last_error()
    );
    assert_eq!(Kernel::new(1, 0).set_kernel_variants(4), -EINVAL);
}

/// Under the write lock a reaper that arrives while exit_mmap runs waits for the whole
/// teardown and then, with MMF_OOM_SKIP already set, frees nothing: the victim frees all.
#[test]
fn exit_mmap_write_lock_leaves_a_late_reaper_nothing() {
    let pages = 4 * crate::params::ZAP_BATCH_PAGES as i32;
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(pages)], RUN)
        .variants(WRITE_LOCK);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(0.5 * MS);
    lab.enter();
    assert_eq!(lab.k.mm_ref(lab.me, H_VICTIM, 0), 0, "mmgrab");
    let answer = lab.k.mmap_lock(lab.me, H_VICTIM, 0, 0);
    assert_eq!(lab.wait(answer), 0.0, "granted after the write section");
    assert_eq!(
        lab.k.mm_flag(lab.me, H_VICTIM, MMF_OOM_SKIP, 0),
        1,
        "work done"
    );
    assert_eq!(lab.k.mmap_unlock(lab.me, H_VICTIM, 0), 0);
    assert_eq!(lab.k.mm_ref(lab.me, H_VICTIM, 1), 0, "mmdrop");
    lab.leave();
    let by_killer = lab
        .of(Kind::RssStat)
        .iter()
        .filter(|e| e.pid == KILLER as f64)
        .count();
    assert_eq!(by_killer, 0);
}

/// A caller that kills a running victim and reaps while it exits, on `kernel`, with the
/// victim's memory in `vmas` VMAs of `pages` each; returns the lab at 1 s.
fn parallel_teardown(kernel: i32, vmas: usize, pages: i32) -> Lab {
    let spec = vec![VmaSpec::anon(pages); vmas];
    Sim::new(kernel).victim(&spec, RUN).lab(1).kill_and_reap()
}

/// Page-table-lock contention (params.rs): one big VMA, so the caller's reap and the
/// victim's exit_mmap zap it together on every kernel, and both pay the surcharge; the
/// surcharge is 392/1392 of a contended batch's page cost, so it stays below 28.2% of
/// anyone's CPU time.
#[test]
fn walkers_in_one_vma_contend_for_page_table_locks() {
    let pages = 8 * crate::params::ZAP_BATCH_PAGES as i32;
    for kernel in [600, 618] {
        let lab = parallel_teardown(kernel, 1, pages);
        for pid in [KILLER, VICTIM] {
            let info = lab.k.task_info(pid as u32);
            let (spin, cpu) = (info[PTL_SPIN], info[5]);
            assert!(spin > 0.0, "{kernel} {pid}: contended");
            assert!(
                spin < cpu * 392.0 / 1392.0,
                "{kernel} {pid}: {spin} of {cpu}"
            );
        }
    }
}

/// The 2025 reverse walk (6.18, `reap_walks_in_reverse`): with the memory in 4 VMAs of 4
/// batches, the reaper starts from the top while exit_mmap starts from the bottom, and they
/// contend only if they meet in one VMA; on 6.0 both start at the bottom and share VMAs.
/// Each walker still frees its share (rss events from both on both kernels).
#[test]
fn the_reverse_walk_avoids_page_table_lock_contention() {
    let pages = 4 * crate::params::ZAP_BATCH_PAGES as i32;
    let spin = |kernel: i32, pid: i32| {
        let lab = parallel_teardown(kernel, 4, pages);
        let zapped = lab
            .of(Kind::RssStat)
            .iter()
            .filter(|e| e.pid == pid as f64)
            .count();
        assert!(zapped > 0, "{kernel} {pid} zapped");
        lab.k.task_info(pid as u32)[PTL_SPIN]
    };
    for pid in [KILLER, VICTIM] {
        let (forward, reverse) = (spin(600, pid), spin(618, pid));
        assert!(forward > 0.0, "{pid}: forward walkers meet");
        assert!(
            reverse * 4.0 < forward,
            "{pid}: reverse {reverse}, forward {forward}"
        );
    }
}

/// The surcharge from the cover letter's profile, by hand: (1 - 0.0051) / (1 - 0.4159) =
/// 1.7033 stretches unmap_page_range's 55.77% of a batch: 0.5577 × 0.7033 = 0.392.
#[test]
fn ptl_contention_is_derived_from_the_reverse_walk_profile() {
    assert_eq!(crate::params::ptl_contention_per_mille(), 392);
}
