/**
 * A caller in a child pid namespace: the caller helper (`nscaller.c`), started `levels` pid
 * namespaces below the lab's by the session (`HostSession.spawnNsCaller`), makes a recipe's
 * calls there, one at a time over its socket, and answers each with its result and times.
 * The lab cannot be that caller itself: unshare(CLONE_NEWPID) moves only the caller's
 * children into the new namespace.
 *
 * What the kernel does with such a caller (6.18, measured here; docs/host.md):
 * pidfd_send_signal() on a pidfd of a process of the lab's namespace answers EINVAL, before
 * any signal: access_pidfd_pidns() (kernel/signal.c) walks up from the target's namespace
 * and never reaches the caller's. pidfd_open() and kill() of that process's pid answer
 * ESRCH: find_get_pid() / find_vpid() look the number up in task_active_pid_ns(current)
 * (kernel/pid.c, kernel/signal.c kill_proc_info()). process_mrelease() (mm/oom_kill.c) and
 * process_madvise() (mm/madvise.c) take the pidfd through pidfd_get_task() (kernel/pid.c),
 * which has no namespace check.
 *
 * The guard: the caller gets only fds the session opened (SCM_RIGHTS), or opens them itself
 * in its namespace; an fd argument must be one of those, negative, or not open in the caller
 * (EBADF). A pid argument (kill, pidfd_open) must be one the session spawned, and reaches
 * the kernel in a namespace whose only process is the caller itself (pid 1): the number
 * names nothing there, whatever it is in the lab's namespace.
 *
 * @module
 */

import { errnoOf, PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP, retName } from "../../core/mod.ts";
import { closeFd, pollIn, readSome, readText, sendText } from "./ffi.ts";
import { HostSafetyError, type HostSession } from "./session.ts";
import type { HostCall } from "./userspace.ts";

/**
 * How long the lab waits for the caller's answer to one call: the slowest is a
 * process_mrelease of the largest victim (2 GiB: a few hundred ms here); 10 s covers a
 * loaded machine.
 */
const NS_CALLER_ANSWER_MS = 10_000;

/** A syscall argument for the caller: a number, or an iovec array (base, length pairs). */
export type NsArg = number | BigUint64Array;

/** The caller helper, `levels` pid namespaces below the lab's. */
export class NsCaller {
  /** The caller's pid in the lab's namespace. */
  readonly pid: number;
  /** How many pid namespaces below the lab's it is. */
  readonly levels: number;
  readonly #session: HostSession;
  readonly #socket: number;
  /** The caller's fds the run gave it or it opened → what each is. */
  readonly #fds = new Map<number, string>();
  #closed = false;

  private constructor(session: HostSession, levels: number, pid: number, socket: number) {
    this.#session = session;
    this.levels = levels;
    this.pid = pid;
    this.#socket = socket;
  }

  /**
   * Starts the caller helper `levels` (1..32) pid namespaces below the lab's, held by the
   * session like every process of the run.
   */
  static async start(session: HostSession, levels: number): Promise<NsCaller> {
    const { caller, socket } = await session.spawnNsCaller(levels);
    return new NsCaller(session, levels, caller.pid, socket);
  }

  /**
   * Gives the caller a copy of `fd`, an fd the session opened (SCM_RIGHTS, as a process of
   * the lab's namespace passes a pidfd on): the caller's number for it.
   */
  pass(fd: number): number {
    this.#session.checkFd(fd);
    const answer = this.#ask("fd", fd);
    const m = answer.match(/^fd (\d+)$/);
    if (!m) throw new Error(`the caller helper (${this.pid}) refused an fd: ${answer}`);
    const mine = Number(m[1]);
    this.#fds.set(mine, `the run's fd ${fd}`);
    return mine;
  }

  /**
   * Refuses an fd argument that could name a process unless the run gave it to the caller or
   * the caller opened it in its namespace: negative fds and fds not open in the caller pass
   * (the kernel answers EBADF), and the PIDFD_SELF_* sentinels, which name the caller, do not.
   */
  checkFd(fd: number): void {
    if (fd === PIDFD_SELF_THREAD || fd === PIDFD_SELF_THREAD_GROUP) {
      throw new HostSafetyError(`refusing fd ${fd}: PIDFD_SELF_* names the caller helper`);
    }
    if (fd < 0 || this.#fds.has(fd)) return;
    if (readText(`/proc/${this.pid}/fdinfo/${fd}`) === null) return; // not open: EBADF
    throw new HostSafetyError(
      `refusing fd ${fd} of the caller in a child pid namespace: the run did not give it`,
    );
  }

  /**
   * syscall(nr, args) made by the caller in its namespace, timed there: the record of it.
   * `shown` is how the record lists the arguments. The caller's guard (nscaller.c) accepts
   * only a recipe's calls; a pidfd it opens is remembered, a closed fd forgotten.
   */
  call(name: string, nr: number, args: readonly NsArg[], shown: (number | string)[]): HostCall {
    const words: number[] = [];
    let iovArg = -1;
    let iov: bigint[] = [];
    args.forEach((a, i) => {
      if (typeof a === "number") return words.push(a);
      if (iovArg >= 0) throw new Error(`${name}: two iovec arguments`);
      iovArg = i;
      iov = [...a];
      words.push(0);
    });
    while (words.length < 6) words.push(0);
    const answer = this.#ask(`sys ${nr} ${words.join(" ")} ${iovArg} ${iov.join(" ")}`.trim());
    const m = answer.match(/^ret (-?\d+) (\d+) (\d+) (\d+)$/);
    if (!m) throw new Error(`the caller helper (${this.pid}): ${name}: ${answer}`);
    const [ret, wall_ns, cpu_ns, rusage_ns] = m.slice(1).map(Number);
    if (ret >= 0 && name === "pidfd_open") this.#fds.set(ret, "a pidfd it opened");
    if (ret === 0 && name === "close") this.#fds.delete(words[0]);
    return { name, nr, args: shown, ret, errno: errnoOf(ret), wall_ns, cpu_ns, rusage_ns };
  }

  /** Lets the caller go: at end of file it exits, and each level above it with it. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeFd(this.#socket);
  }

  #ask(text: string, fd?: number): string {
    if (this.#closed) throw new Error("the caller helper was let go");
    const n = sendText(this.#socket, { text, fd });
    if (n < 0) throw new Error(`the caller helper (${this.pid}): send: ${retName(n)}`);
    if (!pollIn(this.#socket, NS_CALLER_ANSWER_MS)) {
      throw new Error(
        `the caller helper (${this.pid}) did not answer in ${NS_CALLER_ANSWER_MS} ms`,
      );
    }
    const answer = readSome(this.#socket);
    if (!answer) throw new Error(`the caller helper (${this.pid}) is gone`);
    return answer;
  }
}
