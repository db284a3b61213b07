// The kernel variants (wasm/src/variant.rs; docs/scenario-format.md, "Kernel variants"):
// a scenario names them, the validator refuses an unknown name or a variant on a kernel it
// does not apply to, a run may override them, and a design whose patch brings one
// (`Design.kernelVariants`) switches it on for its own runs. The core's side is
// wasm/src/tests/variants_2026.rs.

import assert from "node:assert/strict";
import {
  loadScenarioFile,
  type Scenario,
  ScenarioError,
  validateScenario,
} from "../src/engine/scenario/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { COST_MODEL, KERNEL_VARIANT_KERNELS, kernelVariantMask } from "../src/core/kernel.ts";

const CLOSES = "scenarios/k2026/exit-mm-closes-the-esrch-window.json";
const WRITE_LOCK = "scenarios/k2026/exit-mmap-write-lock-serializes-teardown.json";

async function raw(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

function problems(json: unknown): { path: string; message: string }[] {
  try {
    validateScenario(json);
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.problems];
    throw e;
  }
  return assert.fail("expected a ScenarioError");
}

Deno.test("the core states which kernels each variant applies to", () => {
  assert.deepEqual(KERNEL_VARIANT_KERNELS.exit_mmap_write_lock, ["6.0", "6.18"]);
  assert.equal(KERNEL_VARIANT_KERNELS.exit_mm_retention.length, 7);
  assert.equal(kernelVariantMask(["exit_mm_retention", "exit_mmap_write_lock"]), 3);
});

Deno.test("kernel_variants: an unknown name is refused at its index", async () => {
  const json = { ...await raw(WRITE_LOCK), kernel_variants: ["exit_mmap_writelock"] };
  const p = problems(json);
  assert.equal(p.length, 1);
  assert.equal(p[0].path, "$.kernel_variants[0]");
  assert.match(p[0].message, /exit_mmap_write_lock/, "did you mean");
});

Deno.test("kernel_variants: the write lock is refused on a kernel without bf3980c85212", async () => {
  const json = { ...await raw(WRITE_LOCK), kernel: "5.17" };
  const p = problems(json);
  assert.equal(p.length, 1);
  assert.equal(p[0].path, "$.kernel_variants");
  assert.match(p[0].message, /exit_mmap_write_lock.*6\.0, 6\.18/);
  // The retention applies to every kernel.
  const kept = validateScenario({ ...json, kernel_variants: ["exit_mm_retention"] });
  assert.deepEqual(kept.kernel_variants, ["exit_mm_retention"]);
});

Deno.test("kernel_variants: a run on a kernel the variant does not fit is refused at the path", async () => {
  const s = await loadScenarioFile(WRITE_LOCK);
  assert.throws(
    () => runScenario(s, { design: findDesign("process_mrelease"), kernel: "5.15" }),
    (e) =>
      e instanceof ScenarioError && e.problems[0].path === "$.kernel_variants" &&
      /exit_mmap_write_lock/.test(e.problems[0].message),
  );
});

/** What process_mrelease's run of `s` shows: who freed the pages, the victim's CPU. */
function teardown(s: Scenario, kernelVariants?: []) {
  const o = runScenario(s, { design: findDesign("process_mrelease"), kernelVariants }).outcome;
  return { ...o.memory.freed_by, victimCpu: o.cpu_ns.victim };
}

Deno.test("exit_mmap_write_lock: the victim's exit_mmap waits out the reap, where 6.18 as released walks beside it", async () => {
  const s = await loadScenarioFile(WRITE_LOCK);
  assert.deepEqual(s.kernel_variants, ["exit_mmap_write_lock"]);
  const locked = teardown(s);
  assert.equal(locked.caller, 65536, "the call held the read lock first");
  assert.equal(locked.victim, 0, "exit_mmap's write lock waited for the whole reap");
  // As released, the victim's unmap walks the same VMA under the read lock behind the
  // caller's reap: it frees what the caller has not reached and pays for the walk.
  const released = teardown(s, []);
  assert.equal(released.caller + released.victim, 65536);
  // At least one batch of the walk, priced at speed 1.0 (the little core is slower).
  const batch = COST_MODEL.ZAP_BATCH_PAGES * COST_MODEL.EXIT_UNMAP_NS_PER_PAGE;
  assert.ok(released.victimCpu - locked.victimCpu > batch, JSON.stringify({ released, locked }));
});

Deno.test("a design's own kernel variant is on for its runs, and only for them", async () => {
  const s = await loadScenarioFile(CLOSES);
  assert.equal(s.kernel_variants, undefined, "the file names none");
  const own = runScenario(s, { design: findDesign("process_mrelease_exit_mm") }).outcome;
  assert.equal(own.errno, 0);
  assert.equal(own.memory.freed_by.caller, 16384);
  // Mainline with the retention switched on still looks only at task->mm: ESRCH.
  const mainline = runScenario(s, {
    design: findDesign("process_mrelease"),
    kernelVariants: ["exit_mm_retention"],
  }).outcome;
  assert.equal(mainline.errno, "ESRCH");
  assert.equal(mainline.memory.freed_by.caller, 0);
});
