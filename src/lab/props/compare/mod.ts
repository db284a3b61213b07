/**
 * Comparisons between designs: every pair of targets run on the same generated world, their
 * outcomes compared aspect by aspect (`aspects.ts`), and every difference classified into one
 * of the named classes of {@linkcode DIFFERENCE_CLASSES} (`classes.ts`, the tables by theme
 * in `_refusals.ts`, `_calls.ts`, `_memory.ts`, `_concurrency.ts`), whose predicates read the
 * world's facts (`facts.ts`) and the designs' records (`targets.ts`), never a design's name.
 * A difference no class explains is either a semantic difference nobody has named yet or a
 * bug in a design or the core; the comparison test (test/props/compare_test.ts) fails on it
 * with the shrunk world and the command that classifies it again (`check.ts`;
 * `deno task lab classify`). The refinements (`refinements.ts`) are claims that two designs
 * agree, asserted outright. docs/semantic-diff.md is generated from these tables.
 *
 * @example
 * ```ts
 * import { checkComparison, formatCompareReport } from "./mod.ts";
 * console.log(formatCompareReport("comparison", checkComparison({ numRuns: 10, seed: 1 })));
 * ```
 * @module
 */

export { type Aspect, ASPECTS, differingAspects, retOf, summary } from "./aspects.ts";
export { type CaseFacts, caseFacts, OVERHEAD_NS } from "./facts.ts";
export {
  answering,
  COMPARE_TARGETS,
  compareTargets,
  flagsMeaning,
  pinRank,
  reaps,
  SITUATIONS,
  type TargetTest,
} from "./targets.ts";
export type { DifferenceClass } from "./class.ts";
export { DIFFERENCE_CLASSES, SUSPECTED_BUGS } from "./classes.ts";
export {
  classifyPair,
  classMatches,
  compareWorld,
  type PairComparison,
  type Run,
  runOn,
  type World,
  type WorldComparison,
} from "./classify.ts";
export { type ClassExample, exampleOf, examplePath, exampleReplay } from "./example.ts";
export { type Claim, CLAIMS, type Refinement, REFINEMENTS, refinements } from "./refinements.ts";
export {
  checkComparison,
  checkRefinement,
  type CompareCheckOptions,
  type CompareFailure,
  compareReplayCommand,
  type CompareReport,
  formatCompareReport,
  unclassified,
  writeCompareFailure,
} from "./check.ts";
