/**
 * The lab-only events (no kernel tracepoint exists for them) as key=value arguments, and the
 * WARN events as the message the real kernel would print (wasm/src/events.rs `Warn`).
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, eventArg, LOCK_OP_NAMES, WARN_CODES, WARN_NAMES } from "./_kinds.ts";
import {
  EXIT_MMAP_PHASES,
  mmfName,
  SCENARIO_EVENTS,
  taskComm,
  taskStateName,
  type TraceContext,
} from "./_names.ts";
import { CORE_LAYOUTS } from "../../core/kernel.ts";

/** Arguments of a lab-only event, in print order. */
export type LabArgs = Record<string, number | string>;

/** The arguments of a lab-only kind (task_state .. run_end), or null for any other kind. */
export function labArgs(e: TraceEvent, ctx: TraceContext): LabArgs | null {
  const arg = (name: string) => eventArg(e, name);
  switch (e.kind) {
    case EVENT_KINDS.task_state:
      return {
        pid: arg("pid"),
        comm: taskComm(ctx, arg("pid")),
        state: taskStateName(arg("state")),
        flags: `0x${arg("flags").toString(16).padStart(8, "0")}`, // PF_ flags
      };
    case EVENT_KINDS.mm_flag:
      return {
        mm: arg("mm"),
        owner: ctx.mmOwner(arg("mm")),
        flag: mmfName(arg("bit")),
        set: arg("set"),
      };
    case EVENT_KINDS.mm_ref:
      return {
        mm: arg("mm"),
        owner: ctx.mmOwner(arg("mm")),
        mm_users: arg("mm_users"),
        mm_count: arg("mm_count"),
      };
    case EVENT_KINDS.mmap_lock:
      return {
        mm: arg("mm"),
        owner: ctx.mmOwner(arg("mm")),
        op: LOCK_OP_NAMES[arg("op")] ?? `op_${arg("op")}`,
      };
    case EVENT_KINDS.exit_mmap:
      return {
        mm: arg("mm"),
        owner: ctx.mmOwner(arg("mm")),
        phase: EXIT_MMAP_PHASES[arg("phase")] ?? `${arg("phase")}`,
      };
    case EVENT_KINDS.scenario_event:
      return scenarioArgs(e);
    case EVENT_KINDS.run_end:
      return { reason: arg("at_horizon") === 1 ? "horizon" : "quiescent" };
    default:
      return null;
  }
}

/** A scenario event's arguments, named as the core names the event's `b` and `c`. */
function scenarioArgs(e: TraceEvent): LabArgs {
  const code = eventArg(e, "event");
  const names = CORE_LAYOUTS.world.events[code]?.args;
  if (names === undefined) return { event: `${code}`, arg0: e.b, arg1: e.c };
  return {
    event: SCENARIO_EVENTS[code],
    ...Object.fromEntries(names.map((n) => [n, eventArg(e, n)])),
  };
}

/** `key=value ...`, quoting a value that holds a space so the line still splits on spaces. */
export function keyValues(args: LabArgs): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}=${typeof v === "string" && /\s/.test(v) ? JSON.stringify(v) : v}`)
    .join(" ");
}

/** A WARN event's name, or `warn_<code>` for a code the table does not know. */
export function warnName(code: number): string {
  return WARN_NAMES[code] ?? `warn_${code}`;
}

/**
 * What the real kernel would print for a WARN event (its own text where it has one; where it
 * prints nothing, the lab says so). `victim` is the last mark_victim's pid, which the
 * "mm pinned" message names.
 */
export function warnMessage(e: TraceEvent, ctx: TraceContext, victim: number | null): string {
  const who = (pid: number) => `${pid} (${taskComm(ctx, pid)})`;
  const arg = (name: string) => eventArg(e, name);
  switch (arg("warn")) {
    case WARN_CODES.zap_live_sharer:
      return `(no kernel message: silent data loss) pages zapped from mm ${arg("mm")} ` +
        `still used by live process ${who(arg("tgid"))}`;
    case WARN_CODES.robust_list_unreadable:
      return `(no kernel message) exit_robust_list: pid ${who(arg("pid"))} cannot read its ` +
        `robust futex list, already reaped: waiters never see OWNER_DIED`;
    case WARN_CODES.vma_use_after_free:
      return `BUG: KASAN: use-after-free (a VMA walked after exit_mmap freed it; ${e.b} ${e.c})`;
    case WARN_CODES.pgtables_freed_under_walker:
      return `BUG: unable to handle page fault ... pte_offset_map_lock ` +
        `(page tables of mm ${arg("mm")} freed under walker ${who(arg("walker"))})`;
    case WARN_CODES.mm_ref_underflow:
      return `refcount_t: underflow; use-after-free. (${
        arg("mm_users") === 1 ? "mm_users" : "mm_count"
      } of mm ${arg("mm")})`;
    case WARN_CODES.task_ref_underflow:
      return `refcount_t: underflow; use-after-free. (put_task_struct of ${who(arg("pid"))})`;
    case WARN_CODES.sleep_with_task_lock:
      // kernel/sched/core.c __schedule_bug(): "%s/%d/0x%08x", comm, pid, preempt_count();
      // one spinlock held makes the count 1.
      return `BUG: scheduling while atomic: ${taskComm(ctx, e.pid)}/${e.pid}/0x00000001 ` +
        `(task_lock of ${who(arg("task"))} held)`;
    case WARN_CODES.reap_without_mmap_lock:
      return `lockdep: __oom_reap_task_mm without mmap_lock held for read (mm ${arg("mm")})`;
    case WARN_CODES.unable_to_reap: // mm/oom_kill.c oom_reap_task()
      return `oom_reaper: unable to reap pid:${arg("pid")} (${taskComm(ctx, arg("pid"))})`;
    case WARN_CODES.unlock_not_held: // lockdep's print_unlock_imbalance_bug()
      return `WARNING: bad unlock balance detected! (mmap_lock of mm ${arg("mm")})`;
    case WARN_CODES.mm_pinned_by_init: // mm/oom_kill.c __oom_kill_process()
      return `oom killer ${victim === null ? "?" : who(victim)} has mm pinned by ${
        who(arg("tgid"))
      }`;
    default:
      return `${warnName(arg("warn"))} ${e.b} ${e.c}`;
  }
}
