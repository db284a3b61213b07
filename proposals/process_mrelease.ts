/**
 * Proposal 4: `process_mrelease(pidfd, flags)`, merged for v5.15 (884a7e5964e0, v9 of the
 * series), in the versions the record distinguishes (reference §A.4.1):
 *
 * | variant | what changed | source |
 * |---|---|---|
 * | `v9` | as merged: `pidfd_get_pid` + `get_pid_task(PIDTYPE_TGID)`, `mmgrab` | 20210809185259.405936-1-surenb@google.com |
 * | `v5.15` | 337546e83fc7: `mmget_not_zero` instead of `mmgrab` (exit_mmap freed page tables under the reaper, §F.1); MMF_OOM_SKIP is an error only when not dying | 20211022014658.263508-1-surenb@google.com |
 * | `v5.16` | `pidfd_get_task()` replaces the two lookups (same answers) | Christian Brauner's pid helpers |
 * | `v5.17` | ba535c1caf3e: back to `mmgrab`, MMF_OOM_SKIP re-checked under the read lock | 20211209191325.3069345-3-surenb@google.com |
 * | `mainline` | as v5.17; `pidfd_get_task()` knows the PIDFD_SELF_* sentinels (~v6.14) | torvalds/linux:mm/oom_kill.c |
 * | `mainline-inverted-check` | the 2025 mm-new bug (§F.5): the re-check lost its `!` | 20250916194915.1395712-1-clm@meta.com |
 *
 * Each version is one function, to be read beside that version's SYSCALL_DEFINE2 line by
 * line: the kernel's names and order, its gotos as labelled blocks (`break drop_mm` is `goto
 * drop_mm`). They share only what the kernel shares (pidfd_get_task() and the primitives),
 * so they look alike, and a duplicate finder says so: that is the point, each one reads
 * beside its own source. The record's `variants` name them; {@linkcode PROCESS_MRELEASE}
 * maps each name to its function.
 *
 * Two things every version has in the lab and not in the source: a preemption point after
 * task_unlock(p) (the spin_unlock re-enables preemption, and the victim's exit may run
 * there before the caller goes on: §F.1 and §F.3 need that window), and no nommu stub
 * (ENOSYS): the lab's kernel has an MMU. The lab counts no `struct pid` references, so v9's
 * and v5.15's `put_pid` has no line of its own.
 *
 * @module
 */

import {
  type Design,
  ERRNO,
  forVariant,
  KERNEL_BUGS,
  type KGen,
  killFirst,
  MMF_OOM_SKIP,
  pidfd_get_task,
  PIDTYPE_TGID,
  type Primitives,
  SYSCALLS,
  victimFd,
} from "../src/core/mod.ts";

/** SYSCALL_DEFINE2(process_mrelease, int, pidfd, unsigned int, flags)'s arguments. */
export interface MreleaseArgs {
  /** The pidfd of the process whose memory to release. */
  readonly pidfd: number;
  /** Must be 0. */
  readonly flags: number;
}

