//! What a second look at a victim finds after the first left its mark: the kernel OOM
//! killer in a world's history (mm/oom_kill.c), a remote read of a reaped mm
//! (check_stable_address_space), and a parent's blocking waitid with the exit status
//! (kernel/exit.c wait_task_zombie).

use super::*;
use crate::mm::{MMF_OOM_REAP_QUEUED, MMF_OOM_SKIP, MMF_UNSTABLE};
use crate::prims::{WEXITED, WNOHANG};
use crate::wait::{CLD_DUMPED, CLD_EXITED, CLD_KILLED};

const EV_OOM_KILL: i32 = EVENT_OOM_KILL as i32;
/// The victim's first VMA starts at page 16 (the loader's layout).
const FIRST: f64 = 16.0;

/// (si_pid, si_code, si_status) of the caller's last waitid.
fn siginfo(lab: &Lab) -> (i32, i32, i32) {
    (
        lab.k.waitid_siginfo(lab.me, 0),
        lab.k.waitid_siginfo(lab.me, 1),
        lab.k.waitid_siginfo(lab.me, 2),
    )
}

/// A sleeping victim child of the caller that its parent does not reap at once, with a
/// pidfd of it (fd 3).
fn child_sim() -> Sim {
    Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .parent(KILLER)
        .unwaited()
        .fd(KILLER, 3, FD_PIDFD, VICTIM)
}

fn child_lab() -> Lab {
    let mut lab = child_sim().lab(1);
    lab.enter();
    lab
}

/// waitid(P_PIDFD, WEXITED) without WNOHANG sleeps until do_notify_parent() wakes the
/// parent, then reaps the zombie: its pid, si_code CLD_KILLED, si_status 9 (measured on
/// this host, 6.18: `waitid blocking: 0 ... code 2 status 9`).
#[test]
fn blocking_waitid_waits_for_the_kill_and_reports_sigkill() {
    let sim = child_sim().event(100_000, EV_KILL, VICTIM, SIGKILL, INIT);
    let mut lab = sim.lab(1);
    lab.enter();
    let me = lab.me;
    let first = lab.k.waitid_pidfd(me, 3, WEXITED);
    assert_eq!(first, BLOCKED, "the child lives: the parent sleeps");
    assert_eq!(lab.k.ext_yield(me), 0);
    // Nothing wakes it until init's SIGKILL at 100 ms has taken the child's group down.
    lab.resume();
    assert!(lab.k.now_ns() > 100.0 * MS, "woken after the kill");
    assert_eq!(
        lab.state(VICTIM),
        ZOMBIE as f64,
        "woken once the group is dead"
    );
    assert_eq!(
        lab.k.waitid_pidfd(me, 3, WEXITED),
        0,
        "asks again and reaps"
    );
    assert_eq!(lab.state(VICTIM), RELEASED);
    assert_eq!(siginfo(&lab), (VICTIM, CLD_KILLED, SIGKILL));
    assert_eq!(lab.k.waitid_pidfd(me, 3, WEXITED), -ECHILD, "nothing left");
}

/// exit_group(0) is CLD_EXITED with status 0; a zombie the world starts with died of
/// SIGKILL (the lab's rule for history, as the host's zombies do); WNOHANG reports the same.
#[test]
fn the_status_says_how_the_group_ended() {
    let sim = child_sim().event(1_000, EV_EXIT, VICTIM, 0, 0);
    let mut lab = sim.lab(1);
    lab.idle_until(100.0 * MS);
    lab.enter();
    assert_eq!(lab.k.waitid_pidfd(lab.me, 3, WEXITED | WNOHANG), 0);
    assert_eq!(siginfo(&lab), (VICTIM, CLD_EXITED, 0));

    let mut zombie = Sim::new(618)
        .process(1100, -1)
        .parent(KILLER)
        .unwaited()
        .status(1)
        .thread(1100, ZOMBIE)
        .fd(KILLER, 3, FD_PIDFD, 1100)
        .lab(1);
    zombie.enter();
    assert_eq!(zombie.k.waitid_pidfd(zombie.me, 3, WEXITED), 0);
    assert_eq!(siginfo(&zombie), (1100, CLD_KILLED, SIGKILL));
}

