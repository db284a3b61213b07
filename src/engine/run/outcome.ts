/**
 * The outcome of one run, in the documented, versioned JSON schema `mrelease-lab/outcome@2`
 * (docs/outcome-schema.md): return codes, when the victim's memory came back, who paid the
 * CPU time, and the WARNs the simulated kernel printed.
 *
 * @module
 */

import {
  CORE_LAYOUTS,
  type Errno,
  errnoOf,
  type KernelVariant,
  NR,
  retName,
  SIGKILL,
} from "../../core/mod.ts";
import type { Kernel } from "../../core/wasm.ts";
import { EVENT_FIELD, EVENT_KINDS, EVENT_WORDS, eventWord, WARN_NAMES } from "../trace/mod.ts";
import { type FreedBy, freedBy, freedRuns, type FreeRun, type RunLog } from "./freed.ts";
import type { ThenRecord } from "./then.ts";

/** The outcome schema's identifier; bumped on any incompatible change. */
export const OUTCOME_SCHEMA = "mrelease-lab/outcome@2";

/**
 * What the design's main call answered: 0 or -errno; `"killed"` when the caller died before
 * it returned; null when it had not returned by the end of the run (blocked or still
 * reaping at the horizon).
 */
export type MainRet = number | "killed" | null;

/** The main call's errno: {@linkcode Errno}, or what became of a call that set none. */
export type MainErrno = Errno | "killed" | "unfinished";

/** Where the records this module reads hold their fields (the core names them). */
const { ts_ns: TS, pid: PID, kind: KIND } = EVENT_FIELD;
const WARN = {
  warn: eventWord("warn", "warn"),
  b: eventWord("warn", "b"),
  c: eventWord("warn", "c"),
};
const SIGNAL = {
  sig: eventWord("signal_generate", "sig"),
  pid: eventWord("signal_generate", "pid"),
  result: eventWord("signal_generate", "result"),
};
const SYS = { nr: eventWord("sys_exit", "nr"), ret: eventWord("sys_exit", "ret") };
/** signal_generate's result for a signal that was queued (include/trace/events/signal.h). */
const TRACE_SIGNAL_DELIVERED = CORE_LAYOUTS.event.signal_results.TRACE_SIGNAL_DELIVERED;

/** One syscall the caller made. */
export interface CallRecord {
  /** The syscall's name (`kill`, `process_mrelease`). */
  name: string;
  /** Its x86_64 number. */
  nr: number;
  /** What it returned: >= 0, or -errno. */
  ret: number;
  /** The errno it set: a name ("ESRCH"), or 0 when it succeeded. */
  errno: Errno;
  /** When it entered the kernel (simulated ns). */
  at_ns: number;
  /** How long until it returned (simulated ns). */
  duration_ns: number;
  /**
   * Private anon pages of the victim's mm that a reap would still free (this kernel's skip
   * rules) when the call returned: 0 after a reap that did its work.
   */
  reapable_after_pages: number;
}

/** When a share of the victim's reclaimable memory had come back, counted from the intent. */
export interface ReclaimTimes {
  /** Half of it (ns), or null if never. */
  t50_ns: number | null;
  /** 90% of it (ns), or null if never. */
  t90_ns: number | null;
  /** All of it (ns), or null if never. */
  t100_ns: number | null;
}

/** The victim's memory: how much could come back, how much did, who freed it, and when. */
export interface MemoryOutcome extends ReclaimTimes {
  /** Private anon pages of the victim's mm when the run started. */
  reclaimable_pages: number;
  /** How many of them were freed by the end of the run. */
  freed_pages: number;
  /** Pages freed in each context: the caller's, the victim's threads', kthreads', others'. */
  freed_by: FreedBy;
}

/** A WARN the simulated kernel printed (wasm/src/events.rs `Warn`). */
export interface WarningRecord {
  /** When (simulated ns). */
  at_ns: number;
  /** The WARN's name (`zap_live_sharer`, ...). */
  name: string;
  /** Its two arguments, as events.rs documents them. */
  args: number[];
}

