/**
 * An "expedite" flag for `pidfd_send_signal()`, suggested in review: Minchan Kim's reply in
 * the REAP_KILL v3 thread (reference §A.5, §C.5), answering the objection that an mm-scoped
 * kill is the wrong API: the ESRCH race (the victim passes exit_mm before the caller's
 * process_mrelease arrives) remains, so let the kill itself expedite the reclaim, with a
 * pidfd_send_signal flag `PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE`. Christian Brauner: "Maybe"
 * (https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/). No code
 * was posted: the record gives the idea and the flag's name only.
 *
 * Everything below the idea is therefore **derived**, and each variant is one
 * **interpretation**, not a posting:
 *
 * | variant | reading | who frees |
 * |---|---|---|
 * | `sync-reap` | kill and reap synchronously in the caller: the SIGKILL and the mm's mmgrab() under task_lock (as __oom_kill_process()), then process_mrelease's reap | the caller |
 * | `oom-reaper` | kill and hand the mm to the oom_reaper kthread with no delay: mark_oom_victim() (its mmgrab) under task_lock after the SIGKILL, as __oom_kill_process() does, then queue_oom_reaper() without OOM_REAPER_DELAY | the kthread |
 *
 * Derived facts, common to both readings (stated by no author):
 * - the flag's value is the next free bit after PIDFD_SIGNAL_PROCESS_GROUP (1 << 2, v6.9):
 *   1 << 3; it is accepted alone and only with SIGKILL (EINVAL otherwise, checked before the
 *   fd, as pidfd_send_signal checks its other flags);
 * - it signals the pidfd's thread group (lmkd's kill), not a process group: "PROCESS_GROUP"
 *   in the name is read as the pidfd's process;
 * - the kill and the pin happen under the task_lock of a thread that still has the mm
 *   (find_lock_task_mm()), which exit_mm() needs too, so the victim cannot pass exit_mm
 *   between the kill and the pin: the kill→reap window of a separate kill and
 *   process_mrelease does not exist (errata.md "REAP_KILL and the ESRCH window");
 * - the signal is delivered whatever the expedite does next, and a process still using the mm
 *   that is not dying (a vfork child, a CLONE_VM sharer) stops the expedite with EBUSY after
 *   the kill, as SYNC_REAP_MM did (§A.1): the flag kills the named process only, and reaping
 *   memory a live sharer runs on is what the kernel's OOM killer avoids by killing it too;
 * - a target with no thread left that has an mm is killed all the same, and the call answers
 *   ESRCH, as process_mrelease does when find_lock_task_mm() finds nothing: the caller
 *   learns that nothing was expedited (a vfork child may still hold the memory).
 *
 * The oom_reaper's normal delay, which `oom-reaper` skips: mm/oom_kill.c `#define
 * OOM_REAPER_DELAY (2*HZ)` (e4a38402c36e, v5.18: "give the OOM victim time to exit naturally
 * before invoking the oom_reaping", because of robust futexes in anonymous memory, §F.6).
 *
 * Also here: what a stock 6.18 kernel answers to the same call ({@linkcode
 * stock_pidfd_expedite}): EINVAL, the flag is unknown (kernel/signal.c
 * `pidfd_send_signal()`: a flags word with a bit outside the PIDFD_SIGNAL_* scopes is
 * `-EINVAL`).
 *
 * @module
 */

import {
  type Design,
  ERRNO,
  forVariant,
  type KGen,
  MMF_OOM_SKIP,
  PIDTYPE_PID,
  type Primitives,
  SIGKILL,
  stockSignalCall,
  SYSCALLS,
  victimFd,
} from "../src/core/mod.ts";

/** include/uapi/linux/pidfd.h, as the reading has it (**derived**: no value was posted). */
export const PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE = 1 << 3;

/** pidfd_send_signal(pidfd, sig, NULL, flags)'s arguments. */
export interface ExpediteArgs {
  /** The pidfd of the process to kill. */
  readonly pidfd: number;
  /** The signal: SIGKILL with the flag. */
  readonly sig: number;
  /** {@linkcode PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE}. */
  readonly flags: number;
}

/**
 * Whether every process that shares `mm` is dying now, the target included (it was just
 * killed): task_will_free_mem()'s sharer rule (§B.2 rule 5), walked under task_lock right
 * after the kill (**derived**). The walk is charged to the caller.
 */
function sharers_dying(k: Primitives, mm: number): boolean {
  for (let q = k.next_process_sharing_mm(mm, 0); q; q = k.next_process_sharing_mm(mm, q)) {
    if (!k.__task_will_free_mem(q)) return false;
  }
  return true;
}

/**
 * The checks both readings share, before the pin: the flag alone and with SIGKILL, then
 * the pidfd (EBADF), its pid namespace (EINVAL, access_pidfd_pidns()) and its task (ESRCH,
 * as kill_pid_info_type()'s `pid_task(pid, PIDTYPE_PID)`). Returns a task reference, or
 * -errno.
 */
