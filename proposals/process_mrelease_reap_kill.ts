/**
 * The 2026 kill-and-reap flag: `process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL)`,
 * Minchan Kim, v3 (reference §A.5): a live target is allowed; every process sharing the
 * mm is killed first (an init sharer, or any kill that fails, answers EBUSY once the others
 * are killed, and nothing is reaped); then the mm is
 * reaped as mainline does. Suggested-by Michal Hocko, Reviewed-by Suren Baghdasaryan; its
 * final outcome is UNVERIFIED (§G.5).
 *
 * The kernel side is mainline's SYSCALL_DEFINE2(process_mrelease) with the v3 patch applied,
 * one function to read beside the patched mm/oom_kill.c (gotos as labelled blocks: `break
 * drop_mm` is `goto drop_mm`), plus the function the patch adds, kill_all_shared_mm(). As
 * in proposals/process_mrelease.ts, the lab adds a preemption point after task_unlock(p).
 *
 * Also here: what a stock 6.18 kernel answers to the same call ({@linkcode
 * stock_process_mrelease}), for `lab diff`.
 *
 * @module
 */

import {
  type Design,
  type DesignContext,
  ERRNO,
  type KGen,
  MMF_OOM_SKIP,
  PF_KTHREAD,
  pidfd_get_task,
  type Primitives,
  SIGKILL,
  SYSCALLS,
  type Userspace,
  victimFd,
} from "../src/core/mod.ts";

/** include/uapi/linux/mman.h (v1+): kill every user of the mm, then reap it. */
export const PROCESS_MRELEASE_REAP_KILL = 1 << 0;
/** include/uapi/linux/mman.h (v1+): the flags process_mrelease accepts. */
export const PROCESS_MRELEASE_VALID_FLAGS = PROCESS_MRELEASE_REAP_KILL;

/** SYSCALL_DEFINE2(process_mrelease, int, pidfd, unsigned int, flags)'s arguments. */
export interface ReapKillArgs {
  /** The pidfd of the process to kill and reap. */
  readonly pidfd: number;
  /** {@linkcode PROCESS_MRELEASE_REAP_KILL}, or 0 for mainline's call. */
  readonly flags: number;
}

/**
 * kill_all_shared_mm(victim, mm): SIGKILL, with the pidfd path's permission check, to every
 * process that shares the mm, in for_each_process order. As v3 has it, the walk goes on
 * past a failure: an init sharer (`if (is_global_init(p)) { failed = true; continue; }`)
 * and a refused kill (`if (do_pidfd_send_signal_pidns(...)) failed = true;`) only mark it,
 * kthreads are skipped, and `return failed ? -EBUSY : 0;` answers at the end, after every
 * other sharer has been killed.
 */
function kill_all_shared_mm(k: Primitives, mm: number): number {
  let failed = false;
  for (let p = k.next_process_sharing_mm(mm, 0); p; p = k.next_process_sharing_mm(mm, p)) {
    if (k.is_global_init(p)) {
      failed = true;
      continue;
    }
    if (k.task_flags(p) & PF_KTHREAD) continue;
    if (k.kill_pid_info(SIGKILL, p) !== 0) failed = true;
  }
  return failed ? -ERRNO.EBUSY : 0;
}

/**
 * process_mrelease with the v3 patch applied on mainline. v3 takes mmgrab() after the
 * dying test, and only when it reaps; the lab takes it where mainline does, before the test
 * (the same answers).
 */
