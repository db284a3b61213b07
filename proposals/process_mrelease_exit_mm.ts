/**
 * The 2026 alternative to REAP_KILL that Christian Brauner and Suren Baghdasaryan preferred
 * (reference §A.5, §C.5; errata.md): keep the mm of an exited task reachable, with Jann
 * Horn's 2020 patch rebased (lore 20201016024019.1882062-1-jannh@google.com): exit_mm()
 * keeps an mmgrab()'d `task->exit_mm` until free_task(). The kernel side of that patch is
 * the core's `exit_mm_retention` kernel variant (wasm/src/variant.rs), which this design
 * switches on for its runs (`kernelVariants`); its call is process_mrelease with the UAPI
 * unchanged ("with exit_mm, mrelease can simply use task->exit_mm", Suren, §A.5), the way
 * a memory killer uses it today: kill, then call.
 *
 * No posting shows that process_mrelease change, so every line that differs from mainline
 * is derived, and says so:
 *
 * - find_lock_task_mm() first, as mainline: a thread that still has its mm takes mainline's
 *   path line for line;
 * - when every thread has passed exit_mm (mainline's ESRCH), the pidfd's task's `exit_mm`
 *   under task_lock, pinned with mmgrab(); NULL is still ESRCH;
 * - the dying test there: the task has passed exit_mm, so it is exiting; what can still use
 *   the mm is another process (a CLONE_VM sharer), so the call walks for_each_process as
 *   task_will_free_mem() does and refuses (EINVAL, or 0 when MMF_OOM_SKIP says the work is
 *   done) if a sharer is not dying (`__task_will_free_mem`);
 * - then mainline's reap: mmap_read_lock_killable(), MMF_OOM_SKIP re-checked under the
 *   lock, __oom_reap_task_mm(), mmdrop().
 *
 * What it cannot do (derived, and measured in the review): the pidfd still resolves through
 * get_pid_task(), so once the parent has waited for the zombie (release_task) the call is
 * ESRCH as before; exit_mm is reachable only between exit_mm and the release.
 *
 * @module
 */

