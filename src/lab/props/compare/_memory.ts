/**
 * The classes of the victim's memory: who frees which pages, and when (the caller, the
 * victim's exit, the oom_reaper kthread, a sharer), with the kernel's version features from
 * the core (`kernelFeatures`) and the pins each variant takes (`pinRank`).
 *
 * @module
 */

import { kernelFeatures } from "../../../core/mod.ts";
import type { CaseFacts } from "./facts.ts";
import {
  type DifferenceClass,
  KILLED,
  nestedContexts,
  ret,
  sameContexts,
  sameFreedBy,
  WENT_AHEAD,
} from "./class.ts";
import {
  answering,
  anyDesign,
  groupExitOnly,
  killsOnly,
  madvZap,
  marksNoOomVictim,
  marksOomVictim,
  mayPinMmCount,
  mayPinMmUsers,
  mayRecheck,
  mayWalkExitedMm,
  notGroupExitOnly,
  notOomKiller,
  notReapZap,
  oneCall,
  oomKiller,
  pinRank,
  reaps,
  reapZap,
  twoStep,
} from "./targets.ts";

/** OOM_REAPER_DELAY on the world's kernel (e4a38402c36e, v5.18: 0 before, §B.4). */
const oomReaperDelayNs = (f: CaseFacts): number => kernelFeatures(f.kernel).oom_reaper_delay_ns;

