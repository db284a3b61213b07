/**
 * The per-design properties, as plain functions from a case and its run(s) to a list of
 * violations (empty: the property holds), and the table of targets they run against: every
 * registered design in the variant that matches the case's kernel, plus the named variants
 * the record singles out. `docs/properties.md` says what each property means and why.
 *
 * | property | runs | holds when |
 * |---|---|---|
 * | `safety` | 1 | no WARN that a design must never cause (a zap of a live sharer's memory, page tables freed under a walker, a VMA use-after-free, a refcount underflow, an unbalanced unlock, sleeping with task_lock, reaping without mmap_lock), no reference leaked, and no simulator bug |
 * | `effectiveness` | 1 | a reaping design's call that returned 0 left nothing reapable, unless its rules allow it |
 * | `latency` | 2 (+1) | with the victim in D until T, SIGKILL frees nothing before T, and a reaping design frees the same pages at the same time whatever T, charged to the caller |
 * | `determinism` | 2 | the same inputs give the same event log |
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "./gen.ts";
 * import { runTarget, safetyViolations, targets } from "./properties.ts";
 * const [c] = fc.sample(arbCase(), 1);
 * for (const t of targets()) console.log(t.name, safetyViolations(c, runTarget(c, t)));
 * ```
 * @module
 */

import type { Design } from "../../core/design.ts";
import { chooseDesign, designs } from "../designs/mod.ts";
import { type RunResult, runScenario } from "../../engine/run/experiment.ts";
import { SimulatorBug } from "../../engine/run/runner.ts";
import {
  cpuSpeedRatio,
  KERNEL_VERSION_CODE,
  type KernelVersion,
  type Scenario,
  type ScenarioVma,
} from "../../engine/scenario/mod.ts";
import { EVENT_KINDS } from "../../engine/trace/mod.ts";
import { type Case, LATENCY_WAKE_US, withVictimWake } from "./gen.ts";

/** The properties, by name. */
export const PROPERTY_NAMES = ["safety", "effectiveness", "latency", "determinism"] as const;
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

/** A design in a variant: what a property runs. */
export interface Target {
  /** `design` or `design@variant`, as `--design` takes it. */
  readonly name: string;
  /** The design. */
  readonly design: Design;
  /** The named variant; undefined: the one that matches the case's kernel. */
  readonly variant?: string;
}

/** The designs that only kill (no reap in the caller's context): the baselines. */
export const BASELINE_DESIGNS: readonly string[] = ["sigkill", "oom_reaper"];

/**
 * Named variants run besides each design's default, because the record singles them out:
 * v9 as merged (§F.1), the 2025 inverted check (§F.5) and process_madvise after 96cfe2c0fd23.
 */
export const NAMED_VARIANTS: readonly string[] = [
  "process_mrelease@v9",
  "process_mrelease@mainline-inverted-check",
  "process_madvise@cap_sys_nice",
];

/**
 * Every target: each registered design (default variant per kernel), then the named
 * variants that exist in the registry.
 *
 * @example
 * ```ts
 * import { targets } from "./properties.ts";
 * console.log(targets().map((t) => t.name));
 * ```
 */
export function targets(extra: readonly Design[] = []): Target[] {
  const all: Target[] = designs(extra).map((design) => ({ name: design.name, design }));
  for (const spec of NAMED_VARIANTS) {
    const [name, variant] = spec.split("@");
    const design = all.find((t) => t.name === name)?.design;
    if (design?.variants?.some((v) => v.name === variant)) {
      all.push({ name: spec, design, variant });
    }
  }
  return all;
}

/**
 * A target from `name` or `name@variant` (throws for an unknown design or variant).
 *
 * @example
 * ```ts
 * import { parseTarget } from "./properties.ts";
 * parseTarget("process_mrelease@v9").variant; // "v9"
 * ```
 */
export function parseTarget(spec: string, extra: readonly Design[] = []): Target {
  const { design, variant } = chooseDesign(spec, extra);
  return { name: spec, design, variant };
}

