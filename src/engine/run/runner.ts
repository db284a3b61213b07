/**
 * Drives a loaded world: the core's scheduler decides when each external thread runs, and
 * this loop resumes that thread's TypeScript generator for one segment at a time.
 *
 * @module
 */

import {
  CORE_LAYOUTS,
  ERRNO,
  type KGen,
  SIM_BUG,
  SimUserspace,
  type SyscallObserver,
  taskInfo,
  TaskKilled,
} from "../../core/mod.ts";
import type { Kernel } from "../../core/wasm.ts";
import { DEFAULT_RUN_LIMITS, type RunLimitName, RunLimitReached } from "./limits.ts";

/** A thread whose userspace is a recipe, starting at a simulated time. */
export interface Actor {
  /** The thread (pid) that runs the recipe. */
  readonly pid: number;
  /** When it starts, in simulated nanoseconds. */
  readonly atNs: number;
  /** The recipe; its return value is recorded as the actor's result. */
  readonly recipe: (u: SimUserspace) => KGen<number>;
}

/**
 * What became of each actor that finished: its recipe's result, or "killed". An actor whose
 * recipe was still running at the horizon has no entry.
 */
export type ActorResults = Map<number, number | "killed">;

/** The simulator broke its own invariant: a lab bug, with the core's message. */
export class SimulatorBug extends Error {}

/**
 * Steps the core simulates between two looks at the wall clock: a few milliseconds of
 * work. Where the core pauses changes nothing of the run (`Kernel.run_steps`).
 */
export const SLICE_STEPS = 16_384;

/**
 * Hand-offs to recipes between two looks at the wall clock when no slice fills up: a
 * recipe's segment is short (one syscall), so 64 of them cost far less than the limit's
 * millisecond resolution, and a recipe that loops on syscalls still meets the clock.
 */
const CLOCK_EVERY_HANDOFFS = 64;

/** How `runActors` runs. */
export interface RunActorsOptions {
  /** Called after each syscall of an actor returns. */
  onSyscallExit?: SyscallObserver;
  /**
   * The wall-clock limit in milliseconds (default `DEFAULT_RUN_LIMITS.maxWallMs`); the
   * event and step limits are the kernel's (`Kernel.set_run_limits`).
   */
  maxWallMs?: number;
  /** Steps between two looks at the clock (default {@linkcode SLICE_STEPS}). */
  sliceSteps?: number;
}

/**
 * Runs `actors` on `kernel` until its horizon. The sequence of boundary calls is the one
 * `wasm/src/baseline.rs` makes, so a one-actor run gives the same event log natively.
 * Throws {@linkcode RunLimitReached} when the run reaches one of its limits.
 *
 * @example
 * ```ts
 * import { runActors } from "./runner.ts";
 * // const results = runActors(kernel, [{ pid: 501, atNs: 0, recipe: (u) => u.kill(1000, 9) }]);
 * ```
 */
export function runActors(
  kernel: Kernel,
  actors: readonly Actor[],
  opts: RunActorsOptions = {},
): ActorResults {
  const pending = [...actors].sort((a, b) => a.atNs - b.atNs);
  const running = new Map<number, KGen<number>>();
  const results: ActorResults = new Map();
  const horizon = kernel.horizon_ns();
  const maxWallMs = opts.maxWallMs ?? DEFAULT_RUN_LIMITS.maxWallMs;
  const slice = opts.sliceSteps ?? SLICE_STEPS;
  // The clock is read between slices only: it decides when the run stops, never what it does.
  // After a full slice of steps always; after a hand-off to a recipe only every
  // CLOCK_EVERY_HANDOFFS, so a short run does not pay a clock read per syscall.
  const deadline = performance.now() + maxWallMs;
  let handoffs = 0;
  let next = 0;
  for (;;) {
    const until = next < pending.length ? Math.min(pending[next].atNs, horizon) : horizon;
    const r = kernel.run_steps(until, slice);
    const look = r === -ERRNO.EAGAIN || (r > 0 && ++handoffs % CLOCK_EVERY_HANDOFFS === 0);
    if (look && performance.now() > deadline) throw new RunLimitReached("wall_ms", maxWallMs);
    if (r === -ERRNO.EAGAIN) continue;
    if (r === SIM_BUG) throw new SimulatorBug(kernel.last_error());
    if (r < 0) throw coreLimit(kernel) ?? coreRefused(kernel, r);
    if (r > 0) {
      resume(kernel, r, running, results);
      continue;
    }
    if (next >= pending.length || until >= horizon) break;
    const actor = pending[next++];
    const started = kernel.ext_start(actor.pid);
    if (started !== 0 && pastExit(kernel, actor.pid)) {
      // Killed before its start by a call of the run (a recipe that signalled its own
      // process through PIDFD_SELF_*, REAP_KILL's kill of the sharers): it never runs.
      results.set(actor.pid, "killed");
      continue;
    }
    if (started !== 0) {
      throw new Error(`thread ${actor.pid} cannot run a recipe (${started}): is it alive?`);
    }
    running.set(actor.pid, actor.recipe(new SimUserspace(kernel, actor.pid, opts.onSyscallExit)));
  }
  return results;
}

/** The thread has exited (a zombie, or released): the core's task states say so. */
function pastExit(kernel: Kernel, pid: number): boolean {
  const state = taskInfo(kernel, pid)?.state;
  const name = state === undefined ? "dead" : CORE_LAYOUTS.task_states[state]?.name;
  return name === "zombie" || name === "dead";
}

/** The limit the core's run reached, as an error; undefined if it reached none. */
export function coreLimit(kernel: Kernel): RunLimitReached | undefined {
  const limit = kernel.run_limit();
  if (limit !== "events" && limit !== "steps") return undefined;
  const [maxEvents, maxSteps] = kernel.run_limits();
  return new RunLimitReached(
    limit satisfies RunLimitName,
    limit === "events" ? maxEvents : maxSteps,
  );
}

/** The core refused to run (a negative answer that is no limit): the error to throw. */
export function coreRefused(kernel: Kernel, r: number): Error {
  return new Error(`the core refused to run: ${r} ${kernel.last_error()}`);
}

/**
 * Resumes the recipe of `pid`, which the core handed over, for one segment: yields back
 * to the core (`ext_yield`), or records its result and ends it (`ext_end`).
 */
export function resume(
  kernel: Kernel,
  pid: number,
  running: Map<number, KGen<number>>,
  results: ActorResults,
): void {
  const gen = running.get(pid);
  if (!gen) throw new Error(`the core handed over thread ${pid}, which runs no recipe`);
  let result: number | "killed";
  try {
    const step = gen.next();
    if (!step.done) {
      kernel.ext_yield(pid);
      return;
    }
    result = step.value;
  } catch (e) {
    if (!(e instanceof TaskKilled)) throw e;
    result = "killed";
  }
  results.set(pid, result);
  running.delete(pid);
  kernel.ext_end(pid);
}
