/**
 * The userspace side of a memory killer: syscalls as a thread issues them. Each syscall
 * enters the kernel (raw_syscalls:sys_enter), runs its kernel-side body in the caller's
 * context, and returns (sys_exit); a thread that got a fatal signal meanwhile dies on the
 * way back to userspace, which ends its recipe.
 *
 * @module
 */

import type { Kernel } from "./_wasm.ts";
import { type KGen, Primitives } from "./primitives.ts";
import { BLOCKED } from "./errno.ts";
import type { IovRange } from "./call.ts";
import { UAPI } from "./kernel.ts";
import { proc_mem_read_body, process_vm_readv_body } from "./remote.ts";

/** The syscalls the lab's recipes issue. */
export type SyscallName =
  | "close"
  | "poll"
  | "kill"
  | "waitid"
  | "pidfd_send_signal"
  | "pidfd_open"
  | "process_madvise"
  | "process_mrelease"
  | "process_vm_readv"
  | "pread64";

/**
 * The syscalls the lab's recipes issue, with their x86_64 numbers
 * (arch/x86/entry/syscalls/syscall_64.tbl), for `Userspace.syscall`.
 *
 * @example
 * ```ts
 * import { SYSCALLS } from "./userspace.ts";
 * SYSCALLS.process_mrelease.nr; // 448
 * ```
 */
export const SYSCALLS: Readonly<Record<SyscallName, SyscallSpec>> = {
  close: { name: "close", nr: 3 },
  poll: { name: "poll", nr: 7 },
  kill: { name: "kill", nr: 62 },
  waitid: { name: "waitid", nr: 247 },
  pidfd_send_signal: { name: "pidfd_send_signal", nr: 424 },
  pidfd_open: { name: "pidfd_open", nr: 434 },
  // (pidfd, vec, vlen, advice, flags): the trace shows the advice, which says more about
  // the call than the vector's address.
  process_madvise: { name: "process_madvise", nr: 440, traceArgs: [0, 3] },
  process_mrelease: { name: "process_mrelease", nr: 448 },
  // (pid, lvec, liovcnt, rvec, riovcnt, flags): the trace shows the pid.
  process_vm_readv: { name: "process_vm_readv", nr: 310 },
  // pread64 of /proc/<pid>/mem, its open and close folded in: the trace shows the pid.
  pread64: { name: "pread64", nr: 17 },
};

/** The x86_64 numbers of {@linkcode SYSCALLS}, by name. */
export const NR: Readonly<Record<SyscallName, number>> = Object.fromEntries(
  Object.values(SYSCALLS).map((s) => [s.name, s.nr]),
) as Record<SyscallName, number>;

/** pidfd_open's PIDFD_NONBLOCK (O_NONBLOCK), as the core states it. */
export const PIDFD_NONBLOCK: number = UAPI.PIDFD_NONBLOCK;
/** pidfd_open's PIDFD_THREAD (O_EXCL, v6.9): a pidfd of one thread, as the core states it. */
export const PIDFD_THREAD: number = UAPI.PIDFD_THREAD;
/** waitid's WNOHANG, as the core states it. */
export const WNOHANG: number = UAPI.WNOHANG;
/** waitid's WEXITED, as the core states it. */
export const WEXITED: number = UAPI.WEXITED;

/**
 * The siginfo waitid filled in: `si_pid` (0 when it reaped nothing: WNOHANG and the child
 * still running), `si_code` (CLD_EXITED, ...) and `si_status`.
 */
export interface WaitSiginfo {
  /** The child it reaped, or 0. */
  readonly si_pid: number;
  /** CLD_EXITED, CLD_KILLED or CLD_DUMPED (include/uapi/asm-generic/siginfo.h). */
  readonly si_code: number;
  /** The exit code, or the signal that killed it. */
  readonly si_status: number;
}

/**
 * include/uapi/linux/fcntl.h (6.18; the PIDFD_SELF series, ~v6.14): an fd argument that
 * names the calling thread, for pidfd_get_task() and pidfd_send_signal(): -10000, as the
 * core states it.
 */
export const PIDFD_SELF_THREAD: number = UAPI.PIDFD_SELF_THREAD;
/**
 * include/uapi/linux/fcntl.h (6.18): an fd argument that names the caller's thread group:
 * -10001, as the core states it (-20000, the series' first value, is EBADF on 6.18).
 */
export const PIDFD_SELF_THREAD_GROUP: number = UAPI.PIDFD_SELF_THREAD_GROUP;

/** include/uapi/asm-generic/mman-common.h: MADV_WILLNEED (read ahead). */
export const MADV_WILLNEED = 3;
/** include/uapi/asm-generic/mman-common.h: MADV_DONTNEED (drop the pages: a zap). */
export const MADV_DONTNEED = 4;
/** include/uapi/asm-generic/mman-common.h: MADV_FREE (free when memory is needed). */
export const MADV_FREE = 8;
/** include/uapi/asm-generic/mman-common.h: MADV_COLD (deactivate). */
export const MADV_COLD = 20;
/** include/uapi/asm-generic/mman-common.h: MADV_PAGEOUT (reclaim). */
export const MADV_PAGEOUT = 21;
/** include/uapi/asm-generic/mman-common.h: MADV_COLLAPSE (into huge pages). */
export const MADV_COLLAPSE = 25;
/** include/uapi/linux/uio.h: the most iovecs one call takes (import_iovec(): EINVAL). */
export const UIO_MAXIOV = 1024;

