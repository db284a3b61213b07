/**
 * Proposal 2 (Nov 2020): `process_madvise(pidfd, iovec, vlen, MADV_DONTNEED,
 * PMADV_FLAG_RANGE)`. Suren Baghdasaryan, "mm/madvise: allow process_madvise operations on
 * entire memory range" and "mm/madvise: add process_madvise MADV_DONTNEER support"; reference
 * §A.2. Kernel side: v5.10 mm/madvise.c with both patches.
 *
 * Variants, one function each, to read beside SYSCALL_DEFINE5(process_madvise) (gotos as
 * labelled blocks: `break release_mm` is `goto release_mm`): `v5.10` (mm_access with
 * PTRACE_MODE_ATTACH, EACCES) and `cap_sys_nice` (the patches on top of 96cfe2c0fd23:
 * PTRACE_MODE_READ plus CAP_SYS_NICE, EPERM). They look alike on purpose: each is a version
 * of the source, not a copy of the other.
 *
 * The lab's do_madvise() zaps for MADV_DONTNEED only, as v5.10's madvise_vma() dispatch
 * does (`case MADV_COLD: return madvise_cold(...); case MADV_PAGEOUT: return
 * madvise_pageout(...); ... madvise_dontneed_free(...)`): MADV_COLD only deactivates the
 * pages, and MADV_PAGEOUT reclaims them to swap, which the lab's machine (like this host)
 * does not have, so neither frees a private anon page here; a preemption point follows
 * each iovec.
 *
 * Also here: what a stock 6.18 kernel answers to the same call ({@linkcode
 * stock_process_madvise}), for `lab diff`.
 *
 * @module
 */

import {
  CAP_SYS_NICE,
  type Design,
  type DesignContext,
  ERRNO,
  forVariant,
  type IovRange,
  type KGen,
  killFirst,
  MADV_COLD,
  MADV_COLLAPSE,
  MADV_DONTNEED,
  MADV_FREE,
  MADV_PAGEOUT,
  MADV_WILLNEED,
  mm_access,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  MMF_UNSTABLE,
  PAGE_SIZE,
  pidfd_get_task,
  PIDTYPE_PID,
  type Primitives,
  PTRACE_MODE_ATTACH,
  PTRACE_MODE_READ,
  SYSCALLS,
  UIO_MAXIOV,
  type Userspace,
  victimFd,
} from "../src/core/mod.ts";

/** include/uapi/asm-generic/mman-common.h with patch 1: ignore the vector, advise it all. */
export const PMADV_FLAG_RANGE = 0x1;
/** include/uapi/asm-generic/mman-common.h with patch 1: the flags process_madvise accepts. */
export const PMADV_FLAG_MASK = PMADV_FLAG_RANGE;
/** The highest page of `ULONG_MAX & PAGE_MASK` for the lab's page numbers. */
const ADDRESS_SPACE_END_PAGE = 2 ** 52;

/** The call's arguments, as userspace passes them. */
export interface MadviseArgs {
  /** The pidfd of the process to advise. */
  readonly pidfd: number;
  /** The vector, as page ranges. */
  readonly iov: readonly IovRange[];
  /** How many of `iov` the call reads. */
  readonly vlen: number;
  /** copy_from_user of the vector faults. */
  readonly iovFault: boolean;
  /** The advice: MADV_DONTNEED, ... */
  readonly behavior: number;
  /** PMADV_FLAG_RANGE, or 0 for the per-iovec mode. */
  readonly flags: number;
}

/** process_madvise_behavior_valid() for a remote target: COLD, PAGEOUT, and DONTNEED (patch 2). */
function process_madvise_behavior_valid(behavior: number): boolean {
  return behavior === MADV_COLD || behavior === MADV_PAGEOUT || behavior === MADV_DONTNEED;
}

/** madvise_destructive() (patch 2): DONTNEED and FREE. */
function madvise_destructive(behavior: number): boolean {
  return behavior === MADV_DONTNEED || behavior === MADV_FREE;
}

