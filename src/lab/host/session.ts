/**
 * One run's hold on the host: the processes it created, by pidfd from creation, and the
 * one freezer cgroup it made. Every call that signals, freezes or reaps goes through the
 * guard here, which refuses (with {@linkcode HostSafetyError}, before any call is made)
 * a pid <= 2, a pid this session did not spawn, and a pidfd or /proc/<pid> fd it did not
 * open. Signals travel through the session's pidfds, never `kill(pid)`, so a recycled pid
 * can never be hit. `close()` kills, thaws, waits for and reaps everything, and removes
 * the cgroup. A supervisor process in its own session, handed a pidfd of every process the
 * session creates and told of its cgroup, does the same if the lab dies first, however it
 * dies (docs/host.md, "Cleanup").
 *
 * @module
 */

import {
  C,
  closeFd,
  inNewPidNamespace,
  makeDir,
  pipe,
  pollIn,
  readLink,
  readSome,
  readText,
  removeDir,
  sendText,
  socketPair,
  spawn,
  SYS,
  syscall,
  waitidPidfd,
} from "./ffi.ts";
import {
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
  retName,
  SIGKILL,
  SIGSTOP,
  WEXITED,
  WNOHANG,
} from "../../core/mod.ts";
import { helperPath } from "./helper.ts";
import { parentPid, startTime, threadIds, threadStates } from "./observe.ts";
import { mustOpen, mustWrite, readUntil, retry, spinUntil } from "./_io.ts";
import { CORE_DIR_PREFIX, coreDirParent, removeCoreDirs } from "./coredump.ts";

import { LEDGER, OPEN } from "./_ledger.ts";
import {
  CGROUP_PREFIX,
  CLD_NAMES,
  FREEZER_ROOT,
  HostSafetyError,
  NS_CALLER_START_MS,
  type OwnedProcess,
  type Supervisor,
  SUPERVISOR_ANSWER_MS,
  type Victim,
  type VictimSpec,
} from "./_session_types.ts";

export { leftovers } from "./_ledger.ts";
export {
  CGROUP_PREFIX,
  FREEZER_ROOT,
  HostSafetyError,
  LAB_DEATH_CLEANUP_MS,
  type Victim,
} from "./_session_types.ts";

let sessionCount = 0;

/**
 * One run's processes and cgroup.
 *
 * @example
 * ```ts
 * import { HostSession } from "./session.ts";
 * const s = new HostSession();
 * try {
 *   // const v = await s.spawnVictim({ comm: "victim", vmas: [], extraThreads: 0, vfork: false });
 * } finally {
 *   await s.close();
 * }
 * ```
 */
export class HostSession {
  /** Unique among this lab process's sessions. */
  readonly id: string;
  readonly #owned = new Map<number, OwnedProcess>();
  /** fds the session opened (pidfds, dups, /proc dirs, other files) → the pid they name. */
  readonly #fds = new Map<number, number | null>();
  #cgroup: string | null = null;
  readonly #coreDirs: string[] = [];
  #supervisor: Supervisor | null = null;
  #closed = false;

  /** A new session; nothing is created until asked. */
  constructor() {
    this.id = `${Deno.pid}-${++sessionCount}-${Math.random().toString(36).slice(2, 8)}`;
    OPEN.add(this);
  }

