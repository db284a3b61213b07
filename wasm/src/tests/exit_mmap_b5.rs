//! §B.5 exit_mmap() against the reaper over the kernel versions (with the §F.1-§F.4 replays
//! it implies), and the exit order of kernel/exit.c.

use super::*;
use crate::events::LockOp;
use crate::mm::{MMF_OOM_SKIP, MMF_OOM_VICTIM};
use crate::prims::{PIDTYPE_TGID, WEXITED, WNOHANG};
use crate::task::PF_EXITING;

/// The victim's exit as seen from its own context, for its mm: mmap_lock acquisitions and
/// releases (R+ R- W+ W-), exit_mmap's start, page removal (rss, consecutive ones merged),
/// MMF_OOM_SKIP being set (skip), free_pgtables (free) and the VMAs' removal (gone).
fn exit_trace(lab: &Lab) -> Vec<&'static str> {
    let mm = MM_VICTIM as f64;
    let mut trace: Vec<&'static str> = Vec::new();
    for e in lab
        .events()
        .iter()
        .filter(|e| e.pid == VICTIM as f64 && e.a == mm)
    {
        let sym = if e.is(Kind::MmapLock) {
            match e.b as u8 {
                x if x == LockOp::ReadAcquired as u8 => "R+",
                x if x == LockOp::ReadReleased as u8 => "R-",
                x if x == LockOp::WriteAcquired as u8 => "W+",
                x if x == LockOp::WriteReleased as u8 => "W-",
                _ => continue,
            }
        } else if e.is(Kind::ExitMmap) {
            match e.b as u8 {
                0 => "start",
                3 => "free",
                4 => "gone",
                _ => continue,
            }
        } else if e.is(Kind::MmFlag) && e.b == MMF_OOM_SKIP as f64 && e.c == 1.0 {
            "skip"
        } else if e.is(Kind::RssStat) && trace.last() != Some(&"rss") {
            "rss"
        } else {
            continue;
        };
        trace.push(sym);
    }
    trace
}

/// A 100-page victim killed by the caller, left to exit on its own for 1 s. With
/// `oom_victim` its mm first gets MMF_OOM_VICTIM as mark_oom_victim sets it before v6.0 (set
/// directly, so that no oom_reaper is queued to race with the victim's own exit_mmap).
fn exited_victim(kernel: i32, oom_victim: bool) -> Lab {
    let mut lab = Sim::new(kernel).victim(&[VmaSpec::anon(100)], S).lab(1);
    lab.enter();
    if oom_victim {
        assert_eq!(lab.k.mm_flag(lab.me, H_VICTIM, MMF_OOM_VICTIM, 1), 0);
    }
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    lab
}

/// exit_mm(): mmap_read_lock, task->mm = NULL, unlock; then the last mmput's exit_mmap.
const EXIT_MM: [&str; 3] = ["R+", "R-", "start"];

/// §B.5 table, v4.17-v5.16 (27ae357fa82b): an mm that is not an OOM victim's is unmapped and
/// its page tables freed with no mmap_lock at all.
#[test]
fn v5_15_exit_mmap_of_a_non_victim_takes_no_lock() {
    for kernel in [510, 515, 516] {
        let lab = exited_victim(kernel, false);
        assert_eq!(
            exit_trace(&lab),
            [&EXIT_MM[..], &["rss", "free", "gone"]].concat(),
            "{kernel}"
        );
    }
}

/// §B.5 table, v4.17-v5.16: an OOM victim's exit_mmap reaps itself (__oom_reap_task_mm), sets
/// MMF_OOM_SKIP and takes and drops the write lock as a barrier before unmapping and freeing.
#[test]
fn v5_15_exit_mmap_of_an_oom_victim_reaps_itself_then_takes_the_write_barrier() {
    let lab = exited_victim(515, true);
    assert_eq!(
        exit_trace(&lab),
        [&EXIT_MM[..], &["rss", "skip", "W+", "W-", "free", "gone"]].concat()
    );
}

/// §B.5 table, v5.17 (64591e8605d6): unmap, free_pgtables and VMA removal under the write
/// lock; a non-victim mm gets no MMF_OOM_SKIP (§F.3).
#[test]
fn v5_17_exit_mmap_runs_under_the_write_lock() {
    let lab = exited_victim(517, false);
    assert_eq!(
        exit_trace(&lab),
        [&EXIT_MM[..], &["W+", "rss", "free", "gone", "W-"]].concat()
    );
}

/// §B.5 table, v6.0+ (bf3980c85212): unmap under the read lock, then MMF_OOM_SKIP for every
/// mm, between the unmap and free_pgtables under the write lock.
#[test]
fn v6_0_exit_mmap_sets_mmf_oom_skip_between_unmap_and_free() {
    for kernel in [600, 618] {
        let lab = exited_victim(kernel, false);
        let shape = ["R+", "rss", "R-", "skip", "W+", "free", "gone", "W-"];
        assert_eq!(
            exit_trace(&lab),
            [&EXIT_MM[..], &shape].concat(),
            "{kernel}"
        );
    }
}

