/**
 * The ptrace exit stop on the host: the lab, as the victim's tracer, seizes threads with
 * PTRACE_O_TRACEEXIT, so that on their way out they stop in PTRACE_EVENT_EXIT with their mm
 * attached (a scenario thread's `traced_exit`), and lets them go again before the run's
 * session ends: a SIGKILL does not end that stop on 6.18 (prepare_signal() drops it for an
 * exiting group), only the tracer can. If the lab dies first, exit_ptrace() detaches its
 * tracees and they finish exiting, so the session's cleanup promise holds (docs/host.md).
 *
 * @module
 */

import { retName } from "../../core/mod.ts";
import { listDir, syscall } from "./ffi.ts";
import { taskState } from "./observe.ts";
import { spinUntil } from "./_io.ts";
import type { HostSession } from "./session.ts";

/**
 * x86_64 `__NR_ptrace` (arch/x86/entry/syscalls/syscall_64.tbl) and the requests and option of
 * include/uapi/linux/ptrace.h the lab uses.
 */
const PTRACE = { NR: 101, DETACH: 17, SEIZE: 0x4206, INTERRUPT: 0x4207, O_TRACEEXIT: 0x40 };
/** How long a released tracee may take to reach a ptrace stop (it is asleep in S). */
const STOP_MS = 5000;

/** Threads of owned processes the lab traces, to release before the session closes. */
export class ExitTracer {
  readonly #tids: { pid: number; tid: number }[] = [];

  /** PTRACE_SEIZE(PTRACE_O_TRACEEXIT) of thread `tid` of `pid`, an owned process. */
  seize(session: HostSession, pid: number, tid: number): void {
    session.check(pid);
    if (!(listDir(`/proc/${pid}/task`) ?? []).some((e) => Number(e.name) === tid)) {
      throw new Error(`thread ${tid} is not a thread of ${pid}`);
    }
    const r = syscall(PTRACE.NR, PTRACE.SEIZE, tid, 0, PTRACE.O_TRACEEXIT);
    if (r < 0) throw new Error(`PTRACE_SEIZE ${tid}: ${retName(r)}`);
    this.#tids.push({ pid, tid });
  }

  /**
   * Detaches every tracee: one in a ptrace stop (the exit stop) at once; one that is not
   * stopped is first PTRACE_INTERRUPTed into a stop (PTRACE_DETACH needs one). A thread that
   * is gone needs nothing.
   */
  release(): void {
    for (const { pid, tid } of this.#tids.splice(0)) {
      if (syscall(PTRACE.NR, PTRACE.DETACH, tid, 0, 0) === 0) continue;
      if (syscall(PTRACE.NR, PTRACE.INTERRUPT, tid, 0, 0) < 0) continue; // gone
      spinUntil(
        () => ["t", "X", "Z", ""].includes(taskState(pid, tid)),
        STOP_MS,
        `tracee ${tid} did not stop for PTRACE_INTERRUPT`,
      );
      syscall(PTRACE.NR, PTRACE.DETACH, tid, 0, 0);
    }
  }
}