/** Called as each syscall returns (pid, nr, ret), before the thread goes back to userspace. */
export type SyscallObserver = (pid: number, nr: number, ret: number) => void;

/** Thrown out of a recipe when its thread was killed: the recipe is over. */
export class TaskKilled extends Error {
  /** The thread that died on its way back to userspace. */
  readonly pid: number;

  /** A recipe's thread died; `pid` names it. */
  constructor(pid: number) {
    super(`task ${pid} was killed`);
    this.pid = pid;
  }
}

/**
 * One syscall argument as userspace passes it: a number, or a pointer to an iovec array over
 * the victim's pages (process_madvise's vector), which the host backend builds in memory.
 */
export type SyscallArg = number | { readonly iov: readonly IovRange[] };

/**
 * A syscall whose kernel side a design supplies: its name, the number the trace shows, and
 * whether any real kernel assigned that number to it (a real kernel answers ENOSYS to a
 * proposal that never got one).
 */
export interface SyscallSpec {
  /** The syscall's name: `process_mrelease`, `process_reap`. */
  readonly name: string;
  /** Its x86_64 number, as the trace shows it. */
  readonly nr: number;
  /** false: no kernel has this syscall at `nr` (the host gets ENOSYS). Default true. */
  readonly upstream?: boolean;
  /**
   * Which two of the call's arguments, by position, the trace's sys_enter shows as its
   * first two (the lab's event has room for two). Default `[0, 1]`.
   */
  readonly traceArgs?: readonly [number, number];
}

/**
 * A thread's view of the kernel from userspace: what a design's recipe is written against.
 * The simulator ({@linkcode SimUserspace}) and the host backend (src/lab/host) implement it,
 * so one recipe runs on both.
 *
 * @example
 * ```ts
 * import type { KGen } from "./primitives.ts";
 * import { type Userspace, PIDFD_NONBLOCK } from "./userspace.ts";
 * function* killer(u: Userspace, victim: number): KGen<number> {
 *   const fd = yield* u.pidfd_open(victim, PIDFD_NONBLOCK);
 *   return yield* u.pidfd_send_signal(fd, 9, 0);
 * }
 * ```
 */
export interface Userspace {
  /** This thread's pid. */
  readonly current: number;
  /**
   * Issues `call` with `args`: on the simulator, enter, run `body` (the design's kernel side)
   * in this thread's kernel context, exit; on the host, the real syscall.
   */
  syscall(
    call: SyscallSpec,
    args: readonly SyscallArg[],
    body: (k: Primitives) => KGen<number>,
  ): KGen<number>;
  /** kill(pid, sig). */
  kill(pid: number, sig: number): KGen<number>;
  /** pidfd_open(pid, flags): a new fd or -errno. */
  pidfd_open(pid: number, flags: number): KGen<number>;
  /** pidfd_send_signal(fd, sig, NULL, flags) as the kernel has it. */
  pidfd_send_signal(fd: number, sig: number, flags: number): KGen<number>;
  /** close(fd). */
  close(fd: number): KGen<number>;
  /**
   * waitid(P_PIDFD, fd, options): 0 or -errno, as the real call; what it reaped (nothing:
   * WNOHANG and the child still running) is in {@linkcode Userspace.waitid_siginfo}.
   * `options` defaults to WEXITED | WNOHANG; WEXITED alone waits for the child.
   */
  waitid_pidfd(fd: number, options?: number): KGen<number>;
  /** The siginfo this thread's last waitid filled in (0s before any). */
  waitid_siginfo(): WaitSiginfo;
  /** process_vm_readv(pid, ...) of one remote range (pages): the bytes copied or -errno. */
  process_vm_readv(pid: number, range: IovRange): KGen<number>;
  /** open, pread and close of /proc/<pid>/mem over one range: the bytes read or -errno. */
  proc_mem_read(pid: number, range: IovRange): KGen<number>;
  /** poll() on a pidfd: 1 once the process has exited. */
  pidfd_poll(fd: number): KGen<number>;
  /**
   * The page allocator ran out of memory here and the OOM killer chose `tgid` (only the
   * simulator can do this on demand; the host backend refuses it).
   */
  oom_kill_process(tgid: number): number;
}

/** The simulator's {@linkcode Userspace}: a thread of the world loaded in the core. */
export class SimUserspace implements Userspace {
  /** The primitives bound to this thread, for syscall bodies written in TypeScript. */
  readonly k: Primitives;

  /** This thread's pid. */
  readonly current: number;
  readonly #kernel: Kernel;
  readonly #observe?: SyscallObserver;
  #syscalls = 0;

