/**
 * The classes of the call's own arguments (flags, the fd) and of who sends the SIGKILL, and
 * when: selected through the design records (`otherFlags`, `victimArg`, `killsInCall`,
 * `killsSharers`, `reaper`).
 *
 * @module
 */

import type { Outcome } from "../../../engine/run/mod.ts";
import { type DifferenceClass, ret, STOPPED, WENT_AHEAD } from "./class.ts";
import {
  anyDesign,
  byPid,
  flagsMeaning,
  killsAndReaps,
  killsSharers,
  notOomKiller,
  notPidfdOnly,
  oneCall,
  oomKiller,
  pidfdOnly,
  reaps,
  sharersNotYet,
  twoStep,
} from "./targets.ts";

/** The call's arguments, and who sends SIGKILL. */
export const CALLS: readonly DifferenceClass[] = [
  // ---- the call's arguments ----
  {
    id: "flags-per-syscall",
    title: "the flags argument is each syscall's own: an odd value is another call, or EINVAL",
    explanation: "`intent.call.flags` replaces each design's usual flags, and each syscall reads " +
      "them its own way: kill(2) and the OOM killer take none; pidfd_send_signal accepts only " +
      "SYNC_REAP_MM with SIGKILL, and 0 is a plain kill (§A.1); process_madvise accepts " +
      "PMADV_FLAG_RANGE, and 0 is the per-iovec mode with an empty vector (§A.2); " +
      "process_reap and process_mrelease accept only 0 (§A.3, §A.4.2); REAP_KILL accepts its " +
      "flag, and 0 is plain process_mrelease without the kill (§A.5). Flags are checked " +
      "before anything else, so an unknown value is EINVAL, before or after the recipe's " +
      "own SIGKILL.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b, who) => {
      if (f.callFlags === null) return false;
      const ma = flagsMeaning(who[0], f.callFlags), mb = flagsMeaning(who[1], f.callFlags);
      const einvalOk = (m: string, o: Outcome) =>
        !m.startsWith("einval") || ["EINVAL", ...STOPPED].includes(ret(o));
      return ma !== mb && einvalOk(ma, a) && einvalOk(mb, b);
    },
  },
  {
    id: "fd-versus-pid",
    title: "kill(2) and the OOM killer take a pid; the fd designs answer EBADF for a bad fd",
    explanation: "SIGKILL alone and the OOM killer name the victim by pid; every other design " +
      "takes the fd `intent.call.fd` gives. A closed fd or a plain file is EBADF for all of " +
      "them (pidfd_get_pid, pidfd_to_pid: §A.0), and the two-step designs' own SIGKILL through " +
      "it fails as well, so nothing is killed. A /proc/<pid> directory fd is accepted by " +
      "pidfd_send_signal only (§A.0): SYNC_REAP_MM works with it, the two-step designs kill " +
      "through it and then get EBADF from their call.",
    separates: [notPidfdOnly, reaps],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, _a, b, who) => {
      const ebadf = ["EBADF", ...STOPPED].includes(ret(b));
      // A bad fd or a plain file: only kill(2) and the OOM killer, by pid, get past it.
      if (f.callFd === "bad" || f.callFd === "file") return byPid(who[0]) && ebadf;
      // A /proc/<pid> fd: pidfd_send_signal takes it, the pidfd-only calls do not.
      if (f.callFd === "proc_dir") return pidfdOnly(who[1]) && ebadf;
      return false;
    },
  },
  {
    id: "proc-dir-fd",
    title: "a /proc/<pid> fd: the two-step recipes kill through it, REAP_KILL rejects it first",
    explanation: "pidfd_send_signal() accepts a /proc/<pid> directory fd as well as a pidfd " +
      "(§A.0), so the two-step recipes' SIGKILL gets through before their own call answers " +
      "EBADF (pidfd_get_pid takes pidfds only); REAP_KILL kills inside process_mrelease, " +
      "after pidfd_get_task() has already rejected the fd.",
    separates: [twoStep, (t) => oneCall(t) && pidfdOnly(t)],
    explains: ["signal", "freed", "paid", "time"],
    matches: (f, a, b) => f.callFd === "proc_dir" && ret(a) === "EBADF" && ret(b) === "EBADF",
  },
  {
    id: "fd-names-another-process",
    title: "the fd names another process than the target: the fd designs act on it instead",
    explanation: "With `intent.call.fd` naming a pidfd of process 1000 while the target is its " +
      "vfork child, its CLONE_VM sibling, init or a kthread, SIGKILL alone and the OOM " +
      "killer act on the target (by pid) and every fd design on process 1000 (§A.0): the " +
      "calls are about different processes. So with a PIDFD_SELF_* sentinel on 6.18 " +
      "(include/uapi/linux/fcntl.h: -10000, -10001): pidfd_send_signal() and " +
      "pidfd_get_task() take it for the caller itself, so the two-step recipes' SIGKILL " +
      "kills the caller, and a design whose lookup predates the series answers EBADF.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f) => f.callFd === "other" || f.callFd === "self",
  },
  // ---- who sends SIGKILL ----
  {
    id: "oom-killer-needs-no-permission",
    title: "the OOM killer signals in the kernel's name; every other kill needs permission",
    explanation: "__oom_kill_process() sends SIGKILL as the kernel (SEND_SIG_PRIV, §B.4); " +
      "kill(2), pidfd_send_signal and REAP_KILL's kills go through check_kill_permission() " +
      "(§A.1 step 5, §A.5), so a caller without a uid match or CAP_KILL leaves the target " +
      "alive and its memory where it is.",
    separates: [oomKiller, notOomKiller],
    explains: ["signal", "freed", "paid", "time"],
    matches: (f, a, b) => !f.mayKill && a.signal_delivered && !b.signal_delivered,
  },
  {
    id: "oom-killer-spares-the-dying",
    title: "the OOM killer sends no SIGKILL to a victim that is already dying",
    explanation: "oom_kill_process() first asks task_will_free_mem(victim): a victim already " +
      "exiting (killed by another actor, exiting on its own, past its core dump) is only " +
      "marked and queued for the oom_reaper, not signalled (§B.2). kill(2) and the other " +
      "recipes send their SIGKILL anyway, and it is generated even if it changes nothing.",
    separates: [oomKiller, notOomKiller],
    explains: ["signal"],
    matches: (f, a, b) =>
      f.mayHaveExited && !a.signal_delivered && b.signal_delivered &&
      ["0", ...STOPPED].includes(ret(a)),
  },
  {
    id: "no-signal-to-an-exited-target",
    title: "the OOM killer and REAP_KILL send no SIGKILL to a target past exit_mm",
    explanation: "kill(2), SYNC_REAP_MM and the two-step recipes send SIGKILL first, and it is " +
      "generated even for a zombie (§A.0); the OOM killer looks for a thread with an mm " +
      "before it signals (find_lock_task_mm, §B.4) and REAP_KILL kills only the processes " +
      "it finds sharing the mm it found (§A.5; v1 and v2 kill the victim only after the " +
      "same lookup), so neither sends anything to a target whose " +
      "threads have all passed exit_mm, even when REAP_KILL's find_lock_task_mm() still " +
      "caught the last one with its mm. Between the two, the OOM killer signals as soon as " +
      "it is called and REAP_KILL only after its lookups: a target already exiting (another " +
      "actor's fatal signal at the intent) can be past exit_mm for one and not the other.",
    separates: [(t) => killsSharers(t) || sharersNotYet(t), anyDesign],
    explains: ["signal"],
    matches: (f, a, b, who) =>
      f.mayHaveExited && !a.signal_delivered && b.signal_delivered &&
      (ret(a) === "ESRCH" || (killsAndReaps(who[0]) && WENT_AHEAD.includes(ret(a)))),
  },
  {
    id: "kill-inside-the-call",
    title:
      "SYNC_REAP_MM and REAP_KILL kill inside their call: a call that never gets there sends nothing",
    explanation: "The two-step recipes and kill(2) send SIGKILL first, in a syscall of its " +
      "own; SYNC_REAP_MM sends it inside pidfd_send_signal after its checks (§A.1) and " +
      "REAP_KILL inside process_mrelease after pidfd_get_task, find_lock_task_mm and mmgrab " +
      "(§A.5). A call still on its way when the run ends, or whose caller dies first, has " +
      "not signalled the target.",
    separates: [oneCall, anyDesign],
    explains: ["signal"],
    matches: (_f, a, b) => STOPPED.includes(ret(a)) && !a.signal_delivered && b.signal_delivered,
  },
];
