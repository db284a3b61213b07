/**
 * The post-merge races of reference §F as property tests: for each, a focused fast-check
 * arbitrary (the world shape fixed to what the race needs, the timings, sizes, the
 * scheduler's choice list and the design/kernel pair generated) and a property that detects
 * the bug from the run's outcome. The buggy variant must fail the property within a fixed
 * seed and budget; the fixed one must hold for the whole budget (docs/races.md).
 *
 * | race | detects | buggy | fixed |
 * |---|---|---|---|
 * | `f1-pgtables` | WARN pgtables_freed_under_walker | `process_mrelease@v9` on 5.15 | `@v5.15` on 5.15, `@v5.17` on 5.17 |
 * | `f3-dangling-mmap` | WARN vma_use_after_free | 5.17 with kernel bug 1 | 5.17 |
 * | `f5-inverted-check` | ret 0 with reapable pages left | `@mainline-inverted-check` on 6.18 | `@mainline` on 6.18 |
 * | `f6-robust-futex` | WARN robust_list_unreadable | process_mrelease (any), oom_reaper on 5.15 | oom_reaper on 6.18 |
 *
 * @module
 */

import fc from "fast-check";
import { ERRNO } from "../core/errno.ts";
import { type KGen, MMF_OOM_SKIP, type Primitives } from "../core/primitives.ts";
import { NR } from "../core/userspace.ts";
import type { Design } from "../design.ts";
import { chooseDesign } from "../designs.ts";
import { killFirst, victimFd } from "../recipe.ts";
import { type RunResult, runScenario } from "../run/experiment.ts";
import type { Outcome } from "../run/outcome.ts";
import { type KernelVersion, type Scenario, validateScenario } from "../scenario/mod.ts";
import {
  type MreleaseVariant,
  pidfd_get_task,
  process_mrelease_design,
} from "../../proposals/process_mrelease.ts";

/** The race identifiers, named after their reference section. */
export type RaceId = "f1-pgtables" | "f3-dangling-mmap" | "f5-inverted-check" | "f6-robust-futex";

/** One (design, kernel, kernel bugs) a property runs under. */
export interface RaceConfig {
  /** `name` or `name@variant` of a registered design, or of {@linkcode EXTRA_DESIGNS}. */
  design: string;
  /** The kernel version. */
  kernel: KernelVersion;
  /** `Kernel.set_kernel_bugs` bits (1 = §F.3's dangling mm->mmap); 0 by default. */
  kernelBugs?: number;
}

/** The scenario JSON as written to a file (before validation). */
export type ScenarioJson = Record<string, unknown>;

/** A generated case: the world's parameters, the config it runs under and the choice list. */
export interface RaceCase<P> {
  /** The world's parameters (what the race's world builder takes). */
  world: P;
  /** The design and kernel. */
  config: RaceConfig;
  /** The scheduler's choice list (`Kernel.set_choices`); exhausted means 0. */
  choices: number[];
}

/** One race: its world, the arbitrary of that world's parameters, and the property. */
export interface Race<P> {
  /** The identifier (also the committed scenario's name). */
  id: RaceId;
  /** The reference section. */
  section: string;
  /** What the property checks. */
  property: string;
  /** The arbitrary of the world's parameters. */
  params: fc.Arbitrary<P>;
  /** The scenario JSON for these parameters. */
  scenario(p: P): ScenarioJson;
  /** Why this run violates the property, or null when it holds. */
  violation(o: Outcome): string | null;
}

// ---- the world ----

const PAGE = 4096;
const CALLER = 501;
const VICTIM = 1000;

/** A VMA of `pages` 4 KiB pages. */
function bytes(pages: number): number {
  return pages * PAGE;
}

/** Microseconds as the scenario's milliseconds. */
function ms(us: number): number {
  return us / 1000;
}

/**
 * The common world: `cpus` host CPUs, init (tgid 1), lmkd (tgid 500, uid 1069, CAP_KILL)
 * whose thread 501 (lmkd_reaper0, on CPU 1) is the caller, and the victim app (tgid 1000,
 * uid 10050) with the given mm and threads; `extra` processes and mms are appended.
 */
function baseWorld(o: {
  name: string;
  description: string;
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
    description: o.description,
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

/** A thread's scheduling keys: SCHED_NORMAL at a nice level, or SCHED_FIFO. */
function sched(prio: number): ScenarioJson {
  return prio > 0 ? { policy: "fifo", rt_prio: prio } : { nice: -prio };
}

/** A scheduling class: SCHED_FIFO priority (> 0), or minus the nice level (<= 0). */
const prioArb = fc.constantFrom(0, 10, 20, -10, 50);

/** Private anon VMA sizes, in pages (the part a reap frees). */
const vmaPagesArb = fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 });

// ---- F.1 ----

/** F.1's world: a victim that is not stuck and may exit by itself around the call. */
export interface F1World {
  /** Kernel of the world (the config's). */
  kernel: KernelVersion;
  /** The victim's CPU (the caller is on CPU 1). */
  victimCpu: number;
  /** R (running userspace) or S (sleeping) at time 0. */
  victimState: "R" | "S";
  /** Its scheduling class, see `sched`. */
  victimPrio: number;
  /** The caller's nice level. */
  callerNice: number;
  /** Its private anon VMAs, in pages. */
  vmas: number[];
  /** When the caller starts (µs). */
  atUs: number;
  /** When the victim calls exit_group by itself (µs), or null. */
  exitUs: number | null;
  /** Whether the caller sends SIGKILL before process_mrelease. */
  kill: boolean;
}

/** The world of a generated F.1 case. */
export function f1Scenario(w: F1World): ScenarioJson {
  return baseWorld({
    name: "f1-pgtables",
    description: "F.1",
    kernel: w.kernel,
    horizonMs: 30,
    cpus: 2,
    callerNice: w.callerNice,
    victimVmas: w.vmas.map((p) => ({ kind: "anon", size: bytes(p) })),
    victimThreads: [{
      pid: VICTIM,
      cpu: w.victimCpu,
      affinity: [w.victimCpu],
      state: w.victimState,
      ...sched(w.victimPrio),
    }],
    events: w.exitUs === null ? [] : [{ kind: "exit", at_ms: ms(w.exitUs), pid: VICTIM }],
    atUs: w.atUs,
    call: w.kill ? undefined : { kill: false },
  });
}

function warned(o: Outcome, name: string): string | null {
  const w = o.warnings.find((w) => w.name === name);
  return w ? `WARN ${name} at ${w.at_ns} ns (args ${w.args.join(", ")})` : null;
}

// ---- configs ----
