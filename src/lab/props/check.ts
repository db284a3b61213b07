/**
 * Runs a property against a target with fast-check: a fixed seed and number of runs, so the
 * result depends on nothing but the code (never on the wall clock). A failure is shrunk,
 * written as a scenario file, and reported with fast-check's seed and path and the one
 * command that replays it. The property tests and `deno task sweep` both run through here.
 *
 * A target that is known to break a rule (its record's `breaks`) gets two checks: the
 * property without that rule must hold, and a search of its own must still find the break
 * within the budget (it fails if the break disappears).
 *
 * @example
 * ```ts
 * import { checkProperty } from "./check.ts";
 * import { findProperty } from "./properties.ts";
 * import { targets } from "./target.ts";
 * const reports = await checkProperty(findProperty("safety"), targets()[0], {
 *   numRuns: 50,
 *   seed: 1,
 * });
 * console.log(reports.map((r) => `${r.kind} ${r.ok} after ${r.runs} runs`));
 * ```
 * @module
 */

import fc from "fast-check";
import type { KernelVersion } from "../../core/mod.ts";
import { writeFailure } from "./case_file.ts";
import { arbCase, type Case } from "./gen.ts";
import { arbLatencyCase } from "./latency.ts";
import { arbEsrchCase } from "./esrch.ts";
import {
  type ExpectedFailure,
  expectedFailuresOf,
  type PropertyCheck,
  type PropertyName,
  type Violation,
} from "./properties.ts";
import type { Target } from "./target.ts";

/** Options of {@linkcode checkProperty}. */
export interface CheckOptions {
  /** Runs of the property (fast-check's numRuns). */
  numRuns: number;
  /** Base seed; each (property, target, check) gets its own seed derived from it. */
  seed: number;
  /** Runs of the search for an expected failure (default: max(numRuns, 2000)). */
  expectedBudget?: number;
  /** Kernel versions to draw from (default: all). */
  kernels?: readonly KernelVersion[];
  /** Called once per run of the predicate (progress display; shrinking runs count too). */
  onRun?: () => void;
  /** Where failing cases are written (default: a fresh temporary directory, made on need). */
  outDir?: string;
  /**
   * Write the shrunk case of an expected failure that was found, too (default true; the
   * tests keep theirs in test/props/failures/ and pass false).
   */
  writeExpected?: boolean;
  /** Historical kernel bugs to switch on in every run. */
  kernelBugs?: number;
}

/** A shrunk counterexample, written down. */
export interface FailureRecord {
  /** The shrunk case. */
  readonly case: Case;
  /** What it broke. */
  readonly violations: readonly Violation[];
  /** fast-check's counterexample path (with the seed, it replays the search). */
  readonly path: string;
  /** How many shrinks fast-check made. */
  readonly shrinks: number;
  /** The scenario file it was written to (absent when it was not written). */
  readonly file?: string;
  /** The one command that replays it (absent when it was not written). */
  readonly replay?: string;
}

/** The result of one check. */
export interface PropertyReport {
  /** The property. */
  readonly property: PropertyName;
  /** `design` or `design@variant`. */
  readonly target: string;
  /** `check`: the property must hold; `expected`: a known break must still be found. */
  readonly kind: "check" | "expected";
  /** The budget (fast-check's numRuns). */
  readonly numRuns: number;
  /** Runs made: the budget when nothing failed, else the run that failed first. */
  readonly runs: number;
  /** The seed fast-check ran with. */
  readonly seed: number;
  /** Whether the check passed (for `expected`: the break was found). */
  readonly ok: boolean;
  /** The expected failure a search looked for. */
  readonly expected?: ExpectedFailure;
  /** The shrunk counterexample, when fast-check found one. */
  readonly failure?: FailureRecord;
}

/** The base seed the property tests and `deno task sweep` use unless told otherwise. */
export const PROPS_SEED_DEFAULT = 20260601;

/** FNV-1a 32 of a string: independent, reproducible seeds per check. */
export function deriveSeed(base: number, ...parts: string[]): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  for (const ch of [String(base), ...parts].join("/")) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function arbitraryFor(
  p: PropertyCheck,
  t: Target,
  kernels?: readonly KernelVersion[],
): fc.Arbitrary<Case> {
  if (p.generator === "esrch") return arbEsrchCase(t, { kernels });
  return p.generator === "latency" ? arbLatencyCase({ kernels }) : arbCase({ kernels });
}

