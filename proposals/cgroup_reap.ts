/**
 * Kill-and-reap of a whole cgroup, two ways (issue 15, design 3):
 *
 * - {@linkcode cgroup_kill_reap}: `cgroup.kill` extended to reap from one kernel context,
 *   the writer's: every member's mm pinned, the cgroup killed, every mm reaped. Shakeel Butt
 *   suggested "an optimized cgroup-wide reap, perhaps overloading cgroup.kill" in 2021
 *   (reference §C.3) and noted it would reap from one kernel thread (§C.4); the issue
 *   credits him and Roman Gushchin with raising it again in the 2026 REAP_KILL thread, whose
 *   messages the stored record does not hold (searched: the `pages` corpus has the v1 thread,
 *   not theirs). No code was posted: the interface and every step below are derived, named
 *   after the kernel functions they would call (cgroup_kill(), find_lock_task_mm(),
 *   __oom_reap_task_mm()), and pin before the kill as REAP_KILL v2/v3 do (errata.md).
 * - {@linkcode cgroup_kill_mrelease}: what oomd does from userspace today (§E.2, since
 *   2025-01): write cgroup.kill, read cgroup.procs, then pidfd_open + process_mrelease(pidfd,
 *   0) for every member, ESRCH ignored; here with 1..N reaper threads (the scenario's caller
 *   and its `intent.also`), each taking every N-th member in cgroup.procs order, as Shakeel
 *   Butt argued a syscall allows (§C.4).
 *
 * Both act on the victim's cgroup, which the memory killer knows from its own bookkeeping
 * (`ctx.victimCgroup`: oomd chose the cgroup, lmkd names its per-app cgroups by uid and pid),
 * not by a syscall. A victim in the root cgroup (every single-victim world)
 * has no cgroup.kill to write (CFTYPE_NOT_ON_ROOT), and both fall back to what lmkd does
 * when it cannot kill a cgroup (§E.1 item 6): SIGKILL through a pidfd, then
 * process_mrelease(pidfd, 0). So on one victim they are process_mrelease as mainline has it.
 *
 * The lab does not model opening files: a read or write below stands for open, the read or
 * write, and close of that file.
 *
 * @module
 */

import {
  type Design,
  type DesignContext,
  ERRNO,
  type KGen,
  killFirst,
  MMF_OOM_SKIP,
  PF_KTHREAD,
  pidfd_get_task,
  PIDTYPE_TGID,
  type Primitives,
  SIGKILL,
  SYSCALLS,
  type SyscallSpec,
  type Userspace,
  victimFd,
} from "../src/core/mod.ts";

/** read(2) (x86_64 0): cgroup.procs. */
const READ: SyscallSpec = { name: "read", nr: 0 };
/** write(2) (x86_64 1): cgroup.kill. */
const WRITE: SyscallSpec = { name: "write", nr: 1 };

/** A syscall body that never sleeps. */
// deno-lint-ignore require-yield
function* now(ret: number): KGen<number> {
  return ret;
}

/**
 * The processes of `cgrp`'s subtree in cgroup.procs order (pre-order, as oomd's
 * reapCgroupRecursively() walks the tree), appended to `out`: their number, or -errno.
 */
function readProcs(k: Primitives, cgrp: number, out: number[]): number {
  let t = k.cgroup_proc_next(cgrp, 0, true);
  for (; t > 0; t = k.cgroup_proc_next(cgrp, t, true)) out.push(t);
  return t < 0 ? t : out.length;
}

/**
 * The reap step of mainline process_mrelease (mm/oom_kill.c, since ba535c1caf3e), on a
 * pinned mm: mmap_read_lock_killable() (EINTR), MMF_OOM_SKIP re-checked under the lock,
 * __oom_reap_task_mm() (EAGAIN when an mmu notifier refuses).
 */
function* reapPinned(k: Primitives, mm: number): KGen<number> {
  if (yield* k.mmap_read_lock_killable(mm)) return -ERRNO.EINTR;
  let ret = 0;
  if (!k.test_bit(MMF_OOM_SKIP, mm) && !(yield* k.__oom_reap_task_mm(mm))) ret = -ERRNO.EAGAIN;
  k.mmap_read_unlock(mm);
  return ret;
}

