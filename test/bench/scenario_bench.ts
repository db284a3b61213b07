/**
 * Speed of scenario validation on large valid-looking input, which once took quadratic time:
 * a parent chain 100,000 deep (the cycle check walked up from every process) and 100,000
 * duplicated keys (each one's line and column found by scanning from the start). Their
 * answers are tested in test/scenario_test.ts; their time is measured here, not in a test.
 *
 * Run alone: deno bench -A test/bench/scenario_bench.ts
 * @module
 */

import { parseScenario, validateScenario } from "../../src/engine/scenario/mod.ts";
import { chainWorld, duplicatedKeys } from "./chain_world.ts";

const BASE = new URL("../../scenarios/dstate-little-core.json", import.meta.url);
// From tgid 100,000 on, clear of the scenario's own processes.
const CHAIN = chainWorld(JSON.parse(await Deno.readTextFile(BASE)), 100_000, 100_000);
const DUPLICATES = duplicatedKeys(100_000);

Deno.bench({
  name: "validate a parent chain 100,000 deep",
  fn() {
    validateScenario(CHAIN);
  },
});

Deno.bench({
  name: "parse 100,000 duplicated keys",
  fn() {
    try {
      parseScenario(DUPLICATES);
    } catch {
      // The ScenarioError is the expected answer; its content is tested elsewhere.
    }
  },
});