/** Options of {@linkcode runTarget}. */
export interface RunTargetOptions {
  /** Historical kernel bugs to switch on (`Kernel.set_kernel_bugs` bits). */
  kernelBugs?: number;
}

/**
 * Runs a case under a target: its scenario, kernel and choice list, the target's design
 * and variant.
 *
 * @example
 * ```ts
 * import { parseTarget, runTarget } from "./properties.ts";
 * // const { outcome } = runTarget(c, parseTarget("process_mrelease"));
 * ```
 */
export function runTarget(c: Case, t: Target, opts: RunTargetOptions = {}): RunResult {
  return runScenario(c.scenario, {
    design: t.design,
    variant: t.variant,
    kernel: c.kernel,
    choices: c.choices,
    kernelBugs: opts.kernelBugs,
  });
}

/**
 * Why a case is outside a target's domain (the properties say nothing about it), or null.
 * One rule so far: the kernel's OOM killer never picks init or a kthread
 * (`oom_unkillable_task`, mm/oom_kill.c), so the `oom_reaper` baseline, whose recipe calls
 * `oom_kill_process` on whatever the scenario names, is not judged on them.
 */
export function outOfDomain(c: Case, t: Target): string | null {
  if (t.design.name !== "oom_reaper") return null;
  const victim = c.scenario.processes.find((p) => p.tgid === c.scenario.intent.victim);
  if (victim?.init || victim?.kthread) return "the OOM killer never selects init or a kthread";
  return null;
}

