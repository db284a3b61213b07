/**
 * The event list the page shows: each record of the core's log with its kind and its
 * arguments named as the core names them (`Kernel.kernel_facts()`), the lock operation and
 * the WARN by name.
 *
 * @module
 */

import { CORE_LAYOUTS } from "../../core/mod.ts";
import {
  EVENT_KINDS,
  KIND_NAMES,
  LOCK_OP_NAMES,
  type TraceContext,
  type TraceEvent,
  WARN_NAMES,
} from "../../engine/trace/mod.ts";

/** One event as a row of the list. */
export interface EventRow {
  /** Simulated time (ns). */
  readonly ts_ns: number;
  /** The CPU, or -1 for a context that was not running. */
  readonly cpu: number;
  /** The context's thread id (0: idle/timer). */
  readonly pid: number;
  /** Its command name. */
  readonly comm: string;
  /** The kind's name (`sched_switch`, `mmap_lock`, ...). */
  readonly kind: string;
  /** The arguments, `name=value`, in the core's order. */
  readonly args: string;
}

const ARG_NAMES = new Map(CORE_LAYOUTS.event.kinds.map((k) => [k.code, k.args]));
const WORDS = ["a", "b", "c", "d"] as const;

/** A value as the list shows it: lock operations and WARNs by name. */
function argText(kind: number, name: string, value: number): string {
  if (kind === EVENT_KINDS.mmap_lock && name === "op") return LOCK_OP_NAMES[value] ?? `${value}`;
  if (kind === EVENT_KINDS.warn && name === "warn") return WARN_NAMES[value] ?? `${value}`;
  return `${value}`;
}

/** The first `max` events of a run as rows. */
export function eventRows(
  events: readonly TraceEvent[],
  ctx: TraceContext,
  max: number,
): EventRow[] {
  return events.slice(0, max).map((e) => {
    const names = ARG_NAMES.get(e.kind) ?? [];
    const args = names.map((n, i) => `${n}=${argText(e.kind, n, e[WORDS[i]])}`).join(" ");
    return {
      ts_ns: e.tsNs,
      cpu: e.cpu,
      pid: e.pid,
      comm: e.pid === 0 ? "<idle>" : ctx.comm(e.pid),
      kind: KIND_NAMES[e.kind] ?? `kind ${e.kind}`,
      args,
    };
  });
}
