/**
 * The classes of concurrency and of the limits of a run: a second caller, a killed caller,
 * calls still running at the horizon, and the scheduler's and the recipes' own noise.
 *
 * @module
 */

import { type DifferenceClass, near, ret, sameFreedBy, WENT_AHEAD } from "./class.ts";
import { anyDesign, leavesOomSkip, reaps, setsOomSkip } from "./targets.ts";

/** Concurrency, and the limits of a run. */
export const CONCURRENCY: readonly DifferenceClass[] = [
  // ---- concurrency, and the limits of a run ----
  {
    id: "sync-reap-mm-sets-oom-skip",
    title:
      "SYNC_REAP_MM sets MMF_OOM_SKIP: a concurrent caller gets EBUSY where the others all reap",
    explanation: "reap_mm() sets MMF_OOM_SKIP before it reaps, to keep the OOM killer and other " +
      "SYNC_REAP_MM callers away (§A.1 step 5); task_will_free_mem() then answers false for " +
      "everyone else, so a second caller that comes first leaves this one with EBUSY. " +
      "process_reap and process_mrelease never set it, and concurrent callers all reap in " +
      "parallel (§A.3, §A.4.5).",
    separates: [setsOomSkip, leavesOomSkip],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) => f.secondCaller && ret(a) === "EBUSY" && WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "second-caller",
    title:
      "a second caller runs the same recipe: each design shares, races or refuses the work differently",
    explanation: "With `intent.also` a second thread of the memory killer makes the same call " +
      "a little later. SYNC_REAP_MM's MMF_OOM_SKIP turns whichever comes second away with " +
      "EBUSY (§A.1); process_reap, process_mrelease and REAP_KILL reap in parallel and " +
      "split the pages, and whichever drops the last mm_users reference runs exit_mmap " +
      "(§A.4.5); process_madvise zaps again; kill(2) just kills twice. Which of the two " +
      "threads runs first is a scheduler choice, and each design's call sequence draws the " +
      "choice list differently, so the order itself, and with it when everyone else runs, " +
      "can differ. The second caller's pages are counted in `memory.freed_by.other`, and " +
      "its SIGKILL in `signal_delivered`. This is the coarsest class: in such a world it " +
      "accounts for any difference.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f) => f.secondCaller,
  },
  {
    id: "caller-killed-mid-call",
    title: "the memory killer is killed while its reaping call runs",
    explanation: "When the caller's own process gets SIGKILL (`killed_after`), kill(2) and the " +
      "OOM killer have long returned; a reaping call that is still walking the mm or " +
      "waiting for mmap_lock dies before it returns (process_mrelease's and REAP_KILL's " +
      "mmap_read_lock_killable answer EINTR first, §A.4.2 step 9; SYNC_REAP_MM's, " +
      "process_reap's and process_madvise's locks are not killable, §B.6). Recipes of " +
      "different lengths die at different points (before or after their own SIGKILL, " +
      "before or after the reap), and what the caller had not done is left undone.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.callerKilled && ["killed", "EINTR"].includes(ret(b)) &&
      (ret(a) !== ret(b) || ret(a) === "killed"),
  },
  {
    id: "unfinished-at-horizon",
    title: "the reaping call has not returned when the run ends",
    explanation: "A reaping call can outlast the run: it waits for mmap_lock behind a D-state " +
      "writer or a queued exit_mmap (SYNC_REAP_MM, process_madvise and process_reap with a " +
      "lock that is not even killable, §B.6), or it is still walking a large mm on a slow " +
      "CPU. kill(2) and the OOM killer return at once; a design that refused or found " +
      "nothing to wait for returned too. What the unfinished call has not yet freed, the " +
      "finished one may have (or the victim's exit beside it, which on a CPU it shares " +
      "with the background load can itself outlast the run), so what each freed, who " +
      "paid and when the last page came back differ with it.",
    separates: [anyDesign, reaps],
    explains: ["ret", "freed", "paid", "time"],
    matches: (_f, a, b) => ret(a) !== "unfinished" && ret(b) === "unfinished",
  },
  {
    id: "both-unfinished",
    title: "both calls are still reaping when the run ends: each got as far as its walk",
    explanation: "Two calls still walking the mm (or waiting for it) at the horizon have freed " +
      "what their walks reached, and the victim's exit_mmap running alongside them what it " +
      "reached: the VMA order (forward, or reverse from 6.18), the skip rules (§B.3, §A.2), " +
      "when each got mmap_lock and whether it pinned mm_users decide how much.",
    separates: [reaps, reaps],
    explains: ["freed", "paid", "time"],
    matches: (_f, a, b) => ret(a) === "unfinished" && ret(b) === "unfinished",
  },
  {
    id: "cut-off-by-the-horizon",
    title:
      "neither run got the memory back before the horizon: how much each freed by then is progress",
    explanation: "When the run ends with the victim's memory still coming back in both runs " +
      "(t100 never reached), `freed_pages` and who freed them measure how far each context " +
      "got by then: the caller's walk, the victim's exit_mmap, a /proc reader's teardown " +
      "(§B.5). " +
      "Every other difference (who works, on which CPU, at what cost per page, waiting for " +
      "which lock) moves that point.",
    separates: [anyDesign, anyDesign],
    explains: ["freed", "paid"],
    matches: (_f, a, b) =>
      a.memory.t100_ns === null && b.memory.t100_ns === null &&
      (a.memory.freed_pages > 0 || b.memory.freed_pages > 0),
  },
  {
    id: "scheduler-choices",
    title: "the same work on another CPU: the scheduler's choices fall differently for each design",
    explanation: "Which idle CPU a woken task moves to, and which of equally ranked tasks runs " +
      "next, are drawn from one choice list (docs/architecture.md, the scheduler; the " +
      "reference's calibration, §E.4, makes a little core several times slower); each " +
      "design's call sequence makes a different number of draws, so the same world can put " +
      "the caller on a faster or slower CPU. The same pages freed in the same contexts then " +
      "cost the caller a different amount of CPU time and come back at another time.",
    separates: [anyDesign, anyDesign],
    explains: ["paid", "time"],
    matches: (f, a, b) =>
      f.callerMayMove && ret(a) === ret(b) && a.memory.freed_pages === b.memory.freed_pages &&
      sameFreedBy(a, b),
  },
  {
    id: "call-overhead",
    title: "the recipes differ by a syscall or a check: the same work, microseconds apart",
    explanation: "Every design does the same thing to the world but with its own calls: SIGKILL " +
      "alone is one kill(2); the two-step designs open a pidfd, send SIGKILL through it and " +
      "then make their call; SYNC_REAP_MM and REAP_KILL kill inside their one call; " +
      "find_lock_task_mm and task_will_free_mem walk threads and processes (§B.1, §B.2). " +
      "The same pages freed in the same contexts with the caller's CPU time within " +
      "OVERHEAD_NS (100 µs on a full-speed CPU, scaled to the slowest CPU of the world) is " +
      "that overhead and nothing else, whatever the calls answered.",
    separates: [anyDesign, anyDesign],
    explains: ["paid"],
    matches: (f, a, b) =>
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b) &&
      near(f, a.cpu_ns.caller, b.cpu_ns.caller),
  },
  {
    id: "call-overhead-time",
    title: "the same pages freed in the same contexts, the last one microseconds apart",
    explanation: "The other face of call-overhead: one recipe's extra syscalls and checks " +
      "(§B.1, §B.2) shift when the work starts, so the last page comes back within " +
      "OVERHEAD_NS (scaled to the slowest CPU) of the other's.",
    separates: [anyDesign, anyDesign],
    explains: ["time"],
    matches: (f, a, b) =>
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b) &&
      near(f, a.memory.t100_ns, b.memory.t100_ns),
  },
];
