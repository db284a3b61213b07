/**
 * Validation of `$.processes`, first pass: each process, thread, fd and hold
 * on its own. What needs the whole world (uniqueness, parents, vfork, state
 * defaults, lock conflicts) is `_links.ts`.
 * @module
 */

import {
  CAP_BIT,
  FD_KIND_CODE,
  MAX_TASKS,
  PID_MAX_LIMIT,
  PROCESS_STATUS_CODE,
  THREAD_STATE_CODE,
} from "./abi.ts";
import {
  describe,
  field,
  has,
  type Problems,
  readArray,
  readBool,
  readEnum,
  readEnumSet,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { indexPath, keyPath } from "./_path.ts";
import { parseMsToNs } from "./_sizes.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import type { Capability, FdKind, ProcessStatus, SchedPolicy, ThreadState } from "./types.ts";

/** Bound on threads per process (a bound the core can rely on, far above real apps). */
export const THREADS_PER_PROCESS_MAX: number = SCENARIO_LIMITS.threads_per_process;
/** The core's fd table size: fds 0..1023 (the default RLIMIT_NOFILE soft limit). */
export const FDS_MAX: number = SCENARIO_LIMITS.fds_per_process;
/** A thread holds at most this many mmap_locks at once (real code holds one or two). */
const HOLDS_PER_THREAD_MAX = SCENARIO_LIMITS.holds_per_thread;
/** uid_t is 32 bits; (uid_t)-1 is INVALID_UID, so it is not a uid a task can have. */
const UID_MAX = 4294967294;

/** TASK_COMM_LEN is 16 bytes including the NUL. */
export const COMM = {
  what: "a comm of 1..15 printable ASCII characters (TASK_COMM_LEN - 1)",
  pattern: /^[\x20-\x7e]{1,15}$/,
};
const MM_REF = { what: "an mm id", pattern: /^.{1,64}$/s };

const CAPS = Object.keys(CAP_BIT) as Capability[];
const STATUSES = Object.keys(PROCESS_STATUS_CODE) as ProcessStatus[];
const STATES = Object.keys(THREAD_STATE_CODE) as ThreadState[];
const FD_KINDS = Object.keys(FD_KIND_CODE) as FdKind[];

/** An mmap_lock hold as read; `mode`/`mm` are undefined when invalid. */
export interface HoldDraft {
  path: string;
  mode?: "read" | "write";
  mm?: string;
}

/** A thread as read; fields are undefined when invalid. */
export interface ThreadDraft {
  path: string;
  pid?: number;
  /** Explicit comm, or null to inherit the process's. */
  comm?: string | null;
  cpu?: number;
  affinity?: number[];
  policy?: SchedPolicy;
  nice?: number;
  rt_prio?: number;
  /** True when the file gives a state (resolved with the process in `_links.ts`). */
  state_given: boolean;
  state?: ThreadState;
  /** True when the file gives until_ms. */
  until_given: boolean;
  until_ns?: number | null;
  holds?: HoldDraft[];
  traced_exit?: boolean;
}

/** An fd as read. */
export interface FdDraft {
  path: string;
  fd?: number;
  kind?: FdKind;
  target?: number | null;
  nonblock?: boolean;
  thread?: boolean;
}

/** A process as read; fields are undefined when invalid. */
export interface ProcessDraft {
  path: string;
  tgid?: number;
  comm?: string;
  /** True when the file names a parent; the default is resolved in `_links.ts`. */
  parent_given: boolean;
  parent?: number | null;
  init_given: boolean;
  init?: boolean;
  kthread?: boolean;
  mm?: string | null;
  uid?: number;
  euid?: number;
  caps?: Capability[];
  vfork_child?: boolean;
  core_dump?: boolean;
  parent_waits?: boolean;
  /** Its process group; null: as fork gives it (resolved in `_validate.ts`). */
  pgid?: number | null;
  status?: ProcessStatus;
  fds?: FdDraft[];
  threads?: ThreadDraft[];
}

const PID = { what: "a pid", min: 1, max: PID_MAX_LIMIT };
const TGID = { what: "a tgid", min: 1, max: PID_MAX_LIMIT };

/** Reads `$.processes` (each entry on its own). */
export function readProcesses(
  p: Problems,
  v: unknown,
  cpu_count: number | undefined,
): ProcessDraft[] | undefined {
  const list = readArray(p, v, "$.processes", {
    what: "a list of processes",
    min: 1,
    max: MAX_TASKS,
  });
  if (list === undefined) return undefined;
  const out: ProcessDraft[] = [];
  list.forEach((x, i) => {
    const d = readProcess(p, x, indexPath("$.processes", i), cpu_count);
    if (d !== undefined) out.push(d);
  });
  return out;
}

function readProcess(
  p: Problems,
  v: unknown,
  path: string,
  cpu_count: number | undefined,
): ProcessDraft | undefined {
  const o = readObject(p, v, path, {
    what: "a process",
    required: ["tgid", "comm"],
    optional: [
      "parent",
      "init",
      "kthread",
      "mm",
      "uid",
      "euid",
      "caps",
      "share",
      "core_dump",
      "parent_waits",
      "pgid",
      "status",
      "fds",
      "threads",
    ],
  });
  if (o === undefined) return undefined;
  const at = (key: string) => keyPath(path, key);
  const opt = <T>(key: string, read: (x: unknown, path: string) => T | undefined, dflt: T) =>
    has(o, key) ? read(field(o, key), at(key)) : dflt;
  const bool = (x: unknown, path: string) => readBool(p, x, path);

  const d: ProcessDraft = {
    path,
    tgid: readInt(p, field(o, "tgid"), at("tgid"), TGID),
    comm: readString(p, field(o, "comm"), at("comm"), COMM),
    parent_given: has(o, "parent"),
    parent: opt(
      "parent",
      (x, q) => readInt(p, x, q, { what: "the tgid of the parent", min: 1, max: PID_MAX_LIMIT }),
      null,
    ),
    init_given: has(o, "init"),
    init: opt("init", bool, false),
    kthread: opt("kthread", bool, false),
    mm: opt("mm", (x, q) => readString(p, x, q, MM_REF), null),
    uid: opt("uid", (x, q) => readInt(p, x, q, { what: "a uid", min: 0, max: UID_MAX }), 0),
    euid: undefined,
    caps: opt("caps", (x, q) => readCaps(p, x, q), []),
    vfork_child: opt(
      "share",
      (x, q) => readEnum(p, x, q, ["vfork"] as const) !== undefined ? true : undefined,
      false,
    ),
    core_dump: opt("core_dump", bool, false),
    parent_waits: opt("parent_waits", bool, true),
    pgid: opt(
      "pgid",
      (x, q) => readInt(p, x, q, { what: "a process group id", min: 1, max: PID_MAX_LIMIT }),
      null,
    ),
    status: opt("status", (x, q) => readEnum(p, x, q, STATUSES), "alive"),
  };
  d.euid = has(o, "euid")
    ? readInt(p, field(o, "euid"), at("euid"), { what: "a euid", min: 0, max: UID_MAX })
    : d.uid;
  // A root process holds every capability (as after exec as root) unless
  // the file lists the ones it kept.
  if (!has(o, "caps") && d.euid === 0 && d.kthread === false) d.caps = [...CAPS];

  if (has(o, "fds")) {
    const fds = readArray(p, field(o, "fds"), at("fds"), {
      what: "a list of fds",
      min: 0,
      max: FDS_MAX,
    });
    d.fds = fds === undefined ? undefined : readFds(p, fds, at("fds"));
  } else {
    d.fds = [];
  }
  if (has(o, "threads")) {
    const threads = readArray(p, field(o, "threads"), at("threads"), {
      what: "a list of threads",
      min: 0,
      max: THREADS_PER_PROCESS_MAX,
    });
    d.threads = threads?.map((t, i) => readThread(p, t, indexPath(at("threads"), i), cpu_count));
  } else {
    d.threads = [];
  }

  checkKthread(p, o, d);
  checkStatus(p, o, d);
  return d;
}

/** A kthread has no mm, no fds, runs as root and is nobody's vfork child. */
function checkKthread(p: Problems, o: Record<string, unknown>, d: ProcessDraft): void {
  if (d.kthread !== true) return;
  const at = (key: string) => keyPath(d.path, key);
  if (has(o, "mm")) {
    p.add(
      at("mm"),
      `expected no mm on a kthread (kthreads borrow none), got ${describe(field(o, "mm"))}`,
    );
  }
  if (has(o, "fds")) {
    p.add(at("fds"), `expected no fds on a kthread, got ${describe(field(o, "fds"))}`);
  }
  if (d.uid !== undefined && d.uid !== 0) {
    p.add(at("uid"), `expected uid 0 on a kthread, got ${d.uid}`);
  }
  if (has(o, "euid") && d.euid !== undefined && d.euid !== 0) {
    p.add(at("euid"), `expected euid 0 on a kthread, got ${d.euid}`);
  }
  if (has(o, "caps")) {
    p.add(
      at("caps"),
      `expected no caps on a kthread (it never makes the lab's syscalls), got ${
        describe(field(o, "caps"))
      }`,
    );
  }
  if (has(o, "share")) {
    p.add(
      at("share"),
      `expected no share on a kthread (it has no mm), got ${describe(field(o, "share"))}`,
    );
  }
  if (d.core_dump === true) p.add(at("core_dump"), "expected no core dump of a kthread, got true");
  if (d.init === true) {
    p.add(at("init"), "expected init to be a user process, not a kthread, got true");
  }
}

/** Keys that only make sense for a live process. */
function checkStatus(p: Problems, o: Record<string, unknown>, d: ProcessDraft): void {
  const at = (key: string) => keyPath(d.path, key);
  if (d.status === "zombie" || d.status === "reaped") {
    const why = `a ${d.status} process has run exit_mm and exit_files`;
    if (
      has(o, "fds") && d.kthread !== true && Array.isArray(field(o, "fds")) &&
      (field(o, "fds") as unknown[]).length > 0
    ) {
      p.add(at("fds"), `expected no fds (${why}), got ${describe(field(o, "fds"))}`);
    }
    if (d.core_dump === true) p.add(at("core_dump"), `expected false (${why}), got true`);
    if (has(o, "share")) {
      p.add(
        at("share"),
        `expected no share (${why}; a vfork child releases the parent at exit), got ${
          describe(field(o, "share"))
        }`,
      );
    }
  }
  if (d.status === "reaped") {
    if (d.threads !== undefined && d.threads.length > 0) {
      p.add(
        at("threads"),
        `expected no threads for a reaped process (release_task freed them), got ${d.threads.length}`,
      );
    }
  } else if (d.status !== undefined && d.threads !== undefined && d.threads.length === 0) {
    p.add(
      at("threads"),
      `expected at least one thread (the leader, pid ${d.tgid ?? "= tgid"}), got ${
        has(o, "threads") ? "none" : "nothing"
      }`,
    );
  }
  if (d.status === "alive" && d.kthread === false && !has(o, "mm")) {
    p.add(at("mm"), "expected mm (a user process has an address space), got nothing");
  }
}

function readCaps(p: Problems, v: unknown, path: string): Capability[] | undefined {
  return readEnumSet(p, v, path, {
    what: "a list of capabilities",
    each: "capability",
    values: CAPS,
  });
}

function readFds(p: Problems, list: unknown[], path: string): FdDraft[] {
  const seen = new Map<number, number>();
  return list.flatMap((x, i) => {
    const fd_path = indexPath(path, i);
    const o = readObject(p, x, fd_path, {
      what: "an fd",
      required: ["fd", "kind"],
      optional: ["target", "nonblock", "thread"],
    });
    if (o === undefined) return [];
    const at = (key: string) => keyPath(fd_path, key);
    const fd = readInt(p, field(o, "fd"), at("fd"), {
      what: "an fd number",
      min: 0,
      max: FDS_MAX - 1,
    });
    if (fd !== undefined) {
      const first = seen.get(fd);
      if (first !== undefined) {
        p.add(
          at("fd"),
          `expected an fd number not used by another fd of this process, got ${fd} (also ${
            indexPath(path, first)
          })`,
        );
      } else seen.set(fd, i);
    }
    const kind = readEnum(p, field(o, "kind"), at("kind"), FD_KINDS);
    let target: number | null | undefined = null;
    if (kind === "file") {
      if (has(o, "target")) {
        p.add(
          at("target"),
          `expected no target on a plain file, got ${describe(field(o, "target"))}`,
        );
      }
    } else if (kind !== undefined) {
      target = has(o, "target")
        ? readInt(p, field(o, "target"), at("target"), {
          what: "the tgid (or, for a thread pidfd, the pid) the fd refers to",
          min: 1,
          max: PID_MAX_LIMIT,
        })
        : undefined;
      if (!has(o, "target")) {
        p.add(at("target"), `expected target (the tgid a ${kind} refers to), got nothing`);
      }
    }
    const nonblock = readPidfdFlag(p, o, at, kind, "nonblock", "PIDFD_NONBLOCK");
    const thread = readPidfdFlag(p, o, at, kind, "thread", "PIDFD_THREAD");
    return [{ path: fd_path, fd, kind, target, nonblock, thread }];
  });
}

/** A pidfd's f_flags bit `key` (false when absent); only a pidfd may have it. */
function readPidfdFlag(
  p: Problems,
  o: Record<string, unknown>,
  at: (key: string) => string,
  kind: FdKind | undefined,
  key: "nonblock" | "thread",
  uapi: string,
): boolean | undefined {
  if (!has(o, key)) return false;
  const v = readBool(p, field(o, key), at(key));
  if (v !== undefined && kind !== undefined && kind !== "pidfd") {
    p.add(at(key), `expected ${key} only on a pidfd (it is ${uapi}), got it on a ${kind}`);
    return undefined;
  }
  return v;
}

function readThread(
  p: Problems,
  v: unknown,
  path: string,
  cpu_count: number | undefined,
): ThreadDraft {
  const d: ThreadDraft = { path, state_given: false, until_given: false };
  const o = readObject(p, v, path, {
    what: "a thread",
    required: ["pid"],
    optional: [
      "comm",
      "cpu",
      "affinity",
      "policy",
      "nice",
      "rt_prio",
      "state",
      "until_ms",
      "holds",
      "traced_exit",
    ],
  });
  if (o === undefined) return d;
  const at = (key: string) => keyPath(path, key);
  const cpu_max = (cpu_count ?? 64) - 1;
  const cpu_index = { what: `a CPU index`, min: 0, max: cpu_max };

  d.pid = readInt(p, field(o, "pid"), at("pid"), PID);
  d.comm = has(o, "comm") ? readString(p, field(o, "comm"), at("comm"), COMM) : null;
  d.cpu = has(o, "cpu") ? readInt(p, field(o, "cpu"), at("cpu"), cpu_index) : 0;
  if (!has(o, "cpu") && cpu_count === undefined) d.cpu = undefined; // unknown until $.cpus is fixed
  if (has(o, "affinity")) {
    d.affinity = readAffinity(p, field(o, "affinity"), at("affinity"), cpu_index);
    if (d.affinity !== undefined && d.cpu !== undefined && !d.affinity.includes(d.cpu)) {
      p.add(
        at("affinity"),
        `expected an affinity that contains the thread's cpu ${d.cpu}, got [${
          d.affinity.join(",")
        }]`,
      );
    }
  } else if (cpu_count !== undefined) {
    d.affinity = Array.from({ length: cpu_count }, (_, i) => i);
  }

  d.policy = has(o, "policy")
    ? readEnum(p, field(o, "policy"), at("policy"), ["normal", "fifo"] as const)
    : "normal";
  d.nice = 0;
  d.rt_prio = 0;
  if (d.policy === "fifo") {
    if (has(o, "nice")) {
      p.add(
        at("nice"),
        `expected no nice with policy "fifo" (SCHED_FIFO uses rt_prio), got ${
          describe(field(o, "nice"))
        }`,
      );
    }
    d.rt_prio = has(o, "rt_prio")
      ? readInt(p, field(o, "rt_prio"), at("rt_prio"), { what: "an rt_prio", min: 1, max: 99 })
      : undefined;
    if (!has(o, "rt_prio")) {
      p.add(at("rt_prio"), 'expected rt_prio 1..99 (required with policy "fifo"), got nothing');
    }
  } else if (d.policy === "normal") {
    if (has(o, "rt_prio")) {
      p.add(
        at("rt_prio"),
        `expected no rt_prio with policy "normal" (use nice), got ${describe(field(o, "rt_prio"))}`,
      );
    }
    if (has(o, "nice")) {
      d.nice = readInt(p, field(o, "nice"), at("nice"), {
        what: "a nice value",
        min: -20,
        max: 19,
      });
    }
  }

  d.state_given = has(o, "state");
  if (d.state_given) d.state = readEnum(p, field(o, "state"), at("state"), STATES);
  d.until_given = has(o, "until_ms");
  d.until_ns = null;
  if (d.until_given) {
    const t = parseMsToNs(field(o, "until_ms"));
    if (t.ok) d.until_ns = t.value;
    else {
      p.add(at("until_ms"), t.message);
      d.until_ns = undefined;
    }
  }
  d.holds = [];
  if (has(o, "holds")) {
    const list = readArray(p, field(o, "holds"), at("holds"), {
      what: "a list of held locks",
      min: 0,
      max: HOLDS_PER_THREAD_MAX,
    });
    d.holds = list?.map((h, i) => readHold(p, h, indexPath(at("holds"), i)));
  }
  d.traced_exit = has(o, "traced_exit")
    ? readBool(p, field(o, "traced_exit"), at("traced_exit"))
    : false;
  return d;
}

function readAffinity(
  p: Problems,
  v: unknown,
  path: string,
  cpu_index: { what: string; min: number; max: number },
): number[] | undefined {
  const list = readArray(p, v, path, {
    what: "an affinity (a list of CPU indexes)",
    min: 1,
    max: cpu_index.max + 1,
  });
  if (list === undefined) return undefined;
  const out: number[] = [];
  let ok = true;
  list.forEach((c, i) => {
    const cpu = readInt(p, c, indexPath(path, i), cpu_index);
    if (cpu === undefined) ok = false;
    else if (out.includes(cpu)) {
      p.add(indexPath(path, i), `expected each CPU once, got ${cpu} twice`);
      ok = false;
    } else out.push(cpu);
  });
  return ok ? out.sort((a, b) => a - b) : undefined;
}

function readHold(p: Problems, v: unknown, path: string): HoldDraft {
  const o = readObject(p, v, path, {
    what: "a held lock",
    required: ["lock", "mode", "mm"],
    optional: [],
  });
  if (o === undefined) return { path };
  readEnum(p, field(o, "lock"), keyPath(path, "lock"), ["mmap_lock"] as const);
  return {
    path,
    mode: readEnum(p, field(o, "mode"), keyPath(path, "mode"), ["read", "write"] as const),
    mm: readString(p, field(o, "mm"), keyPath(path, "mm"), MM_REF),
  };
}
