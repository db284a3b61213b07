//! §B.1 find_lock_task_mm / process_shares_mm and §B.2 __task_will_free_mem /
//! task_will_free_mem.

use super::*;
use crate::ids::{MmId, Pid, Tgid};
use crate::mm::MMF_OOM_SKIP;
use crate::params::{PRIMITIVE_NS, TWFM_NS_PER_PROCESS};
use crate::signal::Sender;
use crate::task::PF_EXITING;

// ---- §B.1 ---------------------------------------------------------------------------------

/// §B.1 find_lock_task_mm: during a group exit the leader may be past exit_mm; it returns the
/// first thread whose ->mm is non-NULL (not the leader), with that thread's task_lock held
/// by the caller, who must unlock it.
#[test]
fn find_lock_task_mm_skips_a_zombie_leader_and_leaves_the_thread_locked() {
    let mut lab = zombie_leader_lab(618);
    let me = lab.me;
    assert_eq!(lab.k.task_mm(VICTIM as u32), 0);
    let t = lab.k.find_lock_task_mm(me, VICTIM as u32);
    assert_eq!(t, VICTIM + 1, "the first thread with an mm");
    let holder = lab
        .k
        .world()
        .task(Pid(t as u32))
        .and_then(|t| t.alloc_lock_holder);
    assert_eq!(holder, Some(Pid(me)), "returned locked");
    assert_eq!(lab.k.task_lock(me, t as u32), -EINVAL, "already locked");
    assert_eq!(
        lab.k.task_unlock(me, VICTIM as u32),
        -EINVAL,
        "the leader was not locked"
    );
    assert_eq!(lab.k.task_unlock(me, t as u32), 0);
}

/// §B.1 find_lock_task_mm: NULL when no thread has an mm any more.
#[test]
fn find_lock_task_mm_is_null_when_every_thread_is_past_exit_mm() {
    let mut lab = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .unwaited()
        .lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    lab.enter();
    assert_eq!(lab.k.find_lock_task_mm(lab.me, VICTIM as u32), -ESRCH);
}

/// §B.1 process_shares_mm(p, mm) compares mm with the first non-NULL t->mm of p's threads (so
/// a zombie leader does not hide it), and is false when no thread has an mm.
#[test]
fn process_shares_mm_looks_at_the_first_thread_with_an_mm() {
    let mut lab = zombie_leader_lab(618);
    assert_eq!(
        lab.k.process_shares_mm(VICTIM as u32, H_VICTIM),
        1,
        "the leader's mm is NULL, 1001's is not"
    );
    assert_eq!(
        lab.k.process_shares_mm(KILLER as u32, H_VICTIM),
        0,
        "another mm"
    );
    assert_eq!(
        lab.k.mm_ref(lab.me, H_VICTIM, 0),
        0,
        "mmgrab keeps the mm_struct (and its handle)"
    );
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM + 1), RELEASED, "the threads have exited");
    assert_eq!(
        lab.k.process_shares_mm(VICTIM as u32, H_VICTIM),
        0,
        "no thread has an mm"
    );
    lab.enter();
    assert_eq!(lab.k.mm_ref(lab.me, H_VICTIM, 1), 0, "mmdrop");
}

// ---- §B.2 __task_will_free_mem ------------------------------------------------------------------

/// §B.2 __task_will_free_mem rule 1: a core dump in progress (signal->core_state) → false,
/// although the dump also set SIGNAL_GROUP_EXIT (rule 2 would say true).
#[test]
fn core_dump_is_not_dying_even_with_signal_group_exit() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .until_us(1_000_000)
        .pflags(PF_CORE_DUMP);
    let mut lab = sim.lab(1);
    lab.enter();
    assert!(
        lab.k
            .world()
            .process(Tgid(VICTIM as u32))
            .unwrap()
            .group_exit(),
        "SIGNAL_GROUP_EXIT is set"
    );
    assert_eq!(lab.k.__task_will_free_mem(lab.me, VICTIM as u32), 0);
    assert_eq!(lab.k.task_will_free_mem(lab.me, VICTIM as u32), 0);
}

