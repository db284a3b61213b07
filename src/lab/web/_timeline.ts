/**
 * The per-CPU timeline of a run: who ran on each CPU, and what each thread was doing — its
 * syscalls, its waits for mmap_lock, exit_mmap and its steps, the oom_reaper's reaping, and
 * when it freed the victim's pages. It reads the Perfetto JSON the trace exporter writes
 * (src/engine/trace), so the page draws the same slices trace.json holds.
 *
 * @module
 */

import type { PageFree } from "../../engine/run/mod.ts";
import {
  type ChromeTraceEvent,
  CPUS_TRACK_PID,
  cpuTrackTid,
  type TraceContext,
} from "../../engine/trace/mod.ts";

/** What a bar of the timeline shows. */
export type BarKind =
  | "running"
  | "syscall"
  | "exit_mmap"
  | "mmap_lock wait"
  | "oom_reaper reaping"
  | "freeing pages"
  /** A replayed witness's choice point (the exploration view's own lane). */
  | "scheduler choice";

/** One bar: a lane, a span of simulated time, and what it was. */
export interface TimelineBar {
  /** `CPU 0`, or a thread: `lmkd_reaper0 (501)`. */
  readonly lane: string;
  /** The lane's order: CPUs first, then threads by pid. */
  readonly order: number;
  /** Start, ms since the run began. */
  readonly start_ms: number;
  /** End, ms since the run began (equal to start for an instant). */
  readonly end_ms: number;
  /** What it was. */
  readonly kind: BarKind;
  /** Its name: the task that ran, the syscall, exit_mmap's step. */
  readonly name: string;
}

/** How the lanes of threads are ordered after the CPUs'. */
const THREAD_LANES = 1_000_000;

/** The lock operations that end a wait for mmap_lock (the core's names). */
const WAIT_ENDS = ["read_acquired", "write_acquired", "wait_interrupted"];

/**
 * The bars of one run, from its Perfetto JSON (`toTraceEventJson`) and the pages it saw
 * freed (`freedPages`).
 */
export function timelineBars(
  trace: readonly ChromeTraceEvent[],
  frees: readonly PageFree[],
  ctx: TraceContext,
  cpus: number,
): TimelineBar[] {
  const bars: TimelineBar[] = [];
  const ms = (us: number) => us / 1000;
  const thread = (tid: number) => ({
    lane: `${ctx.comm(tid) || "?"} (${tid})`,
    order: THREAD_LANES + tid,
  });
  const cpuOf = new Map(Array.from({ length: cpus }, (_, c) => [cpuTrackTid(c), c]));
  // Spans between two instants of one thread: a wait for mmap_lock until it is granted (or
  // the wait is cut short), the oom_reaper's reaping until it finishes (or skips).
  const open = new Map<string, number>(); // kind:tid -> start (us)
  const span = (e: ChromeTraceEvent, kind: BarKind, starts: boolean, ends: boolean) => {
    const key = `${kind}:${e.tid}`;
    if (starts) open.set(key, e.ts);
    const from = open.get(key);
    if (from === undefined || !ends) return;
    open.delete(key);
    bars.push({ ...thread(e.tid), start_ms: ms(from), end_ms: ms(e.ts), kind, name: e.name });
  };
  for (const e of trace) {
    if (e.ph === "X" && e.pid === CPUS_TRACK_PID) {
      const cpu = cpuOf.get(e.tid) ?? e.tid - cpuTrackTid(0);
      bars.push({
        lane: `CPU ${cpu}`,
        order: cpu,
        start_ms: ms(e.ts),
        end_ms: ms(e.ts + (e.dur ?? 0)),
        kind: "running",
        name: e.name,
      });
    } else if (e.ph === "X" && (e.cat === "syscall" || e.cat === "mm")) {
      bars.push({
        ...thread(e.tid),
        start_ms: ms(e.ts),
        end_ms: ms(e.ts + (e.dur ?? 0)),
        kind: e.cat === "syscall" ? "syscall" : "exit_mmap",
        name: e.name,
      });
    } else if (e.ph === "i" && e.name === "mmap_lock") {
      const op = String(e.args?.op ?? "");
      span(e, "mmap_lock wait", op.endsWith("_waiting"), WAIT_ENDS.includes(op));
    } else if (e.ph === "i" && e.cat === "oom") {
      const starts = e.name === "start_task_reaping";
      span(e, "oom_reaper reaping", starts, !starts);
    }
  }
  bars.push(...freeingBars(frees, thread));
  return bars;
}

/** One bar per thread that freed the victim's pages, from its first batch to its last. */
function freeingBars(
  frees: readonly PageFree[],
  thread: (tid: number) => { lane: string; order: number },
): TimelineBar[] {
  const spans = new Map<number, { from: number; to: number; pages: number }>();
  for (const f of frees) {
    const s = spans.get(f.pid) ?? { from: f.at_ns, to: f.at_ns, pages: 0 };
    s.to = f.at_ns;
    s.pages += f.pages;
    spans.set(f.pid, s);
  }
  return [...spans].map(([pid, s]) => ({
    ...thread(pid),
    start_ms: s.from / 1e6,
    end_ms: s.to / 1e6,
    kind: "freeing pages" as const,
    name: `${s.pages} pages of the victim's`,
  }));
}
