//! do_exit()'s ptrace exit stop (PTRACE_EVENT_EXIT): a tracee whose tracer set
//! PTRACE_O_TRACEEXIT stops on its way out with its mm attached, before PF_EXITING; what a
//! SIGKILL does to that stop in each kernel (`exit.rs` ptrace_exit_stop, `signal.rs`).

use super::*;
use crate::task::PF_EXITING;

/// task_info's state code of the exit stop (TASK_STATE_CODES "traced").
const TRACED: f64 = 7.0;
/// The kernels with and without 9a95f78eab70's drop of signals to an exiting group.
const BEFORE_V6_0: [i32; 5] = [510, 515, 516, 517, 518];
const FROM_V6_0: [i32; 2] = [600, 618];

/// A traced single-threaded victim (64 MiB of anon) in S on CPU 0.
fn traced(kernel: i32) -> Sim {
    Sim::new(kernel)
        .victim(&[VmaSpec::anon(64 * MIB)], S)
        .traced_exit()
}

/// The caller kills the traced victim at 0 and lets 50 ms pass.
fn killed_traced(kernel: i32) -> Lab {
    let mut lab = traced(kernel).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(50.0 * MS);
    lab
}

/// The victim calls exit_group() itself at 1 ms; 50 ms pass.
fn exited_traced(kernel: i32) -> Lab {
    let mut lab = traced(kernel).event(1_000, EV_EXIT, VICTIM, 0, 0).lab(1);
    lab.idle_until(50.0 * MS);
    lab
}

/// A SIGKILLed tracee still stops (get_signal() took SIGKILL out of its own pending set),
/// in every version: TASK_TRACED, no PF_EXITING yet, its mm attached and untouched, and
/// dying to task_will_free_mem() because the kill set SIGNAL_GROUP_EXIT.
#[test]
fn a_sigkilled_tracee_stops_with_its_mm() {
    for kernel in ALL_KERNELS {
        let mut lab = killed_traced(kernel);
        let me = lab.me;
        assert_eq!(lab.state(VICTIM), TRACED, "{kernel}: in the exit stop");
        assert_eq!(lab.k.task_flags(VICTIM as u32) as u32 & PF_EXITING, 0);
        assert_eq!(lab.k.task_mm(VICTIM as u32), H_VICTIM as i32, "{kernel}");
        assert_eq!(
            lab.mm(H_VICTIM).anon,
            (64 * MIB) as f64,
            "{kernel}: nothing freed"
        );
        lab.enter();
        assert_eq!(lab.k.task_will_free_mem(me, VICTIM as u32), 1, "{kernel}");
    }
}

/// An untraced victim killed the same way is gone by then: the stop is the flag's doing.
#[test]
fn an_untraced_victim_does_not_stop() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(64 * MIB)], S).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(50.0 * MS);
    assert_eq!(lab.state(VICTIM), RELEASED);
}

/// A second SIGKILL to a process SIGKILL already made exit: the first is still in
/// shared_pending (legacy_queue: TRACE_SIGNAL_ALREADY_PENDING) before v6.0, dropped from
/// v6.0; either way the tracee stays stopped with its memory (measured on 6.18).
#[test]
fn a_second_sigkill_leaves_a_killed_tracee_stopped() {
    for kernel in ALL_KERNELS {
        let mut lab = killed_traced(kernel);
        lab.enter();
        lab.kill(VICTIM);
        lab.leave();
        lab.idle_until(100.0 * MS);
        assert_eq!(lab.state(VICTIM), TRACED, "{kernel}");
        assert_eq!(lab.mm(H_VICTIM).anon, (64 * MIB) as f64, "{kernel}");
    }
}

/// A tracee stopped in its own _exit(): before v6.0 a lone thread's exit set no
/// SIGNAL_GROUP_EXIT, so a SIGKILL is delivered, complete_signal() wakes the stop and the
/// exit goes on (the memory is freed, the process released); from v6.0 prepare_signal()
/// drops it and the stop stays (measured on 6.18).
#[test]
fn sigkill_ends_a_voluntary_exit_stop_only_before_v6_0() {
    for kernel in BEFORE_V6_0 {
        let mut lab = exited_traced(kernel);
        assert_eq!(lab.state(VICTIM), TRACED, "{kernel}");
        lab.enter();
        lab.kill(VICTIM);
        lab.leave();
        lab.idle_until(ONE_S);
        assert_eq!(lab.state(VICTIM), RELEASED, "{kernel}: woken, exited once");
    }
    for kernel in FROM_V6_0 {
        let mut lab = exited_traced(kernel);
        lab.enter();
        lab.kill(VICTIM);
        lab.leave();
        lab.idle_until(ONE_S);
        assert_eq!(
            lab.state(VICTIM),
            TRACED,
            "{kernel}: the SIGKILL was dropped"
        );
        assert_eq!(lab.mm(H_VICTIM).anon, (64 * MIB) as f64, "{kernel}");
    }
}

