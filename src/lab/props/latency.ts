/**
 * The latency property and its worlds: a victim asleep in D until a time T with no lock
 * held, killed at the intent. Under SIGKILL alone no page of the victim comes back before T;
 * a reaping design's caller frees the same pages at the same time whatever T, charged to the
 * caller. `arbLatencyCase` builds the worlds, `withVictimWake` moves T, and
 * `latencyViolations` judges a pair of runs (docs/properties.md).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbLatencyCase, LATENCY_WAKE_US, withVictimWake } from "./latency.ts";
 * const [c] = fc.sample(arbLatencyCase(), 1);
 * const later = withVictimWake(c, LATENCY_WAKE_US[1]);
 * console.log(later.scenario.name);
 * ```
 * @module
 */

import fc, { type Arbitrary } from "fast-check";
import { COST_MODEL, ERRNO } from "../../core/mod.ts";
import { freedPages, type RunResult } from "../../engine/run/mod.ts";
import { cpuSpeedRatio, type Scenario } from "../../engine/scenario/mod.ts";
import { buildWorld, type ThreadPlan, type WorldPlan } from "./_worlds.ts";
import {
  arbChoices,
  arbFastCpu,
  arbKernel,
  arbVma,
  type Case,
  type CaseOptions,
  toCase,
  worldKernel,
} from "./gen.ts";
import type { Violation } from "./properties.ts";
import { isReapingDesign, type Target } from "./target.ts";
import { coveredPages, victimMmIndex, zapRules } from "./zap.ts";

/** The two wake times the latency property compares (µs), and the horizon. */
export const LATENCY_WAKE_US = [400_000, 800_000] as const;
const LATENCY_HORIZON_US = 1_000_000;
/** The reaper's cost of a page on a CPU of speed 1.0, and its batch (wasm/src/params.rs). */
const { HPAGE_PMD_NR, REAP_NS_PER_PAGE, REAP_NS_PER_PMD, ZAP_BATCH_PAGES } = COST_MODEL;

/**
 * A case for the latency property: a victim whose threads sleep in D (no lock held) until
 * `LATENCY_WAKE_US[0]`, except threads that are running or sleeping interruptibly (they die
 * at once) and a possible zombie leader; no sharer, no other event; a privileged caller pinned
 * to one CPU; at most 256 MiB of VMAs, so that any reap ends long before the wake. Use
 * {@linkcode withVictimWake} for the same world with the other wake time.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbLatencyCase, LATENCY_WAKE_US, withVictimWake } from "./latency.ts";
 * const [c] = fc.sample(arbLatencyCase(), 1);
 * const later = withVictimWake(c, LATENCY_WAKE_US[1]);
 * ```
 */
export function arbLatencyCase(opts: CaseOptions = {}): Arbitrary<Case> {
  const wake = LATENCY_WAKE_US[0];
  const thread = fc.record({
    state: fc.oneof(
      { arbitrary: fc.constant<ThreadPlan["state"]>("D"), weight: 4 },
      fc.constantFrom<ThreadPlan["state"]>("R", "S", "zombie"),
    ),
    cpu: fc.nat({ max: 3 }),
  }).map(({ state, cpu }): ThreadPlan => ({
    state,
    until_us: state === "D" ? wake : null,
    wake_us: null,
    hold: "none",
    cpu,
    exit_us: null,
  }));
  const dThread: ThreadPlan = { ...DEFAULT_D, until_us: wake };
  const plan = fc.record({
    cpus: fc.array(arbFastCpu(), { minLength: 1, maxLength: 4 }),
    intent_us: fc.integer({ min: 0, max: 5_000 }),
    threads: fc.array(thread, { maxLength: 3 }),
    dFirst: fc.boolean(),
    vmas: fc.array(arbVma(16384), { minLength: 1, maxLength: 4 }),
    uid: fc.constantFrom(0, 1069),
    pin_cpu: fc.nat({ max: 3 }),
    nice: fc.constantFrom(0, -20),
  }).map((p): WorldPlan => ({
    name: "props-latency",
    cpus: p.cpus,
    horizon_us: LATENCY_HORIZON_US,
    intent_us: p.intent_us,
    target: "victim",
    kthreadd: false,
    victim: {
      status: "alive",
      uid: 10050,
      core_dump: false,
      parent_waits: true,
      // At least one thread sleeps in D until the wake, holding the mm.
      threads: p.dFirst ? [dThread, ...p.threads] : [...p.threads, dThread],
      vmas: p.vmas,
      signals: [],
    },
    vfork_child: null,
    sibling: null,
    killer: {
      uid: p.uid,
      caps: ["CAP_KILL", "CAP_SYS_PTRACE", "CAP_SYS_NICE"],
      pin_cpu: p.pin_cpu,
      nice: p.nice,
      second_caller_after_us: null,
      killed_after_us: null,
    },
    call: {},
    readers: [],
  }));
  return fc.record({ plan, kernel: arbKernel(opts.kernels), choices: arbChoices(opts.maxChoices) })
    .map(({ plan, kernel, choices }) =>
      toCase(buildWorld(plan, worldKernel(kernel)), { kernel, choices })
    );
}

