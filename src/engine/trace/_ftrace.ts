/**
 * The event log as the kernel's tracefs `trace` file prints it (with options/irq-info off):
 * every tracepoint with its own TP_printk (the `print fmt` of Linux 6.18's format files),
 * the lab-only kinds and the atrace marks as `tracing_mark_write` lines (trace_marker
 * writes), so that Perfetto's systrace importer reads every line. The records are those
 * trace.dat stores (src/engine/trace/_records.ts), so `trace-cmd report` on that file prints
 * the same events.
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { taskComm, type TraceContext } from "./_names.ts";
import { recordText } from "./_printk.ts";
import { cpuCount, ftraceRecords } from "./_records.ts";
import { mmsOf } from "./_state.ts";

/** The context of {@linkcode toFtrace}, with its one option. */
export interface FtraceContext extends TraceContext {
  /**
   * `"us"` (default): seconds with 6 decimals, rounded as the kernel's ns2usecs() does, as
   * tracefs `trace` and `trace-cmd report` print. `"ns"`: 9 decimals, as `trace-cmd report -t`
   * prints; the lab's steps are often shorter than a microsecond.
   */
  precision?: "us" | "ns";
}

/**
 * Formats the event log as ftrace text, one line per record:
 * `<comm>-<pid> [<cpu>]  <secs>.<usecs>: <event>: <fields>`.
 *
 * @example
 * ```ts
 * import { EVENT_KINDS, toFtrace } from "./mod.ts";
 * const text = toFtrace(
 *   [{ tsNs: 2_000, cpu: 0, pid: 7, kind: EVENT_KINDS.mark_victim, a: 100, b: 0, c: 0, d: 0 }],
 *   { comm: (p) => (p === 7 ? "lmkd" : "victim"), tgid: (p) => p, mmOwner: () => "", kernel: "6.1" },
 * );
 * // "            lmkd-7       [000]      0.000002: mark_victim: pid=100 comm=victim ..."
 * // "            lmkd-7       [000]      0.000002: tracing_mark_write: I|7|mark_victim: ..."
 * ```
 */
export function toFtrace(events: readonly TraceEvent[], ctx: FtraceContext): string {
  const records = ftraceRecords(events, ctx);
  const ts = (ns: number) => formatTs(ns, ctx.precision ?? "us");
  const lines = header(events, ctx, cpuCount(events, records));
  for (const r of records) lines.push(prefix(ctx, r.pid, r.cpu, ts(r.tsNs)) + recordText(r));
  return lines.join("\n") + "\n";
}

/** `cpus=N` first, as trace-cmd report prints it (Perfetto skips it), then `#` comments. */
function header(events: readonly TraceEvent[], ctx: TraceContext, cpus: number): string[] {
  const lines = [
    `cpus=${cpus}`,
    `# mrelease-lab simulated trace: kernel ${ctx.kernel} model; Linux 6.18 tracepoint ` +
    `formats; lab_* instants and B/E/C marks are trace_marker writes (docs/traces.md)`,
  ];
  for (const mm of mmsOf(events)) lines.push(`# mm ${mm}: ${ctx.mmOwner(mm)}`);
  return lines;
}

/**
 * kernel/trace/trace_output.c trace_print_context() with options/irq-info off:
 * `"%16s-%-7d "`, `"[%03d] "`, then trace_print_time()'s `" %5lu.%06lu"` and `": "`.
 */
function prefix(ctx: TraceContext, pid: number, cpu: number, ts: string): string {
  const task = `${taskComm(ctx, pid).padStart(16)}-${String(pid).padEnd(7)}`;
  return `${task} [${String(cpu).padStart(3, "0")}]  ${ts}: `;
}

/** `%5lu.%06lu` of ns2usecs(ts) (rounds to the nearest µs), or `%5lu.%09lu` of the ns. */
function formatTs(tsNs: number, precision: "us" | "ns"): string {
  if (precision === "ns") {
    const secs = Math.floor(tsNs / 1e9);
    return `${String(secs).padStart(5)}.${String(tsNs - secs * 1e9).padStart(9, "0")}`;
  }
  const us = Math.floor((tsNs + 500) / 1000);
  const secs = Math.floor(us / 1e6);
  return `${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, "0")}`;
}
