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
 * | `mainline` | as v5.17, plus the PIDFD_SELF_* sentinels (~v6.14) | torvalds/linux:mm/oom_kill.c |
 * | `mainline-inverted-check` | the 2025 mm-new bug (§F.5): the re-check lost its `!` | 20250916194915.1395712-1-clm@meta.com |
 *
 * @module
 */

import type { Design } from "../src/core/design.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import { MMF_OOM_SKIP, PIDTYPE_TGID } from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import type { KernelVersion } from "../src/engine/scenario/mod.ts";
import { killFirst, victimFd } from "../src/core/recipe.ts";

/** The variants, oldest first. */
export const MRELEASE_VARIANTS = [
  "v9",
  "v5.15",
  "v5.16",
  "v5.17",
  "mainline",
  "mainline-inverted-check",
] as const;
/** One of {@linkcode MRELEASE_VARIANTS}. */
export type MreleaseVariant = (typeof MRELEASE_VARIANTS)[number];

/** include/uapi/linux/pidfd.h (~v6.14): the calling thread, and its thread group. */
export const PIDFD_SELF_THREAD = -10000;
export const PIDFD_SELF_THREAD_GROUP = -20000;

/**
 * pidfd_get_task(fd) (v5.16+), or pidfd_get_pid() + get_pid_task(PIDTYPE_TGID) before: the
 * same answers, EBADF for anything but a pidfd, ESRCH when no thread-group leader is left.
 * A task reference on success.
 */
