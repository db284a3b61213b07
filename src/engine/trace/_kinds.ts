/**
 * The event kinds, WARN codes and mmap_lock operations of the core's event log, and what
 * each event's arguments hold, all as the core states them (`CORE_LAYOUTS.event`, from
 * wasm/src/events.rs). This side spells names only; the numbers come from the core, and a
 * kind, WARN or operation the two sides do not both name stops the lab at load.
 *
 * @module
 */

import { codesByName, CORE_LAYOUTS, EVENT_CODES } from "../../core/kernel.ts";
import { EVENT_FIELD, type TraceEvent } from "./_decode.ts";

const EVENT = CORE_LAYOUTS.event;

/** Event kind name → number. Kernel tracepoints keep their names. */
export const EVENT_KINDS: Readonly<
  Record<
    | "sched_switch"
    | "sched_wakeup"
    | "signal_generate"
    | "signal_deliver"
    | "mark_victim"
    | "wake_reaper"
    | "start_task_reaping"
    | "finish_task_reaping"
    | "skip_task_reaping"
    | "sched_process_exit"
    | "rss_stat"
    | "warn"
    | "sys_enter"
    | "sys_exit"
    | "task_state"
    | "mm_flag"
    | "mm_ref"
    | "mmap_lock"
    | "exit_mmap"
    | "sched_process_free"
    | "scenario_event"
    | "run_end"
    | "rss_stat_run",
    number
  >
> = codesByName("event kinds", EVENT_CODES.kinds, [
  "sched_switch",
  "sched_wakeup",
  "signal_generate",
  "signal_deliver",
  "mark_victim",
  "wake_reaper",
  "start_task_reaping",
  "finish_task_reaping",
  "skip_task_reaping",
  "sched_process_exit",
  "rss_stat",
  "warn",
  "sys_enter",
  "sys_exit",
  "task_state",
  "mm_flag",
  "mm_ref",
  "mmap_lock",
  "exit_mmap",
  "sched_process_free",
  "scenario_event",
  "run_end",
  "rss_stat_run",
]);

/** An event kind's name. */
export type EventKindName = keyof typeof EVENT_KINDS;

/** Kind number → name; a number no kind has (0 among them) is the empty string. */
export const KIND_NAMES: readonly string[] = Object.freeze(
  (() => {
    const names: string[] = [""];
    for (const k of EVENT.kinds) names[k.code] = k.name;
    return Array.from(names, (n) => n ?? "");
  })(),
);

/** WARN name → code. */
export const WARN_CODES: Readonly<
  Record<
    | "zap_live_sharer"
    | "robust_list_unreadable"
    | "vma_use_after_free"
    | "pgtables_freed_under_walker"
    | "mm_ref_underflow"
    | "task_ref_underflow"
    | "sleep_with_task_lock"
    | "reap_without_mmap_lock"
    | "unable_to_reap"
    | "unlock_not_held"
    | "mm_pinned_by_init",
    number
  >
> = codesByName("warns", EVENT_CODES.warns, [
  "zap_live_sharer",
  "robust_list_unreadable",
  "vma_use_after_free",
  "pgtables_freed_under_walker",
  "mm_ref_underflow",
  "task_ref_underflow",
  "sleep_with_task_lock",
  "reap_without_mmap_lock",
  "unable_to_reap",
  "unlock_not_held",
  "mm_pinned_by_init",
]);

/** WARN code → name; codes the core does not state are absent. */
export const WARN_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(EVENT.warns.map((w) => [w.code, w.name])),
);

/** mmap_lock operation name → code. */
export const LOCK_OPS: Readonly<
  Record<
    | "read_acquired"
    | "read_released"
    | "write_acquired"
    | "write_released"
    | "read_waiting"
    | "write_waiting"
    | "wait_interrupted"
    | "trylock_failed",
    number
  >
> = codesByName("lock_ops", EVENT.lock_ops, [
  "read_acquired",
  "read_released",
  "write_acquired",
  "write_released",
  "read_waiting",
  "write_waiting",
  "wait_interrupted",
  "trylock_failed",
]);

