/**
 * Who is who in a trace: the context the exporters take (built by the caller from the
 * scenario), and the small naming tables both exporters share, read from the core's facts
 * (`CORE_LAYOUTS`, the MMF_ bits) and from the syscall table of the kernel API face.
 *
 * @module
 */

import { codesByName, CORE_LAYOUTS, DEFAULT_PRIO, MMF_FLAGS } from "../../core/kernel.ts";
import { NR } from "../../core/userspace.ts";

/**
 * What the exporters need to know beyond the event log. The caller builds it from the
 * scenario. pid 0 is the idle/timer context: `comm(0)` should answer `"<idle>"`.
 */
export interface TraceContext {
  /** A thread's command name (truncated to 15 characters on output, as TASK_COMM_LEN). */
  comm(pid: number): string;
  /** The thread group (process) a thread belongs to. */
  tgid(pid: number): number;
  /** A human name for an mm: who owns it (for example `"victim (tgid 100)"`). */
  mmOwner(mm: number): string;
  /** The kernel version the run modelled, e.g. `"5.15"` (printed in the headers). */
  kernel: string;
  /** A thread's `prio` as sched tracepoints print it; 120 (nice 0) when absent. */
  prio?(pid: number): number;
  /** A thread's uid, for mark_victim; 0 when absent. */
  uid?(pid: number): number;
  /** The mm a thread used at the start, for mark_victim's rss fields; none when absent. */
  mmOf?(pid: number): number | undefined;
  /**
   * An mm's rss at the start in bytes, indexed by rss_stat member (MM_FILEPAGES,
   * MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES). Gives the counters their starting level.
   */
  rssBytes?(mm: number): readonly number[] | undefined;
}

/** TASK_COMM_LEN (16) less the terminating NUL. */
const COMM_CHARS_MAX = 15;

/** nice 0: DEFAULT_PRIO (include/linux/sched/prio.h). */
export const PRIO_DEFAULT: number = DEFAULT_PRIO;

/** The comm a trace line shows for a thread: the kernel's idle task prints as `<idle>`. */
export function taskComm(ctx: TraceContext, pid: number): string {
  if (pid === 0) return "<idle>";
  const comm = ctx.comm(pid);
  // trace_find_cmdline() prints "<...>" for a pid it has no name for.
  return comm === "" ? "<...>" : comm.slice(0, COMM_CHARS_MAX);
}

/** The comm a tracepoint field shows: the idle task is `swapper/<cpu>` there. */
export function fieldComm(ctx: TraceContext, pid: number, cpu: number): string {
  return pid === 0 ? `swapper/${cpu}` : taskComm(ctx, pid);
}

/** sched tracepoints' prio. */
export function prioOf(ctx: TraceContext, pid: number): number {
  return pid === 0 ? PRIO_DEFAULT : ctx.prio?.(pid) ?? PRIO_DEFAULT;
}

/** A thread's process; the idle context is its own. */
export function tgidOf(ctx: TraceContext, pid: number): number {
  return pid === 0 ? 0 : ctx.tgid(pid);
}

/** x86_64 syscall names of the syscalls the lab's designs issue, by number. */
const SYSCALL_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(NR).map(([name, nr]) => [nr, name]),
);

/** A syscall's name, or `syscall_<nr>` for a number the table does not know. */
export function syscallName(nr: number): string {
  return SYSCALL_NAMES.get(nr) ?? `syscall_${nr}`;
}

/** rss_stat members, by member, as `__print_symbolic(member, TRACE_MM_PAGES)` prints them. */
export const RSS_MEMBERS: readonly string[] = CORE_LAYOUTS.event.rss_members;

/** The lab's MMF_ masks, by the kernel's names. */
const MMF_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(MMF_FLAGS).map(([name, mask]) => [mask, name]),
);

/** An MMF_ flag's name, or its mask in hex. */
export function mmfName(mask: number): string {
  return MMF_NAMES.get(mask) ?? `0x${mask.toString(16)}`;
}

/** A task state code's name (`running` covers runnable, `uninterruptible` killable). */
export function taskStateName(code: number): string {
  return CORE_LAYOUTS.task_states[code]?.name ?? `state_${code}`;
}

/** The exit_mmap phase marks, by phase. */
export const EXIT_MMAP_PHASES: readonly string[] = CORE_LAYOUTS.event.exit_mmap_phases.map((p) =>
  p.name
);

const PHASE = codesByName("exit_mmap phases", EXIT_MMAP_PHASES, [
  "start",
  "unmapped",
  "oom_skip_set",
  "pgtables_freed",
  "vmas_removed",
]);

/** exit_mmap's first phase: it began. */
export const EXIT_MMAP_START: number = PHASE.start;

/** exit_mmap's last phase: the VMAs are removed and the mm is torn down. */
export const EXIT_MMAP_DONE: number = PHASE.vmas_removed;

/** Timed scenario events, by the code a scenario_event carries. */
export const SCENARIO_EVENTS: readonly string[] = CORE_LAYOUTS.world.events.map((e) => e.name);

// Things that are not tasks (the CPUs, each mm's counters) get pseudo pids above
// PID_MAX_LIMIT (4 * 1024 * 1024 on 64-bit, include/linux/threads.h), so they can never
// collide with a real thread.

/** The pseudo process holding one track per CPU (trace.json only). */
export const CPUS_TRACK_PID = 5_000_000;

/** The pseudo thread of CPU `cpu` inside {@linkcode CPUS_TRACK_PID}. */
export function cpuTrackTid(cpu: number): number {
  return CPUS_TRACK_PID + 1 + cpu;
}

/** The pseudo process holding mm `mm`'s counters. */
export function mmTrackPid(mm: number): number {
  return 6_000_000 + mm;
}
