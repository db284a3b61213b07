/**
 * What the host backend reads from the kernel's own interfaces, besides return values:
 * a process's RSS by kind, state and pending signals from /proc/<pid>/status, its start
 * time from /proc/<pid>/stat (a pid's identity), and the free pages of /proc/zoneinfo.
 * Never MemAvailable: it lags behind the per-CPU page lists (docs/host.md).
 *
 * @module
 */

import { listDir, readText, unameRelease } from "./ffi.ts";

/** The fields of /proc/<pid>/status the lab uses (sizes in KiB). */
export interface ProcStatus {
  /** The state letter: R, S, D, T, t, Z, X. */
  state: string;
  /** Number of threads. */
  threads: number;
  /** Private anonymous memory (MM_ANONPAGES), KiB; null when the process has no mm. */
  rssAnonKb: number | null;
  /** File-backed memory (MM_FILEPAGES), KiB. */
  rssFileKb: number | null;
  /** Shared memory (MM_SHMEMPAGES), KiB. */
  rssShmemKb: number | null;
  /** mlocked memory, KiB. */
  vmLckKb: number | null;
  /** SIGKILL pending for the thread group or the leader (SigPnd | ShdPnd bit 8). */
  sigkillPending: boolean;
  /**
   * `CoreDumping`: signal->core_state is set, a core dump is in progress (fs/proc/array.c
   * task_core_dumping(), shown only while the process has an mm); null without the line.
   */
  coreDumping: boolean | null;
}

/** /proc/<pid>/status, or null when the process is gone. */
export function procStatus(pid: number): ProcStatus | null {
  const text = readText(`/proc/${pid}/status`);
  if (text === null) return null;
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const kb = (k: string) => {
    const v = fields.get(k);
    return v === undefined ? null : parseInt(v, 10);
  };
  const pending = (k: string) => {
    const v = fields.get(k);
    return v !== undefined && (BigInt(`0x${v}`) & 0x100n) !== 0n;
  };
  return {
    state: (fields.get("State") ?? "?").charAt(0),
    threads: parseInt(fields.get("Threads") ?? "0", 10),
    rssAnonKb: kb("RssAnon"),
    rssFileKb: kb("RssFile"),
    rssShmemKb: kb("RssShmem"),
    vmLckKb: kb("VmLck"),
    sigkillPending: pending("SigPnd") || pending("ShdPnd"),
    coreDumping: fields.has("CoreDumping") ? fields.get("CoreDumping") === "1" : null,
  };
}

/**
 * Field 22 of /proc/<pid>/stat (start time in clock ticks), or null when gone; `pid` may be
 * `<pid>/task/<tid>` for one thread.
 */
export function startTime(pid: number | string): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // comm may contain spaces and parentheses: fields start after the last ")".
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return rest[19] ?? null;
}

/** The parent pid of `pid` (PPid of /proc/<pid>/status), or null when gone. */
export function parentPid(pid: number): number | null {
  const m = readText(`/proc/${pid}/status`)?.match(/^PPid:\s+(\d+)/m);
  return m ? Number(m[1]) : null;
}

/** The state letters of every thread of `pid` (/proc/<pid>/task/<tid>/stat). */
export function threadStates(pid: number): string[] {
  const states: string[] = [];
  for (const e of listDir(`/proc/${pid}/task`) ?? []) {
    const state = taskState(pid, Number(e.name));
    // A thread that exited meanwhile has no stat.
    if (state !== "") states.push(state);
  }
  return states;
}

/** The state letter of /proc/<pid>/task/<tid>/stat (`t`: a ptrace stop); "" once it is gone. */
export function taskState(pid: number, tid: number): string {
  const stat = readText(`/proc/${pid}/task/${tid}/stat`);
  return stat === null ? "" : stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
}

/**
 * The thread ids of `pid` (/proc/<pid>/task) in creation order: the leader (tid = pid)
 * first, then by start time, then by tid. Not by tid alone: pids wrap at pid_max (32768
 * here), so a later thread can have a smaller tid than its leader.
 */
export function threadIds(pid: number): number[] {
  const others = (listDir(`/proc/${pid}/task`) ?? [])
    .map((e) => Number(e.name))
    .filter((tid) => tid !== pid)
    .map((tid) => ({ tid, start: Number(startTime(`${pid}/task/${tid}`) ?? Infinity) }))
    .sort((a, b) => a.start - b.start || a.tid - b.tid);
  return [pid, ...others.map((t) => t.tid)];
}

/** Free pages of every zone (/proc/zoneinfo nr_free_pages), summed. */
export function zoneFreePages(): number {
  const text = readText("/proc/zoneinfo") ?? "";
  let free = 0;
  for (const m of text.matchAll(/^\s+nr_free_pages\s+(\d+)/gm)) free += Number(m[1]);
  return free;
}

/** The release of the running kernel ("6.18.44-..."), and its major.minor ("6.18"). */
export function kernelRelease(): { release: string; version: string } {
  const release = Deno.build.os === "linux" ? unameRelease() : Deno.build.os;
  const m = release.match(/^(\d+)\.(\d+)/);
  return { release, version: m ? `${m[1]}.${m[2]}` : release };
}
