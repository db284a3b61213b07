/**
 * Baseline: SIGKILL alone. The memory comes back only when the victim itself runs its
 * exit path (kernel/exit.c do_exit → exit_mm → mmput → exit_mmap), on its own CPU and at
 * its own priority, however long it sleeps first.
 *
 * @module
 */

import { type Design, SIGKILL } from "../src/core/mod.ts";

/** kill(pid, SIGKILL), and wait. */
export const sigkill: Design = {
  name: "sigkill",
  call: "kill(pid, SIGKILL)",
  summary: "Kill and wait: the victim frees its own memory when it runs do_exit.",
  date: "1991-09",
  status: "baseline",
  lore: "torvalds/linux:kernel/exit.c",
  kernelBase: "any",
  kind: "baseline",
  reaper: "victim",
  killsInCall: true,
  defaults: {},
  stock: "self",
  listedAs: "SIGKILL alone",
  victimArg: "pid",
  answers: {
    "leader-past-exit-mm": ["0", "killed"],
    "past-exit-mm": ["0", "EPERM"],
    "init": ["0", "EPERM"],
    "kthread": ["0", "EPERM"],
    "no-kill-permission": ["EPERM"],
    "oom-skip": ["0", "EPERM"],
  },
  *recipe(u, ctx) {
    return yield* u.kill(ctx.victim, SIGKILL);
  },
};
