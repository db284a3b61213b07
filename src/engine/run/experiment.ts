/**
 * One run: a scenario's world built in a fresh core, a design's recipe run by the
 * scenario's caller at the intent's time, and the outcome.
 *
 * @module
 */

import {
  type Design,
  KERNEL_VARIANT_KERNELS,
  KERNEL_VARIANTS,
  type KernelVariant,
  kernelVariantMask,
  type KGen,
  mmInfo,
  type SimUserspace,
  type SyscallObserver,
  variantFor,
} from "../../core/mod.ts";
import { ABI_VERSION, Kernel } from "../../core/wasm.ts";
import {
  cgroupHandleOf,
  encodeWorld,
  type KernelVersion,
  type Scenario,
  ScenarioError,
} from "../scenario/mod.ts";
import { decodeEvents, type TraceContext, type TraceEvent } from "../trace/mod.ts";
import { type LoadedWorld, readLoadedWorld, readRunLog, type RunLog } from "./freed.ts";
import { traceContext } from "./trace_context.ts";
import { type Actor, type ActorResults, runActors } from "./runner.ts";
import { computeOutcome, type Outcome } from "./outcome.ts";
import { RunLimitReached, type RunLimits, runLimits } from "./limits.ts";
import { runThen, type ThenRecord } from "./then.ts";

/** How to run. */
export interface RunOptions {
  /** The design whose recipe the caller runs. */
  design: Design;
  /** Its variant; by default the one that matches the kernel version. */
  variant?: string;
  /** The kernel version; the scenario's own by default. */
  kernel?: KernelVersion;
  /** The seed of the choice source; the scenario's own by default. */
  seed?: number;
  /** An explicit choice list (replaces the seeded PRNG), as fast-check generates. */
  choices?: readonly number[];
  /** Historical kernel bugs to switch back on (`Kernel.set_kernel_bugs` bits). */
  kernelBugs?: number;
  /**
   * Proposed kernel changes to switch on (wasm/src/variant.rs), instead of the scenario's
   * `kernel_variants`; the design's own `kernelVariants` are switched on either way.
   */
  kernelVariants?: readonly KernelVariant[];
  /**
   * Limits other than the defaults (`DEFAULT_RUN_LIMITS`): the most events, steps and
   * wall-clock milliseconds; reaching one throws `RunLimitReached`.
   */
  limits?: { maxEvents?: number; maxSteps?: number; maxWallMs?: number };
  /** Steps between two looks at the wall clock (the runner's `SLICE_STEPS` by default). */
  sliceSteps?: number;
  /**
   * Fold a zap's equal batches that nothing can interleave with into one step (true, the
   * default: wasm/src/fold.rs); false runs each batch as its own step. Both give the same
   * run (the same decoded events and outcome; only the raw log's shorthand and its hash
   * differ), the second in time that grows with the mm's size.
   */
  folding?: boolean;
}

/**
 * A finished run: the outcome, the raw log with the core's word on its tasks and mms (what
 * `freedPages` reads), the decoded events and who is who (for traces).
 */
export interface RunResult extends RunLog {
  /** The outcome, schema `mrelease-lab/outcome@2`. */
  outcome: Outcome;
  /** The core's event log, decoded. */
  events: TraceEvent[];
  /** Names, thread groups and mm owners for the trace exporters. */
  trace: TraceContext;
  /**
   * What the run cost the core, the same for the same scenario, seed and choices: the
   * steps it simulated (one CPU acting once) and the run-queue slots and tree nodes its
   * scheduler examined (`Kernel.sched_work`).
   */
  stats: { steps: number; schedWork: number };
}

/**
 * Runs `scenario` once under `opts.design`. Throws {@linkcode RunLimitReached} when the
 * run reaches one of its limits (`opts.limits`, or the defaults), naming the run.
 *
 * @example
 * ```ts
 * import { findDesign, loadScenarioFile, runScenario } from "../../../mod.ts";
 * const s = await loadScenarioFile("scenarios/dstate-little-core.json");
 * const { outcome } = runScenario(s, { design: findDesign("sigkill") });
 * console.log(outcome.memory.t100_ns);
 * ```
 */
