/**
 * fast-check arbitraries for the property tests: generated worlds (as shrinkable plans that
 * build valid scenario JSON), kernel versions and choice lists, bundled as a
 * {@linkcode Case}: everything `runScenario` needs besides the design.
 *
 * The space is the one the designs disagree about: process trees with 1-4 threads, an mm
 * shared with a vfork child or a CLONE_VM sibling (alive or already killed), init and a
 * kthread as victims, zombie and reaped victims, zombie leaders, core dumps, stopped, frozen
 * and D-state threads with and without wake times, D-state holders of the victim's
 * mmap_lock, callers with and without CAP_KILL / CAP_SYS_PTRACE / CAP_SYS_NICE under the
 * victim's uid or another, CPUs from the presets or free numbers, VMAs of every kind and
 * flag from one page to tens of GiB, refusing mmu notifiers, /proc readers, every kernel
 * version, calls without the kill, with a bad or foreign fd or odd flags, a second concurrent
 * caller, and a caller killed while it works. The weights lean toward the edges.
 *
 * Interleavings are a generated choice list (`fc.array(fc.nat({ max: 7 }))`) passed to
 * `runScenario` as `choices`: a race shrinks to the few decisions that make it.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "./gen.ts";
 * const [c] = fc.sample(arbCase({ kernels: ["5.15"] }), { numRuns: 1, seed: 42 });
 * console.log(c.scenario.processes.length, c.kernel, c.choices);
 * ```
 * @module
 */

import fc, { type Arbitrary } from "fast-check";
import { arbLook } from "./_looks.ts";
import {
  kernelFeatures,
  PAGE_SIZE,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
} from "../../core/mod.ts";
import {
  type Capability,
  CPU_PRESET_NAMES,
  KERNEL_VERSIONS,
  type KernelVersion,
  type Scenario,
  ScenarioError,
  validateScenario,
  type VmaKind,
} from "../../engine/scenario/mod.ts";
import {
  buildWorld,
  type CallPlan,
  type CpuPlan,
  PIDS,
  type ReaderPlan,
  type SharerPlan,
  type SignalPlan,
  type TargetPlan,
  type ThreadPlan,
  type VmaPlan,
  type WorldKernel,
  type WorldPlan,
} from "./_worlds.ts";

export { PIDS };
export type { WorldPlan };

/** One generated input: a valid scenario, the kernel it runs on, and the choice list. */
export interface Case {
  /** The scenario JSON as written to a case file (what `validateScenario` was given). */
  readonly json: Record<string, unknown>;
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** The kernel version to simulate. */
  readonly kernel: KernelVersion;
  /** The interleaving: every scheduler choice, in order (0 once exhausted). */
  readonly choices: readonly number[];
}

/** Options of {@linkcode arbCase}. */
export interface CaseOptions {
  /** Kernel versions to draw from (default: all of `KERNEL_VERSIONS`). */
  kernels?: readonly KernelVersion[];
  /** Longest choice list (default 24). */
  maxChoices?: number;
}

/**
 * A validated scenario from any JSON the generators built; a rejection is a generator bug
 * and says so, with the validator's problems.
 *
 * @example
 * ```ts
 * import { toCase } from "./gen.ts";
 * // const c = toCase(json, { kernel: "6.18", choices: [1, 0] });
 * ```
 */
export function toCase(
  json: Record<string, unknown>,
  run: { kernel: KernelVersion; choices: readonly number[] },
): Case {
  try {
    return { json, scenario: validateScenario(json), kernel: run.kernel, choices: run.choices };
  } catch (e) {
    if (e instanceof ScenarioError) {
      throw new Error(`generator bug: a generated world is not a valid scenario\n${e.message}`);
    }
    throw e;
  }
}

/**
 * A choice list for the scheduler: small numbers (taken modulo the alternatives), short, and
 * shrinking toward the empty list (all first alternatives).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbChoices } from "./gen.ts";
 * fc.sample(arbChoices(8), 1); // e.g. [[3, 0, 7]]
 * ```
 */
export function arbChoices(maxLength = 24): Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 7 }), { maxLength });
}

/** A kernel version, from `kernels` (all by default). */
export function arbKernel(kernels: readonly KernelVersion[] = KERNEL_VERSIONS): Arbitrary<
  KernelVersion
> {
  return fc.constantFrom(...kernels);
}

// ---- pieces ----

