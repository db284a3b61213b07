/**
 * The post-merge races of reference §F as property tests (docs/races.md). For each race: a
 * focused fast-check arbitrary (the world's shape fixed to what the race needs; timings,
 * sizes, scheduling classes, the scheduler's choice list and the design/kernel pair
 * generated) and a property that detects the bug from the run's outcome. The buggy variants
 * must fail the property within a fixed seed and budget; the fixed ones must hold for the
 * whole budget. Which variant on which kernel is buggy or fixed is a fact of the design
 * records (`races` of a design or a variant), gathered by {@linkcode raceConfigs}.
 *
 * | race | the property fails on |
 * |---|---|
 * | `f1-pgtables` | WARN pgtables_freed_under_walker |
 * | `f3-dangling-mmap` | WARN vma_use_after_free |
 * | `f5-inverted-check` | ret 0, reapable pages left |
 * | `f6-robust-futex` | WARN robust_list_unreadable |
 *
 * @example
 * ```ts
 * import { checkRace, F1, RACE_BUDGET } from "./races.ts";
 * const d = checkRace(F1, F1.buggy, RACE_BUDGET);
 * console.log(d.failed, d.numRuns); // found, and after how many runs
 * ```
 *
 * @module
 */

import fc from "fast-check";
import { type Design, PAGE_SIZE } from "../../core/mod.ts";
import { chooseDesign, designs } from "../designs/mod.ts";
import { type Outcome, type RunResult, runScenario } from "../../engine/run/mod.ts";
import { type KernelVersion, type Scenario, validateScenario } from "../../engine/scenario/mod.ts";

/** The races, named after their reference section; also the committed scenarios' names. */
export type RaceId = "f1-pgtables" | "f3-dangling-mmap" | "f5-inverted-check" | "f6-robust-futex";

/** One (design, kernel, kernel bugs) a property runs under. */
export interface RaceConfig {
  /** `name` or `name@variant` of a registered design. */
  design: string;
  /** The kernel version. */
  kernel: KernelVersion;
  /** `Kernel.set_kernel_bugs` bits (1: §F.3's dangling mm->mmap); none by default. */
  kernelBugs?: number;
}

/**
 * The configs the design records list for a race (`races` of a design, for its kernels' own
 * variants, and of each variant, by name), buggy or fixed, in registry order.
 *
 * @example
 * ```ts
 * import { raceConfigs } from "./races.ts";
 * console.log(raceConfigs("f1-pgtables", { buggy: true }));
 * ```
 */
export function raceConfigs(
  race: RaceId,
  opts: { buggy: boolean; extra?: readonly Design[] },
): RaceConfig[] {
  const configs = (design: string, results: Design["races"]): RaceConfig[] =>
    (results ?? []).filter((r) => r.race === race && r.buggy === opts.buggy).map((r) => ({
      design,
      kernel: r.kernel,
      ...(r.kernelBugs ? { kernelBugs: r.kernelBugs } : {}),
    }));
  return designs(opts.extra).flatMap((d) => [
    ...configs(d.name, d.races),
    ...(d.variants ?? []).flatMap((v) => configs(`${d.name}@${v.name}`, v.races)),
  ]);
}

/** The scenario JSON as it is written to a file (before validation). */
export type ScenarioJson = Record<string, unknown>;

/** A generated case: the world's parameters, the config it runs under, the choice list. */
export interface RaceCase<P> {
  /** The world's parameters (the race's `scenario` takes them). */
  world: P;
  /** The design and kernel. */
  config: RaceConfig;
  /** The scheduler's choice list (`Kernel.set_choices`; 0 once exhausted). */
  choices: number[];
}

/** One race: its world, the arbitrary of that world's parameters, and the property. */
export interface Race<P> {
  /** The identifier. */
  id: RaceId;
  /** The reference section. */
  section: string;
  /** What the property says, in words. */
  property: string;
  /** The configs the property must find the bug in, each on its own. */
  buggy: readonly RaceConfig[];
  /** The configs the property must hold in, for the whole budget. */
  fixed: readonly RaceConfig[];
  /** The arbitrary of the world's parameters. */
  params: fc.Arbitrary<P>;
  /** The scenario JSON of these parameters, for a kernel. */
  scenario(p: P, kernel: KernelVersion): ScenarioJson;
  /** Why this run breaks the property, or null when it holds. */
  violation(o: Outcome): string | null;
}