function expedite_task(k: Primitives, args: ExpediteArgs): number {
  if (args.flags !== PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE || args.sig !== SIGKILL) {
    return -ERRNO.EINVAL;
  }
  const pid = k.pidfd_to_pid(args.pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  // The flag rides pidfd_send_signal(), whose access_pidfd_pidns() check comes next.
  if (!k.access_pidfd_pidns(pid)) return -ERRNO.EINVAL;
  const task = k.get_pid_task(pid, PIDTYPE_PID);
  return task ? task : -ERRNO.ESRCH;
}

/**
 * Reading `sync-reap`: the SIGKILL under task_lock of a thread that still has the mm, and the
 * pin (mmgrab) with it, as __oom_kill_process() does; then the reap in the caller's context
 * as process_mrelease does (mmap_read_lock_killable, MMF_OOM_SKIP re-checked, EAGAIN when a
 * notifier refuses).
 */
export function* pidfd_expedite_sync_reap(k: Primitives, args: ExpediteArgs): KGen<number> {
  const task = expedite_task(k, args);
  if (task < 0) return task;
  let mm = 0;

  const p = k.find_lock_task_mm(task);
  let ret = k.kill_pid_info(SIGKILL, k.task_tgid(task));
  // Every thread has passed exit_mm: killed, but nothing to expedite.
  if (!p && !ret) ret = -ERRNO.ESRCH;
  if (p) {
    if (!ret) {
      mm = k.task_mm(p);
      k.mmgrab(mm);
      if (!sharers_dying(k, mm)) ret = -ERRNO.EBUSY;
    }
    k.task_unlock(p);
  }
  yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

  drop_mm: {
    if (ret || !mm) break drop_mm;
    if (yield* k.mmap_read_lock_killable(mm)) {
      ret = -ERRNO.EINTR;
      break drop_mm;
    }
    if (!k.test_bit(MMF_OOM_SKIP, mm) && !(yield* k.__oom_reap_task_mm(mm))) {
      ret = -ERRNO.EAGAIN;
    }
    k.mmap_read_unlock(mm);
  }
  if (mm) k.mmdrop(mm);
  k.put_task_struct(task);
  return ret;
}

/**
 * Reading `oom-reaper`: kill under task_lock and, when every user of the mm is dying,
 * mark_oom_victim() (which pins the mm into signal->oom_mm with mmgrab), as
 * __oom_kill_process() does; then queue the oom_reaper with no delay. The call returns at
 * once; the kthread reaps with its trylock and retries (§B.4) and sets MMF_OOM_SKIP when done.
 */
// deno-lint-ignore require-yield
export function* pidfd_expedite_oom_reaper(k: Primitives, args: ExpediteArgs): KGen<number> {
  const task = expedite_task(k, args);
  if (task < 0) return task;
  let ret = 0;

  put_task: {
    const p = k.find_lock_task_mm(task);
    ret = k.kill_pid_info(SIGKILL, k.task_tgid(task));
    if (!p) {
      // Every thread has passed exit_mm: killed, but nothing to expedite.
      if (!ret) ret = -ERRNO.ESRCH;
      break put_task;
    }
    if (!ret && !sharers_dying(k, k.task_mm(p))) ret = -ERRNO.EBUSY;
    if (!ret) k.mark_oom_victim(p);
    k.task_unlock(p);
    if (!ret) ret = k.queue_oom_reaper(p, 0);
  }
  k.put_task_struct(task);
  return ret;
}

/** The kernel side of each of the record's `variants`, by name. */
export const PIDFD_EXPEDITE: Readonly<
  Record<string, (k: Primitives, args: ExpediteArgs) => KGen<number>>
> = {
  "sync-reap": pidfd_expedite_sync_reap,
  "oom-reaper": pidfd_expedite_oom_reaper,
};

/** How a memory killer calls it: SIGKILL and the flag, no kill before the call. */
const CALL = { sig: SIGKILL, flags: PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE } as const;

/**
 * The design's call on a stock 6.18 kernel (the host's): `pidfd_send_signal()` refuses a
 * flag outside the PIDFD_SIGNAL_* scopes with EINVAL before it looks at the fd, so nothing is
 * killed.
 */
export const stock_pidfd_expedite: Design = {
  name: "stock_pidfd_expedite",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, 1 << 3)",
  summary: "The expedite flag on stock 6.18: an unknown pidfd_send_signal flag, EINVAL.",
  date: "2025-11-30",
  status: "stock v6.18 (what the host runs)",
  lore: "torvalds/linux:kernel/signal.c (v6.18)",
  kernelBase: "6.18",
  kind: "stock",
  reaper: "victim",
  killsInCall: true,
  defaults: CALL,
  stock: "self",
  *recipe(u, ctx) {
    // The core's pidfd_send_signal knows v6.9's scope flags and refuses any other.
    return yield* stockSignalCall(u, ctx, CALL);
  },
};

