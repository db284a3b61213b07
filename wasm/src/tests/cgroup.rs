//! cgroup v2 membership, cgroup.procs and cgroup.kill (kernel/cgroup/cgroup.c, v5.14+:
//! cgroup_kill_write() → cgroup_kill() → __cgroup_kill() over the live descendants in
//! pre-order; kthreads and dying tasks skipped; send_sig(SIGKILL) with no permission check).

use super::*;

/// Three app processes 1000 (the victim), 1001 and 1002, a kthread 50 and init; cgroups:
/// 1 "apps" under the root holding 1001 and the kthread; 2 "app" under 1 holding 1002 then
/// 1000 (cgroup.procs order is the file's, not the tgids'); 3 "other" under the root, empty.
fn world() -> Prog {
    world_of(Sim::new(618))
}

/// [`world`] on another base world (`Sim::new` with changes).
fn world_of(base: Sim) -> Prog {
    base.victim(&[VmaSpec::anon(16)], S)
        .user_process(1001, &[VmaSpec::anon(16)], S)
        .user_process(1002, &[VmaSpec::anon(16)], S)
        .kthread(50)
        .thread(50, S)
        .prog()
        .rec(OP_CGROUP, &[0])
        .rec(OP_CGROUP, &[1])
        .rec(OP_CGROUP, &[0])
        .rec(OP_CGROUP_PROC, &[1, 1001])
        .rec(OP_CGROUP_PROC, &[1, 50])
        .rec(OP_CGROUP_PROC, &[2, 1002])
        .rec(OP_CGROUP_PROC, &[2, 1000])
}

fn lab_of(p: &Prog) -> Lab {
    let mut lab = Lab {
        k: load(p, 1),
        me: KILLER as u32,
    };
    lab.enter();
    lab
}

/// Every tgid cgroup.procs lists, read through cgroup_proc_next to its end.
fn procs(lab: &mut Lab, cgrp: u32, recursive: bool) -> Vec<i32> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let next = lab.k.cgroup_proc_next(lab.me, cgrp, after, recursive);
        assert!(next >= 0, "cgroup_proc_next answered {next}");
        if next == 0 || out.len() > 16 {
            return out;
        }
        out.push(next);
        after = next as u32;
    }
}

#[test]
fn membership_and_cgroup_procs_order() {
    let mut lab = lab_of(&world());
    assert_eq!(lab.k.task_cgroup(1000), 2);
    assert_eq!(lab.k.task_cgroup(1001), 1);
    assert_eq!(
        lab.k.task_cgroup(KILLER as u32),
        0,
        "listed nowhere: the root"
    );
    assert_eq!(lab.k.task_cgroup(4242), -ESRCH);
    assert_eq!(
        procs(&mut lab, 2, false),
        vec![1002, 1000],
        "the file's order"
    );
    assert_eq!(procs(&mut lab, 1, false), vec![1001, 50]);
    // Pre-order over the subtree: the cgroup's own, then its children's.
    assert_eq!(procs(&mut lab, 1, true), vec![1001, 50, 1002, 1000]);
    assert_eq!(procs(&mut lab, 3, true), Vec::<i32>::new());
    // The root's own: init, the killer, and the oom_reaper kthread (pid 16, from 16 up).
    assert_eq!(procs(&mut lab, 0, false), vec![INIT, KILLER, 16]);
    assert_eq!(lab.k.cgroup_proc_next(lab.me, 4, 0, false), -ENOENT);
    assert_eq!(lab.k.cgroup_proc_next(lab.me, 2, 1001, false), -ESRCH);
}

