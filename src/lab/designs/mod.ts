/**
 * The registered designs (proposals/registry.ts), as a list and by name: the baselines and
 * proposals that every comparison iterates ({@linkcode designs}), and with them the stock
 * designs that say what the host's stock kernel answers to a proposal's call
 * ({@linkcode allDesigns}). Any of them runs by name.
 *
 * @module
 */

import type { Design } from "../../core/mod.ts";
import * as registered from "../../../proposals/registry.ts";

/**
 * Every registered design, stock ones included, oldest first (by `date`; a module's exports
 * have no order of their own), then `extra`.
 *
 * @example
 * ```ts
 * import { allDesigns } from "./mod.ts";
 * console.log(allDesigns().filter((d) => d.kind === "stock").map((d) => d.name));
 * ```
 */
export function allDesigns(extra: readonly Design[] = []): readonly Design[] {
  const all = Object.values(registered).sort((a, b) => a.date.localeCompare(b.date));
  return [...all, ...extra];
}

/**
 * The registered baselines and proposals, oldest first, then `extra`: what every comparison
 * iterates. The stock designs stand in for a proposal on the host only ({@linkcode
 * allDesigns} has them).
 *
 * @example
 * ```ts
 * import { designs } from "./mod.ts";
 * console.log(designs().map((d) => d.name));
 * ```
 */
export function designs(extra: readonly Design[] = []): readonly Design[] {
  return allDesigns(extra).filter((d) => d.kind !== "stock");
}

/** A design with the variant chosen for a run. */
export interface DesignChoice {
  /** The design. */
  design: Design;
  /** The variant named with `name@variant`, if any. */
  variant?: string;
}

/**
 * Parses `name` or `name@variant` into a registered (or `extra`) design, stock ones
 * included, and one of its variants.
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
 * The registered (or `extra`) design called `name`, stock ones included, or an error
 * listing the known ones.
 *
 * @example
 * ```ts
 * import { findDesign } from "./mod.ts";
 * findDesign("sigkill").call; // "kill(pid, SIGKILL)"
 * ```
 */
export function findDesign(name: string, extra: readonly Design[] = []): Design {
  const all = allDesigns(extra);
  const d = all.find((d) => d.name === name);
  if (!d) {
    throw new Error(`unknown design "${name}"; known: ${all.map((d) => d.name).join(", ")}`);
  }
  return d;
}