/** The outcome of one (scenario, design, kernel, seed) run. */
export interface Outcome {
  /** Always {@linkcode OUTCOME_SCHEMA}. */
  schema: typeof OUTCOME_SCHEMA;
  /** The scenario's name. */
  scenario: string;
  /** The design's name. */
  design: string;
  /** The design's variant that ran, or null for a design with one version. */
  variant: string | null;
  /** The kernel version the world ran. */
  kernel: string;
  /** The seed of the choice source. */
  seed: number;
  /** The core's ABI version. */
  abi: number;
  /**
   * The kernel variants that were on (the run's and the design's own), in the core's bit
   * order; only when some were: a run on a released kernel has none.
   */
  kernel_variants?: KernelVariant[];
  /** The design's main call: 0, -errno, `"killed"`, or null when it never returned. */
  ret: MainRet;
  /**
   * The errno of `ret`: a name (`"ESRCH"`), 0 when it succeeded, `"killed"`, or `"unfinished"`
   * when `ret` is null.
   */
  errno: MainErrno;
  /**
   * Every syscall the caller's recipe made that returned, in order (the design's; not the
   * follow-up calls of `intent.then`).
   */
  calls: CallRecord[];
  /**
   * What each of the scenario's follow-up calls (`intent.then`) answered, in order; only
   * when the scenario has some.
   */
  then?: ThenRecord[];
  /** Whether the victim got a SIGKILL (signal_generate delivered) after the intent. */
  signal_delivered: boolean;
  /** The victim's memory. */
  memory: MemoryOutcome;
  /** CPU time (simulated ns) charged to the caller, the victim's threads and kthreads. */
  cpu_ns: { caller: number; victim: number; kthreads: number };
  /** The WARNs, in order. */
  warnings: WarningRecord[];
  /**
   * References the design took through the primitives (get_pid_task; mmgrab/mmget) and
   * never put back by the end of the run: a leak is a design bug.
   */
  leaked_refs: { tasks: number; mms: number };
  /** Callers whose recipe was still running at the end (a call blocked past the horizon). */
  callers_unfinished: number;
  /** The simulated time the run ended at. */
  end_ns: number;
  /** How many events the core logged. */
  event_count: number;
  /** FNV-1a 64 of the event log: equal hashes, equal runs. */
  events_hash: string;
}

/** Who is who in the run (see the fields of {@linkcode Outcome}). */
export interface OutcomeContext {
  scenario: string;
  design: string;
  variant: string | null;
  kernel: string;
  seed: number;
  abi: number;
  /** The kernel variants that were on, in the core's bit order. */
  kernelVariants: readonly KernelVariant[];
  caller: number;
  victimTgid: number;
  victimThreads: readonly number[];
  /** The victim's mm handle and its reclaimable pages, read when the world was loaded. */
  victimMm: number;
  reclaimablePages: number;
  /** `Kernel.reapable_pages` of the victim's mm as each of the caller's syscalls returned. */
  reapableAfter: readonly number[];
  intentNs: number;
  ret: MainRet;
  /** Callers whose recipe had not finished by the end of the run. */
  callersUnfinished: number;
  /** How many of the caller's syscalls were the design's (the rest are follow-ups). */
  mainCalls?: number;
  /** The follow-up calls' answers, when the scenario has some. */
  then?: ThenRecord[];
}

/**
 * The main call's answer as text, the way tables and outcome keys compare it: "0", an errno
 * name ("EINVAL"), `"killed"` (the caller died first) or `"unfinished"` (no answer by the
 * horizon). Unlike `errno`, a success keeps its value: two fds are two answers.
 *
 * @example
 * ```ts
 * import { retOf } from "./outcome.ts";
 * // retOf(outcome); // "EINVAL"
 * ```
 */
export function retOf(o: Pick<Outcome, "ret">): string {
  if (o.ret === "killed") return "killed";
  if (o.ret === null) return "unfinished";
  return retName(o.ret);
}

/** `ret` as the outcome's `errno` field states it. */
function mainErrno(ret: MainRet): MainErrno {
  if (ret === null) return "unfinished";
  return ret === "killed" ? ret : errnoOf(ret);
}

/**
 * Computes the outcome from the kernel's state and the run's raw event log (8 numbers an
 * event) after a run. It reads the log in place: no event objects are built.
 *
 * @example
 * ```ts
 * import { computeOutcome } from "./outcome.ts";
 * // const o = computeOutcome(kernel, { run: readRunLog(kernel, kernel.take_events()), ctx });
 * ```
 */