  /**
   * A thread's userspace.
   *
   * @param kernel the core
   * @param current this thread's pid
   * @param observe called as each of its syscalls returns
   */
  constructor(kernel: Kernel, current: number, observe?: SyscallObserver) {
    this.#kernel = kernel;
    this.#observe = observe;
    this.current = current;
    this.k = new Primitives(kernel, current);
  }

  /** How many syscalls this thread has made through this object that returned. */
  get syscalls(): number {
    return this.#syscalls;
  }

  /**
   * Issues `call`: enter, run `body` in this thread's kernel context, exit. The trace shows
   * the two arguments `call.traceArgs` names (a pointer as 0: the simulator has no addresses).
   */
  *syscall(
    call: SyscallSpec,
    args: readonly SyscallArg[],
    body: (k: Primitives) => KGen<number>,
  ): KGen<number> {
    const shown = (call.traceArgs ?? [0, 1]).map((i) => args[i]);
    return yield* this.#syscall(call.nr, shown.map((a) => typeof a === "number" ? a : 0), body);
  }

  *#syscall(
    nr: number,
    args: readonly number[],
    body: (k: Primitives) => KGen<number>,
  ): KGen<number> {
    this.#kernel.syscall_enter(this.current, nr, args[0] ?? 0, args[1] ?? 0);
    const ret = yield* body(this.k);
    this.#kernel.syscall_exit(this.current, nr, ret);
    this.#syscalls++;
    this.#observe?.(this.current, nr, ret);
    if (this.#kernel.fatal_signal_pending(this.current) === 1) throw new TaskKilled(this.current);
    return ret;
  }

  /** kill(pid, sig). */
  *kill(pid: number, sig: number): KGen<number> {
    return yield* this.#syscall(
      NR.kill,
      [pid, sig],
      () => done(this.#kernel.kill(this.current, pid, sig)),
    );
  }

  /** pidfd_open(pid, flags): a new fd or -errno. */
  *pidfd_open(pid: number, flags: number): KGen<number> {
    return yield* this.#syscall(
      NR.pidfd_open,
      [pid, flags],
      () => done(this.#kernel.pidfd_open(this.current, pid, flags)),
    );
  }

  /** pidfd_send_signal(fd, sig, NULL, flags) as the kernel has it (flags must be 0). */
  *pidfd_send_signal(fd: number, sig: number, flags: number): KGen<number> {
    return yield* this.#syscall(
      NR.pidfd_send_signal,
      [fd, sig],
      () => done(this.#kernel.pidfd_send_signal(this.current, fd, sig, flags)),
    );
  }

  /** close(fd). */
  *close(fd: number): KGen<number> {
    return yield* this.#syscall(NR.close, [fd], () => done(this.#kernel.close(this.current, fd)));
  }

  /**
   * waitid(P_PIDFD, fd, options): 0 or -errno. Without WNOHANG the thread sleeps until its
   * child's group has exited and asks again (do_wait's loop).
   */
  *waitid_pidfd(fd: number, options: number = WEXITED | WNOHANG): KGen<number> {
    const kernel = this.#kernel;
    const me = this.current;
    return yield* this.#syscall(NR.waitid, [fd, options], function* () {
      for (;;) {
        const r = kernel.waitid_pidfd(me, fd, options);
        if (r !== BLOCKED) return r;
        yield "block";
      }
    });
  }

  /** The siginfo this thread's last waitid filled in. */
  waitid_siginfo(): WaitSiginfo {
    return {
      si_pid: this.#kernel.waitid_siginfo(this.current, 0),
      si_code: this.#kernel.waitid_siginfo(this.current, 1),
      si_status: this.#kernel.waitid_siginfo(this.current, 2),
    };
  }

  /** process_vm_readv(pid, ...) of one remote range: the bytes copied or -errno. */
  *process_vm_readv(pid: number, range: IovRange): KGen<number> {
    return yield* this.#syscall(
      NR.process_vm_readv,
      [pid],
      (k) => process_vm_readv_body(k, pid, range),
    );
  }

  /** /proc/<pid>/mem read over one range: the bytes read or -errno. */
  *proc_mem_read(pid: number, range: IovRange): KGen<number> {
    return yield* this.#syscall(NR.pread64, [pid], (k) => proc_mem_read_body(k, pid, range));
  }

  /** poll() on a pidfd: 1 once the process has exited. */
  *pidfd_poll(fd: number): KGen<number> {
    return yield* this.#syscall(
      NR.poll,
      [fd],
      () => done(this.#kernel.pidfd_poll(this.current, fd)),
    );
  }

  /** The page allocator ran out of memory here and the OOM killer chose `tgid`. */
  oom_kill_process(tgid: number): number {
    return this.#kernel.oom_kill_process(this.current, tgid);
  }
}

/** A syscall body that never sleeps. */
// deno-lint-ignore require-yield
function* done(ret: number): KGen<number> {
  return ret;
}