/// §B.2 __task_will_free_mem rule 2: SIGNAL_GROUP_EXIT (here from SIGKILL) → true for every
/// thread of the group; before the kill both threads (neither exiting) → false (rule 4).
#[test]
fn group_exit_is_dying() {
    let mut lab = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .thread(VICTIM + 1, D)
        .lab(1);
    lab.enter();
    let me = lab.me;
    for t in [VICTIM, VICTIM + 1] {
        assert_eq!(
            lab.k.__task_will_free_mem(me, t as u32),
            0,
            "pid {t} before the kill"
        );
    }
    lab.kill(VICTIM);
    for t in [VICTIM, VICTIM + 1] {
        assert_eq!(
            lab.k.__task_will_free_mem(me, t as u32),
            1,
            "pid {t} after the kill"
        );
    }
}

/// SIGNAL_GROUP_EXIT after a lone thread's exit_group(), by kernel: set from v6.0
/// (cbe9dac37904).
const LONE_EXIT_GROUP_EXIT: [(i32, i32); 4] = [(515, 0), (518, 0), (600, 1), (618, 1)];

/// A single-threaded victim that called exit_group() at 1 ms and waits in exit_mm()'s
/// mmap_read_lock behind a remote writer until 200 ms; the caller entered at 50 ms.
fn lone_exit_lab(kernel: i32) -> Lab {
    let sim = with_remote_writer(Sim::new(kernel).victim(&[VmaSpec::anon(16)], S), 200_000)
        .event(1_000, EV_EXIT, VICTIM, 0, 0);
    let mut lab = sim.lab(1);
    lab.idle_until(50.0 * MS);
    lab.enter();
    lab
}

/// §B.2 __task_will_free_mem rule 3: a single-threaded task inside do_exit (PF_EXITING) after
/// a voluntary exit → true. The exit waits in exit_mm()'s mmap_read_lock behind a remote
/// writer, so the mm is still attached and task_will_free_mem agrees (mm_users 1, rule 4).
/// Before v6.0 the lone thread's do_group_exit sets no SIGNAL_GROUP_EXIT (rule 3 alone says
/// dying); from cbe9dac37904 (v6.0) it does, and signal_group_exit() is true as well.
#[test]
fn single_thread_in_voluntary_exit_is_dying() {
    for (kernel, group_exit) in LONE_EXIT_GROUP_EXIT {
        let mut lab = lone_exit_lab(kernel);
        let me = lab.me;
        assert_ne!(
            lab.k.task_flags(VICTIM as u32) as u32 & PF_EXITING,
            0,
            "{kernel}: inside do_exit"
        );
        assert_eq!(
            lab.k.signal_group_exit(VICTIM as u32),
            group_exit,
            "{kernel}: a lone thread's exit_group() and SIGNAL_GROUP_EXIT"
        );
        assert_eq!(
            lab.k.task_mm(VICTIM as u32),
            H_VICTIM as i32,
            "{kernel}: before exit_mm"
        );
        assert_eq!(lab.k.__task_will_free_mem(me, VICTIM as u32), 1, "{kernel}");
        assert_eq!(lab.k.task_will_free_mem(me, VICTIM as u32), 1, "{kernel}");
    }
}

/// complete_signal(): a SIGKILL to a group whose only thread is already inside its own exit
/// (PF_EXITING, so !wants_signal()) is queued but sets no SIGNAL_GROUP_EXIT ("There is just
/// one thread and it does not need to be woken"), before v6.0; from v6.0 the exit itself set
/// the flag and prepare_signal() drops the SIGKILL (9a95f78eab70).
#[test]
fn sigkill_to_a_lone_exiting_thread() {
    for (kernel, group_exit) in LONE_EXIT_GROUP_EXIT {
        let mut lab = lone_exit_lab(kernel);
        lab.kill(VICTIM);
        assert_eq!(
            lab.k.signal_group_exit(VICTIM as u32),
            group_exit,
            "{kernel}: SIGKILL after a lone thread's _exit()"
        );
    }
}

