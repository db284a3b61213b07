/**
 * Proposal 1 (Nov 2020 RFC): `pidfd_send_signal(pidfd, SIGKILL, NULL, SYNC_REAP_MM)`.
 * Suren Baghdasaryan, "[RFC PATCH 1/1] mm/oom_kill: ... sync reaping of the killed
 * process's memory"; reference §A.1. Kernel side: kernel/signal.c (v5.10) with the patch.
 *
 * Also here: what a stock 6.18 kernel answers to the same call ({@linkcode
 * stock_pidfd_send_signal}), for `lab diff`.
 *
 * @module
 */

import {
  type Design,
  ERRNO,
  type KGen,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  PIDTYPE_PID,
  type Primitives,
  type SigInfoArg,
  SIGKILL,
  stockSignalCall,
  SYSCALLS,
  victimFd,
} from "../src/core/mod.ts";

/** include/linux/signal.h (kernel-internal, not uapi: userspace hard-codes it). */
export const SYNC_REAP_MM = 0x1;

/** The patched pidfd_send_signal(pidfd, sig, info, flags). */
export function* pidfd_send_signal(
  k: Primitives,
  args: { pidfd: number; sig: number; info?: SigInfoArg; flags: number },
): KGen<number> {
  const { pidfd, sig, info, flags } = args;
  // Flags are checked before the fd: a bad fd with bad flags is EINVAL.
  if (flags) {
    if (flags !== SYNC_REAP_MM || sig !== SIGKILL) return -ERRNO.EINVAL;
  }
  // fdget + pidfd_to_pid(): a pidfd or a /proc/<pid> directory.
  const pid = k.pidfd_to_pid(pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  // access_pidfd_pidns(): the target's namespace chain must reach the caller's (EINVAL).
  if (!k.access_pidfd_pidns(pid)) return -ERRNO.EINVAL;
  if (info !== undefined) {
    // copy_siginfo_from_user_any(), then the usual pidfd_send_signal rules.
    if (info === "fault") return -ERRNO.EFAULT;
    if (info === "signo_mismatch") return -ERRNO.EINVAL;
    // A forged si_code (>= 0 or SI_TKILL) is only allowed towards oneself: v5.10's
    // `if ((task_pid(current) != pid) && (info.si_code >= 0 || info.si_code == SI_TKILL))
    // return -EPERM;` compares the calling thread's pid with the pidfd's, so a non-leader
    // thread signalling its own process through a pidfd of the leader is refused too.
    if (k.current !== pid) return -ERRNO.EPERM;
  }
  const ret = k.kill_pid_info(sig, pid);
  if (ret) return ret;
  // The signal is delivered even when the reap then fails.
  if (flags & SYNC_REAP_MM) return yield* reap_mm(k, pid);
  return 0;
}

/** reap_mm(pid), the new static function in kernel/signal.c. */
function* reap_mm(k: Primitives, pid: number): KGen<number> {
  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH;
  k.task_lock(task);
  // Looks at the pidfd's task itself (the leader): a zombie leader has no mm → EBUSY.
  if (!k.task_will_free_mem(task)) {
    k.task_unlock(task);
    k.put_task_struct(task);
    return -ERRNO.EBUSY;
  }
  const mm = k.task_mm(task);
  // mm_users, not mm_count: the victim cannot run exit_mmap meanwhile, and the caller may
  // end up running the final mmput and the whole teardown itself.
  k.mmget(mm);
  let ret = 0;
  if (k.test_bit(MMF_OOM_VICTIM, mm) || k.test_bit(MMF_OOM_SKIP, mm)) {
    // "Already being reclaimed".
    k.task_unlock(task);
  } else {
    // Keeps the OOM killer and other SYNC_REAP_MM callers away.
    k.set_bit(MMF_OOM_SKIP, mm);
    k.task_unlock(task);
    // Blocking, not killable, not a trylock.
    yield* k.mmap_read_lock(mm);
    if (!(yield* k.__oom_reap_task_mm(mm))) {
      ret = -ERRNO.EAGAIN;
      // So the caller can retry.
      k.clear_bit(MMF_OOM_SKIP, mm);
    }
    k.mmap_read_unlock(mm);
  }
  yield* k.mmput(mm);
  k.put_task_struct(task);
  return ret;
}

/** How a memory killer calls it: SIGKILL and the flag, no kill before the call. */
const CALL = { sig: SIGKILL, flags: SYNC_REAP_MM } as const;

/**
 * The design's call on a stock 6.18 kernel (the host's): since v6.9 flag 1 is
 * PIDFD_SIGNAL_THREAD, so the SIGKILL is sent (to the pidfd's thread) and nothing is reaped.
 */
export const stock_pidfd_send_signal: Design = {
  name: "stock_pidfd_send_signal",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, 1)",
  summary: "SYNC_REAP_MM's call on stock 6.18: flag 1 is PIDFD_SIGNAL_THREAD, no reap.",
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
    // The core's pidfd_send_signal knows v6.9's scope flags (wasm/src/prims.rs).
    return yield* stockSignalCall(u, ctx, CALL);
  },
};