export function computeOutcome(
  kernel: Kernel,
  { run, ctx }: { run: RunLog; ctx: OutcomeContext },
): Outcome {
  const { log } = run;
  const cpu = (pids: readonly number[]) => pids.reduce((sum, p) => sum + kernel.cpu_time_ns(p), 0);
  const warnings: WarningRecord[] = [];
  const leaked = kernel.leaked_refs();
  let signalDelivered = false;
  for (let i = 0; i < log.length; i += EVENT_WORDS) {
    const kind = log[i + KIND];
    if (kind === EVENT_KINDS.warn) {
      const warn = log[i + WARN.warn];
      warnings.push({
        at_ns: log[i + TS],
        name: WARN_NAMES[warn] ?? `warn ${warn}`,
        args: [log[i + WARN.b], log[i + WARN.c]],
      });
    } else if (
      kind === EVENT_KINDS.signal_generate && log[i + SIGNAL.sig] === SIGKILL &&
      log[i + SIGNAL.pid] === ctx.victimTgid && log[i + SIGNAL.result] === TRACE_SIGNAL_DELIVERED &&
      log[i + TS] >= ctx.intentNs
    ) {
      signalDelivered = true;
    }
  }
  return {
    schema: OUTCOME_SCHEMA,
    scenario: ctx.scenario,
    design: ctx.design,
    variant: ctx.variant,
    kernel: ctx.kernel,
    seed: ctx.seed,
    abi: ctx.abi,
    ...(ctx.kernelVariants.length ? { kernel_variants: [...ctx.kernelVariants] } : {}),
    ret: ctx.ret,
    errno: mainErrno(ctx.ret),
    calls: calls(log, ctx.caller).slice(0, ctx.mainCalls).map((c, i) => ({
      ...c,
      reapable_after_pages: ctx.reapableAfter[i] ?? 0,
    })),
    ...(ctx.then ? { then: ctx.then } : {}),
    signal_delivered: signalDelivered,
    memory: reclaim(run, ctx),
    cpu_ns: {
      caller: cpu([ctx.caller]),
      victim: cpu(ctx.victimThreads),
      kthreads: cpu([...run.kthreads]),
    },
    warnings,
    leaked_refs: { tasks: leaked[0] ?? 0, mms: leaked[1] ?? 0 },
    callers_unfinished: ctx.callersUnfinished,
    end_ns: kernel.now_ns(),
    event_count: kernel.event_count(),
    events_hash: kernel.events_hash(),
  };
}

const SYSCALL_NAMES = new Map<number, string>(Object.entries(NR).map(([k, v]) => [v, k]));

function calls(log: Float64Array, caller: number): Omit<CallRecord, "reapable_after_pages">[] {
  const out: Omit<CallRecord, "reapable_after_pages">[] = [];
  let enteredAt = -1;
  for (let i = 0; i < log.length; i += EVENT_WORDS) {
    if (log[i + PID] !== caller) continue;
    const kind = log[i + KIND];
    if (kind === EVENT_KINDS.sys_enter) enteredAt = log[i + TS];
    if (kind === EVENT_KINDS.sys_exit && enteredAt >= 0) {
      const nr = log[i + SYS.nr], ret = log[i + SYS.ret];
      out.push({
        name: SYSCALL_NAMES.get(nr) ?? `syscall_${nr}`,
        nr,
        ret,
        errno: errnoOf(ret),
        at_ns: enteredAt,
        duration_ns: log[i + TS] - enteredAt,
      });
      enteredAt = -1;
    }
  }
  return out;
}

function reclaim(run: RunLog, ctx: OutcomeContext): MemoryOutcome {
  const total = ctx.reclaimablePages;
  const frees = freedRuns(run, {
    mms: ctx.victimMm > 0 ? [ctx.victimMm - 1] : [],
    caller: ctx.caller,
    victims: new Set(ctx.victimThreads),
  });
  const times: ReclaimTimes = { t50_ns: null, t90_ns: null, t100_ns: null };
  // When `freed` reached `part / whole` of `total`: the first batch of a folded run (equal
  // batches, one every period_ns, the last at at_ns) that gets there.
  const reached = (f: FreeRun, before: number, part: number, whole: number): number | null => {
    const each = f.pages / f.batches;
    // The least batch count n ≥ 1 with (before + n * each) * whole >= total * part, in integers.
    const need = Math.max(1, Math.ceil((total * part - before * whole) / (each * whole)));
    if (need > f.batches) return null;
    return Math.max(0, f.at_ns - (f.batches - need) * f.period_ns - ctx.intentNs);
  };
  let freed = 0;
  for (const f of frees) {
    const before = freed;
    freed += f.pages;
    times.t50_ns ??= reached(f, before, 1, 2);
    times.t90_ns ??= reached(f, before, 9, 10);
    times.t100_ns ??= reached(f, before, 1, 1);
  }
  return {
    reclaimable_pages: total,
    freed_pages: Math.min(freed, total),
    freed_by: freedBy(frees),
    ...times,
  };
}