/** The fixed seed and run budget of every race's search (docs/races.md). */
export const RACE_BUDGET = { seed: 20211022, numRuns: 500 } as const;

// ---- the world every race shares ----

/** The caller: lmkd_reaper0. */
export const CALLER = 501;
/** The victim's tgid (and its first thread). */
export const VICTIM = 1000;
/** F.6's survivor, which waits on the robust mutex. */
export const SURVIVOR = 1100;

function ms(us: number): number {
  return us / 1000;
}

/** A thread's scheduling keys: SCHED_FIFO at `prio` (> 0), or SCHED_NORMAL at nice `-prio`. */
function sched(prio: number): ScenarioJson {
  return prio > 0 ? { policy: "fifo", rt_prio: prio } : { nice: -prio };
}

/** A victim thread's scheduling class: SCHED_FIFO priority (> 0) or minus its nice (<= 0). */
const prioArb = fc.constantFrom(0, -10, 10, 20, 50);
/** Private anon VMA sizes in pages (what a reap frees): 4 KiB to 16 MiB each. */
const vmaPagesArb = fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 });
/** The caller's start, 1..3 ms. */
const atUsArb = fc.integer({ min: 1000, max: 3000 });
/** The scheduler's choice list, as the lab's properties generate it. */
export const choicesArb: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 7 }));

/**
 * Host CPUs (speed 1.0), init (tgid 1), lmkd (tgid 500, uid 1069, CAP_KILL + CAP_SYS_NICE,
 * VM_LOCKED memory) whose thread 501 (lmkd_reaper0, pinned to CPU 1) is the caller, and the
 * victim com.example.app (tgid 1000, uid 10050, mm `victim_mm`).
 */
function baseWorld(o: {
  name: string;
  kernel: KernelVersion;
  horizonMs: number;
  cpus: number;
  callerNice: number;
  victimVmas: ScenarioJson[];
  victimThreads: ScenarioJson[];
  extraMms?: ScenarioJson[];
  extraProcesses?: ScenarioJson[];
  events?: ScenarioJson[];
  atUs: number;
  call?: ScenarioJson;
}): ScenarioJson {
  return {
    schema: "mrelease-lab/scenario@1",
    name: o.name,
    description: o.name,
    kernel: o.kernel,
    seed: 1,
    horizon_ms: o.horizonMs,
    cpus: Array.from({ length: o.cpus }, (_, i) => ({ preset: "host", label: `cpu${i}` })),
    mms: [
      { id: "init_mm", vmas: [{ kind: "anon", size: "64KiB" }] },
      { id: "lmkd_mm", vmas: [{ kind: "anon", size: "256KiB", flags: ["VM_LOCKED"] }] },
      { id: "victim_mm", vmas: o.victimVmas },
      ...(o.extraMms ?? []),
    ],
    processes: [
      { tgid: 1, comm: "init", init: true, mm: "init_mm", threads: [{ pid: 1, state: "S" }] },
      {
        tgid: 500,
        comm: "lmkd",
        parent: 1,
        uid: 1069,
        caps: ["CAP_KILL", "CAP_SYS_NICE"],
        mm: "lmkd_mm",
        threads: [
          { pid: 500, comm: "lmkd", cpu: 1, state: "S" },
          {
            pid: CALLER,
            comm: "lmkd_reaper0",
            cpu: 1,
            affinity: [1],
            nice: o.callerNice,
            state: "S",
          },
        ],
      },
      {
        tgid: VICTIM,
        comm: "com.example.app",
        parent: 1,
        uid: 10050,
        mm: "victim_mm",
        threads: o.victimThreads,
      },
      ...(o.extraProcesses ?? []),
    ],
    events: o.events ?? [],
    caller: { pid: CALLER },
    intent: { victim: VICTIM, at_ms: ms(o.atUs), ...(o.call ? { call: o.call } : {}) },
  };
}

function warned(o: Outcome, name: string): string | null {
  const w = o.warnings.find((w) => w.name === name);
  return w ? `WARN ${name} at ${w.at_ns} ns (args ${w.args.join(", ")})` : null;
}

// ---- F.1 ----