/// The caller (on CPU 1 of type `caller_cpu`) kills a victim of `pages` anon pages on a big
/// core and reaps it under mmap_read_lock while the victim exits. Returns the lab after the
/// walk, the read lock released.
fn reap_while_victim_exits(kernel: i32, caller_cpu: [i32; 3], pages: i32) -> Lab {
    let cpus = [BIG_MAX, caller_cpu, BIG_MAX, BIG_MAX];
    Sim::new(kernel)
        .cpus(&cpus)
        .victim(&[VmaSpec::anon(pages)], S)
        .lab(1)
        .kill_and_reap()
}

/// §B.5 v5.15 / §F.1: exit_mmap of a non-OOM-victim frees the page tables without the lock
/// while the caller, holding mmap_read_lock, still walks them (the crash 337546e83fc7 fixed).
/// Timing (params.rs): the victim unmaps 8,192 pages at 279 ns (2.3 ms) on its big core; the
/// caller's batch of 8,192 pages costs 330 ns / 0.261 each (10.4 ms) on a little core at
/// minimum frequency, so the caller is still walking when the page tables go.
#[test]
fn v5_15_pgtables_freed_under_a_reading_walker() {
    let lab = reap_while_victim_exits(515, LITTLE_MIN, 32 * MIB);
    let w = lab.warns(Warn::PgtablesFreedUnderWalker);
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].pid, w[0].b, w[0].c),
        (VICTIM as f64, KILLER as f64, MM_VICTIM as f64)
    );
}

/// §B.5 v5.17 / §F.2: the same race is safe: free_pgtables waits for the write lock, which it
/// gets only after the caller's walk released the read lock.
#[test]
fn v5_17_exit_mmap_waits_for_the_reading_walker() {
    let lab = reap_while_victim_exits(517, LITTLE_MIN, 32 * MIB);
    assert!(lab.warns(Warn::PgtablesFreedUnderWalker).is_empty());
    let ev = lab.events();
    let mm = MM_VICTIM as f64;
    let lock = |pid: i32, op: LockOp| {
        pos(&ev, |e| {
            e.kind == Kind::MmapLock as u8
                && e.a == mm
                && e.pid == pid as f64
                && e.b == op as u8 as f64
        })
    };
    let freed = pos(&ev, |e| e.kind == Kind::ExitMmap as u8 && e.b == 3.0);
    assert!(
        lock(KILLER, LockOp::ReadReleased).unwrap() < lock(VICTIM, LockOp::WriteAcquired).unwrap()
    );
    assert!(lock(VICTIM, LockOp::WriteAcquired).unwrap() < freed.unwrap());
}

/// §B.5 v6.0+ / §F.4: the victim's unmap and the caller's reap zap concurrently under read
/// locks (both remove pages of the mm) and free_pgtables still waits for the write lock.
/// Both on big cores, 4 batches of ZAP_BATCH_PAGES: the victim's batches (4.6 ms each) and
/// the caller's (5.4 ms) interleave.
#[test]
fn v6_0_victim_and_reaper_zap_concurrently_without_harm() {
    let pages = 4 * crate::params::ZAP_BATCH_PAGES as i32;
    let lab = reap_while_victim_exits(600, BIG_MAX, pages);
    assert!(lab.warns(Warn::PgtablesFreedUnderWalker).is_empty());
    let zappers = |pid: i32| {
        lab.of(Kind::RssStat)
            .iter()
            .filter(|e| e.a == MM_VICTIM as f64 && e.pid == pid as f64)
            .count()
    };
    assert!(
        zappers(VICTIM) > 0 && zappers(KILLER) > 0,
        "both zapped: {} {}",
        zappers(VICTIM),
        zappers(KILLER)
    );
}

/// §B.5 v5.17 / §F.3: a reaper that holds only an mmgrab and gets the lock after exit_mmap's
/// write section finds an empty VMA set (mm->mmap = NULL, not dangling) and walks nothing;
/// MMF_OOM_SKIP is not set for a non-victim mm on 5.17.
#[test]
fn v5_17_reaper_after_teardown_walks_nothing() {
    let mut lab = Sim::new(517).victim(&[VmaSpec::anon(100)], S).lab(1);
    lab.enter();
    let me = lab.me;
    let mm = lab.k.task_mm(VICTIM as u32) as u32;
    assert_eq!(lab.k.mm_ref(me, mm, 0), 0, "mmgrab");
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    lab.enter();
    let torn = lab.mm(mm);
    assert_eq!(
        (torn.state, torn.vmas),
        (2.0, 0.0),
        "torn down, no VMA left"
    );
    assert_eq!(torn.flags & MMF_OOM_SKIP, 0);
    let events_before = lab.k.event_count();
    assert_eq!(lab.reap(mm), 1.0);
    let walk = &lab.events()[events_before as usize..];
    assert!(walk
        .iter()
        .all(|e| e.kind != Kind::RssStat as u8 && e.kind != Kind::Warn as u8));
    assert_eq!(lab.k.mm_ref(me, mm, 1), 0, "mmdrop");
    assert_eq!(lab.mm(mm).state, 3.0, "the last mm_count: freed");
    assert_eq!(lab.k.leaked_refs(), vec![0.0, 0.0]);
}