export function runScenario(scenario: Scenario, opts: RunOptions): RunResult {
  const kernelVersion = opts.kernel ?? scenario.kernel;
  const seed = opts.seed ?? scenario.seed;
  const limits = runLimits(opts.limits);
  const kernel = new Kernel(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0);
  try {
    return runLoaded(kernel, scenario, { ...opts, kernel: kernelVersion, seed, limits });
  } catch (e) {
    if (!(e instanceof RunLimitReached)) throw e;
    const variant = opts.variant ?? variantFor(opts.design, kernelVersion);
    const design = variant ? `${opts.design.name}@${variant}` : opts.design.name;
    throw new RunLimitReached(
      e.limit,
      e.value,
      `scenario ${scenario.name} (design ${design}, kernel ${kernelVersion}, seed ${seed})`,
    );
  } finally {
    kernel.free();
  }
}

function runLoaded(
  kernel: Kernel,
  scenario: Scenario,
  opts: RunOptions & { kernel: KernelVersion; seed: number; limits: RunLimits },
): RunResult {
  const run = prepareRun(kernel, scenario, opts);
  const results = runActors(kernel, run.actors, {
    onSyscallExit: run.onSyscallExit,
    maxWallMs: opts.limits.maxWallMs,
    sliceSteps: opts.sliceSteps,
  });
  return run.finish(results);
}

/**
 * A world loaded into a core with everything its run needs: the callers as actors, the
 * observer that records what each of the caller's syscalls left of the victim's memory,
 * and `finish`, which turns the actors' results into the run's result once the core has
 * reached the horizon. `runScenario` drives the actors once (`runActors`); an explorer
 * drives them through every schedule (src/engine/explore/).
 */
export interface PreparedRun {
  /** The scenario's callers, each running the design's recipe. */
  readonly actors: readonly Actor[];
  /** Called as each actor's syscall returns. */
  readonly onSyscallExit: SyscallObserver;
  /** What `onSyscallExit` has recorded so far (an explorer truncates it on restore). */
  readonly reapableAfter: number[];
  /** The run's result, from the actors' results, once the core reached the horizon. */
  finish(results: ActorResults): RunResult;
}

/**
 * Loads `scenario` into `kernel` for one run under `opts` (choices, kernel bugs, limits
 * applied) and returns what driving it needs. Throws when the core refuses the world.
 *
 * @example
 * ```ts
 * import { prepareRun } from "./experiment.ts";
 * // const run = prepareRun(kernel, scenario, { design, kernel: "6.18", seed: 1, limits });
 * // const result = run.finish(runActors(kernel, run.actors, { onSyscallExit: run.onSyscallExit }));
 * ```
 */
