/**
 * The class of a world whose caller sits in a pid namespace that cannot see the target (the
 * generator's `LookPlan.pidns`: the killer in a child namespace, the target in init_pid_ns).
 *
 * @module
 */

import { type DifferenceClass, ret } from "./class.ts";
import { anyDesign } from "./targets.ts";

/** What a refused or failed lookup answers: the pid or the pidfd names nothing for the caller. */
const NOT_SEEN = ["ESRCH", "EINVAL", "EBADF"];

/** Pid namespaces between the caller and the target. */
export const PIDNS: readonly DifferenceClass[] = [
  {
    id: "caller-cannot-see-target",
    title: "a caller whose pid namespace cannot see the target: its kill fails, a held pidfd " +
      "still reaches the mm",
    explanation: "A process sees another when the walk up from the other's pid namespace " +
      "reaches its own (kernel/pid.c). A caller in a child namespace of the target's finds " +
      "no pid to kill or to open: kill() and pidfd_open() look the number up in the " +
      "caller's namespace (find_vpid(): ESRCH, and a recipe without its pidfd answers " +
      "EBADF), and pidfd_send_signal() refuses a pidfd it holds (access_pidfd_pidns(): " +
      "EINVAL; §A.0 turns a pidfd into a task, §A.1 the signal), so SYNC_REAP_MM and the " +
      "expedite flag kill nothing. " +
      "process_mrelease (§A.4) and process_madvise (§A.2) take the target through " +
      "pidfd_get_task() with " +
      "no namespace check, REAP_KILL kills with kill_pid() on the task's own struct pid " +
      "(proposals/process_mrelease_reap_kill.ts), and the kernel's OOM killer signals from " +
      "no namespace at all: they act on whatever the kill left them (measured on this host: " +
      "scenarios/host/host-pidns-*.json). The answer, the signal and every memory figure " +
      "follow from which of the two a design's call goes through.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "signal", "freed", "paid", "time"],
    matches: (f, a, b) =>
      f.callerBlind &&
      ([ret(a), ret(b)].some((r) => NOT_SEEN.includes(r)) ||
        a.signal_delivered !== b.signal_delivered),
  },
];
