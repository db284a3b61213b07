//! §A.0: how a pidfd becomes a task (pidfd_open, pidfd_get_pid, pidfd_to_pid, get_pid_task).

use super::*;
use crate::prims::{
    PIDFD_NONBLOCK, PIDFD_SIGNAL_PROCESS_GROUP, PIDFD_SIGNAL_THREAD_GROUP, PIDFD_THREAD,
    PIDTYPE_PID, PIDTYPE_TGID, WEXITED, WNOHANG,
};

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

/// §A.0: without PIDFD_THREAD a pidfd names a thread-group leader; a non-leader pid is
/// EINVAL before v6.15 and ENOENT from it (pidfd_prepare's "report ENOENT" hint; this host,
/// 6.18, answers ENOENT).
#[test]
fn pidfd_open_rejects_a_non_leader_thread() {
    let mut lab = pidfd_lab();
    assert_eq!(lab.k.pidfd_open(lab.me, VICTIM + 1, 0), -ENOENT);
    let fd = lab.k.pidfd_open(lab.me, VICTIM, 0);
    assert_eq!(lab.k.pidfd_get_pid(lab.me, fd), VICTIM);
    let mut old = Sim::new(600)
        .victim(&[VmaSpec::anon(16)], S)
        .thread(VICTIM + 1, S)
        .lab(1);
    old.enter();
    assert_eq!(old.k.pidfd_open(old.me, VICTIM + 1, 0), -EINVAL);
}

/// v6.9's PIDFD_THREAD: a pidfd of any thread, leader or not; before v6.9 the flag is EINVAL.
#[test]
fn pidfd_open_thread_opens_any_thread_from_v6_9() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    let fd = lab.k.pidfd_open(me, VICTIM + 1, PIDFD_THREAD);
    assert!(fd >= 0, "{fd}");
    assert_eq!(lab.k.pidfd_get_pid(me, fd), VICTIM + 1);
    let lfd = lab.k.pidfd_open(me, VICTIM, PIDFD_THREAD | PIDFD_NONBLOCK);
    assert!(lfd >= 0, "{lfd}");
    assert_eq!(lab.k.pidfd_nonblock(me, lfd), 1);
    assert_eq!(lab.k.pidfd_open(me, VICTIM + 1, PIDFD_THREAD | 1), -EINVAL);
    let mut old = Sim::new(600)
        .victim(&[VmaSpec::anon(16)], S)
        .thread(VICTIM + 1, S)
        .lab(1);
    old.enter();
    assert_eq!(old.k.pidfd_open(old.me, VICTIM, PIDFD_THREAD), -EINVAL);
}

/// A non-leader's thread pidfd: pidfd_send_signal finds the thread (kill_pid_info_type's
/// PIDTYPE_PID lookup) and signals its group in every thread scope (0, measured on 6.18);
/// the process-group scope looks for a group the thread's pid leads (none: ESRCH); waitid
/// refuses a thread (ECHILD); SIGKILL through it kills the whole process.
#[test]
fn a_non_leader_thread_pidfd_signals_its_group() {
    let mut lab = pidfd_lab();
    let me = lab.me;
    let fd = lab.k.pidfd_open(me, VICTIM + 1, PIDFD_THREAD);
    assert_eq!(lab.k.pidfd_send_signal(me, fd, 0, 0), 0);
    assert_eq!(
        lab.k
            .pidfd_send_signal(me, fd, 0, PIDFD_SIGNAL_THREAD_GROUP),
        0
    );
    assert_eq!(
        lab.k
            .pidfd_send_signal(me, fd, 0, PIDFD_SIGNAL_PROCESS_GROUP),
        -ESRCH
    );
    assert_eq!(lab.k.waitid_pidfd(me, fd, WEXITED | WNOHANG), -ECHILD);
    assert_eq!(lab.k.pidfd_poll(me, fd), 0, "the thread lives");
    assert_eq!(lab.k.pidfd_send_signal(me, fd, SIGKILL, 0), 0);
    lab.leave();
    lab.idle_until(ONE_S);
    assert_eq!(
        lab.state(VICTIM),
        RELEASED,
        "the whole process died and was waited for"
    );
    lab.enter();
    assert_eq!(lab.k.pidfd_poll(me, fd), 1);
    assert_eq!(lab.k.pidfd_send_signal(me, fd, 0, 0), -ESRCH);
}

/// pidfd_poll: a thread pidfd is readable once its one thread has exited, a process pidfd
/// only once the whole group has (kernel/pid.c pidfd_poll). A zombie leader (it called
/// pthread_exit) with a live thread tells them apart.
#[test]
fn a_thread_pidfd_polls_readable_when_its_thread_exits() {
    let mut lab = Sim::new(618)
        .victim(&[VmaSpec::anon(16)], ZOMBIE)
        .thread(VICTIM + 1, S)
        .lab(1);
    lab.enter();
    let me = lab.me;
    let tfd = lab.k.pidfd_open(me, VICTIM, PIDFD_THREAD);
    let gfd = lab.k.pidfd_open(me, VICTIM, 0);
    let other = lab.k.pidfd_open(me, VICTIM + 1, PIDFD_THREAD);
    assert_eq!(
        lab.k.pidfd_poll(me, tfd),
        1,
        "thread pidfd of the zombie leader"
    );
    assert_eq!(
        lab.k.pidfd_poll(me, gfd),
        0,
        "process pidfd: a thread lives"
    );
    assert_eq!(
        lab.k.pidfd_poll(me, other),
        0,
        "thread pidfd of the live thread"
    );
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

/// A scenario's thread pidfd (the FD record's PIDFD_THREAD bit) loads on a kernel with
/// PIDFD_THREAD, naming any thread, and is refused before v6.9, where no such file exists.
#[test]
fn a_thread_pidfd_in_the_world_needs_v6_9() {
    let world = |kernel: i32| {
        let mut sim = Sim::new(kernel)
            .victim(&[VmaSpec::anon(16)], S)
            .thread(VICTIM + 1, S);
        sim.fds.push([KILLER, 3, FD_PIDFD, VICTIM + 1, 2]);
        sim
    };
    let mut k = Kernel::new(1, 0);
    assert_ne!(k.load_world(&world(600).prog().0), 0);
    assert!(
        k.last_error().contains("PIDFD_THREAD"),
        "{}",
        k.last_error()
    );
    let mut lab = world(618).lab(1);
    lab.enter();
    assert_eq!(lab.k.pidfd_get_pid(lab.me, 3), VICTIM + 1);
    assert_eq!(
        lab.k.pidfd_poll(lab.me, 3),
        0,
        "a thread pidfd of a live thread"
    );
}
