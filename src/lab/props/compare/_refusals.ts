/**
 * The classes of who refuses what, with which errno, and which targets each design calls
 * eligible (live sharers, core dumps, live targets): the answers come from the design
 * records (`answers`, `dyingTest`, `findsMm`, ...), never from a design's name.
 *
 * @module
 */

import { type DifferenceClass, ret, sameFreedBy, WENT_AHEAD } from "./class.ts";
import {
  answered,
  answering,
  anyDesign,
  byPid,
  groupExitOnly,
  killsAndReaps,
  killsInCall,
  killsOnly,
  killsSharers,
  leaderMm,
  needsPtrace,
  noPtrace,
  notGroupExitOnly,
  notKillAndReap,
  notLeaderMm,
  reaps,
  sharersNotYet,
  twoStep,
} from "./targets.ts";

/** Who refuses what, with which errno, and who is eligible. */
export const REFUSALS: readonly DifferenceClass[] = [
  // ---- who refuses what, and with which errno ----
  {
    id: "ebusy-vs-einval",
    title: "SYNC_REAP_MM answers EBUSY where process_reap and process_mrelease answer EINVAL",
    explanation: "All three refuse a target task_will_free_mem() does not call dying: one not " +
      "killed (or unkillable), one whose mm a live process still shares, one dumping core. " +
      "reap_mm() says so with EBUSY (§A.1), process_reap and process_mrelease with EINVAL " +
      "(§A.3, §A.4.4).",
    separates: [answering("not-dying", "EBUSY"), answering("not-dying", "EINVAL")],
    explains: ["ret"],
    matches: (f, a, b, who) =>
      ["alive", "init", "kthread"].includes(f.target) &&
      answered("not-dying", a, b, who),
  },
  {
    id: "zombie-leader",
    title:
      "process_reap and SYNC_REAP_MM look at the pidfd's leader: a zombie leader is EINVAL/EBUSY where process_mrelease reaps",
    explanation: "reap_mm() and process_reap test task_will_free_mem() on the pidfd's own " +
      "task, the leader; a leader that has already passed exit_mm (a zombie leader from the " +
      "start, or the leader of a group that was already exiting when the caller came) has " +
      "no mm, so they answer " +
      "EBUSY and EINVAL (§A.1, §A.3), and process_madvise's mm_access() finds no mm (ESRCH, " +
      "§A.2). process_mrelease looks for a thread that still has the mm with " +
      "find_lock_task_mm() since v5 (§A.4.1) and reaps, as REAP_KILL does.",
    separates: [leaderMm, notLeaderMm],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      f.mayHaveExited &&
      answered("leader-past-exit-mm", a, b, who),
  },
  {
    id: "exited-target",
    title: "a target past exit_mm: ESRCH vs EBUSY vs EINVAL, and 0 from kill(2)",
    explanation: "Once every thread of the target has passed exit_mm (a zombie not yet waited " +
      "for, or a process that exited, finished its core dump or was killed before the " +
      "call), kill(2) still answers " +
      "0 (§A.0), the OOM killer's find_lock_task_mm() finds no mm (ESRCH), SYNC_REAP_MM's " +
      "task_will_free_mem() on a task without an mm answers EBUSY (§A.1), process_reap " +
      "EINVAL (§A.3), process_madvise's mm_access() ESRCH (§A.2), and process_mrelease and " +
      "REAP_KILL ESRCH from find_lock_task_mm() (§A.4.4). A design whose kernel keeps " +
      "task->exit_mm (§A.5, Jann Horn's patch) reaps that mm instead, until the parent waits " +
      "(derived), so its caller frees and pays where the others do not.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      f.mayHaveExited &&
      answered("past-exit-mm", a, b, who),
  },
  {
    id: "init-target",
    title: "init: the kill is dropped, and each design refuses in its own words",
    explanation: "SIGNAL_UNKILLABLE drops a SIGKILL to init, and kill(2) still answers 0 " +
      "(§A.0). init never becomes dying, so SYNC_REAP_MM answers EBUSY (§A.1), " +
      "process_madvise EINVAL (signal_group_exit, §A.2), process_reap and process_mrelease " +
      "EINVAL (§A.3, §A.4.5), and REAP_KILL EBUSY (is_global_init, §A.5).",
    separates: [anyDesign, anyDesign],
    explains: ["ret"],
    matches: (f, a, b, who) =>
      f.target === "init" &&
      answered("init", a, b, who),
  },
  {
    id: "kthread-target",
    title: "a kthread: kill(2) answers 0, the others EBUSY, EINVAL or ESRCH",
    explanation: "A kthread ignores SIGKILL and has no mm. kill(2) answers 0 (§A.0); " +
      "SYNC_REAP_MM's task_will_free_mem() fails (EBUSY, §A.1); process_reap excludes " +
      "kthreads (EINVAL, §A.3); process_madvise's mm_access(), process_mrelease's and " +
      "REAP_KILL's find_lock_task_mm() find no mm (ESRCH, §A.2, §A.4.5).",
    separates: [anyDesign, anyDesign],
    explains: ["ret"],
    matches: (f, a, b, who) =>
      f.target === "kthread" &&
      answered("kthread", a, b, who),
  },
  {
    id: "ptrace-attach",
    title: "process_madvise needs ptrace attach (EACCES) where process_mrelease checks nothing",
    explanation: "process_madvise reaches the mm through mm_access() with " +
      "PTRACE_MODE_ATTACH_FSCREDS (§A.2 step 6): without a uid match or CAP_SYS_PTRACE it " +
      "answers EACCES. process_mrelease checks no privilege at all (§A.4.5), nor do " +
      "process_reap and SYNC_REAP_MM beyond the kill's own permission.",
    separates: [needsPtrace, noPtrace],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) => !f.mayPtrace && ret(a) === "EACCES" && ret(b) !== "EACCES",
  },
  {
    id: "kill-permission",
    title: "kill(2) and SYNC_REAP_MM need kill permission (EPERM); the OOM killer does not",
    explanation: "check_kill_permission() (a uid match or CAP_KILL) guards kill(2) and " +
      "pidfd_send_signal, so SIGKILL alone and SYNC_REAP_MM answer EPERM (§A.1 step 5), while " +
      "the OOM killer signals in the kernel's name. The two-step designs' own SIGKILL fails " +
      "the same way but silently: their call then sees a target that is not dying " +
      "(process_mrelease and process_reap EINVAL, process_madvise EINVAL or EACCES), unless " +
      "it is dying anyway; none of them checks the caller's permission itself (§A.4.5). " +
      "REAP_KILL's own kill answers EBUSY (reap-kill-ebusy), or 0 when no process shares " +
      "the mm any more by the time it looks.",
    separates: [(t) => killsInCall(t) && notKillAndReap(t), anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      !f.mayKill && f.target === "alive" &&
      answered("no-kill-permission", a, b, who),
  },
  {
    id: "reap-kill-ebusy",
    title: "REAP_KILL answers EBUSY when one of its kills fails (no permission, init)",
    explanation: "kill_all_shared_mm() sends SIGKILL with the pidfd path's permission check to " +
      "every process sharing the mm and answers EBUSY for an init sharer or a failed kill " +
      "(§A.5 v3; Christian Brauner: EBUSY makes no sense). kill(2) and SYNC_REAP_MM answer " +
      "EPERM, the two-step designs' own kill fails silently and their call then refuses a " +
      "target that is not dying, and the OOM killer kills in the kernel's name.",
    separates: [killsAndReaps, notKillAndReap],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b) =>
      (!f.mayKill || f.target === "init") && ret(a) === "EBUSY" && ret(b) !== "EBUSY",
  },
  {
    id: "refusal-after-the-same-kill",
    title:
      "SIGKILL alone has no eligibility test: 0 where a reaping call refuses after the same kill",
    explanation: "kill(2) answers 0 whenever the signal could be sent, even when it is then " +
      "ignored or dropped (§A.0); the reaping designs test eligibility after their kill and " +
      "refuse with an errno (EINVAL, EBUSY, ESRCH, EACCES: §A.1–§A.4). The return codes " +
      "differ; the memory is whatever the kills give (other classes account for a kill " +
      "that differs).",
    separates: [killsOnly, reaps],
    explains: ["ret"],
    matches: (_f, a, b) =>
      ["0", "EPERM", "ESRCH"].includes(ret(a)) &&
      ["EINVAL", "EBUSY", "ESRCH", "EACCES", "EPERM"].includes(ret(b)) && ret(a) !== ret(b),
  },
  {
    id: "pidfd-open-fails",
    title:
      "a reaped target: kill(2) answers ESRCH, the fd designs EBADF from the failed pidfd_open",
    explanation: "Once the target has been waited for, pidfd_open() fails with ESRCH and the " +
      "recipe hands its errno on as the fd, so every fd design's own fd check answers EBADF " +
      "(§A.0), while kill(2) and the OOM killer answer ESRCH (get_pid_task NULL).",
    separates: [byPid, reaps],
    explains: ["ret"],
    matches: (f, a, b) => f.callFd === null && ret(a) === "ESRCH" && ret(b) === "EBADF",
  },
  // ---- eligibility: live sharers, core dumps, live targets ----
  {
    id: "madvise-zaps-live-sharer",
    title: "process_madvise zaps an mm a live sharer still uses",
    explanation: "process_madvise's only dying test is signal_group_exit() of the target's own " +
      "thread group (§A.2 step 7): a vfork parent or child, or a CLONE_VM sibling that was " +
      "not killed, keeps using the memory it zaps (Jann Horn, §C.2). task_will_free_mem() " +
      "walks every process sharing the mm (§B.2), so SYNC_REAP_MM (EBUSY), process_reap " +
      "and process_mrelease (EINVAL) refuse; SIGKILL alone frees nothing while the sharer " +
      "lives; the OOM killer kills the sharers too (§B.4).",
    separates: [groupExitOnly, notGroupExitOnly],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.liveSharer && WENT_AHEAD.includes(ret(a)) &&
      [...WENT_AHEAD, "EBUSY", "EINVAL"].includes(ret(b)),
  },
  {
    id: "madvise-zaps-core-dump",
    title: "process_madvise zaps a process that is dumping core",
    explanation: "signal_group_exit() is true during a core dump (v5.10's group_exit_task; the " +
      "lab's choice, §A.2 behaviour matrix, UNVERIFIED §G.6), so process_madvise zaps the " +
      "memory the dump is reading, while task_will_free_mem() refuses a dumping process " +
      "(§B.2 step 1): EBUSY for SYNC_REAP_MM, EINVAL for process_reap and process_mrelease. " +
      "A SIGKILL during the dump aborts it (dump_interrupted()), and before v5.17 its " +
      "complete_signal() also overwrote SIGNAL_GROUP_COREDUMP, so after the recipe's kill " +
      "the others reap too on those kernels.",
    separates: [groupExitOnly, (t) => notGroupExitOnly(t) && notKillAndReap(t)],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.coreDump && WENT_AHEAD.includes(ret(a)) &&
      [...WENT_AHEAD, "EBUSY", "EINVAL"].includes(ret(b)),
  },
  {
    id: "reap-kill-live-target",
    title: "REAP_KILL reaps a live target the others refuse",
    explanation: "With PROCESS_MRELEASE_REAP_KILL the target need not be dying: the call kills " +
      "every process sharing the mm itself and reaps (§A.5 v3; v1 and v2 kill the victim " +
      "alone), where process_mrelease and " +
      "process_reap answer EINVAL, SYNC_REAP_MM EBUSY and process_madvise EINVAL or EACCES " +
      "for a target that is not dying, shares its mm with a live process, or dumps core.",
    separates: [(t) => killsAndReaps(t) || sharersNotYet(t), notKillAndReap],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.target === "alive" && (f.liveSharer || f.coreDump || !f.killInCall) &&
      WENT_AHEAD.includes(ret(a)) && !WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "kills-every-sharer",
    title:
      "the OOM killer and REAP_KILL kill every process sharing the mm; SIGKILL alone only the target",
    explanation: "__oom_kill_process() sends SIGKILL to every other process that shares the " +
      "victim's mm (§B.4), and REAP_KILL's kill_all_shared_mm() does the same before it " +
      "reaps (§A.5), so the memory comes back once they all exit. SIGKILL alone, and the " +
      "designs that refuse a live sharer or zap under it, leave the sharer running and " +
      "holding the mm until it exits on its own: how much comes back, when, and in whose " +
      "exit (the victim's or the sharer's, `other`) differ. And once the last of them has " +
      "begun exit_mmap, its mmu notifiers are released (mmu_notifier_release(), mm/mmap.c), " +
      "so a walk after that meets no refusing notifier: the call that killed them all " +
      "answers 0 where another's earlier walk got EAGAIN (§A.4.2).",
    separates: [killsSharers, (t) => !killsSharers(t)],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.liveSharer && (a.memory.freed_pages !== b.memory.freed_pages ||
        a.memory.t100_ns !== b.memory.t100_ns || !sameFreedBy(a, b) ||
        (ret(a) === "0" && ret(b) === "EAGAIN")),
  },
  {
    id: "no-kill-before-the-call",
    title: "without the recipe's SIGKILL the two-step designs see a live target (EINVAL)",
    explanation: "With `intent.call.kill: false` the memory killer skips its own SIGKILL. " +
      "kill(2), the OOM killer, SYNC_REAP_MM and REAP_KILL kill in their call anyway; " +
      "process_madvise, process_reap and process_mrelease are asked to reap a live target " +
      "and refuse (EINVAL; process_madvise EACCES first without ptrace rights: §A.2, §A.3, " +
      "§A.4.5; or whatever else they answer for a target nobody killed), and the target " +
      "lives on with its memory.",
    separates: [killsInCall, twoStep],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, _a, b) => !f.killInCall && /^E/.test(ret(b)),
  },
  {
    id: "no-kill-no-signal",
    title:
      "without the recipe's SIGKILL only the designs that kill in their call signal the target",
    explanation: "With `intent.call.kill: false`, kill(2), the OOM killer, SYNC_REAP_MM and " +
      "REAP_KILL still send SIGKILL as part of their call; process_madvise, process_reap and " +
      "process_mrelease send nothing, and act on the target only if it is dying anyway " +
      "(an exit of its own, another actor's kill: §A.4.5 'dying does not require a kill'); " +
      "the target then exits, and frees its memory, only when its own exit comes.",
    separates: [killsInCall, twoStep],
    explains: ["signal", "freed", "paid", "time"],
    matches: (f, a, b) => !f.killInCall && a.signal_delivered && !b.signal_delivered,
  },
];