/// __cgroup_kill(): every process of the cgroup and its descendants gets SIGKILL, kthreads
/// are skipped, nothing outside the subtree is touched; no permission is checked (the killer,
/// uid 1069 with CAP_KILL removed, could not kill uid 10050 by kill(2)).
#[test]
fn cgroup_kill_kills_the_subtree_but_kthreads() {
    let p = world_of(Sim::new(618).creds_of(KILLER, KILLER_UID, KILLER_UID, 0));
    let mut lab = lab_of(&p);
    assert_eq!(
        lab.k.kill(lab.me, VICTIM, SIGKILL),
        -EPERM,
        "kill(2) needs permission"
    );
    assert_eq!(lab.k.cgroup_kill(lab.me, 1), 0);
    assert_eq!(lab.k.signal_group_exit(1001), 1);
    assert_eq!(lab.k.signal_group_exit(1002), 1, "a descendant's member");
    assert_eq!(lab.k.signal_group_exit(1000), 1, "a descendant's member");
    for outside in [INIT, KILLER] {
        assert_eq!(
            lab.k.signal_group_exit(outside as u32),
            0,
            "outside the subtree"
        );
    }
    assert_eq!(lab.k.fatal_signal_pending(50), 0, "kthreads are skipped");
    let kthread_signals = lab
        .of(Kind::SignalGenerate)
        .iter()
        .filter(|e| e.b == 50.0)
        .count();
    assert_eq!(
        kthread_signals, 0,
        "no signal is even generated for a kthread"
    );
}

/// "Skip tasks that are already dying": a second write sends nothing; the root has no
/// cgroup.kill (CFTYPE_NOT_ON_ROOT) and an unknown cgroup has no file: ENOENT.
#[test]
fn cgroup_kill_skips_the_dying_and_refuses_the_root() {
    let mut lab = lab_of(&world());
    assert_eq!(lab.k.cgroup_kill(lab.me, 2), 0);
    let sent = lab.of(Kind::SignalGenerate).len();
    assert_eq!(sent, 2, "1002 and 1000");
    assert_eq!(lab.k.cgroup_kill(lab.me, 2), 0);
    assert_eq!(
        lab.of(Kind::SignalGenerate).len(),
        sent,
        "both already dying"
    );
    assert_eq!(lab.k.cgroup_kill(lab.me, 0), -ENOENT);
    assert_eq!(lab.k.cgroup_kill(lab.me, 4), -ENOENT);
    assert_eq!(lab.k.signal_group_exit(INIT as u32), 0);
}

fn load_error(p: &Prog) -> String {
    let mut k = Kernel::new(1, 0);
    assert_eq!(k.load_world(&p.0), -EINVAL, "the program must be refused");
    k.last_error()
}

#[test]
fn bad_cgroup_programs_are_refused() {
    let base = Sim::new(618).victim(&[VmaSpec::anon(16)], S).prog();
    // A parent that is not an earlier cgroup: a forward reference, the only way to a cycle.
    let e = load_error(&base.clone().rec(OP_CGROUP, &[1]));
    assert!(e.contains("cgroup parent must be in 0..=0, got 1"), "{e}");
    let e = load_error(
        &base
            .clone()
            .rec(OP_CGROUP, &[0])
            .rec(OP_CGROUP_PROC, &[1, 4242]),
    );
    assert!(e.contains("cgroup member 4242 is no process"), "{e}");
    let twice = base
        .clone()
        .rec(OP_CGROUP, &[0])
        .rec(OP_CGROUP, &[0])
        .rec(OP_CGROUP_PROC, &[1, 1000])
        .rec(OP_CGROUP_PROC, &[2, 1000]);
    assert!(load_error(&twice).contains("process 1000 is in two cgroups"));
    let e = load_error(&base.clone().rec(OP_CGROUP_PROC, &[1, 1000]));
    assert!(e.contains("cgroup must be in 1..=0"), "{e}");
    let mut many = base;
    for _ in 0..=crate::cgroup::MAX_CGROUPS {
        many = many.rec(OP_CGROUP, &[0]);
    }
    assert!(load_error(&many).contains("at most 4096 cgroups"));
}

/// cgroup.kill came in v5.14 (661ee6280931): on 5.10 the file is not there (ENOENT) and
/// nothing is killed; 5.15, the lab's next version, has it.
#[test]
fn cgroup_kill_is_there_from_5_15() {
    let on = |kernel: i32| {
        let mut p = world();
        p.0[2] = kernel; // the KERNEL record's version word
        let mut lab = lab_of(&p);
        (lab.k.cgroup_kill(lab.me, 2), lab.k.signal_group_exit(1000))
    };
    assert_eq!(on(510), (-ENOENT, 0));
    assert_eq!(on(515), (0, 1));
}