const DEFAULT_D: ThreadPlan = {
  state: "D",
  until_us: null,
  wake_us: null,
  hold: "none",
  cpu: 0,
  exit_us: null,
};

/**
 * The same case with every D sleep of the victim's threads ending at `wakeUs` instead: the
 * latency property runs a case twice this way.
 *
 * @example
 * ```ts
 * import { withVictimWake } from "./latency.ts";
 * // const later = withVictimWake(c, 800_000);
 * ```
 */
export function withVictimWake(c: Case, wakeUs: number): Case {
  const json = structuredClone(c.json);
  const victim = (json.processes as Record<string, unknown>[]).find((p) =>
    p.tgid === c.scenario.intent.victim
  );
  for (const t of (victim?.threads ?? []) as Record<string, unknown>[]) {
    if (t.state === "D" && t.until_ms !== undefined) t.until_ms = wakeUs / 1000;
  }
  return toCase(json, { kernel: c.kernel, choices: c.choices });
}

// ---- the property ----

/** When the caller freed the victim's pages: how many, and the time of its last batch. */
export interface CallerFrees {
  /** Private anon pages of the victim's mm freed in the caller's context. */
  readonly pages: number;
  /** When its last batch was freed (ns), or null when it freed nothing. */
  readonly lastNs: number | null;
  /** Victim anon pages freed by anyone before `beforeNs`. */
  readonly freedBeforePages: number;
}

/** The caller's frees of the victim's anon pages, from the event log. */
export function callerFrees(c: Case, run: RunResult, beforeNs: number): CallerFrees {
  const mm = victimMmIndex(c.scenario);
  const s = c.scenario;
  const victim = s.processes.find((p) => p.tgid === s.intent.victim);
  const frees = freedPages(run, {
    mms: mm < 0 ? [] : [mm],
    caller: s.caller.pid,
    victims: new Set(victim?.threads.map((t) => t.pid)),
  });
  let pages = 0, lastNs: number | null = null, before = 0;
  for (const f of frees) {
    if (f.at_ns < beforeNs) before += f.pages;
    if (f.by === "caller") {
      pages += f.pages;
      lastNs = f.at_ns;
    }
  }
  return { pages, lastNs, freedBeforePages: before };
}

/** The runs the latency property compares: one case, two wake times. */
export interface LatencyRuns {
  /** The case with the victim's D sleeps ending at `LATENCY_WAKE_US[0]`. */
  readonly early: Case;
  /** Its run. */
  readonly earlyRun: RunResult;
  /** The same case with the sleeps ending at `LATENCY_WAKE_US[1]`. */
  readonly lateRun: RunResult;
}

/**
 * Latency, on a case from `arbLatencyCase` (the victim in D until T, no lock held): under
 * SIGKILL alone no victim page comes back before T; a reaping design's caller frees the same
 * pages with its last batch at the same time for both wake times, all before the earlier
 * one; when its call returned 0 or EAGAIN it freed exactly what its zap rules cover; and the
 * caller's CPU time covers the freeing at the core's `REAP_NS_PER_PAGE` (a page on a speed-1
 * CPU, wasm/src/params.rs), or `REAP_NS_PER_PMD` a PMD for the victim's transparent huge
 * pages (counted as the cheaper where it cannot tell which it freed), divided by the speed
 * of the CPU the caller is pinned to.
 *
 * @example
 * ```ts
 * import { latencyViolations } from "./latency.ts";
 * // const v = latencyViolations(t, { early: c, earlyRun, lateRun });
 * ```
 */
