/**
 * `sweep --runs N`: the property suite of the tests, with N runs per property and target,
 * a progress bar on stderr, and a summary with the replay command of every failure. The
 * results depend only on the seed and N (the wall clock feeds the progress display alone).
 *
 * @module
 */

import { relative } from "node:path";
import { ABI_VERSION } from "../../core/wasm.ts";
import {
  type CaseFile,
  checkProperty,
  expectedFailuresOf,
  findProperty,
  formatReport,
  parseTarget,
  PROPERTIES,
  PROPERTY_NAMES,
  type PropertyCheck,
  type PropertyReport,
  PROPS_SEED_DEFAULT,
  type Target,
  targets,
  toCase,
} from "../props/mod.ts";
import { KERNEL_VERSIONS, validateScenario } from "../../engine/scenario/mod.ts";
import { table } from "./_format.ts";
import { readCaseFileBounded, UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";
import { parseCliArgs, parseDesignSpec, parseKernelVersion, parseWholeNumber } from "./_args.ts";

/** The seed the sweep (and the property tests) use unless told otherwise. */
export const SWEEP_SEED_DEFAULT = PROPS_SEED_DEFAULT;

export const SWEEP_USAGE = `usage: deno task sweep [options]

Runs the properties of docs/properties.md (safety, effectiveness, latency, determinism)
against every design and named variant, N fast-check runs each, and checks that every
expected failure is still found. Shows progress on stderr; prints a summary with one replay
command per failure; exits 1 if anything failed.

options:
  --runs N             runs per property and design (default 1000)
  --seed S             base seed (default ${SWEEP_SEED_DEFAULT}); each check derives its own
  --design NAME        only this design or NAME@VARIANT (repeatable)
  --property NAME      only this property: ${PROPERTY_NAMES.join(", ")} (repeatable)
  --kernel VERSION     only these kernels (repeatable): ${KERNEL_VERSIONS.join(", ")}
  --expected-budget N  runs allowed to find each expected failure (default max(N, 2000))
  --out DIR            where failing cases are written (default: a new temporary directory)`;

/** Runs `sweep`; returns the exit code. */
export async function sweepCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    runs: { type: "string" },
    seed: { type: "string" },
    design: { type: "string", multiple: true },
    property: { type: "string", multiple: true },
    kernel: { type: "string", multiple: true },
    "expected-budget": { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(SWEEP_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`sweep takes no file, got ${JSON.stringify(positionals[0])}`);
  }
  const runs = count(values.runs, "--runs") ?? 1000;
  if (runs < 1) throw new UsageError("--runs takes a number >= 1");
  const seed = count(values.seed, "--seed") ?? SWEEP_SEED_DEFAULT;
  const expectedBudget = count(values["expected-budget"], "--expected-budget") ??
    Math.max(runs, 2000);
  const kernels = values.kernel?.map((k) => parseKernelVersion(k)!);
  let chosen: Target[];
  let props: readonly PropertyCheck[];
  try {
    values.design?.forEach((d) => parseDesignSpec(d)); // one line, with "did you mean"
    chosen = values.design ? values.design.map((d) => parseTarget(d)) : targets();
    props = values.property ? values.property.map(findProperty) : PROPERTIES;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const outDir = values.out !== undefined
    ? userPath(values.out)
    : await Deno.makeTempDir({ prefix: "mrelease-sweep-" });

  const work = props.flatMap((p) => chosen.filter((t) => p.applies(t)).map((t) => ({ p, t })));
  const budgetOf = (p: PropertyCheck, t: Target) =>
    runs + expectedFailuresOf(p.name, t).length * expectedBudget;
  const total = work.reduce((sum, w) => sum + budgetOf(w.p, w.t), 0);
  const identity = `seed ${seed}  runs ${runs}  kernels ${
    (kernels ?? KERNEL_VERSIONS).join(",")
  }  abi ${ABI_VERSION}`;
  console.log(`mrelease-lab sweep: ${identity}`);
  console.log(
    `  ${work.length} checks over ${chosen.length} designs; failing cases go to ${outDir}`,
  );

  const progress = new Progress(total);
  const reports: PropertyReport[] = [];
  let done = 0;
  for (const { p, t } of work) {
    const budget = budgetOf(p, t);
    let inCheck = 0;
    progress.label = `${p.name} ${t.name}`;
    const rs = await checkProperty(p, t, {
      numRuns: runs,
      seed,
      expectedBudget,
      kernels,
      outDir,
      onRun: () => progress.show(done + Math.min(++inCheck, budget)),
    });
    done += budget;
    progress.show(done);
    reports.push(...rs);
  }
  progress.end();

  console.log(table(
    ["property", "design", "check", "runs", "result"],
    reports.map((r) => [
      r.property,
      r.target,
      r.kind === "expected" ? `expected ${r.expected!.rules.join(",")}` : "holds",
      `${r.runs}/${r.numRuns}`,
      r.kind === "expected" ? (r.ok ? "found" : "NOT FOUND") : (r.ok ? "ok" : "FAILED"),
    ]),
  ));
  const failed = reports.filter((r) => !r.ok);
  if (failed.length) {
    console.log(`\n${failed.length} failed:\n`);
    for (const r of failed) {
      console.log(
        (r.kind === "expected" ? await notFound(r, expectedBudget) : formatReport(r)) + "\n",
      );
    }
  }
  const found = reports.filter((r) => r.kind === "expected" && r.ok);
  if (found.length) {
    console.log("\nexpected failures, still found:");
    for (const r of found) {
      console.log(
        `  ${r.property} ${r.target} (${r.expected!.rules.join(",")}) after ${r.runs} ` +
          `runs; shrunk case: ${r.failure?.replay ?? "-"}`,
      );
    }
  }
  console.log(
    `\n${reports.length - failed.length} of ${reports.length} checks passed (${identity})`,
  );
  return failed.length ? 1 : 0;
}

/** Where the property tests keep their shrunk cases of expected failures. */
export const KEPT_CASES = new URL("../../../test/props/failures/", import.meta.url);

/**
 * An expected failure the sweep did not find, told apart: not found within the budget
 * (the kept case still breaks the rule: more runs would find it), or gone (the kept case
 * no longer breaks it: the record's breaks are out of date), or unknown (no kept case).
 */
export async function notFound(
  r: PropertyReport,
  budget: number,
  dir: URL = KEPT_CASES,
): Promise<string> {
  const rules = r.expected!.rules;
  const head = `${r.property} ${r.target}: expected ${
    rules.join(",")
  } NOT FOUND in ${r.numRuns} runs`;
  for (const f of await keptCases(dir)) {
    let file: CaseFile;
    try {
      file = await readCaseFileBounded(f);
    } catch {
      continue;
    }
    if (
      file.design !== r.target || file.property !== r.property ||
      !rules.every((rule) => file.expect_violations?.includes(rule))
    ) continue;
    const broken = brokenRules(file);
    const still = rules.filter((rule) => broken.has(rule));
    if (still.length === rules.length) {
      return `${head}: not found within the budget; the kept case ${f} still breaks it, so ` +
        `the break is there (raise --expected-budget, now ${budget})`;
    }
    return `${head}: the break is gone; the kept case ${f} no longer breaks ${
      rules.filter((rule) => !broken.has(rule)).join(",")
    } (update the record's breaks)`;
  }
  return `${head}: not found within the budget, and no kept case tells whether the break is ` +
    `gone (raise --expected-budget, now ${budget})`;
}

async function keptCases(dir: URL): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) out.push(shortPath(new URL(e.name, dir).pathname));
    }
  } catch {
    return []; // no kept cases here (a published copy of the lab has none)
  }
  return out.sort();
}

