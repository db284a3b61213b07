/**
 * Speed for exploring every schedule (docs/performance.md, "Every schedule"): explore's
 * walks on the D-state scenario by preemption bound, whole runs per design, the victim's
 * size and thread count. `deno task bench` runs this file with core_bench.ts and turns the
 * figures into rates (src/lab/tools/bench_explore.ts).
 *
 * Run alone: deno bench -A test/bench/explore_bench.ts
 * @module
 */

import { walk } from "../../src/engine/explore/mod.ts";
import { runScenario } from "../../src/engine/run/mod.ts";
import { loadScenarioFile } from "../../src/engine/scenario/mod.ts";
import { designs, findDesign } from "../../src/lab/designs/mod.ts";
import {
  EXPLORE_BENCH,
  EXPLORE_KS,
  victimOfSize,
  victimWithThreads,
} from "../../src/lab/tools/mod.ts";

const SCENARIO = new URL("../../scenarios/dstate-little-core.json", import.meta.url).pathname;
const dstate = await loadScenarioFile(SCENARIO);
const json = JSON.parse(await Deno.readTextFile(SCENARIO));
/** The design explore is measured with: the one the issue asks about. */
const explored = findDesign("process_mrelease");
const sigkill = findDesign("sigkill");

for (const k of EXPLORE_KS) {
  const schedules = walk(dstate, { design: explored, preemptions: k }).leaves.length;
  Deno.bench({
    name: EXPLORE_BENCH.walk(k, schedules),
    group: "explore",
    baseline: k === 0,
    fn() {
      walk(dstate, { design: explored, preemptions: k });
    },
  });
}

for (const d of designs()) {
  Deno.bench({
    name: EXPLORE_BENCH.design(d.name),
    group: "designs",
    fn() {
      runScenario(dstate, { design: d });
    },
  });
}

const small = victimOfSize(json, "4MiB");
const large = victimOfSize(json, "64GiB");
Deno.bench({
  name: EXPLORE_BENCH.victimSmall,
  group: "victim size",
  baseline: true,
  fn() {
    runScenario(small, { design: sigkill });
  },
});
Deno.bench({
  name: EXPLORE_BENCH.victimLarge,
  group: "victim size",
  fn() {
    runScenario(large, { design: sigkill });
  },
});

const threads = victimWithThreads(json, 65536);
Deno.bench({
  name: EXPLORE_BENCH.threads,
  group: "threads",
  n: 3,
  warmup: 1,
  fn() {
    runScenario(threads, { design: sigkill });
  },
});