/// A SIGKILL during a core dump stores SIGKILL (complete_signal(): `signal->core_state ||
/// !(signal->flags & SIGNAL_GROUP_EXIT)`); a dump left to finish reports CLD_DUMPED.
#[test]
fn a_killed_dump_reports_sigkill_and_a_finished_one_dumped() {
    let mut killed = child_lab();
    // The dumper is the first thread in a timed D sleep: it writes until 50 ms.
    let mut dumped = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .until_us(50_000)
        .pflags(PF_CORE_DUMP)
        .parent(KILLER)
        .unwaited()
        .fd(KILLER, 3, FD_PIDFD, VICTIM)
        .lab(1);
    dumped.enter();
    assert_eq!(dumped.k.waitid_pidfd(dumped.me, 3, WEXITED | WNOHANG), 0);
    assert_eq!(siginfo(&dumped), (0, 0, 0), "still dumping: nothing reaped");
    dumped.leave();
    dumped.idle_until(ONE_S);
    dumped.enter();
    assert_eq!(dumped.k.waitid_pidfd(dumped.me, 3, WEXITED | WNOHANG), 0);
    assert_eq!(siginfo(&dumped), (VICTIM, CLD_DUMPED, 11), "SIGSEGV's dump");
    killed.kill(VICTIM);
    killed.leave();
    killed.idle_until(ONE_S);
    killed.enter();
    assert_eq!(killed.k.waitid_pidfd(killed.me, 3, WEXITED), 0);
    assert_eq!(siginfo(&killed), (VICTIM, CLD_KILLED, SIGKILL));
}

/// A fatal signal to the waiting parent ends its wait (do_wait's -ERESTARTSYS: the lab
/// answers EINTR and the caller dies on its way out); options other than WEXITED
/// [| WNOHANG] are EINVAL.
#[test]
fn a_killed_waiter_stops_waiting() {
    let sim = child_sim().event(100_000, EV_KILL, KILLER, SIGKILL, INIT);
    let mut lab = sim.lab(1);
    lab.enter();
    let me = lab.me;
    assert_eq!(lab.k.waitid_pidfd(me, 3, 0), -EINVAL);
    assert_eq!(lab.k.waitid_pidfd(me, 3, WNOHANG), -EINVAL);
    assert_eq!(lab.k.waitid_pidfd(me, 3, WEXITED), BLOCKED);
    assert_eq!(lab.k.ext_yield(me), 0);
    lab.resume();
    assert_eq!(lab.k.waitid_pidfd(me, 3, WEXITED), -EINTR);
    assert_eq!(lab.k.fatal_signal_pending(me), 1);
}

/// GUP over a live victim copies everything mapped; after a reap (MMF_UNSTABLE) the zapped
/// anon pages fault and fail (EFAULT: nothing copied); a shared mapping still reads; an
/// unmapped page or a PFN map ends the copy.
#[test]
fn a_reaped_mm_cannot_be_read_back() {
    let sim = Sim::new(618)
        .victim(
            &[VmaSpec::anon(16), VmaSpec::of(SHMEM, 8).pages(0, 0, 8, 0)],
            FROZEN,
        )
        .fd(KILLER, 3, FD_PIDFD, VICTIM);
    let mut lab = sim.lab(1);
    lab.enter();
    let me = lab.me;
    assert_eq!(lab.k.access_remote(me, H_VICTIM, FIRST, FIRST + 16.0), 16.0);
    assert_eq!(
        lab.k.access_remote(me, H_VICTIM, FIRST, FIRST + 20.0),
        16.0,
        "gap"
    );
    assert_eq!(
        lab.k.access_remote(me, H_VICTIM, 0.0, 4.0),
        0.0,
        "below the first"
    );
    // The shmem VMA starts one page after the anon one ends.
    let shmem = FIRST + 17.0;
    lab.kill(VICTIM);
    assert_eq!(lab.reap(H_VICTIM), 1.0);
    assert_ne!(lab.mm(H_VICTIM).flags & MMF_UNSTABLE, 0);
    assert_eq!(lab.k.access_remote(me, H_VICTIM, FIRST, FIRST + 16.0), 0.0);
    assert_eq!(lab.k.access_remote(me, H_VICTIM, shmem, shmem + 8.0), 8.0);
    assert_eq!(
        lab.k.access_remote(me, H_VICTIM, -1.0, 2.0),
        -(EINVAL as f64)
    );
    assert_eq!(lab.k.access_remote(me, 99, 0.0, 2.0), -(EINVAL as f64));
}