import {
  type Design,
  ERRNO,
  type KGen,
  killFirst,
  MMF_OOM_SKIP,
  pidfd_get_task,
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

/**
 * Derived: whether every process that still uses `mm` is dying (task_will_free_mem()'s
 * for_each_process walk, for an mm no thread of the target holds any more).
 */
function sharers_will_free_mem(k: Primitives, mm: number): boolean {
  for (let p = k.next_process_sharing_mm(mm, 0); p; p = k.next_process_sharing_mm(mm, p)) {
    if (!k.__task_will_free_mem(p)) return false;
  }
  return true;
}

/**
 * The mm the call works on and whether it may reap it: mainline's find_lock_task_mm() path,
 * or (derived) the pidfd's task's retained `exit_mm`. `mm` 0 is ESRCH.
 */
function mm_of(k: Primitives, task: number): { mm: number; dying: boolean } {
  // "Make sure to choose a thread which still has a reference to mm during the group exit"
  const p = k.find_lock_task_mm(task);
  if (p) {
    const mm = k.task_mm(p);
    k.mmgrab(mm);
    const dying = k.task_will_free_mem(p);
    k.task_unlock(p);
    return { mm, dying };
  }
  // Derived: every thread has passed exit_mm; the patch left the mm in task->exit_mm.
  k.task_lock(task);
  const mm = k.task_exit_mm(task);
  if (mm) k.mmgrab(mm);
  k.task_unlock(task);
  return { mm, dying: mm !== 0 && sharers_will_free_mem(k, mm) };
}

/** process_mrelease on mainline with the exit_mm patch (the changed lines derived). */
export function* process_mrelease_exit_mm(k: Primitives, args: MreleaseArgs): KGen<number> {
  let ret = 0;

  if (args.flags) return -ERRNO.EINVAL;

  const task = pidfd_get_task(k, args.pidfd, { pidfd_self: true });
  if (task < 0) return task; // IS_ERR(task)

  put_task: {
    const { mm, dying } = mm_of(k, task);
    if (!mm) {
      ret = -ERRNO.ESRCH;
      break put_task;
    }
    // "Error only if the work has not been done already"
    if (!dying && !k.test_bit(MMF_OOM_SKIP, mm)) ret = -ERRNO.EINVAL;
    yield* k.cond_resched(); // the lab's: the spin_unlock re-enables preemption

    drop_mm: {
      if (!dying) break drop_mm;

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

/** How a memory killer calls it: as process_mrelease today, after its own kill. */
const CALL = { flags: 0 } as const;

/** The design: kill, then process_mrelease on a kernel that retains `task->exit_mm`. */
export const process_mrelease_exit_mm_design: Design = {
  name: "process_mrelease_exit_mm",
  call: "process_mrelease(pidfd, 0) with task->exit_mm",
  summary:
    "Kill, then process_mrelease, on a kernel whose exit_mm() keeps the mm reachable until free_task().",
  date: "2026-05-15",
  status: "proposed 2026 (Jann Horn's 2020 patch, rebased; outcome unknown, §A.5)",
  lore: "https://lore.kernel.org/all/20260515-nachdenken-umbenannt-a90006a46e14@brauner/",
  kernelBase: "7.1",
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
  pins: "mm_count",
  defaults: CALL,
  listedAs: "the 2026 `task->exit_mm` retention (Jann Horn's patch)",
  kernelVariants: ["exit_mm_retention"],
  semantics: "The kernel keeps an mmgrab()'d task->exit_mm from exit_mm() to free_task() (Jann " +
    "Horn's 2020 patch, rebased in 2026; the lab's exit_mm_retention kernel variant), and " +
    "process_mrelease(pidfd, 0) keeps its UAPI: flags must be 0 (EINVAL), EBADF, ESRCH " +
    "once the pidfd's process was waited for. A thread that still has an mm takes " +
    "mainline's path. When every thread has passed exit_mm, where mainline answers ESRCH, " +
    "the call (derived: no posting shows it) pins the pidfd task's exit_mm with mmgrab() " +
    "under task_lock, refuses with EINVAL if another process still using the mm is not " +
    "dying (0 when MMF_OOM_SKIP says the work is done), and otherwise reaps under " +
    "mmap_read_lock_killable() (EINTR) with __oom_reap_task_mm() (EAGAIN), so memory that " +
    "a transient mm_users holder (a /proc/<pid>/cmdline reader, async I/O) keeps from " +
    "exit_mmap is freed at once.",
  review: [
    {
      who: "Christian Brauner",
      said:
        "An mm-scoped kill is a completely crazy API; keep task->mm reachable after exit with Jann's old exit_mm patch instead.",
      link: "https://lore.kernel.org/all/20260515-nachdenken-umbenannt-a90006a46e14@brauner/",
    },
    {
      who: "Suren Baghdasaryan",
      said: "With exit_mm, mrelease can simply use task->exit_mm and the UAPI stays unchanged.",
      link: "https://lore.kernel.org/all/20260511214226.937793-1-minchan@kernel.org/",
    },
    {
      who: "Linus Torvalds",
      said:
        "Against adding an exit_mm pointer, which papers over the real issues; exit_mmap should simply take the write lock.",
      link: "https://lore.kernel.org/all/20260511214226.937793-1-minchan@kernel.org/",
    },
    {
      who: "Minchan Kim",
      said:
        "The ESRCH race remains (the victim passes exit_mm before the caller arrives); floated a PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE flag instead.",
      link: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
    },
  ],
  victimArg: "pidfd",
  findsMm: "find_lock_task_mm",
  dyingTest: "task_will_free_mem",
  zaps: "reap",
  rechecksOomSkip: true,
  breaks: [
    {
      property: "safety",
      rules: ["pgtables_freed_under_walker"],
      kernels: ["5.10", "5.15", "5.16"],
      why: "as v9 (§F.1): only mm_count is pinned, and before v5.17 a non-OOM victim's " +
        "exit_mmap frees the page tables with no mmap_lock under the walk",
    },
    {
      property: "safety",
      rules: ["vma_use_after_free"],
      kernels: ["5.10", "5.15", "5.16"],
      why: "derived: the retained exit_mm is pinned by mmgrab only, like v9's (§F.1, §F.3): " +
        "before v5.17 exit_mmap leaves mm->mmap dangling and sets no MMF_OOM_SKIP for a " +
        "non-OOM victim, so a call that reaches the mm after the teardown walks freed VMAs; " +
        "the patch was rebased on 2026 mainline, where exit_mmap clears mm->mmap",
    },
  ],
  answers: {
    "not-dying": ["EINVAL"],
    "leader-past-exit-mm": ["0", "EAGAIN", "EINTR", "killed", "unfinished", "EINVAL"],
    // Derived: past exit_mm the retained mm is reaped until the parent waits (then ESRCH).
    "past-exit-mm": ["ESRCH", "0", "EAGAIN", "EINTR", "killed", "unfinished", "EINVAL"],
    "init": ["EINVAL"],
    "kthread": ["ESRCH"],
    "no-kill-permission": ["EINVAL", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
    "oom-skip": ["0"],
  },
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const flags = ctx.call.flags ?? CALL.flags;
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease_exit_mm(k, { pidfd: fd, flags }),
    );
  },
};
