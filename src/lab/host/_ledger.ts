/**
 * What every host session of this lab process created, for the leak check
 * ({@linkcode leftovers}): the sessions still open, and the processes, cgroups and core
 * directories they made. session.ts records into it.
 *
 * @module
 */

import { exists, listDir } from "./ffi.ts";
import { parentPid, startTime, threadStates } from "./observe.ts";
import { CGROUP_PREFIX, FREEZER_ROOT } from "./_session_types.ts";

/** Every process and cgroup any session of this lab process created (for the leak check). */
export const LEDGER = {
  processes: [] as { pid: number; startTime: string; label: string }[],
  cgroups: [] as string[],
  coreDirs: [] as string[],
};

/** The lab's own sessions, open right now. */
export const OPEN = new Set<{ readonly id: string }>();

/**
 * What this lab process left behind: processes of any session still running (same pid
 * and start time as when created), and cgroups still present, including sessions not
 * closed. Empty when clean.
 */
export function leftovers(): string[] {
  const left: string[] = [];
  for (const s of OPEN) left.push(`session ${s.id} was not closed`);
  for (const p of LEDGER.processes) {
    if (startTime(p.pid) === p.startTime) {
      const states = threadStates(p.pid);
      // A zombie of init's (an orphaned vfork child) holds no memory; anything else does.
      if (!(states.length === 1 && states[0] === "Z" && parentPid(p.pid) !== Deno.pid)) {
        left.push(`process ${p.pid} (${p.label}) is still there, state ${states.join("")}`);
      }
    }
  }
  for (const dir of LEDGER.cgroups) {
    if (exists(dir)) left.push(`cgroup ${dir} still exists`);
  }
  for (const dir of LEDGER.coreDirs) {
    if (exists(dir)) left.push(`core directory ${dir} still exists`);
  }
  for (const e of listDir(FREEZER_ROOT) ?? []) {
    if (e.dir && e.name.startsWith(`${CGROUP_PREFIX}${Deno.pid}-`)) {
      const dir = `${FREEZER_ROOT}/${e.name}`;
      if (!LEDGER.cgroups.includes(dir)) left.push(`cgroup ${dir} still exists`);
    }
  }
  return left;
}