/** The memory: who frees which pages, and when. */
export const MEMORY: readonly DifferenceClass[] = [
  // ---- the memory: who frees which pages, and when ----
  {
    id: "caller-pays",
    title: "reaping designs free in the caller's context, SIGKILL alone when the victim runs",
    explanation: "A reaping design's call unmaps the victim's private memory in the caller's " +
      "context, on the caller's CPU and at its priority, as soon as it gets mmap_lock " +
      "(§A.1–§A.5, the 2019 RFC's motivation, §E.4); with SIGKILL alone the pages come back " +
      "only when the victim itself runs exit_mmap, however long it sleeps first, and never " +
      "when it cannot exit. The pages, who freed them, the caller's CPU time and the time of " +
      "the last page all differ.",
    separates: [killsOnly, reaps],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      KILLED.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      (b.memory.freed_by.caller > a.memory.freed_by.caller ||
        b.cpu_ns.caller > a.cpu_ns.caller + f.overheadNs ||
        (b.memory.freed_by.caller > 0 &&
          (b.memory.t100_ns ?? Infinity) < (a.memory.t100_ns ?? Infinity))),
  },
  {
    id: "oom-reaper-kthread",
    title: "the OOM killer's oom_reaper kthread frees the memory, not the victim or the caller",
    explanation: "__oom_kill_process() marks the victim and queues it for the oom_reaper " +
      "kthread (§B.4), which reaps it in its own context with a trylock and ten retries, " +
      "immediately before v5.18; SIGKILL alone leaves the memory to the victim's exit, and " +
      "a reaping design frees it in the caller's context. (From v5.18 the kthread waits " +
      "OOM_REAPER_DELAY first: see oom-reaper-delay.)",
    separates: [oomKiller, notOomKiller],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      a.memory.freed_by.kthreads > b.memory.freed_by.kthreads ||
      (a.memory.freed_by.kthreads > 0 &&
        (a.memory.t100_ns ?? Infinity) < (b.memory.t100_ns ?? Infinity)) ||
      // From v5.18 the kthread wakes OOM_REAPER_DELAY after the kill, into a teardown
      // still under way, and competes with it for the CPU and mmap_lock.
      (oomReaperDelayNs(f) > 0 && sameContexts(a, b) &&
        Math.max(a.memory.t100_ns ?? 0, b.memory.t100_ns ?? 0) >= oomReaperDelayNs(f)),
  },
  {
    id: "oom-reaper-delay",
    title:
      "the oom_reaper waits OOM_REAPER_DELAY from v5.18: a reaping design has long freed the memory",
    explanation: "From e4a38402c36e (v5.18) queue_oom_reaper() arms a timer of " +
      "OOM_REAPER_DELAY (2 s) before the kthread may reap, to leave the victim time for its " +
      "robust-futex cleanup (§B.4, §F.6); before v5.18 it reaps at once. A reaping design " +
      "starts in the caller's context at once and has no such delay, so on 5.18+ its pages " +
      "come back seconds earlier than the OOM killer's, when the victim cannot exit by itself.",
    separates: [oomKiller, reaps],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      oomReaperDelayNs(f) > 0 && WENT_AHEAD.includes(ret(b)) && b.memory.freed_by.caller > 0 &&
      a.memory.freed_by.caller === 0 &&
      (a.memory.t100_ns === null || a.memory.t100_ns >= oomReaperDelayNs(f)),
  },
  {
    id: "oom-victim-thawed",
    title: "mark_oom_victim() thaws a frozen victim; SIGKILL alone leaves it frozen",
    explanation: "A frozen task does not act on SIGKILL until it is thawed. The OOM killer's " +
      "mark_oom_victim() thaws it (__thaw_task, §B.4; every thread with thaw_process() " +
      "from ~6.18), and so do the expedite flag's readings, which mark their victim the same " +
      "way (derived, §C.5): the victim exits and frees its " +
      "memory (or lets the last user of the mm do so, in its own context); with SIGKILL " +
      "alone, and after a reaping design's call, it stays frozen with whatever the call " +
      "left. Everything after that moment differs.",
    separates: [marksOomVictim, marksNoOomVictim],
    explains: ["freed", "paid", "time"],
    matches: (f) => f.frozen,
  },
  {
    id: "oom-victim-exit-reaps-itself",
    title:
      "before v6.0 an OOM victim's exit_mmap reaps itself first: private pages first, the whole exit later",
    explanation: "From 27ae357fa82b (v4.17) until bf3980c85212 (v6.0) exit_mmap of an mm " +
      "marked MMF_OOM_VICTIM first runs __oom_reap_task_mm() itself, at the reaper's cost " +
      "per page, sets MMF_OOM_SKIP, then unmaps what is left (§B.5). A victim the OOM " +
      "killer marked therefore frees its private pages before its shared and file mappings, " +
      "and takes longer over the whole exit, than one SIGKILL alone killed (whoever runs that " +
      "exit_mmap: the victim, or a /proc reader's last mmput, in the caller's context or " +
      "not): its last " +
      "private page comes back earlier or later, and a run that ends mid-exit has freed " +
      "another amount.",
    separates: [oomKiller, notOomKiller],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      kernelFeatures(f.kernel).has_mmf_oom_victim &&
      (a.memory.freed_by.caller === b.memory.freed_by.caller || nestedContexts(a, b)) &&
      (a.memory.freed_pages !== b.memory.freed_pages || a.memory.t100_ns !== b.memory.t100_ns ||
        a.cpu_ns.caller !== b.cpu_ns.caller),
  },
  {
    id: "mlocked-memory",
    title: "mlocked memory: reaped from 5.18 only, never by MADV_DONTNEED",
    explanation: "Before a213e5cf71cb (v5.18) __oom_reap_task_mm() skips VM_LOCKED VMAs like " +
      "process_madvise's can_madv_lru_vma() does; from v5.18 the reapers free mlocked " +
      "memory and process_madvise still skips it (§B.3, §A.2 step 8). The mlocked pages " +
      "then come back in the caller's reap or only with the victim's own exit_mmap.",
    separates: [madvZap, reapZap],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      f.mlockedReapablePages > 0 && WENT_AHEAD.includes(ret(a)) &&
      WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "notifier-eagain",
    title: "a refusing mmu notifier: the reapers answer EAGAIN, process_madvise waits and zaps it",
    explanation: "__oom_reap_task_mm() starts the invalidation without blocking and skips a " +
      "VMA whose notifier refuses, answering false (§B.3 steps 4-5): SYNC_REAP_MM, " +
      "process_reap, process_mrelease and REAP_KILL return EAGAIN with that VMA left. " +
      "process_madvise's zap_page_range() uses blocking notifiers and zaps it too (§A.2, " +
      "§B.6), and kill(2) leaves it to the victim's exit.",
    separates: [reapZap, notReapZap],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.refusingVma && ret(a) === "EAGAIN" && [...KILLED, ...WENT_AHEAD].includes(ret(b)),
  },
  {
    id: "reverse-walk",
    title: "from 6.18 the reaper walks the VMAs from the top; MADV_DONTNEED from the bottom",
    explanation: "zhongjinji's 2025 change makes __oom_reap_task_mm() walk the maple tree in " +
      "reverse, to meet exit_mmap from the other end (§B.3, §E.4); process_madvise's " +
      "do_madvise() walks forward. The same VMAs are zapped at the same cost, in another " +
      "order, so the last private page comes back at another time.",
    separates: [madvZap, reapZap],
    explains: ["time"],
    matches: (f, a, b) =>
      kernelFeatures(f.kernel).reap_walks_in_reverse && WENT_AHEAD.includes(ret(a)) &&
      WENT_AHEAD.includes(ret(b)) &&
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b),
  },
  {
    id: "mm-users-pin",
    title:
      "SYNC_REAP_MM/process_reap pin mm_users (mmget): the caller runs exit_mmap; mrelease v5.17+ pins mm_count",
    explanation: "reap_mm(), process_reap and process_madvise's mm_access() take mmget() " +
      "(mm_users) under task_lock (§A.1 step 3, §A.3, §A.2): the victim's last exit_mm then " +
      "cannot start exit_mmap, and the caller's mmput() runs the whole teardown itself. " +
      "process_mrelease from 337546e83fc7 until v5.17 pins the same way with " +
      "mmget_not_zero(), also under task_lock and before task_will_free_mem() (§F.1). " +
      "process_mrelease as " +
      "merged (v9) and from v5.17, and REAP_KILL, pin only mm_count (mmgrab): the victim's " +
      "exit_mmap runs in parallel with the reap and frees its share in its own context " +
      "(§A.4.1, §B.5), competing with it for the CPU and the mm, and once exit_mmap has " +
      "set MMF_OOM_SKIP the call finds nothing left to do (0 where a pinned reap answers " +
      "EAGAIN for a refusing notifier). The same pages come back, paid for by different " +
      "contexts at different times, and a caller left with the teardown of a large mm may " +
      "still be at it when the run ends.",
    separates: [mayPinMmUsers, mayPinMmCount],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      pinRank(who[0], f.kernel) > pinRank(who[1], f.kernel) && WENT_AHEAD.includes(ret(a)) &&
      WENT_AHEAD.includes(ret(b)) &&
      (ret(a) === ret(b) || ret(a) === "unfinished" || ret(b) === "unfinished" ||
        [ret(a), ret(b)].sort().join() === "0,EAGAIN"),
  },
  {
    id: "v9-no-recheck-under-the-lock",
    title:
      "v9 walks an mm that exit_mmap has already unmapped; v5.17+ re-checks MMF_OOM_SKIP under the lock",
    explanation: "ba535c1caf3e (v5.17) made process_mrelease re-check MMF_OOM_SKIP after it " +
      "gets mmap_read_lock, so that a completed exit_mmap is seen and the call answers 0 " +
      "with nothing to do (§A.4.1, §A.4.3 step 8; REAP_KILL shares that tail). v9 as merged " +
      "tests MMF_OOM_SKIP only before the lock (§A.4.2): once the victim's exit_mmap has " +
      "unmapped the mm and set the flag (§B.5) it still walks it, and answers EAGAIN for a " +
      "refusing notifier on a VMA that no longer maps anything. REAP_KILL, run on an older " +
      "kernel, keeps mainline's re-check.",
    separates: [mayWalkExitedMm, mayRecheck],
    explains: ["ret", "paid"],
    matches: (_f, a, b) =>
      ret(a) === "EAGAIN" && ret(b) === "0" && a.memory.freed_pages === b.memory.freed_pages &&
      sameFreedBy(a, b),
  },
  {
    id: "kill-and-lock-in-one-call",
    title: "killing and reaping in one call reaches mmap_lock before the victim's exit_mmap",
    explanation: "SYNC_REAP_MM and REAP_KILL send SIGKILL and take mmap_lock in the same " +
      "syscall (§A.1, §A.5); the two-step recipes kill in one syscall and make their call in " +
      "the next. A victim that dies quickly can reach exit_mmap in between, and then the " +
      "two-step call has nothing to do (MMF_OOM_SKIP under the lock, §A.4.3 step 8; " +
      "every thread past exit_mm: ESRCH): it answers 0 where the one-call design reaps, or " +
      "answers EAGAIN for a refusing notifier. Either may get there first, so the pages " +
      "are split between the caller's reap and the victim's exit differently (and a slow " +
      "caller that got the lock first may still be walking when the run ends). The kill's " +
      "other moment also wakes the victim's threads, and moves the caller, onto other CPUs: " +
      "the same reap costs the caller more on a slower one, and the thread that runs the " +
      "exit may be one on a slow CPU that does not finish within the run, so what only the " +
      "exit frees (hugetlb, which no reaper takes) is counted on the other side alone.",
    separates: [oneCall, twoStep],
    explains: ["ret", "freed", "paid", "time"],
    matches: (_f, a, b) =>
      WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      ((a.memory.freed_by.caller !== b.memory.freed_by.caller &&
        a.memory.freed_by.victim !== b.memory.freed_by.victim) ||
        (ret(a) === "EAGAIN" && ret(b) === "0") ||
        (a.memory.freed_by.caller === b.memory.freed_by.caller &&
          [a, b].some((o) => o.memory.t100_ns === null))),
  },
  {
    id: "exit-mmap-waits-for-the-walk",
    title: "from v5.17 the victim's exit_mmap waits for a reaping call's read lock",
    explanation: "A reaping call walks the mm under mmap_read_lock; from 64591e8605d6 (v5.17) " +
      "exit_mmap unmaps under the write lock (v6.0: frees under it, §B.5), so a victim that " +
      "reaches exit_mmap while the call still walks, even over VMAs it skips (mlocked for " +
      "process_madvise, hugetlb, shared), waits for it: its own share comes back later than " +
      "when nobody held the lock, or not before the run ends when the walk is slow.",
    separates: [reaps, anyDesign],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      kernelFeatures(f.kernel).exit_mmap_shape !== "unlocked" && WENT_AHEAD.includes(ret(a)) &&
      a.memory.freed_by.caller <= b.memory.freed_by.caller &&
      (a.memory.freed_by.victim < b.memory.freed_by.victim ||
        (a.memory.t100_ns ?? Infinity) > (b.memory.t100_ns ?? Infinity)),
  },
  {
    id: "work-without-anon-pages",
    title:
      "swap entries and page-cache pages cost CPU but are not private pages: who did that work shows only in CPU time",
    explanation: "A reap also frees the swap entries of the ranges it zaps and unmaps the " +
      "page-cache pages of private file mappings (§B.3), and exit_mmap tears down shared " +
      "and file mappings too (§B.5); none of that is a private anon page. When the same " +
      "private pages come back in the same contexts, the split of that other work between " +
      "the caller's walk and the victim's exit_mmap running alongside it shows only in the " +
      "caller's CPU time.",
    separates: [anyDesign, anyDesign],
    explains: ["paid"],
    matches: (f, a, b) =>
      f.nonAnonWork && a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b),
  },
  {
    id: "madvise-misses-a-voluntary-exit",
    title:
      "before v6.0 process_madvise refuses a lone thread that exits by itself; task_will_free_mem calls it dying",
    explanation: "Before v6.0 a single-threaded process that calls _exit() has PF_EXITING but " +
      "no SIGNAL_GROUP_EXIT: task_will_free_mem() counts it as dying (§B.2 rule 3, §A.4.5 " +
      "'dying does not require a kill'), so SYNC_REAP_MM, process_reap, process_mrelease " +
      "and REAP_KILL reap it, while process_madvise's signal_group_exit() test answers " +
      "EINVAL (§A.2 step 7) and the memory waits for the exit. From v6.0 (cbe9dac37904) " +
      "do_group_exit() sets SIGNAL_GROUP_EXIT for a lone thread too, and the two agree. " +
      "Where a live process still shares the mm, task_will_free_mem() refuses too (§B.2 " +
      "rule 5), each design in its own words (EBUSY, EINVAL), so process_madvise's EINVAL " +
      "stands beside another refusal rather than a reap.",
    separates: [groupExitOnly, (t) => reaps(t) && notGroupExitOnly(t)],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      f.exits && !kernelFeatures(f.kernel).lone_exit_sets_group_exit && ret(a) === "EINVAL" &&
      (WENT_AHEAD.includes(ret(b)) ||
        (f.liveSharer && answering("not-dying", ret(b))(who[1]))),
  },
  {
    id: "last-one-out-runs-exit-mmap",
    title: "the last process to drop the mm runs exit_mmap: which one it is depends on the kills",
    explanation: "Whoever drops the last mm_users reference runs exit_mmap in its own context " +
      "(§B.5): the victim's last thread, a dying sharer, a /proc reader, or a caller that " +
      "pinned the mm with mmget() for its reap. Whom a design kills and when (the OOM killer " +
      "and REAP_KILL kill the sharers too, §B.4, §A.5), and how long its pin lasts, decide " +
      "who that is: the same pages come back, counted to another context (`other` for a " +
      "sharer), and a caller left with a large teardown (after its pinned reap, or as the " +
      "/proc reader itself) pays for it and may still be at it when the run ends.",
    separates: [anyDesign, anyDesign],
    explains: ["paid", "time"],
    matches: (f, a, b, who) =>
      (f.sharer || f.procReaders || pinRank(who[0], f.kernel) > 0 ||
        pinRank(who[1], f.kernel) > 0) &&
      a.memory.freed_pages === b.memory.freed_pages &&
      a.memory.freed_by.kthreads === b.memory.freed_by.kthreads &&
      (a.memory.freed_by.victim !== b.memory.freed_by.victim ||
        a.memory.freed_by.other !== b.memory.freed_by.other ||
        (Math.abs(a.cpu_ns.caller - b.cpu_ns.caller) > f.overheadNs &&
          (ret(a) === "unfinished" || ret(b) === "unfinished" || f.readerIsCaller))),
  },
  {
    id: "which-thread-exits-last",
    title: "the victim's threads exit in another order: the last one runs exit_mmap on its own CPU",
    explanation: "The victim's last thread to pass exit_mm runs exit_mmap (§B.5), at the " +
      "speed of the CPU it is on. A design's calls change when and where the victim's " +
      "threads run (a kill from another CPU, a caller that shares a CPU with them, the OOM " +
      "killer's marking), so with threads on CPUs of different speeds the victim's own " +
      "teardown comes back at another time, or gets further by the end of the run.",
    separates: [anyDesign, anyDesign],
    explains: ["freed", "paid", "time"],
    matches: (f, a, b) =>
      f.victimSpread && a.memory.freed_by.caller === b.memory.freed_by.caller &&
      a.memory.freed_by.kthreads === b.memory.freed_by.kthreads &&
      a.memory.freed_by.other === b.memory.freed_by.other &&
      Math.abs(a.cpu_ns.caller - b.cpu_ns.caller) <= f.overheadNs,
  },
];
