/**
 * The runs made on the review's points: which design, under which label, on which kernel.
 * By default every registered design on the report's kernel; a family adds the OOM killer
 * on an older kernel, or runs only the design that plays a role (roles.ts).
 *
 * @module
 */

import {
  type Design,
  kernelFeatures,
  type KernelVariant,
  type KernelVersion,
} from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import { MERGED, OOM_KILLER, playing } from "./roles.ts";
import { REPORT_KERNEL } from "./world.ts";

/** One design run on a point: the design (`name` or `name@variant`), on a kernel. */
export interface RunSpec {
  /** The label in tables and legends. */
  readonly label: string;
  /** `name` or `name@variant` (src/lab/designs/mod.ts `chooseDesign`). */
  readonly design: string;
  /** The kernel version (default {@linkcode REPORT_KERNEL}). */
  readonly kernel?: KernelVersion;
  /** Kernel variants to run with (docs/scenario-format.md; default none). */
  readonly kernelVariants?: readonly KernelVariant[];
}

/**
 * Every run made on a point without its own list: the registered designs, on
 * {@linkcode REPORT_KERNEL}.
 *
 * @example
 * ```ts
 * import { defaultRuns } from "./runs.ts";
 * console.log(defaultRuns().map((r) => r.label));
 * ```
 */
export function defaultRuns(): RunSpec[] {
  return designs().map(runOf);
}

/**
 * A design's run on {@linkcode REPORT_KERNEL}, labelled with its name.
 *
 * @example
 * ```ts
 * import { runOf } from "./runs.ts";
 * import { KILL_ALONE, playing } from "./roles.ts";
 * console.log(runOf(playing(KILL_ALONE)).label);
 * ```
 */
export function runOf(d: Design): RunSpec {
  return { label: d.name, design: d.name };
}

/**
 * The OOM killer's extra run in the victim-state family: on the release that merged the
 * userspace reaper, when the oom_reaper kthread still reaped at once (before e4a38402c36e's
 * OOM_REAPER_DELAY), to show what the delay costs.
 *
 * @example
 * ```ts
 * import { oomKillerBeforeDelay } from "./runs.ts";
 * console.log(oomKillerBeforeDelay().label);
 * ```
 */
export function oomKillerBeforeDelay(): RunSpec & { readonly kernel: KernelVersion } {
  const oom = playing(OOM_KILLER).name;
  const kernel = playing(MERGED).mergedIn!;
  if (kernelFeatures(kernel).oom_reaper_delay_ns !== 0) {
    throw new Error(
      `the review runs the ${oom} on ${kernel} to show it without OOM_REAPER_DELAY, ` +
        `but ${kernel} has the delay`,
    );
  }
  return { label: `${oom} on ${kernel}`, design: oom, kernel };
}

/**
 * OOM_REAPER_DELAY on `kernel` (default {@linkcode REPORT_KERNEL}), as the prose says it.
 *
 * @example
 * ```ts
 * import { oomReaperDelay } from "./runs.ts";
 * oomReaperDelay("6.18"); // "2 s"
 * ```
 */
export function oomReaperDelay(kernel: KernelVersion = REPORT_KERNEL): string {
  return `${kernelFeatures(kernel).oom_reaper_delay_ns / 1e9} s`;
}
