/**
 * Who freed which pages: the one reading of a run's `kmem:rss_stat` records that says how many
 * anonymous pages left an mm, when, and in whose context. The outcome's `memory.freed_by`,
 * the properties and the review all read it from here, so "a kernel thread" means one thing
 * everywhere: a task the core flags PF_KTHREAD.
 *
 * @module
 */

import { CORE_LAYOUTS, mmInfo, PAGE_SIZE, PF_KTHREAD } from "../../core/mod.ts";
import type { Kernel } from "../../core/wasm.ts";
import { EVENT_FIELD, EVENT_KINDS, EVENT_WORDS, eventWord } from "../trace/mod.ts";

/** rss_stat's MM_ANONPAGES member, as the core numbers the members. */
const MM_ANONPAGES = CORE_LAYOUTS.event.rss_members.indexOf("MM_ANONPAGES");
/** Where an rss_stat record holds its mm, member and new size. */
const RSS = {
  mm: eventWord("rss_stat", "mm"),
  member: eventWord("rss_stat", "member"),
  sizeBytes: eventWord("rss_stat", "size_bytes"),
};
/** Where the shorthand for a folded run of rss_stat records holds its shape (fold.rs). */
const RSS_RUN = {
  earlier: eventWord("rss_stat_run", "earlier"),
  periodNs: eventWord("rss_stat_run", "period_ns"),
};

/**
 * Whose context freed pages: the caller thread, one of the victims' threads, a kernel
 * thread (the oom_reaper, a scenario's kthread), or anyone else (a /proc reader's last
 * mmput, a second caller).
 */
export type FreeContext = "caller" | "victim" | "kthreads" | "other";

/** Pages freed in each context. */
export type FreedBy = Record<FreeContext, number>;

/** One rss_stat record that shows a watched mm's anonymous pages going down. */
export interface PageFree {
  /** When (simulated ns). */
  readonly at_ns: number;
  /** The task whose context freed them (the kernel charges a zap to the task running it). */
  readonly pid: number;
  /** Which context that task is. */
  readonly by: FreeContext;
  /** The mm, as its index in the world program (the event's mm id). */
  readonly mm: number;
  /** How many pages left the mm. */
  readonly pages: number;
}

/**
 * Frees as the log holds them: a folded run of equal batches (the core's `rss_stat_run`
 * shorthand before its last rss_stat record) is one entry for its `batches` records, one
 * every `period_ns`, ending at `at_ns`, with `pages` the run's total.
 */
export interface FreeRun extends PageFree {
  /** The rss_stat records it stands for (1: an ordinary record). */
  readonly batches: number;
  /** Their spacing (0 for one record). */
  readonly period_ns: number;
}

/** A finished run's raw event log, with what the core said about its tasks and mms. */
export interface RunLog {
  /** The core's event log, `EVENT_WORDS` numbers an event (wasm/src/events.rs). */
  readonly log: Float64Array;
  /** The pids of the tasks the core flags PF_KTHREAD. */
  readonly kthreads: ReadonlySet<number>;
  /** Each mm's MM_ANONPAGES when the world was loaded, in pages, by mm index. */
  readonly anonAtStart: readonly number[];
}

/** Whose memory to follow and whose context is whose. */
export interface FreeWatch {
  /** The mms (world program indexes) whose anonymous pages count. */
  readonly mms: Iterable<number>;
  /** The caller thread. */
  readonly caller: number;
  /** The victims' threads. */
  readonly victims: ReadonlySet<number>;
}

/**
 * What a loaded world fixes for its whole run: the pids the core flags PF_KTHREAD and each
 * mm's anonymous pages at load. Both are functions of the world program alone: tasks and
 * mms are created only by `load_world` (wasm/src/load.rs, and the oom_reaper kthread its
 * `spawn_oom_reaper` adds), PF_KTHREAD is set only there, and an mm's `initial` pages are
 * counted only there; a dead task keeps its slot and its flags. So a runner may read them
 * once per program and reuse them for every run of it (src/engine/run/experiment.ts).
 */
export interface LoadedWorld {
  /** The pids of the tasks the core flags PF_KTHREAD. */
  readonly kthreads: ReadonlySet<number>;
  /** Each mm's MM_ANONPAGES when the world was loaded, in pages, by mm index. */
  readonly anonAtStart: readonly number[];
}

/**
 * Reads {@linkcode LoadedWorld} from a core that has loaded a world (at any time of its
 * run, before it is freed).
 *
 * @example
 * ```ts
 * import { readLoadedWorld } from "./freed.ts";
 * // const world = readLoadedWorld(kernel);
 * ```
 */