/** F.1's world: a victim that is not stuck and exits by itself around the call. */
export interface F1World {
  /** The victim's CPU (the caller is pinned to CPU 1). */
  victimCpu: number;
  /** R (running userspace) or S (sleeping) at time 0. */
  victimState: "R" | "S";
  /** Its scheduling class (see `sched`). */
  victimPrio: number;
  /** The caller's nice level. */
  callerNice: number;
  /** Its private anon VMAs, in pages. */
  vmas: number[];
  /** When the caller starts (µs). */
  atUs: number;
  /** When the victim calls exit_group by itself, µs after the caller starts (may be < 0). */
  exitOffsetUs: number;
  /** Whether the caller sends SIGKILL before process_mrelease. */
  kill: boolean;
}

/**
 * §F.1: process_mrelease (v9: mmgrab only) walks the page tables while the victim's own last
 * mmput runs v5.15's exit_mmap, which frees them with no mmap_lock for a non-OOM victim.
 */
export const F1: Race<F1World> = {
  id: "f1-pgtables",
  section: "F.1",
  property: "exit_mmap never frees page tables under a walker (no pgtables_freed_under_walker)",
  buggy: raceConfigs("f1-pgtables", { buggy: true }),
  fixed: raceConfigs("f1-pgtables", { buggy: false }),
  params: fc.record({
    victimCpu: fc.constantFrom(0, 1),
    victimState: fc.constantFrom("R" as const, "S" as const),
    victimPrio: prioArb,
    callerNice: fc.constantFrom(-20, 0),
    vmas: vmaPagesArb,
    atUs: atUsArb,
    exitOffsetUs: fc.integer({ min: -100, max: 2000 }),
    kill: fc.boolean(),
  }),
  scenario: (w, kernel) =>
    baseWorld({
      name: "f1-pgtables",
      kernel,
      horizonMs: 30,
      cpus: 2,
      callerNice: w.callerNice,
      victimVmas: w.vmas.map((p) => ({ kind: "anon", size: p * PAGE_SIZE })),
      victimThreads: [{
        pid: VICTIM,
        cpu: w.victimCpu,
        affinity: [w.victimCpu],
        state: w.victimState,
        ...sched(w.victimPrio),
      }],
      events: [{ kind: "exit", at_ms: ms(w.atUs + w.exitOffsetUs), pid: VICTIM }],
      atUs: w.atUs,
      call: w.kill ? undefined : { kill: false },
    }),
  violation: (o) => warned(o, "pgtables_freed_under_walker"),
};

// ---- F.3 ----

/** F.3's world: a non-OOM victim killed by the caller, placed to run its exit around it. */
export interface F3World {
  /** The victim's CPU (the caller is pinned to CPU 1). */
  victimCpu: number;
  /** R (running userspace) or S (sleeping) at time 0. */
  victimState: "R" | "S";
  /** Its scheduling class (see `sched`). */
  victimPrio: number;
  /** The caller's nice level. */
  callerNice: number;
  /** Its private anon VMAs, in pages. */
  vmas: number[];
  /** When the caller starts (µs). */
  atUs: number;
}

/**
 * §F.3: on v5.17-rc the victim's exit_mmap (under the write lock) frees every VMA but leaves
 * mm->mmap pointing at the first; a caller that found the mm before the exit and gets the
 * read lock after it walks a freed VMA. Kernel bug bit 1 switches the dangling pointer on.
 */
export const F3: Race<F3World> = {
  id: "f3-dangling-mmap",
  section: "F.3",
  property: "no walk starts at a VMA exit_mmap freed (no vma_use_after_free)",
  buggy: raceConfigs("f3-dangling-mmap", { buggy: true }),
  fixed: raceConfigs("f3-dangling-mmap", { buggy: false }),
  params: fc.record({
    victimCpu: fc.constantFrom(0, 1),
    victimState: fc.constantFrom("R" as const, "S" as const),
    victimPrio: prioArb,
    callerNice: fc.constantFrom(-20, 0),
    vmas: vmaPagesArb,
    atUs: atUsArb,
  }),
  scenario: (w, kernel) =>
    baseWorld({
      name: "f3-dangling-mmap",
      kernel,
      horizonMs: 30,
      cpus: 2,
      callerNice: w.callerNice,
      victimVmas: w.vmas.map((p) => ({ kind: "anon", size: p * PAGE_SIZE })),
      victimThreads: [{
        pid: VICTIM,
        cpu: w.victimCpu,
        affinity: [w.victimCpu],
        state: w.victimState,
        ...sched(w.victimPrio),
      }],
      atUs: w.atUs,
    }),
  violation: (o) => warned(o, "vma_use_after_free"),
};

// ---- F.5 ----