// ---- exit order (kernel/exit.c, derived) ----------------------------------------------------

/// §B.5 exit order: do_exit → exit_signals sets PF_EXITING → exit_mm (mmap_read_lock,
/// task->mm = NULL, unlock, mmput). Held at exit_mm's lock by a remote writer until 200 ms,
/// the victim already has PF_EXITING and still its mm; after it, ->mm is NULL.
#[test]
fn pf_exiting_comes_before_exit_mm_and_mm_is_null_after() {
    let sim = with_remote_writer(Sim::new(618).victim(&[VmaSpec::anon(16)], S), 200_000);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(50.0 * MS);
    assert_ne!(lab.k.task_flags(VICTIM as u32) as u32 & PF_EXITING, 0);
    assert_eq!(lab.k.task_mm(VICTIM as u32), H_VICTIM as i32);
    assert_eq!(
        lab.state(VICTIM),
        D as f64,
        "waiting in exit_mm's mmap_read_lock"
    );
    lab.idle_until(300.0 * MS);
    assert_eq!(lab.k.task_mm(VICTIM as u32), 0);
    let ev = lab.events();
    let exiting = pos(&ev, |e| {
        e.kind == Kind::TaskState as u8 && e.a == VICTIM as f64 && e.c as u32 & PF_EXITING != 0
    });
    let mm_dropped = pos(&ev, |e| {
        e.kind == Kind::MmRef as u8 && e.pid == VICTIM as f64 && e.a == MM_VICTIM as f64
    });
    assert!(exiting.unwrap() < mm_dropped.unwrap());
}

/// §A.0 / §B.5 exit order: a zombie leader stays hashed (get_pid_task finds it) until its
/// whole thread group is gone; then its parent's wait releases it.
#[test]
fn zombie_leader_is_kept_while_its_threads_live() {
    let mut lab = zombie_leader_lab(618);
    assert_eq!(lab.k.get_pid_task(lab.me, VICTIM, PIDTYPE_TGID), VICTIM);
    assert_eq!(lab.k.put_task_struct(lab.me, VICTIM as u32), 0);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), RELEASED);
    let ev = lab.events();
    let last_thread_exit = rpos(&ev, |e| {
        e.kind == Kind::SchedProcessExit as u8 && e.a != VICTIM as f64 && e.c == 1.0
    });
    let leader_freed = pos(&ev, |e| {
        e.kind == Kind::SchedProcessFree as u8 && e.a == VICTIM as f64
    });
    assert!(
        last_thread_exit.unwrap() < leader_freed.unwrap(),
        "group_dead comes from the last thread"
    );
}

/// §A.0 / §B.5 exit order: a process whose parent waits is released as soon as it is a
/// zombie.
#[test]
fn waiting_parent_releases_the_zombie_at_once() {
    let lab = exited_victim(618, false);
    assert_eq!(lab.state(VICTIM), RELEASED);
    let exit = lab
        .of(Kind::SchedProcessExit)
        .into_iter()
        .find(|e| e.a == VICTIM as f64)
        .unwrap();
    let free = lab
        .of(Kind::SchedProcessFree)
        .into_iter()
        .find(|e| e.a == VICTIM as f64)
        .unwrap();
    assert_eq!(exit.ts, free.ts);
}

/// §A.0 / §B.5 exit order: a zombie whose parent does not wait stays until the parent reaps
/// it with wait (waitid(P_PIDFD, WEXITED | WNOHANG) here): 0 both times, si_pid 0 while it
/// lives, then its pid.
#[test]
fn unwaited_zombie_is_released_by_the_parents_wait() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .parent(KILLER)
        .unwaited()
        .fd(KILLER, 3, FD_PIDFD, VICTIM);
    let mut lab = sim.lab(1);
    lab.enter();
    let opts = WEXITED | WNOHANG;
    assert_eq!(lab.k.waitid_pidfd(lab.me, 3, opts), 0, "not exited yet");
    assert_eq!(
        lab.k.waitid_siginfo(lab.me, 0),
        0,
        "si_pid 0: nothing reaped"
    );
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), ZOMBIE as f64);
    lab.enter();
    assert_eq!(lab.k.waitid_pidfd(lab.me, 3, opts), 0);
    assert_eq!(lab.k.waitid_siginfo(lab.me, 0), VICTIM);
    assert_eq!(lab.state(VICTIM), RELEASED);
}
