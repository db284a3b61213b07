/**
 * Checks a scenario's stated verdicts (`explore.expect`) against fresh walks: each walk
 * runs every schedule within the stated bound and judges the scenario's condition.
 *
 * @module
 */

import type { DesignResolver, RunOptions } from "../run/mod.ts";
import type { ExploreVerdict, Scenario } from "../scenario/mod.ts";
import { judge, type Judgement } from "./_condition.ts";
import { leafLine, reportLines } from "./_report.ts";
import { walk } from "./_walk.ts";

/** The most schedules one stated verdict may take to check; more is a failure, not a hang. */
export const VERIFY_BUDGET = 100_000;

/** One stated verdict checked. */
export interface VerdictCheck {
  /** The design, as the scenario names it. */
  readonly design: string;
  /** The kernel version walked. */
  readonly kernel: string;
  /** The preemption bound, or null for every schedule. */
  readonly preemptions: number | null;
  /** The verdict the scenario states. */
  readonly expected: ExploreVerdict;
  /** The judgement, or null when the walk did not finish within {@linkcode VERIFY_BUDGET}. */
  readonly got: Judgement | null;
  /** What did not match; empty when the verdict holds. */
  readonly failures: string[];
}

/** Walks each of `scenario`'s stated verdicts and compares. */
export function verifyVerdicts(
  scenario: Scenario,
  choose: DesignResolver,
  opts: { limits?: RunOptions["limits"] } = {},
): VerdictCheck[] {
  const spec = scenario.explore;
  if (!spec) return [];
  return spec.expect.map((e) => {
    const kernel = e.kernel ?? scenario.kernel;
    const { design, variant } = choose(e.design);
    const w = walk(scenario, {
      design,
      variant,
      kernel,
      kernelBugs: e.kernel_bugs,
      preemptions: e.preemptions,
      budget: VERIFY_BUDGET,
      limits: opts.limits,
    });
    const base = {
      design: e.design,
      kernel,
      preemptions: e.preemptions ?? null,
      expected: e.verdict,
    };
    if (w.truncated) {
      return {
        ...base,
        got: null,
        failures: [`more than ${VERIFY_BUDGET} schedules: state a preemption bound`],
      };
    }
    const key = {
      scenario: scenario.name,
      file: "",
      design: e.design,
      kernel,
      preemptions: e.preemptions ?? null,
      kernel_bugs: e.kernel_bugs ?? 0,
    };
    const [report] = reportLines(w.leaves.map((l) => leafLine(key, l)));
    const got = judge(spec.condition, report?.outcomes ?? []);
    const failures = got.verdict === e.verdict ? [] : [
      `expected ${e.verdict}, got ${got.verdict} (${got.positive} of ${
        got.positive + got.negative
      } schedules)`,
    ];
    return { ...base, got, failures };
  });
}
