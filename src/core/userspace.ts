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
import type { IovRange } from "./call.ts";

/** The syscalls the lab's recipes issue. */
export type SyscallName =
  | "close"
  | "poll"
  | "kill"
  | "waitid"
  | "pidfd_send_signal"
  | "pidfd_open"
  | "process_madvise"
  | "process_mrelease";

/** x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
export const NR: Readonly<Record<SyscallName, number>> = {
  close: 3,
  poll: 7,
  kill: 62,
  waitid: 247,
  pidfd_send_signal: 424,
  pidfd_open: 434,
  process_madvise: 440,
  process_mrelease: 448,
};

/** The syscalls of {@linkcode NR} as {@linkcode SyscallSpec}s, for `Userspace.syscall`. */
export const SYSCALLS: Readonly<Record<SyscallName, SyscallSpec>> = Object.fromEntries(
  Object.entries(NR).map(([name, nr]) => [name, { name, nr }]),
) as Record<SyscallName, SyscallSpec>;

/** pidfd_open's PIDFD_NONBLOCK (O_NONBLOCK). */
export const PIDFD_NONBLOCK = 0o4000;
/** waitid's WNOHANG. */
export const WNOHANG = 1;
/** waitid's WEXITED. */
export const WEXITED = 4;

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
  /** waitid(P_PIDFD, fd, WEXITED | WNOHANG): the reaped child's pid, 0, or -errno. */
  waitid_pidfd(fd: number): KGen<number>;
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

  /**
   * Issues syscall `nr`: enter, run `body` in this thread's kernel context, exit.
   * `args` are the first two arguments, for the trace.
   */
  *syscall(
    call: SyscallSpec,
    args: readonly SyscallArg[],
    body: (k: Primitives) => KGen<number>,
  ): KGen<number> {
    return yield* this.#syscall(call.nr, args.map((a) => typeof a === "number" ? a : 0), body);
  }

  *#syscall(
    nr: number,
    args: readonly number[],
    body: (k: Primitives) => KGen<number>,
  ): KGen<number> {
    this.#kernel.syscall_enter(this.current, nr, args[0] ?? 0, args[1] ?? 0);
    const ret = yield* body(this.k);
    this.#kernel.syscall_exit(this.current, nr, ret);
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

  /** waitid(P_PIDFD, fd, WEXITED | WNOHANG): the reaped child's pid, 0, or -errno. */
  *waitid_pidfd(fd: number): KGen<number> {
    return yield* this.#syscall(
      NR.waitid,
      [fd, WEXITED | WNOHANG],
      () => done(this.#kernel.waitid_pidfd(this.current, fd, WEXITED | WNOHANG)),
    );
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