/// §B.2 __task_will_free_mem rule 4: in a multi-threaded group where one thread alone has
/// PF_EXITING (pthread_exit; no world-program event does that, so the flag is set directly)
/// the group is not dying, for that thread nor for the leader. A lone thread with the same
/// flag is (rule 3), for contrast.
#[test]
fn one_exiting_thread_of_many_is_not_dying() {
    let mut w = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .thread(VICTIM + 1, D)
        .world();
    let i = w.task_index(Pid(VICTIM as u32 + 1)).unwrap();
    w.tasks[i].flags |= PF_EXITING;
    assert!(!w.__task_will_free_mem(Pid(VICTIM as u32 + 1)));
    assert!(!w.__task_will_free_mem(Pid(VICTIM as u32)));

    let mut lone = Sim::new(618).victim(&[VmaSpec::anon(16)], D).world();
    let i = lone.task_index(Pid(VICTIM as u32)).unwrap();
    lone.tasks[i].flags |= PF_EXITING;
    assert!(lone.__task_will_free_mem(Pid(VICTIM as u32)));
}

// ---- §B.2 task_will_free_mem ----------------------------------------------------------------

/// §B.2 task_will_free_mem rule 1: a task without an mm (past exit_mm) → false, although its
/// group is exiting; a thread of the same group that still has the mm → true.
#[test]
fn task_will_free_mem_is_false_without_mm() {
    let mut lab = zombie_leader_lab(618);
    let me = lab.me;
    assert_eq!(
        lab.k.__task_will_free_mem(me, VICTIM as u32),
        1,
        "the group is exiting"
    );
    assert_eq!(
        lab.k.task_will_free_mem(me, VICTIM as u32),
        0,
        "but the leader has no mm"
    );
    assert_eq!(lab.k.task_will_free_mem(me, VICTIM as u32 + 1), 1);
}

/// §B.2 task_will_free_mem rule 2: a task that is not dying → false.
#[test]
fn task_will_free_mem_is_false_for_a_live_task() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(16)], D).lab(1);
    lab.enter();
    assert_eq!(lab.k.task_will_free_mem(lab.me, VICTIM as u32), 0);
}

/// §B.2 task_will_free_mem rule 3: MMF_OOM_SKIP ("already drained by the oom reaper") →
/// false for a dying single-user mm that would otherwise be true.
#[test]
fn task_will_free_mem_is_false_with_mmf_oom_skip() {
    let mut lab = Sim::new(618).victim(&[VmaSpec::anon(16)], D).lab(1);
    lab.enter();
    let me = lab.me;
    lab.kill(VICTIM);
    assert_eq!(lab.k.task_will_free_mem(me, VICTIM as u32), 1);
    assert_eq!(lab.k.mm_flag(me, H_VICTIM, MMF_OOM_SKIP, 1), 0);
    assert_eq!(lab.k.task_will_free_mem(me, VICTIM as u32), 0);
}

/// A dying victim (killed, its threads in D so they stay) among `fillers` extra processes;
/// the caller's segment is running. `threads` > 1 makes mm_users > 1 (the slow path).
fn dying_victim_among(threads: i32, fillers: i32) -> Lab {
    let mut sim = Sim::new(618).victim(&[VmaSpec::anon(16)], D);
    for t in 1..threads {
        sim = sim.thread(VICTIM + t, D);
    }
    let mut lab = sim.filler_kthreads(5000, fillers).lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab
}

/// The caller's cost of one task_will_free_mem(victim) call, which must answer true.
fn twfm_cost(lab: &mut Lab) -> f64 {
    lab.segment_cost(|k, me| assert_eq!(k.task_will_free_mem(me, VICTIM as u32), 1))
}

/// §B.2 task_will_free_mem rule 4: mm_users <= 1 → true without the for_each_process walk:
/// with 1,000 other processes the call costs one primitive (PRIMITIVE_NS on the reference
/// CPU the caller runs on) and no TWFM_NS_PER_PROCESS step.
#[test]
fn single_user_mm_answers_without_the_walk() {
    let mut lab = dying_victim_among(1, 1000);
    assert_eq!(MmSnap::of(&lab.k, H_VICTIM).users, 1.0);
    assert_eq!(twfm_cost(&mut lab), PRIMITIVE_NS as f64);
}

