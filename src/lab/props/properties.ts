/**
 * The per-design properties, as plain functions from a case and its run(s) to a list of
 * violations (empty: the property holds), run against every target (src/lab/props/target.ts),
 * and the rules the design records say a target breaks (`breaks`). The latency property
 * lives with its worlds in `latency.ts`. `docs/properties.md` says what each property means
 * and why.
 *
 * | property | runs | holds when |
 * |---|---|---|
 * | `safety` | 1 | no WARN that a design must never cause (a zap of a live sharer's memory, page tables freed under a walker, a VMA use-after-free, a refcount underflow, an unbalanced unlock, sleeping with task_lock, reaping without mmap_lock), no reference leaked, and no simulator bug |
 * | `effectiveness` | 1 | a reaping design's call that returned 0 left nothing reapable, unless its rules allow it |
 * | `latency` | 2 (+1) | with the victim in D until T, SIGKILL frees nothing before T, and a reaping design frees the same pages at the same time whatever T, charged to the caller |
 * | `determinism` | 2 | the same inputs give the same event log |
 * | `esrch-free` | 1 | through the design's own recipe, with 0 to 1,000 µs between the decision to kill and the call, the victim's memory is not freed by its exit alone (esrch.ts) |
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase, runTarget, safetyViolations, targets } from "./mod.ts";
 * const [c] = fc.sample(arbCase(), 1);
 * for (const t of targets()) console.log(t.name, safetyViolations(c, runTarget(c, t)));
 * ```
 * @module
 */

import {
  type Design,
  type KnownBreak,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  SIGKILL,
  zapCovers,
} from "../../core/mod.ts";
import { type RunResult, SimulatorBug } from "../../engine/run/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import { EVENT_KINDS } from "../../engine/trace/mod.ts";
import type { Case } from "./gen.ts";
import { isLatencyWorld, LATENCY_WAKE_US, latencyViolations, withVictimWake } from "./latency.ts";
import {
  isReapingDesign,
  outOfDomain,
  runTarget,
  type RunTargetOptions,
  statedBreaks,
  type Target,
  targets,
} from "./target.ts";
import { victimMmIndex, zapRules } from "./zap.ts";
import { ESRCH_FREE_RULE, esrchViolations, isEsrchWorld, whyNotEsrchFree } from "./esrch.ts";

/** The properties, by name. */
export const PROPERTY_NAMES = [
  "safety",
  "effectiveness",
  "latency",
  "determinism",
  "esrch-free",
] as const;
/** One of {@linkcode PROPERTY_NAMES}. */
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** One way a run broke a property. */
export interface Violation {
  /** The property broken. */
  readonly property: PropertyName;
  /** Which of its rules: a WARN name (`zap_live_sharer`), `simulator_bug`, `reapable_left`... */
  readonly rule: string;
  /** What happened, with the numbers. */
  readonly message: string;
}

// ---- safety ----

/**
 * The WARNs no design may cause (wasm/src/events.rs `Warn`). Not here: RobustListUnreadable
 * (§F.6, the races' property), UnableToReap and MmPinnedByInit (the oom_reaper reporting, not
 * a design's fault).
 */
export const SAFETY_WARNS: readonly string[] = [
  "zap_live_sharer",
  "pgtables_freed_under_walker",
  "vma_use_after_free",
  "mm_ref_underflow",
  "task_ref_underflow",
  "unlock_not_held",
  "sleep_with_task_lock",
  "reap_without_mmap_lock",
];

/**
 * Safety: the run printed none of {@linkcode SAFETY_WARNS}. One WARN is not counted: a
 * `zap_live_sharer` naming a process that was dumping core and had been sent SIGKILL
 * before the zap. The core keeps `core_state` after SIGKILL interrupts a dump, so
 * `__task_will_free_mem` (and with it the WARN's notion of "live") still says no, though
 * the process is exiting; the kernel's own OOM killer reaps such a process the same way.
 * A dumping process that was never sent SIGKILL (process_madvise with `kill: false`) still
 * counts.
 *
 * @example
 * ```ts
 * import { runTarget, safetyViolations } from "./mod.ts";
 * // const v = safetyViolations(c, runTarget(c, t));
 * ```
 */
