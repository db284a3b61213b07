/**
 * What a named class of differences is ({@linkcode DifferenceClass}), and the small tests over
 * two outcomes that the class tables share (answers that went ahead, pages freed in the same
 * contexts, times within the recipes' overhead).
 *
 * @example
 * ```ts
 * import type { DifferenceClass } from "./class.ts";
 * // const k: DifferenceClass = { id: "...", separates: [reaps, killsOnly], ... };
 * ```
 * @module
 */

import type { Outcome } from "../../../engine/run/mod.ts";
import type { Target } from "../target.ts";
import { type Aspect, retOf } from "./aspects.ts";
import type { CaseFacts } from "./facts.ts";
import type { TargetTest } from "./targets.ts";

/** A named kind of difference between designs, with the predicate that recognises it. */
export interface DifferenceClass {
  /** Its id, `[a-z0-9-]+`: the minimal example is `scenarios/diff/<id>.json`. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Why the designs differ, with the reference sections (§). */
  readonly explanation: string;
  /**
   * The designs it separates, as tests of their records: any target the first accepts
   * against any the second accepts. The predicate gets the first one's outcome first.
   */
  readonly separates: readonly [TargetTest, TargetTest];
  /** The aspects of a difference it accounts for. */
  readonly explains: readonly Aspect[];
  /**
   * Whether a difference between `a` (of a target the first test accepts) and `b` is of this
   * class; `who` are the two targets, in the same order.
   */
  readonly matches: (
    f: CaseFacts,
    a: Outcome,
    b: Outcome,
    who: readonly [Target, Target],
  ) => boolean;
}

/** A main call's answer as a name ({@linkcode retOf}). */
export const ret = (o: Outcome): string => retOf(o);

/** A reaping call that went ahead: it reaped (0), partly (EAGAIN), or was stopped on the way. */
export const WENT_AHEAD: readonly string[] = ["0", "EAGAIN", "EINTR", "killed", "unfinished"];
/** No answer: the caller died first, or the run ended first. */
export const STOPPED: readonly string[] = ["killed", "unfinished"];
/** The kill-only baselines' answers when the kill was sent. */
export const KILLED: readonly string[] = ["0", "killed"];

/** Two times (or both none) within the world's overhead of each other. */
export const near = (f: CaseFacts, x: number | null, y: number | null): boolean =>
  x === null || y === null ? x === y : Math.abs(x - y) <= f.overheadNs;

const CONTEXTS = ["caller", "victim", "kthreads", "other"] as const;

/** The same contexts freed something (however much each). */
export const sameContexts = (a: Outcome, b: Outcome): boolean =>
  CONTEXTS.every((k) => (a.memory.freed_by[k] > 0) === (b.memory.freed_by[k] > 0));

/** The contexts that freed something in one run are among those of the other. */
export const nestedContexts = (a: Outcome, b: Outcome): boolean => {
  const inA = CONTEXTS.filter((k) => a.memory.freed_by[k] > 0);
  const inB = CONTEXTS.filter((k) => b.memory.freed_by[k] > 0);
  return inA.every((k) => inB.includes(k)) || inB.every((k) => inA.includes(k));
};

/** Each context freed the same pages in both runs. */
export const sameFreedBy = (a: Outcome, b: Outcome): boolean =>
  CONTEXTS.every((k) => a.memory.freed_by[k] === b.memory.freed_by[k]);