  /** The processes this session owns. */
  get owned(): readonly OwnedProcess[] {
    return [...this.#owned.values()];
  }

  /** The freezer cgroup's directory, once made. */
  get cgroup(): string | null {
    return this.#cgroup;
  }

  /** The supervisor's pid and start time, once started (with the first victim). */
  get supervisor(): { pid: number; startTime: string } | null {
    const s = this.#supervisor;
    return s && { pid: s.pid, startTime: s.startTime };
  }

  /**
   * The owned process `pid`, or a {@linkcode HostSafetyError}: pid <= 2, or a pid this
   * session did not create. Called before every call that acts on a process.
   */
  check(pid: number): OwnedProcess {
    if (!Number.isSafeInteger(pid) || pid <= 2) {
      throw new HostSafetyError(`refusing pid ${pid}: the lab never acts on pid <= 2`);
    }
    const p = this.#owned.get(pid);
    if (!p) {
      throw new HostSafetyError(
        `refusing pid ${pid}: not a process this run created (owned: ${
          [...this.#owned.keys()].join(", ") || "none"
        })`,
      );
    }
    return p;
  }

  /**
   * Refuses an fd that names a process unless the session opened it: a pidfd or a
   * /proc/<pid> directory from elsewhere, and the PIDFD_SELF_* sentinels, which name the lab
   * itself. Other negative, closed and ordinary fds pass (the kernel answers EBADF for them).
   */
  checkFd(fd: number): void {
    // 6.18's pidfd calls take these for the caller: the lab's own process.
    if (fd === PIDFD_SELF_THREAD || fd === PIDFD_SELF_THREAD_GROUP) {
      throw new HostSafetyError(`refusing fd ${fd}: PIDFD_SELF_* names the lab itself`);
    }
    if (fd < 0 || this.#fds.has(fd) || [...this.#owned.values()].some((p) => p.pidfd === fd)) {
      return;
    }
    const info = readText(`/proc/self/fdinfo/${fd}`);
    if (info === null) return; // closed
    if (/^Pid:/m.test(info)) {
      throw new HostSafetyError(`refusing fd ${fd}: a pidfd this run did not open`);
    }
    const target = readLink(`/proc/self/fd/${fd}`) ?? "";
    if (/^\/proc\/\d+$/.test(target)) {
      throw new HostSafetyError(`refusing fd ${fd}: ${target} was not opened by this run`);
    }
  }

  /** Builds a victim with the helper; it is the lab's child, held by pidfd at once. */
  async spawnVictim(spec: VictimSpec): Promise<Victim> {
    this.#open();
    await this.#ensureSupervisor();
    const path = await helperPath();
    const args = ["--parent", String(Deno.pid), "--comm", spec.comm.slice(0, 15)];
    for (const v of spec.vmas) args.push(`--${v.kind}`, `${v.bytes}:${v.resident}`);
    if (spec.extraThreads > 0) args.push("--threads", String(spec.extraThreads));
    if (spec.vfork) args.push("--vfork");
    if (spec.coreDir) {
      if (!this.#coreDirs.includes(spec.coreDir)) {
        throw new HostSafetyError(`refusing ${spec.coreDir}: not a core directory of this run`);
      }
      args.push("--core-dir", spec.coreDir);
    }
    const out = pipe(true);
    let pid: number;
    try {
      const start = () => spawn(path, args, out.write);
      pid = spec.pidNamespace ? inNewPidNamespace(start) : start();
    } catch (e) {
      closeFd(out.read);
      closeFd(out.write);
      throw e;
    }
    closeFd(out.write);
    // Our unwaited child: its pid cannot be recycled until we wait, so this pidfd names it.
    const process = this.#adopt(pid, true, spec.comm);
    try {
      this.#hold(process);
      const text = readUntil(out.read, /^(ready|error) .*$/m, 60_000);
      const err = text.match(/^error (.*)$/m);
      if (err) throw new Error(`the victim helper failed: ${err[1]}`);
      if (!/^ready /m.test(text)) throw new Error(`the victim helper did not start: ${text}`);
      const vmas = [...text.matchAll(/^vma (\S+) (0x[0-9a-f]+) (\d+)$/gm)].map((m) => ({
        kind: m[1],
        addr: BigInt(m[2]),
        bytes: Number(m[3]),
      }));
      let vforkChild: OwnedProcess | null = null;
      const vc = text.match(/^vfork_child (\d+)$/m);
      if (vc) vforkChild = this.#adoptDescendant(Number(vc[1]), process, `${spec.comm}:vfork`);
      return { process, vforkChild, vmas };
    } finally {
      closeFd(out.read);
    }
  }

  /**
   * Starts the caller helper (`nscaller.c`) `levels` pid namespaces below the lab's, for a
   * caller in a child pid namespace (pidns.ts): the helper is the lab's child and each
   * level's init the child of the one above, each held by pidfd (and handed to the
   * supervisor) once /proc shows it as its parent's child. Returns the innermost, the caller,
   * and the lab's end of its socket (the caller's stdin), which the caller of this closes.
   */
  async spawnNsCaller(levels: number): Promise<{ caller: OwnedProcess; socket: number }> {
    this.#open();
    await this.#ensureSupervisor();
    const path = await helperPath("nscaller");
    const [mine, theirs] = socketPair();
    let pid: number;
    try {
      pid = spawn(path, ["--parent", String(Deno.pid), "--levels", String(levels)], 2, theirs);
    } catch (e) {
      closeFd(mine);
      throw e;
    } finally {
      closeFd(theirs);
    }
    try {
      // Our unwaited child: its pid cannot be recycled until we wait, so this pidfd names it.
      let up = this.#adopt(pid, true, "nscaller");
      this.#hold(up);
      const text = pollIn(mine, NS_CALLER_START_MS) ? readSome(mine) ?? "" : "(no answer)";
      const ready = text.match(/^ready((?: \d+)+)$/);
      if (!ready) throw new Error(`the caller helper did not start: ${text}`);
      for (const [i, level] of ready[1].trim().split(" ").map(Number).entries()) {
        up = this.#adoptDescendant(level, up, `nscaller:${i + 1}`);
      }
      return { caller: up, socket: mine };
    } catch (e) {
      closeFd(mine);
      throw e;
    }
  }

  /** pidfd_open(tid, flags) of an owned process (`tid` one of its threads: PIDFD_THREAD). */
  pidfdOpen(pid: number, flags: number, tid = pid): number {
    this.check(pid);
    if (!threadIds(pid).includes(tid)) throw new HostSafetyError(`refusing ${tid}: not ${pid}'s`);
    const fd = syscall(SYS.pidfd_open, tid, flags);
    if (fd >= 0) this.#fds.set(fd, pid);
    return fd;
  }

  /** A new fd for the session's pidfd of `pid` (F_DUPFD_CLOEXEC). */
  dupPidfd(pid: number): number {
    const p = this.check(pid);
    const fd = syscall(SYS.fcntl, p.pidfd, C.F_DUPFD_CLOEXEC, 3);
    if (fd < 0) throw new Error(`dup of pidfd: ${retName(fd)}`);
    this.#fds.set(fd, pid);
    return fd;
  }

  /** An fd of the /proc/<pid> directory of an owned process (O_DIRECTORY). */
  openProcDir(pid: number): number {
    this.check(pid);
    const fd = mustOpen(`/proc/${pid}`, C.O_DIRECTORY);
    this.#fds.set(fd, pid);
    return fd;
  }

  /** An fd of an ordinary file (/dev/null): not a pidfd. */
  openOrdinaryFile(): number {
    const fd = mustOpen("/dev/null", 0);
    this.#fds.set(fd, null);
    return fd;
  }

  /**
   * close(fd) for a recipe: only an fd the session opened for it (the lab's other fds are
   * the runtime's, and the session's own pidfds stay until `close()`); 0 or -errno.
   */
  closeForRecipe(fd: number): number {
    if (!this.#fds.has(fd)) {
      throw new HostSafetyError(`refusing close(${fd}): not an fd this run opened`);
    }
    this.#fds.delete(fd);
    return syscall(SYS.close, fd);
  }

  /**
   * waitid(P_PIDFD, fd, options) for a recipe, on an fd that passes `checkFd`: 0 or -errno,
   * with the siginfo's pid (marked reaped, so that `close()` does not wait for it again; 0
   * when nothing was reaped), code and status.
   */
  waitidForRecipe(fd: number, options: number): ReturnType<typeof waitidPidfd> {
    this.checkFd(fd);
    const r = waitidPidfd(fd, options);
    const p = r.ret < 0 ? undefined : this.#owned.get(r.pid);
    if (p) p.reaped = true;
    return r;
  }

  /** pidfd_send_signal through the session's pidfd of an owned process: 0 or -errno. */
  signal(pid: number, sig: number): number {
    const p = this.check(pid);
    return syscall(SYS.pidfd_send_signal, p.pidfd, sig, 0, 0);
  }

  /** Whether the process has exited (its pidfd polls readable), waiting up to `timeoutMs`. */
  waitExit(pid: number, timeoutMs: number): boolean {
    const p = this.check(pid);
    return pollIn(p.pidfd, timeoutMs);
  }

  /** Reaps an exited child of the lab (waitid(P_PIDFD, WEXITED)). */
  reap(pid: number): void {
    const p = this.check(pid);
    if (!p.direct) throw new HostSafetyError(`refusing to wait for ${pid}: not the lab's child`);
    if (p.reaped) return;
    const r = waitidPidfd(p.pidfd, WEXITED | WNOHANG);
    if (r.ret < 0) throw new Error(`waitid(${pid}): ${retName(r.ret)}`);
    if (r.pid === pid) p.reaped = true;
  }

  /**
   * How an exited child of the lab ended, without reaping it (waitid WNOWAIT): its si_code
   * and si_status, e.g. `CLD_KILLED 9` or `CLD_DUMPED 6`; null while it runs.
   */
  peekExit(pid: number): string | null {
    const p = this.check(pid);
    if (!p.direct || p.reaped) return null;
    const r = waitidPidfd(p.pidfd, WEXITED | WNOHANG | C.WNOWAIT);
    if (r.ret < 0 || r.pid !== pid) return null;
    return `${CLD_NAMES[r.code] ?? r.code} ${r.status}`;
  }

  /** SIGSTOPs an owned process and waits until every thread that can stop has. */
  stop(pid: number): void {
    const r = this.signal(pid, SIGSTOP);
    if (r < 0) throw new Error(`SIGSTOP ${pid}: ${retName(r)}`);
    spinUntil(
      () => {
        const s = threadStates(pid);
        return s.length > 0 && s.every((x) => x === "T" || x === "D");
      },
      5000,
      `process ${pid} did not stop`,
    );
  }

  /**
   * Moves owned processes into the session's own freezer cgroup (made on first use, and
   * told to the supervisor first) and freezes it. They stay frozen, even when SIGKILLed,
   * until thawed.
   */
  async freeze(pids: readonly number[]): Promise<void> {
    for (const pid of pids) this.check(pid);
    const dir = await this.#ensureCgroup();
    for (const pid of pids) {
      // The pid is held: an unwaited child (or the vfork child of one), alive or zombie.
      mustWrite(`${dir}/cgroup.procs`, String(pid));
    }
    // The v1 freezer kicks each task once per write: a thread that went to sleep in a
    // freezable wait just after the kick (vfork's wait_for_vfork_done) would keep the
    // cgroup FREEZING for ever, so the write is repeated until it is FROZEN.
    let kicks = 0;
    spinUntil(
      () => {
        if (kicks++ % 10 === 0) mustWrite(`${dir}/freezer.state`, "FROZEN");
        return readText(`${dir}/freezer.state`)?.trim() === "FROZEN";
      },
      5000,
      `${dir} did not freeze`,
    );
  }

  /**
   * A fresh, empty directory for one victim's core file (src/lab/host/coredump.ts), told to
   * the supervisor before it is made, as the cgroup is; `close()` removes its core file and it.
   */
  async makeCoreDir(): Promise<string> {
    this.#open();
    await this.#ensureSupervisor();
    const dir = `${coreDirParent()}/${CORE_DIR_PREFIX}${this.id}-${this.#coreDirs.length}`;
    this.#tell(`coredir ${dir}`);
    const made = makeDir(dir);
    if (made < 0) throw new Error(`mkdir ${dir}: ${retName(made)}`);
    this.#coreDirs.push(dir);
    LEDGER.coreDirs.push(dir);
    return dir;
  }

  /** Thaws the session's cgroup (a no-op without one). */
  thaw(): void {
    if (this.#cgroup) mustWrite(`${this.#cgroup}/freezer.state`, "THAWED");
  }

  /**
   * Ends the run: SIGKILLs every owned process still alive (by pidfd), thaws the cgroup,
   * waits for every process to exit and reaps the lab's children, removes the cgroup and
   * lets the supervisor go (it checks the same and exits). Throws if anything is left,
   * after trying everything.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const problems: string[] = [];
    const victims = [...this.#owned.values()];
    for (const p of victims) {
      if (!pollIn(p.pidfd, 0)) syscall(SYS.pidfd_send_signal, p.pidfd, SIGKILL, 0, 0);
    }
    try {
      this.thaw();
    } catch (e) {
      problems.push(`thaw: ${e}`);
    }
    for (const p of victims) {
      if (!pollIn(p.pidfd, 10_000)) problems.push(`${p.label} (${p.pid}) did not exit`);
      if (p.direct && !p.reaped) {
        const r = waitidPidfd(p.pidfd, WEXITED);
        if (r.ret === 0) p.reaped = true;
        else problems.push(`waitid ${p.pid}: ${retName(r.ret)}`);
      }
    }
    if (this.#cgroup) {
      const dir = this.#cgroup;
      try {
        await retry(() => {
          const r = removeDir(dir);
          if (r < 0) throw new Error(retName(r));
        }, 5000);
      } catch (e) {
        problems.push(`rmdir ${dir}: ${e}`);
      }
    }
    removeCoreDirs(this.#coreDirs, problems);
    if (this.#supervisor) {
      const s = this.#supervisor;
      // "done", then end of file: it finds everything ended and the cgroup gone, and exits.
      sendText(s.socket, { text: "done" });
      closeFd(s.socket);
      if (!pollIn(s.pidfd, 10_000)) problems.push(`supervisor ${s.pid} did not exit`);
      const r = waitidPidfd(s.pidfd, WEXITED);
      if (r.ret < 0) problems.push(`waitid supervisor ${s.pid}: ${retName(r.ret)}`);
      else if (r.status !== 0) {
        problems.push(`supervisor ${s.pid} exited with status ${r.status} (its stderr says why)`);
      }
      closeFd(s.pidfd);
    }
    for (const fd of this.#fds.keys()) closeFd(fd);
    this.#fds.clear();
    for (const p of this.#owned.values()) closeFd(p.pidfd);
    OPEN.delete(this);
    if (problems.length) throw new Error(`host session cleanup: ${problems.join("; ")}`);
  }

  /** Removes each core directory and the core file in it (the processes have exited). */
  #open(): void {
    if (this.#closed) throw new Error("host session is closed");
  }

  #adopt(pid: number, direct: boolean, label: string): OwnedProcess {
    const pidfd = syscall(SYS.pidfd_open, pid, 0);
    if (pidfd < 0) throw new Error(`pidfd_open(${pid}) of a new child: ${retName(pidfd)}`);
    const st = startTime(pid) ?? "?";
    const p: OwnedProcess = { pid, pidfd, startTime: st, direct, label, reaped: false };
    this.#owned.set(pid, p);
    LEDGER.processes.push({ pid, startTime: st, label });
    return p;
  }

  /**
   * Takes a pidfd of a child of an owned process, and keeps it only if, once pinned by
   * the pidfd, the process is still that parent's child (a recycled pid would not be).
   */
  #adoptDescendant(pid: number, parent: OwnedProcess, label: string): OwnedProcess {
    if (pid <= 2 || parentPid(pid) !== parent.pid) {
      throw new HostSafetyError(`refusing pid ${pid}: not a child of ${parent.pid}`);
    }
    const p = this.#adopt(pid, false, label);
    const info = readText(`/proc/self/fdinfo/${p.pidfd}`) ?? "";
    if (!new RegExp(`^Pid:\\s+${pid}$`, "m").test(info) || parentPid(pid) !== parent.pid) {
      this.#owned.delete(pid);
      closeFd(p.pidfd);
      throw new HostSafetyError(`refusing pid ${pid}: it changed while being adopted`);
    }
    // Only now, known to be ours, is it handed to the supervisor.
    this.#hold(p);
    return p;
  }