export function prepareRun(
  kernel: Kernel,
  scenario: Scenario,
  opts: RunOptions & { kernel: KernelVersion; seed: number; limits: RunLimits },
): PreparedRun {
  const { kernel: kernelVersion, seed, limits } = opts;
  if (opts.choices) kernel.set_choices(Uint32Array.from(opts.choices));
  if (opts.folding === false) kernel.set_folding(false);
  if (opts.kernelBugs && kernel.set_kernel_bugs(opts.kernelBugs) !== 0) {
    throw new Error(`unknown kernel bug bits ${opts.kernelBugs}`);
  }
  const names = [
    ...(opts.kernelVariants ?? scenario.kernel_variants ?? []),
    ...(opts.design.kernelVariants ?? []),
  ];
  // As a thread pidfd on a kernel before v6.9: the world cannot be, a scenario problem.
  const misfit = names.find((n) => !KERNEL_VARIANT_KERNELS[n].includes(kernelVersion));
  if (misfit !== undefined) {
    throw new ScenarioError([{
      path: "$.kernel_variants",
      message: `expected variants that apply to kernel ${kernelVersion}, got ${misfit} ` +
        `(it applies to ${KERNEL_VARIANT_KERNELS[misfit].join(", ")})`,
    }]);
  }
  const variants = kernelVariantMask(names);
  if (variants && kernel.set_kernel_variants(variants) !== 0) {
    throw new Error(`unknown kernel variant bits ${variants}`);
  }
  // What the outcome records: each variant once, in the core's bit order.
  const on = (Object.keys(KERNEL_VARIANTS) as KernelVariant[]).filter((n) =>
    (variants & KERNEL_VARIANTS[n]) !== 0
  );
  const words = program(scenario, kernelVersion);
  if (kernel.load_world(words) !== 0) {
    throw new Error(`${scenario.name}: the core refused the world: ${kernel.last_error()}`);
  }
  if (kernel.set_run_limits(limits.maxEvents, limits.maxSteps) !== 0) {
    throw new RangeError(`the core refused the limits ${JSON.stringify(limits)}`);
  }
  const victim = scenario.intent.victim;
  let facts = loadFacts.get(words);
  if (!facts) loadFacts.set(words, facts = readLoadFacts(kernel, scenario));
  const { victimThreads, victimMm, reclaimablePages, world } = facts;
  const variant = opts.variant ?? variantFor(opts.design, kernelVersion);
  const callers = [
    { pid: scenario.caller.pid, at_ns: scenario.intent.at_ns },
    ...scenario.intent.also,
  ];
  const ctx = {
    victim,
    kernel: kernelVersion,
    variant,
    call: scenario.intent.call,
    callers: callers.map((c) => c.pid),
    victimCgroup: cgroupHandleOf(scenario.cgroups, victim),
  };
  // What each of the caller's syscalls left of the victim's reapable memory.
  const reapableAfter: number[] = [];
  const onSyscallExit = (pid: number) => {
    if (pid === scenario.caller.pid) reapableAfter.push(kernel.reapable_pages(victimMm));
  };
  // The caller's follow-up calls (`intent.then`), recorded by the latest generator of its
  // recipe: an explorer replays a recipe with a fresh one, which records afresh.
  const followUp: { current?: FollowUps } = {};
  const finish = (results: ActorResults): RunResult => {
    // The run is over: take the log instead of copying it (the count and hash stay).
    const run = readRunLog(kernel, kernel.take_events(), world);
    const outcome = computeOutcome(kernel, {
      run,
      ctx: {
        scenario: scenario.name,
        design: opts.design.name,
        variant: variant ?? null,
        kernel: kernelVersion,
        seed,
        abi: ABI_VERSION,
        kernelVariants: on,
        caller: scenario.caller.pid,
        victimTgid: victim,
        victimThreads,
        victimMm,
        reclaimablePages,
        reapableAfter,
        intentNs: scenario.intent.at_ns,
        // A follow-up call still blocked at the horizon (a waitid of a victim that never
        // exits) leaves the design's own answer standing; the caller's recipe is unfinished.
        ret: results.get(scenario.caller.pid) ?? followUp.current?.ret ?? null,
        callersUnfinished: callers.length - results.size,
        mainCalls: followUp.current?.mainCalls,
        then: scenario.intent.then.length > 0
          ? scenario.intent.then.map((c, i) =>
            followUp.current?.records[i] ?? { call: c.call, ret: null, errno: "unfinished" }
          )
          : undefined,
      },
    });
    const identity = { kernel: kernelVersion, oomReaper: kernel.oom_reaper_pid() };
    const stats = { steps: kernel.steps_taken(), schedWork: kernel.sched_work() };
    // Events and names are built only for a caller that asks (traces, reports).
    let events: TraceEvent[] | undefined;
    let trace: TraceContext | undefined;
    return {
      outcome,
      stats,
      ...run,
      get events() {
        return events ??= decodeEvents(run.log);
      },
      get trace() {
        return trace ??= traceContext(scenario, identity);
      },
    };
  };
  return {
    actors: callers.map((c) => ({
      pid: c.pid,
      atNs: c.at_ns,
      recipe: c.pid === scenario.caller.pid && scenario.intent.then.length > 0
        ? (u) => withFollowUps(u, opts.design.recipe(u, ctx), scenario, followUp)
        : (u) => opts.design.recipe(u, ctx),
    })),
    onSyscallExit,
    reapableAfter,
    finish,
  };
}

