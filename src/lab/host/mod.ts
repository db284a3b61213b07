/**
 * The host backend: scenarios run on this machine's real kernel, each design through its own
 * recipe (docs/host.md). The command line is src/lab/cli/_diff.ts.
 *
 * @module
 */

export { HostSafetyError, HostSession, leftovers } from "./session.ts";
export {
  HOST_OUTCOME_SCHEMA,
  type HostOutcome,
  type HostRunOptions,
  type RssSnapshot,
  runHost,
} from "./run.ts";
export { type HostCall, HostUserspace, runRecipe } from "./userspace.ts";
export { designsOf, hostRefusals, mergedOnHost } from "./designs.ts";
export { NsCaller } from "./pidns.ts";
export { type HostPlan, hostPlan, NotExpressible } from "./plan.ts";
export {
  agrees,
  type DiffRow,
  diffScenario,
  type Side,
  simulateForHost,
  toleranceForPages,
} from "./diff.ts";
export { HOST_KERNEL, hostSupport } from "./support.ts";
export { type CoreDumpRecord, coreDumpRefusal, CoreDumpTimingError } from "./coredump.ts";
export { buildHostWorld, type HostWorldParams } from "./worlds.ts";
export {
  calibrate,
  calibrationWorld,
  COMMITTED_PROFILE,
  hostMeasuredCpu,
  reaper as calibrationReaper,
  userProfilePath,
} from "./calibrate.ts";
export {
  calibrateThp,
  type ThpCalibration,
  type ThpMeasure,
  type ThpSizeFigures,
  thpSummary,
} from "./calibrate_thp.ts";
