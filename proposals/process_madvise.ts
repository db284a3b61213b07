/**
 * Proposal 2 (Nov 2020): `process_madvise(pidfd, iovec, vlen, MADV_DONTNEED,
 * PMADV_FLAG_RANGE)`. Suren Baghdasaryan, "mm/madvise: allow process_madvise operations on
 * entire memory range" and "mm/madvise: add process_madvise MADV_DONTNEER support"; reference
 * §A.2. Kernel side: v5.10 mm/madvise.c with both patches.
 *
 * Variants: `v5.10` (mm_access with PTRACE_MODE_ATTACH, EACCES) and `cap_sys_nice` (96cfe2c0fd23:
 * PTRACE_MODE_READ plus CAP_SYS_NICE, EPERM).
 *
 * @module
 */

import { stock_process_madvise } from "./stock.ts";
import type { Design } from "../src/core/design.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import {
  CAP_SYS_NICE,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  MMF_UNSTABLE,
  PF_KTHREAD,
  PIDTYPE_PID,
  PTRACE_MODE_ATTACH,
  PTRACE_MODE_READ,
} from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import type { IovRange } from "../src/engine/scenario/mod.ts";
import { killFirst, victimFd } from "../src/core/recipe.ts";

/** include/uapi/asm-generic/mman-common.h with patch 1. */
export const PMADV_FLAG_RANGE = 0x1;
export const PMADV_FLAG_MASK = PMADV_FLAG_RANGE;
/** Advice values (mman-common.h). */
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
/** include/uapi/linux/uio.h. */
export const UIO_MAXIOV = 1024;
/** The highest page of `ULONG_MAX & PAGE_MASK` for the lab's page numbers. */
const ADDRESS_SPACE_END_PAGE = 2 ** 52;

/** The call's arguments, as userspace passes them. */
export interface MadviseArgs {
  pidfd: number;
  iov: readonly IovRange[];
  vlen: number;
  /** copy_from_user of the vector faults. */
  iovFault: boolean;
  behavior: number;
  flags: number;
  variant: string;
}

/** process_madvise_behavior_valid() for a remote target: COLD, PAGEOUT, and DONTNEED (patch 2). */
function process_madvise_behavior_valid(behavior: number): boolean {
  return behavior === MADV_COLD || behavior === MADV_PAGEOUT || behavior === MADV_DONTNEED;
}

/** madvise_destructive() (patch 2): DONTNEED and FREE. */
function madvise_destructive(behavior: number): boolean {
  return behavior === MADV_DONTNEED || behavior === MADV_FREE;
}

