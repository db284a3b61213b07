/**
 * One point of the review, measured: its scenario is built and validated, every run of the
 * point is made with `runScenario`, and each run is boiled down to a {@linkcode RunRecord}:
 * plain JSON (a worker posts it back), a pure function of the point, the design, the kernel
 * and the seed.
 *
 * Memory is measured from the event log's `rss_stat` records of the victims' mms (all N of
 * a cgroup), and times count from the decision to kill at 1 ms, so that they mean the same
 * in every family; for every family but the ESRCH window that is also the kill and the
 * caller's start, and the times equal `deno task lab run`'s.
 *
 * @module
 */

import { type Design, errnoOf, retName, SIGKILL, type Userspace } from "../../core/mod.ts";
import { chooseDesign } from "../designs/mod.ts";
import {
  freedBy,
  freedPages,
  type MainErrno,
  type RunResult,
  runScenario,
} from "../../engine/run/mod.ts";
import { type Scenario, validateScenario } from "../../engine/scenario/mod.ts";
import { EVENT_KINDS, eventArg, SIGNAL_RESULTS } from "../../engine/trace/mod.ts";
import { type Point, pointScenario, REPORT_KERNEL, REPORT_SEED } from "./experiments.ts";
import { defaultRuns, type RunSpec } from "./runs.ts";
import { cgroupTgids, INTENT_MS, VICTIM_TGID } from "./world.ts";

/** When the first kill happens in every world (ns). */
export const KILL_NS = INTENT_MS * 1e6;
/** At most this many points in a kept memory curve. */
const CURVE_POINTS_MAX = 400;

/** One run, boiled down. Times in simulated ns, memory in 4 KiB pages. */
export interface RunRecord {
  /** The label in tables and legends. */
  label: string;
  /** The design's name. */
  design: string;
  /** Its variant, or null. */
  variant: string | null;
  /** The kernel version. */
  kernel: string;
  /** The seed. */
  seed: number;
  /** The errno of the design's call (the first victim's, in a loop), as the outcome says it. */
  errno: MainErrno;
  /** In a loop: how many of the design's calls returned each value, by name ("0", "ESRCH"). */
  returns: Record<string, number>;
  /** Private anonymous pages of the victims' mms at the start. */
  reclaimable_pages: number;
  /** How many of them were freed by the end. */
  freed_pages: number;
  /** Pages freed in each context. */
  freed_by: { caller: number; victim: number; kthreads: number; other: number };
  /** When 10% had been freed, from the kill; null if never. */
  t10_ns: number | null;
  /** When 50% had been freed, from the kill; null if never. */
  t50_ns: number | null;
  /** When 90% had been freed (the review's t90), from the kill; null if never. */
  t90_ns: number | null;
  /** When all of it had been freed, from the kill; null if never. */
  t100_ns: number | null;
  /** CPU time charged to the caller, the (first) victim's threads, kthreads. */
  cpu_ns: { caller: number; victim: number; kthreads: number };
  /** From the caller's first syscall entry to its last syscall exit. */
  caller_busy_ns: number;
  /** The longest of the caller's calls (the design's call, in practice). */
  longest_call_ns: number;
  /** The WARNs' names. */
  warnings: string[];
  /** FNV-1a of the event log: equal hashes, equal runs. */
  events_hash: string;
  /** Memory freed over time, `[ns since the kill, pages]`, when the point asks for it. */
  curve?: [number, number][];
  /**
   * The processes (tgids, ascending) a SIGKILL was delivered to from the decision to kill on
   * (signal_generate, TRACE_SIGNAL_DELIVERED), when the point asks for it: who got killed.
   */
  killed_tgids?: number[];
}

/** A measured point. */
export interface PointResult {
  /** The scenario's name. */
  name: string;
  /** Its runs, in the point's order. */
  runs: RunRecord[];
}

/**
 * Measures a point: every run of it, in order.
 *
 * @example
 * ```ts
 * import { measurePoint } from "./measure.ts";
 * import { allUnits } from "./experiments.ts";
 * const unit = allUnits(false).find((u) => u.point.name === "state-d-500ms")!;
 * console.log(measurePoint(unit.point).runs.map((r) => r.t90_ns));
 * ```
 */
export function measurePoint(point: Point): PointResult {
  const scenario = validateScenario(pointScenario(point));
  const runs = (point.runs ?? defaultRuns()).map((spec) => measureRun(scenario, point, spec));
  return { name: point.name, runs };
}

/**
 * Runs one design on a point's scenario and returns the run itself (for traces).
 *
 * @example
 * ```ts
 * import { runOne } from "./measure.ts";
 * // const { result } = runOne(scenario, point, defaultRuns()[0]);
 * ```
 */
export function runOne(
  scenario: Scenario,
  point: Point,
  spec: RunSpec,
): { result: RunResult; callRets: number[] } {
  const { design, variant } = chooseDesign(spec.design);
  const callRets: number[] = [];
  const run = point.loop ? loopOver(design, cgroupOf(point), callRets) : design;
  const result = runScenario(scenario, {
    design: run,
    variant,
    kernel: spec.kernel ?? REPORT_KERNEL,
    kernelVariants: spec.kernelVariants,
    seed: REPORT_SEED,
  });
  return { result, callRets };
}

