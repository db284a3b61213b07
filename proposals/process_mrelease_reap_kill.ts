/**
 * The 2026 kill-and-reap flag: `process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL)`,
 * Minchan Kim (reference §A.5, errata.md "REAP_KILL v1 → v2"), in the three postings that
 * differ in how the call pins the mm and what it does with a shared one:
 *
 * | variant | what changed | source |
 * |---|---|---|
 * | `v1` | `mmget()` under task_lock, then `kill_pid(task_tgid(task), SIGKILL, 0)`, reap, `mmput()`: the victim cannot run exit_mmap, the caller reaps (and tears down) alone; `task_will_free_mem(p, reap_kill)` lets a live target through | 20260421230239.172582-1-minchan@kernel.org (3/3) |
 * | `v2` | `mmgrab()` before the kill, `reap = reap_kill \|\| task_will_free_mem(p)`, and EINVAL with the flag when the mm has MMF_MULTIPROCESS | 20260429211359.3829683-1-minchan@kernel.org |
 * | `v3` | the MMF_MULTIPROCESS bail-out replaced by kill_all_shared_mm(): every sharer killed, EBUSY for an init sharer or a failed kill | 20260511214226.937793-1-minchan@kernel.org |
 *
 * Suggested-by Michal Hocko, Reviewed-by Suren Baghdasaryan (v3); its final outcome is
 * UNVERIFIED (§G.5). Where v1's changelog and its posted code disagree the code is followed:
 * the changelog says MMF_UNSTABLE is set before the SIGKILL, the posted 3/3 hunk sets it only
 * when __oom_reap_task_mm() starts, after the kill (errata.md), which is what the lab's reap
 * does. v1's 1/3 and 2/3 (clean file folios evicted in mmu_gather, the LRU skipped) were
 * contested and dropped from v2: they are not modelled.
 *
 * **derived** (read from the code the record quotes, stated by no author): v1's
 * `task_will_free_mem(p, reap_kill)` skips the target's own exit test but still asks every
 * other process sharing the mm (the sharer walk is unchanged, so a live sharer gives EINVAL
 * before anything is killed, which is why v2, whose `reap_kill ||` skips the whole test,
 * needed a bail-out of its own); v1 pins with mmget() without the flag too (its changelog:
 * "Used mmget() instead of mmgrab()"); v1 and v2 answer a refused kill with the kill's errno;
 * v2 tests MMF_MULTIPROCESS under task_lock, after mmgrab(), before the dying test ("bail
 * out immediately").
 *
 * The kernel side is mainline's SYSCALL_DEFINE2(process_mrelease) with each posting applied,
 * one function per version to read beside the patched mm/oom_kill.c (gotos as labelled
 * blocks: `break drop_mm` is `goto drop_mm`), plus v3's kill_all_shared_mm(). As in
 * proposals/process_mrelease.ts the versions share only what the kernel shares, so they look
 * alike and a duplicate finder says so: each reads beside its own posting. The lab adds a
 * preemption point after task_unlock(p).
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
  forVariant,
  type KGen,
  MMF_MULTIPROCESS,
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
 * v1's `task_will_free_mem(p, reap_kill)` with the flag: `__task_will_free_mem(task,
 * ignore_exit)` lets the live target through; what is left is the rest of
 * task_will_free_mem() (§B.2): an mm the oom_reaper drained is refused, and every other
 * process sharing the mm must be dying (**derived**, see the module's comment). The caller's
 * mmget() keeps mm_users above 1, so the for_each_process walk always runs, charged here.
 */
function task_will_free_mem_ignore_exit(k: Primitives, p: number, mm: number): boolean {
  if (k.test_bit(MMF_OOM_SKIP, mm)) return false;
  const tgid = k.task_tgid(p);
  for (let q = k.next_process_sharing_mm(mm, 0); q; q = k.next_process_sharing_mm(mm, q)) {
    if (q !== tgid && !k.__task_will_free_mem(q)) return false;
  }
  return true;
}

/**
 * v1 (lore 20260421230239.172582-1-minchan@kernel.org, 3/3): mmget() under task_lock, so the
 * victim's own exit_mm() cannot drop mm_users to 0 and run exit_mmap; the SIGKILL with
 * `kill_pid(task_tgid(task), SIGKILL, 0)` (the victim's thread group only, with the usual
 * permission check); the reap; and mmput(), where the caller, holding the last reference once
 * the victim has passed exit_mm, runs exit_mmap itself ("synchronous and deterministic", the
 * changelog; Michal Hocko's "why is this needed?").
 */
