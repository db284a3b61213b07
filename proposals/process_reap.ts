/**
 * Proposal 3 (June 2021): `process_reap(pidfd, flags)` v1. Suren Baghdasaryan,
 * "[PATCH 1/1] mm: introduce process_reap system call"; reference §A.3. The code is quoted in
 * Shakeel Butt's reply; the tail after the eligibility test (lock, EAGAIN, mmput) is
 * reconstructed from v2/v3 (UNVERIFIED for v1, reference §G.1).
 *
 * @module
 */

import { stock_unassigned_syscall } from "./stock.ts";
import type { Design } from "../src/core/design.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import { PF_KTHREAD, PIDTYPE_PID } from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import { killFirst, victimFd } from "../src/core/recipe.ts";

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
  defaults: { flags: 0 },
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
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const flags = ctx.call.flags ?? 0;
    // v1's syscall number is UNVERIFIED (§G.1); the trace shows the slot it later got.
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_reap(k, { pidfd: fd, flags }),
    );
  },
};