/// Without MMF_UNSTABLE a zapped page just faults in again (a zero page): a MADV_DONTNEED
/// that set no flag leaves the range readable; a never-touched part of a private VMA
/// faults too, and fails only once the mm is unstable.
#[test]
fn only_an_unstable_mm_refuses_the_fault() {
    let sim = Sim::new(618).victim(&[VmaSpec::anon(16).pages(8, 0, 0, 0)], S);
    let mut lab = sim.lab(1);
    lab.enter();
    let me = lab.me;
    let answer = lab.k.zap_range(me, H_VICTIM, FIRST, FIRST + 4.0);
    lab.wait(answer);
    assert_eq!(lab.mm(H_VICTIM).flags & MMF_UNSTABLE, 0);
    assert_eq!(lab.k.access_remote(me, H_VICTIM, FIRST, FIRST + 16.0), 16.0);
    assert_eq!(lab.k.mm_flag(me, H_VICTIM, MMF_UNSTABLE, 1), 0);
    // Zapped pages first (4), then the 4 still populated, then 8 never touched.
    assert_eq!(lab.k.access_remote(me, H_VICTIM, FIRST, FIRST + 16.0), 0.0);
    assert_eq!(
        lab.k.access_remote(me, H_VICTIM, FIRST + 4.0, FIRST + 16.0),
        4.0
    );
    assert_eq!(
        lab.k.access_remote(me, H_VICTIM, FIRST + 8.0, FIRST + 9.0),
        0.0
    );
}

/// The `oom_kill` event: __oom_kill_process() SIGKILLs the victim, marks it (TIF_MEMDIE,
/// signal->oom_mm) and queues the oom_reaper, which on 6.18 waits OOM_REAPER_DELAY (2 s)
/// and then reaps (MMF_UNSTABLE, then MMF_OOM_SKIP); on 5.15 it reaps at once.
#[test]
fn an_oom_kill_event_kills_marks_and_queues_the_reaper() {
    for (kernel, reaped_by_ms) in [(618, 2_100.0), (515, 100.0)] {
        let sim = Sim::new(kernel).victim(&[VmaSpec::anon(4 * MIB)], S).event(
            1_000,
            EV_OOM_KILL,
            VICTIM,
            0,
            KILLER,
        );
        let mut lab = sim.lab(1);
        lab.idle_until(2.0 * MS);
        let killed = lab.of(Kind::ScenarioEvent);
        assert_eq!(killed.len(), 1, "{kernel}");
        assert_eq!(killed[0].c, 1.0, "{kernel}: one process signalled");
        assert_eq!(lab.of(Kind::MarkVictim).len(), 1, "{kernel}");
        assert_ne!(lab.mm(H_VICTIM).flags & MMF_OOM_REAP_QUEUED, 0);
        lab.idle_until(reaped_by_ms * MS);
        let m = lab.mm(H_VICTIM);
        assert_ne!(
            m.flags & MMF_OOM_SKIP,
            0,
            "{kernel}: the reaper or exit_mmap set it"
        );
        assert_eq!(lab.state(VICTIM), RELEASED, "{kernel}");
    }
}

/// select_bad_process() passes over init, a process whose mm has MMF_OOM_SKIP, and an OOM
/// victim still being handled: the event kills nothing (its `signalled` is -1).
#[test]
fn an_oom_kill_event_skips_what_select_bad_process_skips() {
    let twice = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .event(1_000, EV_OOM_KILL, VICTIM, 0, KILLER)
        .event(2_000, EV_OOM_KILL, VICTIM, 0, KILLER)
        .event(3_000, EV_OOM_KILL, INIT, 0, KILLER);
    let mut lab = twice.lab(1);
    lab.idle_until(10.0 * MS);
    let answers: Vec<f64> = lab.of(Kind::ScenarioEvent).iter().map(|e| e.c).collect();
    assert_eq!(answers, vec![1.0, -1.0, -1.0]);

    let skip =
        Sim::new(618)
            .victim(&[VmaSpec::anon(16)], S)
            .event(1_000, EV_OOM_KILL, VICTIM, 0, KILLER);
    let mut lab = skip.lab(1);
    lab.enter();
    assert_eq!(lab.k.mm_flag(lab.me, H_VICTIM, MMF_OOM_SKIP, 1), 0);
    lab.leave();
    lab.idle_until(10.0 * MS);
    let answers: Vec<f64> = lab.of(Kind::ScenarioEvent).iter().map(|e| e.c).collect();
    assert_eq!(answers, vec![-1.0]);
    assert!(lab.of(Kind::MarkVictim).is_empty());
    assert_eq!(lab.state(VICTIM), S as f64, "not killed");
}