  /**
   * Starts the session's supervisor (once, before its first victim): the helper in
   * `--supervise` mode, which calls setsid() so that a signal to the lab's process group
   * does not reach it, holds a pidfd of the lab, and waits on a socket for what to hold.
   */
  async #ensureSupervisor(): Promise<Supervisor> {
    if (this.#supervisor) return this.#supervisor;
    const path = await helperPath();
    const [mine, theirs] = socketPair();
    let pid: number;
    try {
      pid = spawn(path, ["--supervise", String(Deno.pid)], 2, theirs);
    } catch (e) {
      closeFd(mine);
      throw e;
    } finally {
      closeFd(theirs);
    }
    // Our unwaited child: its pid cannot be recycled until we wait, so this pidfd names it.
    const pidfd = syscall(SYS.pidfd_open, pid, 0);
    if (pidfd < 0) {
      closeFd(mine); // it sees end of file and exits
      throw new Error(`pidfd_open(${pid}) of the supervisor: ${retName(pidfd)}`);
    }
    const st = startTime(pid) ?? "?";
    LEDGER.processes.push({ pid, startTime: st, label: "supervisor" });
    const s: Supervisor = { pid, pidfd, startTime: st, socket: mine };
    this.#supervisor = s; // from here on, close() lets it go and reaps it
    const answer = this.#answer(s);
    if (!answer.startsWith("ready ")) throw new Error(`the supervisor did not start: ${answer}`);
    return s;
  }

