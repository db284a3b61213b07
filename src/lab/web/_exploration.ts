/**
 * The playground's exploration, computed in its Web Worker: `lab explore`'s report for one
 * design (every schedule within a preemption bound, each distinct outcome with how many
 * schedules reach it and its witness, the scenario's condition judged over them), and a
 * witness replayed as `deno task replay ... --choices ...` replays it, with the simulated
 * time and the event count at which each of its choices was drawn, so the page can step
 * through them.
 *
 * @module
 */

import { KERNEL_BUGS } from "../../core/mod.ts";
import { Kernel } from "../../core/wasm.ts";
import {
  judge,
  leafLine,
  propText,
  reportLines,
  walk,
  type WalkKey,
} from "../../engine/explore/mod.ts";
import { prepareRun, runActors, runLimits, type RunResult } from "../../engine/run/mod.ts";
import type { KernelVersion, Scenario } from "../../engine/scenario/mod.ts";
import { chooseDesign } from "../designs/mod.ts";

/**
 * The schedules one walk runs at most unless the page says otherwise: `lab explore`'s
 * `--budget` default (`DEFAULT_BUDGET`, src/lab/cli/_explore.ts; a test holds the two equal).
 */
export const EXPLORE_BUDGET_DEFAULT = 100_000;

/** What to explore: `lab explore`'s options the page offers. */
export interface ExploreSettings {
  /** One design, `name` or `name@variant`. */
  readonly design: string;
  /** The most preemptions (choices other than the first); null: no bound. */
  readonly preemptions: number | null;
  /** The most schedules to run (`--budget`, at least 1). */
  readonly budget: number;
  /** Historical kernel bugs switched back on (`--kernel-bugs`, `KERNEL_BUGS` bits); none by default. */
  readonly kernelBugs?: number;
}

/** One distinct outcome of the walk. */
export interface OutcomeView {
  /** The outcome as `lab explore` prints it. */
  readonly text: string;
  /** Schedules that reach it. */
  readonly count: number;
  /** Its witness: the first schedule (lexicographically) that reaches it, every choice. */
  readonly witness: readonly number[];
  /** The command that replays the witness. */
  readonly replay: string;
}

/** The scenario's condition judged over the outcomes, as `lab explore` prints it. */
export interface VerdictView {
  /** `exists` or `forall`. */
  readonly quantifier: string;
  /** The proposition as one line. */
  readonly prop: string;
  /** Always, Sometimes or Never. */
  readonly verdict: string;
  /** Schedules whose outcome satisfies the proposition. */
  readonly positive: number;
  /** Whether the condition holds. */
  readonly ok: boolean;
  /** The line `lab explore` prints. */
  readonly line: string;
  /**
   * The verdict the scenario states for this walk (`explore.expect`: same design, kernel and
   * bound, no kernel bugs), which `lab verify` checks; null when it states none for it.
   */
  readonly stated: string | null;
}

/** The report of one walk. */
export interface ExploreReport {
  /** The scenario's name. */
  readonly scenario: string;
  /** The design explored, as asked. */
  readonly design: string;
  /** The kernel version. */
  readonly kernel: string;
  /** The preemption bound; null: none. */
  readonly preemptions: number | null;
  /** The most schedules the walk could run. */
  readonly budget: number;
  /** Kernel bug bits switched on (0: none). */
  readonly kernelBugs: number;
  /** Schedules that ran. */
  readonly schedules: number;
  /** Whether the budget stopped the walk; `budgetMessage` says so then. */
  readonly truncated: boolean;
  /** The message naming the limit when the budget stopped the walk, else null. */
  readonly budgetMessage: string | null;
  /** Branches the sleep sets pruned. */
  readonly pruned: number;
  /** By witness order. */
  readonly outcomes: readonly OutcomeView[];
  /** The scenario's condition judged, or null when it states none. */
  readonly verdict: VerdictView | null;
}

/** Checks the settings as `lab explore` checks its flags; the error names the setting. */
export function checkExploreSettings(s: ExploreSettings): void {
  if (s.preemptions !== null && !(Number.isSafeInteger(s.preemptions) && s.preemptions >= 0)) {
    throw new RangeError(`the preemption bound takes a whole number >= 0, got ${s.preemptions}`);
  }
  if (!(Number.isSafeInteger(s.budget) && s.budget >= 1)) {
    throw new RangeError(`the budget takes a whole number from 1, got ${s.budget}`);
  }
  const known = Object.values(KERNEL_BUGS).reduce((m, bit) => m | bit, 0);
  const bugs = s.kernelBugs ?? 0;
  if (!Number.isSafeInteger(bugs) || bugs < 0 || (bugs & ~known) !== 0) {
    const list = Object.entries(KERNEL_BUGS).map(([name, bit]) => `${bit} = ${name}`).join(", ");
    throw new RangeError(`kernel bugs take a sum of known bits (${list}), got ${bugs}`);
  }
}

/**
 * `lab explore <file> --design D [--kernel V] [--preemptions K] --budget N`'s report, for
 * the scenario as `file` names it in the replay commands.
 */
