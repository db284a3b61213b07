/**
 * The registered designs (proposals/registry.ts), as a list and by name.
 *
 * @module
 */

import type { Design } from "../../core/design.ts";
import * as registered from "../../../proposals/registry.ts";

/**
 * All registered designs, oldest first (by `date`; a module's exports have no order of
 * their own), then `extra`.
 *
 * @example
 * ```ts
 * import { designs } from "./mod.ts";
 * console.log(designs().map((d) => d.name));
 * ```
 */
export function designs(extra: readonly Design[] = []): readonly Design[] {
  const all = Object.values(registered).sort((a, b) => a.date.localeCompare(b.date));
  return [...all, ...extra];
}

/** A design with the variant chosen for a run. */
export interface DesignChoice {
  /** The design. */
  design: Design;
  /** The variant named with `name@variant`, if any. */
  variant?: string;
}

/**
 * Parses `name` or `name@variant` into a registered design and one of its variants.
 *
 * @example
 * ```ts
 * import { chooseDesign } from "./mod.ts";
 * chooseDesign("process_mrelease@v9").variant; // "v9"
 * ```
 */
export function chooseDesign(spec: string, extra: readonly Design[] = []): DesignChoice {
  const [name, variant, ...rest] = spec.split("@");
  const design = findDesign(name, extra);
  if (
    rest.length > 0 || (variant !== undefined && !design.variants?.some((v) => v.name === variant))
  ) {
    const known = design.variants?.map((v) => `${name}@${v.name}`).join(", ") ?? "none";
    throw new Error(`unknown variant "${spec}"; ${name} has: ${known}`);
  }
  return { design, variant };
}

/**
 * The design called `name`, or an error listing the known ones.
 *
 * @example
 * ```ts
 * import { findDesign } from "./mod.ts";
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
