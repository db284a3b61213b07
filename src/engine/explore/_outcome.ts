/**
 * What counts as one outcome of a schedule: the answers of the caller's calls, who was
 * killed, which pages were freed by whom and which remain, the WARNs, and a broken
 * invariant or a run limit. Two schedules with equal outcomes are one row of the report;
 * timings are left out on purpose (every schedule moves them).
 *
 * @module
 */

import { retName } from "../../core/mod.ts";
import { type FreedBy, type Outcome, retOf } from "../run/mod.ts";

/** One outcome of a schedule, as the report counts it. */
export interface ScheduleOutcome {
  /** The design's main call: `"0"`, `"ESRCH"`, `"killed"` (the caller), `"unfinished"`. */
  readonly ret: string;
  /** Every call the caller made that returned, as `name=errno`, in order. */
  readonly calls: readonly string[];
  /** Whether the victim got a SIGKILL after the intent. */
  readonly victim_killed: boolean;
  /** The victim's pages freed in each context by the end of the run. */
  readonly freed_by: FreedBy;
  /** The victim's reclaimable pages still not freed at the end of the run. */
  readonly remaining_pages: number;
  /** The WARNs' names, each once, in the order they first came. */
  readonly warnings: readonly string[];
  /** References the design never put back (tasks + mms). */
  readonly leaked_refs: number;
  /** A broken simulator invariant or a run limit, with the core's message; else null. */
  readonly broken: string | null;
}

/** The outcome of a finished run. */
export function scheduleOutcome(o: Outcome): ScheduleOutcome {
  return {
    // Return values, not errnos: two pidfd_open()s that got fd 0 and fd 1 end differently.
    ret: retOf(o),
    calls: o.calls.map((c) => `${c.name}=${retName(c.ret)}`),
    victim_killed: o.signal_delivered,
    freed_by: o.memory.freed_by,
    remaining_pages: o.memory.reclaimable_pages - o.memory.freed_pages,
    warnings: [...new Set(o.warnings.map((w) => w.name))],
    leaked_refs: o.leaked_refs.tasks + o.leaked_refs.mms,
    broken: null,
  };
}

/** The outcome of a run that broke an invariant or reached a limit: `what` says which. */
export function brokenOutcome(what: string): ScheduleOutcome {
  return {
    ret: "unfinished",
    calls: [],
    victim_killed: false,
    freed_by: { caller: 0, victim: 0, kthreads: 0, other: 0 },
    remaining_pages: 0,
    warnings: [],
    leaked_refs: 0,
    broken: what,
  };
}

/** The outcome as one line, for the report and as the key that tells outcomes apart. */
export function outcomeText(o: ScheduleOutcome): string {
  if (o.broken !== null) return `BROKEN ${o.broken}`;
  const freed = Object.entries(o.freed_by).filter(([, n]) => n > 0)
    .map(([by, n]) => `${by} ${n}`).join(", ") || "none";
  return [
    `ret ${o.ret}`,
    `calls ${o.calls.join(" ") || "none"}`,
    o.victim_killed ? "victim killed" : "victim not killed",
    `freed by ${freed}`,
    `${o.remaining_pages} pages remain`,
    o.warnings.length ? `WARN ${o.warnings.join(" ")}` : "no WARN",
    ...(o.leaked_refs ? [`${o.leaked_refs} refs leaked`] : []),
  ].join("; ");
}
