/**
 * The host's {@linkcode Userspace}: the lab's own thread, as the memory killer, makes a
 * design's recipe's calls on this machine's real kernel. It is the same recipe the simulator
 * runs (`design.recipe(u, ctx)`); a syscall's kernel-side `body` is the simulator's, so here
 * the real kernel answers instead. Every call is timed and recorded as a {@linkcode HostCall}.
 *
 * The guard holds for every call: a process is signalled only through the session's pidfd of
 * a process the run spawned, an fd argument that names a process must be one the session
 * opened, and the only calls made with a recipe's arguments are those that name their target
 * by pidfd. A pid number reaches the kernel only in the follow-up reads of the victim's memory
 * (process_vm_readv, /proc/<pid>/mem), and only for the lab's own child not yet waited for,
 * whose pid cannot have been reused.
 *
 * With a caller in a child pid namespace (`opts.nsCaller`), the caller helper makes the
 * calls instead of the lab's thread (pidns.ts): the pidfd calls, kill and pidfd_open of a
 * process the run spawned, and close; the follow-up reads and waitid are not expressible.
 *
 * @module
 */

import {
  type Errno,
  errnoOf,
  type IovRange,
  type KGen,
  NR,
  PAGE_SIZE,
  type Primitives,
  type SyscallArg,
  type SyscallSpec,
  type Userspace,
  type WaitSiginfo,
  WEXITED,
  WNOHANG,
} from "../../core/mod.ts";
import {
  addr,
  monotonicNs,
  openPath,
  pollFd,
  pollIn,
  SYS,
  SYS_UNASSIGNED,
  syscall,
  threadCpuClockNs,
  threadCpuNs,
} from "./ffi.ts";
import { type HostPlan, NotExpressible } from "./plan.ts";
import type { NsArg, NsCaller } from "./pidns.ts";
import { HostSafetyError, type HostSession, type Victim } from "./session.ts";

/** One syscall the lab made as the caller. */
export interface HostCall {
  /** The syscall. */
  name: string;
  /** Its x86_64 number. */
  nr: number;
  /** Its arguments as passed (fds are host fd numbers, `ptr` a pointer). */
  args: (number | string)[];
  /** The result, or -errno. */
  ret: number;
  /** The errno it set: a name, or 0 when it succeeded. */
  errno: Errno;
  /** Wall time from entry to return (CLOCK_MONOTONIC, ns). */
  wall_ns: number;
  /** The calling thread's CPU time over the call (CLOCK_THREAD_CPUTIME_ID, ns). */
  cpu_ns: number;
  /** The same from getrusage(RUSAGE_THREAD) (tick-sampled, coarse for short calls; ns). */
  rusage_ns: number;
}

/**
 * The syscalls a recipe may make with its own arguments on the host: each names its target by
 * the pidfd in its first argument, which the guard checks before the call.
 */
const PIDFD_CALLS: ReadonlySet<number> = new Set([
  NR.pidfd_send_signal,
  NR.process_madvise,
  NR.process_mrelease,
]);

/**
 * How long a blocking waitid waits for the victim to exit before the run fails rather than
 * hang: a SIGKILLed victim here exits within milliseconds (docs/host.md).
 */
export const BLOCKING_WAIT_MS = 10_000;

/** The lab's thread as a recipe's {@linkcode Userspace} on the real kernel. */
export class HostUserspace implements Userspace {
  /** The lab's calling thread (gettid). */
  readonly current: number;
  /** Every call made so far, in order. */
  readonly calls: HostCall[] = [];
  readonly #s: HostSession;
  readonly #victim: Victim;
  readonly #plan: HostPlan;
  readonly #scenario: string;
  readonly #ns: NsCaller | null;
  #siginfo: WaitSiginfo = { si_pid: 0, si_code: 0, si_status: 0 };

  /**
   * The caller of one host run.
   *
   * @param session the run's session: every process and fd the recipe may act on is its
   * @param victim the victim the session spawned (its VMAs back `{ iov }` arguments)
   * @param plan the scenario's host plan (its VMAs in the lab's page numbers)
   * @param scenario the scenario's name, for {@linkcode NotExpressible}
   * @param opts `nsCaller`: the caller in a child pid namespace that makes the calls
   */
  constructor(
    session: HostSession,
    victim: Victim,
    plan: HostPlan,
    scenario: string,
    opts: { nsCaller?: NsCaller } = {},
  ) {
    this.#s = session;
    this.#victim = victim;
    this.#plan = plan;
    this.#scenario = scenario;
    this.#ns = opts.nsCaller ?? null;
    this.current = this.#ns?.pid ?? syscall(SYS.gettid);
  }