/** What a world program fixes at load for every run of it (see {@linkcode LoadedWorld}). */
interface LoadFacts {
  /** The victim's threads, from the scenario. */
  readonly victimThreads: readonly number[];
  /** The victim's mm handle (0: none) and its reclaimable pages, at load. */
  readonly victimMm: number;
  readonly reclaimablePages: number;
  /** The kthreads and each mm's anonymous pages at load. */
  readonly world: LoadedWorld;
}

/**
 * Per world program, read once from the first core that loaded it: these reads were a
 * tenth of a short run's time (docs/performance.md), and every run of one program loads
 * the same tasks and mms (`load_world` alone creates them; choices and kernel bugs act
 * only once the run starts).
 */
const loadFacts = new WeakMap<Int32Array, LoadFacts>();

function readLoadFacts(kernel: Kernel, scenario: Scenario): LoadFacts {
  const victim = scenario.intent.victim;
  const victimThreads = scenario.processes.find((p) => p.tgid === victim)?.threads
    .map((t) => t.pid) ?? [];
  // The victim's mm is that of its first thread that still has one (a zombie leader has
  // none), as find_lock_task_mm() picks it.
  let victimMm = 0;
  for (const t of victimThreads) {
    const mm = kernel.task_mm(t);
    if (mm > 0) {
      victimMm = mm;
      break;
    }
  }
  const reclaimablePages = mmInfo(kernel, victimMm)?.reclaimable_pages ?? 0;
  return { victimThreads, victimMm, reclaimablePages, world: readLoadedWorld(kernel) };
}

/** The world program of a scenario for a kernel, encoded once (scenarios are immutable). */
const programs = new WeakMap<Scenario, Map<KernelVersion, Int32Array>>();

function program(scenario: Scenario, kernel: KernelVersion): Int32Array {
  let byKernel = programs.get(scenario);
  if (!byKernel) programs.set(scenario, byKernel = new Map());
  let p = byKernel.get(kernel);
  if (!p) byKernel.set(kernel, p = encodeWorld(scenario, { kernel }));
  return p;
}

/**
 * Loads `scenario`'s world at time 0 into a fresh core and hands the core to `ask`, for an
 * analysis that must ask the kernel a rule (a permission, what a zap covers) rather than
 * re-derive it; the core is freed when `ask` returns.
 *
 * @example
 * ```ts
 * import { askWorld } from "./experiment.ts";
 * // const may = askWorld(s, "6.18", (k) => k.check_kill_permission(s.caller.pid, s.intent.victim));
 * ```
 */
export function askWorld<T>(scenario: Scenario, kernel: KernelVersion, ask: (k: Kernel) => T): T {
  const k = new Kernel(0, 0);
  try {
    if (k.load_world(program(scenario, kernel)) !== 0) {
      throw new Error(`${scenario.name}: the core refused the world: ${k.last_error()}`);
    }
    return ask(k);
  } finally {
    k.free();
  }
}

/** The follow-up calls of one run of the caller's recipe. */
interface FollowUps {
  /** The design's answer, once its recipe returned. */
  ret?: number;
  /** The syscalls of the design's recipe: the caller's calls before the follow-ups. */
  mainCalls?: number;
  /** What each follow-up answered so far. */
  records: ThenRecord[];
}

/** The design's recipe, then `intent.then` from the same thread; the recipe's answer. */
function* withFollowUps(
  u: SimUserspace,
  recipe: KGen<number>,
  scenario: Scenario,
  holder: { current?: FollowUps },
): KGen<number> {
  const mine: FollowUps = { records: [] };
  holder.current = mine;
  const ret = yield* recipe;
  mine.ret = ret;
  mine.mainCalls = u.syscalls;
  yield* runThen(u, scenario.intent.victim, scenario.intent.then, mine.records);
  return ret;
}
