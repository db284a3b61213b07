/**
 * mrelease-lab: a lab for prototyping, side by side, the Linux kernel designs for freeing
 * the memory of a process that is being killed from the killer's context
 * (`pidfd_send_signal(SYNC_REAP_MM)`, `process_madvise(MADV_DONTNEED)`, `process_reap`,
 * `process_mrelease`), on one deterministic simulated kernel compiled to WebAssembly.
 *
 * @example
 * ```ts
 * import { findDesign, loadScenarioFile, runScenario } from "./mod.ts";
 * const scenario = await loadScenarioFile("scenarios/dstate-little-core.json");
 * const { outcome } = runScenario(scenario, { design: findDesign("sigkill") });
 * console.log(outcome.memory.t100_ns);
 * ```
 *
 * @module
 */

export * from "./src/core/mod.ts";
export { chooseDesign, type DesignChoice, designs, findDesign } from "./src/lab/designs/mod.ts";
export {
  type CallRecord,
  DEFAULT_RUN_LIMITS,
  type DesignResolver,
  type FreeContext,
  type FreedBy,
  freedBy,
  freedPages,
  type FreeWatch,
  type MainErrno,
  type MainRet,
  type MemoryOutcome,
  type Outcome,
  OUTCOME_SCHEMA,
  type PageFree,
  type ReclaimTimes,
  type RunLimitName,
  RunLimitReached,
  type RunLimits,
  type RunLog,
  type RunOptions,
  type RunResult,
  runScenario,
  SimulatorBug,
  type ThenRecord,
  type Verdict,
  verifyScenario,
  type WarningRecord,
} from "./src/engine/run/mod.ts";
export * from "./src/engine/scenario/mod.ts";
export * from "./src/engine/trace/mod.ts";
