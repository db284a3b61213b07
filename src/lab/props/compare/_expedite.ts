/**
 * The classes of a kill that hands the mm to the oom_reaper kthread (the expedite flag's
 * `oom-reaper` reading, proposals/pidfd_expedite.ts): the kthread frees the memory instead of
 * the caller, the call answers before any reap, and the kthread's wake-up has no
 * OOM_REAPER_DELAY where the OOM killer's has one.
 *
 * @module
 */

import { kernelFeatures } from "../../../core/mod.ts";
import type { CaseFacts } from "./facts.ts";
import { type DifferenceClass, nestedContexts, ret, WENT_AHEAD } from "./class.ts";
import { expeditesKthread, notExpeditesKthread, oomKiller, reaps } from "./targets.ts";

/** OOM_REAPER_DELAY on the world's kernel (e4a38402c36e, v5.18: 0 before, §B.4). */
const oomReaperDelayNs = (f: CaseFacts): number => kernelFeatures(f.kernel).oom_reaper_delay_ns;

/** When the last page came back, or never. */
const t100 = (t: number | null): number => t ?? Infinity;

/** The kthread's expedite: who frees, what the call answers, when the kthread wakes. */
export const EXPEDITE: readonly DifferenceClass[] = [
  {
    id: "expedite-kthread-frees",
    title: "the expedite's oom_reaper kthread frees the memory instead of the caller",
    explanation: "The oom-reaper reading of the expedite flag (derived, §A.5, §C.5) kills, " +
      "marks the victim (mark_oom_victim, its mmgrab) and queues the oom_reaper kthread, as " +
      "__oom_kill_process() does (§B.4), and returns: the kthread reaps in its own context " +
      "with mmap_read_trylock and retries, so the pages are charged to it and come back when " +
      "it runs. A reaping design frees them in the caller's context, SIGKILL alone leaves " +
      "them to the victim's exit, and a design whose call stops (EBUSY, ESRCH) queues nothing. " +
      "Where the victim's exit gets to the pages before the kthread does, the victim frees " +
      "what a reaping design's caller would have; where a kthread already queued (the OOM " +
      "killer's, before the call) gets there first, a reaping design's caller still pays " +
      "for its walk over the emptied mm.",
    separates: [expeditesKthread, notExpeditesKthread],
    explains: ["freed", "paid", "time"],
    // The kthread freed another amount or at another time; or the other design's caller
    // reaped while this call, which reaps nothing itself, left the pages to the kthread or
    // to the victim's exit that got there first; or it walked an mm the kthread emptied.
    matches: (f, a, b, who) =>
      a.memory.freed_by.kthreads !== b.memory.freed_by.kthreads ||
      (a.memory.freed_by.kthreads > 0 && a.memory.t100_ns !== b.memory.t100_ns) ||
      (a.memory.freed_by.caller === 0 && b.memory.freed_by.caller > 0) ||
      (a.memory.freed_by.caller === 0 && reaps(who[1]) && WENT_AHEAD.includes(ret(b)) &&
        b.cpu_ns.caller > a.cpu_ns.caller + f.overheadNs),
  },
  {
    id: "expedite-answers-before-the-reap",
    title: "the kthread's expedite answers 0 at once: the reap's own answers are not the call's",
    explanation: "The oom-reaper reading queues the kthread and returns 0 (derived, §A.5): " +
      "whatever stops a reap (mmap_read_lock_killable's EINTR, an mmu notifier's EAGAIN, " +
      "the caller killed mid-reap, a reap still running at the horizon) happens in the " +
      "kthread, which retries and gives up silently (§B.4), not in the caller's call as in " +
      "a reaping design (§A.3).",
    separates: [expeditesKthread, reaps],
    explains: ["ret"],
    matches: (_f, a, b) => ret(a) === "0" && WENT_AHEAD.includes(ret(b)) && ret(b) !== "0",
  },
  {
    id: "expedite-reaper-wakeup",
    title: "the kthread the expedite wakes with the kill runs into the victim's own exit",
    explanation: "The oom-reaper reading wakes the oom_reaper kthread with the kill, with no " +
      "OOM_REAPER_DELAY (derived, §A.5). The kthread runs at once, on a CPU the victim's " +
      "exit may need, takes mmap_read_trylock and retries (§B.4); before v6.0 " +
      "mark_oom_victim() also makes the victim's exit_mmap reap itself first (MMF_OOM_VICTIM, " +
      "§B.5). When the kthread frees nothing itself (the victim's exit got there first, or " +
      "the mm is busy), its wake-up still moves the victim's exit: the same contexts free " +
      "the memory, at another time or in another amount by the horizon.",
    separates: [expeditesKthread, notExpeditesKthread],
    explains: ["freed", "paid", "time"],
    // The call queued the kthread (it answered 0 after its kill, or after a SIGKILL another
    // actor had already made pending: then its own is not generated again), the kthread
    // freed nothing, and the victim's own exit came back at another time or freed another
    // amount.
    matches: (f, a, b) =>
      ret(a) === "0" && (a.signal_delivered || f.mayHaveExited) &&
      a.memory.freed_by.kthreads === 0 &&
      b.memory.freed_by.kthreads === 0 && nestedContexts(a, b) &&
      (a.memory.t100_ns !== b.memory.t100_ns || a.memory.freed_pages !== b.memory.freed_pages),
  },
  {
    id: "expedite-skips-oom-reaper-delay",
    title: "the expedite wakes the oom_reaper at once; the OOM killer's waits OOM_REAPER_DELAY",
    explanation: "From e4a38402c36e (v5.18) queue_oom_reaper() arms a timer of " +
      "OOM_REAPER_DELAY (2 s) before the kthread may reap (§B.4); the oom-reaper reading of " +
      "the expedite flag skips the delay (derived: the point of expediting) and wakes the " +
      "kthread with the kill, so its pages come back when the kthread is next scheduled, " +
      "seconds before the OOM killer's. Before v5.18 both wake it at once.",
    separates: [expeditesKthread, oomKiller],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      oomReaperDelayNs(f) > 0 && a.memory.freed_by.kthreads > 0 &&
      t100(a.memory.t100_ns) < t100(b.memory.t100_ns),
  },
];
