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

export type { Design, DesignContext } from "./src/design.ts";
export { designs, findDesign } from "./src/designs.ts";
export { ABI_VERSION } from "./src/core/_wasm.ts";
export * from "./src/core/errno.ts";
export * from "./src/core/primitives.ts";
export * from "./src/core/userspace.ts";
export { SimulatorBug } from "./src/run/runner.ts";
export { type RunOptions, type RunResult, runScenario } from "./src/run/experiment.ts";
export {
  type CallRecord,
  type MemoryOutcome,
  type Outcome,
  OUTCOME_SCHEMA,
  type ReclaimTimes,
  type WarningRecord,
} from "./src/run/outcome.ts";
export { type Verdict, verifyScenario } from "./src/run/verify.ts";
export * from "./src/scenario/mod.ts";
export * from "./src/trace/mod.ts";
