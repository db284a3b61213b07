/**
 * `lab verify [scenario or folder...]`: every scenario file's expectations against fresh
 * runs. A file that is not a valid scenario (or whose `expect` names no registered design)
 * is reported with its problems and counted; the others still run.
 *
 * @module
 */

import {
  loadScenarioFile,
  type Scenario,
  ScenarioError,
  ScenarioFileError,
  scenarioFiles,
} from "../../engine/scenario/mod.ts";
import { verifyScenario } from "../../engine/run/mod.ts";
import { verifyVerdicts } from "../../engine/explore/mod.ts";
import { table } from "./_format.ts";
import { designSpecProblem, parseByteCount, parseCliArgs, parseDesignSpec } from "./_args.ts";
import { reportError, UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";
import { BOUND_OPTIONS, parseRunLimits, RUN_LIMITS_USAGE } from "./_run.ts";

export const VERIFY_USAGE = `usage: deno task lab verify [scenario.json or folder ...]

Runs each expectation ("expect" entries, and the verdicts "explore.expect" states of the
file's explore condition, over every schedule: lab explore) of the given scenario files, and
of every *.json file in the given folders (default: scenarios/), and prints one line per expectation;
exits 1 if any fails or a file is not a valid scenario, 2 if a path does not exist.

options:
  --max-scenario-bytes N  read at most N bytes of each scenario (default 64MiB)
${RUN_LIMITS_USAGE} (a FAIL line)`;

/** Runs `lab verify`; returns the exit code. */
export async function verifyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    ...BOUND_OPTIONS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(VERIFY_USAGE);
    return 0;
  }
  const maxBytes = parseByteCount(values["max-scenario-bytes"], "--max-scenario-bytes");
  const limits = parseRunLimits(values);
  // Named paths are the user's; the default is the repository's own scenarios/.
  const files = await expandPaths(
    positionals.length > 0 ? positionals.map((p) => userPath(p)) : ["scenarios"],
  );
  const rows: string[][] = [];
  let failed = 0;
  let invalid = 0;
  for (const f of files) {
    let scenario: Scenario;
    try {
      scenario = await loadScenarioFile(f, { maxBytes });
      checkExpectDesigns(scenario, f);
    } catch (e) {
      const r = e instanceof ScenarioError || e instanceof ScenarioFileError
        ? reportError(e)
        : undefined;
      if (r === undefined) throw e;
      console.error(r.message);
      invalid++;
      continue;
    }
    for (const v of verifyScenario(scenario, (spec) => parseDesignSpec(spec), { limits })) {
      failed += v.failures.length > 0 ? 1 : 0;
      rows.push([
        v.scenario,
        v.design,
        v.kernel,
        v.failures.length ? "FAIL" : "ok",
        v.failures.join("; "),
      ]);
    }
    // The stated verdicts of the scenario's explore condition, over every schedule.
    for (const v of verifyVerdicts(scenario, (spec) => parseDesignSpec(spec), { limits })) {
      failed += v.failures.length > 0 ? 1 : 0;
      const bound = v.preemptions === null ? "every schedule" : `K=${v.preemptions}`;
      const got = v.got
        ? `${v.got.verdict} (${v.got.positive}/${v.got.positive + v.got.negative})`
        : "";
      rows.push([
        scenario.name,
        `${v.design} explore ${bound}`,
        v.kernel,
        v.failures.length ? "FAIL" : "ok",
        v.failures.join("; ") || got,
      ]);
    }
  }
  if (rows.length > 0) console.log(table(["scenario", "design", "kernel", "result", "why"], rows));
  const bad = invalid > 0 ? `, ${invalid} invalid file${invalid === 1 ? "" : "s"}` : "";
  console.log(`\n${rows.length - failed} passed, ${failed} failed${bad}`);
  return failed > 0 || invalid > 0 ? 1 : 0;
}

/**
 * Files as themselves, folders as the scenario files in them. A path that does not exist
 * is a command-line mistake (exit 2), and so is a folder without a scenario file.
 */
async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ScenarioFileError(p, "missing", "no such file or folder", { cause: e });
      }
      throw new ScenarioFileError(p, "unreadable", `cannot be read: ${(e as Error).message}`, {
        cause: e,
      });
    }
    if (!info.isDirectory) {
      out.push(p);
      continue;
    }
    const found = await scenarioFiles(p);
    if (found.length === 0) throw new UsageError(`${p}: no scenario files (*.json) in this folder`);
    out.push(...found);
  }
  return out;
}

/** Each expectation's design must be registered: a problem at `$.expect[i].design` if not. */
function checkExpectDesigns(s: Scenario, file: string): void {
  const named = [
    ...s.expect.map((e, i) => ({ design: e.design, path: `$.expect[${i}].design` })),
    ...(s.explore?.expect ?? []).map((e, i) => ({
      design: e.design,
      path: `$.explore.expect[${i}].design`,
    })),
  ];
  const problems = named.flatMap(({ design, path }) => {
    const p = designSpecProblem(design);
    return p === undefined ? [] : [{ path, message: p.scenario }];
  });
  if (problems.length > 0) throw new ScenarioError(problems, file);
}
