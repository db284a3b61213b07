/**
 * Runs: a scenario's world loaded into a fresh core, a design's recipe driven by the core's
 * scheduler, and what came of it: the outcome (`mrelease-lab/outcome@2`,
 * docs/outcome-schema.md), who freed which pages, and the scenario's expectations checked.
 * Every run is bounded (`DEFAULT_RUN_LIMITS`: events, steps, wall time); reaching a limit
 * throws `RunLimitReached`. The engine knows designs only as the `Design` records it is
 * handed.
 *
 * @example
 * ```ts
 * import { runScenario } from "./mod.ts";
 * import { loadScenarioFile } from "../scenario/mod.ts";
 * import { sigkill } from "../../../proposals/registry.ts";
 * const s = await loadScenarioFile("scenarios/dstate-little-core.json");
 * console.log(runScenario(s, { design: sigkill }).outcome.memory.freed_by);
 * ```
 *
 * @module
 */

export {
  askWorld,
  type PreparedRun,
  prepareRun,
  type RunOptions,
  type RunResult,
  runScenario,
} from "./experiment.ts";
export {
  DEFAULT_RUN_LIMITS,
  EVENT_BYTES,
  MAX_RUN_LIMITS,
  RUN_LIMIT_FLAGS,
  type RunLimitName,
  RunLimitReached,
  type RunLimits,
  runLimits,
} from "./limits.ts";
export {
  type CallRecord,
  type MainErrno,
  type MainRet,
  type MemoryOutcome,
  type Outcome,
  OUTCOME_SCHEMA,
  type ReclaimTimes,
  retOf,
  type WarningRecord,
} from "./outcome.ts";
export {
  type FreeContext,
  type FreedBy,
  freedBy,
  freedPages,
  type FreeWatch,
  type PageFree,
  type RunLog,
} from "./freed.ts";
export {
  type Actor,
  type ActorResults,
  coreLimit,
  coreRefused,
  resume,
  runActors,
  type RunActorsOptions,
  SimulatorBug,
  SLICE_STEPS,
} from "./runner.ts";
export { type DesignResolver, type Verdict, verifyScenario } from "./verify.ts";
export { runThen, type ThenRecord, thenText } from "./then.ts";
