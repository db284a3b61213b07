/**
 * A class's minimal example: the scenario file `scenarios/diff/<id>.json`, a shrunk generated
 * world made deterministic under its seed, whose `expect` entries pin the two designs'
 * different results. The file says which pair and kernel it shows; nothing else does.
 *
 * @example
 * ```ts
 * import { loadScenarioFile } from "../../../engine/scenario/mod.ts";
 * import { exampleOf, examplePath } from "./example.ts";
 * const ex = exampleOf(await loadScenarioFile(examplePath("call-overhead")));
 * console.log(ex.pair, ex.kernel);
 * ```
 * @module
 */

import type { KernelVersion } from "../../../core/mod.ts";
import type { Scenario } from "../../../engine/scenario/mod.ts";

/** Where a class's minimal example lives, relative to the repository root. */
export function examplePath(id: string): string {
  return `scenarios/diff/${id}.json`;
}

/** The pair of targets an example shows a class on, and the kernel. */
export interface ClassExample {
  /** The two targets its expectations name (`name` or `name@variant`), in file order. */
  readonly pair: readonly [string, string];
  /** The kernel the file runs on. */
  readonly kernel: KernelVersion;
}

/**
 * The pair and kernel of an example file: the designs its `expect` entries name, in order
 * (throws unless there are exactly two), and its kernel.
 */
export function exampleOf(s: Scenario): ClassExample {
  const designs = [...new Set(s.expect.map((e) => e.design))];
  if (designs.length !== 2) {
    throw new Error(`${s.name}: a class's example expects two designs, not [${designs}]`);
  }
  return { pair: [designs[0], designs[1]], kernel: s.kernel };
}

/** The command that replays a class's example (the designs named when one is a variant). */
export function exampleReplay(id: string, ex: ClassExample): string {
  const designs = ex.pair.some((d) => d.includes("@"))
    ? ex.pair.map((d) => ` --design ${d}`).join("")
    : "";
  return `deno task lab compare ${examplePath(id)} --kernel ${ex.kernel}${designs}`;
}