export function safetyViolations(c: Case, run: RunResult): Violation[] {
  const out: Violation[] = [];
  const killedDumpers = new Map<number, number>();
  const dumping = new Set(c.scenario.processes.filter((p) => p.core_dump).map((p) => p.tgid));
  if (dumping.size > 0) {
    for (const e of run.events) {
      // signal_generate: a = sig, b = leader pid, d = result (0: delivered).
      if (
        e.kind === EVENT_KINDS.signal_generate && e.a === SIGKILL && e.d === 0 &&
        dumping.has(e.b) &&
        !killedDumpers.has(e.b)
      ) killedDumpers.set(e.b, e.tsNs);
    }
  }
  for (const w of run.outcome.warnings) {
    if (!SAFETY_WARNS.includes(w.name)) continue;
    if (w.name === "zap_live_sharer") {
      const killedAt = killedDumpers.get(w.args[0]);
      if (killedAt !== undefined && killedAt <= w.at_ns) continue;
    }
    out.push({
      property: "safety",
      rule: w.name,
      message: `WARN ${w.name} (${w.args.join(", ")}) at ${w.at_ns} ns`,
    });
  }
  // No reference the design took is left behind (a leak: the task or mm is never freed).
  // A call still in flight at the horizon (blocked on a lock, say) holds its references
  // legitimately: only runs whose every caller finished (or died) are judged.
  const { tasks, mms } = run.outcome.leaked_refs;
  if (run.outcome.callers_unfinished === 0 && (tasks !== 0 || mms !== 0)) {
    out.push({
      property: "safety",
      rule: "leaked_refs",
      message: `references left at the end: ${tasks} task, ${mms} mm`,
    });
  }
  return out;
}

// ---- effectiveness ----

/**
 * Effectiveness: when a reaping design's main call returned 0, the victim's mm has nothing
 * reapable left (`calls[last].reapable_after_pages === 0`). Allowed exceptions, where the
 * design's rules say "0 and nothing (more) to do":
 *
 * - the call was not the design's usual call (`intent.call.flags`, `advice`, `iov`, `vlen`
 *   given: another mode of the syscall), or `intent.call.fd` names another process than the
 *   victim (the call did not act on the mm the outcome measures);
 * - the victim had no mm at the start (kthread, zombie, reaped);
 * - MMF_OOM_SKIP was set on the mm by another context (exit_mmap, the oom_reaper, another
 *   SYNC_REAP_MM caller, or history: the world's mm `flags`) before the call returned, or
 *   MMF_OOM_VICTIM at all: "already
 *   reaped or being reaped" (§A.1 step 4, §A.2 step 7, §A.4.3 steps 5 and 8);
 * - the victim's exit_mmap had started before the call returned: the mm is being torn down
 *   by its own exit (a caller holding only mmgrab() leaves it the pages, §A.4.1, §B.5);
 * - for MADV_DONTNEED's rules, the mlocked pages the reaper would take (v5.18+) but
 *   `can_madv_lru_vma` skips.
 *
 * @example
 * ```ts
 * import { effectivenessViolations, runTarget } from "./mod.ts";
 * // const v = effectivenessViolations(c, t, runTarget(c, t));
 * ```
 */
export function effectivenessViolations(c: Case, t: Target, run: RunResult): Violation[] {
  const o = run.outcome;
  if (!isReapingDesign(t) || o.ret !== 0 || o.calls.length === 0) return [];
  const why = zeroAllowedBecause(c, t, run);
  if (why.reason !== null) return [];
  const last = o.calls[o.calls.length - 1];
  if (last.reapable_after_pages <= why.skippedByDesign) return [];
  return [{
    property: "effectiveness",
    rule: "reapable_left",
    message: `${last.name} returned 0 at ${last.at_ns + last.duration_ns} ns with ` +
      `${last.reapable_after_pages} reapable pages left of ${o.memory.reclaimable_pages} ` +
      `(its own skip rules leave ${why.skippedByDesign}); freed by caller ` +
      `${o.memory.freed_by.caller}, victim ${o.memory.freed_by.victim}`,
  }];
}

/** Why a reaping design's 0 may leave reapable pages (see {@linkcode effectivenessViolations}). */
export interface ZeroAllowance {
  /** The rule that allows any amount left ("MMF_OOM_SKIP set by pid 1000"...), or null. */
  readonly reason: string | null;
  /** Pages the reaper's rules count but the design's own zap rules skip (madvise: mlocked). */
  readonly skippedByDesign: number;
}

/**
 * The eligibility side of effectiveness, worked out from the scenario, the kernel and the
 * run's events: whether the design's rules allow its main call to answer 0 with reapable
 * pages left, and how many pages its own zap rules skip. Usable by any comparison that
 * needs to know whether "0" meant "done".
 *
 * @example
 * ```ts
 * import { runTarget, zeroAllowedBecause } from "./mod.ts";
 * // const { reason } = zeroAllowedBecause(c, t, runTarget(c, t));
 * ```
 */
