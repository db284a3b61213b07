/**
 * What the properties and the comparison run: a registered design in a variant (a target),
 * the targets the registry gives, and one run of a case under a target. Which targets there
 * are, and what each is to the properties, comes from the design records alone.
 *
 * @example
 * ```ts
 * import { targets } from "./target.ts";
 * console.log(targets().map((t) => t.name));
 * ```
 * @module
 */

import {
  type Design,
  KERNEL_VERSIONS,
  type KnownBreak,
  reaperOf,
  variantFor,
} from "../../core/mod.ts";
import { chooseDesign, designs } from "../designs/mod.ts";
import { type RunResult, runScenario } from "../../engine/run/mod.ts";
import type { Case } from "./gen.ts";

/** A design in a variant: what a property runs. */
export interface Target {
  /** `design` or `design@variant`, as `--design` takes it. */
  readonly name: string;
  /** The design. */
  readonly design: Design;
  /** The named variant; undefined: the one that matches the case's kernel. */
  readonly variant?: string;
}

/**
 * The variants of `d` that no kernel version runs by default: the versions the record singles
 * out besides the shipped ones (a posting as merged, a bug caught before a release, a later
 * permission check). The properties run each of them as a target of its own.
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { namedVariants } from "./target.ts";
 * for (const d of designs()) console.log(d.name, namedVariants(d));
 * ```
 */
export function namedVariants(d: Design): string[] {
  const byDefault = new Set(KERNEL_VERSIONS.map((k) => variantFor(d, k)));
  return (d.variants ?? []).map((v) => v.name).filter((v) => !byDefault.has(v));
}

/**
 * Every target: each registered design (its kernel's own variant per case), then each
 * design's {@linkcode namedVariants}.
 *
 * @example
 * ```ts
 * import { targets } from "./target.ts";
 * console.log(targets().map((t) => t.name));
 * ```
 */
export function targets(extra: readonly Design[] = []): Target[] {
  const all = designs(extra);
  return [
    ...all.map((design): Target => ({ name: design.name, design })),
    ...all.flatMap((design) =>
      namedVariants(design).map((variant): Target => ({
        name: `${design.name}@${variant}`,
        design,
        variant,
      }))
    ),
  ];
}

/**
 * A target from `name` or `name@variant` (throws for an unknown design or variant).
 *
 * @example
 * ```ts
 * import { parseTarget } from "./target.ts";
 * // parseTarget("name@variant").variant === "variant"
 * ```
 */
export function parseTarget(spec: string, extra: readonly Design[] = []): Target {
  const { design, variant } = chooseDesign(spec, extra);
  return { name: spec, design, variant };
}

/** Options of {@linkcode runTarget}. */
export interface RunTargetOptions {
  /** Historical kernel bugs to switch on (`Kernel.set_kernel_bugs` bits). */
  kernelBugs?: number;
}

/**
 * Runs a case under a target: its scenario, kernel and choice list, the target's design
 * and variant.
 *
 * @example
 * ```ts
 * import { runTarget, targets } from "./target.ts";
 * // const { outcome } = runTarget(c, targets()[0]);
 * ```
 */
export function runTarget(c: Case, t: Target, opts: RunTargetOptions = {}): RunResult {
  return runScenario(c.scenario, {
    design: t.design,
    variant: t.variant,
    kernel: c.kernel,
    choices: c.choices,
    kernelBugs: opts.kernelBugs,
  });
}

/**
 * Why a case is outside a target's domain (the properties and comparisons say nothing about
 * it), or null. One rule so far: the kernel's OOM killer never picks init or a kthread
 * (`oom_unkillable_task`, mm/oom_kill.c), so the design whose memory the oom_reaper kthread
 * frees, whose recipe calls `oom_kill_process` on whatever the scenario names, is not judged
 * on them.
 *
 * @example
 * ```ts
 * import { outOfDomain, targets } from "./target.ts";
 * // for (const t of targets()) console.log(t.name, outOfDomain(c, t));
 * ```
 */
export function outOfDomain(c: Pick<Case, "scenario">, t: Target): string | null {
  if (t.design.reaper !== "kthread") return null;
  const victim = c.scenario.processes.find((p) => p.tgid === c.scenario.intent.victim);
  if (victim?.init || victim?.kthread) return "the OOM killer never selects init or a kthread";
  return null;
}

/** Whether a target reaps in the caller's context (not a kill-only baseline). */
export function isReapingDesign(t: Target): boolean {
  return reaperOf(t.design, t.variant) === "caller";
}

/**
 * The rules `t`'s record states it breaks: its variant's `breaks` when it names one, else the
 * design's.
 *
 * @example
 * ```ts
 * import { parseTarget, statedBreaks } from "./target.ts";
 * statedBreaks(parseTarget("process_mrelease@v9")).length;
 * ```
 */
export function statedBreaks(t: Target): readonly KnownBreak[] {
  const breaks = t.variant === undefined
    ? t.design.breaks
    : t.design.variants?.find((v) => v.name === t.variant)?.breaks;
  return breaks ?? [];
}
