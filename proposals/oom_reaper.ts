/**
 * Baseline: the kernel's own OOM killer and oom_reaper kthread (mm/oom_kill.c,
 * reference §B.4). Only OOM-killer victims get it: __oom_kill_process sends SIGKILL,
 * mark_oom_victim, and queue_oom_reaper, which (from v5.18) waits OOM_REAPER_DELAY before
 * the kthread trylocks mmap_lock and reaps.
 *
 * @module
 */

import type { Design } from "../src/core/mod.ts";

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
  marksOomVictim: true,
  // mark_oom_victim() mmgrab()s the victim's mm into signal->oom_mm for the kthread.
  pins: "mm_count",
  defaults: {},
  listedAs: "the kernel's oom_reaper",
  killsSharers: { by: "__oom_kill_process()", ref: "§B.4" },
  victimArg: "pid",
  findsMm: "find_lock_task_mm",
  dyingTest: "task_will_free_mem",
  answers: {
    "leader-past-exit-mm": ["0", "killed"],
    "past-exit-mm": ["ESRCH"],
    "no-kill-permission": ["0"],
    "oom-skip": ["0"],
  },
  races: [
    { race: "f6-robust-futex", kernel: "5.15", buggy: true },
    { race: "f6-robust-futex", kernel: "6.18", buggy: false },
  ],
  // deno-lint-ignore require-yield
  *recipe(u, ctx) {
    const signalled = u.oom_kill_process(ctx.victim);
    return signalled < 0 ? signalled : 0;
  },
};