/** The design: one call kills and reaps. */
export const sync_reap_mm: Design = {
  name: "sync_reap_mm",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, SYNC_REAP_MM)",
  summary: "Kill and reap synchronously in one pidfd_send_signal call.",
  date: "2020-11-13",
  status: "RFC, not merged (reviewers preferred process_madvise, §C.1)",
  lore: "https://lore.kernel.org/all/20201113173448.1863419-1-surenb@google.com/",
  kernelBase: "5.10",
  kind: "proposal",
  reaper: "caller",
  killsInCall: true,
  pins: "mm_users",
  defaults: CALL,
  stock: stock_pidfd_send_signal,
  listedAs: "`pidfd_send_signal(SYNC_REAP_MM)` (2020)",
  semantics: "pidfd_send_signal() gains a flag, SYNC_REAP_MM (0x1, kernel-internal, not uapi), " +
    "accepted only with SIGKILL and checked before the fd (EINVAL). The pidfd (or a " +
    "/proc/<pid> directory fd, else EBADF) of a process the caller's pid namespace can " +
    "see (access_pidfd_pidns(), else EINVAL) is signalled with the usual kill permission " +
    "(EPERM) and lookup (ESRCH) rules; only then does reap_mm() run, so the signal is " +
    "delivered even when reaping fails. reap_mm() looks at the pidfd's own task, usually " +
    "the leader: unless task_will_free_mem() holds it answers EBUSY (a live sharer of the " +
    "mm, a zombie leader, a core dump, an unkillable target, an mm already marked " +
    "MMF_OOM_SKIP). It pins the address space with mmget(), so the caller may end up " +
    "running exit_mmap itself; answers 0 with no work for an OOM victim; sets MMF_OOM_SKIP " +
    "to keep the OOM killer and other callers away; and reaps with __oom_reap_task_mm() " +
    "under a blocking, unkillable mmap_read_lock. A refused mmu notifier gives EAGAIN and " +
    "clears MMF_OOM_SKIP again so the caller can retry.",
  review: [
    {
      who: "Andrew Morton",
      said:
        "Reaping another process's memory is generally useful and should not be tied to delivering a signal; try process_madvise.",
      link:
        "https://lore.kernel.org/all/20201113155539.64e0af5b60ad3145b018ab0d@linux-foundation.org/",
    },
    {
      who: "Andrew Morton",
      said:
        "The return-value and MAX_RW_COUNT problems of a process_madvise version are solvable, and a general tool beats one tied to SIGKILL.",
      link:
        "https://lore.kernel.org/all/20201113181632.6d98489465430a987c96568d@linux-foundation.org/",
    },
    {
      who: "Suren Baghdasaryan",
      said:
        "Expects no performance difference between the variants: it is a question of which API is more appropriate.",
      link:
        "https://lore.kernel.org/all/CAJuCfpExoi-+TC1cR8mJMg_e+T6apoJj9x8DjTM01rw725XpQw@mail.gmail.com/",
    },
    {
      who: "Christian Brauner",
      said: "Prefers process_madvise: signals are almost never a good choice for such extensions.",
      link: "https://lore.kernel.org/all/20201118103240.hnggudihd3xmqty5@wittgenstein/",
    },
    {
      who: "Michal Hocko",
      said:
        "Doubts an uncoordinated teardown of memory a live process can still see has a use, and finds a generic remote MADV_DONTNEED too dangerous: dying processes only.",
      link: "https://lore.kernel.org/all/20201118154334.GT12284@dhcp22.suse.cz/",
    },
  ],
  victimArg: "pidfd_or_proc_dir",
  findsMm: "pidfd_task",
  dyingTest: "task_will_free_mem",
  zaps: "reap",
  setsOomSkip: true,
  skipsOomVictim: true,
  answers: {
    "not-dying": ["EBUSY"],
    "leader-past-exit-mm": ["EBUSY"],
    "past-exit-mm": ["EBUSY", "EPERM"],
    "init": ["EBUSY", "EPERM"],
    "kthread": ["EBUSY", "EPERM"],
    "no-kill-permission": ["EPERM"],
    "oom-skip": ["EBUSY", "EPERM"],
  },
  otherFlags: { 0: "a plain pidfd_send_signal(SIGKILL): the kill without the reap" },
  agreesWith: [{ claim: "sync-reap-mm-is-kill-then-mrelease", target: "process_mrelease" }],
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    const sig = ctx.call.sig ?? CALL.sig;
    const flags = ctx.call.flags ?? CALL.flags;
    const info = ctx.call.info;
    return yield* u.syscall(
      SYSCALLS.pidfd_send_signal,
      [fd, sig, 0, /* info */ flags],
      (k) => pidfd_send_signal(k, { pidfd: fd, sig, info, flags }),
    );
  },
};
