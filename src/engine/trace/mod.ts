/**
 * Trace exporters: the core's event log (a Float64Array, see wasm/src/events.rs) decoded and
 * written out as
 *
 * - ftrace text in the shape of `trace-cmd report`, using the kernel's own tracepoint names
 *   and TP_printk formats (recent mainline) where a tracepoint exists, `lab_<name>:` lines
 *   for the lab's own events, and `tracing_mark_write` B/E/C marks that Perfetto draws as
 *   slices and counters ({@linkcode toFtrace});
 * - Chrome/Perfetto trace-event JSON ({@linkcode toTraceEventJson}).
 *
 * How to read and open both: docs/traces.md.
 *
 * The log's layout, kinds and codes, and the names of each event's arguments, are the
 * core's (`CORE_LAYOUTS.event`): {@linkcode eventArg} reads an argument by name, and
 * {@linkcode EVENT_FIELD} / {@linkcode eventWord} give offsets for code that reads the raw
 * log in place.
 *
 * @example
 * ```ts
 * import { decodeEvents, toFtrace, toTraceEventJson } from "./mod.ts";
 * // const events = decodeEvents(kernel.events(0));
 * const events = decodeEvents(new Float64Array([1_000, 0, 7, 6, 100, 0, 0, 0]));
 * const ctx = { comm: () => "oom_reaper", tgid: (p: number) => p, mmOwner: () => "", kernel: "6.1" };
 * await Deno.writeTextFile("trace.txt", toFtrace(events, ctx));
 * await Deno.writeTextFile("trace.json", JSON.stringify(toTraceEventJson(events, ctx)));
 * ```
 * @module
 */

export {
  decodeEvents,
  encodeEvents,
  EVENT_FIELD,
  EVENT_WORDS,
  type TraceEvent,
} from "./_decode.ts";
export {
  EVENT_KINDS,
  eventArg,
  type EventKindName,
  eventWord,
  KIND_NAMES,
  LOCK_OP_NAMES,
  LOCK_OPS,
  SIGNAL_RESULTS,
  WARN_CODES,
  WARN_NAMES,
} from "./_kinds.ts";
export { CPUS_TRACK_PID, cpuTrackTid, mmTrackPid, type TraceContext } from "./_names.ts";
export { type FtraceContext, toFtrace } from "./_ftrace.ts";
export {
  type ChromeTraceEvent,
  toTraceEventJson,
  type TraceArg,
  type TraceEventJson,
} from "./_perfetto.ts";
