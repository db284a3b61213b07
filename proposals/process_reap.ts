/**
 * Proposal 3 (June 2021): `process_reap(pidfd, flags)` v1. Suren Baghdasaryan,
 * "[PATCH 1/1] mm: introduce process_reap system call"; reference §A.3. The code is quoted in
 * Shakeel Butt's reply; the tail after the eligibility test (lock, EAGAIN, mmput) is
 * reconstructed from v2/v3 (UNVERIFIED for v1, reference §G.1).
 *
 * Also here: what a stock kernel answers to the same call ({@linkcode
 * stock_unassigned_syscall}), for `lab diff`.
 *
 * @module
 */

import {
  type Design,
  type DesignContext,
  ERRNO,
  type KGen,
  killFirst,
  PF_KTHREAD,
  PIDTYPE_PID,
  type Primitives,
  type SyscallSpec,
  type Userspace,
  victimFd,
} from "../src/core/mod.ts";

/**
 * The syscall v1 adds. No kernel assigned it a number: the trace shows the slot it got when
 * it was merged as process_mrelease (448; v1's own number is UNVERIFIED, §G.1), and a real
 * kernel answers ENOSYS.
 */
export const PROCESS_REAP: SyscallSpec = { name: "process_reap", nr: 448, upstream: false };

/** SYSCALL_DEFINE2(process_reap, int, pidfd, unsigned int, flags). */
export function* process_reap(k: Primitives, args: { pidfd: number; flags: number }): KGen<number> {
  if (args.flags !== 0) return -ERRNO.EINVAL;
  const pid = k.pidfd_get_pid(args.pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH;
  k.task_lock(task);
  // The pidfd's task itself (the leader): a zombie leader has no mm → EINVAL. No
  // MMF_OOM_SKIP test of its own: task_will_free_mem() answers false for it (→ EINVAL).
  if (!k.task_will_free_mem(task) || k.task_flags(task) & PF_KTHREAD) {
    k.task_unlock(task);
    k.put_task_struct(task);
    return -ERRNO.EINVAL;
  }
  const mm = k.task_mm(task);
  k.mmget(mm);
  k.task_unlock(task);
  let ret = 0;
  // Blocking: the v4 review made it killable, in process_mrelease.
  yield* k.mmap_read_lock(mm);
  if (!(yield* k.__oom_reap_task_mm(mm))) ret = -ERRNO.EAGAIN;
  k.mmap_read_unlock(mm);
  yield* k.mmput(mm);
  k.put_task_struct(task);
  return ret;
}

/** How a memory killer calls it. */
const CALL = { flags: 0 } as const;

/** The recipe of both records, with `process_reap` as the kernel side: SIGKILL, then the call. */
function* killThenReap(
  u: Userspace,
  ctx: DesignContext,
  process_reap: (k: Primitives, args: { pidfd: number; flags: number }) => KGen<number>,
): KGen<number> {
  const fd = yield* victimFd(u, ctx);
  yield* killFirst(u, ctx, fd);
  const flags = ctx.call.flags ?? CALL.flags;
  return yield* u.syscall(PROCESS_REAP, [fd, flags], (k) => process_reap(k, { pidfd: fd, flags }));
}

/**
 * The design's call on a stock kernel (the host's): no kernel has the syscall, so the call
 * lands on sys_ni_syscall (kernel/sys_ni.c), ENOSYS.
 */
export const stock_unassigned_syscall: Design = {
  name: "stock_unassigned_syscall",
  call: "process_reap(pidfd, 0) on an unassigned syscall number",
  summary: "process_reap on stock 6.18: no such syscall, ENOSYS.",
  date: "2025-11-30",
  status: "stock v6.18 (what the host runs)",
  lore: "torvalds/linux:kernel/sys_ni.c (v6.18)",
  kernelBase: "6.18",
  kind: "stock",
  reaper: "victim",
  killsInCall: false,
  defaults: CALL,
  stock: "self",
  *recipe(u, ctx) {
    return yield* killThenReap(u, ctx, function* sys_ni_syscall() {
      return -ERRNO.ENOSYS;
    });
  },
};

/** The design: kill, then reap the dying process from the killer's context. */
export const process_reap_v1: Design = {
  name: "process_reap",
  call: "process_reap(pidfd, 0)",
  summary: "A dedicated syscall: reap a dying process's memory from the caller.",
  date: "2021-06-23",
  status: "v1, renamed process_mrelease in v2 (§C.3)",
  lore: "https://lore.kernel.org/all/20210623192822.3072029-1-surenb@google.com/",
  kernelBase: "5.13",
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
  pins: "mm_users",
  defaults: CALL,
  stock: stock_unassigned_syscall,
  semantics:
    "A dedicated syscall, process_reap(pidfd, flags), for a process that is already dying; " +
    "flags must be 0 (EINVAL). It resolves the pidfd (EBADF) to its own task, usually the " +
    "leader (ESRCH once released), and under task_lock requires task_will_free_mem() and " +
    "not a kthread, else EINVAL, which also covers a zombie leader, a live sharer of the " +
    "mm, a core dump and an mm the oom_reaper has finished (MMF_OOM_SKIP). It pins the " +
    "address space with mmget(), takes a blocking mmap_read_lock, and reaps with " +
    "__oom_reap_task_mm(); a refused mmu notifier gives EAGAIN. It never sets MMF_OOM_SKIP, " +
    "so concurrent callers and the oom_reaper all reap, and it checks no permission. The " +
    "part after the eligibility test is reconstructed from v2/v3.",
  review: [
    {
      who: "Shakeel Butt",
      said:
        "Asks how cgroup workloads would use it (perhaps a cgroup-wide reap) and notes that task_will_free_mem() walks every process, costly with tens of thousands.",
      link:
        "https://lore.kernel.org/all/CALvZod7GPeB6ArrU8oBPx-1NT-ZDBQzTiJHJDojjO2kAgALkHw@mail.gmail.com/",
    },
    {
      who: "Suren Baghdasaryan",
      said:
        "That is how Android uses it; the walk is needed to be sure no live process shares the mm and can be optimized separately.",
      link:
        "https://lore.kernel.org/all/CAJuCfpG4M=ZnqR9D9MPNB88nwWgQ9qA9Z9a6dymZ5abOxNucGg@mail.gmail.com/",
    },
    {
      who: "Andy Lutomirski",
      said:
        "Asks whether it should be a procfs file, and wants the word reap gone, since in UNIX it means wait()ing for a dead task.",
      link:
        "https://lore.kernel.org/all/CALCETrU577MD59P-+9sMYtS3t2sZYx-zi=VirhQpZLnhEck1vg@mail.gmail.com/",
    },
    {
      who: "Florian Weimer",
      said:
        "Asks for a definition of dying, which became the man text's exiting: a pending SIGKILL or in exit.",
      link: "https://lore.kernel.org/all/87sg0qa22l.fsf@oldenburg.str.redhat.com/",
    },
    {
      who: "Christian Brauner",
      said: "Proposes the name process_mrelease (or process_mfree), which v2 took.",
      link: "https://lore.kernel.org/all/20210702152724.7fv5tnik4qlap6do@wittgenstein/",
    },
  ],
  victimArg: "pidfd",
  findsMm: "pidfd_task",
  dyingTest: "task_will_free_mem",
  zaps: "reap",
  answers: {
    "not-dying": ["EINVAL"],
    "leader-past-exit-mm": ["EINVAL"],
    "past-exit-mm": ["EINVAL"],
    "init": ["EINVAL"],
    "kthread": ["EINVAL"],
    "no-kill-permission": ["EINVAL", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
    "oom-skip": ["EINVAL"],
  },
  agreesWith: [{ claim: "process-reap-v1-is-mrelease-v9", target: "process_mrelease@v9" }],
  *recipe(u, ctx) {
    return yield* killThenReap(u, ctx, process_reap);
  },
};
