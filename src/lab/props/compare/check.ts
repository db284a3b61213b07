/**
 * The comparison's fast-check drivers: every pair of targets on generated worlds must be
 * classified ({@linkcode checkComparison}), each refinement must hold on the worlds of its
 * domain ({@linkcode checkRefinement}); a failure comes back shrunk, is written as a case
 * file, and is reported with the command that classifies it again.
 *
 * @example
 * ```ts
 * import { checkComparison, formatCompareReport } from "./check.ts";
 * console.log(formatCompareReport("comparison", checkComparison({ numRuns: 10, seed: 1 })));
 * ```
 * @module
 */

import fc from "fast-check";
import type { KernelVersion } from "../../../core/mod.ts";
import { caseFileJson } from "../case_file.ts";
import { arbCase, type Case } from "../gen.ts";
import { parseTarget, type Target } from "../target.ts";
import { summary } from "./aspects.ts";
import { compareWorld, runOn, type WorldComparison } from "./classify.ts";
import { caseFacts } from "./facts.ts";
import type { Refinement } from "./refinements.ts";
import type { DifferenceClass } from "./class.ts";
import { compareTargets } from "./targets.ts";

/** Options of {@linkcode checkComparison} and {@linkcode checkRefinement}. */
export interface CompareCheckOptions {
  /** fast-check's numRuns. */
  numRuns: number;
  /** fast-check's seed. */
  seed: number;
  /** The targets (default {@linkcode compareTargets}; a test may swap in a mutated design). */
  targets?: readonly Target[];
  /** Kernels to draw from (default: all). */
  kernels?: readonly KernelVersion[];
  /** Only the pairs with this target count (a new target's pairs checked on their own). */
  involving?: string;
  /** The classes (default: the table; a test may leave one out to show it is needed). */
  classes?: readonly DifferenceClass[];
  /**
   * Vary every argument of the call (the generator's `LookPlan`: signal, advice, vector, the
   * OOM killer, follow-up calls); default true. false: each design's usual call.
   */
  looks?: boolean;
}

/** A shrunk world fast-check reported, and what went wrong on it. */
export interface CompareFailure {
  /** The shrunk case. */
  readonly case: Case;
  /** What went wrong: unclassified pairs, or the broken refinement. */
  readonly problems: readonly string[];
  /** fast-check's counterexample path. */
  readonly path: string;
}

/** The result of a fast-check run of the comparison or a refinement. */
export interface CompareReport {
  /** Whether it held for the whole budget. */
  readonly ok: boolean;
  /** Runs made: the budget, or the run that failed first (runs-to-find). */
  readonly runs: number;
  /** The seed. */
  readonly seed: number;
  /** The shrunk counterexample, if any. */
  readonly failure?: CompareFailure;
}

/** The unclassified pairs of a world (those with target `involving`, if named), as lines. */
export function unclassified(w: WorldComparison, involving?: string): string[] {
  const counted = (pair: readonly string[]) => involving === undefined || pair.includes(involving);
  return w.pairs.filter((p) => p.unexplained.length > 0 && counted(p.pair)).map((p) =>
    `${p.pair[0]} vs ${p.pair[1]}: ${p.unexplained.join(", ")} differ ` +
    `(${summary(p.outcomes[0])} | ${summary(p.outcomes[1])})` +
    (p.classes.length ? `; recognised only as ${p.classes.join(", ")}` : "")
  );
}

/**
 * Runs the comparison over generated worlds: every pair of targets on each world must be
 * classified. Returns fast-check's verdict and, on failure, the shrunk world.
 *
 * @example
 * ```ts
 * import { checkComparison } from "./check.ts";
 * const r = checkComparison({ numRuns: 100, seed: 1 });
 * console.log(r.ok, r.runs);
 * ```
 */