export function readLoadedWorld(kernel: Kernel): LoadedWorld {
  const kthreads = new Set<number>();
  for (const pid of kernel.pids()) {
    const flags = kernel.task_flags(pid);
    if (flags >= 0 && (flags & PF_KTHREAD) !== 0) kthreads.add(pid);
  }
  const anonAtStart = Array.from(
    { length: kernel.mm_count_total() },
    (_, i) => mmInfo(kernel, i + 1)?.anon_initial_pages ?? 0,
  );
  return { kthreads, anonAtStart };
}

/**
 * Reads what {@linkcode RunLog} needs from the core at the end of a run, before the kernel
 * is freed: which tasks are kernel threads and each mm's anonymous pages at the start
 * (`loaded`, when the caller already read them for this world program).
 *
 * @example
 * ```ts
 * import { readRunLog } from "./freed.ts";
 * // const run = readRunLog(kernel, kernel.take_events());
 * ```
 */
export function readRunLog(
  kernel: Kernel,
  log: Float64Array,
  loaded: LoadedWorld = readLoadedWorld(kernel),
): RunLog {
  return { log, kthreads: loaded.kthreads, anonAtStart: loaded.anonAtStart };
}

/**
 * Every batch of anonymous pages that left one of `watch.mms`, in log order, with the
 * context that freed it: one entry per rss_stat record, a folded run's written out.
 *
 * @example
 * ```ts
 * import { freedBy, freedPages } from "./freed.ts";
 * // const frees = freedPages(result, { mms: [0], caller: 501, victims: new Set([1000]) });
 * // console.log(freedBy(frees).caller);
 * ```
 */
export function freedPages(run: RunLog, watch: FreeWatch): PageFree[] {
  const out: PageFree[] = [];
  for (const f of freedRuns(run, watch)) {
    const each = f.pages / f.batches;
    for (let k = f.batches - 1; k >= 0; k--) {
      const { pid, by, mm } = f;
      out.push({ at_ns: f.at_ns - k * f.period_ns, pid, by, mm, pages: each });
    }
  }
  return out;
}

/**
 * {@linkcode freedPages} as the log holds them: a folded run is one entry (what the outcome
 * reads, in time independent of the run's length).
 *
 * @example
 * ```ts
 * import { freedRuns } from "./freed.ts";
 * // const runs = freedRuns(result, { mms: [0], caller: 501, victims: new Set([1000]) });
 * ```
 */
export function freedRuns(run: RunLog, watch: FreeWatch): FreeRun[] {
  const anon = new Map<number, number>();
  for (const mm of watch.mms) anon.set(mm, run.anonAtStart[mm] ?? 0);
  const out: FreeRun[] = [];
  const { log } = run;
  const { ts_ns, pid: PID, kind } = EVENT_FIELD;
  for (let i = 0; i < log.length; i += EVENT_WORDS) {
    if (log[i + kind] !== EVENT_KINDS.rss_stat || log[i + RSS.member] !== MM_ANONPAGES) continue;
    const mm = log[i + RSS.mm];
    const before = anon.get(mm);
    if (before === undefined) continue;
    const now = log[i + RSS.sizeBytes] / PAGE_SIZE;
    anon.set(mm, now);
    if (now >= before) continue;
    const pid = log[i + PID];
    const folded = i > 0 && log[i - EVENT_WORDS + kind] === EVENT_KINDS.rss_stat_run;
    out.push({
      at_ns: log[i + ts_ns],
      pid,
      by: contextOf(pid, run, watch),
      mm,
      pages: before - now,
      batches: folded ? log[i - EVENT_WORDS + RSS_RUN.earlier] + 1 : 1,
      period_ns: folded ? log[i - EVENT_WORDS + RSS_RUN.periodNs] : 0,
    });
  }
  return out;
}

/**
 * The pages of `frees` by context.
 *
 * @example
 * ```ts
 * import { freedBy } from "./freed.ts";
 * freedBy([{ at_ns: 0, pid: 16, by: "kthreads", mm: 0, pages: 8 }]).kthreads; // 8
 * ```
 */
export function freedBy(frees: readonly PageFree[]): FreedBy {
  const by: FreedBy = { caller: 0, victim: 0, kthreads: 0, other: 0 };
  for (const f of frees) by[f.by] += f.pages;
  return by;
}

function contextOf(pid: number, run: RunLog, watch: FreeWatch): FreeContext {
  if (pid === watch.caller) return "caller";
  if (watch.victims.has(pid)) return "victim";
  if (run.kthreads.has(pid)) return "kthreads";
  return "other";
}