  /**
   * The real syscall `call.nr` with `args` (`body` is the simulator's kernel side); a call
   * that no kernel assigned a number (`upstream: false`) goes to an unassigned number, where
   * the kernel answers ENOSYS. A `{ iov }` argument becomes an iovec array over the victim's
   * mapped VMAs.
   */
  syscall(
    call: SyscallSpec,
    args: readonly SyscallArg[],
    _body: (k: Primitives) => KGen<number>,
  ): KGen<number> {
    if (call.upstream === false) return done(this.#sys(call.name, SYS_UNASSIGNED, args));
    if (!PIDFD_CALLS.has(call.nr)) {
      throw new NotExpressible(this.#scenario, [
        `${call.name} (${call.nr}): the host makes only calls that name their target by pidfd`,
      ]);
    }
    return done(this.#sys(call.name, call.nr, args));
  }

  /**
   * kill(pid, sig) in the simulator; here the same signal goes through the session's pidfd of
   * the process, which must be one the run spawned: no pid is ever signalled by number.
   */
  kill(pid: number, sig: number): KGen<number> {
    // Refused before the clocks are read: a refused call makes no syscall at all.
    this.#s.check(pid);
    const target = pid === this.#victim.process.pid ? "victim" : pid;
    // In the caller's namespace the number is looked up there (find_vpid), where the caller
    // is the only process: it names nothing of anyone else's.
    if (this.#ns) return done(this.#nsCall("kill", SYS.kill, [pid, sig], [target, sig]));
    return done(
      this.#timed(
        "pidfd_send_signal",
        SYS.pidfd_send_signal,
        [target, sig],
        () => this.#s.signal(pid, sig),
      ),
    );
  }

  /** pidfd_open(pid, flags) of a process the run spawned: a new fd or -errno. */
  pidfd_open(pid: number, flags: number): KGen<number> {
    this.#s.check(pid);
    if (this.#ns) return done(this.#nsCall("pidfd_open", SYS.pidfd_open, [pid, flags]));
    return done(
      this.#timed("pidfd_open", SYS.pidfd_open, [pid, flags], () => this.#s.pidfdOpen(pid, flags)),
    );
  }

  /** pidfd_send_signal(fd, sig, NULL, flags). */
  pidfd_send_signal(fd: number, sig: number, flags: number): KGen<number> {
    return done(this.#sys("pidfd_send_signal", SYS.pidfd_send_signal, [fd, sig, 0, flags]));
  }

  /** close(fd) of an fd the session opened for the recipe. */
  close(fd: number): KGen<number> {
    if (this.#ns) {
      this.#ns.checkFd(fd);
      return done(this.#nsCall("close", SYS.close, [fd]));
    }
    return done(this.#timed("close", SYS.close, [fd], () => this.#s.closeForRecipe(fd)));
  }

  /**
   * waitid(P_PIDFD, fd, options): 0 or -errno, the siginfo kept. Without WNOHANG the
   * call blocks until the victim exits; so that a victim that never exits (frozen, never
   * killed) cannot hang the lab, the pidfd must poll readable within
   * {@linkcode BLOCKING_WAIT_MS} first, or the run fails.
   */
  waitid_pidfd(fd: number, options: number = WEXITED | WNOHANG): KGen<number> {
    this.#lab("waitid");
    this.#s.checkFd(fd);
    if (!(options & WNOHANG) && !pollIn(fd, BLOCKING_WAIT_MS)) {
      throw new Error(
        `a blocking waitid on fd ${fd}: the victim did not exit within ${BLOCKING_WAIT_MS} ms`,
      );
    }
    return done(
      this.#timed("waitid", SYS.waitid, [fd, options], () => {
        const r = this.#s.waitidForRecipe(fd, options);
        this.#siginfo = { si_pid: r.pid, si_code: r.code, si_status: r.status };
        return r.ret;
      }),
    );
  }

  /** The siginfo the last waitid filled in. */
  waitid_siginfo(): WaitSiginfo {
    return this.#siginfo;
  }

  /**
   * process_vm_readv(pid, ...) of one range of the victim's pages into a buffer of the
   * lab's: the bytes copied or -errno. Only the victim the run spawned is read.
   */
  process_vm_readv(pid: number, range: IovRange): KGen<number> {
    this.#lab("process_vm_readv");
    checkByNumber(this.#s, pid);
    const bytes = Math.max(0, range.end_page - range.start_page) * PAGE_SIZE;
    const local = new Uint8Array(bytes);
    const lvec = new BigUint64Array([addr(local), BigInt(bytes)]);
    const rvec = this.#iovec([range]);
    return done(
      this.#timed(
        "process_vm_readv",
        SYS.process_vm_readv,
        [pid, "ptr"],
        () => syscall(SYS.process_vm_readv, pid, addr(lvec), 1, rvec === 0 ? 0 : addr(rvec), 1, 0),
      ),
    );
  }

  /**
   * open("/proc/<pid>/mem"), pread64 of one range of the victim's pages, close: the bytes
   * read or -errno (the open's, when it fails). Only the victim the run spawned is read.
   */
  proc_mem_read(pid: number, range: IovRange): KGen<number> {
    this.#lab("a read of /proc/<pid>/mem");
    checkByNumber(this.#s, pid);
    const bytes = Math.max(0, range.end_page - range.start_page) * PAGE_SIZE;
    const buf = new Uint8Array(bytes);
    const rvec = this.#iovec([range]);
    const at = rvec === 0 ? 0n : rvec[0];
    return done(
      this.#timed("pread64", SYS.pread64, [pid, "ptr"], () => {
        const fd = openPath(`/proc/${pid}/mem`, 0);
        if (fd < 0) return fd;
        try {
          return syscall(SYS.pread64, fd, addr(buf), bytes, at);
        } finally {
          syscall(SYS.close, fd);
        }
      }),
    );
  }

  /** poll() on a pidfd without waiting: 1 once the process has exited. */
  pidfd_poll(fd: number): KGen<number> {
    this.#lab("poll");
    this.#s.checkFd(fd);
    return done(this.#timed("poll", SYS.poll, [fd], () => pollFd(fd, 0)));
  }

  /** The host cannot make the page allocator run out of memory on demand. */
  oom_kill_process(_tgid: number): number {
    throw new NotExpressible(this.#scenario, ["an OOM kill: the host cannot cause one on demand"]);
  }

  /** A syscall whose first argument is the target's fd: the guard checks it first. */
  #sys(name: string, nr: number, args: readonly SyscallArg[]): number {
    const [fd] = args;
    if (typeof fd !== "number") throw new Error(`${name}: the first argument is not an fd`);
    // The iovec arrays stay referenced here until the call has returned.
    const held = args.map((a) => typeof a === "number" ? a : this.#iovec(a.iov));
    if (this.#ns) {
      this.#ns.checkFd(fd);
      return this.#nsCall(name, nr, held);
    }
    this.#s.checkFd(fd);
    return this.#timed(
      name,
      nr,
      held.map((a) => typeof a === "number" ? a : "ptr"),
      () => syscall(nr, ...held.map((a) => typeof a === "number" ? a : addr(a))),
    );
  }

  /**
   * The victim's pages [start_page, end_page) of each range as a struct iovec array, at the
   * helper's real addresses; NULL (0) for none. The plan checked that each range lies in one
   * VMA or in page 0, which stays at address 0: never mapped (below vm.mmap_min_addr).
   */
  #iovec(iov: readonly IovRange[]): BigUint64Array<ArrayBuffer> | 0 {
    if (!iov.length) return 0;
    const vec = new BigUint64Array(iov.length * 2);
    iov.forEach((r, i) => {
      const at = this.#plan.vmas.findIndex((v) =>
        r.start_page >= v.startPage && r.end_page <= v.startPage + v.bytes / PAGE_SIZE
      );
      vec[2 * i] = at < 0 ? BigInt(r.start_page * PAGE_SIZE) : this.#victim.vmas[at].addr +
        BigInt((r.start_page - this.#plan.vmas[at].startPage) * PAGE_SIZE);
      vec[2 * i + 1] = BigInt((r.end_page - r.start_page) * PAGE_SIZE);
    });
    return vec;
  }

  /** A call the caller in a child pid namespace makes: recorded as the lab's are. */
  #nsCall(name: string, nr: number, args: readonly NsArg[], shown?: (number | string)[]): number {
    const shownArgs = shown ?? args.map((a) => typeof a === "number" ? a : "ptr");
    const call = this.#ns!.call(name, nr, args, shownArgs);
    this.calls.push(call);
    return call.ret;
  }

  /** A call only the lab's own thread makes: not with a caller in a child pid namespace. */
  #lab(what: string): void {
    if (this.#ns) {
      throw new NotExpressible(this.#scenario, [`${what} by a caller in a child pid namespace`]);
    }
  }

  #timed(name: string, nr: number, args: (number | string)[], fn: () => number): number {
    const r0 = threadCpuNs();
    const c0 = threadCpuClockNs();
    const w0 = monotonicNs();
    const ret = fn();
    const w1 = monotonicNs();
    const c1 = threadCpuClockNs();
    const r1 = threadCpuNs();
    this.calls.push({
      name,
      nr,
      args,
      ret,
      errno: errnoOf(ret),
      wall_ns: w1 - w0,
      cpu_ns: c1 - c0,
      rusage_ns: r1 - r0,
    });
    return ret;
  }
}

/**
 * A pid a call takes by number (process_vm_readv, /proc/<pid>/mem): only the lab's own child
 * not yet waited for, whose pid the kernel cannot give to anyone else.
 */
function checkByNumber(session: HostSession, pid: number): void {
  const p = session.check(pid);
  if (p.direct && !p.reaped) return;
  const why = p.reaped ? "it was waited for, so its pid may be reused" : "not the lab's child";
  throw new HostSafetyError(`refusing pid ${pid} by number: ${why}`);
}

/**
 * Runs a recipe to its end on the host. A host call returns when the kernel does, so the
 * recipe's generator never has a reason to yield: if it does, that is a bug.
 */
export function runRecipe(recipe: KGen<number>): number {
  const step = recipe.next();
  if (!step.done) {
    throw new Error(`a recipe yielded "${step.value}" on the host, where no call blocks it`);
  }
  return step.value;
}

/**
 * A call's result as the generator a {@linkcode Userspace} method returns: the call has been
 * made by the time the recipe's `yield*` reaches it.
 */
// deno-lint-ignore require-yield
function* done(ret: number): KGen<number> {
  return ret;
}