/** The patched SYSCALL_DEFINE5(process_madvise). Returns 0 in RANGE mode, else bytes. */
export function* process_madvise(k: Primitives, a: MadviseArgs): KGen<number> {
  if (a.flags & ~PMADV_FLAG_MASK) return -ERRNO.EINVAL;
  // import_iovec() still runs: NULL/0 passes, a non-zero vlen is validated.
  if (a.vlen > UIO_MAXIOV) return -ERRNO.EINVAL;
  if (a.vlen > 0 && a.iovFault) return -ERRNO.EFAULT;
  const pid = k.pidfd_get_pid(a.pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH;
  let ret: number;
  const remote = k.task_mm(task) !== k.task_mm(k.current);
  if (remote && !process_madvise_behavior_valid(a.behavior)) {
    ret = -ERRNO.EINVAL;
  } else {
    ret = yield* withMm(k, task, a);
  }
  k.put_task_struct(task);
  return ret;
}

/** mm_access(), the destructive-advice checks, the advice itself, mmput(). */
function* withMm(k: Primitives, task: number, a: MadviseArgs): KGen<number> {
  // mm_access() (kernel/fork.c): get_task_mm() first, NULL for a kthread or a task past
  // exit_mm (→ ESRCH); then, for another process's mm, ptrace_may_access() with
  // PTRACE_MODE_ATTACH_FSCREDS in v5.10 or READ after 96cfe2c0fd23 (→ ERR_PTR(-EACCES)).
  // Its exec_update_lock wait (EINTR) is not reachable: the lab models no exec.
  const mm = k.task_flags(task) & PF_KTHREAD ? 0 : k.task_mm(task);
  if (!mm) return -ERRNO.ESRCH;
  const mode = a.variant === "cap_sys_nice" ? PTRACE_MODE_READ : PTRACE_MODE_ATTACH;
  if (mm !== k.task_mm(k.current) && !k.ptrace_may_access(task, mode)) return -ERRNO.EACCES;
  k.mmget(mm);
  const ret = yield* advise(k, task, mm, a);
  yield* k.mmput(mm);
  return ret;
}

function* advise(k: Primitives, task: number, mm: number, a: MadviseArgs): KGen<number> {
  if (a.variant === "cap_sys_nice" && !k.capable(CAP_SYS_NICE)) return -ERRNO.EPERM;
  if (madvise_destructive(a.behavior)) {
    // The only dying check: the target's own thread group (Jann Horn's and Oleg
    // Nesterov's objections, §C.2: a live sharer, an exec, a core dump all pass).
    if (!k.signal_group_exit(task)) return -ERRNO.EINVAL;
    if (k.test_bit(MMF_OOM_VICTIM, mm) || k.test_bit(MMF_OOM_SKIP, mm)) return 0;
    k.set_bit(MMF_UNSTABLE, mm);
  }
  if (a.flags & PMADV_FLAG_RANGE) {
    // do_madvise(mm, 0, ULONG_MAX & PAGE_MASK, ...): unmapped gaps are no error, and VMAs
    // that fail can_range_madv_lru_vma() are skipped.
    yield* k.mmap_read_lock(mm);
    yield* k.zap_range(mm, 0, ADDRESS_SPACE_END_PAGE);
    k.mmap_read_unlock(mm);
    return 0;
  }
  // The per-iovec loop: bytes advised.
  let bytes = 0;
  for (const r of a.iov.slice(0, a.vlen)) {
    yield* k.mmap_read_lock(mm);
    yield* k.zap_range(mm, r.start_page, r.end_page);
    k.mmap_read_unlock(mm);
    bytes += (r.end_page - r.start_page) * 4096;
    yield* k.cond_resched();
  }
  return bytes;
}

/** The design: kill, then zap the whole address space with a remote MADV_DONTNEED. */
export const process_madvise_dontneed: Design = {
  name: "process_madvise",
  call: "process_madvise(pidfd, NULL, 0, MADV_DONTNEED, PMADV_FLAG_RANGE)",
  summary: "Kill, then MADV_DONTNEED the victim's whole address space from the killer.",
  date: "2020-11-24",
  status: "v1 patchset, not merged (a separate syscall was asked for, §C.2)",
  lore: "https://lore.kernel.org/all/20201124053943.1684874-1-surenb@google.com/",
  kernelBase: "5.10",
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
  pins: "mm_users",
  needsCapability: "CAP_SYS_PTRACE",
  defaults: { advice: MADV_DONTNEED, flags: PMADV_FLAG_RANGE },
  stock: stock_process_madvise,
  semantics: "process_madvise() accepts MADV_DONTNEED for another process, and a new flag, " +
    "PMADV_FLAG_RANGE, that ignores the vector and applies the advice to the whole address " +
    "space, answering 0 instead of a byte count. The killer sends SIGKILL separately, " +
    "first. Unknown flags and a bad vector (vlen > UIO_MAXIOV, a faulting pointer) fail " +
    "first (EINVAL, EFAULT); then the pidfd (EBADF) and its task (ESRCH), the advice " +
    "(EINVAL unless COLD, PAGEOUT or DONTNEED for a remote target), and mm_access(): ESRCH " +
    "for a kthread or a task past exit_mm, EACCES without ptrace attach rights in v5.10 " +
    "(read rights plus CAP_SYS_NICE, EPERM, after 96cfe2c0fd23). Destructive advice " +
    "requires signal_group_exit() of the target's own thread group (EINVAL otherwise), " +
    "answers 0 with no work for an OOM victim or an mm with MMF_OOM_SKIP, and sets " +
    "MMF_UNSTABLE. do_madvise() then zaps every VMA that can_range_madv_lru_vma() allows " +
    "(not locked, hugetlb, PFN-mapped or shared file VMAs) under a blocking mmap_read_lock " +
    "with blocking mmu notifiers, so there is no EAGAIN. Other processes sharing the mm are " +
    "not checked.",
  review: [
    {
      who: "Oleg Nesterov",
      said:
        "signal_group_exit() is also true during exec (de_thread), so it does not mean dying; test SIGNAL_GROUP_EXIT instead.",
      link: "https://lore.kernel.org/all/20201124134208.GA30125@redhat.com/",
    },
    {
      who: "Jann Horn",
      said:
        "Processes can share an mm without sharing a thread group, so the signal_group_exit() check is not enough; the OOM killer kills every sharer.",
      link:
        "https://lore.kernel.org/all/CAG48ez1M5tT=4T2RREhs1U3yMJH2N7HPWySBnMJyMSg0WtdD2A@mail.gmail.com/",
    },
    {
      who: "Suren Baghdasaryan",
      said:
        "Replacing the check with task_will_free_mem() answers both Jann's and Oleg's comments.",
      link:
        "https://lore.kernel.org/all/CAJuCfpFJFZyOANvmOn0sw-sDDrk4WFgtLcRtQBKOSELohWaDuA@mail.gmail.com/",
    },
    {
      who: "Jann Horn",
      said:
        "Dropping the flag for an iovec of length SIZE_MAX (Minchan Kim's idea) breaks compat, and the length is not representable.",
      link:
        "https://lore.kernel.org/all/CAG48ez0UKYCdgyW91SmOcT52vbLFz9RjLpaucWpj6bTrgQCwnA@mail.gmail.com/",
    },
    {
      who: "Christoph Hellwig",
      said: "The SIZE_MAX trick is horrible, and he is no fan of the flag either.",
      link: "https://lore.kernel.org/all/20201222134438.GA7170@infradead.org/",
    },
    {
      who: "Christoph Hellwig",
      said:
        "The operation is not an address range, is destructive and shares little code with process_madvise: why not a separate syscall?",
      link: "https://lore.kernel.org/all/20201223075712.GA4719@lst.de/",
    },
  ],
  variants: [
    {
      name: "v5.10",
      summary: "mm_access() with PTRACE_MODE_ATTACH (EACCES), as posted on v5.10",
      source: "20201124053943.1684874-1-surenb@google.com",
    },
    {
      name: "cap_sys_nice",
      summary: "PTRACE_MODE_READ plus CAP_SYS_NICE (EPERM)",
      source: "96cfe2c0fd23",
    },
  ],
  defaultVariant: "v5.10",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const iov = ctx.call.iov ?? [];
    const args: MadviseArgs = {
      pidfd: fd,
      iov,
      vlen: ctx.call.vlen ?? iov.length,
      iovFault: ctx.call.iov_fault ?? false,
      behavior: ctx.call.advice ?? MADV_DONTNEED,
      flags: ctx.call.flags ?? PMADV_FLAG_RANGE,
      variant: ctx.variant ?? "v5.10",
    };
    return yield* u.syscall(
      SYSCALLS.process_madvise,
      [fd, args.behavior],
      (k) => process_madvise(k, args),
    );
  },
};
