// Every scenario file's litmus-style expectations hold (issue: "a task checks every
// scenario file against its expectations"; `deno task lab verify` is the same check).

import assert from "node:assert/strict";
import { loadScenarioFile, scenarioFiles } from "../src/engine/scenario/mod.ts";
import { verifyScenario } from "../src/engine/run/mod.ts";
import { chooseDesign } from "../src/lab/designs/mod.ts";

const files = await scenarioFiles("scenarios");

Deno.test("the shipped scenarios carry expectations", () => {
  assert.ok(files.length >= 5);
});

for (const file of files) {
  const scenario = await loadScenarioFile(file);
  for (const verdict of verifyScenario(scenario, chooseDesign)) {
    Deno.test(`${scenario.name}: ${verdict.design} on ${verdict.kernel}`, () => {
      assert.deepEqual(verdict.failures, [], verdict.failures.join("\n"));
    });
  }
}

Deno.test("who freed the memory and the WARNs printed are checked, not only read", async () => {
  // The v2 side of mm-vfork-sharer-alive: 1024 pages freed by the caller, none by the victim,
  // and the live-sharer WARN. Each wrong expectation below must be reported.
  const s = await loadScenarioFile("scenarios/paths/mm-vfork-sharer-alive.json");
  const design = "process_mrelease_reap_kill@v2";
  const failures = (e: Record<string, unknown>) =>
    verifyScenario({ ...s, expect: [{ design, kernel: "6.18", ...e }] }, chooseDesign)[0]
      .failures;
  assert.deepEqual(failures({ caller_freed_pages: { min: 1024, max: 1024 } }), []);
  assert.deepEqual(failures({ warnings: ["zap_live_sharer"] }), []);
  assert.match(failures({ caller_freed_pages: { max: 0 } })[0], /^caller_freed_pages: expected/);
  assert.match(failures({ victim_freed_pages: { min: 1 } })[0], /^victim_freed_pages: expected/);
  assert.deepEqual(failures({ warnings: [] }), [
    "warnings: expected [], got [zap_live_sharer]",
  ]);
});
