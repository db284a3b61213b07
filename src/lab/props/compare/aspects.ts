/**
 * What a comparison looks at in two outcomes of the same world: the aspects
 * ({@linkcode ASPECTS}), which of them differ, and an outcome as one line.
 *
 * @example
 * ```ts
 * import { differingAspects } from "./aspects.ts";
 * // differingAspects(a, b); // ["ret", "freed"]
 * ```
 * @module
 */

import { type Outcome, retOf } from "../../../engine/run/mod.ts";

/** The parts of an outcome a comparison looks at. */
export const ASPECTS = ["ret", "signal", "freed", "paid", "time"] as const;
/**
 * One part of an outcome: `ret` the design's main call, `signal` whether the victim got
 * SIGKILL, `freed` `memory.freed_pages`, `paid` who freed them (`memory.freed_by`) and the
 * caller's CPU time (`cpu_ns.caller`), `time` when the last page came back
 * (`memory.t100_ns`).
 */
export type Aspect = (typeof ASPECTS)[number];

export { retOf };

/**
 * Which aspects of two outcomes differ (empty: the designs agree on this world).
 *
 * @example
 * ```ts
 * import { differingAspects } from "./aspects.ts";
 * // differingAspects(a, b).includes("signal");
 * ```
 */
export function differingAspects(a: Outcome, b: Outcome): Aspect[] {
  const out: Aspect[] = [];
  if (retOf(a) !== retOf(b)) out.push("ret");
  if (a.signal_delivered !== b.signal_delivered) out.push("signal");
  if (a.memory.freed_pages !== b.memory.freed_pages) out.push("freed");
  const fa = a.memory.freed_by, fb = b.memory.freed_by;
  if (
    fa.caller !== fb.caller || fa.victim !== fb.victim || fa.kthreads !== fb.kthreads ||
    fa.other !== fb.other || a.cpu_ns.caller !== b.cpu_ns.caller
  ) out.push("paid");
  if (a.memory.t100_ns !== b.memory.t100_ns) out.push("time");
  return out;
}

/**
 * One outcome in a line: the answer, the signal, the pages freed and by whom, the caller's
 * CPU time and the time of the last page.
 *
 * @example
 * ```ts
 * import { summary } from "./aspects.ts";
 * // summary(outcome); // "0, signal yes, freed 4096 (caller 4096, ...), ..."
 * ```
 */
export function summary(o: Outcome): string {
  const by = o.memory.freed_by;
  return `${retOf(o)}, signal ${o.signal_delivered ? "yes" : "no"}, freed ` +
    `${o.memory.freed_pages} (caller ${by.caller}, victim ${by.victim}, kthreads ` +
    `${by.kthreads}, other ${by.other}), cpu:caller ${o.cpu_ns.caller} ns, t100 ` +
    `${o.memory.t100_ns ?? "never"}`;
}
