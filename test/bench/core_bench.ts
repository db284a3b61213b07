/**
 * Speed of the core as the lab drives it (docs/performance.md): the JS↔WASM boundary, whole
 * scenario runs, and a 100,000-process world (building it and one task_will_free_mem walk).
 * `deno task bench` runs this file with `--json` and turns the figures into rates.
 *
 * Names are stable: src/lab/tools/bench.ts looks the results up by them.
 *
 * Run alone: deno bench -A test/bench/
 * @module
 */

import { Kernel } from "../../src/core/wasm.ts";
import { findDesign } from "../../src/lab/designs/mod.ts";
import { runActors, runScenario } from "../../src/engine/run/mod.ts";
import { SIGKILL, taskInfo } from "../../src/core/kernel.ts";
import { NR } from "../../src/core/userspace.ts";
import { encodeWorld, loadScenarioFile, type Scenario } from "../../src/engine/scenario/mod.ts";
import { bigWorld } from "./big_world.ts";

/** Boundary calls per bench iteration. */
export const CALLS_PER_ITERATION = 1_000_000;
/** Processes in the big world. */
export const BIG_WORLD_PROCESSES = 100_000;

const SCENARIO = new URL("../../scenarios/dstate-little-core.json", import.meta.url).pathname;
const scenario: Scenario = await loadScenarioFile(SCENARIO);
const program = encodeWorld(scenario);
const sigkill = findDesign("sigkill");
const ctx = { victim: scenario.intent.victim, kernel: scenario.kernel, call: {} };
const seedLo = scenario.seed >>> 0;
const seedHi = Math.floor(scenario.seed / 2 ** 32) >>> 0;
const NR_KILL = NR.kill;

function loaded(words: Int32Array): Kernel {
  const k = new Kernel(seedLo, seedHi);
  if (k.load_world(words) !== 0) throw new Error(`load_world refused: ${k.last_error()}`);
  return k;
}

/** One sigkill run as src/engine/run/runner.ts makes it, without decoding events or the outcome. */
function coreLoop(recording: boolean): void {
  const k = loaded(program);
  if (!recording) k.set_event_recording(false);
  runActors(k, [{
    pid: scenario.caller.pid,
    atNs: scenario.intent.at_ns,
    recipe: (u) => sigkill.recipe(u, ctx),
  }]);
  k.free();
}

// Warm up before any measurement: without this, whichever scenario bench runs first pays
// for V8's tier-up of the runner and the growth of the WASM memory (about 1.5x on its
// average, see docs/performance.md).
for (let i = 0; i < 3000; i++) {
  coreLoop(i % 2 === 0);
  if (i % 10 === 0) runScenario(scenario, { design: sigkill });
}

// ---- the boundary ------------------------------------------------------------------------

const small = loaded(program);
const victim = scenario.intent.victim;
let sink = 0;

Deno.bench({
  name: "task_mm(pid) x1e6",
  group: "boundary",
  baseline: true,
  n: 40,
  warmup: 5,
  fn() {
    let s = 0;
    for (let i = 0; i < CALLS_PER_ITERATION; i++) s += small.task_mm(victim);
    sink += s;
  },
});

Deno.bench({
  name: "fatal_signal_pending(pid) x1e6",
  group: "boundary",
  n: 40,
  warmup: 5,
  fn() {
    let s = 0;
    for (let i = 0; i < CALLS_PER_ITERATION; i++) s += small.fatal_signal_pending(victim);
    sink += s;
  },
});

Deno.bench({
  name: "now_ns() x1e6 (no pid lookup)",
  group: "boundary",
  n: 40,
  warmup: 5,
  fn() {
    let s = 0;
    for (let i = 0; i < CALLS_PER_ITERATION; i++) s += small.now_ns();
    sink += s;
  },
});

// ---- whole scenario runs (dstate-little-core, sigkill) -------------------------------------

Deno.bench({
  name: "core loop (new Kernel, load_world, runActors)",
  group: "scenario",
  baseline: true,
  fn() {
    coreLoop(true);
  },
});

Deno.bench({
  name: "core loop, event recording off",
  group: "scenario",
  fn() {
    coreLoop(false);
  },
});

Deno.bench({
  name: "direct calls (the baseline.rs sequence, no runner)",
  group: "scenario",
  fn() {
    const k = loaded(program);
    const caller = scenario.caller.pid;
    k.run(scenario.intent.at_ns);
    k.ext_start(caller);
    const horizon = k.horizon_ns();
    while (k.run(horizon) > 0) {
      k.syscall_enter(caller, NR_KILL, victim, SIGKILL);
      const ret = k.kill(caller, victim, SIGKILL);
      k.syscall_exit(caller, NR_KILL, ret);
      k.ext_end(caller);
    }
    k.free();
  },
});

Deno.bench({
  name: "new Kernel + load_world only",
  group: "scenario",
  fn() {
    loaded(program).free();
  },
});

Deno.bench({
  name: "runScenario (with outcome)",
  group: "scenario",
  fn() {
    // The core is not returned; wasm-bindgen's FinalizationRegistry frees it.
    sink += runScenario(scenario, { design: sigkill }).outcome.event_count;
  },
});

// ---- a 100,000-process world ---------------------------------------------------------------

const big = bigWorld({ count: BIG_WORLD_PROCESSES });
/** The last world the build bench loaded, kept for the walk bench. */
let bigKernel: Kernel | undefined;

Deno.bench({
  name: "load_world, 100k processes",
  group: "big world",
  n: 3,
  warmup: 0,
  fn(b) {
    const old = bigKernel;
    bigKernel = undefined;
    old?.free();
    b.start();
    const k = new Kernel(1, 0);
    const r = k.load_world(big.program);
    b.end();
    if (r !== 0) throw new Error(`load_world refused the big world: ${k.last_error()}`);
    bigKernel = k;
  },
});

/** The big world with its caller running its TypeScript segment (walk verified once). */
let walker: Kernel | undefined;

function walkReady(): Kernel {
  if (walker) return walker;
  const k = bigKernel ?? loaded(big.program);
  bigKernel = undefined;
  if (k.ext_start(big.caller) !== 0) throw new Error("ext_start(caller) refused");
  if (k.run(k.horizon_ns()) !== big.caller) throw new Error("run() did not hand over the caller");
  // Verify once that the call walks: the answer the world dictates, and the caller charged
  // 25 ns per process visited (the charge is paid when the segment yields).
  const before = taskInfo(k, big.caller)!.cpu_time_ns;
  const answer = k.task_will_free_mem(big.caller, big.victim);
  k.ext_yield(big.caller);
  const charged = taskInfo(k, big.caller)!.cpu_time_ns - before;
  const walked = big.processes + 1; // + the oom_reaper kthread the core adds
  if (answer !== big.willFreeMem) {
    throw new Error(`task_will_free_mem answered ${answer}, the world dictates ${big.willFreeMem}`);
  }
  if (charged < walked * 25 || charged > walked * 25 + 5_000) {
    throw new Error(`caller charged ${charged} ns, expected ~${walked} x 25 ns: no walk?`);
  }
  if (k.run(k.horizon_ns()) !== big.caller) throw new Error("run() did not resume the caller");
  walker = k;
  return k;
}

Deno.bench({
  name: "task_will_free_mem walk, 100k processes",
  group: "big world",
  n: 100,
  warmup: 5,
  fn(b) {
    const k = walkReady();
    b.start();
    sink += k.task_will_free_mem(big.caller, big.victim);
    b.end();
  },
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink); // keeps the loops' results alive
});