export function* process_mrelease_reap_kill(k: Primitives, args: ReapKillArgs): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags & ~PROCESS_MRELEASE_VALID_FLAGS) return -ERRNO.EINVAL;
  const reap_kill = (args.flags & PROCESS_MRELEASE_REAP_KILL) !== 0;

  const task = pidfd_get_task(k, args.pidfd, { pidfd_self: true });
  if (task < 0) return task; // IS_ERR(task)

  put_task: {
    // "Make sure to choose a thread which still has a reference to mm during the group exit"
    const p = k.find_lock_task_mm(task);
    if (!p) {
      ret = -ERRNO.ESRCH;
      break put_task;
    }

    const mm = k.task_mm(p);
    k.mmgrab(mm);

    // With the flag a live target is allowed: the call kills it.
    reap = reap_kill || k.task_will_free_mem(p);
    if (!reap) {
      // "Error only if the work has not been done already"
      if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

      if (reap_kill) {
        ret = kill_all_shared_mm(k, mm);
        if (ret) break drop_mm;
      }

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      // "Check MMF_OOM_SKIP again under mmap_read_lock protection to ensure possible change
      // in exit_mmap is seen"
      if (!k.test_bit(MMF_OOM_SKIP, mm) && !(yield* k.__oom_reap_task_mm(mm))) {
        ret = -ERRNO.EAGAIN;
      }
      k.mmap_read_unlock(mm);
    }
    k.mmdrop(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * Stock 6.18's process_mrelease, for this design's call: `if (flags) return -EINVAL;` for
 * every flag; without one, the patched function takes mainline's path line for line (v3
 * changes nothing when the flag is clear), so it stands for the unpatched one here.
 */
function* process_mrelease_618(k: Primitives, args: ReapKillArgs): KGen<number> {
  if (args.flags) return -ERRNO.EINVAL;
  return yield* process_mrelease_reap_kill(k, args);
}

/** How a memory killer calls it: no kill before the call, which kills. */
const CALL = { flags: PROCESS_MRELEASE_REAP_KILL } as const;

/** The recipe of both records, with `process_mrelease` as the kernel side: the one call. */
function* reapKill(
  u: Userspace,
  ctx: DesignContext,
  process_mrelease: (k: Primitives, args: ReapKillArgs) => KGen<number>,
): KGen<number> {
  const fd = yield* victimFd(u, ctx);
  const flags = ctx.call.flags ?? CALL.flags;
  return yield* u.syscall(
    SYSCALLS.process_mrelease,
    [fd, flags],
    (k) => process_mrelease(k, { pidfd: fd, flags }),
  );
}

/** The design's call on a stock 6.18 kernel (the host's): EINVAL, the flag is unknown. */
export const stock_process_mrelease: Design = {
  name: "stock_process_mrelease",
  call: "process_mrelease(pidfd, 1)",
  summary: "PROCESS_MRELEASE_REAP_KILL on stock 6.18: flags must be 0, EINVAL.",
  date: "2025-11-30",
  status: "stock v6.18 (what the host runs)",
  lore: "torvalds/linux:mm/oom_kill.c (v6.18)",
  kernelBase: "6.18",
  kind: "stock",
  reaper: "victim",
  mergedIn: "5.15",
  killsInCall: false,
  defaults: CALL,
  stock: "self",
  *recipe(u, ctx) {
    return yield* reapKill(u, ctx, process_mrelease_618);
  },
};

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
  defaults: CALL,
  stock: stock_process_mrelease,
  listedAs: "the 2026 `PROCESS_MRELEASE_REAP_KILL` flag",
  killsSharers: { by: "kill_all_shared_mm()", ref: "§A.5" },
  semantics:
    "The 2026 flag PROCESS_MRELEASE_REAP_KILL turns process_mrelease into kill-and-reap: " +
    "with it a live target is allowed. After mainline's checks (unknown flags EINVAL, " +
    "EBADF, ESRCH) and mmgrab(), kill_all_shared_mm() sends SIGKILL, with the pidfd path's " +
    "permission check, to every process sharing the mm but init and kthreads; an init " +
    "sharer or any failed kill makes it answer EBUSY after the others are killed, and " +
    "nothing is reaped. Otherwise the mm is reaped as mainline does, under " +
    "mmap_read_lock_killable() " +
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
  victimArg: "pidfd",
  findsMm: "find_lock_task_mm",
  zaps: "reap",
  rechecksOomSkip: true,
  answers: {
    "leader-past-exit-mm": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EBUSY"],
    "past-exit-mm": ["ESRCH"],
    "init": ["EBUSY"],
    "kthread": ["ESRCH"],
    "no-kill-permission": ["EBUSY", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
  },
  otherFlags: { 0: "plain process_mrelease, without the kill" },
  breaks: [
    {
      property: "safety",
      rules: ["pgtables_freed_under_walker"],
      kernels: ["5.10", "5.15", "5.16"],
      why: "REAP_KILL is mainline's body (mmgrab only, §A.5), written for kernels whose " +
        "exit_mmap frees page tables under mmap_lock (v5.17+, §F.2); run on 5.10-5.16 it " +
        "meets the §F.1 race like v9",
    },
    {
      property: "safety",
      rules: ["vma_use_after_free"],
      kernels: ["5.10", "5.15", "5.16"],
      why: "as v9 on 5.10-5.16: a walk after the victim's exit_mmap reads the dangling " +
        "mm->mmap",
    },
  ],
  *recipe(u, ctx) {
    return yield* reapKill(u, ctx, process_mrelease_reap_kill);
  },
};
