/**
 * From schedules to the report: each schedule as a JSON line keyed by its choice list
 * (what a shard writes), and the report over a set of lines, which depends on the set
 * alone, so that merging shards' lines gives what one walk gives.
 *
 * @module
 */

import type { Leaf } from "./_walk.ts";
import { outcomeText, type ScheduleOutcome } from "./_outcome.ts";

/** The JSON lines' schema. */
export const EXPLORE_LINE_SCHEMA = "mrelease-lab/explore-line@1";

/** What was explored: one (scenario, design, kernel, bound) walk. */
export interface WalkKey {
  /** The scenario's name. */
  readonly scenario: string;
  /** The scenario file, as the user named it (for the replay commands). */
  readonly file: string;
  /** name or name@variant. */
  readonly design: string;
  /** The kernel version. */
  readonly kernel: string;
  /** The preemption bound, or null for none. */
  readonly preemptions: number | null;
  /** Kernel bug bits switched on (0: none). */
  readonly kernel_bugs: number;
}

/** One JSON line: a schedule and its outcome. */
export interface ExploreLine extends WalkKey {
  /** Always {@linkcode EXPLORE_LINE_SCHEMA}. */
  readonly schema: typeof EXPLORE_LINE_SCHEMA;
  /** The choice list, comma-separated (empty: every choice 0): the line's key. */
  readonly schedule: string;
  /** What the schedule came to. */
  readonly outcome: ScheduleOutcome;
}

/** A leaf of `key`'s walk as a JSON line. */
export function leafLine(key: WalkKey, leaf: Leaf): ExploreLine {
  return {
    schema: EXPLORE_LINE_SCHEMA,
    ...key,
    schedule: leaf.schedule.join(","),
    outcome: leaf.outcome,
  };
}

/** One distinct outcome of a walk. */
export interface OutcomeRow {
  /** The outcome. */
  readonly outcome: ScheduleOutcome;
  /** It as one line (`outcomeText`): what tells outcomes apart. */
  readonly text: string;
  /** Schedules that reach it. */
  readonly count: number;
  /** The first schedule (in lexicographic order of choice lists) that reaches it. */
  readonly witness: readonly number[];
}

/** A walk's report: how many schedules, and the distinct outcomes. */
export interface WalkReport {
  /** Which walk. */
  readonly key: WalkKey;
  /** How many schedules ran. */
  readonly schedules: number;
  /** By witness order. */
  readonly outcomes: readonly OutcomeRow[];
}

/** The reports of a set of lines, one per walk key, in the order keys first appear. */
export function reportLines(lines: readonly ExploreLine[]): WalkReport[] {
  const walks = new Map<string, { key: WalkKey; rows: Map<string, OutcomeRow> }>();
  const seen = new Set<string>();
  for (const line of lines) {
    const key: WalkKey = {
      scenario: line.scenario,
      file: line.file,
      design: line.design,
      kernel: line.kernel,
      preemptions: line.preemptions,
      kernel_bugs: line.kernel_bugs,
    };
    const id = JSON.stringify(key);
    // A schedule counted twice (a line given twice to merge) is counted once.
    if (seen.has(`${id}\u0000${line.schedule}`)) continue;
    seen.add(`${id}\u0000${line.schedule}`);
    let walk = walks.get(id);
    if (!walk) walks.set(id, walk = { key, rows: new Map() });
    const text = outcomeText(line.outcome);
    const schedule = line.schedule === "" ? [] : line.schedule.split(",").map(Number);
    const row = walk.rows.get(text);
    walk.rows.set(text, {
      outcome: line.outcome,
      text,
      count: (row?.count ?? 0) + 1,
      witness: row && compareSchedules(row.witness, schedule) <= 0 ? row.witness : schedule,
    });
  }
  return [...walks.values()].map(({ key, rows }) => {
    const outcomes = [...rows.values()].sort((a, b) => compareSchedules(a.witness, b.witness));
    return { key, schedules: outcomes.reduce((n, r) => n + r.count, 0), outcomes };
  });
}

/** Lexicographic order of choice lists (a missing choice is 0, as the core takes it). */
export function compareSchedules(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Whether this shard (`index` of `count`) owns the schedules that start with `schedule`:
 * decided by a hash of the first `SHARD_DEPTH` choices (of all of them for a shorter
 * finished schedule); undefined while the prefix is too short to tell and the run goes on.
 */
export function shardOwns(
  index: number,
  count: number,
  schedule: readonly number[],
  finished: boolean,
): boolean | undefined {
  if (count === 1) return true;
  if (schedule.length < SHARD_DEPTH && !finished) return undefined;
  // FNV-1a over the prefix: the partition depends on the schedule alone.
  let h = 0x811c9dc5;
  for (const v of schedule.slice(0, SHARD_DEPTH)) {
    h = Math.imul(h ^ (v + 1), 0x01000193) >>> 0;
  }
  h = Math.imul(h ^ Math.min(schedule.length, SHARD_DEPTH), 0x01000193) >>> 0;
  return h % count === index;
}

/**
 * How many leading choices decide a schedule's shard: enough prefixes to spread a space
 * over many shards, few enough that every shard walks only a short common prefix.
 */
export const SHARD_DEPTH = 6;
