/**
 * One trace file by format name, for the commands that write them (`lab run --trace`).
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { toFtrace } from "./_ftrace.ts";
import { toTraceDat } from "./_dat.ts";
import type { TraceContext } from "./_names.ts";
import { toTraceEventJson } from "./_perfetto.ts";

/**
 * The trace formats: `ftrace` (tracefs text, trace.txt), `json` (Chrome/Perfetto trace-event
 * JSON, trace.json), `dat` (trace-cmd's binary trace.dat).
 */
export const TRACE_FORMATS: readonly ["ftrace", "json", "dat"] = ["ftrace", "json", "dat"];

/** One of {@linkcode TRACE_FORMATS}. */
export type TraceFormat = typeof TRACE_FORMATS[number];

/** Whether a string names a trace format. */
export function isTraceFormat(name: string): name is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(name);
}

/** A trace file's bytes and the extension its format takes (`txt`, `json`, `dat`). */
export interface TraceFile {
  /** The file name's extension, without the dot. */
  extension: "txt" | "json" | "dat";
  /** The file's content. */
  data: Uint8Array;
}

/** A run's event log and its context: what a run result (`runScenario`) carries. */
export interface TracedRun {
  /** The decoded event log. */
  readonly events: readonly TraceEvent[];
  /** Names, thread groups and mm owners for the exporters. */
  readonly trace: TraceContext;
}

/**
 * A run's trace file in one format. Deterministic: the same run gives the same bytes.
 *
 * @example
 * ```ts
 * import { traceFile } from "./mod.ts";
 * const trace = { comm: () => "lmkd", tgid: (p: number) => p, mmOwner: () => "", kernel: "6.18" };
 * const { extension, data } = traceFile({ events: [], trace }, "dat");
 * await Deno.writeFile(`trace.${extension}`, data);
 * ```
 */
export function traceFile(run: TracedRun, format: TraceFormat): TraceFile {
  const text = (s: string) => new TextEncoder().encode(s);
  const { events, trace: ctx } = run;
  switch (format) {
    case "ftrace":
      return { extension: "txt", data: text(toFtrace(events, ctx)) };
    case "json":
      return {
        extension: "json",
        data: text(JSON.stringify(toTraceEventJson(events, ctx)) + "\n"),
      };
    case "dat":
      return { extension: "dat", data: toTraceDat(events, ctx) };
  }
}
