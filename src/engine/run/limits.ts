/**
 * The limits every run ends at, whatever its scenario asks for: the events its log holds
 * (the log is the run's memory, {@linkcode EVENT_BYTES} an event), the steps it simulates,
 * and the wall-clock time it takes. The core enforces the first two itself (its log never
 * grows past the limit) and states their defaults (wasm/src/limits.rs); the runner reads
 * the clock between slices of the core's work for the third. Reaching one is a
 * {@linkcode RunLimitReached}: a clean error naming the limit, its value and the flag that
 * raises it.
 *
 * @module
 */

import { Kernel } from "../../core/wasm.ts";
import { EVENT_WORDS } from "../trace/mod.ts";

/** What a run may use. */
export interface RunLimits {
  /** The most events its log may hold ({@linkcode EVENT_BYTES} each): its memory. */
  readonly maxEvents: number;
  /** The most steps it may simulate (a step: one CPU acting once). */
  readonly maxSteps: number;
  /** The most wall-clock time it may take, in milliseconds. */
  readonly maxWallMs: number;
}

/** The limits by name, as {@linkcode RunLimitReached} names them. */
export type RunLimitName = "events" | "steps" | "wall_ms";

/** The bytes of log one event takes in the core (its words are float64s). */
export const EVENT_BYTES: number = EVENT_WORDS * Float64Array.BYTES_PER_ELEMENT;

const [EVENTS_DEFAULT, EVENTS_MAX, STEPS_DEFAULT, STEPS_MAX] = Kernel.run_limit_bounds();

/**
 * The default limits. The core states the event and step limits (wasm/src/limits.rs):
 * 4,194,304 events (a 256 MiB log) and 50,000,000 steps; the largest run the lab ships
 * (every scenario file under every design and kernel, every point of the review with
 * `--full`) logs 33,607 events in 24,870 steps. The wall-time limit is 60 s; the longest
 * shipped run takes 2.4 s end to end on a 2-core machine (the review's
 * `world-300000-procs-4-threads`, most of it loading the world) and under 0.1 s in the
 * runner, where the limit applies.
 */
export const DEFAULT_RUN_LIMITS: RunLimits = Object.freeze({
  maxEvents: EVENTS_DEFAULT,
  maxSteps: STEPS_DEFAULT,
  maxWallMs: 60_000,
});

/** The most each limit may be raised to: a 1 GiB log, 2^53 steps, a day. */
export const MAX_RUN_LIMITS: RunLimits = Object.freeze({
  maxEvents: EVENTS_MAX,
  maxSteps: STEPS_MAX,
  maxWallMs: 86_400_000,
});

/** Each limit's option, command-line flag and what it counts. */
export const RUN_LIMIT_FLAGS: Readonly<
  Record<RunLimitName, { option: keyof RunLimits; flag: string; unit: string }>
> = Object.freeze({
  events: { option: "maxEvents", flag: "--max-events", unit: "events" },
  steps: { option: "maxSteps", flag: "--max-steps", unit: "simulated steps" },
  wall_ms: { option: "maxWallMs", flag: "--max-wall-ms", unit: "ms of wall-clock time" },
});

/**
 * A run reached one of its limits: it ended there, with no outcome. The message names the
 * limit, its value and the flag that raises it (and, from `runScenario`, the run).
 */
export class RunLimitReached extends Error {
  /** Which limit. */
  readonly limit: RunLimitName;
  /** Its value in this run. */
  readonly value: number;
  /** The command-line flag that raises it. */
  readonly flag: string;

  /** Builds the error; `run` says which run reached it (scenario, design, kernel, seed). */
  constructor(limit: RunLimitName, value: number, run?: string) {
    const { flag, unit } = RUN_LIMIT_FLAGS[limit];
    const memory = limit === "events" ? ` (a ${size(value * EVENT_BYTES)} event log)` : "";
    const where = run ? ` in ${run}` : "";
    super(
      `run limit reached: more than ${
        value.toLocaleString("en-US")
      } ${unit}${memory}${where}; the run stopped there. Raise the limit with ${flag} N (default ${
        DEFAULT_RUN_LIMITS[RUN_LIMIT_FLAGS[limit].option].toLocaleString("en-US")
      }, at most ${MAX_RUN_LIMITS[RUN_LIMIT_FLAGS[limit].option].toLocaleString("en-US")})`,
    );
    this.name = "RunLimitReached";
    this.limit = limit;
    this.value = value;
    this.flag = flag;
  }
}

/**
 * The limits of a run: the defaults, with what `limits` sets. Each must be a whole number
 * from 1 to its {@linkcode MAX_RUN_LIMITS} entry; a `RangeError` names the flag otherwise.
 *
 * @example
 * ```ts
 * import { runLimits } from "./limits.ts";
 * console.log(runLimits({ maxEvents: 1_000_000 }).maxSteps); // the default
 * ```
 */
export function runLimits(limits?: Partial<RunLimits>): RunLimits {
  // Most runs set no limit: one frozen object for them all (a run asks for it each time).
  if (limits === undefined) return DEFAULT_LIMITS;
  const out = { ...DEFAULT_RUN_LIMITS };
  for (const { option, flag } of Object.values(RUN_LIMIT_FLAGS)) {
    const v = limits[option];
    if (v === undefined) continue;
    const max = MAX_RUN_LIMITS[option];
    if (!Number.isSafeInteger(v) || v < 1 || v > max) {
      throw new RangeError(
        `${flag} takes a whole number from 1 to ${max.toLocaleString("en-US")}, got ${v}`,
      );
    }
    out[option] = v;
  }
  return Object.freeze(out);
}

const DEFAULT_LIMITS: RunLimits = Object.freeze({ ...DEFAULT_RUN_LIMITS });

function size(bytes: number): string {
  const [n, unit] = bytes >= 2 ** 30 ? [bytes / 2 ** 30, "GiB"] : [bytes / 2 ** 20, "MiB"];
  return n >= 1 ? `${Number(n.toFixed(1)).toLocaleString("en-US")} ${unit}` : `${bytes} B`;
}