/** A CPU: one of the calibrated presets, or free capacity and frequencies. */
export function arbCpu(): Arbitrary<CpuPlan> {
  const preset = fc.constantFrom(...CPU_PRESET_NAMES).map((preset): CpuPlan => ({ preset }));
  const free = fc.record({
    capacity: fc.integer({ min: 1, max: 1024 }),
    max_freq_mhz: fc.integer({ min: 100, max: 3500 }),
    freq_per_mille: fc.integer({ min: 1, max: 1000 }),
  }).map(({ capacity, max_freq_mhz, freq_per_mille }): CpuPlan => ({
    capacity,
    max_freq_mhz,
    freq_mhz: Math.max(1, Math.floor(max_freq_mhz * freq_per_mille / 1000)),
  }));
  return fc.oneof({ arbitrary: preset, weight: 3 }, { arbitrary: free, weight: 1 });
}

/**
 * A CPU of speed at least 0.3 (a preset, or capacity >= 512 at >= half its top frequency):
 * the latency worlds need every reap (at most 64 Ki pages) to end well before the wake.
 */
export function arbFastCpu(): Arbitrary<CpuPlan> {
  const preset = fc.constantFrom(...CPU_PRESET_NAMES).map((preset): CpuPlan => ({ preset }));
  const free = fc.record({
    capacity: fc.integer({ min: 512, max: 1024 }),
    max_freq_mhz: fc.integer({ min: 100, max: 3500 }),
    freq_per_mille: fc.integer({ min: 500, max: 1000 }),
  }).map(({ capacity, max_freq_mhz, freq_per_mille }): CpuPlan => ({
    capacity,
    max_freq_mhz,
    freq_mhz: Math.max(1, Math.floor(max_freq_mhz * freq_per_mille / 1000)),
  }));
  return fc.oneof({ arbitrary: preset, weight: 3 }, { arbitrary: free, weight: 1 });
}

/** Pages in a GiB. */
const GIB_PAGES = 2 ** 30 / PAGE_SIZE;

/** A page count from one page to tens of GiB, mostly small (sizes cost nothing to simulate). */
export function arbPages(maxPages = 40 * GIB_PAGES): Arbitrary<number> {
  const cap = (n: number) => Math.min(n, maxPages);
  return fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: cap(64) }), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: cap(16384) }), weight: 4 },
    { arbitrary: fc.integer({ min: 1, max: cap(GIB_PAGES) }), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: cap(40 * GIB_PAGES) }), weight: 1 },
  );
}

const VMA_KINDS: readonly VmaKind[] = [
  "anon",
  "anon_shared",
  "file_private",
  "file_shared",
  "shmem",
  "pfnmap",
];

/** A VMA of any kind and flag. */
export function arbVma(maxPages?: number): Arbitrary<VmaPlan> {
  const kind = fc.oneof(
    { arbitrary: fc.constant<VmaKind>("anon"), weight: 6 },
    { arbitrary: fc.constantFrom(...VMA_KINDS), weight: 4 },
  );
  const rare = (w: number) =>
    fc.oneof({ arbitrary: fc.constant(false), weight: w }, fc.constant(true));
  return fc.record({
    kind,
    size_pages: arbPages(maxPages),
    resident_per_mille: fc.oneof(fc.constant(1000), fc.integer({ min: 0, max: 1000 })),
    swap_per_mille: fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      fc.integer({ min: 0, max: 1000 }),
    ),
    cow_per_mille: fc.integer({ min: 0, max: 1000 }),
    locked: rare(6),
    hugetlb: rare(8),
    refuses: rare(8),
    // The refusing notifier is KVM's (an hlist subscriber exit_mmap unhooks), else an
    // interval notifier's.
    hlist: fc.boolean(),
    robust_futex_list: rare(10),
    thp: rare(6),
  }).map((v) =>
    v.kind === "pfnmap" ? { ...v, locked: false, hugetlb: false, robust_futex_list: false } : v
  );
}

// Times are generated relative to the world's horizon and intent (per mille), not in
// microseconds, so that every field shrinks on its own (no `chain`): the builder's input,
// a WorldPlan, is computed from them by `timed()`.

/** A time: per mille of the horizon (`any`), of the time before the intent (`before`), of
 * the 100 µs just before the intent (`just_before`) or of the time after it (`after`). */
interface RawTime {
  readonly when: "any" | "before" | "just_before" | "after";
  readonly pm: number;
}

const pm = (max = 1000) => fc.integer({ min: 0, max });

function arbTime(weights: Partial<Record<RawTime["when"], number>>): fc.Arbitrary<RawTime> {
  const whens = Object.entries(weights) as [RawTime["when"], number][];
  return fc.record({
    when: fc.oneof(...whens.map(([w, weight]) => ({ arbitrary: fc.constant(w), weight }))),
    pm: pm(),
  });
}