/// §B.2 task_will_free_mem rule 5: the walk is O(number of processes) and its cost is the
/// caller's (§F.7): one primitive plus TWFM_NS_PER_PROCESS per process visited. A true answer
/// visits every process: init, killer, victim, the oom_reaper kthread and the fillers.
#[test]
fn walk_cost_grows_with_the_number_of_processes_and_is_charged_to_the_caller() {
    let expected =
        |fillers: i32| (PRIMITIVE_NS + TWFM_NS_PER_PROCESS * (4 + fillers as u64)) as f64;
    let mut small = dying_victim_among(2, 10);
    let mut large = dying_victim_among(2, 1000);
    assert_eq!(large.k.world().procs.len(), 1004);
    let (c10, c1000) = (twfm_cost(&mut small), twfm_cost(&mut large));
    assert_eq!(c10, expected(10));
    assert_eq!(c1000, expected(1000));
    assert_eq!(c1000 - c10, (990 * TWFM_NS_PER_PROCESS) as f64);
}

/// §B.2 task_will_free_mem rule 5: for_each_process visits the processes that exist; a
/// process already reaped (release_task, its pid kept only by a pidfd) is not walked, so it
/// adds no TWFM_NS_PER_PROCESS step.
#[test]
fn walk_skips_reaped_processes() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .thread(VICTIM + 1, D)
        .filler_kthreads(5000, 10)
        .process(1200, -1)
        .parent(INIT)
        .status(2)
        .fd(KILLER, 3, FD_PIDFD, 1200);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    let live_processes = 4 + 10; // init, killer, victim, oom_reaper, fillers
    assert_eq!(
        twfm_cost(&mut lab),
        (PRIMITIVE_NS + TWFM_NS_PER_PROCESS * live_processes) as f64
    );
}

/// A dying victim sharing its mm with process 1100 (CLONE_VM without CLONE_THREAD), both
/// asleep in D; the caller's segment is running.
fn victim_with_sharer() -> Lab {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .process(1100, MM_VICTIM)
        .parent(INIT)
        .thread(1100, D);
    let mut lab = sim.lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab
}

/// §B.2 task_will_free_mem rule 5: another process using the mm that is not dying → false.
#[test]
fn live_sharer_makes_it_false() {
    let mut lab = victim_with_sharer();
    assert_eq!(lab.k.task_will_free_mem(lab.me, VICTIM as u32), 0);
}

/// §B.2 task_will_free_mem rule 5: every process sharing the mm dying too → true.
#[test]
fn dying_sharer_makes_it_true() {
    let mut lab = victim_with_sharer();
    lab.kill(1100);
    assert_eq!(lab.k.task_will_free_mem(lab.me, VICTIM as u32), 1);
}

/// §B.2 task_will_free_mem rule 5: kthreads are not exempt: a kthread using the mm
/// (kthread_use_mm; the world program cannot express it, so it is attached directly) makes
/// the answer false, where without it the same walk says true.
#[test]
fn kthread_using_the_mm_makes_it_false() {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], D)
        .thread(VICTIM + 1, D)
        .kthread(2)
        .thread(2, S);
    let mut w = sim.world();
    assert_eq!(
        w.kill_pid_info(Sender::Task(Pid(INIT as u32)), SIGKILL, Tgid(VICTIM as u32)),
        0
    );
    let victim = Pid(VICTIM as u32);
    assert!(
        w.task_will_free_mem(victim).0,
        "two threads: the walk runs and finds no other user"
    );
    let mm = MmId(MM_VICTIM as u32);
    w.task_mut(Pid(2)).unwrap().mm = Some(mm);
    w.mm_mut(mm).unwrap().users += 1;
    // Set by hand, not by a path of the core: the walk's per-process view is counted again.
    w.proc_mm_recount();
    assert!(!w.task_will_free_mem(victim).0);
}
