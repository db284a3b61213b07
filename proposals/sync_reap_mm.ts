/**
 * Proposal 1 (Nov 2020 RFC): `pidfd_send_signal(pidfd, SIGKILL, NULL, SYNC_REAP_MM)`.
 * Suren Baghdasaryan, "[RFC PATCH 1/1] mm/oom_kill: ... sync reaping of the killed
 * process's memory"; reference §A.1. Kernel side: kernel/signal.c (v5.10) with the patch.
 *
 * @module
 */

import type { Design } from "../src/design.ts";
import { ERRNO } from "../src/core/errno.ts";
import {
  type KGen,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  PIDTYPE_PID,
  type Primitives,
  SIGKILL,
} from "../src/core/primitives.ts";
import { NR } from "../src/core/userspace.ts";
import { victimFd } from "../src/recipe.ts";

/** include/linux/signal.h (kernel-internal, not uapi: userspace hard-codes it). */
export const SYNC_REAP_MM = 0x1;

/** The patched pidfd_send_signal(pidfd, sig, info = NULL, flags). */
export function* pidfd_send_signal(
  k: Primitives,
  args: { pidfd: number; sig: number; flags: number },
): KGen<number> {
  const { pidfd, sig, flags } = args;
  // Flags are checked before the fd: a bad fd with bad flags is EINVAL.
  if (flags) {
    if (flags !== SYNC_REAP_MM || sig !== SIGKILL) return -ERRNO.EINVAL;
  }
  // fdget + pidfd_to_pid(): a pidfd or a /proc/<pid> directory.
  const pid = k.pidfd_to_pid(pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  // access_pidfd_pidns(): the lab has one pid namespace. info is NULL: no copy, no EFAULT.
  const ret = k.kill_pid_info(sig, pid);
  if (ret) return ret;
  // The signal is delivered even when the reap then fails.
  if (flags & SYNC_REAP_MM) return yield* reap_mm(k, pid);
  return 0;
}

/** reap_mm(pid), the new static function in kernel/signal.c. */
function* reap_mm(k: Primitives, pid: number): KGen<number> {
  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH;
  k.task_lock(task);
  // Looks at the pidfd's task itself (the leader): a zombie leader has no mm → EBUSY.
  if (!k.task_will_free_mem(task)) {
    k.task_unlock(task);
    k.put_task_struct(task);
    return -ERRNO.EBUSY;
  }
  const mm = k.task_mm(task);
  // mm_users, not mm_count: the victim cannot run exit_mmap meanwhile, and the caller may
  // end up running the final mmput and the whole teardown itself.
  k.mmget(mm);
  let ret = 0;
  if (k.test_bit(MMF_OOM_VICTIM, mm) || k.test_bit(MMF_OOM_SKIP, mm)) {
    // "Already being reclaimed".
    k.task_unlock(task);
  } else {
    // Keeps the OOM killer and other SYNC_REAP_MM callers away.
    k.set_bit(MMF_OOM_SKIP, mm);
    k.task_unlock(task);
    // Blocking, not killable, not a trylock.
    yield* k.mmap_read_lock(mm);
    if (!(yield* k.__oom_reap_task_mm(mm))) {
      ret = -ERRNO.EAGAIN;
      // So the caller can retry.
      k.clear_bit(MMF_OOM_SKIP, mm);
    }
    k.mmap_read_unlock(mm);
  }
  yield* k.mmput(mm);
  k.put_task_struct(task);
  return ret;
}

/** The design: one call kills and reaps. */
export const sync_reap_mm: Design = {
  name: "sync_reap_mm",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, SYNC_REAP_MM)",
  summary: "Kill and reap synchronously in one pidfd_send_signal call.",
  date: "2020-11-13",
  status: "RFC, not merged (reviewers preferred process_madvise, §C.1)",
  lore: "https://lore.kernel.org/all/20201113173448.1863419-1-surenb@google.com/",
  kernelBase: "5.10",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    const sig = ctx.call.sig ?? SIGKILL;
    const flags = ctx.call.flags ?? SYNC_REAP_MM;
    return yield* u.syscall(
      NR.pidfd_send_signal,
      [fd, sig],
      (k) => pidfd_send_signal(k, { pidfd: fd, sig, flags }),
    );
  },
};
