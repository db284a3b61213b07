/**
 * The walk over a scenario's schedules: depth first over the core's choice points, each
 * branch started from a snapshot of the world taken after the choice before it, so a
 * prefix shared by many schedules is simulated once.
 *
 * A schedule is the list of alternatives taken at the core's choice points, in order: the
 * `--choices` list that replays it (`Kernel.set_choices`). The walk runs the schedule of
 * all zeros first; each choice past the list's end is reported by the core
 * (`take_fresh_choices`) with its number of alternatives, and becomes a node; the walk
 * then comes back to the deepest node with an alternative left, restores the snapshot
 * taken nearest before it, and runs the list that leads there.
 *
 * @module
 */

import { ERRNO, SIM_BUG } from "../../core/mod.ts";
import { Kernel } from "../../core/wasm.ts";
import type { KernelVersion, Scenario } from "../scenario/mod.ts";
import {
  coreLimit,
  coreRefused,
  type PreparedRun,
  prepareRun,
  RunLimitReached,
  runLimits,
  type RunOptions,
} from "../run/mod.ts";
import { Actors, type ActorsState } from "./_actors.ts";
import { brokenOutcome, type ScheduleOutcome, scheduleOutcome } from "./_outcome.ts";
import { type Node, type Reduction, SleepSets } from "./_sleep.ts";

/** How to walk. */
export interface WalkOptions extends Omit<RunOptions, "choices" | "seed" | "sliceSteps"> {
  /** The most alternatives other than the first (0) a schedule takes; none: no bound. */
  preemptions?: number;
  /** The most schedules to run; the walk stops there and says so. */
  budget?: number;
  /** The most live snapshots (the core's default otherwise). */
  maxSnapshots?: number;
  /**
   * Which schedules this walk runs (a shard's, `shardOwns`): false when every schedule
   * that starts with `schedule` (that is `schedule`, when `finished`) is another's;
   * undefined when the prefix cannot tell yet. All of them by default.
   */
  owns?: (schedule: readonly number[], finished: boolean) => boolean | undefined;
  /** The partial-order reduction: sleep sets by default; `"none"` enumerates every one. */
  reduction?: Reduction;
}

/** One schedule run to the end. */
export interface Leaf {
  /** The alternative taken at each choice point. */
  readonly schedule: readonly number[];
  /** What the schedule came to. */
  readonly outcome: ScheduleOutcome;
}

/** What a walk did. */
export interface WalkResult {
  /** Every schedule run to its end, in the order they ran. */
  readonly leaves: Leaf[];
  /** Whether the budget stopped the walk before every schedule ran. */
  readonly truncated: boolean;
  /** Branches the reduction pruned (each stands for one or more schedules). */
  readonly pruned: number;
  /** Snapshots taken, and steps the core simulated in all. */
  readonly snapshots: number;
  /** Steps the core simulated in all the schedules' runs. */
  readonly steps: number;
}

interface Snapshot {
  readonly id: number;
  /** Choices drawn before it: the nodes it can restart. */
  readonly taken: number;
  readonly actors: ActorsState;
  readonly reapable: number;
}

/**
 * Runs every schedule of `scenario` under `opts.design` within the bounds.
 *
 * @example
 * ```ts
 * import { walk } from "./_walk.ts";
 * // const { leaves } = walk(scenario, { design, kernel: "5.15", preemptions: 2 });
 * ```
 */
export function walk(scenario: Scenario, opts: WalkOptions): WalkResult {
  const kernel = new Kernel(scenario.seed >>> 0, 0);
  try {
    return new Walk(kernel, scenario, opts).run();
  } finally {
    kernel.free();
  }
}

class Walk {
  readonly #kernel: Kernel;
  readonly #prepared: PreparedRun;
  readonly #actors: Actors;
  readonly #opts: WalkOptions;
  readonly #horizon: number;
  readonly #path: Node[] = [];
  readonly #snaps: Snapshot[] = [];
  readonly #leaves: Leaf[] = [];
  readonly #sleep: SleepSets;
  readonly #bound: number;
  #snapshotsTaken = 0;
  #steps = 0;