/**
 * do_madvise(mm, start, len, behavior) over pages [start, end) under a blocking
 * mmap_read_lock: MADV_DONTNEED zaps, skipping the VMAs can_madv_lru_vma() refuses
 * (unmapped gaps are no error); MADV_COLD and MADV_PAGEOUT free nothing the lab counts.
 */
function* do_madvise(
  k: Primitives,
  mm: number,
  range: { startPage: number; endPage: number; behavior: number },
): KGen<void> {
  yield* k.mmap_read_lock(mm);
  if (range.behavior === MADV_DONTNEED) yield* k.zap_range(mm, range.startPage, range.endPage);
  k.mmap_read_unlock(mm);
}

/**
 * do_madvise(mm, start, len, behavior) for one iovec, pages [start, end), as v5.10's loop
 * walks the VMAs (the same in 6.18's madvise_walk_vmas()): an empty range is 0; a VMA that
 * can_madv_lru_vma() refuses ends the walk with -EINVAL when `lruOnly` (MADV_DONTNEED,
 * COLD, PAGEOUT: madvise_dontneed_free(), madvise_cold()/madvise_pageout()), the VMAs
 * before it advised (zapped, for MADV_DONTNEED); otherwise a page in no VMA is
 * `unmapped_error`, -ENOMEM, once the rest is done.
 */
function* do_madvise_iov(
  k: Primitives,
  mm: number,
  range: { startPage: number; endPage: number; behavior: number; lruOnly: boolean },
): KGen<number> {
  const { startPage: start, endPage: end } = range;
  if (end <= start) return 0;
  yield* k.mmap_read_lock(mm);
  const stop = range.lruOnly ? k.madvise_stop(mm, start, end) : end;
  if (range.behavior === MADV_DONTNEED && stop > start) yield* k.zap_range(mm, start, stop);
  const error = stop < end ? -ERRNO.EINVAL : k.range_unmapped(mm, start, end) ? -ERRNO.ENOMEM : 0;
  k.mmap_read_unlock(mm);
  return error;
}

/** The advice whose do_madvise() refuses a VMA can_madv_lru_vma() refuses. */
function lru_only(behavior: number): boolean {
  return behavior === MADV_DONTNEED || behavior === MADV_COLD || behavior === MADV_PAGEOUT;
}

/**
 * The per-iovec loop: `ret = do_madvise(...); if (ret < 0) break;`, a preemption point after
 * each iovec. What it answers changed: v5.10 ends with `if (ret == 0) ret = total_len -
 * iov_iter_count(&iter);`, so an error in any iovec replaces the byte count (errata: "an
 * error replaces the byte count"); 6.18's vector_madvise() (6.13+) with `ret = (total_len -
 * iov_iter_count(iter)) ? : ret;`, the bytes advised before the failed iovec when there
 * are any (`partial`).
 */
function* vector_madvise(
  k: Primitives,
  mm: number,
  a: MadviseArgs,
  partial: boolean,
): KGen<number> {
  let total = 0;
  for (const r of a.iov.slice(0, a.vlen)) {
    const error = yield* do_madvise_iov(k, mm, {
      startPage: r.start_page,
      endPage: r.end_page,
      behavior: a.behavior,
      lruOnly: lru_only(a.behavior),
    });
    if (error < 0) return partial && total > 0 ? total : error;
    total += Math.max(0, r.end_page - r.start_page) * PAGE_SIZE;
    yield* k.cond_resched();
  }
  return total;
}

