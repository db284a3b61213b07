/**
 * The world's size limits, in one table: what a scenario may hold at most, and where each
 * bound comes from. The core's own bounds (`CORE_LAYOUTS.world.limits`, read by `abi.ts`
 * from wasm/src/load.rs) are taken as they are; the others are the lab's, each with the
 * reason. The validator checks every one of them at the JSON path of the list that
 * overflows, and docs/scenario-format.md ("Limits") states them (a test compares the two).
 *
 * @module
 */

import {
  FD_LIMIT,
  MAX_CGROUPS,
  MAX_CPUS,
  MAX_EVENTS,
  MAX_PID_NAMESPACES,
  MAX_TASKS,
  MAX_TIME_US,
  MAX_VMA_PAGES,
  MAX_VMAS_PER_MM,
  PID_MAX_LIMIT,
} from "./abi.ts";
import { SCENARIO_BYTES_MAX } from "./files.ts";

/**
 * Every size limit of a scenario.
 *
 * @example
 * ```ts
 * import { SCENARIO_LIMITS } from "./limits.ts";
 * console.log(SCENARIO_LIMITS.cpus); // 64
 * ```
 */
export const SCENARIO_LIMITS = {
  /** Bytes of a scenario file read by default (raise with `maxBytes`). */
  file_bytes: SCENARIO_BYTES_MAX,
  /** JSON nesting depth (a scenario needs 6 levels). */
  json_depth: 64,
  /** CPUs: an affinity mask is two 32-bit words (core: MAX_CPUS). */
  cpus: MAX_CPUS,
  /** Address spaces: at most one per process in practice (the lab's bound). */
  mms: 65536,
  /** VMAs of one mm (core: MAX_VMAS_PER_MM; a real mm allows 65530). */
  vmas_per_mm: MAX_VMAS_PER_MM,
  /** Pages of one VMA: a page count travels as one i32 word (core: MAX_VMA_PAGES). */
  vma_pages: MAX_VMA_PAGES,
  /** Processes (core: MAX_TASKS, the task table). */
  processes: MAX_TASKS,
  /** Threads in all processes together (core: MAX_TASKS). */
  threads: MAX_TASKS,
  /** Threads of one process (the lab's bound, far above real apps). */
  threads_per_process: 65536,
  /** Open files of one process: fds 0..1023 (core: the fd table's size). */
  fds_per_process: FD_LIMIT,
  /** mmap_locks one thread holds across its D sleep (real code holds one or two). */
  holds_per_thread: 8,
  /** Cgroups below the root (core: MAX_CGROUPS). */
  cgroups: MAX_CGROUPS,
  /** pid namespaces below init_pid_ns (core: MAX_PID_NAMESPACES). */
  pid_namespaces: MAX_PID_NAMESPACES,
  /** Timed events (core: MAX_EVENTS). */
  events: MAX_EVENTS,
  /** Further callers in `intent.also`. */
  also_callers: 8,
  /** Ranges in `intent.call.iov`. */
  iov_ranges: 64,
  /** Follow-up calls in `intent.then` (a look or two at the victim after the call). */
  then_calls: 8,
  /** Expectations in `expect`. */
  expectations: 1024,
  /** The largest pid or tgid (the kernel's PID_MAX_LIMIT on 64-bit). */
  pid: PID_MAX_LIMIT,
  /** The latest time, in microseconds: times are i32 microseconds (core: MAX_TIME_US). */
  time_us: MAX_TIME_US,
} as const;