export function latencyViolations(t: Target, runs: LatencyRuns): Violation[] {
  const c = runs.early;
  const [wake1, wake2] = LATENCY_WAKE_US.map((us) => us * 1000);
  const v = (rule: string, message: string): Violation => ({
    property: "latency",
    rule,
    message,
  });
  const early = callerFrees(c, runs.earlyRun, wake1);
  const out: Violation[] = [];
  if (!isReapingDesign(t)) {
    // Only the victim's own exit frees its memory: nothing may come back while it sleeps.
    if (t.design.reaper === "victim" && early.freedBeforePages > 0) {
      out.push(v(
        "freed_before_wake",
        `SIGKILL alone freed ${early.freedBeforePages} pages before the victim woke at ${wake1} ns`,
      ));
    }
    return out;
  }
  const late = callerFrees(c, runs.lateRun, wake2);
  if (early.pages !== late.pages || early.lastNs !== late.lastNs) {
    out.push(v(
      "depends_on_wake",
      `the caller freed ${early.pages} pages by ${early.lastNs} ns with the victim waking at ` +
        `${wake1} ns, but ${late.pages} by ${late.lastNs} ns with it waking at ${wake2} ns`,
    ));
  }
  if (early.lastNs !== null && early.lastNs >= wake1) {
    out.push(
      v("waited_for_wake", `the caller's last free at ${early.lastNs} ns is after the wake`),
    );
  }
  const o = runs.earlyRun.outcome;
  if (o.memory.freed_by.caller !== early.pages) {
    out.push(v(
      "freed_by_caller",
      `memory.freed_by.caller is ${o.memory.freed_by.caller}, the event log says ${early.pages}`,
    ));
  }
  const ret = o.ret;
  if ((ret === 0 || ret === -ERRNO.EAGAIN) && c.scenario.intent.call.flags === undefined) {
    const rules = zapRules(t);
    // EAGAIN: the reaper skipped the refusing VMAs and finished the others.
    const expected = coveredPages(c.scenario, c.kernel, rules);
    if (early.pages !== expected) {
      out.push(v(
        "freed_not_covered",
        `the call returned ${o.errno} and the caller freed ${early.pages} pages; its zap ` +
          `rules (${rules}) cover ${expected}`,
      ));
    }
  }
  const pin = callerCpu(c.scenario);
  if (pin !== null && early.pages > 0) {
    const speed = cpuSpeedRatio(c.scenario.cpus[pin]);
    const batches = Math.ceil(early.pages / ZAP_BATCH_PAGES) + 2;
    const huge = Math.min(early.pages, thpPages(c.scenario));
    const work = (early.pages - huge) * REAP_NS_PER_PAGE +
      Math.floor(huge / HPAGE_PMD_NR) * REAP_NS_PER_PMD;
    const floor = work / speed * (1 - 1e-6) - batches;
    if (o.cpu_ns.caller < floor) {
      out.push(v(
        "cpu_not_charged",
        `the caller freed ${early.pages} pages on a CPU of speed ${speed.toFixed(4)} but was ` +
          `charged ${o.cpu_ns.caller} ns (at least ${Math.ceil(floor)} expected)`,
      ));
    }
  }
  return out;
}

/**
 * Whether a case has the latency property's shape (what `arbLatencyCase` builds): the
 * victim alive with a thread in D until `LATENCY_WAKE_US[0]` and no lock held, no timed
 * event, the usual call, one caller pinned to one CPU.
 */
export function isLatencyWorld(c: Case): boolean {
  const s = c.scenario;
  const victim = s.processes.find((p) => p.tgid === s.intent.victim);
  if (!victim || victim.status !== "alive" || victim.core_dump) return false;
  const wakeNs = LATENCY_WAKE_US[0] * 1000;
  const asleep = victim.threads.some((t) => t.state === "D" && t.until_ns === wakeNs);
  const holds = s.processes.some((p) => p.threads.some((t) => t.holds.length > 0));
  return asleep && !holds && s.events.length === 0 && s.intent.also.length === 0 &&
    Object.keys(s.intent.call).length === 0 && callerCpu(s) !== null &&
    s.horizon_ns > LATENCY_WAKE_US[1] * 1000;
}

/** The CPU the caller is pinned to (an affinity of one CPU), or null. */
function callerCpu(s: Scenario): number | null {
  for (const p of s.processes) {
    const t = p.threads.find((t) => t.pid === s.caller.pid);
    if (t) return t.affinity.length === 1 ? t.affinity[0] : null;
  }
  return null;
}

/** The victim's resident transparent-huge-page anon pages at the start. */
function thpPages(s: Scenario): number {
  const vmas = s.mms[victimMmIndex(s)]?.vmas ?? [];
  return vmas.filter((v) => v.thp).reduce((n, v) => n + v.anon_pages, 0);
}