export function zeroAllowedBecause(c: Case, t: Target, run: RunResult): ZeroAllowance {
  const allow = (reason: string): ZeroAllowance => ({ reason, skippedByDesign: 0 });
  const call = c.scenario.intent.call;
  for (const key of ["flags", "advice", "iov", "vlen"] as const) {
    if (call[key] !== undefined) return allow(`intent.call.${key} makes it another call`);
  }
  if (call.fd !== undefined && !fdNamesVictim(c.scenario, call.fd)) {
    return allow(`intent.call.fd ${call.fd} does not name the victim`);
  }
  const mm = victimMmIndex(c.scenario);
  if (mm < 0) return allow("the victim has no mm at the start");
  if (c.scenario.mms[mm].flags.includes("MMF_OOM_SKIP")) {
    return allow("MMF_OOM_SKIP at the start (left by history)");
  }
  const o = run.outcome;
  const last = o.calls[o.calls.length - 1];
  const returnedNs = last ? last.at_ns + last.duration_ns : Infinity;
  const caller = c.scenario.caller.pid;
  for (const e of run.events) {
    if (e.tsNs > returnedNs) break;
    // mm_flag: a = mm, b = the flag's bit, c = 1 when set.
    if (e.kind === EVENT_KINDS.mm_flag && e.a === mm && e.c === 1) {
      if (e.b === MMF_OOM_VICTIM) return allow(`MMF_OOM_VICTIM set at ${e.tsNs} ns`);
      if (e.b === MMF_OOM_SKIP && e.pid !== caller) {
        return allow(`MMF_OOM_SKIP set by pid ${e.pid} at ${e.tsNs} ns`);
      }
    }
    if (e.kind === EVENT_KINDS.exit_mmap && e.a === mm) {
      return allow(`the victim's exit_mmap started at ${e.tsNs} ns`);
    }
  }
  // Reapable by the reaper's rules but skipped by the design's own (mlocked VMAs for
  // MADV_DONTNEED on v5.18+).
  const rules = zapRules(t);
  const skippedByDesign = c.scenario.mms[mm].vmas
    .filter((v) => zapCovers(c.kernel, v, "reap") && !zapCovers(c.kernel, v, rules))
    .reduce((sum, v) => sum + v.anon_pages, 0);
  return { reason: null, skippedByDesign };
}

/** Whether the caller's fd `fd` is a pidfd or /proc dir of the intent's victim. */
function fdNamesVictim(s: Scenario, fd: number): boolean {
  const caller = s.processes.find((p) => p.threads.some((t) => t.pid === s.caller.pid));
  const f = caller?.fds.find((f) => f.fd === fd);
  return f !== undefined && f.kind !== "file" && f.target === s.intent.victim;
}

// ---- determinism ----

/**
 * Determinism: two runs of the same case give the same event log (hash and count) and the
 * same outcome.
 *
 * @example
 * ```ts
 * import { determinismViolations, runTarget } from "./mod.ts";
 * // const v = determinismViolations(runTarget(c, t), runTarget(c, t));
 * ```
 */
export function determinismViolations(a: RunResult, b: RunResult): Violation[] {
  if (a.outcome.events_hash !== b.outcome.events_hash) {
    return [{
      property: "determinism",
      rule: "events_hash",
      message: `events_hash ${a.outcome.events_hash} then ${b.outcome.events_hash}`,
    }];
  }
  if (JSON.stringify(a.outcome) !== JSON.stringify(b.outcome)) {
    return [{
      property: "determinism",
      rule: "outcome",
      message: "same event log, different outcomes",
    }];
  }
  return [];
}

// ---- the properties as runnable checks ----

/**
 * A property as a check of one case against one target: it makes the runs it needs and
 * returns the violations. A simulator bug (the core broke its own invariant) or any other
 * exception is a violation too (`simulator_bug`, `run_error`).
 */
export interface PropertyCheck {
  /** Its name. */
  readonly name: PropertyName;
  /** One line on what it says. */
  readonly summary: string;
  /**
   * Which generator feeds it: the general one, the D-state latency worlds, or the ESRCH
   * worlds built for the target's recipe.
   */
  readonly generator: "case" | "latency" | "esrch";
  /** Whether it says anything about this target. */
  applies(t: Target): boolean;
  /** Whether it says anything about this case (the latency property needs its D-state world). */
  appliesToCase(c: Case): boolean;
  /** The check. */
  check(c: Case, t: Target, opts?: RunTargetOptions): Violation[];
}

function guarded(
  property: PropertyName,
  c: Case,
  t: Target,
  f: () => Violation[],
): Violation[] {
  if (outOfDomain(c, t) !== null) return [];
  try {
    return f();
  } catch (e) {
    const bug = e instanceof SimulatorBug;
    return [{
      property,
      rule: bug ? "simulator_bug" : "run_error",
      message: e instanceof Error ? e.message : String(e),
    }];
  }
}

/**
 * The properties, in the order they run.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase, PROPERTIES, targets } from "./mod.ts";
 * const t = targets()[0];
 * const [c] = fc.sample(arbCase(), 1);
 * console.log(PROPERTIES.find((p) => p.name === "safety")!.check(c, t));
 * ```
 */