/** F.5's world: an eligible victim stuck in D, with a mix of mappings. */
export interface F5World {
  /** The victim's threads (1..3), each on CPU 0 or 2. */
  threads: number;
  /** When the D sleep ends (µs after the caller starts), or null: until after the run. */
  stuckUs: number | null;
  /** Private anon VMAs, in pages. */
  vmas: number[];
  /** One VMA of the heap is VM_LOCKED (reapable since v5.18). */
  mlocked: boolean;
  /** Pages of a private file mapping, with a quarter COW copies (0: none). */
  filePages: number;
  /** The caller's nice level. */
  callerNice: number;
  /** When the caller starts (µs). */
  atUs: number;
}

/**
 * §F.5: the 2025 accessor conversion inverted mainline's MMF_OOM_SKIP re-check under the
 * lock, so process_mrelease reaped only when reaping was pointless: it returns 0 and leaves
 * the memory mapped.
 */
export const F5: Race<F5World> = {
  id: "f5-inverted-check",
  section: "F.5",
  property: "a call that returns 0 leaves nothing reapable (reapable_after_pages 0)",
  buggy: raceConfigs("f5-inverted-check", { buggy: true }),
  fixed: raceConfigs("f5-inverted-check", { buggy: false }),
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    stuckUs: fc.option(fc.integer({ min: 5000, max: 200000 }), { nil: null }),
    vmas: vmaPagesArb,
    mlocked: fc.boolean(),
    filePages: fc.constantFrom(0, 64, 1024),
    callerNice: fc.constantFrom(-20, 0),
    atUs: atUsArb,
  }),
  scenario: (w) =>
    baseWorld({
      name: "f5-inverted-check",
      kernel: "6.18",
      horizonMs: 300,
      cpus: 3,
      callerNice: w.callerNice,
      victimVmas: [
        ...w.vmas.map((p, i) => ({
          kind: "anon",
          size: p * PAGE_SIZE,
          ...(w.mlocked && i === 0 ? { flags: ["VM_LOCKED"] } : {}),
        })),
        ...(w.filePages > 0
          ? [{
            kind: "file_private",
            size: w.filePages * PAGE_SIZE,
            cow: (w.filePages / 4) * PAGE_SIZE,
          }]
          : []),
      ],
      victimThreads: Array.from({ length: w.threads }, (_, i) => ({
        pid: VICTIM + i,
        ...(i > 0 ? { comm: `worker${i}` } : {}),
        cpu: i % 2 === 0 ? 0 : 2,
        affinity: [0, 2],
        state: i === 0 ? "D" : "S",
        ...(i === 0 && w.stuckUs !== null ? { until_ms: ms(w.atUs + w.stuckUs) } : {}),
      })),
      atUs: w.atUs,
    }),
  violation: (o) => {
    // The main call answered (0), so it is the caller's last syscall.
    const last = o.calls.at(-1);
    if (o.ret !== 0 || !last) return null;
    return last.reapable_after_pages > 0
      ? `${last.name} returned 0 with ${last.reapable_after_pages} reapable pages left`
      : null;
  },
};

// ---- F.6 ----

/** F.6's world: a victim with a robust mutex in memory it shares with a survivor. */
export interface F6World {
  /** How the victim sleeps at the kill: D until `stuckUs` after the call, S, or running. */
  victimState: "D" | "S" | "R";
  /** The D sleep's end, µs after the caller starts (under 1.9 s: OOM_REAPER_DELAY is 2 s). */
  stuckUs: number;
  /** The victim holds its mmap_lock for write across the D sleep. */
  holdsWrite: boolean;
  /** Pages of the pthread area that holds the robust-list head (private anon). */
  robustPages: number;
  /** The robust list's VMA comes before the heap (a forward walk reaches it first). */
  robustFirst: boolean;
  /** The heap, in pages. */
  heapPages: number;
  /** The victim's CPU (the caller is pinned to CPU 1). */
  victimCpu: number;
  /** When the caller starts (µs). */
  atUs: number;
}

/**
 * §F.6: the victim's robust-futex list lives in its private anon memory; a reap before its
 * own exit_mm_release walks the list makes exit_robust_list fail, the shared mutex is never
 * marked OWNER_DIED, and the survivor waiting on it hangs.
 */
