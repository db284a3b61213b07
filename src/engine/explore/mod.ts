/**
 * Bounded-exhaustive exploration: every schedule of a scenario's choice points (within a
 * preemption bound), with prefixes shared through snapshots of the core and schedules
 * that only reorder commuting steps pruned by sleep sets (docs/exploration.md).
 *
 * @example
 * ```ts
 * import { walk } from "./mod.ts";
 * import { loadScenarioFile } from "../scenario/mod.ts";
 * import { sigkill } from "../../../proposals/registry.ts";
 * const s = await loadScenarioFile("scenarios/races/f1-pgtables.json");
 * const { leaves } = walk(s, { design: sigkill, preemptions: 1 });
 * console.log(leaves.length);
 * ```
 *
 * @module
 */

export {
  type Leaf,
  SnapshotLimitReached,
  walk,
  type WalkOptions,
  type WalkResult,
} from "./_walk.ts";
export { type Node, type Reduction, SleepSets } from "./_sleep.ts";
export { outcomeText, type ScheduleOutcome, scheduleOutcome } from "./_outcome.ts";
export { holds, judge, type Judgement, propText } from "./_condition.ts";
export {
  compareSchedules,
  EXPLORE_LINE_SCHEMA,
  type ExploreLine,
  leafLine,
  type OutcomeRow,
  reportLines,
  SHARD_DEPTH,
  shardOwns,
  type WalkKey,
  type WalkReport,
} from "./_report.ts";
export { type VerdictCheck, VERIFY_BUDGET, verifyVerdicts } from "./_verify.ts";