/** Whether a design kills only (a baseline) or reaps in the caller's context. */
export function isReapingDesign(t: Target): boolean {
  return !BASELINE_DESIGNS.includes(t.design.name);
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
 * import { runTarget, safetyViolations } from "./properties.ts";
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
        e.kind === EVENT_KINDS.signal_generate && e.a === 9 && e.d === 0 && dumping.has(e.b) &&
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

/** The victim's mm index (its id in events), or -1 when the victim has none at the start. */
export function victimMmIndex(s: Scenario): number {
  const p = s.processes.find((p) => p.tgid === s.intent.victim);
  if (!p || p.kthread || p.status !== "alive" || p.mm === null) return -1;
  if (p.threads.every((t) => t.state === "zombie")) return -1;
  return s.mms.find((m) => m.id === p.mm)?.index ?? -1;
}

/** Which VMAs a design's zap covers: the reaper's skip rules, or MADV_DONTNEED's. */
export type ZapRules = "reap" | "madvise";

/** Designs whose call zaps with MADV_DONTNEED's rules instead of the reaper's. */
const MADVISE_RULES: readonly string[] = ["process_madvise"];

/** The zap rules of a design. */
export function zapRules(t: Target): ZapRules {
  return MADVISE_RULES.includes(t.design.name) ? "madvise" : "reap";
}

/**
 * Whether a VMA's private anon pages are freed by a zap under these rules on this kernel
 * (reference §B.3; `can_madv_lru_vma` for MADV_DONTNEED, §A.2). A refusing mmu notifier
 * stops the reaper (EAGAIN), not MADV_DONTNEED, which waits.
 */
export function zapCovers(v: ScenarioVma, kernel: KernelVersion, rules: ZapRules): boolean {
  const privateOrAnon = v.kind === "anon" || v.kind === "file_private";
  const hugetlb = v.flags.includes("VM_HUGETLB");
  const locked = v.flags.includes("VM_LOCKED");
  if (!privateOrAnon || hugetlb) return false;
  if (rules === "madvise") return !locked;
  const mlockedReapable = KERNEL_VERSION_CODE[kernel] >= 518; // a213e5cf71cb
  return (!locked || mlockedReapable) && v.notifier === "none";
}

/**
 * Pages of the victim's mm at the start that a zap under `rules` frees (what a successful
 * call of a design with those rules must free when nobody else frees them first).
 */
export function coveredPages(s: Scenario, kernel: KernelVersion, rules: ZapRules): number {
  const i = victimMmIndex(s);
  if (i < 0) return 0;
  return s.mms[i].vmas.filter((v) => zapCovers(v, kernel, rules)).reduce(
    (sum, v) => sum + v.anon_pages,
    0,
  );
}

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
 *   SYNC_REAP_MM caller) before the call returned, or MMF_OOM_VICTIM at all: "already
 *   reaped or being reaped" (§A.1 step 4, §A.2 step 7, §A.4.3 steps 5 and 8);
 * - the victim's exit_mmap had started before the call returned: the mm is being torn down
 *   (mmget_not_zero failing in 337546e83fc7, §F.1);
 * - for MADV_DONTNEED's rules, the mlocked pages the reaper would take (v5.18+) but
 *   `can_madv_lru_vma` skips.
 *
 * @example
 * ```ts
 * import { effectivenessViolations, runTarget } from "./properties.ts";
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
 * import { runTarget, zeroAllowedBecause } from "./properties.ts";
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
  const o = run.outcome;
  const last = o.calls[o.calls.length - 1];
  const returnedNs = last ? last.at_ns + last.duration_ns : Infinity;
  const caller = c.scenario.caller.pid;
  for (const e of run.events) {
    if (e.tsNs > returnedNs) break;
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
    .filter((v) => zapCovers(v, c.kernel, "reap") && !zapCovers(v, c.kernel, rules))
    .reduce((sum, v) => sum + v.anon_pages, 0);
  return { reason: null, skippedByDesign };
}

/** Whether the caller's fd `fd` is a pidfd or /proc dir of the intent's victim. */
function fdNamesVictim(s: Scenario, fd: number): boolean {
  const caller = s.processes.find((p) => p.threads.some((t) => t.pid === s.caller.pid));
  const f = caller?.fds.find((f) => f.fd === fd);
  return f !== undefined && f.kind !== "file" && f.target === s.intent.victim;
}

const MMF_OOM_SKIP = 1;
const MMF_OOM_VICTIM = 4;
const MM_ANONPAGES = 1;
const REAP_NS_PER_PAGE = 330;

// ---- latency ----

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
  const caller = c.scenario.caller.pid;
  let anon = -1;
  let pages = 0, lastNs: number | null = null, before = 0;
  for (const e of run.events) {
    if (e.kind !== EVENT_KINDS.rss_stat || e.a !== mm || e.b !== MM_ANONPAGES) continue;
    const now = e.c / 4096;
    const start = anon < 0 ? c.scenario.mms[mm].vmas.reduce((s, v) => s + v.anon_pages, 0) : anon;
    const delta = start - now;
    anon = now;
    if (delta <= 0) continue;
    if (e.tsNs < beforeNs) before += delta;
    if (e.pid === caller) {
      pages += delta;
      lastNs = e.tsNs;
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
 * caller's CPU time covers the freeing at `REAP_NS_PER_PAGE` (330 ns a page on a speed-1
 * CPU, wasm/src/params.rs) divided by the speed of the CPU the caller is pinned to.
 *
 * @example
 * ```ts
 * import { latencyViolations } from "./properties.ts";
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
    if (t.design.name === "sigkill" && early.freedBeforePages > 0) {
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
  if ((ret === 0 || ret === -11) && c.scenario.intent.call.flags === undefined) {
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
    const batches = Math.ceil(early.pages / 4096) + 2;
    const floor = early.pages * REAP_NS_PER_PAGE / speed * (1 - 1e-6) - batches;
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

// ---- determinism ----

/**
 * Determinism: two runs of the same case give the same event log (hash and count) and the
 * same outcome.
 *
 * @example
 * ```ts
 * import { determinismViolations, runTarget } from "./properties.ts";
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
  /** Which generator feeds it: the general one, or the D-state latency worlds. */
  readonly generator: "case" | "latency";
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
 * The four properties, in the order they run.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "./gen.ts";
 * import { PROPERTIES, parseTarget } from "./properties.ts";
 * const t = parseTarget("process_mrelease");
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
    applies: (t) => isReapingDesign(t) || t.design.name === "sigkill",
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
];

/** The property called `name` (throws with the known names otherwise). */
export function findProperty(name: string): PropertyCheck {
  const p = PROPERTIES.find((p) => p.name === name);
  if (!p) throw new Error(`unknown property "${name}"; known: ${PROPERTY_NAMES.join(", ")}`);
  return p;
}

// ---- expected failures ----

/**
 * A rule a design is known to break (a historical bug or a reviewer's objection): the
 * property ignores these rules for it, and a separate search must still find the break.
 */
export interface ExpectedFailure {
  /** `design` or `design@variant`. */
  readonly target: string;
  /** The property. */
  readonly property: PropertyName;
  /** The rules it breaks. */
  readonly rules: readonly string[];
  /** The kernels on which the break is expected (the search draws only these). */
  readonly kernels?: readonly KernelVersion[];
  /** Why, with the reference section. */
  readonly why: string;
}

/** The rules the record says these designs break. */
export const EXPECTED_FAILURES: readonly ExpectedFailure[] = [
  {
    target: "process_madvise",
    property: "safety",
    rules: ["zap_live_sharer"],
    why: "only the target's own thread group is checked (signal_group_exit): memory a live " +
      "vfork parent or CLONE_VM sibling still uses is zapped (Jann Horn, §C.2)",
  },
  {
    target: "process_madvise@cap_sys_nice",
    property: "safety",
    rules: ["zap_live_sharer"],
    why: "as process_madvise: 96cfe2c0fd23 changed the permission check, not the dying check",
  },
  {
    target: "process_mrelease@v9",
    property: "safety",
    rules: ["pgtables_freed_under_walker"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "v9 pins only mm_count (mmgrab); before v5.17 a non-OOM victim's exit_mmap frees " +
      "the page tables with no lock, under the walk (§F.1, fixed by 337546e83fc7)",
  },
  {
    target: "process_mrelease@v9",
    property: "safety",
    rules: ["vma_use_after_free"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "the other face of §F.1: a v9 walk that starts after such an exit_mmap finished " +
      "reads VMAs that mm->mmap still points at (left dangling before v5.17)",
  },
  {
    target: "process_mrelease_reap_kill",
    property: "safety",
    rules: ["pgtables_freed_under_walker"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "REAP_KILL is mainline's body (mmgrab only, §A.5), written for kernels whose " +
      "exit_mmap frees page tables under mmap_lock (v5.17+, §F.2); run on 5.10-5.16 it meets " +
      "the §F.1 race like v9",
  },
  {
    target: "process_mrelease_reap_kill",
    property: "safety",
    rules: ["vma_use_after_free"],
    kernels: ["5.10", "5.15", "5.16"],
    why: "as v9 on 5.10-5.16: a walk after the victim's exit_mmap reads the dangling mm->mmap",
  },
  {
    target: "process_mrelease@mainline-inverted-check",
    property: "effectiveness",
    rules: ["reapable_left"],
    why: "the accessor conversion lost the `!` of the MMF_OOM_SKIP re-check: it reaps only " +
      "when the work is already done and otherwise returns 0 having done nothing (§F.5)",
  },
  {
    target: "process_mrelease@mainline-inverted-check",
    property: "latency",
    rules: ["freed_not_covered"],
    why: "as for effectiveness: with the victim asleep nothing sets MMF_OOM_SKIP, so the " +
      "inverted re-check skips the reap and the call returns 0 having freed nothing (§F.5)",
  },
];

/** The expected failures of one property and target. */
export function expectedFailuresOf(property: PropertyName, target: string): ExpectedFailure[] {
  return EXPECTED_FAILURES.filter((x) => x.property === property && x.target === target);
}
