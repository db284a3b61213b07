/**
 * Property-based checks of the designs, the folder's face: fast-check generators of valid
 * worlds and interleavings (`gen.ts`, `_worlds.ts`), the targets the registry gives
 * (`target.ts`), the per-design properties as plain functions returning violations
 * (`properties.ts`; the latency property with its worlds in `latency.ts`, the ESRCH-free
 * property with its worlds in `esrch.ts`, the zap rules in `zap.ts`), the fast-check driver shared by the tests and `deno task sweep` (`check.ts`),
 * failing cases as replayable files (`case_file.ts`), the post-merge races (`races.ts`), and
 * the pairwise comparison of the designs (`compare/`). `docs/properties.md` explains each
 * property, the sweep and how to replay a failure; `docs/semantic-diff.md` the comparison;
 * `docs/races.md` the races.
 *
 * @example
 * ```ts
 * import { checkProperty, findProperty, formatReport, targets } from "./mod.ts";
 * const reports = await checkProperty(findProperty("safety"), targets()[0], {
 *   numRuns: 20,
 *   seed: 7,
 * });
 * for (const r of reports) console.log(formatReport(r));
 * ```
 * @module
 */

export {
  arbCase,
  arbChoices,
  arbCpu,
  arbKernel,
  arbPages,
  arbVma,
  arbWorldPlan,
  type Case,
  type CaseOptions,
  PIDS,
  toCase,
  type WorldPlan,
  type WorldPlanOptions,
} from "./gen.ts";
export type {
  CallPlan,
  CpuPlan,
  KillerPlan,
  PlanThreadState,
  ReaderPlan,
  SharerPlan,
  SignalPlan,
  TargetPlan,
  ThreadPlan,
  VictimPlan,
  VmaPlan,
  WorldJson,
} from "./_worlds.ts";
export { buildWorld, KILLER_FDS } from "./_worlds.ts";
export * from "./target.ts";
export * from "./zap.ts";
export * from "./properties.ts";
export * from "./latency.ts";
export * from "./esrch.ts";
export * from "./check.ts";
export * from "./case_file.ts";
export * from "./races.ts";
export * from "./compare/mod.ts";
