/**
 * The stock 6.18 kernel's answers to the calls of the designs that never merged, written
 * against the simulator's primitives like any design, so that `lab diff` can set the
 * simulator's prediction for the host beside the host's answer. The proposals themselves
 * (proposals/) model the patched kernels; a stock kernel must reject them, and these say
 * how (docs/host.md):
 *
 * | design | its call | stock 6.18 |
 * |---|---|---|
 * | sync_reap_mm | pidfd_send_signal(fd, SIGKILL, NULL, 1) | 1 is PIDFD_SIGNAL_THREAD since v6.9: the signal is sent, nothing is reaped |
 * | process_madvise | process_madvise(fd, NULL, 0, MADV_DONTNEED, PMADV_FLAG_RANGE) | EINVAL (flags must be 0); with flags 0, EINVAL again: DONTNEED is not a remote advice |
 * | process_reap | its own syscall number | ENOSYS (an unassigned number, {@linkcode UNASSIGNED_SYSCALL}) |
 * | process_mrelease_reap_kill | process_mrelease(fd, 1) | EINVAL (flags must be 0) |
 *
 * @module
 */

import type { Design, SyscallSpec } from "../src/core/mod.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import { CAP_SYS_NICE, PF_KTHREAD, PTRACE_MODE_READ, SIGKILL } from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import { killFirst, victimFd } from "../src/core/recipe.ts";
import { pidfd_get_task, process_mrelease } from "./process_mrelease.ts";

/**
 * A syscall number no kernel assigned (sys_ni_syscall: ENOSYS), where process_reap's call
 * goes on a stock kernel: the x86_64 table jumps from 334 (rseq) to 424 and never fills the gap.
 */
export const UNASSIGNED_SYSCALL: SyscallSpec = { name: "unassigned", nr: 400, upstream: false };

/** mm/madvise.c process_madvise_remote_valid(): the advice another process may get. */
const MADV_WILLNEED = 3, MADV_COLD = 20, MADV_PAGEOUT = 21, MADV_COLLAPSE = 25;
const UIO_MAXIOV = 1024;

/** mm/madvise.c SYSCALL_DEFINE5(process_madvise) as of 6.18, for advice that frees nothing. */
// deno-lint-ignore require-yield
export function* process_madvise_618(
  k: Primitives,
  a: { pidfd: number; vlen: number; bytes: number; behavior: number; flags: number },
): KGen<number> {
  if (a.flags !== 0) return -ERRNO.EINVAL;
  if (a.vlen > UIO_MAXIOV) return -ERRNO.EINVAL; // import_iovec()
  const task = pidfd_get_task(k, a.pidfd, "mainline");
  if (task < 0) return task;
  let ret: number;
  // mm_access(task, PTRACE_MODE_READ_FSCREDS): ESRCH without an mm, EACCES without rights.
  const mm = k.task_flags(task) & PF_KTHREAD ? 0 : k.task_mm(task);
  const remote = mm !== k.task_mm(k.current);
  if (!mm) {
    ret = -ERRNO.ESRCH;
  } else if (remote && !k.ptrace_may_access(task, PTRACE_MODE_READ)) {
    ret = -ERRNO.EACCES;
  } else if (
    remote && ![MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_COLLAPSE].includes(a.behavior)
  ) {
    // process_madvise_remote_valid(): MADV_DONTNEED is not among them.
    ret = -ERRNO.EINVAL;
  } else if (remote && !k.capable(CAP_SYS_NICE)) {
    ret = -ERRNO.EPERM;
  } else {
    // Non-destructive advice: the bytes advised (the lab models no LRU to age).
    ret = a.bytes;
  }
  k.put_task_struct(task);
  return ret;
}

const STOCK = {
  kind: "stock",
  reaper: "victim",
  stock: "self",
  date: "2025-11",
  status: "stock v6.18 (what the host runs)",
  lore: "torvalds/linux v6.18",
  kernelBase: "6.18",
} as const;

/** sync_reap_mm's call on a stock 6.18 kernel. */
export const stock_pidfd_send_signal: Design = {
  ...STOCK,
  killsInCall: true,
  defaults: { sig: SIGKILL, flags: 1 },
  name: "stock:pidfd_send_signal",
  call: "pidfd_send_signal(pidfd, SIGKILL, NULL, 1)",
  summary: "SYNC_REAP_MM's call on 6.18: flag 1 is PIDFD_SIGNAL_THREAD, no reap.",
  *recipe(u, ctx) {
    // The core's pidfd_send_signal knows v6.9's scope flags (wasm/src/prims.rs).
    const fd = yield* victimFd(u, ctx);
    return yield* u.pidfd_send_signal(fd, ctx.call.sig ?? SIGKILL, ctx.call.flags ?? 1);
  },
};

/** process_madvise's (PMADV_FLAG_RANGE) call on a stock 6.18 kernel. */
export const stock_process_madvise: Design = {
  ...STOCK,
  killsInCall: false,
  defaults: { advice: 4, flags: 1 },
  name: "stock:process_madvise",
  call: "process_madvise(pidfd, iov, vlen, MADV_DONTNEED, flags)",
  summary: "The remote MADV_DONTNEED on 6.18: flags must be 0 and DONTNEED is not remote.",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const iov = ctx.call.iov ?? [];
    const vlen = ctx.call.vlen ?? iov.length;
    const bytes = iov.slice(0, vlen).reduce((n, r) => n + (r.end_page - r.start_page) * 4096, 0);
    return yield* u.syscall(
      SYSCALLS.process_madvise,
      [fd, ctx.call.advice ?? 4],
      (k) =>
        process_madvise_618(k, {
          pidfd: fd,
          vlen,
          bytes,
          behavior: ctx.call.advice ?? 4,
          flags: ctx.call.flags ?? 1,
        }),
    );
  },
};

/** process_reap's call on a stock kernel: a number nobody assigned. */
export const stock_unassigned_syscall: Design = {
  ...STOCK,
  killsInCall: false,
  defaults: { flags: 0 },
  name: "stock:unassigned",
  call: `syscall(${UNASSIGNED_SYSCALL.nr}, pidfd, 0)`,
  summary: "process_reap on 6.18: sys_ni_syscall, ENOSYS.",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    return yield* u.syscall(UNASSIGNED_SYSCALL, [fd, ctx.call.flags ?? 0], function* () {
      return -ERRNO.ENOSYS;
    });
  },
};

/** process_mrelease_reap_kill's call on a stock 6.18 kernel. */
export const stock_process_mrelease_flags: Design = {
  ...STOCK,
  killsInCall: false,
  defaults: { flags: 1 },
  name: "stock:process_mrelease",
  call: "process_mrelease(pidfd, 1)",
  summary: "PROCESS_MRELEASE_REAP_KILL on 6.18: flags must be 0, EINVAL.",
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    const flags = ctx.call.flags ?? 1;
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease(k, { pidfd: fd, flags, variant: "mainline" }),
    );
  },
};