/// The stop comes before exit_signals(): a lone thread stopped in its own _exit() has no
/// PF_EXITING, so before v6.0 (no SIGNAL_GROUP_EXIT either) it is not dying to
/// task_will_free_mem(); from v6.0 its exit_group() set SIGNAL_GROUP_EXIT and it is.
#[test]
fn a_voluntary_exit_stop_is_dying_only_from_v6_0() {
    for (kernels, dying) in [(&BEFORE_V6_0[..], 0), (&FROM_V6_0[..], 1)] {
        for &kernel in kernels {
            let mut lab = exited_traced(kernel);
            let me = lab.me;
            lab.enter();
            assert_eq!(lab.k.task_flags(VICTIM as u32) as u32 & PF_EXITING, 0);
            assert_eq!(
                lab.k.task_will_free_mem(me, VICTIM as u32),
                dying,
                "{kernel}"
            );
        }
    }
}

/// Two traced threads stopped after the leader's exit_group(): zap_other_threads() queued
/// SIGKILL to each thread's own set, none to shared_pending, so before v6.0 the caller's
/// SIGKILL is delivered and complete_signal() wakes the one thread it picks (the leader:
/// wants_signal(), no PF_EXITING yet), which goes on out; the other stays stopped with the
/// mm. From v6.0 the SIGKILL is dropped and both stay.
#[test]
fn sigkill_to_an_exiting_group_wakes_one_stopped_thread_before_v6_0() {
    for (kernel, leader_woken) in [(515, true), (518, true), (600, false), (618, false)] {
        let mut lab = traced(kernel)
            .thread(VICTIM + 1, S)
            .traced_exit()
            .event(1_000, EV_EXIT, VICTIM, 0, 0)
            .lab(1);
        lab.idle_until(50.0 * MS);
        assert_eq!(lab.state(VICTIM), TRACED, "{kernel}: leader stopped");
        assert_eq!(lab.state(VICTIM + 1), TRACED, "{kernel}: thread stopped");
        lab.enter();
        lab.kill(VICTIM);
        lab.leave();
        lab.idle_until(ONE_S);
        let leader = if leader_woken { ZOMBIE as f64 } else { TRACED };
        assert_eq!(lab.state(VICTIM), leader, "{kernel}: the leader");
        assert_eq!(lab.state(VICTIM + 1), TRACED, "{kernel}: the other thread");
        assert_eq!(
            lab.k.task_mm(VICTIM as u32 + 1),
            H_VICTIM as i32,
            "{kernel}"
        );
    }
}

/// The oom_reaper after a userspace reap of the same mm (issue 14's "a call after another
/// call"): the caller's __oom_reap_task_mm() left MMF_UNSTABLE, not MMF_OOM_SKIP, so the
/// reaper (at once before v5.18, after OOM_REAPER_DELAY from it) does not skip: it walks the
/// emptied mm again (start and finish_task_reaping), finds nothing, warns nothing, and sets
/// MMF_OOM_SKIP itself. The traced victim keeps the mm attached all along.
#[test]
fn oom_reaper_after_a_userspace_reap_walks_again_and_sets_oom_skip() {
    use crate::mm::{MMF_OOM_SKIP, MMF_UNSTABLE};
    for kernel in [515, 618] {
        let mut lab = traced(kernel).lab(1);
        lab.enter();
        lab.kill(VICTIM);
        assert_eq!(lab.reap(H_VICTIM), 1.0, "{kernel}: the userspace reap");
        let flags = lab.mm(H_VICTIM).flags;
        assert_ne!(flags & MMF_UNSTABLE, 0, "{kernel}");
        assert_eq!(flags & MMF_OOM_SKIP, 0, "{kernel}");
        assert_eq!(lab.mm(H_VICTIM).anon, 0.0, "{kernel}");
        lab.k.oom_kill_process(lab.me, VICTIM);
        lab.leave();
        lab.idle_until(3.0 * ONE_S);
        assert_eq!(lab.of(Kind::StartTaskReaping).len(), 1, "{kernel}");
        assert_eq!(lab.of(Kind::FinishTaskReaping).len(), 1, "{kernel}");
        assert!(lab.of(Kind::SkipTaskReaping).is_empty(), "{kernel}");
        assert!(lab.warns(Warn::UnableToReap).is_empty(), "{kernel}");
        assert_ne!(lab.mm(H_VICTIM).flags & MMF_OOM_SKIP, 0, "{kernel}");
        assert_eq!(lab.state(VICTIM), TRACED, "{kernel}");
    }
}
