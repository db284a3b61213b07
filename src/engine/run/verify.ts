/**
 * Checks a scenario's litmus-style expectations (its `expect` entries) against fresh runs.
 *
 * @module
 */

import { type Design, parseRet, retName } from "../../core/mod.ts";
import type { Bounds, Expectation, Scenario, ThenExpectation } from "../scenario/mod.ts";
import { thenText } from "./then.ts";
import { type RunOptions, runScenario } from "./experiment.ts";
import type { Outcome } from "./outcome.ts";
import { RunLimitReached } from "./limits.ts";

/**
 * Finds the design an expectation names (`name` or `name@variant`) and the variant to run;
 * the lab's registry answers it (`chooseDesign` of src/lab/designs), and the engine knows
 * designs only as the records it is handed.
 */
export type DesignResolver = (spec: string) => { design: Design; variant?: string };

/** One expectation checked: what failed, if anything. */
export interface Verdict {
  /** The scenario's name. */
  scenario: string;
  /** The design the expectation is about. */
  design: string;
  /** The kernel it ran. */
  kernel: string;
  /** What did not match; empty when the expectation holds. */
  failures: string[];
  /** The run's outcome; null when the run reached a limit (the failure says which). */
  outcome: Outcome | null;
}

/**
 * Runs every expectation of `scenario`, each under the design `choose` finds for it, and
 * compares. A run that reaches a limit fails its expectation with the limit's message.
 *
 * @example
 * ```ts
 * import { chooseDesign, loadScenarioFile, verifyScenario } from "../../../mod.ts";
 * const s = await loadScenarioFile("scenarios/dstate-little-core.json");
 * for (const v of verifyScenario(s, chooseDesign)) console.log(v.design, v.failures);
 * ```
 */
export function verifyScenario(
  scenario: Scenario,
  choose: DesignResolver,
  opts: { limits?: RunOptions["limits"] } = {},
): Verdict[] {
  return scenario.expect.map((e) => {
    const kernel = e.kernel ?? scenario.kernel;
    const { design, variant } = choose(e.design);
    const verdict = { scenario: scenario.name, design: e.design, kernel };
    try {
      const { outcome } = runScenario(scenario, { design, variant, kernel, limits: opts.limits });
      return { ...verdict, failures: compare(e, outcome), outcome };
    } catch (err) {
      if (!(err instanceof RunLimitReached)) throw err;
      return { ...verdict, failures: [err.message], outcome: null };
    }
  });
}

function compare(e: Expectation, o: Outcome): string[] {
  const out: string[] = [];
  if (e.ret === "killed") {
    if (o.ret !== "killed") out.push(`ret: expected the caller to be killed, got ${o.errno}`);
  } else if (e.ret !== undefined) {
    const want = parseRet(e.ret);
    if (want === undefined) out.push(`ret: "${e.ret}" is neither 0 nor an errno name`);
    else if (o.ret !== want) out.push(`ret: expected ${retName(want)}, got ${o.errno}`);
  }
  if (e.signal_delivered !== undefined && e.signal_delivered !== o.signal_delivered) {
    out.push(`signal_delivered: expected ${e.signal_delivered}, got ${o.signal_delivered}`);
  }
  // Each bound in the unit the scenario file writes it in: pages, and ms for the times.
  const pages = (n: number) => `${n} pages`;
  within("freed_pages", e.freed_pages, o.memory.freed_pages, out, pages);
  within("caller_freed_pages", e.caller_freed_pages, o.memory.freed_by.caller, out, pages);
  within("victim_freed_pages", e.victim_freed_pages, o.memory.freed_by.victim, out, pages);
  if (e.warnings !== undefined) {
    const got = [...new Set(o.warnings.map((w) => w.name))].sort();
    const want = [...e.warnings].sort();
    if (got.join() !== want.join()) {
      out.push(`warnings: expected [${want.join(", ")}], got [${got.join(", ")}]`);
    }
  }
  within("t50_ms", e.t50_ns, o.memory.t50_ns, out, ms);
  within("t90_ms", e.t90_ns, o.memory.t90_ns, out, ms);
  within("t100_ms", e.t100_ns, o.memory.t100_ns, out, ms);
  (e.then ?? []).forEach((want, i) => {
    const got = o.then?.[i];
    const text = got === undefined ? "nothing" : thenText(got);
    const ret = got === undefined ? undefined : thenText({ ...got, si_code: undefined });
    const ok = got !== undefined && (want.ret === undefined || want.ret === ret) &&
      (want.si_code === undefined || want.si_code === got.si_code) &&
      (want.si_status === undefined || want.si_status === got.si_status);
    if (!ok) out.push(`then[${i}]: expected ${thenWanted(want)}, got ${text}`);
  });
  return out;
}

function thenWanted(t: ThenExpectation): string {
  return [t.ret, t.si_code, t.si_status].filter((x) => x !== undefined).join(" ");
}

/** Nanoseconds as milliseconds, with no more digits than a nanosecond needs. */
function ms(ns: number): string {
  return `${Number((ns / 1e6).toFixed(6))} ms`;
}

function within(
  what: string,
  b: Bounds | undefined,
  got: number | null,
  out: string[],
  unit: (n: number) => string,
): void {
  if (b === undefined) return;
  if (got === null) {
    out.push(`${what}: expected ${show(b, unit)}, but it never happened`);
  } else if ((b.min !== undefined && got < b.min) || (b.max !== undefined && got > b.max)) {
    out.push(`${what}: expected ${show(b, unit)}, got ${unit(got)}`);
  }
}

function show(b: Bounds, unit: (n: number) => string): string {
  return [
    b.min !== undefined ? `>= ${unit(b.min)}` : "",
    b.max !== undefined ? `<= ${unit(b.max)}` : "",
  ].filter(Boolean).join(" and ");
}
