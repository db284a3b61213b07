/**
 * The design review: every registered design through the standard experiments
 * (src/lab/report/experiments.ts), measured in parallel across Web Workers, written as a
 * directory a person can read: `README.md` with findings and tables, SVG charts, one
 * representative run's traces per experiment (`<experiment>/trace.txt`, ftrace text, and
 * `<experiment>/trace.json`, Perfetto JSON), and `results.json`.
 *
 * The files are deterministic: no timestamps, no wall-clock numbers, nothing that depends
 * on the worker count. {@linkcode checkReport} compares a fresh build with a directory.
 *
 * @example
 * ```ts
 * import { buildReport, writeReport } from "./mod.ts";
 * const files = await buildReport({ full: false, workers: 2 });
 * await writeReport(files, "docs/review");
 * ```
 * @module
 */

import { validateScenario } from "../../engine/scenario/mod.ts";
import { toFtrace, toTraceEventJson } from "../../engine/trace/mod.ts";
import { allUnits, EXPERIMENTS, pointScenario } from "./experiments.ts";
import { defaultRuns } from "./runs.ts";
import { runOne } from "./measure.ts";
import { runPoints } from "./pool.ts";
import { readHost, readParams } from "./calibration.ts";
import { renderReport } from "./readme.ts";
import { playing } from "./roles.ts";

export {
  allUnits,
  type Experiment,
  EXPERIMENTS,
  type Point,
  pointScenario,
} from "./experiments.ts";
export { measurePoint, type PointResult, type RunRecord } from "./measure.ts";
export { defaultWorkers, runPoints } from "./pool.ts";
export { barChart, lineChart } from "./svg.ts";
export { designStyle } from "./charts.ts";
export { bytes, duration, int, pages, pct, quantity, sig } from "./_format.ts";
export { type CallParties, callParties, errnoNotes, errnoReason } from "./errno.ts";

/** Where the report goes by default. */
export const REPORT_DIR_DEFAULT = "docs/review";

/** Options of {@linkcode buildReport}. */
export interface BuildOptions {
  /** The denser grids. */
  full: boolean;
  /** Workers (default: the machine's cores; 0: this thread). */
  workers?: number;
  /** Progress lines; `null` for none (default: stderr). */
  progress?: ((line: string, final: boolean) => void) | null;
  /** The repository root, where docs/architecture.md and docs/calibration/ are read. */
  root?: string;
}

const ROOT = decodeURIComponent(new URL("../../..", import.meta.url).pathname).replace(/\/$/, "");

/**
 * Measures everything and renders the report: file path (relative to the report
 * directory) → content.
 *
 * @example
 * ```ts
 * import { buildReport } from "./mod.ts";
 * const files = await buildReport({ full: false, progress: null });
 * console.log([...files.keys()]);
 * ```
 */
export async function buildReport(opts: BuildOptions): Promise<Map<string, string>> {
  const root = opts.root ?? ROOT;
  const units = allUnits(opts.full);
  const results = await runPoints({
    full: opts.full,
    workers: opts.workers,
    progress: opts.progress,
  });
  const files = renderReport({
    units,
    results,
    params: await readParams(root),
    host: await readHost(root),
    full: opts.full,
  });
  for (const exp of EXPERIMENTS) {
    const unit = units.find((u) =>
      u.experiment === exp && u.point.name === exp.representative.point
    );
    if (!unit) throw new Error(`${exp.id}: no point ${exp.representative.point}`);
    const label = playing(exp.representative.design).name;
    const spec = (unit.point.runs ?? defaultRuns()).find((r) => r.label === label);
    if (!spec) throw new Error(`${exp.id}: no run ${label}`);
    const scenario = validateScenario(pointScenario(unit.point));
    const { result } = runOne(scenario, unit.point, spec);
    files.set(`${exp.id}/trace.txt`, toFtrace(result.events, result.trace));
    files.set(
      `${exp.id}/trace.json`,
      JSON.stringify(toTraceEventJson(result.events, result.trace)) + "\n",
    );
  }
  return new Map([...files.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Writes the files under `dir`, and removes files there that the report no longer has
 * (a renamed chart must not linger).
 *
 * @example
 * ```ts
 * import { writeReport } from "./mod.ts";
 * await writeReport(new Map([["README.md", "# x\n"]]), "/tmp/review");
 * ```
 */
export async function writeReport(files: ReadonlyMap<string, string>, dir: string): Promise<void> {
  // Stale files are removed only from a directory that holds a generated review, and only
  // files of the kinds the review writes: `--out .` must never empty a repository.
  if (await isReview(dir)) {
    for (const old of await listFiles(dir)) {
      if (!files.has(old) && REVIEW_FILE.test(old)) await Deno.remove(`${dir}/${old}`);
    }
  }
  for (const [path, content] of files) {
    const full = `${dir}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    let same = false;
    try {
      same = await Deno.readTextFile(full) === content;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (!same) await Deno.writeTextFile(full, content);
  }
}

/** What differs between a fresh report and a directory. */
export interface CheckResult {
  /** In the fresh report, not in the directory. */
  missing: string[];
  /** In both, with different content. */
  changed: string[];
  /** In the directory only. */
  extra: string[];
}

/**
 * Compares freshly built files with `dir`.
 *
 * @example
 * ```ts
 * import { buildReport, checkReport } from "./mod.ts";
 * const diff = await checkReport(await buildReport({ full: false }), "docs/review");
 * console.log(diff.changed);
 * ```
 */
export async function checkReport(
  files: ReadonlyMap<string, string>,
  dir: string,
): Promise<CheckResult> {
  const onDisk = new Set(await listFiles(dir));
  const result: CheckResult = { missing: [], changed: [], extra: [] };
  for (const [path, content] of files) {
    if (!onDisk.has(path)) result.missing.push(path);
    else if (await Deno.readTextFile(`${dir}/${path}`) !== content) result.changed.push(path);
  }
  for (const path of onDisk) if (!files.has(path)) result.extra.push(path);
  return result;
}

/** The first line of a generated review's README.md. */
export const REVIEW_MARKER = "<!-- Generated by `deno task lab report`";
/** The names of the files a review writes. */
const REVIEW_FILE = /^(?:[a-z0-9-]+\/)?[a-z0-9-]+\.(?:svg|json|txt|md)$/;

async function isReview(dir: string): Promise<boolean> {
  try {
    return (await Deno.readTextFile(`${dir}/README.md`)).startsWith(REVIEW_MARKER);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Files under `dir`, relative, sorted; none if it does not exist. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) out.push(...await listFiles(dir, rel));
      else if (e.isFile) out.push(rel);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}