/// oom_evaluate_task() aborts the selection at any OOM victim whose mm has no MMF_OOM_SKIP
/// yet (mm/oom_kill.c: `if (tsk_is_oom_victim(task)) { if (test_bit(MMF_OOM_SKIP,
/// &task->signal->oom_mm->flags)) goto next; goto abort; }`): an event naming another
/// process kills nobody while the first victim is pending, and kills once the oom_reaper
/// set MMF_OOM_SKIP on the first victim's mm.
#[test]
fn an_oom_kill_event_waits_for_the_pending_victim() {
    const OTHER: i32 = 1100;
    // 6.18: the first victim sleeps in D, so only the oom_reaper (after OOM_REAPER_DELAY,
    // 2 s) finishes with its mm; 5.15 reaps at once.
    for (kernel, second_at_us, answers) in [
        (618, 2_000, vec![1.0, -1.0]),
        (618, 2_500_000, vec![1.0, 1.0]),
        (515, 500_000, vec![1.0, 1.0]),
    ] {
        let sim = Sim::new(kernel)
            .victim(&[VmaSpec::anon(16)], D)
            .user_process(OTHER, &[VmaSpec::anon(16)], S)
            .event(1_000, EV_OOM_KILL, VICTIM, 0, KILLER)
            .event(second_at_us, EV_OOM_KILL, OTHER, 0, KILLER);
        let mut lab = sim.lab(1);
        lab.idle_until(2_600.0 * MS);
        let got: Vec<f64> = lab.of(Kind::ScenarioEvent).iter().map(|e| e.c).collect();
        assert_eq!(got, answers, "{kernel}, second event at {second_at_us} us");
        let marked = lab.of(Kind::MarkVictim).len();
        assert_eq!(
            marked,
            answers.iter().filter(|a| **a > 0.0).count(),
            "{kernel}"
        );
    }
}

/// do_madvise()'s walk (mm/madvise.c): a refusing VMA (VM_LOCKED) stops it where it starts;
/// a page in no VMA (the one-page gap between VMAs, or past the last) is `unmapped_error`.
#[test]
fn the_madvise_walk_stops_at_a_locked_vma_and_sees_gaps() {
    // anon [16, 32), gap 32, locked [33, 49), gap 49, anon [50, 66).
    let sim = Sim::new(618).victim(
        &[
            VmaSpec::anon(16),
            VmaSpec::anon(16).flags(crate::vma::VM_LOCKED),
            VmaSpec::anon(16),
        ],
        S,
    );
    let lab = sim.lab(1);
    let span = |s: f64, e: f64, which: i32| lab.k.madvise_span(H_VICTIM, s, e, which);
    assert_eq!(span(16.0, 32.0, 0), 32.0, "no refusing VMA: the end");
    assert_eq!(span(16.0, 66.0, 0), 33.0, "the locked VMA's start");
    assert_eq!(span(40.0, 66.0, 0), 40.0, "inside it: at once");
    assert_eq!(span(50.0, 66.0, 0), 66.0);
    assert_eq!(span(16.0, 32.0, 1), 0.0, "all mapped");
    assert_eq!(span(16.0, 33.0, 1), 1.0, "the gap at 32");
    assert_eq!(span(0.0, 1.0, 1), 1.0, "below the first VMA");
    assert_eq!(span(60.0, 70.0, 1), 1.0, "past the last");
    assert_eq!(span(20.0, 20.0, 1), 0.0, "an empty range");
    assert_eq!(span(20.0, 10.0, 0), -(EINVAL as f64));
    assert_eq!(span(16.0, 32.0, 2), -(EINVAL as f64));
}
