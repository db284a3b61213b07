/**
 * The event log as it crosses the WASM boundary: a Float64Array of `EVENT_WORDS` numbers
 * per record, all integers exact below 2^53, laid out as the core states it
 * (`CORE_LAYOUTS.event.fields`, from wasm/src/events.rs `EVENT_FIELDS`).
 *
 * @module
 */

import { codesByName, CORE_LAYOUTS } from "../../core/kernel.ts";

/** The words of a record by name: their offsets from the record's start. */
export const EVENT_FIELD: Readonly<
  Record<"ts_ns" | "cpu" | "pid" | "kind" | "a" | "b" | "c" | "d", number>
> = codesByName("event fields", CORE_LAYOUTS.event.fields, [
  "ts_ns",
  "cpu",
  "pid",
  "kind",
  "a",
  "b",
  "c",
  "d",
]);

/** Numbers per record. */
export const EVENT_WORDS: number = CORE_LAYOUTS.event.fields.length;

/** One decoded record. What `a`..`d` mean depends on `kind` ({@linkcode eventArg} names them). */
export interface TraceEvent {
  /** Simulated time, nanoseconds since the run began. */
  tsNs: number;
  /** The CPU the context ran on, or -1 when it was not running (a timer, a sleeper). */
  cpu: number;
  /** The context (current) that emitted the event: a thread id; 0 is the idle/timer context. */
  pid: number;
  /** The kind number ({@linkcode EVENT_KINDS}). */
  kind: number;
  /** First argument. */
  a: number;
  /** Second argument. */
  b: number;
  /** Third argument. */
  c: number;
  /** Fourth argument. */
  d: number;
}

/**
 * Decodes the core's event words. Throws when the length is not a whole number of records.
 *
 * @example
 * ```ts
 * import { decodeEvents } from "./mod.ts";
 * const [e] = decodeEvents(new Float64Array([1000, 0, 42, 5, 42, 0, 0, 0]));
 * console.log(e.kind, e.a); // 5 (mark_victim), 42
 * ```
 */
export function decodeEvents(words: ArrayLike<number>): TraceEvent[] {
  if (words.length % EVENT_WORDS !== 0) {
    throw new Error(
      `event log has ${words.length} words, not a multiple of ${EVENT_WORDS} per record`,
    );
  }
  const { ts_ns, cpu, pid, kind, a, b, c, d } = EVENT_FIELD;
  const out: TraceEvent[] = [];
  for (let i = 0; i < words.length; i += EVENT_WORDS) {
    out.push({
      tsNs: words[i + ts_ns],
      cpu: words[i + cpu],
      pid: words[i + pid],
      kind: words[i + kind],
      a: words[i + a],
      b: words[i + b],
      c: words[i + c],
      d: words[i + d],
    });
  }
  return out;
}

/**
 * Encodes events back into the core's layout (for fixtures and tests).
 *
 * @example
 * ```ts
 * import { decodeEvents, encodeEvents } from "./mod.ts";
 * const words = encodeEvents([{ tsNs: 5, cpu: 0, pid: 1, kind: 6, a: 1, b: 0, c: 0, d: 0 }]);
 * console.log(decodeEvents(words)[0].tsNs); // 5
 * ```
 */
export function encodeEvents(events: readonly TraceEvent[]): Float64Array {
  const words = new Float64Array(events.length * EVENT_WORDS);
  const f = EVENT_FIELD;
  events.forEach((e, i) => {
    const at = i * EVENT_WORDS;
    words[at + f.ts_ns] = e.tsNs;
    words[at + f.cpu] = e.cpu;
    words[at + f.pid] = e.pid;
    words[at + f.kind] = e.kind;
    words[at + f.a] = e.a;
    words[at + f.b] = e.b;
    words[at + f.c] = e.c;
    words[at + f.d] = e.d;
  });
  return words;
}