/** The design: the kill itself expedites the reclaim, in one of two readings. */
export const pidfd_expedite: Design = {
  name: "pidfd_expedite",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE)",
  summary: "Kill through the pidfd and expedite the reclaim in the same call (an idea in " +
    "review; two readings).",
  date: "2026-05-21",
  status: "suggested in review (no code posted; §A.5, §C.5)",
  lore: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
  kernelBase: "7.1",
  kind: "proposal",
  reaper: "caller",
  killsInCall: true,
  marksOomVictim: true,
  pins: "mm_count",
  defaults: CALL,
  stock: stock_pidfd_expedite,
  listedAs: "the 2026 `pidfd_send_signal` expedite flag (an idea in review)",
  semantics: "An idea, not a posting: every step is a reading (derived). " +
    "pidfd_send_signal() gains PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (read as 1 << 3), " +
    "accepted alone and only with SIGKILL (EINVAL, before the fd). The pidfd (or a " +
    "/proc/<pid> directory fd, else EBADF) names the process (EINVAL when the caller's pid " +
    "namespace cannot see it, ESRCH once released). Under " +
    "the task_lock of a thread that still has an mm, the SIGKILL goes to the pidfd's thread " +
    "group with the usual permission check (EPERM) and the mm is pinned with mmgrab(), " +
    "before the victim can run its exit, so the kill→reap window of a separate kill does " +
    "not exist; the signal is delivered whatever follows. If a process still using the mm is " +
    "not dying (a vfork child, a CLONE_VM sharer) the call answers EBUSY and reaps nothing. " +
    "Reading `sync-reap` then reaps in the caller as process_mrelease does " +
    "(mmap_read_lock_killable: EINTR; EAGAIN when an mmu notifier refuses); reading " +
    "`oom-reaper` marks the victim (mark_oom_victim) and queues the oom_reaper kthread with " +
    "no OOM_REAPER_DELAY, returning at once. A target whose threads have all passed exit_mm " +
    "is killed all the same and the call answers ESRCH: nothing was expedited.",
  review: [
    {
      who: "Minchan Kim",
      said: "The ESRCH race remains with a separate kill; floats a pidfd_send_signal flag, " +
        "PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE, so the kill itself expedites the reclaim.",
      link: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
    },
    {
      who: "Christian Brauner",
      said: "Maybe.",
      link: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
    },
  ],
  variants: [
    {
      name: "sync-reap",
      summary: "interpretation: SIGKILL and mmgrab() under task_lock, then " +
        "process_mrelease's reap in the caller",
      source: "derived from Minchan Kim's reply (no code posted)",
    },
    {
      name: "oom-reaper",
      summary: "interpretation: SIGKILL and mark_oom_victim() under task_lock, then " +
        "queue_oom_reaper() with no OOM_REAPER_DELAY; the kthread reaps",
      source: "derived from Minchan Kim's reply (no code posted); mm/oom_kill.c " +
        "__oom_kill_process(), OOM_REAPER_DELAY",
      reaper: "kthread",
    },
  ],
  defaultVariant: "sync-reap",
  // Its kthread reaps instead of the caller: the comparison runs it beside the default
  // reading (classes in src/lab/props/compare/_expedite.ts).
  compareVariants: ["oom-reaper"],
  victimArg: "pidfd_or_proc_dir",
  findsMm: "find_lock_task_mm",
  zaps: "reap",
  rechecksOomSkip: true,
  answers: {
    "not-dying": ["EBUSY"],
    "leader-past-exit-mm": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EBUSY"],
    "past-exit-mm": ["ESRCH", "EPERM"],
    "init": ["EBUSY", "EPERM"],
    "kthread": ["ESRCH", "EPERM"],
    "no-kill-permission": ["EPERM"],
    "oom-skip": ["EBUSY", "EPERM"],
  },
  otherFlags: { 0: "a plain pidfd_send_signal(SIGKILL): the kill without the expedite" },
  breaks: [
    {
      property: "safety",
      rules: ["pgtables_freed_under_walker"],
      kernels: ["5.10", "5.15", "5.16"],
      why: "the sync-reap reading pins with mmgrab() only, as REAP_KILL and mainline " +
        "process_mrelease do, which is safe from v5.17 (exit_mmap frees page tables under " +
        "mmap_lock, §F.2); on 5.10-5.16 it meets the §F.1 race like v9",
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
    const fd = yield* victimFd(u, ctx);
    const sig = ctx.call.sig ?? CALL.sig;
    const flags = ctx.call.flags ?? CALL.flags;
    // Without the flag the call is stock pidfd_send_signal (the core's own).
    if (!flags) return yield* u.pidfd_send_signal(fd, sig, flags);
    const kernel = forVariant(PIDFD_EXPEDITE, ctx);
    return yield* u.syscall(
      SYSCALLS.pidfd_send_signal,
      [fd, sig, 0, /* info */ flags],
      (k) => kernel(k, { pidfd: fd, sig, flags }),
    );
  },
};
