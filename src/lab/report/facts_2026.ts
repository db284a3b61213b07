/**
 * The numbers "The 2026 question" states, read out of the review's measurements into plain
 * data ({@linkcode Facts2026}): the objections table's readings and the conclusion are pure
 * functions of these (objections_2026.ts), so a test can change a number and watch the
 * wording follow.
 *
 * @module
 */

import { reaperOf } from "../../core/mod.ts";
import { ESRCH_HOLDER_DELAY_US, ESRCH_HOLDERS, type Unit } from "./experiments.ts";
import { Q2026_ID, SITUATIONS } from "./experiments_2026.ts";
import { KILL_NS, type RunRecord } from "./measure.ts";
import { type Option, optionPins, options2026 } from "./options_2026.ts";
import type { Results } from "./results.ts";
import { EsrchFacts, foundNothing } from "./sections_esrch.ts";
import { VICTIM_TGID } from "./world.ts";

/** The cores of the ESRCH family. */
export const CORES = ["big", "little"] as const;

/** The world sizes the walks are read at (world-size family). */
export const WALK_PROCESSES = { base: 100, big: 100_000 } as const;

/** One option's calls that found nothing to reap, over a set of situations. */
export interface Misses {
  /** The option's label. */
  readonly label: string;
  /** Its call is the kill. */
  readonly killsInCall: boolean;
  /** Calls that found nothing. */
  readonly nothing: number;
  /** Calls. */
  readonly n: number;
  /** The smallest delay (µs) at which one did, if any. */
  readonly firstMissUs?: number;
}

/** What one option did where the victim shares its mm. */
export interface SharerRun {
  /** The option's label. */
  readonly label: string;
  /** Situation ids where it killed a process besides the victim (tgid 1000). */
  readonly killedOthers: readonly string[];
  /** Its answers in those situations. */
  readonly answers: readonly string[];
}

/** Everything the 2026 section's readings and conclusion are computed from. */
export interface Facts2026 {
  /** The ESRCH window through each reaping option's own recipe (no holder). */
  readonly esrch: readonly Misses[];
  /** The same calls after someone else killed first. */
  readonly other: readonly Misses[];
  /** The longest delay of the grid (µs). */
  readonly maxDelayUs: number;
  /**
   * With the long-lived mm_users holder, the call `ESRCH_HOLDER_DELAY_US` after the decision:
   * t100 (ns) of the calls that found nothing and of those that found the mm.
   */
  readonly holder: {
    readonly forMs: number;
    /** When the holder lets go, from the decision to kill (ns). */
    readonly releaseNs: number;
    readonly missedT100: readonly number[];
    readonly foundT100: readonly number[];
  };
  /** The shared-mm situations (ids) and what each option did there. */
  readonly sharers: { readonly situations: readonly string[]; readonly runs: readonly SharerRun[] };
  /** A running victim: each reaping option's pin, t90 (ns) and the share its caller freed. */
  readonly pin: readonly {
    readonly label: string;
    readonly pins: "mm_users" | "mm_count" | undefined;
    readonly t90: number | null;
    readonly callerShare: number;
  }[];
  /** Extra caller CPU (ns) per call at 100,000 processes over 100, 4-thread and 1-thread victim. */
  readonly walk: readonly {
    readonly label: string;
    readonly multi: number;
    readonly single: number;
  }[];
  /** Caller CPU of the cheapest reap of the walk family's 64 MiB victim at 100 processes (ns). */
  readonly reapNs: number;
}

/** The 2026 options whose reaper is not the victim (their calls can find nothing to reap). */
export function reapingOptions(): Option[] {
  return options2026().filter((o) => reaperOf(o.design, o.variant?.name) !== "victim");
}

/** Reads the 2026 section's facts out of the measurements. */
export function facts2026(r: Results): Facts2026 {
  const f = new EsrchFacts(r);
  const reaping = reapingOptions();
  const misses = (recipe: "own" | "other-first"): Misses[] =>
    reaping.map((o) => {
      const units = f.points({ recipe });
      const missed = units.filter((u) =>
        foundNothing(o.design, f.run(u, o.run.label), o.variant?.name)
      );
      const delays = missed.map((u) => u.point.params.delay_us as number);
      return {
        label: o.run.label,
        killsInCall: o.design.killsInCall,
        nothing: missed.length,
        n: units.length,
        ...(delays.length ? { firstMissUs: Math.min(...delays) } : {}),
      };
    });

  const long = ESRCH_HOLDERS[2];
  const missedT100: number[] = [];
  const foundT100: number[] = [];
  for (const cpus of CORES) {
    for (const recipe of ["own", "other-first"] as const) {
      const u = f.at(recipe, long.id, cpus, ESRCH_HOLDER_DELAY_US);
      for (const o of reaping) {
        const x = f.run(u, o.run.label);
        (foundNothing(o.design, x, o.variant?.name) ? missedT100 : foundT100).push(
          x.t100_ns ?? Infinity,
        );
      }
    }
  }

  const sharers = SITUATIONS.filter((s) => s.group === "sharer").map((s) => s.id);
  const runs = options2026().map((o) => {
    const at = sharers.map((id) => ({ id, x: situationRun(r, id, o.run.label) }));
    const hit = at.filter(({ x }) => (x.killed_tgids ?? []).some((t) => t !== VICTIM_TGID));
    return {
      label: o.run.label,
      killedOthers: hit.map((h) => h.id),
      answers: hit.map((h) => String(h.x.errno)),
    };
  });

  const walkAt = (n: number, threads: number, label: string) =>
    r.run(`world-${n}-procs-${threads}-thread${threads > 1 ? "s" : ""}`, label).cpu_ns.caller;
  const extra = (threads: number, label: string) =>
    walkAt(WALK_PROCESSES.big, threads, label) - walkAt(WALK_PROCESSES.base, threads, label);

  return {
    esrch: misses("own"),
    other: misses("other-first"),
    maxDelayUs: f.maxDelayUs(),
    holder: {
      forMs: long.holder.forMs,
      releaseNs: (long.holder.fromMs + long.holder.forMs) * 1e6 - KILL_NS,
      missedT100,
      foundT100,
    },
    sharers: { situations: sharers, runs },
    pin: options2026().filter((o) => reaperOf(o.design, o.variant?.name) === "caller").map((o) => {
      const x = situationRun(r, "running", o.run.label);
      return {
        label: o.run.label,
        pins: optionPins(o),
        t90: x.t90_ns,
        callerShare: x.reclaimable_pages ? x.freed_by.caller / x.reclaimable_pages : 0,
      };
    }),
    walk: options2026().map((o) => ({
      label: o.run.label,
      multi: extra(4, o.run.label),
      single: extra(1, o.run.label),
    })),
    reapNs: Math.min(
      ...options2026().filter((o) => reaperOf(o.design, o.variant?.name) === "caller").map((o) =>
        walkAt(WALK_PROCESSES.base, 1, o.run.label)
      ),
    ),
  };
}

/** The run of `label` in the 2026 situation `id`. */
export function situationRun(r: Results, id: string, label: string): RunRecord {
  return r.run(`${Q2026_ID}-${id}`, label);
}

/** The ESRCH family's own-recipe or someone-else-first points without a holder, by delay. */
export function byDelay(
  r: Results,
  recipe: "own" | "other-first",
): { us: number; units: Unit[] }[] {
  const f = new EsrchFacts(r);
  const units = f.points({ recipe });
  const delays = [...new Set(units.map((u) => u.point.params.delay_us as number))].sort((a, b) =>
    a - b
  );
  return delays.map((us) => ({ us, units: units.filter((u) => u.point.params.delay_us === us) }));
}
