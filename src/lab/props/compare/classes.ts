/**
 * The table of every named class of differences between designs the comparison knows
 * ({@linkcode DIFFERENCE_CLASSES}, in the order docs/semantic-diff.md lists them), and of the
 * differences that look like bugs instead ({@linkcode SUSPECTED_BUGS}).
 *
 * @example
 * ```ts
 * import { DIFFERENCE_CLASSES } from "./classes.ts";
 * console.log(DIFFERENCE_CLASSES.map((k) => k.id));
 * ```
 * @module
 */

import type { DifferenceClass } from "./class.ts";
import { REFUSALS } from "./_refusals.ts";
import { CALLS } from "./_calls.ts";
import { ARGUMENTS } from "./_arguments.ts";
import { MEMORY } from "./_memory.ts";
import { CONCURRENCY } from "./_concurrency.ts";
import { ONE_CALL } from "./_one_call.ts";
import { BREAKS } from "./_breaks.ts";
import { EXPEDITE } from "./_expedite.ts";
import { OOM } from "./_oom.ts";
import { PIDNS } from "./_pidns.ts";

/** The table: every named difference between designs the comparison knows. */
export const DIFFERENCE_CLASSES: readonly DifferenceClass[] = [
  ...REFUSALS,
  ...CALLS,
  ...ARGUMENTS,
  ...MEMORY,
  ...ONE_CALL,
  ...BREAKS,
  ...CONCURRENCY,
  ...EXPEDITE,
  ...OOM,
  ...PIDNS,
];

/**
 * Differences that look like bugs in a design or the core rather than semantics: recognised
 * so that the comparison can go on, reported (never counted as classified), and each with
 * the file and line to look at. An empty table is the goal, and the table is empty.
 */
export const SUSPECTED_BUGS: readonly DifferenceClass[] = [];
