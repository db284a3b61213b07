/**
 * The 2026 kill-and-reap flag: `process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL)`,
 * Minchan Kim, v3 (reference §A.5): a live target is allowed; every process sharing the
 * mm is killed first (an init sharer, or any kill that fails, answers EBUSY); then the mm is
 * reaped as mainline does. Suggested-by Michal Hocko, Reviewed-by Suren Baghdasaryan; its
 * final outcome is UNVERIFIED (§G.5).
 *
 * @module
 */

import { stock_process_mrelease_flags } from "./stock.ts";
import type { Design } from "../src/core/design.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import { SIGKILL } from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import { victimFd } from "../src/core/recipe.ts";
import { dying_or_done, pidfd_get_task, reap_locked, unlock_task } from "./process_mrelease.ts";

/** include/uapi/linux/mman.h (v1+). */
export const PROCESS_MRELEASE_REAP_KILL = 1 << 0;
export const PROCESS_MRELEASE_VALID_FLAGS = PROCESS_MRELEASE_REAP_KILL;

/**
 * kill_all_shared_mm(task, mm): SIGKILL (with the pidfd path's permission check) to every
 * process that shares the mm, in for_each_process order; init, or a kill that fails, stops
 * the walk with EBUSY. (Whether v3 checks for init before killing anything is not in the
 * reference; the lab kills in walk order — derived.)
 */
function kill_all_shared_mm(k: Primitives, mm: number): number {
  for (let p = k.next_process_sharing_mm(mm, 0); p; p = k.next_process_sharing_mm(mm, p)) {
    if (k.is_global_init(p)) return -ERRNO.EBUSY;
    if (k.kill_pid_info(SIGKILL, p) !== 0) return -ERRNO.EBUSY;
  }
  return 0;
}

/** process_mrelease with the v3 patch applied on mainline. */
export function* process_mrelease_reap_kill(
  k: Primitives,
  args: { pidfd: number; flags: number },
): KGen<number> {
  if (args.flags & ~PROCESS_MRELEASE_VALID_FLAGS) return -ERRNO.EINVAL;
  const reap_kill = (args.flags & PROCESS_MRELEASE_REAP_KILL) !== 0;
  // Mainline's pidfd_get_task(): EBADF, ESRCH, and the PIDFD_SELF_* sentinels.
  const task = pidfd_get_task(k, args.pidfd, "mainline");
  if (task < 0) return task;
  const p = k.find_lock_task_mm(task);
  if (!p) {
    k.put_task_struct(task);
    return -ERRNO.ESRCH;
  }
  const mm = k.task_mm(p);
  k.mmgrab(mm);
  // "reap = reap_kill || task_will_free_mem(p)": with the flag a live target is allowed.
  const { reap, ret: refused } = reap_kill ? { reap: true, ret: 0 } : dying_or_done(k, p, mm);
  yield* unlock_task(k, p);
  let ret = refused;
  if (reap && reap_kill) ret = kill_all_shared_mm(k, mm);
  if (reap && ret === 0) ret = yield* reap_locked(k, mm, "oom_skip");
  k.mmdrop(mm);
  k.put_task_struct(task);
  return ret;
}

/** The design: one call that kills every user of the mm and reaps it. */
export const process_mrelease_reap_kill_design: Design = {
  name: "process_mrelease_reap_kill",
  call: "process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL)",
  summary: "Kill every process sharing the victim's mm, then reap it, in one call.",
  date: "2026-05-11",
  status: "v3 under review; outcome unknown (§A.5)",
  lore: "https://lore.kernel.org/all/20260511214226.937793-1-minchan@kernel.org/",
  kernelBase: "7.1",
  kind: "proposal",
  reaper: "caller",
  killsInCall: true,
  pins: "mm_count",
  defaults: { flags: PROCESS_MRELEASE_REAP_KILL },
  stock: stock_process_mrelease_flags,
  semantics:
    "The 2026 flag PROCESS_MRELEASE_REAP_KILL turns process_mrelease into kill-and-reap: " +
    "with it a live target is allowed. After mainline's checks (unknown flags EINVAL, " +
    "EBADF, ESRCH) and mmgrab(), kill_all_shared_mm() sends SIGKILL, with the pidfd path's " +
    "permission check, to every process sharing the mm; an init sharer or any failed kill " +
    "answers EBUSY. The mm is then reaped as mainline does, under mmap_read_lock_killable() " +
    "(EINTR) with the MMF_OOM_SKIP recheck (EAGAIN when an mmu notifier refuses). Without " +
    "the flag the call is mainline process_mrelease.",
  review: [
    {
      who: "Michal Hocko",
      said:
        "Why mmget, when teardown can run from several contexts? Just kill when task_will_free_mem() fails.",
      link: "https://lore.kernel.org/all/aesiYAumkLCyedf0@tiehlicka/",
    },
    {
      who: "Suren Baghdasaryan",
      said: "mmgrab is fine: a concurrent exit_mmap is desirable.",
      link:
        "https://lore.kernel.org/all/CAJuCfpFK+qatN_vHArEKOYe+LRHQG0e3inJrzVdz-mABi-BSTg@mail.gmail.com/",
    },
    {
      who: "Christian Brauner",
      said:
        "A kill scoped by the mm is a completely crazy API and EBUSY makes no sense; keep the mm reachable after exit (task->exit_mm) instead.",
      link: "https://lore.kernel.org/all/20260515-nachdenken-umbenannt-a90006a46e14@brauner/",
    },
    {
      who: "Oleg Nesterov",
      said:
        "Why send SIGKILL through a pidfd at all? If task_will_free_mem() already holds, the kill is unnecessary.",
      link: "https://lore.kernel.org/all/agdAmAfXKXX9Nzcf@redhat.com/",
    },
    {
      who: "Oleg Nesterov",
      said: "Remote-VM access cannot pin an mm indefinitely.",
      link: "https://lore.kernel.org/all/agd--WZpeTq2iKFW@redhat.com/",
    },
    {
      who: "Minchan Kim",
      said:
        "The ESRCH race (the victim passes exit_mm before the caller arrives) remains; floats a pidfd_send_signal expedite flag, to which Christian Brauner said maybe.",
      link: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
    },
  ],
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    const flags = ctx.call.flags ?? PROCESS_MRELEASE_REAP_KILL;
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease_reap_kill(k, { pidfd: fd, flags }),
    );
  },
};