export function pidfd_get_task(k: Primitives, pidfd: number, v: MreleaseVariant): number {
  if (
    v.startsWith("mainline") && (pidfd === PIDFD_SELF_THREAD || pidfd === PIDFD_SELF_THREAD_GROUP)
  ) {
    const self = pidfd === PIDFD_SELF_THREAD ? k.current : k.task_tgid(k.current);
    return k.get_pid_task(self, pidfd === PIDFD_SELF_THREAD ? 0 : PIDTYPE_TGID) || -ERRNO.ESRCH;
  }
  const pid = k.pidfd_get_pid(pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  return k.get_pid_task(pid, PIDTYPE_TGID) || -ERRNO.ESRCH;
}

/** SYSCALL_DEFINE2(process_mrelease, int, pidfd, unsigned int, flags), by variant. */
export function* process_mrelease(
  k: Primitives,
  args: { pidfd: number; flags: number; variant: MreleaseVariant },
): KGen<number> {
  const v = args.variant;
  // The nommu stub's ENOSYS is not modelled: the lab's kernel has an MMU.
  if (args.flags) return -ERRNO.EINVAL;
  const task = pidfd_get_task(k, args.pidfd, v);
  if (task < 0) return task;
  // "Make sure to choose a thread which still has a reference to mm during the group exit."
  const p = k.find_lock_task_mm(task);
  if (!p) {
    k.put_task_struct(task);
    return -ERRNO.ESRCH;
  }
  const ret = v === "v9"
    ? yield* merged_v9(k, p)
    : v === "v5.15" || v === "v5.16"
    ? yield* mmget_not_zero_fix(k, p)
    : yield* mmgrab_recheck(k, p, v);
  k.put_task_struct(task);
  return ret;
}

/** v9 as merged: mmgrab, and MMF_OOM_SKIP before task_will_free_mem (success, no work). */
function* merged_v9(k: Primitives, p: number): KGen<number> {
  const mm = k.task_mm(p);
  k.mmgrab(mm);
  let ret = 0;
  let reap = true;
  if (k.test_bit(MMF_OOM_SKIP, mm)) {
    // "If the work has been done already, just exit with success."
    reap = false;
  } else if (!k.task_will_free_mem(p)) {
    reap = false;
    ret = -ERRNO.EINVAL;
  }
  yield* unlock_task(k, p);
  // Only mm_count is pinned: on v5.15's exit_mmap the victim may free the page tables under
  // this walk (§F.1).
  if (reap) ret = yield* reap_locked(k, mm, "none");
  k.mmdrop(mm);
  return ret;
}

/** 337546e83fc7: pin mm_users (mmget_not_zero), so exit_mmap cannot run under the walk. */
function* mmget_not_zero_fix(k: Primitives, p: number): KGen<number> {
  const mm = k.task_mm(p);
  const { reap, ret } = dying_or_done(k, p, mm);
  yield* unlock_task(k, p);
  // mm_users already 0: the victim's exit_mmap has it; success with no work.
  if (!reap || !k.mmget_not_zero(mm)) return ret;
  const reaped = yield* reap_locked(k, mm, "none");
  // The caller may be the last user: then it runs exit_mmap (and waits for AIO) here.
  yield* k.mmput(mm);
  return reaped;
}

/** ba535c1caf3e (v5.17) and mainline: mmgrab, MMF_OOM_SKIP re-checked under the lock. */
function* mmgrab_recheck(k: Primitives, p: number, v: MreleaseVariant): KGen<number> {
  const mm = k.task_mm(p);
  k.mmgrab(mm);
  const { reap, ret } = dying_or_done(k, p, mm);
  yield* unlock_task(k, p);
  // The 2025 accessor conversion lost the `!` of the re-check (§F.5).
  const recheck = v === "mainline-inverted-check" ? "inverted" : "oom_skip";
  const result = reap ? yield* reap_locked(k, mm, recheck) : ret;
  k.mmdrop(mm);
  return result;
}

/**
 * From 337546e83fc7 on: reap a dying target; otherwise EINVAL, "only if the work has not been
 * done already" (MMF_OOM_SKIP set → 0).
 */
export function dying_or_done(
  k: Primitives,
  p: number,
  mm: number,
): { reap: boolean; ret: number } {
  if (k.task_will_free_mem(p)) return { reap: true, ret: 0 };
  return { reap: false, ret: k.test_bit(MMF_OOM_SKIP, mm) ? 0 : -ERRNO.EINVAL };
}

/** task_unlock(p): spin_unlock re-enables preemption, so the victim's exit may run here. */
export function* unlock_task(k: Primitives, p: number): KGen<void> {
  k.task_unlock(p);
  yield* k.cond_resched();
}

/**
 * The tail all versions share: mmap_read_lock_killable (EINTR on a fatal signal to the
 * caller), __oom_reap_task_mm (EAGAIN when a notifier refused), unlock. `recheck`: from v5.17
 * MMF_OOM_SKIP is tested again under the lock "to ensure possible change in exit_mmap is
 * seen" and the reap skipped when set; `inverted` is §F.5's lost `!`.
 */
export function* reap_locked(
  k: Primitives,
  mm: number,
  recheck: "none" | "oom_skip" | "inverted",
): KGen<number> {
  if ((yield* k.mmap_read_lock_killable(mm)) !== 0) return -ERRNO.EINTR;
  const skip = k.test_bit(MMF_OOM_SKIP, mm);
  const done = recheck === "oom_skip" ? skip : recheck === "inverted" ? !skip : false;
  const ret = !done && !(yield* k.__oom_reap_task_mm(mm)) ? -ERRNO.EAGAIN : 0;
  k.mmap_read_unlock(mm);
  return ret;
}

/** The variant that was current in a kernel release. */
export function mreleaseVariantFor(kernel: KernelVersion): MreleaseVariant {
  switch (kernel) {
    case "5.10":
    case "5.15":
      return "v5.15";
    case "5.16":
      return "v5.16";
    case "5.17":
    case "5.18":
    case "6.0":
      return "v5.17";
    case "6.18":
      return "mainline";
  }
}

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
  defaults: { flags: 0 },
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
    },
    {
      name: "v5.15",
      summary: "mmget_not_zero instead of mmgrab; MMF_OOM_SKIP an error only when not dying",
      source: "337546e83fc7 (20211022014658.263508-1-surenb@google.com)",
      kernels: ["5.10", "5.15"],
    },
    {
      name: "v5.16",
      summary: "pidfd_get_task() replaces the two lookups (same answers)",
      source: "Christian Brauner's pid helpers (v5.16)",
      kernels: ["5.16"],
    },
    {
      name: "v5.17",
      summary: "back to mmgrab, MMF_OOM_SKIP re-checked under the read lock",
      source: "ba535c1caf3e (20211209191325.3069345-3-surenb@google.com)",
      kernels: ["5.17", "5.18", "6.0"],
    },
    {
      name: "mainline",
      summary: "as v5.17, plus the PIDFD_SELF_* sentinels (~v6.14)",
      source: "torvalds/linux:mm/oom_kill.c",
      kernels: ["6.18"],
    },
    {
      name: "mainline-inverted-check",
      summary: "the 2025 mm-new bug: the re-check lost its `!` (§F.5)",
      source: "20250916194915.1395712-1-clm@meta.com",
    },
  ],
  defaultVariant: "mainline",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const flags = ctx.call.flags ?? 0;
    const variant = (ctx.variant ?? mreleaseVariantFor(ctx.kernel)) as MreleaseVariant;
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease(k, { pidfd: fd, flags, variant }),
    );
  },
};
