/**
 * Trace exporters: the core's event log (a Float64Array, see wasm/src/events.rs) decoded and
 * written out three ways, all deterministic (the same run gives the same bytes):
 *
 * - ftrace text as a 6.18 kernel's tracefs `trace` file prints it ({@linkcode toFtrace}):
 *   the kernel's own tracepoints with the TP_printk of their 6.18 format files, the lab's
 *   own events and the atrace B/E/C/I marks as `tracing_mark_write` lines (trace_marker
 *   writes), so Perfetto's systrace importer tokenizes every line and draws every event;
 * - trace-cmd's binary trace.dat ({@linkcode toTraceDat}) holding the same records, with the
 *   kernel's format files, for `trace-cmd report` and KernelShark;
 * - Chrome/Perfetto trace-event JSON ({@linkcode toTraceEventJson}).
 *
 * {@linkcode traceFile} picks one by name (`ftrace`, `json`, `dat`). How to read and open
 * them: docs/traces.md.
 *
 * The log's layout, kinds and codes, and the names of each event's arguments, are the
 * core's (`CORE_LAYOUTS.event`): {@linkcode eventArg} reads an argument by name, and
 * {@linkcode EVENT_FIELD} / {@linkcode eventWord} give offsets for code that reads the raw
 * log in place.
 *
 * @example
 * ```ts
 * import { decodeEvents, toFtrace, toTraceDat, toTraceEventJson } from "./mod.ts";
 * // const events = decodeEvents(kernel.events(0));
 * const events = decodeEvents(new Float64Array([1_000, 0, 7, 6, 100, 0, 0, 0]));
 * const ctx = { comm: () => "oom_reaper", tgid: (p: number) => p, mmOwner: () => "", kernel: "6.1" };
 * await Deno.writeTextFile("trace.txt", toFtrace(events, ctx));
 * await Deno.writeTextFile("trace.json", JSON.stringify(toTraceEventJson(events, ctx)));
 * await Deno.writeFile("trace.dat", toTraceDat(events, ctx));
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
export { toTraceDat } from "./_dat.ts";
export {
  isTraceFormat,
  TRACE_FORMATS,
  type TracedRun,
  type TraceFile,
  traceFile,
  type TraceFormat,
} from "./_file.ts";
export {
  type ChromeTraceEvent,
  toTraceEventJson,
  type TraceArg,
  type TraceEventJson,
} from "./_perfetto.ts";