export function* process_mrelease_reap_kill_v1(k: Primitives, args: ReapKillArgs): KGen<number> {
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
    // mm_users, not mm_count: exit_mmap cannot run until the caller's mmput().
    k.mmget(mm);

    reap = reap_kill ? task_will_free_mem_ignore_exit(k, p, mm) : k.task_will_free_mem(p);
    if (!reap) {
      // "Error only if the work has not been done already"
      if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

      if (reap_kill) {
        ret = k.kill_pid_info(SIGKILL, k.task_tgid(task));
        if (ret) break drop_mm;
      }

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      if (!k.test_bit(MMF_OOM_SKIP, mm) && !(yield* k.__oom_reap_task_mm(mm))) {
        ret = -ERRNO.EAGAIN;
      }
      k.mmap_read_unlock(mm);
    }
    // The caller may be the last user: then it runs exit_mmap here, in its own context.
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * v2 (lore 20260429211359.3829683-1-minchan@kernel.org, in mm-new as ee1440e4568f): back to
 * mmgrab(), so the victim's exit_mmap runs in parallel with the reap; `reap = reap_kill ||
 * task_will_free_mem(p)`; and, "to handle shared address spaces safely", EINVAL with the flag
 * when the mm has MMF_MULTIPROCESS (errata.md). MMF_MULTIPROCESS is set only by a
 * clone(CLONE_VM) that is neither a thread nor a vfork (kernel/fork.c
 * `copy_oom_score_adj()`), so a vfork child sharing the mm does not stop it: the victim is
 * killed and the mm reaped while the child still runs on it.
 */
export function* process_mrelease_reap_kill_v2(k: Primitives, args: ReapKillArgs): KGen<number> {
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

    if (reap_kill && k.test_bit(MMF_MULTIPROCESS, mm)) {
      // The bail-out on a shared address space, before anything is killed.
      ret = -ERRNO.EINVAL;
    } else {
      reap = reap_kill || k.task_will_free_mem(p);
      if (!reap) {
        // "Error only if the work has not been done already"
        if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
      }
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

      if (reap_kill) {
        ret = k.kill_pid_info(SIGKILL, k.task_tgid(task));
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
 * v3 (lore 20260511214226.937793-1-minchan@kernel.org): process_mrelease with the v3 patch
 * applied on mainline. v3 takes mmgrab() after the dying test, and only when it reaps; the
 * lab takes it where mainline does, before the test (the same answers).
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

/** The kernel side of each of the record's `variants`, by name. */
export const PROCESS_MRELEASE_REAP_KILL_VERSIONS: Readonly<
  Record<string, (k: Primitives, args: ReapKillArgs) => KGen<number>>
> = {
  "v1": process_mrelease_reap_kill_v1,
  "v2": process_mrelease_reap_kill_v2,
  "v3": process_mrelease_reap_kill,
};

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

/**
 * What v1 and v2 answer where v3 differs: they kill with kill_pid() (EPERM, not EBUSY, for a
 * refused kill), have no is_global_init() test (init's SIGKILL is dropped and its memory
 * reaped: 0), and refuse a shared mm before any kill (EINVAL: v1's sharer walk, v2's
 * MMF_MULTIPROCESS).
 */
const V1_V2_ANSWERS = {
  "not-dying": ["EINVAL"],
  // A group already exiting: v1's sharer walk and v2's lookups can come after its last
  // thread passed exit_mm, where v3's kill is already sent (ESRCH from find_lock_task_mm).
  "leader-past-exit-mm": [
    "0",
    "EAGAIN",
    "EINTR",
    "killed",
    "unfinished",
    "EINVAL",
    "EPERM",
    "ESRCH",
  ],
  "init": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EPERM"],
  "no-kill-permission": ["EPERM", "EINVAL", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
} as const;

/** The design: one call that kills every user of the mm and reaps it. */
export const process_mrelease_reap_kill_design: Design = {
  name: "process_mrelease_reap_kill",
  call: "process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL)",
  summary: "Kill every process sharing the victim's mm, then reap it, in one call.",
  date: "2026-05-11",
  status: "v1-v3 posted 2026 (v2 in mm-new); outcome unknown (§A.5)",
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
  variants: [
    {
      name: "v1",
      summary: "mmget() before the kill: the victim cannot run exit_mmap, the caller reaps " +
        "and tears down alone; a live sharer of the mm gives EINVAL",
      source: "https://lore.kernel.org/all/20260421230239.172582-1-minchan@kernel.org/ (3/3)",
      pins: "mm_users",
      killsSharers: false,
      answers: V1_V2_ANSWERS,
      breaks: [
        {
          property: "safety",
          rules: ["zap_live_sharer"],
          why: "v1 lets a live target through task_will_free_mem(p, reap_kill) and refuses " +
            "no init: the SIGKILL to init is dropped (SIGNAL_UNKILLABLE) and the call reaps " +
            "the memory init still runs on (v3 added `is_global_init()` → EBUSY, §A.5)",
        },
      ],
    },
    {
      name: "v2",
      summary: "mmgrab() before the kill; EINVAL with the flag when the mm has " +
        "MMF_MULTIPROCESS (a vfork child does not set it)",
      source: "https://lore.kernel.org/all/20260429211359.3829683-1-minchan@kernel.org/",
      killsSharers: false,
      answers: V1_V2_ANSWERS,
      breaks: [
        {
          property: "safety",
          rules: ["zap_live_sharer"],
          why: "`reap = reap_kill || ...` skips task_will_free_mem()'s sharer walk, and the " +
            "MMF_MULTIPROCESS bail-out misses a vfork child (copy_oom_score_adj() skips " +
            "CLONE_VFORK) and init (its SIGKILL is dropped): the call reaps memory a live " +
            "process still uses (errata.md; v3 kills every sharer instead)",
        },
        {
          property: "safety",
          rules: ["pgtables_freed_under_walker"],
          kernels: ["5.10", "5.15", "5.16"],
          why: "as v3: mmgrab only, written for kernels whose exit_mmap frees page tables " +
            "under mmap_lock (v5.17+, §F.2); on 5.10-5.16 it meets the §F.1 race like v9",
        },
        {
          property: "safety",
          rules: ["vma_use_after_free"],
          kernels: ["5.10", "5.15", "5.16"],
          why: "as v9 on 5.10-5.16: a walk after the victim's exit_mmap reads the dangling " +
            "mm->mmap",
        },
      ],
    },
    {
      name: "v3",
      summary: "kill_all_shared_mm(): every sharer killed first; EBUSY for an init sharer " +
        "or a failed kill",
      source: "https://lore.kernel.org/all/20260511214226.937793-1-minchan@kernel.org/",
    },
  ],
  defaultVariant: "v3",
  compareVariants: ["v1", "v2"],
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
    "oom-skip": ["0"],
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
    return yield* reapKill(u, ctx, forVariant(PROCESS_MRELEASE_REAP_KILL_VERSIONS, ctx));
  },
};
