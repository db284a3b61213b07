/**
 * The event kinds, WARN codes and mmap_lock operations of the core's event log, mirroring
 * wasm/src/events.rs (`Kind`, `KIND_NAMES`, `Warn`, `LockOp`). The core exports its kind
 * names through `Kernel.event_kind_names()`; {@linkcode checkKindNames} compares the two
 * lists at load so that a core built from other sources cannot be misread silently.
 *
 * @module
 */

/** Event kind name → number (wasm/src/events.rs `Kind`). Kernel tracepoints keep their names. */
export const EVENT_KINDS = {
  sched_switch: 1,
  sched_wakeup: 2,
  signal_generate: 3,
  signal_deliver: 4,
  mark_victim: 5,
  wake_reaper: 6,
  start_task_reaping: 7,
  finish_task_reaping: 8,
  skip_task_reaping: 9,
  sched_process_exit: 10,
  rss_stat: 11,
  warn: 12,
  sys_enter: 13,
  sys_exit: 14,
  task_state: 15,
  mm_flag: 16,
  mm_ref: 17,
  mmap_lock: 18,
  exit_mmap: 19,
  sched_process_free: 20,
  scenario_event: 21,
  run_end: 22,
} as const;

/** An event kind's name. */
export type EventKindName = keyof typeof EVENT_KINDS;

/** Kind number → name; index 0 is unused and is the empty string, as in the core. */
export const KIND_NAMES: readonly string[] = Object.freeze(
  (() => {
    const names: string[] = [""];
    for (const [name, kind] of Object.entries(EVENT_KINDS)) names[kind] = name;
    return names;
  })(),
);

/**
 * Throws when the core's kind names disagree with {@linkcode EVENT_KINDS}.
 *
 * @param namesFromCore `Kernel.event_kind_names()`: comma-separated, or already split.
 * @example
 * ```ts
 * import { checkKindNames, KIND_NAMES } from "./mod.ts";
 * checkKindNames(KIND_NAMES.join(",")); // agrees: returns
 * ```
 */
export function checkKindNames(namesFromCore: string | readonly string[]): void {
  const core = typeof namesFromCore === "string" ? namesFromCore.split(",") : namesFromCore;
  const problems: string[] = [];
  if (core.length !== KIND_NAMES.length) {
    problems.push(`the core has ${core.length} kinds, this side ${KIND_NAMES.length}`);
  }
  const n = Math.max(core.length, KIND_NAMES.length);
  for (let kind = 0; kind < n; kind++) {
    if (core[kind] !== KIND_NAMES[kind]) {
      problems.push(
        `kind ${kind} is ${JSON.stringify(core[kind] ?? null)} in the core, ` +
          `${JSON.stringify(KIND_NAMES[kind] ?? null)} here`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(
      "event kinds disagree between wasm/src/events.rs and src/engine/trace/_kinds.ts: " +
        problems.join("; "),
    );
  }
}

/** WARN name → code (wasm/src/events.rs `Warn`). */
export const WARN_CODES = {
  zap_live_sharer: 1,
  robust_list_unreadable: 2,
  vma_use_after_free: 3,
  pgtables_freed_under_walker: 4,
  mm_ref_underflow: 5,
  task_ref_underflow: 6,
  sleep_with_task_lock: 7,
  reap_without_mmap_lock: 8,
  unable_to_reap: 9,
  unlock_not_held: 10,
  mm_pinned_by_init: 11,
} as const;

/** WARN code → name; codes the table does not know are absent. */
export const WARN_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(WARN_CODES).map(([name, code]) => [code, name])),
);

/** mmap_lock operation name → code (wasm/src/events.rs `LockOp`). */
export const LOCK_OPS = {
  read_acquired: 0,
  read_released: 1,
  write_acquired: 2,
  write_released: 3,
  read_waiting: 4,
  write_waiting: 5,
  wait_interrupted: 6,
  trylock_failed: 7,
} as const;

/** mmap_lock operation code → name. */
export const LOCK_OP_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(LOCK_OPS).map(([name, code]) => [code, name])),
);
