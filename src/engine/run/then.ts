/**
 * The caller's second look at the victim: `intent.then`'s calls, made after the design's
 * call returned, each recorded with what it answered (docs/scenario-format.md,
 * "Follow-up calls"). A remote read shows whether a reap left the mm MMF_UNSTABLE; a
 * blocking waitid shows how the victim's group ended.
 *
 * @module
 */

import {
  errnoOf,
  type KGen,
  retName,
  TaskKilled,
  UAPI,
  type Userspace,
  WEXITED,
  WNOHANG,
} from "../../core/mod.ts";
import type { ThenCall, WaitCode } from "../scenario/mod.ts";
import type { MainErrno } from "./outcome.ts";

/** What one follow-up call answered. */
export interface ThenRecord {
  /** `process_vm_readv`, `proc_mem_read` or `waitid`. */
  call: ThenCall["call"];
  /** Its return value (bytes, 0), -errno, "killed", or null when it never returned. */
  ret: number | "killed" | null;
  /** The errno: 0 on success, a name, "killed" or "unfinished". */
  errno: MainErrno;
  /** waitid's siginfo when it reaped the child. */
  si_code?: WaitCode;
  /** waitid's si_status when it reaped the child. */
  si_status?: number;
}

const WAIT_CODE_NAME = new Map<number, WaitCode>([
  [UAPI.CLD_EXITED, "CLD_EXITED"],
  [UAPI.CLD_KILLED, "CLD_KILLED"],
  [UAPI.CLD_DUMPED, "CLD_DUMPED"],
]);

/**
 * Makes `calls` in order from `u`'s thread, appending each answer to `out`; a fatal signal
 * to the caller ends them (that call is "killed", the rest never happen).
 *
 * @example
 * ```ts
 * import { runThen, type ThenRecord } from "./then.ts";
 * const out: ThenRecord[] = [];
 * // yield* runThen(u, victim, [{ call: "waitid", nohang: false }], out);
 * ```
 */
export function* runThen(
  u: Userspace,
  victim: number,
  calls: readonly ThenCall[],
  out: ThenRecord[],
): KGen<void> {
  for (const c of calls) {
    try {
      out.push(yield* thenCall(u, victim, c));
    } catch (e) {
      if (!(e instanceof TaskKilled)) throw e;
      out.push({ call: c.call, ret: "killed", errno: "killed" });
      return;
    }
  }
}

function* thenCall(u: Userspace, victim: number, c: ThenCall): KGen<ThenRecord> {
  if (c.call !== "waitid") {
    const range = { start_page: c.start_page, end_page: c.end_page };
    const ret = c.call === "process_vm_readv"
      ? yield* u.process_vm_readv(victim, range)
      : yield* u.proc_mem_read(victim, range);
    return { call: c.call, ret, errno: errnoOf(ret) };
  }
  // waitid(P_PIDFD) on a pidfd of its own: 0 and the siginfo of the child it reaped (none:
  // si_pid 0, WNOHANG and the child still running).
  const fd = yield* u.pidfd_open(victim, 0);
  if (fd < 0) return { call: c.call, ret: fd, errno: errnoOf(fd) };
  const r = yield* u.waitid_pidfd(fd, c.nohang ? WEXITED | WNOHANG : WEXITED);
  yield* u.close(fd);
  const si = u.waitid_siginfo();
  if (r < 0 || si.si_pid === 0) return { call: c.call, ret: r, errno: errnoOf(r) };
  const code = WAIT_CODE_NAME.get(si.si_code);
  if (code === undefined) throw new Error(`waitid reaped ${si.si_pid} with si_code ${si.si_code}`);
  return { call: c.call, ret: 0, errno: 0, si_code: code, si_status: si.si_status };
}

/** A record as text, for tables and outcome keys: `EFAULT`, `0 CLD_KILLED 9`. */
export function thenText(r: ThenRecord): string {
  const ret = r.ret === null ? "unfinished" : r.ret === "killed" ? "killed" : retName(r.ret);
  return r.si_code === undefined ? ret : `${ret} ${r.si_code} ${r.si_status}`;
}
