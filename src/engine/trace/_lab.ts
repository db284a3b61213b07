/**
 * The lab-only events (no kernel tracepoint exists for them) as key=value arguments, and the
 * WARN events as the message the real kernel would print (wasm/src/events.rs `Warn`).
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, LOCK_OP_NAMES, WARN_CODES, WARN_NAMES } from "./_kinds.ts";
import {
  EXIT_MMAP_PHASES,
  mmfName,
  SCENARIO_EVENTS,
  taskComm,
  taskStateName,
  type TraceContext,
} from "./_names.ts";

/** Arguments of a lab-only event, in print order. */
export type LabArgs = Record<string, number | string>;

/** The arguments of a lab-only kind (task_state .. run_end), or null for any other kind. */
export function labArgs(e: TraceEvent, ctx: TraceContext): LabArgs | null {
  switch (e.kind) {
    case EVENT_KINDS.task_state:
      return {
        pid: e.a,
        comm: taskComm(ctx, e.a),
        state: taskStateName(e.b),
        flags: `0x${e.c.toString(16).padStart(8, "0")}`, // PF_EXITING 0x4, PF_KTHREAD 0x200000
      };
    case EVENT_KINDS.mm_flag:
      return { mm: e.a, owner: ctx.mmOwner(e.a), flag: mmfName(e.b), set: e.c };
    case EVENT_KINDS.mm_ref:
      return { mm: e.a, owner: ctx.mmOwner(e.a), mm_users: e.b, mm_count: e.c };
    case EVENT_KINDS.mmap_lock:
      return { mm: e.a, owner: ctx.mmOwner(e.a), op: LOCK_OP_NAMES[e.b] ?? `op_${e.b}` };
    case EVENT_KINDS.exit_mmap:
      return { mm: e.a, owner: ctx.mmOwner(e.a), phase: EXIT_MMAP_PHASES[e.b] ?? `${e.b}` };
    case EVENT_KINDS.scenario_event:
      return scenarioArgs(e);
    case EVENT_KINDS.run_end:
      return { reason: e.a === 1 ? "horizon" : "quiescent" };
    default:
      return null;
  }
}

function scenarioArgs(e: TraceEvent): LabArgs {
  const event = SCENARIO_EVENTS[e.a] ?? `${e.a}`;
  switch (event) {
    case "proc_reader": // a /proc reader holding an mm_users reference; c: 1 when it is done
      return { event, mm: e.b, done: e.c };
    case "exit":
    case "wake":
      return { event, pid: e.b };
    case "kill":
      return { event, tgid: e.b, sig: e.c };
    default:
      return { event, arg0: e.b, arg1: e.c };
  }
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
  switch (e.a) {
    case WARN_CODES.zap_live_sharer: // b: the live sharer's tgid, c: the mm
      return `(no kernel message: silent data loss) pages zapped from mm ${e.c} ` +
        `still used by live process ${who(e.b)}`;
    case WARN_CODES.robust_list_unreadable: // b: the exiting pid
      return `(no kernel message) exit_robust_list: pid ${who(e.b)} cannot read its ` +
        `robust futex list, already reaped: waiters never see OWNER_DIED`;
    case WARN_CODES.vma_use_after_free:
      return `BUG: KASAN: use-after-free (a VMA walked after exit_mmap freed it; ${e.b} ${e.c})`;
    case WARN_CODES.pgtables_freed_under_walker: // b: the walker, c: the mm
      return `BUG: unable to handle page fault ... pte_offset_map_lock ` +
        `(page tables of mm ${e.c} freed under walker ${who(e.b)})`;
    case WARN_CODES.mm_ref_underflow: // b: 0 mm_count, 1 mm_users; c: the mm
      return `refcount_t: underflow; use-after-free. (${e.b === 1 ? "mm_users" : "mm_count"} ` +
        `of mm ${e.c})`;
    case WARN_CODES.task_ref_underflow: // b: the pid
      return `refcount_t: underflow; use-after-free. (put_task_struct of ${who(e.b)})`;
    case WARN_CODES.sleep_with_task_lock: // b: the task whose task_lock is held
      // kernel/sched/core.c __schedule_bug(): "%s/%d/0x%08x", comm, pid, preempt_count();
      // one spinlock held makes the count 1.
      return `BUG: scheduling while atomic: ${taskComm(ctx, e.pid)}/${e.pid}/0x00000001 ` +
        `(task_lock of ${who(e.b)} held)`;
    case WARN_CODES.reap_without_mmap_lock: // b: the mm
      return `lockdep: __oom_reap_task_mm without mmap_lock held for read (mm ${e.b})`;
    case WARN_CODES.unable_to_reap: // b: the pid; mm/oom_kill.c oom_reap_task()
      return `oom_reaper: unable to reap pid:${e.b} (${taskComm(ctx, e.b)})`;
    case WARN_CODES.unlock_not_held: // b: the mm; lockdep's print_unlock_imbalance_bug()
      return `WARNING: bad unlock balance detected! (mmap_lock of mm ${e.b})`;
    case WARN_CODES.mm_pinned_by_init: // b: the sharer; mm/oom_kill.c __oom_kill_process()
      return `oom killer ${victim === null ? "?" : who(victim)} has mm pinned by ${who(e.b)}`;
    default:
      return `${warnName(e.a)} ${e.b} ${e.c}`;
  }
}
