//! pid namespaces (pidns.rs): access_pidfd_pidns() in pidfd_send_signal (kernel/signal.c:
//! EINVAL right after the fd lookup), find_vpid()/find_get_pid() in kill and pidfd_open
//! (ESRCH), and no check in pidfd_get_task() (kernel/pid.c; process_mrelease, process_madvise).

use super::*;
use crate::prims::PIDFD_SIGNAL_THREAD_GROUP;

/// The killer (500) and the victim (1000) with a pidfd of the victim (fd 3, received from a
/// process that could see it); namespaces: 1 "outer" under init_pid_ns, 2 "inner" under 1.
/// `killer_ns` / `victim_ns`: each one's namespace handle (0: init_pid_ns, listed nowhere).
fn ns_lab(killer_ns: i32, victim_ns: i32) -> Lab {
    let mut p = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .fd(KILLER, 3, FD_PIDFD, VICTIM)
        .prog()
        .rec(OP_PIDNS, &[0])
        .rec(OP_PIDNS, &[1]);
    for (ns, tgid) in [(killer_ns, KILLER), (victim_ns, VICTIM)] {
        if ns > 0 {
            p = p.rec(OP_PIDNS_PROC, &[ns, tgid]);
        }
    }
    let mut lab = Lab {
        k: load(&p, 1),
        me: KILLER as u32,
    };
    lab.enter();
    lab
}

/// The walk goes up from the target: a caller in a namespace the target's chain does not
/// reach gets EINVAL, for signal 0 and SIGKILL and with a scope flag; the victim lives on.
#[test]
fn pidfd_send_signal_needs_the_callers_namespace_above_the_target() {
    for (killer_ns, victim_ns) in [(1, 0), (2, 0), (2, 1)] {
        let mut lab = ns_lab(killer_ns, victim_ns);
        let me = lab.me;
        assert_eq!(lab.k.access_pidfd_pidns(me, VICTIM as u32), 0);
        assert_eq!(lab.k.pidfd_send_signal(me, 3, 0, 0), -EINVAL);
        assert_eq!(lab.k.pidfd_send_signal(me, 3, SIGKILL, 0), -EINVAL);
        let scope = PIDFD_SIGNAL_THREAD_GROUP;
        assert_eq!(lab.k.pidfd_send_signal(me, 3, SIGKILL, scope), -EINVAL);
        // The fd lookup comes first: a bad fd is still EBADF.
        assert_eq!(lab.k.pidfd_send_signal(me, 9, SIGKILL, 0), -EBADF);
        assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 0);
    }
}

/// The same namespace, or any ancestor of the target's: the signal goes through.
#[test]
fn pidfd_send_signal_from_the_same_or_an_ancestor_namespace() {
    for (killer_ns, victim_ns) in [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)] {
        let mut lab = ns_lab(killer_ns, victim_ns);
        let me = lab.me;
        assert_eq!(lab.k.access_pidfd_pidns(me, VICTIM as u32), 1);
        assert_eq!(lab.k.pidfd_send_signal(me, 3, SIGKILL, 0), 0);
        assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 1);
    }
}

/// pidfd_open() and kill() look the number up in the caller's namespace: ESRCH from a
/// namespace that cannot see the victim, found from one that can.
#[test]
fn pidfd_open_and_kill_cannot_find_an_invisible_pid() {
    let mut lab = ns_lab(1, 0);
    let me = lab.me;
    assert_eq!(lab.k.pidfd_open(me, VICTIM, 0), -ESRCH);
    assert_eq!(lab.k.kill(me, VICTIM, SIGKILL), -ESRCH);
    assert_eq!(lab.k.signal_group_exit(VICTIM as u32), 0);
    let mut lab = ns_lab(1, 2);
    let me = lab.me;
    assert!(lab.k.pidfd_open(me, VICTIM, 0) >= 0);
    assert_eq!(lab.k.kill(me, VICTIM, SIGKILL), 0);
}

/// pidfd_get_task() has no namespace check: the received pidfd still names its task for
/// process_mrelease and process_madvise (what the designs' TypeScript reads through
/// pidfd_get_pid and get_pid_task).
#[test]
fn pidfd_get_pid_has_no_namespace_check() {
    let mut lab = ns_lab(2, 0);
    let me = lab.me;
    assert_eq!(lab.k.pidfd_get_pid(me, 3), VICTIM);
}

#[test]
fn bad_pid_namespace_programs_are_refused() {
    let base = Sim::new(618).victim(&[VmaSpec::anon(16)], S).prog();
    let refused = |p: &Prog| {
        let mut k = Kernel::new(1, 0);
        assert_eq!(k.load_world(&p.0), -EINVAL, "the program must be refused");
        k.last_error()
    };
    let e = refused(&base.clone().rec(OP_PIDNS, &[1]));
    assert!(
        e.contains("pid namespace parent must be in 0..=0, got 1"),
        "{e}"
    );
    let e = refused(
        &base
            .clone()
            .rec(OP_PIDNS, &[0])
            .rec(OP_PIDNS_PROC, &[1, 4242]),
    );
    assert!(e.contains("pid namespace member 4242 is no process"), "{e}");
    let twice = base
        .clone()
        .rec(OP_PIDNS, &[0])
        .rec(OP_PIDNS_PROC, &[1, 1000])
        .rec(OP_PIDNS_PROC, &[1, 1000]);
    assert!(refused(&twice).contains("process 1000 is in two pid namespaces"));
    let mut many = base;
    for _ in 0..=crate::pidns::MAX_PID_NAMESPACES {
        many = many.rec(OP_PIDNS, &[0]);
    }
    assert!(refused(&many).contains("at most 32 pid namespaces"));
}
