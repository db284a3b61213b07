// Scheduling cost does not depend on the number of runnable tasks (issue 11, "Quadratic
// time on valid input"): a victim with 65,536 threads took ~56 s in `lab run` because the
// run queue was rescanned on every step. The test counts the core's scheduler work
// (`Kernel.sched_work`: run-queue slots and tree nodes examined), not time, so it cannot be
// flaky; the wall time of the large run is printed for the record.

import assert from "node:assert/strict";
import { runScenario } from "../src/engine/run/mod.ts";
import { validateScenario } from "../src/engine/scenario/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { manyThreads } from "./_busy_world.ts";

function killed(threads: number) {
  const s = validateScenario(manyThreads(threads));
  const started = performance.now();
  const r = runScenario(s, { design: findDesign("sigkill") });
  const ms = performance.now() - started;
  assert.equal(r.outcome.errno, 0);
  assert.equal(r.outcome.memory.freed_pages, r.outcome.memory.reclaimable_pages, "all exited");
  return { ...r.stats, ms };
}

Deno.test("the scheduler's work grows linearly with the victim's threads", () => {
  const small = killed(4096);
  const large = killed(65536);
  const ratio = large.schedWork / small.schedWork;
  console.log(
    `65,536 threads: ${large.ms.toFixed(0)} ms, ${large.steps} steps, ` +
      `scheduler work ${large.schedWork} (${ratio.toFixed(1)}x that of 4,096 threads)`,
  );
  assert.ok(large.steps <= 17 * small.steps, `steps ${small.steps} -> ${large.steps}`);
  // 16 times the threads: linear is 16x (a little more for the queue's log factor);
  // rescanning the queue on every step was 256x.
  assert.ok(ratio <= 32, `scheduler work ${small.schedWork} -> ${large.schedWork}`);
});