function measureRun(scenario: Scenario, point: Point, spec: RunSpec): RunRecord {
  const { result, callRets } = runOne(scenario, point, spec);
  const o = result.outcome;
  const victims = new Set(point.loop ? cgroupOf(point) : [VICTIM_TGID]);
  const mem = memory(scenario, result, victims, point.curve ?? false);
  const first = o.calls.length > 0 ? o.calls[0].at_ns : 0;
  const last = o.calls.reduce((m, c) => Math.max(m, c.at_ns + c.duration_ns), first);
  const returns: Record<string, number> = {};
  for (const ret of callRets) {
    const name = retName(ret);
    returns[name] = (returns[name] ?? 0) + 1;
  }
  return {
    label: spec.label,
    design: o.design,
    variant: o.variant,
    kernel: o.kernel,
    seed: o.seed,
    errno: point.loop && callRets.length > 0 ? errnoOf(callRets[0]) : o.errno,
    returns,
    ...mem,
    cpu_ns: o.cpu_ns,
    caller_busy_ns: last - first,
    longest_call_ns: o.calls.reduce((m, c) => Math.max(m, c.duration_ns), 0),
    warnings: o.warnings.map((w) => w.name),
    events_hash: o.events_hash,
    ...(point.killed ? { killed_tgids: killedTgids(scenario, result) } : {}),
  };
}

/** The processes a SIGKILL was delivered to from the decision to kill on, ascending. */
function killedTgids(scenario: Scenario, result: RunResult): number[] {
  const tgidOf = new Map<number, number>();
  for (const p of scenario.processes) for (const t of p.threads) tgidOf.set(t.pid, p.tgid);
  const out = new Set<number>();
  for (const e of result.events) {
    if (
      e.kind === EVENT_KINDS.signal_generate && e.tsNs >= KILL_NS &&
      eventArg(e, "sig") === SIGKILL &&
      eventArg(e, "result") === SIGNAL_RESULTS.TRACE_SIGNAL_DELIVERED
    ) {
      const pid = eventArg(e, "pid");
      out.add(tgidOf.get(pid) ?? pid);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The victim and the rest of its cgroup, in tgid order. */
function cgroupOf(point: Point): number[] {
  return [VICTIM_TGID, ...cgroupTgids(point.world.cgroupMembers ?? 0)];
}

/**
 * The cgroup recipe: open a pidfd of every member and SIGKILL it (killed together, as after
 * `cgroup.kill`), then make the design's call on each pidfd in turn, as oomd's
 * reapCgroupRecursively() does (reference §E.2). The design's own recipe runs per member
 * with that pidfd and `kill: false` (designs that kill in their call still do).
 */
function loopOver(design: Design, tgids: readonly number[], rets: number[]): Design {
  return {
    ...design,
    *recipe(u: Userspace, ctx) {
      const fds: number[] = [];
      for (const tgid of tgids) {
        const fd = yield* u.pidfd_open(tgid, 0);
        fds.push(fd);
        if (fd >= 0) yield* u.pidfd_send_signal(fd, SIGKILL, 0);
      }
      for (const [i, tgid] of tgids.entries()) {
        const ret = yield* design.recipe(u, {
          ...ctx,
          victim: tgid,
          call: { ...ctx.call, fd: fds[i], kill: false },
        });
        rets.push(ret);
      }
      return rets[0] ?? 0;
    },
  };
}

type Memory = Pick<
  RunRecord,
  | "reclaimable_pages"
  | "freed_pages"
  | "freed_by"
  | "t10_ns"
  | "t50_ns"
  | "t90_ns"
  | "t100_ns"
  | "curve"
>;

/** Memory freed from the victims' mms, read off the rss_stat records. */
function memory(
  scenario: Scenario,
  result: RunResult,
  victims: ReadonlySet<number>,
  keepCurve: boolean,
): Memory {
  const mmIds = new Map<number, number>(); // mm index -> anon pages at the start
  const victimPids = new Set<number>();
  for (const p of scenario.processes) {
    if (!victims.has(p.tgid)) continue;
    for (const t of p.threads) victimPids.add(t.pid);
    const mm = scenario.mms.find((m) => m.id === p.mm);
    if (mm && !mmIds.has(mm.index)) {
      mmIds.set(mm.index, mm.vmas.reduce((s, v) => s + v.anon_pages, 0));
    }
  }
  const total = [...mmIds.values()].reduce((s, n) => s + n, 0);
  const times: (number | null)[] = [null, null, null, null];
  const shares = [0.1, 0.5, 0.9, 1];
  const curve: [number, number][] = [[0, 0]];
  let freed = 0;
  const frees = freedPages(result, {
    mms: mmIds.keys(),
    caller: scenario.caller.pid,
    victims: victimPids,
  });
  for (const f of frees) {
    freed += f.pages;
    const at = Math.max(0, f.at_ns - KILL_NS);
    for (const [i, share] of shares.entries()) {
      if (times[i] === null && freed >= total * share) times[i] = at;
    }
    if (keepCurve) curve.push([at, freed]);
  }
  return {
    reclaimable_pages: total,
    freed_pages: Math.min(freed, total),
    freed_by: freedBy(frees),
    t10_ns: times[0],
    t50_ns: times[1],
    t90_ns: times[2],
    t100_ns: times[3],
    ...(keepCurve ? { curve: thin(curve) } : {}),
  };
}

/** At most CURVE_POINTS_MAX points, keeping the first and the last. */
function thin(curve: [number, number][]): [number, number][] {
  if (curve.length <= CURVE_POINTS_MAX) return curve;
  const step = (curve.length - 1) / (CURVE_POINTS_MAX - 1);
  return Array.from({ length: CURVE_POINTS_MAX }, (_, i) => curve[Math.round(i * step)]);
}
