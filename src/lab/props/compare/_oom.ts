/**
 * The classes of a world where the kernel's OOM killer chose the target before the call (an
 * `oom_kill` event, the generator's `LookPlan.oom_kill_pm`): what each design makes of the
 * marks it leaves on the mm, MMF_OOM_VICTIM (before v6.0) and MMF_OOM_SKIP once its
 * oom_reaper is done. Selected through the records (`answers["oom-skip"]`,
 * `skipsOomVictim`, `rechecksOomSkip`).
 *
 * @module
 */

import { kernelFeatures } from "../../../core/mod.ts";
import { type DifferenceClass, ret, STOPPED, WENT_AHEAD } from "./class.ts";
import {
  answered,
  anyDesign,
  notExpeditesKthread,
  reaps,
  rechecksOn,
  skipsOomVictim,
} from "./targets.ts";
import { freedNothing } from "./facts.ts";

/** What the OOM killer leaves behind. */
export const OOM: readonly DifferenceClass[] = [
  {
    id: "oom-skip-answers",
    title: "an mm the oom_reaper is done with: 0, EBUSY or EINVAL, each design in its words",
    explanation: "The oom_reaper sets MMF_OOM_SKIP on the OOM victim's mm when it has reaped " +
      "it, or given up after MAX_OOM_REAP_RETRIES (mm/oom_kill.c oom_reap_task(), §B.4); " +
      "it starts at once before v5.18 and OOM_REAPER_DELAY after the kill from " +
      "e4a38402c36e, so a call after that can find the flag. " +
      "task_will_free_mem() then calls the target not dying (§B.2): SYNC_REAP_MM answers " +
      "EBUSY (§A.1), process_reap EINVAL (§A.3) and the expedite flag EBUSY (its sharer " +
      "walk, §A.5); process_mrelease treats it as work already done and answers 0 " +
      "(`ret = mm_flags_test(MMF_OOM_SKIP, mm) ? 0 : -EINVAL`, §A.4.3 step 5), as do REAP_KILL " +
      "and the designs built on process_mrelease; the proposal's process_madvise answers 0 " +
      '("Already being reclaimed", §A.2 step 7).',
    separates: [anyDesign, anyDesign],
    explains: ["ret"],
    matches: (f, a, b, who) => f.oomReaperDue && answered("oom-skip", a, b, who),
  },
  {
    id: "oom-skip-from-history",
    title:
      "an mm history left with MMF_OOM_SKIP: nobody reaps it, each design answers in its words",
    explanation: "The world's mm `flags` give the target's mm MMF_OOM_SKIP from the start (a " +
      "reaper that finished with it, an OOM kill that found init sharing the mm and set the " +
      "flag instead of reaping: mm/oom_kill.c __oom_kill_process()). Every reaping path " +
      "refuses such an mm (task_will_free_mem(), §B.2; the re-check under mmap_lock, §A.4.3), " +
      "so no design frees anything in its call, but each tests the flag at its own point " +
      "beside its dying test and its kill: process_mrelease reads it as work already done " +
      "and answers 0 even for a target that is not dying (`Error only if the work has not " +
      "been done already`, §A.4.3 step 5), the proposal's process_madvise answers EINVAL " +
      "for a target not dying before it looks at the flag and 0 after (§A.2 step 7), " +
      "process_reap EINVAL (§A.3), SYNC_REAP_MM and the expedite flag kill and then answer " +
      "EBUSY (§A.1), REAP_KILL kills and skips the walk (0). The answers, and whether the " +
      "call's own kill went out (and what the kill and the tests cost the caller), differ; " +
      "the memory comes back only through the victim's own exit, after whichever kill " +
      "there was.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    // Both calls reaped nothing (a /proc read by the caller thread itself may still end in
    // its context with the mm's last mmput: not the call's doing); at least one gave one of
    // the flag's own answers (the other may have stopped earlier, at a check of its own
    // that another class names).
    matches: (f, a, b) =>
      f.oomSkipAtStart &&
      [a, b].every((o) => freedNothing(f, o)) &&
      [a, b].some((o) => ["0", "EINVAL", "EBUSY", ...STOPPED].includes(ret(o))),
  },
  {
    id: "oom-victim-left-to-the-reaper",
    title: "before v6.0 SYNC_REAP_MM and process_madvise leave an OOM victim to the oom_reaper",
    explanation: "reap_mm() (§A.1 step 4) and the proposal's process_madvise (§A.2 step 7) " +
      "answer 0 without any work when the mm is an OOM victim's (mm_is_oom_victim(): " +
      "MMF_OOM_VICTIM, which mark_oom_victim() set and b3541d912a84 removed in v6.0, §F.4): " +
      '"Already being reclaimed". The oom_reaper kthread frees it then (§B.4), while every ' +
      "other reaping call walks the mm itself in the caller's context (answering EAGAIN " +
      "where a notifier refuses): the same pages, freed by the kthread at its own pace " +
      "instead of by the caller, or by whichever of the two gets there first, with the " +
      "walking caller paying for its walk either way.",
    separates: [skipsOomVictim, reaps],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.oomKillAt !== null && kernelFeatures(f.kernel).has_mmf_oom_victim &&
      ret(a) === "0" && freedNothing(f, a) &&
      WENT_AHEAD.includes(ret(b)) &&
      (b.memory.freed_by.caller > 0 || ret(b) === "EAGAIN" ||
        b.cpu_ns.caller > a.cpu_ns.caller + f.overheadNs),
  },
  {
    id: "oom-reaper-gives-up-during-the-wait",
    title: "the oom_reaper sets MMF_OOM_SKIP while the call waits for mmap_lock",
    explanation: "A call that waits for mmap_read_lock behind a writer can see the oom_reaper " +
      "give up on the same mm meanwhile (its mmap_read_trylock() fails " +
      'MAX_OOM_REAP_RETRIES times, then "oom_reaper: unable to reap" and MMF_OOM_SKIP, ' +
      "mm/oom_kill.c oom_reap_task(), §B.4). A call that re-checks MMF_OOM_SKIP under the " +
      "lock (ba535c1caf3e, v5.17, and the designs posted after it, §A.4.1) answers 0 " +
      "having done nothing; one that does not (v9 as merged, 337546e83fc7 on 5.15-5.16, " +
      "process_reap, SYNC_REAP_MM) reaps the mm in the caller's context once it gets the " +
      "lock, and may still be at it when the run ends.",
    separates: [reaps, (t) => reaps(t) && notExpeditesKthread(t)],
    explains: ["ret", "freed", "paid", "time"],
    // The re-checking call freed nothing, nor did the oom_reaper (it gave up).
    matches: (f, a, b, who) =>
      f.oomKillAt !== null && !rechecksOn(who[0], f.kernel) && rechecksOn(who[1], f.kernel) &&
      ret(b) === "0" && b.memory.freed_by.caller === 0 && b.memory.freed_by.kthreads === 0 &&
      WENT_AHEAD.includes(ret(a)) && a.memory.freed_by.caller > 0,
  },
  {
    id: "oom-reaper-joins-the-reap",
    title: "the OOM killer's oom_reaper wakes during a reaping call and reaps the same mm",
    explanation: "The OOM killer queued its oom_reaper before the call (queue_oom_reaper(): at " +
      "once before v5.18, after OOM_REAPER_DELAY from e4a38402c36e, §B.4). When it wakes " +
      "while a reaping call is still walking, both walk the mm under mmap_read_lock, and " +
      "neither stops the other: process_mrelease and process_reap set no MMF_OOM_SKIP of " +
      "their own (§A.4.3, §A.3), and __oom_reap_task_mm() skips only what is already " +
      "unmapped (§B.3); SYNC_REAP_MM sets MMF_OOM_SKIP before its walk (§A.1 step 5), so " +
      "the kthread that wakes during it finds the flag and leaves the mm alone. " +
      "Which pages the caller frees and which the kthread frees depends on where each " +
      "call's walk is when the kthread starts, so two reaping designs split the same mm " +
      "differently between the caller and the kthread.",
    separates: [reaps, reaps],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      f.oomKillAt !== null && WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      a.memory.freed_by.caller > 0 && b.memory.freed_by.caller > 0 &&
      (a.memory.freed_by.kthreads > 0 || b.memory.freed_by.kthreads > 0),
  },
];
