/**
 * The classes of the designs that kill and reap in one call (REAP_KILL and its versions, the
 * expedite flag's readings, SYNC_REAP_MM): where in the call the SIGKILL lands relative to
 * the pin and the preemption point, and what REAP_KILL's versions before v3 do with a mm
 * another process shares.
 *
 * @module
 */

import { type DifferenceClass, ret, WENT_AHEAD } from "./class.ts";
import { anyDesign, oneCall, sharersNotYet } from "./targets.ts";

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
      "split between the caller's reap and the victim's exit differently; and where the run " +
      "ends before one side's exit has finished (a slow CPU, a short horizon), what only an " +
      "exit frees (hugetlb, which no reaper takes) is counted on the other side alone.",
    separates: [oneCall, oneCall],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (_f, a, b) =>
      WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      (a.memory.freed_pages === b.memory.freed_pages ||
        [a, b].some((o) => o.memory.t100_ns === null)) &&
      [a, b].every((o) => o.memory.freed_by.kthreads === 0 && o.memory.freed_by.other === 0),
  },
  {
    id: "exit-or-reap-first-in-one-call",
    title:
      "two kill-and-reap calls: the victim's exit reaches the mm first on one, the caller on the other",
    explanation: "Each one-call design sends its SIGKILL at its own point of the call " +
      "(kill-placement-in-one-call), so on the same world the woken victim's exit may reach " +
      "its mm before one caller's walk and after the other's. Before v6.0 the expedite " +
      "flag's readings also mark their victim as __oom_kill_process() does (mark_oom_victim(), " +
      "derived, §C.5), and exit_mmap of an MMF_OOM_VICTIM mm reaps itself first and sets " +
      "MMF_OOM_SKIP (27ae357fa82b..bf3980c85212, §B.5); on 5.10-5.16 a walk that overlaps an " +
      "exit unmapping without mmap_lock reads the freed VMAs (WARN vma_use_after_free, a break " +
      "the one-call designs declare). Either way one call's caller frees nothing and the " +
      "victim's exit frees the memory, while the other's caller reaps it: the same answer, " +
      "other hands and times, and what only an exit frees (hugetlb, which no reaper takes) " +
      "counted only where the exit finished within the run.",
    separates: [oneCall, oneCall],
    explains: ["freed", "paid", "time"],
    matches: (_f, a, b) => {
      const exitFirst = (o: typeof a) =>
        o.memory.freed_by.caller === 0 && o.memory.freed_by.victim > 0;
      return WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
        [a, b].some(exitFirst) && [a, b].some((o) => o.memory.freed_by.caller > 0);
    },
  },
  {
    id: "reap-kill-shared-mm-before-v3",
    title:
      "REAP_KILL v1 and v2 refuse a shared mm before they kill, or v2 reaps under a vfork child",
    explanation: "Before v3 killed every sharer (§A.5), v1 asked task_will_free_mem(p, " +
      "reap_kill) of the other processes sharing the mm and answered EINVAL, before any " +
      "kill, for a live one (derived); v2 skipped that walk (`reap = reap_kill || ...`) and " +
      "answered EINVAL, before any kill, when the mm had MMF_MULTIPROCESS, which only a " +
      "clone(CLONE_VM) without CLONE_THREAD or CLONE_VFORK sets and nothing clears " +
      "(kernel/fork.c copy_oom_score_adj(); errata.md): even a CLONE_VM sibling that is " +
      "already dying stops it, and a vfork child does not, so v2 kills the victim alone and " +
      "reaps memory the child still runs on (WARN zap_live_sharer). Neither has v3's " +
      "is_global_init() test: init's SIGKILL is dropped (§A.0) and its memory reaped under " +
      "it, the same WARN, where v3 answers EBUSY. The other designs kill " +
      "first (a two-step recipe, SIGKILL alone), refuse with their own errno, or kill the " +
      "sharers too.",
    separates: [sharersNotYet, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a) =>
      (f.sharer && ret(a) === "EINVAL") ||
      ((f.sharer || f.target === "init") && WENT_AHEAD.includes(ret(a)) &&
        a.warnings.some((w) => w.name === "zap_live_sharer")),
  },
  {
    id: "sigkill-already-pending",
    title: "a one-call design's own SIGKILL finds another actor's still pending",
    explanation: "When another actor has just killed the target (§A.0), a second SIGKILL that " +
      "arrives before the target has dequeued the first is ALREADY_PENDING, not delivered " +
      "(kernel/signal.c prepare_signal()/legacy_queue(); on 5.17/5.18 a repeated SIGKILL is " +
      "still queued until 9a95f78eab70, errata.md). kill(2) and the two-step recipes send " +
      "theirs at the intent; SYNC_REAP_MM, REAP_KILL's versions and the expedite readings " +
      "send theirs after their lookups, each at its own point of the call, so on the same " +
      "world one lands while the first is pending and another after it was taken: the call " +
      "went ahead all the same, only the trace's `signal_generate` result differs.",
    separates: [oneCall, anyDesign],
    explains: ["signal"],
    matches: (f, a, b) =>
      f.mayHaveExited && !a.signal_delivered && b.signal_delivered &&
      WENT_AHEAD.includes(ret(a)),
  },
  {
    id: "reap-kill-kill-finds-no-process",
    title: "REAP_KILL v1 and v2 kill the victim by pid after their lookups: ESRCH once it is gone",
    explanation: "v1 and v2 send their SIGKILL with kill_pid(task_tgid(task), SIGKILL, 0) after " +
      "find_lock_task_mm(), the pin and the dying test (§A.5); a target that was already " +
      "exiting can have been released in between, and the kill answers ESRCH, which the call " +
      "returns without reaping (derived). v3 walks the processes that share the mm instead " +
      "and finds none to kill, so it goes on (0); the other designs answer for their own " +
      "lookups (exited-target).",
    separates: [sharersNotYet, anyDesign],
    explains: ["ret"],
    matches: (f, a, b) =>
      f.mayHaveExited && ret(a) === "ESRCH" && a.memory.freed_pages === b.memory.freed_pages,
  },
];
