// docs/reliability.md states the run limits and the input cap: its tables must say what the code
// enforces.

import assert from "node:assert/strict";
import { DEFAULT_RUN_LIMITS, MAX_RUN_LIMITS } from "../src/engine/run/mod.ts";
import { SCENARIO_LIMITS } from "../src/engine/scenario/mod.ts";

const doc = await Deno.readTextFile(new URL("../docs/reliability.md", import.meta.url));
const n = (x: number) => x.toLocaleString("en-US");

function row(first: string): string[] {
  const line = doc.split("\n").find((l) => l.startsWith(`| ${first} `));
  assert.ok(line, `a row "${first}" in docs/reliability.md`);
  return line.split("|").map((c) => c.trim()).slice(1, -1);
}

Deno.test("docs/reliability.md states the run limits the runner enforces", () => {
  const rows = [
    ["events", DEFAULT_RUN_LIMITS.maxEvents, MAX_RUN_LIMITS.maxEvents, "`--max-events`"],
    ["simulated steps", DEFAULT_RUN_LIMITS.maxSteps, MAX_RUN_LIMITS.maxSteps, "`--max-steps`"],
    ["wall time (ms)", DEFAULT_RUN_LIMITS.maxWallMs, MAX_RUN_LIMITS.maxWallMs, "`--max-wall-ms`"],
  ] as const;
  for (const [name, def, max, flag] of rows) {
    const [, d, f, m] = row(name);
    assert.deepEqual([d, f, m], [n(def), flag, n(max)], name);
  }
});

Deno.test("docs/reliability.md states the input cap the reader enforces", () => {
  const [, limit] = row("a scenario or case file");
  assert.match(limit, new RegExp(`^${n(SCENARIO_LIMITS.file_bytes)} bytes`));
});
