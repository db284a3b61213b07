//! Signal facts the proposals depend on (§A.0, §B.2 rule 2, §B.6): kill permission, the
//! unkillable init and kthreads, which sleeps SIGKILL ends, SIGNAL_GROUP_EXIT set by the kill
//! itself, killable mmap_lock waits, and vfork completion at exit_mm_release.

use super::*;
use crate::process::CAP_KILL;
use crate::signal::{TRACE_SIGNAL_DELIVERED, TRACE_SIGNAL_IGNORED};

/// The signal_generate events for SIGKILL to `tgid`: their results.
fn sigkill_results(lab: &Lab, tgid: i32) -> Vec<f64> {
    lab.of(Kind::SignalGenerate)
        .iter()
        .filter(|e| e.a == SIGKILL as f64 && e.b == tgid as f64)
        .map(|e| e.d)
        .collect()
}

/// kill(victim, SIGKILL) from a killer with the given credentials (the victim is uid 10050).
fn kill_as(uid: i32, euid: i32, caps: i32) -> (i32, Lab) {
    let mut lab = Sim::new(618)
        .creds_of(KILLER, uid, euid, caps)
        .victim(&[VmaSpec::anon(16)], D)
        .lab(1);
    lab.enter();
    let r = lab.k.kill(lab.me, VICTIM, SIGKILL);
    (r, lab)
}

/// check_kill_permission: the sender's uid or euid equals the target's uid or saved uid, or
/// the sender has CAP_KILL; otherwise EPERM and no signal.
#[test]
fn kill_needs_a_matching_uid_or_cap_kill() {
    let (r, lab) = kill_as(KILLER_UID, KILLER_UID, 0);
    assert_eq!(r, -EPERM);
    assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 0);
    assert!(sigkill_results(&lab, VICTIM).is_empty());
    for (uid, euid, caps, why) in [
        (VICTIM_UID, KILLER_UID, 0, "uid matches"),
        (KILLER_UID, VICTIM_UID, 0, "euid matches"),
        (KILLER_UID, KILLER_UID, CAP_KILL as i32, "CAP_KILL"),
    ] {
        let (r, lab) = kill_as(uid, euid, caps);
        assert_eq!(r, 0, "{why}");
        assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 1, "{why}");
    }
}

/// §A.0 exceptions: init (SIGNAL_UNKILLABLE) ignores SIGKILL from userspace: the call
/// succeeds, signal_generate reports TRACE_SIGNAL_IGNORED, and init is not exiting.
#[test]
fn init_ignores_sigkill() {
    let mut lab = Sim::new(618).lab(1);
    lab.enter();
    assert_eq!(lab.k.kill(lab.me, INIT, SIGKILL), 0);
    assert_eq!(
        sigkill_results(&lab, INIT),
        vec![TRACE_SIGNAL_IGNORED as f64]
    );
    assert_eq!(lab.k.signal_group_exit(INIT as u32), 0);
    assert_eq!(lab.k.fatal_signal_pending(INIT as u32), 0);
}

/// oom_unkillable_task(): the OOM killer never chooses the global init (nor a kthread), so
/// asking it to is refused and no signal is generated.
#[test]
fn the_oom_killer_never_chooses_init() {
    let mut lab = Sim::new(618).lab(1);
    lab.enter();
    assert_eq!(lab.k.oom_kill_process(lab.me, INIT), -EINVAL);
    assert!(sigkill_results(&lab, INIT).is_empty());
    assert_eq!(lab.k.signal_group_exit(INIT as u32), 0);
}

/// §A.0 exceptions: kthreads ignore SIGKILL too (a loaded kthread and the oom_reaper).
#[test]
fn kthreads_ignore_sigkill() {
    let mut lab = Sim::new(618).kthread(2).thread(2, S).lab(1);
    lab.enter();
    let reaper = lab.k.oom_reaper_pid() as i32;
    for kt in [2, reaper] {
        assert_eq!(lab.k.kill(lab.me, kt, SIGKILL), 0);
        assert_eq!(
            sigkill_results(&lab, kt),
            vec![TRACE_SIGNAL_IGNORED as f64],
            "kthread {kt}"
        );
        assert_eq!(lab.k.signal_group_exit(kt as u32), 0, "kthread {kt}");
    }
}

/// signal_wake_up(t, fatal): SIGKILL wakes interruptible sleeps, stopped tasks and killable
/// sleeps (a vfork parent's wait here), but neither an uninterruptible (D) sleep nor a frozen
/// task; every one has the fatal signal pending.
#[test]
fn sigkill_wakes_s_t_and_killable_but_not_d_nor_frozen() {
    let procs = [
        (1000, S, RUN),
        (1100, STOPPED, RUN),
        (1200, D_VFORK, RUN),
        (1300, D, D),
        (1400, FROZEN, FROZEN),
    ];
    let mut sim = Sim::new(618);
    for (tgid, state, _) in procs {
        sim = sim.user_process(tgid, &[VmaSpec::anon(16)], state);
    }
    let mut lab = sim.lab(1);
    lab.enter();
    for (tgid, state, after) in procs {
        lab.kill(tgid);
        assert_eq!(
            lab.state(tgid),
            after as f64,
            "tgid {tgid} in state {state}"
        );
        assert_eq!(lab.k.fatal_signal_pending(tgid as u32), 1);
    }
}

