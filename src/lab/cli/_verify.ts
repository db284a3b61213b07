/**
 * `lab verify [scenario...]`: every scenario file's expectations against fresh runs.
 *
 * @module
 */

import { loadScenarioFile, scenarioFiles } from "../../engine/scenario/mod.ts";
import { verifyScenario } from "../../engine/run/mod.ts";
import { chooseDesign } from "../designs/mod.ts";
import { table } from "./_format.ts";

export const VERIFY_USAGE = `usage: deno task lab verify [scenario.json ...]

Runs each expectation ("expect" entries) of the given scenario files (default: every
scenarios/**/*.json) and prints one line per expectation; exits 1 if any fails.`;

/** Runs `lab verify`; returns the exit code. */
export async function verifyCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(VERIFY_USAGE);
    return 0;
  }
  const files = args.length > 0 ? args : await scenarioFiles("scenarios");
  const rows: string[][] = [];
  let failed = 0;
  for (const f of files) {
    for (const v of verifyScenario(await loadScenarioFile(f), chooseDesign)) {
      failed += v.failures.length > 0 ? 1 : 0;
      rows.push([
        v.scenario,
        v.design,
        v.kernel,
        v.failures.length ? "FAIL" : "ok",
        v.failures.join("; "),
      ]);
    }
  }
  console.log(table(["scenario", "design", "kernel", "result", "why"], rows));
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
