// The benchmarks' big-world generator (test/bench/_big_world.ts): its program loads, and
// task_will_free_mem walks the whole world and answers what the world dictates. The first test
// takes 5-20 s: load_world is quadratic in the number of processes (docs/performance.md).

import assert from "node:assert/strict";
import { Kernel } from "../src/core/wasm.ts";
import { COST_MODEL, taskInfo } from "../src/core/mod.ts";
import { bigWorld, type BigWorldOptions } from "./bench/big_world.ts";

const TWFM_NS_PER_PROCESS = COST_MODEL.TWFM_NS_PER_PROCESS;

/** Loads the world, hands the caller its segment, walks once; returns answer and charge. */
function walkOnce(opts: BigWorldOptions) {
  const w = bigWorld(opts);
  const k = new Kernel(1, 0);
  try {
    assert.equal(k.load_world(w.program), 0, k.last_error());
    const threads = (opts.count ?? 100_000) + 1 + (opts.victimThreads ?? 4) +
      (opts.sharer && opts.sharer !== "none" ? 1 : 0);
    assert.equal(k.task_count(), threads + 1, "every thread, plus the oom_reaper");
    assert.equal(k.ext_start(w.caller), 0);
    // run() hands over the caller before returning 0, so the end-of-run invariant check
    // (quadratic in a world this size) never runs here.
    assert.equal(k.run(k.horizon_ns()), w.caller);
    assert.equal(k.signal_group_exit(w.victim), 1, "the t = 0 kill landed");
    const before = taskInfo(k, w.caller)!.cpu_time_ns;
    const answer = k.task_will_free_mem(w.caller, w.victim);
    assert.equal(k.ext_yield(w.caller), 0);
    const charged = taskInfo(k, w.caller)!.cpu_time_ns - before;
    return { w, answer, charged, walked: w.processes + 1 };
  } finally {
    k.free();
  }
}

Deno.test("100,000 processes and a live sharer last: the walk visits all, answers 0", () => {
  const { w, answer, charged, walked } = walkOnce({ count: 100_000, sharer: "alive" });
  assert.equal(w.willFreeMem, 0);
  assert.equal(answer, 0);
  assert.ok(
    charged >= walked * TWFM_NS_PER_PROCESS && charged < walked * TWFM_NS_PER_PROCESS + 5_000,
    `charged ${charged} ns for ${walked} processes`,
  );
});

Deno.test("every sharer dying (or none): the walk answers 1", () => {
  for (const sharer of ["dying", "none"] as const) {
    const { answer, charged, walked } = walkOnce({ count: 2_000, sharer });
    assert.equal(answer, 1, sharer);
    assert.ok(charged >= walked * TWFM_NS_PER_PROCESS, `${sharer}: charged ${charged} ns`);
  }
});

Deno.test("the generator refuses sizes it cannot honour", () => {
  // One victim thread would make mm_users 1: task_will_free_mem would not walk at all.
  assert.throws(() => bigWorld({ count: 1, victimThreads: 1 }), RangeError);
  assert.throws(() => bigWorld({ count: -1 }), RangeError);
});
