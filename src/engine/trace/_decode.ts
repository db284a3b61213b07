/**
 * The event log as it crosses the WASM boundary: a Float64Array of `EVENT_WORDS` numbers
 * per record, all integers exact below 2^53, laid out as the core states it
 * (`CORE_LAYOUTS.event.fields`, from wasm/src/events.rs `EVENT_FIELDS`).
 *
 * @module
 */

import { codesByName, CORE_LAYOUTS, EVENT_CODES, PAGE_SIZE } from "../../core/kernel.ts";

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

/** A kind's argument, by name, as the word of the record that holds it. */
function argWord(kind: string, name: string): number {
  const args = CORE_LAYOUTS.event.kinds.find((k) => k.name === kind)?.args ?? [];
  const at = args.indexOf(name);
  if (at < 0) throw new Error(`kernel facts: ${kind} events carry no ${name}`);
  return EVENT_FIELD.a + at;
}

/**
 * The log's shorthand for a folded run of rss_stat records (wasm/src/fold.rs): `earlier`
 * records, one every `period_ns`, each `pages` pages above the next, came before the
 * rss_stat record right after it.
 */
const RSS_RUN = {
  kind: EVENT_CODES.kinds["rss_stat_run"],
  earlier: argWord("rss_stat_run", "earlier"),
  periodNs: argWord("rss_stat_run", "period_ns"),
  pages: argWord("rss_stat_run", "pages"),
  rssStat: EVENT_CODES.kinds["rss_stat"],
  sizeBytes: argWord("rss_stat", "size_bytes"),
};

/**
 * Decodes the core's event words, writing each folded run of rss_stat records out record by
 * record (the core folds a zap's equal batches nothing could interleave with into one
 * shorthand, `rss_stat_run`, before the run's last record): the events are those of the run
 * batch by batch. Throws when the length is not a whole number of records, or a shorthand is
 * not followed by its rss_stat record.
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
    if (words[i + EVENT_FIELD.kind] === RSS_RUN.kind) writeRunOut(words, i, out);
    else out.push(recordAt(words, i));
  }
  return out;
}

/** The records a shorthand at word `i` stands for before its last one, oldest first. */
function writeRunOut(words: ArrayLike<number>, i: number, out: TraceEvent[]): void {
  const last = i + EVENT_WORDS;
  if (words[last + EVENT_FIELD.kind] !== RSS_RUN.rssStat) {
    throw new Error(`event log: the rss_stat_run record at ${i / EVENT_WORDS} ends no rss_stat`);
  }
  const period = words[i + RSS_RUN.periodNs];
  const bytes = words[i + RSS_RUN.pages] * PAGE_SIZE;
  const record = Float64Array.from({ length: EVENT_WORDS }, (_, w) => words[last + w]);
  for (let k = words[i + RSS_RUN.earlier]; k > 0; k--) {
    record[EVENT_FIELD.ts_ns] = words[last + EVENT_FIELD.ts_ns] - k * period;
    record[RSS_RUN.sizeBytes] = words[last + RSS_RUN.sizeBytes] + k * bytes;
    out.push(recordAt(record, 0));
  }
}

/** The record at word `i`. */
function recordAt(words: ArrayLike<number>, i: number): TraceEvent {
  const { ts_ns, cpu, pid, kind, a, b, c, d } = EVENT_FIELD;
  return {
    tsNs: words[i + ts_ns],
    cpu: words[i + cpu],
    pid: words[i + pid],
    kind: words[i + kind],
    a: words[i + a],
    b: words[i + b],
    c: words[i + c],
    d: words[i + d],
  };
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
