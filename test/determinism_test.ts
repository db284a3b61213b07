// Determinism (ARCHITECTURE property 2): the same scenario and seed give a byte-identical
// event log, twice in WASM and once natively (the same core built by cargo, driven by
// wasm/src/baseline.rs with the boundary calls src/engine/run/runner.ts makes).

import assert from "node:assert/strict";
import { findDesign } from "../src/lab/designs/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { encodeWorld, loadScenarioFile } from "../src/engine/scenario/mod.ts";

const SCENARIO = "scenarios/dstate-little-core.json";
const scenario = await loadScenarioFile(SCENARIO);

function hasCargo(): boolean {
  try {
    return new Deno.Command("cargo", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

for (const design of ["sigkill", "oom_reaper"]) {
  for (const kernel of ["5.15", "6.18"] as const) {
    Deno.test(`${design} on ${kernel}: two WASM runs give one event-log hash`, () => {
      const a = runScenario(scenario, { design: findDesign(design), kernel, seed: 7 }).outcome;
      const b = runScenario(scenario, { design: findDesign(design), kernel, seed: 7 }).outcome;
      assert.equal(a.events_hash, b.events_hash);
      assert.equal(a.event_count, b.event_count);
      assert.ok(a.event_count > 10, "a run that logs nothing proves nothing");
    });

    Deno.test({
      name: `${design} on ${kernel}: the native build gives the WASM hash`,
      ignore: !hasCargo(),
      fn: async () => {
        const wasm = runScenario(scenario, { design: findDesign(design), kernel, seed: 7 }).outcome;
        const file = await Deno.makeTempFile({ suffix: ".world" });
        try {
          await Deno.writeTextFile(file, encodeWorld(scenario, { kernel }).join(" "));
          const out = await new Deno.Command("cargo", {
            cwd: "wasm",
            args: [
              "run",
              "--quiet",
              "--release",
              "--bin",
              "lab_native",
              "--",
              "replay",
              file,
              "7",
              design,
              String(scenario.intent.victim),
              String(scenario.intent.at_ns),
            ],
            stderr: "inherit",
          }).output();
          assert.ok(out.success, "lab_native replay failed");
          const [hash, count] = new TextDecoder().decode(out.stdout).trim().split(" ");
          assert.equal(Number(count), wasm.event_count);
          assert.equal(hash, wasm.events_hash);
        } finally {
          await Deno.remove(file);
        }
      },
    });
  }
}

Deno.test("a different seed may change the interleaving, never the totals", () => {
  const a = runScenario(scenario, { design: findDesign("sigkill"), seed: 1 }).outcome;
  const b = runScenario(scenario, { design: findDesign("sigkill"), seed: 2 }).outcome;
  assert.equal(a.memory.freed_pages, b.memory.freed_pages);
  assert.equal(a.memory.reclaimable_pages, b.memory.reclaimable_pages);
});