function nullable<T>(a: fc.Arbitrary<T>, nullWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: nullWeight }, a);
}

interface RawThread {
  readonly state: ThreadPlan["state"];
  /** End of an S/D sleep, per mille of the horizon (up to twice it). */
  readonly until_pm: number | null;
  readonly wake_pm: number | null;
  readonly hold: ThreadPlan["hold"];
  readonly cpu: number;
  readonly exit_pm: number | null;
  readonly traced_exit: boolean;
}

/** A thread in any state; sleeps end at a time, on a wake event, or never. */
function arbRawThread(): fc.Arbitrary<RawThread> {
  return fc.record({
    state: fc.oneof(
      { arbitrary: fc.constant<ThreadPlan["state"]>("R"), weight: 4 },
      { arbitrary: fc.constant<ThreadPlan["state"]>("S"), weight: 3 },
      { arbitrary: fc.constant<ThreadPlan["state"]>("D"), weight: 4 },
      { arbitrary: fc.constant<ThreadPlan["state"]>("T"), weight: 1 },
      { arbitrary: fc.constant<ThreadPlan["state"]>("frozen"), weight: 1 },
      { arbitrary: fc.constant<ThreadPlan["state"]>("zombie"), weight: 2 },
    ),
    until_pm: nullable(fc.integer({ min: 1, max: 2000 }), 1),
    wake_pm: nullable(pm(), 1),
    hold: fc.oneof(
      { arbitrary: fc.constant<"none">("none"), weight: 4 },
      fc.constant<"read">("read"),
      fc.constant<"write">("write"),
    ),
    cpu: fc.nat({ max: 3 }),
    exit_pm: nullable(pm(), 5),
    // A debugger with PTRACE_O_TRACEEXIT that never resumes it: the exit stops in
    // PTRACE_EVENT_EXIT with the mm attached (docs/scenario-format.md).
    traced_exit: fc.oneof({ arbitrary: fc.constant(false), weight: 5 }, fc.constant(true)),
  });
}

interface RawSharer {
  readonly threads: readonly RawThread[];
  /** A SIGKILL from another actor: before the call (a dying sharer), after it, or never. */
  readonly kill: RawTime | null;
}

function arbRawSharer(): fc.Arbitrary<RawSharer> {
  return fc.record({
    threads: fc.array(arbRawThread(), { minLength: 1, maxLength: 2 }),
    kill: nullable(arbTime({ before: 3, just_before: 1, after: 1 }), 2),
  });
}

interface RawSignal {
  readonly at: RawTime;
  readonly sig: SignalPlan["sig"];
}

interface RawReader {
  readonly at_pm: number;
  readonly duration_pm: number;
  readonly reader: ReaderPlan["reader"];
}

const CAPS: readonly Capability[] = ["CAP_KILL", "CAP_SYS_PTRACE", "CAP_SYS_NICE", "CAP_SYS_ADMIN"];

/** A delay in µs: one of a few small constants, or per mille of the horizon. */
type RawDelay = { readonly us: number } | { readonly pm: number };

function arbDelay(constants: readonly number[]): fc.Arbitrary<RawDelay> {
  return fc.oneof(
    fc.constantFrom(...constants).map((us): RawDelay => ({ us })),
    pm().map((pm): RawDelay => ({ pm })),
  );
}

function arbRawKiller() {
  return fc.record({
    // root, lmkd's uid, the victim's own uid, another uid
    uid: fc.constantFrom(0, 1069, 10050, 20000),
    caps: fc.oneof(
      fc.constant<Capability[]>(["CAP_KILL", "CAP_SYS_PTRACE", "CAP_SYS_NICE"]),
      fc.subarray([...CAPS]),
    ),
    pin_cpu: nullable(fc.nat({ max: 3 }), 1),
    nice: fc.constantFrom(0, -20, 10),
    second_caller_after: nullable(arbDelay([0, 1, 10, 1000]), 4),
    killed_after: nullable(arbDelay([1, 5, 50, 1000]), 5),
  });
}