/** signal_generate's `result`: the kernel's TRACE_SIGNAL_* codes (include/trace/events/signal.h). */
export const SIGNAL_RESULTS: Readonly<
  Record<"TRACE_SIGNAL_DELIVERED" | "TRACE_SIGNAL_IGNORED" | "TRACE_SIGNAL_ALREADY_PENDING", number>
> = codesByName("signal_results", EVENT.signal_results, [
  "TRACE_SIGNAL_DELIVERED",
  "TRACE_SIGNAL_IGNORED",
  "TRACE_SIGNAL_ALREADY_PENDING",
]);

/** mmap_lock operation code → name. */
export const LOCK_OP_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(EVENT.lock_ops.map((name, code) => [code, name])),
);

type Arg = "a" | "b" | "c" | "d";
const ARGS: readonly Arg[] = ["a", "b", "c", "d"];

/** name → which of a..d, for a list of argument names starting at `first`. */
function argsAt(names: readonly string[], first: number): ReadonlyMap<string, Arg> {
  return new Map(names.map((n, i) => [n, ARGS[first + i]]));
}

/** Per kind: its arguments by name. */
const KIND_ARGS: ReadonlyMap<number, ReadonlyMap<string, Arg>> = new Map(
  EVENT.kinds.map((k) => [k.code, argsAt(k.args, 0)]),
);

/**
 * The arguments a kind leaves to one of its codes to name (a WARN's, a scenario event's):
 * the kind's argument holding that code, and per code the names of those after it.
 */
function detailed(
  kind: EventKindName,
  codeArg: string,
  entries: readonly { readonly code: number; readonly args: readonly string[] }[],
) {
  const at = KIND_ARGS.get(EVENT_KINDS[kind])?.get(codeArg);
  if (at === undefined) throw new Error(`kernel facts: ${kind} events carry no ${codeArg}`);
  const first = ARGS.indexOf(at) + 1;
  return {
    kind: EVENT_KINDS[kind],
    at,
    names: new Map(entries.map((x) => [x.code, argsAt(x.args, first)])),
  };
}

const DETAILED = [
  detailed("warn", "warn", EVENT.warns),
  detailed(
    "scenario_event",
    "event",
    CORE_LAYOUTS.world.events.map((ev, code) => ({ code, args: ev.args })),
  ),
];

function argOf(e: TraceEvent, name: string): Arg | undefined {
  const own = KIND_ARGS.get(e.kind)?.get(name);
  if (own !== undefined) return own;
  const d = DETAILED.find((x) => x.kind === e.kind);
  return d?.names.get(e[d.at])?.get(name);
}

/**
 * An event's argument by the name the core gives it: the kind's own (`prev_pid` of a
 * sched_switch), or, for a WARN or a scenario event, the name its WARN or event gives `b`
 * and `c` (`tgid` of a zap_live_sharer WARN). Throws for a name the event does not have.
 *
 * @example
 * ```ts
 * import { EVENT_KINDS, eventArg } from "./mod.ts";
 * const e = { tsNs: 0, cpu: 0, pid: 7, kind: EVENT_KINDS.sched_wakeup, a: 100, b: 2, c: 0, d: 0 };
 * eventArg(e, "target_cpu"); // 2
 * ```
 */
export function eventArg(e: TraceEvent, name: string): number {
  const arg = argOf(e, name);
  if (arg === undefined) {
    throw new Error(`an event of kind ${KIND_NAMES[e.kind] || e.kind} has no argument ${name}`);
  }
  return e[arg];
}

/**
 * Where a kind's argument sits in a raw record (its offset from the record's start), for
 * code that reads the log in place.
 *
 * @example
 * ```ts
 * import { eventWord } from "./mod.ts";
 * eventWord("signal_generate", "result"); // 7: the record's d
 * ```
 */
export function eventWord(kind: EventKindName, name: string): number {
  const arg = KIND_ARGS.get(EVENT_KINDS[kind])?.get(name);
  if (arg === undefined) throw new Error(`an event of kind ${kind} has no argument ${name}`);
  return EVENT_FIELD[arg];
}
