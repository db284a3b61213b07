/**
 * Drives a loaded world: the core's scheduler decides when each external thread runs, and
 * this loop resumes that thread's TypeScript generator for one segment at a time.
 *
 * @module
 */

import {
  type KGen,
  SIM_BUG,
  SimUserspace,
  type SyscallObserver,
  TaskKilled,
} from "../../core/mod.ts";
import type { Kernel } from "../../core/wasm.ts";

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
 * Runs `actors` on `kernel` until its horizon. The sequence of boundary calls is the one
 * `wasm/src/baseline.rs` makes, so a one-actor run gives the same event log natively.
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
  opts: { onSyscallExit?: SyscallObserver } = {},
): ActorResults {
  const pending = [...actors].sort((a, b) => a.atNs - b.atNs);
  const running = new Map<number, KGen<number>>();
  const results: ActorResults = new Map();
  const horizon = kernel.horizon_ns();
  let next = 0;
  for (;;) {
    const until = next < pending.length ? Math.min(pending[next].atNs, horizon) : horizon;
    const r = kernel.run(until);
    if (r === SIM_BUG) throw new SimulatorBug(kernel.last_error());
    if (r < 0) throw new Error(`the core refused to run: ${r} ${kernel.last_error()}`);
    if (r > 0) {
      resume(kernel, r, running, results);
      continue;
    }
    if (next >= pending.length || until >= horizon) break;
    const actor = pending[next++];
    const started = kernel.ext_start(actor.pid);
    if (started !== 0) {
      throw new Error(`thread ${actor.pid} cannot run a recipe (${started}): is it alive?`);
    }
    running.set(actor.pid, actor.recipe(new SimUserspace(kernel, actor.pid, opts.onSyscallExit)));
  }
  return results;
}

function resume(
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