export const F6: Race<F6World> = {
  id: "f6-robust-futex",
  section: "F.6",
  property: "exit_robust_list can read the list (no robust_list_unreadable)",
  buggy: raceConfigs("f6-robust-futex", { buggy: true }),
  fixed: raceConfigs("f6-robust-futex", { buggy: false }),
  params: fc.record({
    victimState: fc.constantFrom("D" as const, "S" as const, "R" as const),
    stuckUs: fc.integer({ min: 100, max: 1_900_000 }),
    holdsWrite: fc.boolean(),
    robustPages: fc.integer({ min: 1, max: 16 }),
    robustFirst: fc.boolean(),
    heapPages: fc.integer({ min: 1, max: 4096 }),
    victimCpu: fc.constantFrom(0, 2),
    atUs: atUsArb,
  }),
  scenario: (w, kernel) => {
    const robust = { kind: "anon", size: w.robustPages * PAGE_SIZE, robust_futex_list: true };
    const heap = { kind: "anon", size: w.heapPages * PAGE_SIZE };
    const shared = { kind: "shmem", size: "64KiB" };
    const d = w.victimState === "D";
    return baseWorld({
      name: "f6-robust-futex",
      kernel,
      horizonMs: 2500,
      cpus: 3,
      callerNice: -20,
      victimVmas: w.robustFirst ? [robust, heap, shared] : [heap, robust, shared],
      victimThreads: [{
        pid: VICTIM,
        cpu: w.victimCpu,
        affinity: [w.victimCpu],
        state: w.victimState,
        ...(d ? { until_ms: ms(w.atUs + w.stuckUs) } : {}),
        ...(d && w.holdsWrite
          ? { holds: [{ lock: "mmap_lock", mode: "write", mm: "victim_mm" }] }
          : {}),
      }],
      extraMms: [{ id: "survivor_mm", vmas: [{ kind: "anon", size: "1MiB" }, shared] }],
      extraProcesses: [{
        tgid: SURVIVOR,
        comm: "media.worker",
        parent: 1,
        uid: 10050,
        mm: "survivor_mm",
        threads: [{ pid: SURVIVOR, cpu: 2, state: "S" }],
      }],
      atUs: w.atUs,
    });
  },
  violation: (o) => warned(o, "robust_list_unreadable"),
};

/** A race whatever its world's parameters (the element type of {@linkcode RACES}). */
// deno-lint-ignore no-explicit-any
export type AnyRace = Race<any>;

/** Every race, in reference order. */
export const RACES: readonly AnyRace[] = [F1, F3, F5, F6];

// ---- running ----

/** The validated scenario of a case. */
export function caseScenario<P>(race: Race<P>, c: RaceCase<P>): Scenario {
  return validateScenario(race.scenario(c.world, c.config.kernel));
}

/** Runs a scenario under a config, with an explicit choice list or the scenario's seed. */
export function runConfig(
  scenario: Scenario,
  config: RaceConfig,
  choices?: readonly number[],
): RunResult {
  return runScenario(scenario, {
    ...chooseDesign(config.design),
    kernel: config.kernel,
    kernelBugs: config.kernelBugs,
    choices,
  });
}

/** Runs one generated case; the property's verdict is `race.violation(result.outcome)`. */
export function runCase<P>(race: Race<P>, c: RaceCase<P>): RunResult {
  return runConfig(caseScenario(race, c), c.config, c.choices);
}

/** The arbitrary of a race's cases under the given configs. */
export function raceCases<P>(
  race: Race<P>,
  configs: readonly RaceConfig[],
): fc.Arbitrary<RaceCase<P>> {
  return fc.record({
    world: race.params,
    config: fc.constantFrom(...configs),
    choices: choicesArb,
  });
}

/** The race's property under the given configs: throws the violation. */
export function raceProperty<P>(
  race: Race<P>,
  configs: readonly RaceConfig[],
): fc.IPropertyWithHooks<[RaceCase<P>]> {
  return fc.property(raceCases(race, configs), (c) => {
    const v = race.violation(runCase(race, c).outcome);
    if (v !== null) throw new Error(`${race.id} (${race.section}): ${v}`);
  });
}

/** Runs the property with a fixed seed and budget (fast-check's `check`). */
export function checkRace<P>(
  race: Race<P>,
  configs: readonly RaceConfig[],
  budget: { seed: number; numRuns: number } = RACE_BUDGET,
): fc.RunDetails<[RaceCase<P>]> {
  return fc.check(raceProperty(race, configs), { seed: budget.seed, numRuns: budget.numRuns });
}
