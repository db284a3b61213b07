/**
 * The host session's vocabulary: its guard's error, the cgroup names, what it creates and
 * hands out (owned processes, victims, helper mappings) and its promise when the lab dies.
 * session.ts holds the session itself and re-exports these.
 *
 * @module
 */

/** The guard refused: the operation would touch a process the lab did not create. */
export class HostSafetyError extends Error {
  override name = "HostSafetyError";
}

/** The cgroup-v1 freezer hierarchy the lab's cgroups go under. */
export const FREEZER_ROOT = "/sys/fs/cgroup/freezer";
/** Every cgroup the lab creates is `FREEZER_ROOT/CGROUP_PREFIX<lab pid>-<n>`. */
export const CGROUP_PREFIX = "mrelease-lab-";

/** A process the session created (directly, or as the vfork child of one it created). */
export interface OwnedProcess {
  /** Its pid. */
  readonly pid: number;
  /** The session's pidfd of it, opened while it could not be anyone else. */
  readonly pidfd: number;
  /** Field 22 of /proc/<pid>/stat when it was taken: with the pid, its identity. */
  readonly startTime: string;
  /** A child of the lab (the lab waits for it), or a descendant of one. */
  readonly direct: boolean;
  /** What it is, for messages. */
  readonly label: string;
  /** Reaped by the lab's waitid. */
  reaped: boolean;
}

/** The session's supervisor: the helper's `--supervise` mode, a child of the lab. */
export interface Supervisor {
  /** Its pid. */
  readonly pid: number;
  /** The lab's pidfd of it (an unwaited child: it names it). */
  readonly pidfd: number;
  /** Field 22 of /proc/<pid>/stat when it started. */
  readonly startTime: string;
  /** The lab's end of the socket; the supervisor has the other as its stdin. */
  readonly socket: number;
}

/**
 * The promise of the host backend when the lab dies with a run open, however it dies
 * (a signal to it or its process group, an uncaught exception, a crash): within this time
 * every victim of the run has exited, its memory released, and the run's freezer cgroup is
 * gone (docs/host.md, "Cleanup"). Here that takes 10-30 ms for 64 MiB, most of it Deno's
 * own exit, and 190-380 ms for 2 GiB, the largest victim the lab makes (calibrate): 2 s
 * leaves room for a loaded machine. test/host_cleanup_test.ts holds the lab to it.
 */
export const LAB_DEATH_CLEANUP_MS = 2000;

/** A mapping the helper reports. */
export interface HelperVma {
  /** anon, locked, shared or shmem. */
  kind: string;
  /** Its address in the victim. */
  addr: bigint;
  /** Its length in bytes. */
  bytes: number;
}

/** What the victim helper is asked to build. */
export interface VictimSpec {
  /** The process name (PR_SET_NAME, at most 15 characters). */
  comm: string;
  /** Mappings in order: kind, size and resident bytes (whole pages). */
  vmas: { kind: "anon" | "locked" | "shared" | "shmem" | "thp"; bytes: number; resident: number }[];
  /** Threads besides the main one (and the vfork thread). */
  extraThreads: number;
  /** One more thread calls clone(CLONE_VM | CLONE_VFORK); the child sleeps. */
  vfork: boolean;
  /** A core directory of the session's (`makeCoreDir`): the victim may dump core there. */
  coreDir?: string;
  /**
   * The victim is pid 1 of a pid namespace of its own, a child of the lab's (ffi.ts
   * inNewPidNamespace): still the lab's child, held by pidfd as any victim.
   */
  pidNamespace?: boolean;
}

/** A victim the helper built. */
export interface Victim {
  /** The victim process. */
  readonly process: OwnedProcess;
  /** Its vfork child, if asked for. */
  readonly vforkChild: OwnedProcess | null;
  /** Its mappings, in the order asked for. */
  readonly vmas: HelperVma[];
}

/** si_code of a child's exit (include/uapi/asm-generic/siginfo.h). */
export const CLD_NAMES: Record<number, string> = {
  1: "CLD_EXITED",
  2: "CLD_KILLED",
  3: "CLD_DUMPED",
};

/**
 * How long the lab waits for the supervisor's answer to one message: it answers in
 * microseconds; 5 s covers a machine loaded by everything else it runs.
 */
export const SUPERVISOR_ANSWER_MS = 5000;

/**
 * How long the lab waits for the caller helper's "ready": it forks once per pid namespace
 * level, in milliseconds; 10 s covers a loaded machine, as for the victim helper's memory.
 */
export const NS_CALLER_START_MS = 10_000;