export function exploreScenario(
  scenario: Scenario,
  file: string,
  kernel: KernelVersion | undefined,
  s: ExploreSettings,
): ExploreReport {
  checkExploreSettings(s);
  const { design, variant } = chooseDesign(s.design);
  const key: WalkKey = {
    scenario: scenario.name,
    file,
    design: s.design,
    kernel: kernel ?? scenario.kernel,
    preemptions: s.preemptions,
    kernel_bugs: s.kernelBugs ?? 0,
  };
  const w = walk(scenario, {
    design,
    variant,
    kernel,
    preemptions: s.preemptions ?? undefined,
    budget: s.budget,
    kernelBugs: key.kernel_bugs,
  });
  const [report] = reportLines(w.leaves.map((leaf) => leafLine(key, leaf)));
  const rows = report?.outcomes ?? [];
  const outcomes = rows.map((row) => ({
    text: row.text,
    count: row.count,
    witness: row.witness,
    replay: witnessCommand(file, s.design, key.kernel, row.witness, key.kernel_bugs),
  }));
  const condition = scenario.explore?.condition;
  let verdict: VerdictView | null = null;
  if (condition) {
    const j = judge(condition, rows);
    const word = j.verdict[0].toUpperCase() + j.verdict.slice(1);
    const prop = propText(condition.prop);
    verdict = {
      quantifier: condition.quantifier,
      prop,
      verdict: word,
      positive: j.positive,
      ok: j.ok,
      line: `condition ${condition.quantifier} ${prop}: ${word} ` +
        `(${j.positive} of ${w.leaves.length} schedules) ${j.ok ? "Ok" : "No"}`,
      stated: scenario.explore?.expect.find((e) =>
        e.design === s.design && (e.kernel ?? scenario.kernel) === key.kernel &&
        (e.preemptions ?? null) === s.preemptions &&
        (e.kernel_bugs ?? 0) === key.kernel_bugs
      )?.verdict ?? null,
    };
  }
  return {
    scenario: scenario.name,
    design: s.design,
    kernel: key.kernel,
    preemptions: s.preemptions,
    budget: s.budget,
    kernelBugs: key.kernel_bugs,
    schedules: w.leaves.length,
    truncated: w.truncated,
    budgetMessage: w.truncated
      ? `Budget reached: ${s.budget} schedules ran and more are left; the outcomes below ` +
        `cover those run (raise the budget, lab explore's --budget, to run more).`
      : null,
    pruned: w.pruned,
    outcomes,
    verdict,
  };
}

/**
 * The command `lab explore` prints under an outcome (`replayCommand` of src/lab/props, not
 * imported: the props module brings fast-check into the page's bundle; a test holds the two
 * equal). The choice list loses its trailing zeros: the core takes 0 past a list's end.
 */
function witnessCommand(
  file: string,
  design: string,
  kernel: string,
  witness: readonly number[],
  kernelBugs: number,
) {
  const choices = witness.slice(0, witness.findLastIndex((v) => v !== 0) + 1);
  return `deno task replay ${file} --design ${design} --kernel ${kernel} --choices ` +
    (choices.length ? choices.join(",") : "0") + (kernelBugs ? ` --kernel-bugs ${kernelBugs}` : "");
}

/** When a replayed run drew one of its choices. */
export interface ChoiceMark {
  /** The alternative taken. */
  readonly value: number;
  /** Simulated time after the step that drew it, ns. */
  readonly at_ns: number;
  /** Events logged by then. */
  readonly events: number;
}

/** A witness replayed: the run `deno task replay` runs, and where its choices fell. */
export interface Replayed {
  /** The run, as `runScenario` gives it. */
  readonly result: RunResult;
  /** One mark per choice the run drew, in order. */
  readonly marks: readonly ChoiceMark[];
}

/**
 * Replays `choices` as `deno task replay <file> --design D --kernel V --choices ...` does
 * (`runScenario` with the list, the scenario's seed), pausing the core after every step
 * (which changes nothing of the run: `Kernel.run_steps`) to note when each choice is drawn.
 */
export function replayChoices(
  scenario: Scenario,
  spec: string,
  kernel: KernelVersion | undefined,
  choices: readonly number[],
  kernelBugs = 0,
): Replayed {
  const { design, variant } = chooseDesign(spec);
  const opts = { design, variant, kernel: kernel ?? scenario.kernel, choices, kernelBugs };
  const core = new MarkingKernel(scenario.seed >>> 0, Math.floor(scenario.seed / 2 ** 32) >>> 0);
  try {
    const run = prepareRun(core, scenario, { ...opts, seed: scenario.seed, limits: runLimits() });
    const results = runActors(core, run.actors, {
      onSyscallExit: run.onSyscallExit,
      sliceSteps: 1,
    });
    const result = run.finish(results);
    const marks = core.marks.map((m, i) => ({ ...m, value: choices[i] ?? 0 }));
    return { result, marks };
  } finally {
    core.free();
  }
}

/** A core that notes, after each call to `run_steps`, the choices drawn during it. */
class MarkingKernel extends Kernel {
  readonly marks: { at_ns: number; events: number }[] = [];

  override run_steps(until_ns: number, max_steps: number): number {
    const r = super.run_steps(until_ns, max_steps);
    const drawn = this.choices_taken();
    while (this.marks.length < drawn) {
      this.marks.push({ at_ns: this.now_ns(), events: this.event_count() });
    }
    return r;
  }
}
