/**
 * Baseline: the kernel's own OOM killer and oom_reaper kthread (mm/oom_kill.c,
 * reference §B.4). Only OOM-killer victims get it: __oom_kill_process sends SIGKILL,
 * mark_oom_victim, and queue_oom_reaper, which (from v5.18) waits OOM_REAPER_DELAY before
 * the kthread trylocks mmap_lock and reaps.
 *
 * @module
 */

import type { Design } from "../src/core/design.ts";

/** The page allocator's OOM path picks the victim in the caller's context. */
export const oom_reaper: Design = {
  name: "oom_reaper",
  call: "out_of_memory() → oom_kill_process(victim)",
  summary: "The kernel's OOM killer: SIGKILL plus the oom_reaper kthread, after its delay.",
  date: "2016-03",
  status: "baseline (kernel)",
  lore: "torvalds/linux:mm/oom_kill.c",
  kernelBase: "any",
  kind: "baseline",
  reaper: "kthread",
  killsInCall: true,
  defaults: {},
  // deno-lint-ignore require-yield
  *recipe(u, ctx) {
    const signalled = u.oom_kill_process(ctx.victim);
    return signalled < 0 ? signalled : 0;
  },
};