  /**
   * Hands the supervisor a copy of the session's pidfd of `p` (SCM_RIGHTS) and waits for
   * its "ok": from then on the lab's death ends `p`. A supervisor that does not take it
   * fails the run, and `close()` ends `p`.
   */
  #hold(p: OwnedProcess): void {
    this.#tell(`hold ${p.pid}`, p.pidfd);
  }

  #tell(text: string, fd?: number): void {
    const s = this.#supervisor;
    if (!s) throw new Error(`no supervisor to tell "${text}"`);
    const n = sendText(s.socket, { text, fd });
    if (n < 0) throw new Error(`the supervisor (${s.pid}): send "${text}": ${retName(n)}`);
    const answer = this.#answer(s);
    if (!answer.startsWith("ok")) {
      throw new Error(`the supervisor (${s.pid}) refused "${text}": ${answer}`);
    }
  }

  #answer(s: Supervisor): string {
    if (!pollIn(s.socket, SUPERVISOR_ANSWER_MS)) {
      throw new Error(`the supervisor (${s.pid}) did not answer in ${SUPERVISOR_ANSWER_MS} ms`);
    }
    const text = readSome(s.socket);
    if (!text) throw new Error(`the supervisor (${s.pid}) is gone`);
    return text;
  }

  async #ensureCgroup(): Promise<string> {
    if (this.#cgroup) return this.#cgroup;
    const dir = `${FREEZER_ROOT}/${CGROUP_PREFIX}${this.id}`;
    // Told before it exists, so that a lab dying right after the mkdir leaves nothing.
    await this.#ensureSupervisor();
    this.#tell(`cgroup ${dir}`);
    const made = makeDir(dir);
    if (made < 0) throw new Error(`mkdir ${dir}: ${retName(made)}`);
    this.#cgroup = dir;
    LEDGER.cgroups.push(dir);
    return dir;
  }
}