function arbCall(): fc.Arbitrary<CallPlan> {
  const usual = fc.constant<CallPlan>({});
  const odd = fc.record({
    kill: fc.constantFrom<false | undefined>(false, undefined),
    // -10000/-10001: the PIDFD_SELF_* sentinels (the caller itself on 6.18); -20000 the
    // series' first group sentinel, a bad fd on 6.18.
    fd: fc.constantFrom<number | undefined>(
      undefined,
      -1,
      3,
      4,
      5,
      6,
      // 7 and 8: thread pidfds (PIDFD_THREAD) of the victim's leader and of a non-leader,
      // where the kernel has them (else EBADF, like 77).
      7,
      8,
      77,
      PIDFD_SELF_THREAD,
      PIDFD_SELF_THREAD_GROUP,
      -20000,
    ),
    // 4: PIDFD_SIGNAL_PROCESS_GROUP for pidfd_send_signal on 6.18, unknown elsewhere.
    flags: fc.constantFrom<number | undefined>(undefined, 0, 1, 2, 3, 4),
    nonblock: fc.constantFrom<true | undefined>(true, undefined),
  }).map((c) => {
    const out: { kill?: false; fd?: number; flags?: number; nonblock?: true } = {};
    if (c.kill === false) out.kill = false;
    if (c.fd !== undefined) out.fd = c.fd;
    if (c.flags !== undefined) out.flags = c.flags;
    if (c.nonblock) out.nonblock = true;
    return out as CallPlan;
  });
  return fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: odd, weight: 1 });
}

function arbTarget(): fc.Arbitrary<TargetPlan> {
  return fc.oneof(
    { arbitrary: fc.constant<TargetPlan>("victim"), weight: 12 },
    fc.constant<TargetPlan>("vfork_child"),
    fc.constant<TargetPlan>("sibling"),
    fc.constant<TargetPlan>("init"),
    fc.constant<TargetPlan>("kthread"),
  );
}

function arbRawSignals(): fc.Arbitrary<RawSignal[]> {
  const signal = fc.record({
    // Just before the call (the victim's exit_mmap races the reap: the MMF_OOM_SKIP
    // re-check, a pinned caller left with exit_mmap), before it (already dying), or anywhere.
    at: arbTime({ just_before: 2, before: 1, any: 1 }),
    sig: fc.oneof(
      { arbitrary: fc.constant<SignalPlan["sig"]>("SIGKILL"), weight: 3 },
      fc.constantFrom<SignalPlan["sig"]>("SIGSTOP", "SIGCONT", "SIGTERM"),
    ),
  });
  return fc.oneof(
    { arbitrary: fc.constant<RawSignal[]>([]), weight: 2 },
    fc.array(signal, { maxLength: 2 }),
  );
}

function arbRawReaders(): fc.Arbitrary<RawReader[]> {
  const reader = fc.record({
    at_pm: pm(),
    duration_pm: pm(),
    reader: fc.constantFrom<ReaderPlan["reader"]>("caller", "killer_main"),
  });
  return fc.oneof(
    { arbitrary: fc.constant<RawReader[]>([]), weight: 4 },
    fc.array(reader, { maxLength: 2 }),
  );
}

/** Options of {@linkcode arbWorldPlan}. */
export interface WorldPlanOptions {
  /** Largest VMA in pages (default: 40 GiB). */
  maxVmaPages?: number;
  /**
   * false: no `LookPlan` (_looks.ts: the call's signal, advice and vector, the OOM killer,
   * the follow-up calls): worlds for the pairwise comparison, whose classes are stated for
   * each design's usual call. Default true.
   */
  looks?: boolean;
}

/** Turns the generated relative times into a plan's microseconds. */
class Clock {
  constructor(readonly horizonUs: number, readonly intentUs: number) {}
  frac(pm: number): number {
    return Math.floor(this.horizonUs * pm / 1000);
  }
  at(t: RawTime): number {
    const { horizonUs: h, intentUs: i } = this;
    switch (t.when) {
      case "any":
        return this.frac(t.pm);
      case "before":
        return Math.floor(i * t.pm / 1000);
      case "just_before":
        return Math.max(0, i - Math.floor(100 * t.pm / 1000));
      case "after":
        return i + Math.floor((h - i) * t.pm / 1000);
    }
  }
  delay(d: RawDelay): number {
    return "us" in d ? d.us : this.frac(d.pm);
  }
  thread(t: RawThread): ThreadPlan {
    return {
      state: t.state,
      until_us: t.until_pm === null ? null : Math.max(1, this.frac(t.until_pm)),
      wake_us: t.wake_pm === null ? null : this.frac(t.wake_pm),
      hold: t.hold,
      cpu: t.cpu,
      exit_us: t.exit_pm === null ? null : this.frac(t.exit_pm),
      traced_exit: t.traced_exit,
    };
  }
  sharer(s: RawSharer): SharerPlan {
    return {
      threads: s.threads.map((t) => this.thread(t)),
      kill_us: s.kill === null ? null : this.at(s.kill),
    };
  }
}

