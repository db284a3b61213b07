//! §A.0: how a pidfd becomes a task (pidfd_open, pidfd_get_pid, pidfd_to_pid, get_pid_task).

use super::*;
use crate::prims::{PIDFD_NONBLOCK, PIDTYPE_PID, PIDTYPE_TGID};

/// A victim with a second thread (pid 1001), both asleep; the killer has a pidfd (fd 3), a
/// /proc/1000 directory fd (fd 4) and a plain file (fd 5). The caller's segment is running.
fn pidfd_lab() -> Lab {
    let sim = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .thread(VICTIM + 1, S)
        .fd(KILLER, 3, FD_PIDFD, VICTIM)
        .fd(KILLER, 4, FD_PROC_DIR, VICTIM)
        .fd(KILLER, 5, FD_FILE, 0);
    let mut lab = sim.lab(1);
    lab.enter();
    lab
}

/// §A.0 pidfd_open: flags other than PIDFD_NONBLOCK → EINVAL; PIDFD_NONBLOCK is accepted and
/// recorded in the file's f_flags.
#[test]
fn pidfd_open_rejects_flags_other_than_nonblock() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    assert_eq!(lab.k.pidfd_open(me, VICTIM, 1), -EINVAL);
    assert_eq!(lab.k.pidfd_open(me, VICTIM, PIDFD_NONBLOCK | 1), -EINVAL);
    let fd = lab.k.pidfd_open(me, VICTIM, PIDFD_NONBLOCK);
    assert!(fd >= 0, "{fd}");
    assert_eq!(lab.k.pidfd_nonblock(me, fd), 1);
}

/// §A.0 pidfd_open: pid <= 0 → EINVAL.
#[test]
fn pidfd_open_rejects_pid_zero_or_negative() {
    let mut lab = pidfd_lab();
    for pid in [0, -1, i32::MIN] {
        assert_eq!(lab.k.pidfd_open(lab.me, pid, 0), -EINVAL, "pid {pid}");
    }
}

/// §A.0: a pidfd names a thread-group leader; a non-leader pid → EINVAL (before
/// PIDFD_THREAD, which the lab's callers never pass).
#[test]
fn pidfd_open_rejects_a_non_leader_thread() {
    let mut lab = pidfd_lab();
    assert_eq!(lab.k.pidfd_open(lab.me, VICTIM + 1, 0), -EINVAL);
    let fd = lab.k.pidfd_open(lab.me, VICTIM, 0);
    assert_eq!(lab.k.pidfd_get_pid(lab.me, fd), VICTIM);
}

/// §A.0 pidfd_open: no task with that pid → ESRCH, including a pid whose task was released.
#[test]
fn pidfd_open_of_an_unknown_or_released_pid_is_esrch() {
    let mut lab = pidfd_lab();
    assert_eq!(lab.k.pidfd_open(lab.me, 4242, 0), -ESRCH);
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), RELEASED, "init waits for the victim");
    lab.enter();
    assert_eq!(lab.k.pidfd_open(lab.me, VICTIM, 0), -ESRCH);
}

/// §A.0 pidfd_get_pid accepts pidfds only: EBADF for a /proc/<pid> directory fd, a plain
/// file and an unused fd number; pidfd_to_pid (pidfd_send_signal's) also accepts the /proc
/// directory.
#[test]
fn pidfd_get_pid_takes_only_pidfds_pidfd_to_pid_also_proc_dirs() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    let k = &mut lab.k;
    assert_eq!(k.pidfd_get_pid(me, 3), VICTIM);
    assert_eq!(k.pidfd_get_pid(me, 4), -EBADF, "/proc dir");
    assert_eq!(k.pidfd_get_pid(me, 5), -EBADF, "plain file");
    assert_eq!(k.pidfd_get_pid(me, 77), -EBADF, "no such fd");
    assert_eq!(k.pidfd_to_pid(me, 3), VICTIM);
    assert_eq!(k.pidfd_to_pid(me, 4), VICTIM, "/proc dir");
    assert_eq!(k.pidfd_to_pid(me, 5), -EBADF, "plain file");
    assert_eq!(k.pidfd_to_pid(me, 77), -EBADF, "no such fd");
}

/// §A.0: get_pid_task() returns NULL only after release_task(): it finds the victim while it
/// lives, and ESRCH once the parent has reaped it.
#[test]
fn get_pid_task_fails_only_after_release() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    assert_eq!(lab.k.get_pid_task(me, VICTIM, PIDTYPE_TGID), VICTIM);
    assert_eq!(lab.k.put_task_struct(me, VICTIM as u32), 0);
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), RELEASED);
    lab.enter();
    assert_eq!(lab.k.get_pid_task(me, VICTIM, PIDTYPE_TGID), -ESRCH);
    assert_eq!(lab.k.get_pid_task(me, VICTIM, PIDTYPE_PID), -ESRCH);
    assert_eq!(lab.k.leaked_refs(), vec![0.0, 0.0]);
}

/// §A.0: a zombie that has not been waited for still resolves to a task, with ->mm NULL.
#[test]
fn get_pid_task_finds_an_unwaited_zombie_without_mm() {
    let mut lab = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], S)
        .unwaited()
        .lab(1);
    lab.enter();
    lab.kill(VICTIM);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(lab.state(VICTIM), ZOMBIE as f64);
    lab.enter();
    assert_eq!(lab.k.get_pid_task(lab.me, VICTIM, PIDTYPE_TGID), VICTIM);
    assert_eq!(lab.k.task_mm(VICTIM as u32), 0, "exit_mm has run");
    assert_eq!(lab.k.put_task_struct(lab.me, VICTIM as u32), 0);
}

/// §A.0: get_pid_task(pid, PIDTYPE_TGID) finds only a thread-group leader (pidfd_get_task's
/// lookup); PIDTYPE_PID finds any thread.
#[test]
fn get_pid_task_tgid_finds_leaders_only() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    let thread = VICTIM + 1;
    assert_eq!(lab.k.get_pid_task(me, thread, PIDTYPE_TGID), -ESRCH);
    assert_eq!(lab.k.get_pid_task(me, thread, PIDTYPE_PID), thread);
    assert_eq!(lab.k.get_pid_task(me, VICTIM, PIDTYPE_TGID), VICTIM);
    assert_eq!(lab.k.put_task_struct(me, thread as u32), 0);
    assert_eq!(lab.k.put_task_struct(me, VICTIM as u32), 0);
    assert_eq!(lab.k.leaked_refs(), vec![0.0, 0.0]);
}
