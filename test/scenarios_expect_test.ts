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