/// §A.0: SIGKILL sets SIGNAL_GROUP_EXIT and queues SIGKILL to every thread synchronously:
/// when kill() returns the victim "will free its memory" before any of its threads ran.
#[test]
fn group_exit_is_set_by_the_kill_before_the_victim_runs() {
    let mut lab = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .thread(VICTIM + 1, S)
        .on(2)
        .lab(1);
    lab.enter();
    lab.kill(VICTIM);
    assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 1);
    for t in [VICTIM, VICTIM + 1] {
        assert_eq!(lab.k.fatal_signal_pending(t as u32), 1, "pid {t}");
        assert_eq!(lab.state(t), RUN as f64, "pid {t} woken, not yet run");
    }
    assert!(
        lab.of(Kind::SignalDeliver).is_empty(),
        "no thread has dequeued it"
    );
    assert_eq!(lab.k.__task_will_free_mem(lab.me, VICTIM as u32), 1);
}

/// prepare_signal: a group already exiting drops a new SIGKILL (signal_generate's result
/// TRACE_SIGNAL_IGNORED); kill() still returns 0.
#[test]
fn second_kill_of_a_dying_group_is_ignored() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(16)], D).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.kill(VICTIM);
    assert_eq!(
        sigkill_results(&lab, VICTIM),
        vec![TRACE_SIGNAL_DELIVERED as f64, TRACE_SIGNAL_IGNORED as f64]
    );
}

/// The caller waits for the victim's mmap_lock (held for write by the victim in D until 5 s)
/// while init sends the caller SIGKILL at 100 ms. `how`: 0 mmap_read_lock, 1 _killable.
fn caller_killed_while_waiting_for_mmap_lock(how: i32) -> (Lab, i32) {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .until_us(5_000_000)
        .hold(VICTIM, MM_VICTIM, true)
        .event(100_000, EV_KILL, KILLER, SIGKILL, INIT);
    let mut lab = sim.lab(1);
    lab.enter();
    let answer = lab.k.mmap_lock(lab.me, H_VICTIM, 0, how);
    assert_eq!(answer, BLOCKED);
    assert_eq!(lab.k.ext_yield(lab.me), 0);
    (lab, answer)
}

/// §B.6 mrelease v4+: mmap_read_lock_killable waits until a fatal signal, then -EINTR, out of
/// the lock's queue.
#[test]
fn killable_mmap_lock_wait_ends_with_eintr_on_sigkill() {
    let (mut lab, _) = caller_killed_while_waiting_for_mmap_lock(1);
    lab.resume();
    assert_eq!(lab.k.take_result(lab.me), -EINTR as f64);
    let back = lab.k.now_ns() - 100.0 * MS;
    let switch = crate::params::CONTEXT_SWITCH_NS as f64;
    assert_eq!(
        back, switch,
        "back at the kill, after the context switch onto its CPU"
    );
    let mm = lab.mm(H_VICTIM);
    assert_eq!((mm.waiters, mm.readers), (0.0, 0.0));
}

/// §B.6 [1]-[4] v2-v3: plain mmap_read_lock is not killable: the killed caller keeps waiting
/// for the D-state writer.
#[test]
fn plain_mmap_lock_wait_ignores_sigkill() {
    let (mut lab, _) = caller_killed_while_waiting_for_mmap_lock(0);
    assert_eq!(lab.k.run(ONE_S), 0, "the caller does not come back");
    assert_eq!(lab.k.fatal_signal_pending(lab.me), 1);
    assert_eq!(lab.state(KILLER), D as f64);
    assert_eq!(lab.mm(H_VICTIM).waiters, 1.0);
}

/// §B.5 exit order / §B.2 rule 5's vfork case: a vfork parent waiting (killably) for its
/// child is released by the child's exit_mm_release (complete_vfork_done), before the child
/// drops the shared mm in exit_mm.
#[test]
fn vfork_parent_is_released_by_the_childs_exit_mm_release() {
    let (parent, child, mm) = (700, 710, 2);
    let sim = Sim::new(618)
        .user_process(parent, &[VmaSpec::anon(16)], D_VFORK)
        .process(child, mm)
        .parent(parent)
        .pflags(PF_VFORK_CHILD)
        .thread(child, S)
        .on(2)
        .event(1_000, EV_EXIT, child, 0, 0);
    let mut lab = sim.lab(1);
    lab.idle_until(0.5 * MS);
    assert_eq!(
        lab.state(parent),
        D as f64,
        "task_info shows the killable wait as D"
    );
    lab.idle_until(10.0 * MS);
    assert_eq!(lab.state(parent), RUN as f64);
    let ev = lab.events();
    let woken = pos(&ev, |e| {
        e.is(Kind::SchedWakeup) && e.a == parent as f64 && e.pid == child as f64
    });
    let mm_put = pos(&ev, |e| {
        e.is(Kind::MmRef) && e.pid == child as f64 && e.a == mm as f64
    });
    assert!(woken.unwrap() < mm_put.unwrap());
}