/**
 * SYSCALL_DEFINE2(process_mrelease) as mainline has it, what oomd calls for each member:
 * flags must be 0; the pidfd's leader; find_lock_task_mm() (ESRCH); mmgrab();
 * task_will_free_mem() or EINVAL (0 once MMF_OOM_SKIP says the work is done); the reap.
 */
function* process_mrelease(k: Primitives, pidfd: number, flags: number): KGen<number> {
  if (flags) return -ERRNO.EINVAL;
  const task = pidfd_get_task(k, pidfd, { pidfd_self: true });
  if (task < 0) return task;
  let ret = -ERRNO.ESRCH;
  const p = k.find_lock_task_mm(task);
  if (p) {
    const mm = k.task_mm(p);
    k.mmgrab(mm);
    const reap = k.task_will_free_mem(p);
    ret = reap || k.test_bit(MMF_OOM_SKIP, mm) ? 0 : -ERRNO.EINVAL;
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: spin_unlock re-enables preemption
    if (reap) ret = yield* reapPinned(k, mm);
    k.mmdrop(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/** The process_mrelease call on `fd`, as a memory killer issues it. */
function* mrelease(u: Userspace, fd: number, flags: number): KGen<number> {
  return yield* u.syscall(
    SYSCALLS.process_mrelease,
    [fd, flags],
    (k) => process_mrelease(k, fd, flags),
  );
}

/** The fallback for a victim in the root cgroup: lmkd's kill through a pidfd, then the call. */
function* killThenRelease(u: Userspace, ctx: DesignContext): KGen<number> {
  const fd = yield* victimFd(u, ctx);
  yield* killFirst(u, ctx, fd);
  return yield* mrelease(u, fd, ctx.call.flags ?? CALL.flags);
}

/** This thread's place among the run's reaper threads, and how many there are. */
function threadOf(u: Userspace, ctx: DesignContext): { index: number; count: number } {
  const callers = ctx.callers ?? [u.current];
  return { index: Math.max(0, callers.indexOf(u.current)), count: Math.max(1, callers.length) };
}

/**
 * Whether a process outside the kill still uses `mm`: a sharer (process_shares_mm, in
 * for_each_process order, charged per process as task_will_free_mem()'s walk is) that is
 * not a kthread and not exiting. Derived: the rule task_will_free_mem() applies (§B.2),
 * asked of the mm because a member may have passed exit_mm since it was pinned.
 */
function usedOutsideTheKill(k: Primitives, mm: number): boolean {
  for (let q = k.next_process_sharing_mm(mm, 0); q; q = k.next_process_sharing_mm(mm, q)) {
    if (!(k.task_flags(q) & PF_KTHREAD) && !k.signal_group_exit(q)) return true;
  }
  return false;
}

/**
 * The derived kernel side of a reaping cgroup.kill on `cgrp`, in the writer's context:
 * 1. every process of the subtree (cgroup.procs order, pre-order) that still has an mm gets
 *    it pinned with mmgrab() under find_lock_task_mm(), each mm once (members may share one);
 * 2. cgroup_kill(cgrp), the existing walk (ENOENT on the root and before v5.14);
 * 3. each pinned mm that no live process outside the kill uses is reaped as process_mrelease
 *    reaps (mmap_read_lock_killable, the MMF_OOM_SKIP re-check); a fatal signal to the writer
 *    ends the reaping (EINTR); EAGAIN is kept and the next mm reaped.
 * Answers 0, or the first error.
 */
function* cgroup_kill_reap(k: Primitives, cgrp: number): KGen<number> {
  const members: number[] = [];
  const listed = readProcs(k, cgrp, members);
  if (listed < 0) return listed;
  const pinned: number[] = [];
  for (const tgid of members) {
    const task = k.get_pid_task(tgid, PIDTYPE_TGID);
    if (!task) continue;
    const p = k.find_lock_task_mm(task);
    if (p) {
      const mm = k.task_mm(p);
      if (!pinned.includes(mm)) {
        k.mmgrab(mm);
        pinned.push(mm);
      }
      k.task_unlock(p);
    }
    k.put_task_struct(task);
    yield* k.cond_resched();
  }
  let ret = k.cgroup_kill(cgrp);
  for (const mm of ret ? [] : pinned) {
    if (usedOutsideTheKill(k, mm)) continue;
    const r = yield* reapPinned(k, mm);
    if (!ret) ret = r;
    if (r === -ERRNO.EINTR) break;
  }
  for (const mm of pinned) k.mmdrop(mm);
  return ret;
}

/** How a memory killer calls them: flags 0 for every process_mrelease. */
const CALL = { flags: 0 } as const;

/** Where both designs differ from a posting: each runs mainline process_mrelease's body. */
const MAINLINE_BODY_BREAKS: Design["breaks"] = [
  {
    property: "safety",
    rules: ["pgtables_freed_under_walker"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "its reap is mainline process_mrelease's (mmgrab only), written for kernels whose " +
      "exit_mmap frees page tables under mmap_lock (v5.17+, §F.2); on 5.10-5.16 it meets the " +
      "§F.1 race like v9",
  },
  {
    property: "safety",
    rules: ["vma_use_after_free"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "as v9 on 5.10-5.16: a walk after the victim's exit_mmap reads the dangling " +
      "mm->mmap",
  },
];

/** On one victim in the root cgroup both answer as mainline process_mrelease (the fallback). */
const FALLBACK_ANSWERS: Design["answers"] = {
  "not-dying": ["EINVAL"],
  "leader-past-exit-mm": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EINVAL"],
  "past-exit-mm": ["ESRCH"],
  "init": ["EINVAL"],
  "kthread": ["ESRCH"],
  "no-kill-permission": ["EINVAL", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
  "oom-skip": ["0"],
};

/** Who raised a cgroup-wide reap, and what oomd and the reviewers said of it. */
const CGROUP_REVIEW: Design["review"] = [
  {
    who: "Shakeel Butt",
    said:
      "Cgroup workloads would walk cgroup.procs, pidfd_open, SIGKILL and reap each pid; an optimized cgroup-wide reap could overload cgroup.kill.",
    link:
      "https://lore.kernel.org/all/CALvZod7GPeB6ArrU8oBPx-1NT-ZDBQzTiJHJDojjO2kAgALkHw@mail.gmail.com/",
  },
  {
    who: "Shakeel Butt",
    said:
      "Kill a job and reap all its processes; a cgroup.kill-based reap would use one kernel thread where a syscall lets userspace reap with several.",
    link:
      "https://lore.kernel.org/all/CALvZod4M6mF3VvAdade3n5fE1E0LQp+CeJHWLc+pHmZqqAhepg@mail.gmail.com/",
  },
  {
    who: "Michal Hocko",
    said:
      "Is reaping every process of a cgroup really needed? The point is forward progress when a victim cannot die.",
    link: "https://lore.kernel.org/all/YP5jyLeYsN3JtdX8@dhcp22.suse.cz/",
  },
];

/**
 * What both records share: each runs mainline process_mrelease's body (per member, or on a
 * victim in the root cgroup), so each answers, pins and finds the mm as it does; the review
 * the idea met.
 */
const MAINLINE_BODY = {
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
  pins: "mm_count",
  defaults: CALL,
  review: CGROUP_REVIEW,
  victimArg: "pidfd",
  findsMm: "find_lock_task_mm",
  dyingTest: "task_will_free_mem",
  zaps: "reap",
  rechecksOomSkip: true,
  answers: FALLBACK_ANSWERS,
  breaks: MAINLINE_BODY_BREAKS,
} as const satisfies Partial<Design>;

/** The in-kernel design: one write kills the victim's cgroup and reaps every member. */
export const cgroup_kill_reap_design: Design = {
  name: "cgroup_kill_reap",
  call: 'write(<victim\'s cgroup>/cgroup.kill, "1") reaping in the writer (derived)',
  summary: "Pin every member's mm, kill the victim's cgroup, reap every mm, in one write.",
  date: "2026-05",
  status: "suggested in review (Shakeel Butt 2021, §C.3; 2026 thread); no code posted",
  lore:
    "https://lore.kernel.org/all/CALvZod7GPeB6ArrU8oBPx-1NT-ZDBQzTiJHJDojjO2kAgALkHw@mail.gmail.com/",
  kernelBase: "7.1",
  listedAs: "the reaping `cgroup.kill` suggested in review",
  reapsCgroup: "kernel",
  semantics:
    "A reaping cgroup.kill (derived: the review named the idea, no code was posted). The " +
    "memory killer writes the cgroup.kill of the victim's cgroup; in the writer's " +
    "context the kernel pins with mmgrab() the mm of every process of the cgroup and its " +
    "descendants that still has one (find_lock_task_mm(), each mm once), runs cgroup_kill() " +
    "(SIGKILL to every member but kthreads and the already dying, no permission check), " +
    "then reaps each pinned mm that no live process outside the kill still uses, as " +
    "process_mrelease reaps (mmap_read_lock_killable: EINTR ends it; EAGAIN when an mmu " +
    "notifier refuses). Pinning before the kill closes the kill-to-reap window for every " +
    "member. One thread reaps everything. A victim in the root cgroup has no cgroup.kill: " +
    "the killer falls back to SIGKILL through a pidfd and process_mrelease(pidfd, 0).",
  ...MAINLINE_BODY,
  *recipe(u, ctx) {
    // One write does all the work: further threads of the killer have none.
    if (threadOf(u, ctx).index > 0) return 0;
    const cgrp = ctx.victimCgroup ?? 0;
    if (cgrp === 0) return yield* killThenRelease(u, ctx);
    return yield* u.syscall(WRITE, [cgrp], (k) => cgroup_kill_reap(k, cgrp));
  },
};

/**
 * The userspace design: cgroup.kill, then process_mrelease of every member by the killer's
 * reaper threads, each taking every N-th member of cgroup.procs.
 */
export const cgroup_kill_mrelease_design: Design = {
  name: "cgroup_kill_mrelease",
  call: 'write(cgroup.kill, "1"); process_mrelease(pidfd, 0) per member, 1..N threads',
  summary: "oomd's way: kill the victim's cgroup, then process_mrelease each member in turn.",
  date: "2025-01-16",
  status: "userspace practice: oomd since 2025-01 (§E.2); N threads suggested in review (§C.4)",
  lore: "facebookincubator/oomd:src/oomd/plugins/BaseKillPlugin.cpp",
  kernelBase: "5.15",
  listedAs: "oomd's cgroup.kill with process_mrelease per member",
  reapsCgroup: "userspace",
  semantics:
    "What oomd does from userspace (reapCgroupRecursively(), §E.2): each of the killer's N " +
    "reaper threads (the scenario's caller and its intent.also) writes the cgroup.kill of the " +
    "victim's cgroup (the first write kills every member, the later ones find them " +
    "dying and skip them, so no thread reaps a member before it is killed and the threads " +
    "need no lock), reads cgroup.procs of the subtree, and for every N-th member from its " +
    "own place pidfd_open()s it (a member already gone is skipped, as oomd ignores ESRCH), " +
    "calls process_mrelease(pidfd, 0) (mainline: EINVAL for a live target, ESRCH past " +
    "exit_mm, EINTR, EAGAIN) and closes the pidfd. Where cgroup.kill is missing (before " +
    "v5.14) each thread kills its members through their pidfds first. A victim in the root " +
    "cgroup is killed through a pidfd and released by the first thread. The answer is the " +
    "victim's process_mrelease, or this thread's first.",
  ...MAINLINE_BODY,
  *recipe(u, ctx) {
    const { index, count } = threadOf(u, ctx);
    const cgrp = ctx.victimCgroup ?? 0;
    if (cgrp === 0) return index === 0 ? yield* killThenRelease(u, ctx) : 0;
    const kill = ctx.call.kill !== false;
    const killed = kill ? yield* u.syscall(WRITE, [cgrp], (k) => now(k.cgroup_kill(cgrp))) : 0;
    const members: number[] = [];
    const listed = yield* u.syscall(READ, [cgrp], (k) => now(readProcs(k, cgrp, members)));
    if (listed < 0) return listed;
    const flags = ctx.call.flags ?? CALL.flags;
    let ret: number | undefined;
    for (let i = index; i < members.length; i += count) {
      const fd = yield* u.pidfd_open(members[i], 0);
      if (fd < 0) continue;
      if (kill && killed < 0) yield* u.pidfd_send_signal(fd, SIGKILL, 0);
      const r = yield* mrelease(u, fd, flags);
      yield* u.close(fd);
      if (ret === undefined || members[i] === ctx.victim) ret = r;
    }
    return ret ?? 0;
  },
};
