/**
 * The registered designs (proposals/registry.ts), as a list and by name.
 *
 * @module
 */

import type { Design } from "./design.ts";
import * as registered from "../proposals/registry.ts";

/**
 * All registered designs, in registration order.
 *
 * @example
 * ```ts
 * import { designs } from "./designs.ts";
 * console.log(designs().map((d) => d.name));
 * ```
 */
export function designs(extra: readonly Design[] = []): readonly Design[] {
  return [...Object.values(registered), ...extra];
}

/**
 * The design called `name`, or an error listing the known ones.
 *
 * @example
 * ```ts
 * import { findDesign } from "./designs.ts";
 * findDesign("sigkill").call; // "kill(pid, SIGKILL)"
 * ```
 */
export function findDesign(name: string, extra: readonly Design[] = []): Design {
  const all = designs(extra);
  const d = all.find((d) => d.name === name);
  if (!d) {
    throw new Error(`unknown design "${name}"; known: ${all.map((d) => d.name).join(", ")}`);
  }
  return d;
}