  constructor(kernel: Kernel, scenario: Scenario, opts: WalkOptions) {
    this.#kernel = kernel;
    this.#opts = opts;
    const kernelVersion: KernelVersion = opts.kernel ?? scenario.kernel;
    this.#prepared = prepareRun(kernel, scenario, {
      ...opts,
      kernel: kernelVersion,
      seed: scenario.seed,
      limits: runLimits(opts.limits),
    });
    if (opts.maxSnapshots !== undefined && kernel.set_snapshot_limit(opts.maxSnapshots) !== 0) {
      throw new RangeError(kernel.last_error());
    }
    kernel.set_choices_exploring(new Uint32Array());
    this.#actors = new Actors(kernel, this.#prepared.actors, this.#prepared.onSyscallExit);
    this.#horizon = kernel.horizon_ns();
    this.#sleep = new SleepSets(kernel, opts.reduction ?? "sleep-sets");
    this.#bound = opts.preemptions ?? Infinity;
  }

  run(): WalkResult {
    const budget = this.#opts.budget ?? Infinity;
    this.#snapshot();
    let truncated = false;
    for (let branch: number | undefined = 0; branch !== undefined; branch = this.#backtrack()) {
      if (this.#leaves.length >= budget) {
        truncated = true;
        break;
      }
      this.#runToEnd();
    }
    for (const s of this.#snaps) this.#kernel.drop_snapshot(s.id);
    return {
      leaves: this.#leaves,
      truncated,
      pruned: this.#sleep.pruned,
      snapshots: this.#snapshotsTaken,
      steps: this.#steps,
    };
  }

  /** Runs the current schedule on from where the world is, and records its outcome. */
  #runToEnd(): void {
    let outcome: ScheduleOutcome;
    try {
      while (!this.#advance()) {
        this.#snapshot();
        const last = this.#path.at(-1)!;
        if (last.order && this.#path.length > this.#kernel.choices_taken()) {
          // The core stopped before an order choice: take the first alternative allowed.
          const v = this.#sleep.choose(this.#path.length - 1, last, this.#spent(), this.#bound);
          if (v === undefined) return;
          this.#kernel.set_choices_exploring(Uint32Array.of(v));
        }
        if (this.#opts.owns?.(this.#values(), false) === false) return;
      }
      if (this.#opts.owns?.(this.#values(), true) === false) return;
      outcome = scheduleOutcome(this.#prepared.finish(this.#actors.results).outcome);
    } catch (e) {
      if (!(e instanceof RunLimitReached || e instanceof BrokenRun)) throw e;
      if (this.#opts.owns?.(this.#values(), true) === false) return;
      outcome = brokenOutcome(e.message);
    }
    this.#steps += this.#kernel.steps_taken();
    this.#leaves.push({ schedule: this.#values(), outcome });
  }

  /** Extra preemptions the path up to node `j` (all of it by default) takes. */
  #spent(j = this.#path.length - 1): number {
    let n = 0;
    for (let i = 0; i < j; i++) if (this.#path[i].value !== 0) n++;
    return n;
  }

  #values(): number[] {
    return this.#path.map((n) => n.value);
  }

  /**
   * Drives the core and the recipes until the core draws a fresh choice (false: the
   * world is at a point to snapshot) or the run is over (true).
   */
  #advance(): boolean {
    const k = this.#kernel;
    for (;;) {
      const a = this.#actors;
      const until = a.next < a.list.length
        ? Math.min(a.list[a.next].actor.atNs, this.#horizon)
        : this.#horizon;
      const r = k.run_steps(until, Number.MAX_SAFE_INTEGER);
      if (r === SIM_BUG) throw new BrokenRun(`invariant broken: ${k.last_error()}`);
      if (r < 0 && r !== -ERRNO.EAGAIN) {
        const limit = coreLimit(k);
        throw limit ? new BrokenRun(limit.message) : coreRefused(k, r);
      }
      if (r > 0) a.resume(r);
      const ended = r === 0 && (a.next >= a.list.length || until >= this.#horizon);
      if (r === 0 && !ended) {
        const pid = a.list[a.next].actor.pid;
        if (k.ext_start(pid) !== 0) throw new Error(`thread ${pid} cannot run a recipe`);
        a.startNext();
      }
      if (this.#takeFresh() || ended) return ended;
    }
  }

  /** Adds the core's fresh choices as nodes taking alternative 0; whether there were any. */
  #takeFresh(): boolean {
    const fresh = this.#kernel.take_fresh_choices();
    for (let i = 0; i < fresh.length;) {
      const [arity, cpus] = [fresh[i], fresh[i + 1]];
      const order = cpus ? [...fresh.subarray(i + 2, i + 2 + cpus)] : undefined;
      this.#path.push(this.#sleep.node(this.#path.length, arity, order));
      i += 2 + cpus;
    }
    return fresh.length > 0;
  }

  #snapshot(): void {
    const id = this.#kernel.snapshot();
    if (id < 0) {
      throw new SnapshotLimitReached(
        `${this.#kernel.last_error()}; explore --max-snapshots raises the limit`,
      );
    }
    this.#snapshotsTaken++;
    this.#snaps.push({
      id,
      taken: this.#kernel.choices_taken(),
      actors: this.#actors.save(),
      reapable: this.#prepared.reapableAfter.length,
    });
  }

  /**
   * Moves to the next schedule: the deepest node with an alternative left within the
   * bound, restored from the snapshot nearest before it. undefined when none is left.
   */
  #backtrack(): number | undefined {
    for (let j = this.#path.length - 1; j >= 0; j--) {
      const node = this.#path[j];
      const spent = this.#spent(j);
      if (spent + 1 > this.#bound) continue;
      if (this.#opts.owns?.(this.#values().slice(0, j), false) === false) continue;
      this.#restoreBefore(j);
      const list = this.#path.slice(this.#snaps.at(-1)!.taken, j).map((n) => n.value);
      const next = this.#sleep.choose(j, node, spent, this.#bound);
      if (next === undefined) continue;
      this.#path.length = j + 1;
      this.#kernel.set_choices_exploring(Uint32Array.from([...list, next]));
      return next;
    }
    return undefined;
  }

  /**
   * Makes the world what it was just before node `j`'s choice: restores the latest
   * snapshot taken before it (dropping later ones) and runs the list up to it.
   */
  #restoreBefore(j: number): void {
    while (this.#snaps.at(-1)!.taken > j) this.#kernel.drop_snapshot(this.#snaps.pop()!.id);
    const s = this.#snaps.at(-1)!;
    this.#kernel.restore(s.id);
    this.#actors.restore(s.actors);
    this.#prepared.reapableAfter.length = s.reapable;
    this.#sleep.forget(j);
  }
}

/** The walk needs more live snapshots than the core allows (`--max-snapshots`). */
export class SnapshotLimitReached extends Error {}

/** A schedule whose run broke an invariant or reached a limit: an outcome, not an error. */
class BrokenRun extends Error {}