/**
 * A world plan: the shrinkable description {@linkcode buildWorld} turns into scenario JSON
 * (see `_worlds.ts` for the fixed pids: init 1, kthreadd 2, the killer 500 with the caller
 * 501 and a second caller 502, the victim 1000, its vfork child 1100, a CLONE_VM sibling 1200).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbWorldPlan } from "./gen.ts";
 * const [plan] = fc.sample(arbWorldPlan(), 1);
 * console.log(plan.target, plan.victim.threads.length);
 * ```
 */
export function arbWorldPlan(opts: WorldPlanOptions = {}): Arbitrary<WorldPlan> {
  return fc.record({
    horizon_us: fc.constantFrom(200_000, 50_000, 1_000_000, 3_000_000),
    // Mostly after time 0, so that kills and exits can come before the call.
    intent_pm: fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 3 },
      { arbitrary: fc.constant(0), weight: 1 },
    ),
    cpus: fc.array(arbCpu(), { minLength: 1, maxLength: 4 }),
    target: arbTarget(),
    kthreadd: fc.boolean(),
    victim: fc.record({
      status: fc.oneof(
        { arbitrary: fc.constant<"alive">("alive"), weight: 10 },
        fc.constantFrom<"zombie" | "reaped">("zombie", "reaped"),
      ),
      uid: fc.constantFrom(10050, 0),
      core_dump: fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, fc.constant(true)),
      parent_waits: fc.boolean(),
      threads: fc.array(arbRawThread(), { minLength: 1, maxLength: 4 }),
      vmas: fc.array(arbVma(opts.maxVmaPages), { minLength: 1, maxLength: 5 }),
      signals: arbRawSignals(),
    }),
    vfork_child: nullable(arbRawSharer(), 2),
    sibling: nullable(arbRawSharer(), 3),
    killer: arbRawKiller(),
    call: arbCall(),
    readers: arbRawReaders(),
    look: opts.looks === false ? fc.constant(undefined) : arbLook(),
  }).map((r): WorldPlan => {
    const clock = new Clock(r.horizon_us, Math.floor(r.horizon_us * r.intent_pm / 1000));
    return {
      name: "props-case",
      cpus: r.cpus,
      horizon_us: r.horizon_us,
      intent_us: clock.intentUs,
      target: r.target,
      kthreadd: r.kthreadd,
      victim: {
        status: r.victim.status,
        uid: r.victim.uid,
        core_dump: r.victim.core_dump,
        parent_waits: r.victim.parent_waits,
        threads: r.victim.threads.map((t) => clock.thread(t)),
        vmas: r.victim.vmas,
        signals: r.victim.signals.map((s) => ({ at_us: clock.at(s.at), sig: s.sig })),
      },
      vfork_child: r.vfork_child && clock.sharer(r.vfork_child),
      sibling: r.sibling && clock.sharer(r.sibling),
      killer: {
        uid: r.killer.uid,
        caps: r.killer.caps,
        pin_cpu: r.killer.pin_cpu,
        nice: r.killer.nice,
        second_caller_after_us: r.killer.second_caller_after &&
          clock.delay(r.killer.second_caller_after),
        killed_after_us: r.killer.killed_after && clock.delay(r.killer.killed_after),
      },
      call: r.call,
      readers: r.readers.map((x) => ({
        at_us: clock.frac(x.at_pm),
        duration_us: clock.frac(x.duration_pm),
        reader: x.reader,
      })),
      look: r.look,
    };
  });
}

/**
 * A whole case: a generated world, a kernel version and a choice list.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { designs } from "../designs/mod.ts";
 * import { runScenario } from "../../engine/run/mod.ts";
 * import { arbCase } from "./gen.ts";
 * fc.assert(fc.property(arbCase(), (c) => {
 *   const { outcome } = runScenario(c.scenario, {
 *     design: designs()[0], kernel: c.kernel, choices: c.choices,
 *   });
 *   return outcome.warnings.length === 0;
 * }), { numRuns: 10 });
 * ```
 */
export function arbCase(opts: CaseOptions & WorldPlanOptions = {}): Arbitrary<Case> {
  return fc.record({
    plan: arbWorldPlan(opts),
    kernel: arbKernel(opts.kernels),
    choices: arbChoices(opts.maxChoices),
  }).map(({ plan, kernel, choices }) =>
    toCase(buildWorld(plan, worldKernel(kernel)), { kernel, choices })
  );
}

/** What `kernel` lets a generated world state (thread pidfds from v6.9). */
export function worldKernel(kernel: KernelVersion): WorldKernel {
  return { threadPidfds: kernelFeatures(kernel).pidfd_thread };
}