export function checkComparison(opts: CompareCheckOptions): CompareReport {
  const targets = opts.targets ?? compareTargets();
  const problemsOf = (c: Case) =>
    unclassified(compareWorld(c, { targets, classes: opts.classes }), opts.involving);
  const details = fc.check(
    // Every argument varied (unless `looks: false`): the classes name what each changes.
    fc.property(
      arbCase({ kernels: opts.kernels, looks: opts.looks ?? true }),
      (c) => problemsOf(c).length === 0,
    ),
    { numRuns: opts.numRuns, seed: opts.seed },
  );
  return report(details, opts.seed, problemsOf);
}

/**
 * Runs a refinement over generated worlds of its kernels and its domain (the generator's
 * worlds filtered by `domain`).
 *
 * @example
 * ```ts
 * import { checkRefinement } from "./check.ts";
 * import { REFINEMENTS } from "./refinements.ts";
 * const r = checkRefinement(REFINEMENTS[0], { numRuns: 100, seed: 1 });
 * console.log(r.ok);
 * ```
 */
export function checkRefinement(r: Refinement, opts: CompareCheckOptions): CompareReport {
  const targets = opts.targets ?? compareTargets();
  const [ta, tb] = r.pair.map((n) => targets.find((t) => t.name === n) ?? parseTarget(n));
  const problemsOf = (c: Case): string[] => {
    const f = caseFacts(c.scenario, c.kernel);
    if (!r.domain(f)) return [];
    const broke = r.check(f, runOn(c, ta), runOn(c, tb));
    return broke ? [`${r.id}: ${broke}`] : [];
  };
  // Only worlds of the domain count as runs (a filtered arbitrary), so the budget and the
  // runs-to-find are in-domain worlds.
  const arb = arbCase({ kernels: opts.kernels ?? r.kernels, looks: false }).filter((c) =>
    r.domain(caseFacts(c.scenario, c.kernel))
  );
  const details = fc.check(
    fc.property(arb, (c) => problemsOf(c).length === 0),
    { numRuns: opts.numRuns, seed: opts.seed },
  );
  return report(details, opts.seed, problemsOf);
}

function report(
  details: fc.RunDetails<[Case]>,
  seed: number,
  problemsOf: (c: Case) => string[],
): CompareReport {
  const c = details.counterexample?.[0];
  return {
    ok: !details.failed,
    runs: details.numRuns,
    seed,
    failure: details.failed && c
      ? { case: c, problems: problemsOf(c), path: details.counterexamplePath ?? "" }
      : undefined,
  };
}

/**
 * Writes a failing world as a case file (the scenario, its kernel and choice list) and
 * returns its path and the command that replays the comparison on it.
 */
export async function writeCompareFailure(
  dir: string,
  f: CompareFailure,
  what: string,
): Promise<{ file: string; replay: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const file = `${dir.replace(/\/$/, "")}/compare-${what}-${f.case.kernel}.json`;
  const note = `${what}: ${f.problems.join("; ")} (fast-check path "${f.path}")`;
  await Deno.writeTextFile(file, JSON.stringify(caseFileJson(f.case, { note }), null, 2) + "\n");
  return { file, replay: compareReplayCommand(file, f.case) };
}

/** The command that classifies every pair of a case file again. */
export function compareReplayCommand(file: string, c: Case): string {
  const choices = c.choices.length ? c.choices.join(",") : "0";
  return `deno task lab classify ${file} --kernel ${c.kernel} --choices ${choices}`;
}

/** A report as text, with the shrunk world's problems and its replay command. */
export function formatCompareReport(
  what: string,
  r: CompareReport,
  written?: { file: string; replay: string },
): string {
  if (r.ok) return `${what}: ok (${r.runs} runs, seed ${r.seed})`;
  const f = r.failure;
  return [
    `${what}: FAILED after ${r.runs} runs (seed ${r.seed}, path "${f?.path ?? ""}")`,
    ...(f?.problems ?? []).map((p) => `  ${p}`),
    ...(f
      ? [
        `  kernel ${f.case.kernel}, choices [${f.case.choices.join(",")}]`,
        `  scenario: ${JSON.stringify(f.case.json)}`,
      ]
      : []),
    ...(written ? [`  case: ${written.file}`, `  replay: ${written.replay}`] : []),
  ].join("\n");
}
