/**
 * The event log as it crosses the WASM boundary: a Float64Array of `EVENT_WORDS` numbers
 * per record (wasm/src/events.rs `EventLog::push`), all integers exact below 2^53.
 *
 * @module
 */

/** Numbers per record: ts, cpu, pid, kind, a, b, c, d. */
export const EVENT_WORDS = 8;

/** One decoded record. What `a`..`d` mean depends on `kind` (wasm/src/events.rs `Kind`). */
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
  const out: TraceEvent[] = [];
  for (let i = 0; i < words.length; i += EVENT_WORDS) {
    out.push({
      tsNs: words[i],
      cpu: words[i + 1],
      pid: words[i + 2],
      kind: words[i + 3],
      a: words[i + 4],
      b: words[i + 5],
      c: words[i + 6],
      d: words[i + 7],
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
  events.forEach((e, i) => {
    words.set([e.tsNs, e.cpu, e.pid, e.kind, e.a, e.b, e.c, e.d], i * EVENT_WORDS);
  });
  return words;
}
