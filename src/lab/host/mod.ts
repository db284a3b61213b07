/**
 * The host backend: scenarios run on this machine's real kernel (docs/host.md).
 *
 * @module
 */

export { HostSafetyError, HostSession, leftovers } from "./session.ts";
export { type HostOutcome, runHost } from "./run.ts";
export { hostPlan, NotExpressible } from "./plan.ts";
export { agrees, type DiffRow, diffScenario, formatDiff, toleranceForPages } from "./diff.ts";
export { hostSupport } from "./support.ts";
export { buildHostWorld } from "./worlds.ts";
