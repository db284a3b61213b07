/**
 * Which registered designs the host runs, read from their records: a design whose `stock`
 * field says what a stock {@linkcode HOST_KERNEL} kernel does with its call (`"self"`, or a
 * stock design that answers as that kernel does) can make its call on the host, in the
 * variant that kernel runs; a design without one (the OOM killer) cannot.
 *
 * @module
 */

import { type Design, variantFor } from "../../core/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import { designs, findDesign } from "../designs/mod.ts";
import { HOST_KERNEL } from "./support.ts";

/**
 * Why the host cannot run `design` in `variant`: empty when it can.
 *
 * @example
 * ```ts
 * import { hostRefusals } from "./designs.ts";
 * import { designs } from "../designs/mod.ts";
 * const onHost = designs().filter((d) => hostRefusals(d).length === 0);
 * ```
 */
export function hostRefusals(design: Design, variant?: string): string[] {
  if (design.stock === undefined) return [`design ${design.name}: the host cannot make its call`];
  const own = variantFor(design, HOST_KERNEL);
  if (variant !== undefined && variant !== own) {
    return [
      `variant ${design.name}@${variant}: the host runs ${
        own === undefined ? design.name : `${design.name}@${own}`
      }, as ${HOST_KERNEL} has it`,
    ];
  }
  return [];
}

/**
 * The merged proposals whose call a stock {@linkcode HOST_KERNEL} kernel has as modelled
 * (`stock: "self"`): what `lab diff` runs when a scenario names no design for that kernel.
 */
export function mergedOnHost(extra: readonly Design[] = []): Design[] {
  return designs(extra).filter((d) => d.kind === "proposal" && d.stock === "self");
}

/**
 * The designs `lab diff` runs on `s`: those its expectations name for {@linkcode HOST_KERNEL}
 * that the host can run, else {@linkcode mergedOnHost}.
 */
export function designsOf(s: Scenario, extra: readonly Design[] = []): Design[] {
  const named = s.expect
    .filter((e) => (e.kernel ?? HOST_KERNEL) === HOST_KERNEL)
    .map((e) => findDesign(e.design.split("@")[0], extra))
    .filter((d) => hostRefusals(d).length === 0);
  return named.length ? [...new Set(named)] : mergedOnHost(extra);
}
