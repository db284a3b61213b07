/**
 * Kernel helpers that the kernel shares between syscalls, written once against the
 * primitives, each beside the kernel file it comes from. A design calls them where its
 * source calls them and never carries a copy: pidfd_get_task() serves process_mrelease,
 * the REAP_KILL patch and process_madvise alike; mm_access() serves every version of
 * process_madvise.
 *
 * (The helpers that only the core can model, find_lock_task_mm(), task_will_free_mem(),
 * __oom_reap_task_mm() and the rest, are {@linkcode Primitives} methods.)
 *
 * @module
 */

import { ERRNO } from "./errno.ts";
import { PF_KTHREAD, PIDTYPE_PID, PIDTYPE_TGID } from "./kernel.ts";
import type { Primitives } from "./primitives.ts";
import { PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP } from "./userspace.ts";

/** Which kernel/pid.c a caller of {@linkcode pidfd_get_task} is written against. */
export interface PidfdGetTaskOptions {
  /**
   * true from ~v6.14 (the PIDFD_SELF series): the sentinels {@linkcode PIDFD_SELF_THREAD}
   * and {@linkcode PIDFD_SELF_THREAD_GROUP} name the caller. false for v5.16's helper, to
   * which they are fds like any other (EBADF).
   */
  readonly pidfd_self: boolean;
}

/**
 * kernel/pid.c pidfd_get_task(pidfd, &f_flags) (v5.16+; before, its callers wrote
 * pidfd_get_pid() + get_pid_task(pid, PIDTYPE_TGID) themselves, with the same answers): a
 * task reference to the pidfd's thread-group leader, -EBADF for an fd that is not a pidfd,
 * -ESRCH once no task is left (the leader was waited for). `f_flags` is not modelled: no
 * caller looks at it.
 *
 * @example
 * ```ts
 * import { pidfd_get_task } from "./helpers.ts";
 * // const task = pidfd_get_task(k, pidfd, { pidfd_self: true });
 * // if (task < 0) return task; // IS_ERR(task)
 * ```
 */
export function pidfd_get_task(
  k: Primitives,
  pidfd: number,
  opts: PidfdGetTaskOptions,
): number {
  let pid: number;
  let type: number;
  if (opts.pidfd_self && pidfd === PIDFD_SELF_THREAD) {
    type = PIDTYPE_PID;
    pid = k.current; // get_task_pid(current, type)
  } else if (opts.pidfd_self && pidfd === PIDFD_SELF_THREAD_GROUP) {
    type = PIDTYPE_TGID;
    pid = k.task_tgid(k.current); // get_task_pid(current, type)
  } else {
    pid = k.pidfd_get_pid(pidfd);
    if (pid < 0) return pid; // IS_ERR(pid): -EBADF
    type = PIDTYPE_TGID;
  }
  const task = k.get_pid_task(pid, type);
  if (!task) return -ERRNO.ESRCH;
  return task;
}

/**
 * kernel/fork.c mm_access(task, mode): the task's mm, checked for another process's
 * access. -ESRCH when get_task_mm() finds none (a kthread, or a task past exit_mm; before
 * v6.x it returned NULL and its callers answered ESRCH for it), -EACCES when the mm is not
 * the caller's and ptrace_may_access(task, mode) refuses.
 *
 * The lab takes no reference here: the kernel's get_task_mm() takes one on mm_users (and
 * drops it again on EACCES); a caller that goes on to use the mm pins it itself, with
 * mmget(). The exec_update_lock wait (EINTR) is not reachable: the lab models no exec.
 *
 * @example
 * ```ts
 * import { mm_access } from "./helpers.ts";
 * import { PTRACE_MODE_READ } from "./kernel.ts";
 * // const mm = mm_access(k, task, PTRACE_MODE_READ);
 * // if (mm < 0) return mm; // IS_ERR(mm)
 * ```
 */
export function mm_access(k: Primitives, task: number, mode: number): number {
  // get_task_mm(): NULL for a kthread that adopted an mm.
  const mm = k.task_flags(task) & PF_KTHREAD ? 0 : k.task_mm(task);
  if (!mm) return -ERRNO.ESRCH;
  if (mm !== k.task_mm(k.current) && !k.ptrace_may_access(task, mode)) return -ERRNO.EACCES;
  return mm;
}
