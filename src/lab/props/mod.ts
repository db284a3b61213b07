/**
 * Property-based comparison of the designs: fast-check generators of valid worlds and
 * interleavings (`gen.ts`), the per-design properties as plain functions returning
 * violations (`properties.ts`), the fast-check driver shared by the tests and
 * `deno task sweep` (`check.ts`), and failing cases as replayable files (`case_file.ts`).
 * `docs/properties.md` explains each property, the sweep and how to replay a failure.
 *
 * @example
 * ```ts
 * import { checkProperty, findProperty, formatReport, parseTarget } from "./mod.ts";
 * const reports = await checkProperty(findProperty("safety"), parseTarget("process_mrelease"), {
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
  arbLatencyCase,
  arbPages,
  arbVma,
  arbWorldPlan,
  type Case,
  type CaseOptions,
  LATENCY_WAKE_US,
  PIDS,
  toCase,
  withVictimWake,
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
export * from "./properties.ts";
export * from "./check.ts";
export * from "./case_file.ts";