/** A path relative to the working directory when it lies inside it (the repository's own). */
function shortPath(path: string): string {
  try {
    const rel = relative(Deno.cwd(), path);
    return rel.startsWith("..") ? path : rel;
  } catch {
    return path;
  }
}

/** The rules a case file's run breaks, checked on its own property and target. */
function brokenRules(file: CaseFile): Set<string> {
  const kernel = file.kernel ?? validateScenario(file.scenario).kernel;
  const c = toCase(file.scenario, { kernel, choices: file.choices ?? [] });
  const t = parseTarget(file.design!);
  const kernelBugs = file.kernel_bugs ?? 0;
  const p = findProperty(file.property!);
  return new Set(p.check(c, t, { kernelBugs }).map((v) => v.rule));
}

function count(v: string | undefined, flag: string): number | undefined {
  return parseWholeNumber(v, flag);
}

/**
 * A progress bar with the time left, on stderr. Redrawn at most ten times a second on a
 * terminal; elsewhere one line per tenth of the work. The clock is read for this display
 * only.
 */
class Progress {
  label = "";
  #total: number;
  #start = performance.now();
  #lastDraw = 0;
  #lastTenth = -1;
  #tty = Deno.stderr.isTerminal();
  #encoder = new TextEncoder();

  constructor(total: number) {
    this.#total = Math.max(1, total);
  }

  show(done: number): void {
    const now = performance.now();
    const frac = Math.min(1, done / this.#total);
    if (this.#tty) {
      if (now - this.#lastDraw < 100 && frac < 1) return;
      this.#lastDraw = now;
      this.#write(`\r${this.#line(done, frac, now)}\x1b[K`);
    } else {
      const tenth = Math.floor(frac * 10);
      if (tenth === this.#lastTenth) return;
      this.#lastTenth = tenth;
      this.#write(`${this.#line(done, frac, now)}\n`);
    }
  }

  end(): void {
    if (this.#tty) this.#write("\n");
  }

  #line(done: number, frac: number, now: number): string {
    const width = 30;
    const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
    const elapsed = (now - this.#start) / 1000;
    const left = frac > 0 ? elapsed * (1 - frac) / frac : NaN;
    return `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}%  ${done}/${this.#total} runs  ` +
      `${fmtSeconds(elapsed)} elapsed, ${Number.isNaN(left) ? "?" : fmtSeconds(left)} left  ` +
      this.label;
  }

  #write(s: string): void {
    Deno.stderr.writeSync(this.#encoder.encode(s));
  }
}

function fmtSeconds(s: number): string {
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return `${m}:${String(sec).padStart(2, "0")}`;
}
