/**
 * A core dump in progress on the host, without changing any system setting: the lab reads
 * `/proc/sys/kernel/core_pattern`, and only when it is the plain relative name `core` (a file
 * in the dumping process's cwd) does it dump. The victim helper (`victim.c --core-dir DIR`)
 * raises its own RLIMIT_CORE to unlimited and makes DIR, a fresh directory the session made
 * (`HostSession.makeCoreDir`), its cwd; the session then sends it SIGABRT through its pidfd
 * ({@linkcode startCoreDump}). The thread that takes the signal is the dumper (the leader: a
 * process-directed signal goes to it first, complete_signal() in kernel/signal.c); do_coredump()
 * (fs/coredump.c) sets signal->core_state in coredump_wait() and zap_threads() makes the other
 * threads exit into coredump_task_exit(), where they wait with the mm attached, the
 * simulator's `core_dump` process (wasm/src/load.rs setup_core_dumps). /proc/<pid>/status
 * shows `CoreDumping: 1` from then until coredump_finish() (fs/proc/array.c
 * task_core_dumping()). The dump writes the victim's memory to DIR/core at the disk's pace
 * (here about 230 MB/s: a 512 MiB victim dumps for over 2 s), so the window of a scenario ends
 * long before the dump does; a SIGKILL aborts it (dump_interrupted() in fs/coredump.c sees
 * the fatal signal), and the process exits CLD_KILLED.
 *
 * @module
 */

import { exists, pollIn, readText, removeDir, removeFile } from "./ffi.ts";
import { retName } from "../../core/mod.ts";
import { procStatus } from "./observe.ts";
import { spinUntil } from "./_io.ts";
import type { HostSession } from "./session.ts";

/**
 * SIGABRT (x86_64, signal(7)): its default action dumps core (sig_kernel_coredump()); the core
 * implements only the signals its scenarios send, so it is the backend's own.
 */
export const SIGABRT = 6;

/** The only core_pattern the lab dumps with: relative, no `%` specifiers, no pipe. */
export const PLAIN_CORE_PATTERN = "core";

/**
 * Every core directory the lab makes is `<tmp>/CORE_DIR_PREFIX<session id>`, the session id
 * starting with the lab's pid (the supervisor removes only these, `victim.c`).
 */
export const CORE_DIR_PREFIX = "mrelease-lab-core-";

/** Why the host cannot dump core as the lab needs (null when it can). */
export function coreDumpRefusal(): string | null {
  const pattern = readText("/proc/sys/kernel/core_pattern")?.trim();
  if (pattern === PLAIN_CORE_PATTERN) return null;
  return `kernel.core_pattern is ${JSON.stringify(pattern ?? "unreadable")}: a core dump ` +
    `runs on the host only with the plain "${PLAIN_CORE_PATTERN}" (a file in the dumper's cwd), ` +
    `and the lab changes no system setting`;
}

/** The directory core directories go in: $TMPDIR, else /tmp. */
export function coreDirParent(): string {
  return (Deno.env.get("TMPDIR") || "/tmp").replace(/\/+$/, "") || "/";
}

/**
 * The core files in `dir`: `core`, or `core.<pid>` when kernel.core_uses_pid is 1
 * (format_corename() in fs/coredump.c).
 */
export function coreFiles(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((e) => e.isFile && /^core(\.\d+)?$/.test(e.name))
      .map((e) => `${dir}/${e.name}`);
  } catch {
    return [];
  }
}

/** The bytes written to the core files in `dir` so far (their sizes: a dump only appends). */
export function coreBytes(dir: string): number {
  return coreFiles(dir).reduce((n, f) => n + Deno.statSync(f).size, 0);
}

/** What the host's dump did, for a victim dumping core at the intent. */
export interface CoreDumpRecord {
  /** `CoreDumping: 1` at the intent (checked: the run fails otherwise). */
  at_intent: boolean;
  /**
   * `CoreDumping` at the window's end, or null when the victim had exited: a dump the design
   * did not interrupt must still be running (checked: the run fails otherwise).
   */
  at_end: boolean | null;
  /** The core file's size at the window's end (bytes). */
  core_bytes: number;
  /** The victim's exit (waitid WNOWAIT) once it exited: `CLD_KILLED 9` for an aborted dump. */
  exit: string | null;
}

/** A dump not running when the scenario says it is: the host cannot stand for the scenario. */
export class CoreDumpTimingError extends Error {
  override name = "CoreDumpTimingError";
}

/**
 * Starts an owned victim's core dump: SIGABRT through the session's pidfd of it (its default
 * action dumps core), then waits until /proc/<pid>/status says `CoreDumping: 1`
 * (signal->core_state set in coredump_wait(), fs/coredump.c), at most 5 s.
 */
export function startCoreDump(session: HostSession, pid: number): void {
  const p = session.check(pid);
  const r = session.signal(pid, SIGABRT);
  if (r < 0) throw new Error(`SIGABRT ${pid}: ${retName(r)}`);
  let exited = false;
  spinUntil(
    () => procStatus(pid)?.coreDumping === true || (exited = pollIn(p.pidfd, 0)),
    5000,
    `process ${pid} did not start dumping core (CoreDumping: ${procStatus(pid)?.coreDumping})`,
  );
  if (exited) {
    throw new CoreDumpTimingError(
      `process ${pid} dumped core and exited (${session.peekExit(pid)}) before the lab saw ` +
        `CoreDumping: 1: its dump is too short for the scenario`,
    );
  }
}

/** Removes the core files in `dirs` and the directories, noting each failure in `problems`. */
export function removeCoreDirs(dirs: readonly string[], problems: string[]): void {
  for (const dir of dirs) {
    for (const f of coreFiles(dir)) {
      const r = removeFile(f);
      if (r < 0) problems.push(`unlink ${f}: ${retName(r)}`);
    }
    const r = removeDir(dir);
    if (r < 0 && exists(dir)) problems.push(`rmdir ${dir}: ${retName(r)}`);
  }
}