export const PROPERTIES: readonly PropertyCheck[] = [
  {
    name: "safety",
    summary: "no WARN a design must never cause (live-sharer zap, freed page tables, UAF, " +
      "refcount underflow, bad unlock, sleeping with task_lock, reap without mmap_lock)",
    generator: "case",
    applies: () => true,
    appliesToCase: () => true,
    check: (c, t, opts) =>
      guarded("safety", c, t, () => safetyViolations(c, runTarget(c, t, opts))),
  },
  {
    name: "effectiveness",
    summary: "a reaping call that returned 0 left nothing reapable, unless its rules allow it",
    generator: "case",
    applies: isReapingDesign,
    appliesToCase: () => true,
    check: (c, t, opts) =>
      guarded("effectiveness", c, t, () => effectivenessViolations(c, t, runTarget(c, t, opts))),
  },
  {
    name: "latency",
    summary: "victim in D until T: SIGKILL frees nothing before T; a reaping design frees " +
      "its pages at a time independent of T, charged to the caller",
    generator: "latency",
    applies: (t) => isReapingDesign(t) || t.design.reaper === "victim",
    appliesToCase: isLatencyWorld,
    check: (c, t, opts) =>
      guarded("latency", c, t, () => {
        if (!isLatencyWorld(c)) return [];
        const earlyRun = runTarget(c, t, opts);
        const lateRun = isReapingDesign(t)
          ? runTarget(withVictimWake(c, LATENCY_WAKE_US[1]), t, opts)
          : earlyRun;
        return latencyViolations(t, { early: c, earlyRun, lateRun });
      }),
  },
  {
    name: "determinism",
    summary: "the same inputs give the same event log and outcome",
    generator: "case",
    applies: () => true,
    appliesToCase: () => true,
    check: (c, t, opts) =>
      guarded(
        "determinism",
        c,
        t,
        () => determinismViolations(runTarget(c, t, opts), runTarget(c, t, opts)),
      ),
  },

  {
    name: "esrch-free",
    summary: "through its own recipe, a design never leaves the killed victim's memory to " +
      "be freed by the victim's exit alone",
    generator: "esrch",
    applies: () => true,
    appliesToCase: isEsrchWorld,
    check: (c, t, opts) =>
      guarded(
        "esrch-free",
        c,
        t,
        () => isEsrchWorld(c) ? esrchViolations(runTarget(c, t, opts)) : [],
      ),
  },
];

/** The property called `name` (throws with the known names otherwise). */
export function findProperty(name: string): PropertyCheck {
  const p = PROPERTIES.find((p) => p.name === name);
  if (!p) throw new Error(`unknown property "${name}"; known: ${PROPERTY_NAMES.join(", ")}`);
  return p;
}

// ---- expected failures ----

/**
 * A rule a target is known to break (a historical bug or a reviewer's objection), as its
 * design record states it (`breaks` of the design, or of the variant the target names): the
 * property ignores these rules for it, and a separate search must still find the break.
 */
export interface ExpectedFailure extends KnownBreak {
  /** `design` or `design@variant`. */
  readonly target: string;
  /** The property. */
  readonly property: PropertyName;
}

/**
 * The expected failures of one property and target: the record's `breaks` of the variant
 * the target names, or of the design for a target in its kernel's own variant.
 *
 * @example
 * ```ts
 * import { expectedFailuresOf, targets } from "./mod.ts";
 * for (const t of targets()) console.log(t.name, expectedFailuresOf("safety", t).length);
 * ```
 */
export function expectedFailuresOf(property: PropertyName, t: Target): ExpectedFailure[] {
  const stated = statedBreaks(t).filter((b) => b.property === property).map((b) => ({
    ...b,
    target: t.name,
    property,
  }));
  return [...stated, ...derivedFailuresOf(property, t)];
}

/**
 * The expected failures the records imply rather than state: a design that does not claim to
 * be ESRCH-free (`claimsEsrchFree`, read off its record) is expected to break `esrch-free`.
 *
 * @example
 * ```ts
 * import { derivedFailuresOf, targets } from "./mod.ts";
 * for (const t of targets()) console.log(t.name, derivedFailuresOf("esrch-free", t).length);
 * ```
 */
export function derivedFailuresOf(property: PropertyName, t: Target): ExpectedFailure[] {
  const why = property === "esrch-free" ? whyNotEsrchFree(t.design, t.variant) : null;
  return why === null ? [] : [{ target: t.name, property, rules: [ESRCH_FREE_RULE], why }];
}

/** Every expected failure of every target ({@linkcode targets}), target by target. */
export function expectedFailures(extra: readonly Design[] = []): ExpectedFailure[] {
  return targets(extra).flatMap((t) => PROPERTY_NAMES.flatMap((p) => expectedFailuresOf(p, t)));
}