/** v5.10's process_madvise with both patches: mm_access() with PTRACE_MODE_ATTACH. */
export function* process_madvise_v5_10(k: Primitives, a: MadviseArgs): KGen<number> {
  let ret = 0;

  if (a.flags & ~PMADV_FLAG_MASK) return -ERRNO.EINVAL;

  // import_iovec() still runs: NULL/0 passes, a non-zero vlen is validated.
  if (a.vlen > UIO_MAXIOV) return -ERRNO.EINVAL;
  if (a.vlen > 0 && a.iovFault) return -ERRNO.EFAULT;

  const pid = k.pidfd_get_pid(a.pidfd);
  if (pid < 0) return pid; // IS_ERR(pid): -EBADF

  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH; // goto put_pid

  release_task: {
    const remote = k.task_mm(task) !== k.task_mm(k.current);
    if (remote && !process_madvise_behavior_valid(a.behavior)) {
      ret = -ERRNO.EINVAL;
      break release_task;
    }

    // Its exec_update_lock wait (EINTR) is not reachable: the lab models no exec.
    const mm = mm_access(k, task, PTRACE_MODE_ATTACH);
    if (mm < 0) {
      ret = mm; // IS_ERR_OR_NULL(mm): ESRCH, EACCES
      break release_task;
    }
    k.mmget(mm); // get_task_mm()'s reference

    release_mm: {
      if (madvise_destructive(a.behavior)) {
        // The only dying check: the target's own thread group (Jann Horn's and Oleg
        // Nesterov's objections, §C.2: a live sharer, an exec, a core dump all pass).
        if (!k.signal_group_exit(task)) {
          ret = -ERRNO.EINVAL;
          break release_mm;
        }
        // "Already being reclaimed"
        if (k.test_bit(MMF_OOM_VICTIM, mm) || k.test_bit(MMF_OOM_SKIP, mm)) break release_mm;
        k.set_bit(MMF_UNSTABLE, mm);
      }

      if (a.flags & PMADV_FLAG_RANGE) {
        // do_madvise(mm, 0, ULONG_MAX & PAGE_MASK, behavior).
        yield* do_madvise(k, mm, {
          startPage: 0,
          endPage: ADDRESS_SPACE_END_PAGE,
          behavior: a.behavior,
        });
        break release_mm;
      }

      // The per-iovec loop: the bytes advised, or the first iovec's error.
      ret = yield* vector_madvise(k, mm, a, false);
    }
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/**
 * The patches on top of 96cfe2c0fd23 ("mm/madvise: replace ptrace attach requirement for
 * process_madvise"): mm_access() with PTRACE_MODE_READ, then CAP_SYS_NICE (EPERM).
 */
export function* process_madvise_cap_sys_nice(k: Primitives, a: MadviseArgs): KGen<number> {
  let ret = 0;

  if (a.flags & ~PMADV_FLAG_MASK) return -ERRNO.EINVAL;

  // import_iovec() still runs: NULL/0 passes, a non-zero vlen is validated.
  if (a.vlen > UIO_MAXIOV) return -ERRNO.EINVAL;
  if (a.vlen > 0 && a.iovFault) return -ERRNO.EFAULT;

  const pid = k.pidfd_get_pid(a.pidfd);
  if (pid < 0) return pid; // IS_ERR(pid): -EBADF

  const task = k.get_pid_task(pid, PIDTYPE_PID);
  if (!task) return -ERRNO.ESRCH; // goto put_pid

  release_task: {
    const remote = k.task_mm(task) !== k.task_mm(k.current);
    if (remote && !process_madvise_behavior_valid(a.behavior)) {
      ret = -ERRNO.EINVAL;
      break release_task;
    }

    // "Require PTRACE_MODE_READ to avoid leaking ASLR metadata."
    const mm = mm_access(k, task, PTRACE_MODE_READ);
    if (mm < 0) {
      ret = mm; // IS_ERR_OR_NULL(mm): ESRCH, EACCES
      break release_task;
    }
    k.mmget(mm); // get_task_mm()'s reference

    release_mm: {
      // "Require CAP_SYS_NICE for influencing process performance."
      if (!k.capable(CAP_SYS_NICE)) {
        ret = -ERRNO.EPERM;
        break release_mm;
      }

      if (madvise_destructive(a.behavior)) {
        // The only dying check: the target's own thread group (Jann Horn's and Oleg
        // Nesterov's objections, §C.2: a live sharer, an exec, a core dump all pass).
        if (!k.signal_group_exit(task)) {
          ret = -ERRNO.EINVAL;
          break release_mm;
        }
        // "Already being reclaimed"
        if (k.test_bit(MMF_OOM_VICTIM, mm) || k.test_bit(MMF_OOM_SKIP, mm)) break release_mm;
        k.set_bit(MMF_UNSTABLE, mm);
      }

      if (a.flags & PMADV_FLAG_RANGE) {
        // do_madvise(mm, 0, ULONG_MAX & PAGE_MASK, behavior).
        yield* do_madvise(k, mm, {
          startPage: 0,
          endPage: ADDRESS_SPACE_END_PAGE,
          behavior: a.behavior,
        });
        break release_mm;
      }

      // The per-iovec loop: the bytes advised, or the first iovec's error.
      ret = yield* vector_madvise(k, mm, a, false);
    }
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/** The kernel side of each of the record's `variants`, by name. */
export const PROCESS_MADVISE: Readonly<
  Record<string, (k: Primitives, a: MadviseArgs) => KGen<number>>
> = {
  "v5.10": process_madvise_v5_10,
  "cap_sys_nice": process_madvise_cap_sys_nice,
};

/** mm/madvise.c process_madvise_remote_valid() (6.18): the advice another process may get. */
function process_madvise_remote_valid(behavior: number): boolean {
  return [MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_COLLAPSE].includes(behavior);
}

/**
 * Stock 6.18's SYSCALL_DEFINE5(process_madvise), for the advice a remote caller may give,
 * none of which frees anything: the lab models no LRU to age, so an accepted iovec does
 * nothing but its walk's checks. vector_madvise() (6.13+) answers the bytes advised before
 * the first iovec that failed, or that failure when there are none: `ret = (total_len -
 * iov_iter_count(iter)) ? : ret;` (measured here: [mapped, page 0] COLD answers the first
 * iovec's bytes; [page 0] and [page 0, mapped] ENOMEM; a VM_LOCKED range EINVAL). A
 * faulting vector (EFAULT from import_iovec()) is not modelled here.
 */
function* process_madvise_618(k: Primitives, a: MadviseArgs): KGen<number> {
  let ret: number;

  if (a.flags !== 0) return -ERRNO.EINVAL;

  // import_iovec()
  if (a.vlen > UIO_MAXIOV) return -ERRNO.EINVAL;

  const task = pidfd_get_task(k, a.pidfd, { pidfd_self: true });
  if (task < 0) return task; // IS_ERR(task)

  release_task: {
    // "Require PTRACE_MODE_READ to avoid leaking ASLR metadata."
    const mm = mm_access(k, task, PTRACE_MODE_READ);
    if (mm < 0) {
      ret = mm; // IS_ERR(mm)
      break release_task;
    }
    // MADV_DONTNEED is not among them.
    if (mm !== k.task_mm(k.current) && !process_madvise_remote_valid(a.behavior)) {
      ret = -ERRNO.EINVAL;
      break release_task;
    }
    if (mm !== k.task_mm(k.current) && !k.capable(CAP_SYS_NICE)) {
      ret = -ERRNO.EPERM;
      break release_task;
    }
    k.mmget(mm); // mm_access()'s reference
    ret = yield* vector_madvise(k, mm, a, true);
    yield* k.mmput(mm);
  }
  k.put_task_struct(task);
  return ret;
}

/** How a memory killer calls it: after its own SIGKILL, the whole range at once. */
const CALL = { advice: MADV_DONTNEED, flags: PMADV_FLAG_RANGE } as const;

/**
 * The recipe of both records, with `process_madvise` as the kernel side: SIGKILL first, then
 * the call with the scenario's vector (none by default: RANGE mode ignores it).
 */
function* killThenMadvise(
  u: Userspace,
  ctx: DesignContext,
  process_madvise: (k: Primitives, a: MadviseArgs) => KGen<number>,
): KGen<number> {
  const fd = yield* victimFd(u, ctx);
  yield* killFirst(u, ctx, fd);
  const iov = ctx.call.iov ?? [];
  const a: MadviseArgs = {
    pidfd: fd,
    iov,
    vlen: ctx.call.vlen ?? iov.length,
    iovFault: ctx.call.iov_fault ?? false,
    behavior: ctx.call.advice ?? CALL.advice,
    flags: ctx.call.flags ?? CALL.flags,
  };
  return yield* u.syscall(
    SYSCALLS.process_madvise,
    [fd, { iov }, a.vlen, a.behavior, a.flags],
    (k) => process_madvise(k, a),
  );
}

/**
 * The design's call on a stock 6.18 kernel (the host's): EINVAL, flags must be 0; with
 * flags 0, EINVAL again: MADV_DONTNEED is not an advice for another process.
 */
export const stock_process_madvise: Design = {
  name: "stock_process_madvise",
  call: "process_madvise(pidfd, iov, vlen, MADV_DONTNEED, flags)",
  summary: "The remote MADV_DONTNEED on stock 6.18: flags must be 0 and DONTNEED is not remote.",
  date: "2025-11-30",
  status: "stock v6.18 (what the host runs)",
  lore: "torvalds/linux:mm/madvise.c (v6.18)",
  kernelBase: "6.18",
  kind: "stock",
  reaper: "victim",
  mergedIn: "5.10",
  killsInCall: false,
  needsCapability: "CAP_SYS_NICE",
  defaults: CALL,
  stock: "self",
  *recipe(u, ctx) {
    return yield* killThenMadvise(u, ctx, process_madvise_618);
  },
};

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
  defaults: CALL,
  stock: stock_process_madvise,
  listedAs: "`process_madvise(MADV_DONTNEED, PMADV_FLAG_RANGE)` (2020)",
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
    "MMF_UNSTABLE. For MADV_DONTNEED do_madvise() then zaps every VMA that " +
    "can_range_madv_lru_vma() allows " +
    "(not locked, hugetlb, PFN-mapped or shared file VMAs) under a blocking mmap_read_lock " +
    "with blocking mmu notifiers, so there is no EAGAIN. Other processes sharing the mm are " +
    "not checked. MADV_COLD and MADV_PAGEOUT only deactivate or page out (to a swap the " +
    "lab's machine does not have) and free no private page.",
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
      breaks: [{
        property: "safety",
        rules: ["zap_live_sharer"],
        why: "as process_madvise: 96cfe2c0fd23 changed the permission check, not the dying " +
          "check",
      }],
    },
  ],
  defaultVariant: "v5.10",
  victimArg: "pidfd",
  findsMm: "pidfd_task",
  dyingTest: "signal_group_exit",
  zaps: "madvise",
  skipsOomVictim: true,
  answers: {
    "leader-past-exit-mm": ["ESRCH"],
    "past-exit-mm": ["ESRCH"],
    "init": ["EINVAL", "EACCES"],
    "kthread": ["ESRCH"],
    "no-kill-permission": ["EINVAL", "EACCES", "0", "EAGAIN", "EINTR", "killed", "unfinished"],
    "oom-skip": ["0"],
  },
  otherFlags: { 0: "the per-iovec mode with an empty vector: nothing zapped" },
  breaks: [{
    property: "safety",
    rules: ["zap_live_sharer"],
    why: "only the target's own thread group is checked (signal_group_exit): memory a live " +
      "vfork parent or CLONE_VM sibling still uses is zapped (Jann Horn, §C.2)",
  }],
  *recipe(u, ctx) {
    return yield* killThenMadvise(u, ctx, forVariant(PROCESS_MADVISE, ctx));
  },
};
