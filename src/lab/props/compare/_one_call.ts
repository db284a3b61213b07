/**
 * The classes between two designs that both kill and reap in one call (REAP_KILL and its
 * versions, the expedite flag's readings, SYNC_REAP_MM): where in the call the SIGKILL lands
 * relative to the pin and the preemption point.
 *
 * @module
 */

import { type DifferenceClass, ret, WENT_AHEAD } from "./class.ts";
import { oneCall } from "./targets.ts";

/** Two one-call designs, each with its own order of kill, pin and lock. */
export const ONE_CALL: readonly DifferenceClass[] = [
  {
    id: "kill-placement-in-one-call",
    title: "two kill-and-reap calls send their SIGKILL at different points of the call",
    explanation: "SYNC_REAP_MM kills first and pins after (§A.1); REAP_KILL pins under " +
      "task_lock, drops it (a preemption point) and kills after, going straight on to " +
      "mmap_lock (§A.5 v1-v3); the expedite flag's readings kill and pin under task_lock, " +
      "as __oom_kill_process() does, and meet the preemption point after the kill (derived, " +
      "§C.5). The victim wakes to its SIGKILL earlier or later relative to the caller's " +
      "lock, so on the same world a woken victim that shares the caller's CPU may run its " +
      "exit first (exit_mmap under the write lock from 5.17, §B.5: the call then finds " +
      "MMF_OOM_SKIP and answers 0 where the other answers 0 or EAGAIN for a refusing " +
      "notifier) or only part of it (on 5.10-5.16 with no lock at all), " +
      "or its repeated SIGKILL finds the first still pending: the same pages come back, " +
      "split between the caller's reap and the victim's exit differently.",
    separates: [oneCall, oneCall],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (_f, a, b) =>
      WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      a.memory.freed_pages === b.memory.freed_pages &&
      [a, b].every((o) => o.memory.freed_by.kthreads === 0 && o.memory.freed_by.other === 0),
  },
];