/**
 * Checks one property against one target. Returns one report for the property itself and
 * one for each expected failure of the target under this property.
 */
export async function checkProperty(
  p: PropertyCheck,
  t: Target,
  opts: CheckOptions,
): Promise<PropertyReport[]> {
  const expected = expectedFailuresOf(p.name, t);
  const run = { kernelBugs: opts.kernelBugs };
  const ignored = (c: Case) =>
    new Set(
      expected.filter((x) => !x.kernels || x.kernels.includes(c.kernel)).flatMap((x) => x.rules),
    );
  const violationsOf = (c: Case) => p.check(c, t, run).filter((v) => !ignored(c).has(v.rule));
  const reports: PropertyReport[] = [];

  const seed = deriveSeed(opts.seed, p.name, t.name, "check");
  const details = fc.check(
    fc.property(arbitraryFor(p, t, opts.kernels), (c) => {
      opts.onRun?.();
      return violationsOf(c).length === 0;
    }),
    { numRuns: opts.numRuns, seed },
  );
  reports.push({
    property: p.name,
    target: t.name,
    kind: "check",
    numRuns: opts.numRuns,
    runs: details.numRuns,
    seed,
    ok: !details.failed,
    failure: details.failed ? await record(details, violationsOf, { p, t, seed, opts }) : undefined,
  });

  for (const x of expected) {
    const budget = opts.expectedBudget ?? Math.max(opts.numRuns, 2000);
    const xseed = deriveSeed(opts.seed, p.name, t.name, "expected", ...x.rules);
    const kernels = x.kernels ?? opts.kernels;
    const breaks = (c: Case) => p.check(c, t, run).filter((v) => x.rules.includes(v.rule));
    const found = fc.check(
      fc.property(arbitraryFor(p, t, kernels), (c) => {
        opts.onRun?.();
        return breaks(c).length === 0;
      }),
      { numRuns: budget, seed: xseed },
    );
    reports.push({
      property: p.name,
      target: t.name,
      kind: "expected",
      numRuns: budget,
      runs: found.numRuns,
      seed: xseed,
      ok: found.failed,
      expected: x,
      failure: found.failed
        ? await record(found, breaks, { p, t, seed: xseed, opts }, opts.writeExpected ?? true)
        : undefined,
    });
  }
  return reports;
}

async function record(
  details: fc.RunDetails<[Case]>,
  violationsOf: (c: Case) => Violation[],
  ctx: { p: PropertyCheck; t: Target; seed: number; opts: CheckOptions },
  write = true,
): Promise<FailureRecord | undefined> {
  const c = details.counterexample?.[0];
  if (!c) return undefined;
  const violations = violationsOf(c);
  const path = details.counterexamplePath ?? "";
  if (!write) return { case: c, violations, path, shrinks: details.numShrinks };
  const dir = ctx.opts.outDir ?? await Deno.makeTempDir({ prefix: "mrelease-props-" });
  const { file, replay } = await writeFailure(dir, c, {
    property: ctx.p.name,
    target: ctx.t.name,
    violations,
    seed: ctx.seed,
    path,
    kernelBugs: ctx.opts.kernelBugs,
  });
  return { case: c, violations, path, shrinks: details.numShrinks, file, replay };
}

/**
 * A report as text: one line, and for a failure the seed and path, the violations, the
 * shrunk case's file and the replay command.
 *
 * @example
 * ```ts
 * import { formatReport } from "./check.ts";
 * // console.log(formatReport(report));
 * ```
 */
export function formatReport(r: PropertyReport): string {
  const head = r.kind === "expected"
    ? `${r.property} ${r.target}: expected ${r.expected!.rules.join(",")} ` +
      (r.ok
        ? `found after ${r.runs} of ${r.numRuns} runs`
        : `NOT FOUND in ${r.numRuns} runs (the break disappeared: update the record's breaks)`)
    : `${r.property} ${r.target}: ` +
      (r.ok ? `ok (${r.runs} runs)` : `FAILED after ${r.runs} runs`);
  if (!r.failure) return head;
  const f = r.failure;
  return [
    head,
    `  fast-check seed ${r.seed}, path "${f.path}" (${f.shrinks} shrinks)`,
    ...f.violations.map((v) => `  ${v.rule}: ${v.message}`),
    `  case: ${f.file ?? "(not written)"} (kernel ${f.case.kernel}, choices [${
      f.case.choices.join(",")
    }])`,
    ...(f.replay ? [`  replay: ${f.replay}`] : []),
  ].join("\n");
}