/** v9 as merged for v5.15 (884a7e5964e0): mmgrab, and MMF_OOM_SKIP before the dying test. */
export function* process_mrelease_v9(k: Primitives, args: MreleaseArgs): KGen<number> {
  let reap = true;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

  const pid = k.pidfd_get_pid(args.pidfd);
  if (pid < 0) return pid; // IS_ERR(pid): -EBADF

  const task = k.get_pid_task(pid, PIDTYPE_TGID);
  if (!task) return -ERRNO.ESRCH; // goto put_pid

  put_task: {
    // "Make sure to choose a thread which still has a reference to mm during the group exit"
    const p = k.find_lock_task_mm(task);
    if (!p) {
      ret = -ERRNO.ESRCH;
      break put_task;
    }

    const mm = k.task_mm(p);
    k.mmgrab(mm);

    // "If the work has been done already, just exit with success"
    if (k.test_bit(MMF_OOM_SKIP, mm)) {
      reap = false;
    } else if (!k.task_will_free_mem(p)) {
      reap = false;
      ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      // Only mm_count is pinned: on v5.15's exit_mmap the victim may free the page tables
      // under this walk (§F.1).
      if (!(yield* k.__oom_reap_task_mm(mm))) ret = -ERRNO.EAGAIN;
      k.mmap_read_unlock(mm);
    }
    k.mmdrop(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * 337546e83fc7 (v5.15): pin mm_users with mmget_not_zero(), so exit_mmap cannot run under the
 * walk; MMF_OOM_SKIP answers 0 only for a target that is not dying.
 *
 * As the patch has it, the pin is taken first, under task_lock, and the target is looked at
 * only when it succeeds (`if (mmget_not_zero(p->mm)) { mm = p->mm; if (task_will_free_mem(p))
 * ... } task_unlock(p); ... drop_mm: if (mm) mmput(mm);`): the victim cannot drop mm_users to
 * 0 between the dying test and the pin, and the pin makes task_will_free_mem() walk every
 * process (mm_users is at least 2) even for a single-threaded victim.
 */
export function* process_mrelease_v5_15(k: Primitives, args: MreleaseArgs): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

  const pid = k.pidfd_get_pid(args.pidfd);
  if (pid < 0) return pid; // IS_ERR(pid): -EBADF

  const task = k.get_pid_task(pid, PIDTYPE_TGID);
  if (!task) return -ERRNO.ESRCH; // goto put_pid

  put_task: {
    // "Make sure to choose a thread which still has a reference to mm during the group exit"
    const p = k.find_lock_task_mm(task);
    if (!p) {
      ret = -ERRNO.ESRCH;
      break put_task;
    }

    // The pin comes first, under task_lock: while p->mm is set, p's own reference keeps
    // mm_users above 0, so it cannot fail here; and task_will_free_mem() then sees
    // mm_users >= 2 and walks for_each_process even for a single-threaded victim.
    let mm: number | null = null;
    if (k.mmget_not_zero(k.task_mm(p))) {
      mm = k.task_mm(p);
      if (k.task_will_free_mem(p)) {
        reap = true;
      } else {
        // "Error only if the work has not been done already"
        if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
      }
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap || mm === null) break drop_mm;

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      if (!(yield* k.__oom_reap_task_mm(mm))) ret = -ERRNO.EAGAIN;
      k.mmap_read_unlock(mm);
    }
    // The caller may be the last user: then it runs exit_mmap (and waits for AIO) here.
    if (mm !== null) yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * v5.16: as 337546e83fc7, with pidfd_get_task() for the two lookups (same answers). Its
 * mmget_not_zero() is taken under task_lock, as {@linkcode process_mrelease_v5_15}'s.
 */
export function* process_mrelease_v5_16(k: Primitives, args: MreleaseArgs): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

  // v5.16's kernel/pid.c: no PIDFD_SELF_* yet.
  const task = pidfd_get_task(k, args.pidfd, { pidfd_self: false });
  if (task < 0) return task; // IS_ERR(task)

  put_task: {
    // "Make sure to choose a thread which still has a reference to mm during the group exit"
    const p = k.find_lock_task_mm(task);
    if (!p) {
      ret = -ERRNO.ESRCH;
      break put_task;
    }

    // The pin comes first, under task_lock: while p->mm is set, p's own reference keeps
    // mm_users above 0, so it cannot fail here; and task_will_free_mem() then sees
    // mm_users >= 2 and walks for_each_process even for a single-threaded victim.
    let mm: number | null = null;
    if (k.mmget_not_zero(k.task_mm(p))) {
      mm = k.task_mm(p);
      if (k.task_will_free_mem(p)) {
        reap = true;
      } else {
        // "Error only if the work has not been done already"
        if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
      }
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap || mm === null) break drop_mm;

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      if (!(yield* k.__oom_reap_task_mm(mm))) ret = -ERRNO.EAGAIN;
      k.mmap_read_unlock(mm);
    }
    // The caller may be the last user: then it runs exit_mmap (and waits for AIO) here.
    if (mm !== null) yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * ba535c1caf3e (v5.17): back to mmgrab, now that exit_mmap frees page tables under the
 * mmap_lock write lock; MMF_OOM_SKIP re-checked under the read lock.
 */
export function* process_mrelease_v5_17(k: Primitives, args: MreleaseArgs): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

  // v5.16's kernel/pid.c: no PIDFD_SELF_* yet.
  const task = pidfd_get_task(k, args.pidfd, { pidfd_self: false });
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

    if (k.task_will_free_mem(p)) {
      reap = true;
    } else {
      // "Error only if the work has not been done already"
      if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

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
 * mainline (torvalds/linux mm/oom_kill.c): as v5.17, with mm_flags_test() for test_bit()
 * and a pidfd_get_task() that knows the PIDFD_SELF_* sentinels (~v6.14).
 */
export function* process_mrelease_mainline(k: Primitives, args: MreleaseArgs): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

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

    if (k.task_will_free_mem(p)) {
      reap = true;
    } else {
      // "Error only if the work has not been done already"
      if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

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
 * The 2025 mm-new bug (§F.5): 12e423ba4eae's conversion to mm_flags_test() lost the `!` of
 * the re-check, so the call reaps only an mm whose MMF_OOM_SKIP is already set, and answers
 * 0 having done nothing otherwise ("I think we lost a ! here").
 */
export function* process_mrelease_mainline_inverted_check(
  k: Primitives,
  args: MreleaseArgs,
): KGen<number> {
  let reap = false;
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

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

    if (k.task_will_free_mem(p)) {
      reap = true;
    } else {
      // "Error only if the work has not been done already"
      if (!k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    }
    k.task_unlock(p);
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!reap) break drop_mm;

      if (yield* k.mmap_read_lock_killable(mm)) {
        ret = -ERRNO.EINTR;
        break drop_mm;
      }
      // "Check MMF_OOM_SKIP again under mmap_read_lock protection to ensure possible change
      // in exit_mmap is seen"
      if (k.test_bit(MMF_OOM_SKIP, mm) && !(yield* k.__oom_reap_task_mm(mm))) {
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
export const PROCESS_MRELEASE: Readonly<
  Record<string, (k: Primitives, args: MreleaseArgs) => KGen<number>>
> = {
  "v9": process_mrelease_v9,
  "v5.15": process_mrelease_v5_15,
  "v5.16": process_mrelease_v5_16,
  "v5.17": process_mrelease_v5_17,
  "mainline": process_mrelease_mainline,
  "mainline-inverted-check": process_mrelease_mainline_inverted_check,
};

/** How a memory killer calls it. */
const CALL = { flags: 0 } as const;

/** The design: kill, then release the dying process's memory from the killer (lmkd's way). */
export const process_mrelease_design: Design = {
  name: "process_mrelease",
  call: "process_mrelease(pidfd, 0)",
  summary: "Kill, then release the dying process's address space from the caller's context.",
  date: "2021-08-09",
  status: "merged in v5.15 (884a7e5964e0, dce491039628)",
  lore: "https://lore.kernel.org/all/20210809185259.405936-1-surenb@google.com/",
  kernelBase: "5.14",
  kind: "proposal",
  reaper: "caller",
  mergedIn: "5.15",
  killsInCall: false,
  pins: "mm_count",
  defaults: CALL,
  stock: "self",
  compareVariants: ["v9"],
  semantics:
    "process_mrelease(pidfd, flags) releases the memory of a process that is already dying; " +
    "flags must be 0 (EINVAL, checked before the fd). It resolves the pidfd to the " +
    "thread-group leader (EBADF; ESRCH once waited for), picks a thread that still has an " +
    "mm with find_lock_task_mm() (ESRCH when every thread has passed exit_mm), pins the " +
    "mm_struct with mmgrab(), and requires task_will_free_mem(): EINVAL for a live target, " +
    "a live sharer of the mm or a core dump, unless MMF_OOM_SKIP says the work is already " +
    "done (0). It then takes mmap_read_lock_killable() (EINTR on a fatal signal to the " +
    "caller) and reaps with __oom_reap_task_mm() (EAGAIN when an mmu notifier refuses), " +
    "rechecking MMF_OOM_SKIP under the lock since v5.17. No privilege is checked, it never " +
    "sets MMF_OOM_SKIP, and it runs in parallel with the victim's own exit_mmap and the " +
    "oom_reaper.",
  review: [
    {
      who: "Michal Hocko",
      said:
        "Against a trylock with EAGAIN: can the caller do anything about that failure but retry and hope?",
      link: "https://lore.kernel.org/all/YPpfo2z8feq0vTlE@dhcp22.suse.cz/",
    },
    {
      who: "Michal Hocko",
      said:
        "Won't promise non-blocking behaviour at this stage; an explicit opt-in flag could come later.",
      link: "https://lore.kernel.org/all/YPqDnqULylkkzQG5@dhcp22.suse.cz/",
    },
    {
      who: "Michal Hocko",
      said:
        "Some memory cannot be reaped anyway and some users would rather block until it is released; is reaping every process of a cgroup really needed?",
      link: "https://lore.kernel.org/all/YP5jyLeYsN3JtdX8@dhcp22.suse.cz/",
    },
    {
      who: "Shakeel Butt",
      said:
        "Kills a whole job and reaps all its processes; a syscall lets userspace reap with several threads where a cgroup.kill-based reap would use one.",
      link:
        "https://lore.kernel.org/all/CALvZod4M6mF3VvAdade3n5fE1E0LQp+CeJHWLc+pHmZqqAhepg@mail.gmail.com/",
    },
    {
      who: "Michal Hocko",
      said: "v6 leaks a task reference, and its MMF_OOM_SKIP check comes too late.",
      link: "https://lore.kernel.org/all/YQuO36AeQUwsAyU1@dhcp22.suse.cz/",
    },
    {
      who: "Michal Hocko",
      said:
        "mmgrab is enough and teardown in parallel with the exit is fine, even desirable; no extra task reference, no PF_KTHREAD test (v7 review, as quoted by Suren).",
      link:
        "https://lore.kernel.org/all/CAJuCfpFeup+rppM7mbJWJeaCbTdbp=1=r24CjmLWWv4Vsydd2A@mail.gmail.com/",
    },
    {
      who: "Christian Brauner",
      said: "Look the pidfd up as PIDTYPE_TGID, which v9 does.",
      link: "https://lore.kernel.org/all/20210809185259.405936-1-surenb@google.com/",
    },
    {
      who: "Andrew Morton",
      said:
        "Asked for a selftest in the v6 thread; it landed in 2022 as selftests/mm/mrelease_test.c.",
      link: "https://lore.kernel.org/all/20210804185004.1304692-1-surenb@google.com/",
    },
  ],
  variants: [
    {
      name: "v9",
      summary: "as merged: pidfd_get_pid + get_pid_task(PIDTYPE_TGID), mmgrab",
      source: "884a7e5964e0 (20210809185259.405936-1-surenb@google.com)",
      rechecksOomSkip: false,
      breaks: [
        {
          property: "safety",
          rules: ["pgtables_freed_under_walker"],
          kernels: ["5.10", "5.15", "5.16"],
          why: "v9 pins only mm_count (mmgrab); before v5.17 a non-OOM victim's exit_mmap " +
            "frees the page tables with no lock, under the walk (§F.1, fixed by 337546e83fc7)",
        },
        {
          property: "safety",
          rules: ["vma_use_after_free"],
          kernels: ["5.10", "5.15", "5.16"],
          why: "the other face of §F.1: a v9 walk that starts after such an exit_mmap finished " +
            "reads VMAs that mm->mmap still points at (left dangling before v5.17)",
        },
      ],
      races: [
        { race: "f1-pgtables", kernel: "5.15", buggy: true },
        { race: "f6-robust-futex", kernel: "5.15", buggy: true },
      ],
    },
    {
      name: "v5.15",
      summary: "mmget_not_zero instead of mmgrab; MMF_OOM_SKIP an error only when not dying",
      source: "337546e83fc7 (20211022014658.263508-1-surenb@google.com)",
      kernels: ["5.15"],
      pins: "mm_users",
      rechecksOomSkip: false,
      races: [
        { race: "f1-pgtables", kernel: "5.15", buggy: false },
        { race: "f6-robust-futex", kernel: "5.15", buggy: true },
      ],
    },
    {
      name: "v5.16",
      summary: "pidfd_get_task() replaces the two lookups (same answers)",
      source: "Christian Brauner's pid helpers (v5.16)",
      kernels: ["5.16"],
      pins: "mm_users",
      rechecksOomSkip: false,
    },
    {
      name: "v5.17",
      summary: "back to mmgrab, MMF_OOM_SKIP re-checked under the read lock",
      source: "ba535c1caf3e (20211209191325.3069345-3-surenb@google.com)",
      kernels: ["5.17", "5.18", "6.0"],
      races: [
        { race: "f1-pgtables", kernel: "5.17", buggy: false },
        {
          race: "f3-dangling-mmap",
          kernel: "5.17",
          kernelBugs: KERNEL_BUGS.F3_DANGLING_MMAP,
          buggy: true,
        },
        { race: "f3-dangling-mmap", kernel: "5.17", buggy: false },
        { race: "f6-robust-futex", kernel: "5.17", buggy: true },
      ],
    },
    {
      name: "mainline",
      summary: "as v5.17; pidfd_get_task() knows the PIDFD_SELF_* sentinels (~v6.14)",
      source: "torvalds/linux:mm/oom_kill.c",
      kernels: ["6.18"],
      races: [
        { race: "f5-inverted-check", kernel: "6.18", buggy: false },
        { race: "f6-robust-futex", kernel: "6.18", buggy: true },
      ],
    },
    {
      name: "mainline-inverted-check",
      summary: "the 2025 mm-new bug: the re-check lost its `!` (§F.5)",
      source: "20250916194915.1395712-1-clm@meta.com",
      breaks: [
        {
          property: "effectiveness",
          rules: ["reapable_left"],
          why: "the accessor conversion lost the `!` of the MMF_OOM_SKIP re-check: it reaps " +
            "only when the work is already done and otherwise returns 0 having done nothing " +
            "(§F.5)",
        },
        {
          property: "latency",
          rules: ["freed_not_covered"],
          why: "as for effectiveness: with the victim asleep nothing sets MMF_OOM_SKIP, so the " +
            "inverted re-check skips the reap and the call returns 0 having freed nothing " +
            "(§F.5)",
        },
      ],
      races: [{ race: "f5-inverted-check", kernel: "6.18", buggy: true }],
    },
  ],
  defaultVariant: "mainline",
  victimArg: "pidfd",
  findsMm: "find_lock_task_mm",
  dyingTest: "task_will_free_mem",
  zaps: "reap",
  rechecksOomSkip: true,
  answers: {
    "not-dying": ["EINVAL"],
    "leader-past-exit-mm": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EINVAL"],
    "past-exit-mm": ["ESRCH"],
    "init": ["EINVAL"],
    "kthread": ["ESRCH"],
    "no-kill-permission": ["EINVAL", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
    "oom-skip": ["0"],
  },
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const flags = ctx.call.flags ?? CALL.flags;
    const process_mrelease = forVariant(PROCESS_MRELEASE, ctx);
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease(k, { pidfd: fd, flags }),
    );
  },
};
