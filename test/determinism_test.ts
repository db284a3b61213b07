// Determinism (ARCHITECTURE property 2): the same scenario and seed give a byte-identical
// event log, twice in WASM and once natively (the same core built by cargo, driven by
// wasm/src/baseline.rs with the boundary calls src/engine/run/runner.ts makes).

import assert from "node:assert/strict";
import { findDesign } from "../src/lab/designs/mod.ts";
import { prepareRun, runActors, runLimits, runScenario } from "../src/engine/run/mod.ts";
import { readLoadedWorld } from "../src/engine/run/freed.ts";
import { Kernel } from "../src/core/wasm.ts";
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

Deno.test("what a run reads once per world program is what the core shows at the end of every run", async () => {
  // src/engine/run/experiment.ts reads the kthreads and each mm's anonymous pages at load,
  // once per world program, and reuses them: they must be what each run's core says when
  // the run is over (a kthread set or an mm added at run time would break this).
  const files = [
    "scenarios/dstate-little-core.json",
    "scenarios/zombie-leader-threads.json",
    "scenarios/races/f6-robust-futex-shared-cpu.json",
  ];
  for (const file of files) {
    const s = await loadScenarioFile(file);
    for (
      const [design, kernel] of [["oom_reaper", "5.15"], ["process_mrelease", "6.18"]] as const
    ) {
      for (const seed of [1, 2]) {
        const k = new Kernel(seed, 0);
        try {
          const run = prepareRun(k, s, {
            design: findDesign(design),
            kernel,
            seed,
            limits: runLimits(),
          });
          const result = run.finish(runActors(k, run.actors, { onSyscallExit: run.onSyscallExit }));
          const atEnd = readLoadedWorld(k);
          assert.deepEqual([...result.kthreads].sort(), [...atEnd.kthreads].sort(), file);
          assert.deepEqual(result.anonAtStart, atEnd.anonAtStart, file);
          assert.ok(atEnd.kthreads.size >= 1, "the oom_reaper is a kthread");
        } finally {
          k.free();
        }
      }
    }
  }
});
