/**
 * The options on the table in 2026, read off the registry: every registered baseline and
 * proposal as the report's kernel runs it, and besides each one every variant of its record
 * that is still an option rather than history. A variant is an option when
 *
 * - no kernel release shipped it (`kernels` absent: a posting, a reviewer's suggestion, an
 *   interpretation of an idea),
 * - no release superseded it (it comes after every variant a release shipped: the records list
 *   variants oldest first), and
 * - the record knows no bug of it on the report's kernel beyond the design's own (a race it
 *   loses there, or a broken rule the design's own `breaks` lack: a historical bug, not a
 *   position in the debate).
 *
 * So a design or variant registered later (REAP_KILL's versions, an expedite flag's readings)
 * joins the 2026 section with no edit here, and nothing spells a design's name.
 *
 * @module
 */

import { type Design, type KnownBreak, type Variant, variantFor } from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import type { RunSpec } from "./runs.ts";
import { REPORT_KERNEL } from "./world.ts";

/** One option: a run of a design, in its kernel's variant or in another that is an option. */
export interface Option {
  /** The run (its label is `name` or `name@variant`). */
  readonly run: RunSpec;
  /** The design's record. */
  readonly design: Design;
  /** The variant, when it is not the one the report's kernel runs by default. */
  readonly variant?: Variant;
}

const applies = (b: KnownBreak) => b.kernels === undefined || b.kernels.includes(REPORT_KERNEL);

/** The broken rules of a record's `breaks` that apply on the report's kernel. */
function brokenRules(breaks: readonly KnownBreak[] | undefined): Set<string> {
  return new Set(
    (breaks ?? []).filter(applies).flatMap((b) => b.rules.map((r) => `${b.property}:${r}`)),
  );
}

/**
 * Whether `v`, a variant of `d` other than the one the report's kernel runs, is an option in
 * 2026 (the module's rule).
 *
 * @example
 * ```ts
 * import { isOption } from "./options_2026.ts";
 * // isOption(design, design.variants![0])
 * ```
 */
export function isOption(d: Design, v: Variant): boolean {
  const all = d.variants ?? [];
  if (v.name === variantFor(d, REPORT_KERNEL) || v.kernels !== undefined) return false;
  const lastShipped = all.reduce((last, x, i) => x.kernels !== undefined ? i : last, -1);
  if (all.indexOf(v) < lastShipped) return false;
  if ((v.races ?? []).some((r) => r.kernel === REPORT_KERNEL && r.buggy)) return false;
  const own = brokenRules(d.breaks);
  return [...brokenRules(v.breaks)].every((rule) => own.has(rule));
}

/**
 * The options, oldest design first, each design's kernel variant before its other options.
 *
 * @example
 * ```ts
 * import { options2026 } from "./options_2026.ts";
 * console.log(options2026().map((o) => o.run.label));
 * ```
 */
export function options2026(all: readonly Design[] = designs()): Option[] {
  return all.flatMap((design) => [
    { run: { label: design.name, design: design.name }, design },
    ...(design.variants ?? []).filter((v) => isOption(design, v)).map((variant) => {
      const name = `${design.name}@${variant.name}`;
      return { run: { label: name, design: name }, design, variant };
    }),
  ]);
}

/** The option runs of the designs `keep` selects. */
export function optionRuns(keep: (d: Design) => boolean = () => true): RunSpec[] {
  return options2026().filter((o) => keep(o.design)).map((o) => o.run);
}

/** The option labelled `label`. */
export function optionOf(label: string): Option {
  const o = options2026().find((x) => x.run.label === label);
  if (!o) throw new Error(`no 2026 option labelled ${label}`);
  return o;
}

/** How the option pins the victim's mm while it reaps (its variant's word over its design's). */
export function optionPins(o: Option): Design["pins"] {
  return o.variant?.pins ?? o.design.pins;
}
