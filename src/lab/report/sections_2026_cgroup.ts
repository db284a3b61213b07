/**
 * The 2026 question, on a whole cgroup (issue 15): a cgroup of 1,000 app processes killed
 * and reaped by the reaping cgroup.kill the review suggested (one write, one kernel
 * context) and by oomd's way from userspace (cgroup.kill, then process_mrelease per member)
 * with 1, 2, 4 and 8 reaper threads. For each: when all the memory is back, whose CPU paid
 * for it, and how many syscalls the memory killer made. The designs are found by their
 * records' `reapsCgroup`, never by name.
 *
 * Self-contained: it builds its worlds from the review's base world, runs them on a core of
 * its own (it reads every reaper thread's CPU time from the core, which a run's record does
 * not keep), and {@linkcode cgroup2026Numbers} exports the numbers the objections table
 * cites. Five runs of a 1,000-process world, about 3 to 5 s of CPU on this machine, once
 * per process.
 *
 * @module
 */

import type { Design } from "../../core/mod.ts";
import { Kernel } from "../../core/wasm.ts";
import { freedPages, prepareRun, runActors, runLimits } from "../../engine/run/mod.ts";
import { validateScenario } from "../../engine/scenario/mod.ts";
import { EVENT_FIELD, EVENT_KINDS, EVENT_WORDS } from "../../engine/trace/mod.ts";
import { designs } from "../designs/mod.ts";
import {
  buildWorld,
  cgroupTgids,
  INTENT_MS,
  REPORT_KERNEL,
  REPORT_SEED,
  VICTIM_TGID,
} from "./world.ts";
import { code, duration, int, mdTable } from "./_format.ts";

/** Processes in the cgroup: the victim and 999 more. */
export const CGROUP_2026_PROCESSES = 1000;
/** Anonymous memory of each (MiB): the review's cgroup family's members. */
const MEMBER_MIB = 16;
/** Reaper threads of the userspace design. */
export const CGROUP_2026_THREADS: readonly number[] = [1, 2, 4, 8];
/** lmkd's reaper threads in the world: lmkd_reaper0 (501) is the caller, then 502... */
const FIRST_REAPER = 501;
/** The run's end (ms): past the slowest member's own exit on a little core (the cgroup family's). */
const HORIZON_MS = 2500 + Math.ceil(CGROUP_2026_PROCESSES * MEMBER_MIB * 1.7 / 4);

/** One configuration, measured. Times from the kill, in simulated ns. */
export interface CgroupRun {
  /** How it is listed: the design and its threads. */
  readonly label: string;
  /** The design's name. */
  readonly design: string;
  /** Where the reaping runs. */
  readonly reaps: "kernel" | "userspace";
  /** Reaper threads. */
  readonly threads: number;
  /** When 90% / all of the cgroup's anonymous memory was back; null if never. */
  readonly t90_ns: number | null;
  readonly t100_ns: number | null;
  /** Pages freed by the memory killer's threads and by the members' own exits. */
  readonly freed_by_killer: number;
  readonly freed_by_exits: number;
  /** The cgroup's anonymous pages at the start. */
  readonly reclaimable_pages: number;
  /** CPU time of the memory killer's threads: all of them, and the busiest one. */
  readonly cpu_killer_ns: number;
  readonly cpu_busiest_thread_ns: number;
  /** CPU time of the members themselves (their exit paths). */
  readonly cpu_members_ns: number;
  /** Syscalls the memory killer's threads entered. */
  readonly syscalls: number;
  /** The caller's answer (0 or an errno), and the event log's hash. */
  readonly ret: number | "killed" | null;
  readonly events_hash: string;
}

/** What the section and the objections table read. */
export interface Cgroup2026Numbers {
  /** The cgroup's size. */
  readonly processes: number;
  /** The in-kernel reap, then the userspace reap with each thread count. */
  readonly runs: readonly CgroupRun[];
}

/** The designs that reap a whole cgroup, in the kernel and from userspace. */
function cgroupDesigns(all: readonly Design[] = designs()): { kernel: Design; userspace: Design } {
  const find = (how: "kernel" | "userspace") => {
    const d = all.find((x) => x.reapsCgroup === how);
    if (!d) throw new Error(`no registered design reaps a cgroup in ${how}`);
    return d;
  };
  return { kernel: find("kernel"), userspace: find("userspace") };
}

/**
 * The world: the review's cgroup family at 1,000 (the victim 1000 and members 2000...,
 * 16 MiB each, sleeping on the little cores at 300 MHz) with all of them in one cgroup in
 * tgid order, and lmkd with `threads` reaper threads at nice -20 on the big cores, the first
 * (501) the caller and the others its `intent.also`, all starting at the decision to kill.
 */
export function cgroup2026World(threads: number): Record<string, unknown> {
  const members = cgroupTgids(CGROUP_2026_PROCESSES - 1);
  const json = buildWorld({
    name: `cgroup-2026-${threads}-threads`,
    description: `The 2026 question on a cgroup: ${CGROUP_2026_PROCESSES} single-threaded apps ` +
      `of ${MEMBER_MIB} MiB (tgid 1000 and 2000...) in one cgroup, sleeping on the little ` +
      `cores at 300 MHz; lmkd kills the cgroup and reaps it with ${threads} reaper thread(s).`,
    horizonMs: HORIZON_MS,
    victim: { anonMiB: MEMBER_MIB, threads: 1, leader: "S", cpus: "little" },
    cgroupMembers: members.length,
    cgroupMemberMiB: MEMBER_MIB,
  });
  const processes = json.processes as Record<string, unknown>[];
  const lmkd = processes.find((p) => p.comm === "lmkd")!;
  const lmkdThreads = lmkd.threads as Record<string, unknown>[];
  const reapers = Array.from({ length: threads }, (_, i) => FIRST_REAPER + i);
  for (const pid of reapers) {
    if (lmkdThreads.some((t) => t.pid === pid)) continue;
    lmkdThreads.push({
      pid,
      comm: `lmkd_reaper${pid - FIRST_REAPER}`,
      cpu: 4 + (pid - FIRST_REAPER) % 4,
      affinity: [4, 5, 6, 7],
      nice: -20,
      state: "S",
    });
  }
  json.cgroups = [{ id: "app", procs: [VICTIM_TGID, ...members] }];
  const intent = json.intent as Record<string, unknown>;
  intent.also = reapers.slice(1).map((pid) => ({ pid, at_ms: INTENT_MS }));
  return json;
}

/** Runs one configuration on a core of its own and reads what the section needs. */
function measure(design: Design, threads: number, label: string): CgroupRun {
  const scenario = validateScenario(cgroup2026World(threads));
  const killer = new Set([scenario.caller.pid, ...scenario.intent.also.map((a) => a.pid)]);
  const members = new Set([VICTIM_TGID, ...cgroupTgids(CGROUP_2026_PROCESSES - 1)]);
  const kernel = new Kernel(REPORT_SEED, 0);
  try {
    const run = prepareRun(kernel, scenario, {
      design,
      kernel: REPORT_KERNEL,
      seed: REPORT_SEED,
      limits: runLimits(),
    });
    const result = run.finish(runActors(kernel, run.actors, { onSyscallExit: run.onSyscallExit }));
    const cpu = [...killer].map((p) => kernel.cpu_time_ns(p));
    const mms = new Map<number, number>();
    for (const p of scenario.processes) {
      if (!members.has(p.tgid)) continue;
      const mm = scenario.mms.find((m) => m.id === p.mm)!;
      mms.set(mm.index, mm.vmas.reduce((s, v) => s + v.anon_pages, 0));
    }
    const total = [...mms.values()].reduce((s, n) => s + n, 0);
    const frees = freedPages(result, {
      mms: mms.keys(),
      caller: scenario.caller.pid,
      victims: members,
    });
    let freed = 0;
    let t90: number | null = null;
    let t100: number | null = null;
    let byKiller = 0;
    for (const f of frees) {
      freed += f.pages;
      if (killer.has(f.pid)) byKiller += f.pages;
      const at = Math.max(0, f.at_ns - INTENT_MS * 1e6);
      if (t90 === null && freed >= total * 0.9) t90 = at;
      if (t100 === null && freed >= total) t100 = at;
    }
    return {
      label,
      design: design.name,
      reaps: design.reapsCgroup!,
      threads,
      t90_ns: t90,
      t100_ns: t100,
      freed_by_killer: byKiller,
      freed_by_exits: freed - byKiller,
      reclaimable_pages: total,
      cpu_killer_ns: cpu.reduce((s, n) => s + n, 0),
      cpu_busiest_thread_ns: Math.max(...cpu),
      cpu_members_ns: [...members].reduce((s, p) => s + kernel.cpu_time_ns(p), 0),
      syscalls: syscallsOf(result.log, killer),
      ret: result.outcome.ret,
      events_hash: result.outcome.events_hash,
    };
  } finally {
    kernel.free();
  }
}

/** sys_enter events of `pids` in the log. */
function syscallsOf(log: Float64Array, pids: ReadonlySet<number>): number {
  let n = 0;
  for (let i = 0; i < log.length; i += EVENT_WORDS) {
    if (log[i + EVENT_FIELD.kind] === EVENT_KINDS.sys_enter && pids.has(log[i + EVENT_FIELD.pid])) {
      n++;
    }
  }
  return n;
}

/**
 * Measures every configuration: the in-kernel reap (one thread: its write does it all), then
 * the userspace reap with each of {@linkcode CGROUP_2026_THREADS}.
 *
 * @example
 * ```ts
 * import { cgroup2026Numbers } from "./sections_2026_cgroup.ts";
 * // const n = cgroup2026Numbers(); n.runs[0].t100_ns
 * ```
 */
export function cgroup2026Numbers(): Cgroup2026Numbers {
  // Deterministic, so measured once per process: every render of the review reads the same.
  return measured ??= measureAll();
}

let measured: Cgroup2026Numbers | undefined;

function measureAll(): Cgroup2026Numbers {
  const { kernel, userspace } = cgroupDesigns();
  return {
    processes: CGROUP_2026_PROCESSES,
    runs: [
      measure(kernel, 1, `${kernel.name} (one write)`),
      ...CGROUP_2026_THREADS.map((n) =>
        measure(userspace, n, `${userspace.name}, ${n} thread${n === 1 ? "" : "s"}`)
      ),
    ],
  };
}

/** ms with a µs fraction, or "never". */
export function at(ns: number | null): string {
  return ns === null ? "never" : duration(ns);
}

/**
 * The section: a table of the configurations and the findings the numbers support.
 *
 * @example
 * ```ts
 * import { cgroup2026Numbers, cgroup2026Section } from "./sections_2026_cgroup.ts";
 * // const md = cgroup2026Section(cgroup2026Numbers());
 * ```
 */
export function cgroup2026Section(n: Cgroup2026Numbers): string[] {
  const h = cgroup2026Headline(n);
  const inKernel = n.runs.find((r) => r.reaps === "kernel")!;
  const one = n.runs.find((r) => r.reaps === "userspace" && r.threads === 1)!;
  const fastest = n.runs.find((r) => r.reaps === "userspace" && r.threads === h.fastest_threads)!;
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? "-" : `${(a / b).toFixed(2)}×`;
  const rows = n.runs.map((r) => [
    [code(r.design), r.reaps === "kernel" ? "one write" : `${r.threads} thread(s)`],
    [at(r.t90_ns), at(r.t100_ns)],
    `${((100 * r.freed_by_killer) / r.reclaimable_pages).toFixed(1)}%`,
    [duration(r.cpu_killer_ns), duration(r.cpu_busiest_thread_ns)],
    duration(r.cpu_members_ns),
    int(r.syscalls),
  ]);
  const mib = (CGROUP_2026_PROCESSES * MEMBER_MIB / 1024).toFixed(1);
  const left = (pct: number) =>
    pct > 0
      ? `the members' own exits freed ${pct.toFixed(1)}%`
      : "the members' own exits freed none of it";
  return [
    `A cgroup of ${int(n.processes)} single-threaded apps of ${MEMBER_MIB} MiB (${mib} GiB, ` +
    "the victim 1000 and members 2000...), sleeping on the little cores at 300 MHz, killed " +
    `and reaped by lmkd's reaper threads on the big cores: ${code(inKernel.design)}, the ` +
    "reaping `cgroup.kill` suggested in review (derived: no code was posted; it pins every " +
    "member's mm, kills the cgroup and reaps every mm in the one write), against " +
    `${code(one.design)}, what oomd does from userspace (\`cgroup.kill\`, then ` +
    "`process_mrelease` on every member, §E.2), with 1 to 8 reaper threads each taking every " +
    `N-th member of \`cgroup.procs\`. Kernel ${REPORT_KERNEL}, seed ${REPORT_SEED}; times ` +
    "from the kill, CPU time in the simulated kernel. The worlds are " +
    "`cgroup2026World(threads)` of src/lab/report/sections_2026_cgroup.ts.",
    "",
    mdTable(
      [
        "configuration",
        ["t90", "t100"],
        "freed by lmkd",
        ["CPU: lmkd", "its busiest thread"],
        "CPU: the apps",
        "syscalls",
      ],
      rows,
    ),
    "",
    `Event-log hashes, in the table's order: ${n.runs.map((r) => code(r.events_hash)).join(", ")}.`,
    "",
    `- One kernel context reaps the whole cgroup in ${at(inKernel.t100_ns)}; one userspace ` +
    `thread takes ${at(one.t100_ns)} (${ratio(one.t100_ns, inKernel.t100_ns)} the kernel's ` +
    `time), and the fastest thread count, ${fastest.threads}, ${at(fastest.t100_ns)} ` +
    `(${ratio(fastest.t100_ns, inKernel.t100_ns)}). ` +
    ((fastest.t100_ns ?? Infinity) < (inKernel.t100_ns ?? Infinity)
      ? "Shakeel Butt's point (§C.4) holds in this model: several userspace threads reap in " +
        "parallel and finish before the one kernel context does."
      : "No thread count finished before the one kernel context here: Shakeel Butt's " +
        "point (§C.4) does not show in this model."),
    `- CPU: the in-kernel reap charges ${duration(inKernel.cpu_killer_ns)} to the one ` +
    `writer; ${one.threads} userspace thread is charged ${duration(one.cpu_killer_ns)}, and ` +
    `${fastest.threads} threads ${duration(fastest.cpu_killer_ns)} in all, at most ` +
    `${duration(fastest.cpu_busiest_thread_ns)} on one. Syscalls: ${int(inKernel.syscalls)} ` +
    `against ${int(one.syscalls)} (a pidfd_open, a process_mrelease and a close per member).`,
    `- In the kernel ${left(h.kernel_left_to_exits_pct)}; from userspace with one thread ${
      left(h.one_thread_left_to_exits_pct)
    }: a ` +
    "member that passes exit_mm before its process_mrelease answers ESRCH (oomd ignores " +
    "it) and frees its memory at its own pace on its little core.",
  ];
}

/** The handful of numbers the objections table cites (times in ns, shares in percent). */
export interface Cgroup2026Headline {
  /** When all of the cgroup's memory was back with the one kernel context. */
  readonly kernel_t100_ns: number | null;
  /** ... with one userspace reaper thread. */
  readonly one_thread_t100_ns: number | null;
  /** The thread count that finished first, and when. */
  readonly fastest_threads: number;
  readonly fastest_t100_ns: number | null;
  /** Syscalls the killer made: the kernel design, and one userspace thread. */
  readonly kernel_syscalls: number;
  readonly one_thread_syscalls: number;
  /** Share of the memory the members' own exits freed: kernel design, one userspace thread. */
  readonly kernel_left_to_exits_pct: number;
  readonly one_thread_left_to_exits_pct: number;
}

/**
 * {@linkcode Cgroup2026Headline} of measured numbers.
 *
 * @example
 * ```ts
 * import { cgroup2026Headline, cgroup2026Numbers } from "./sections_2026_cgroup.ts";
 * // cgroup2026Headline(cgroup2026Numbers()).fastest_threads
 * ```
 */
export function cgroup2026Headline(n: Cgroup2026Numbers): Cgroup2026Headline {
  const inKernel = n.runs.find((r) => r.reaps === "kernel")!;
  const user = n.runs.filter((r) => r.reaps === "userspace");
  const one = user.find((r) => r.threads === 1)!;
  const fastest = user.reduce((a, b) => (b.t100_ns ?? Infinity) < (a.t100_ns ?? Infinity) ? b : a);
  const left = (r: CgroupRun) => (100 * r.freed_by_exits) / r.reclaimable_pages;
  return {
    kernel_t100_ns: inKernel.t100_ns,
    one_thread_t100_ns: one.t100_ns,
    fastest_threads: fastest.threads,
    fastest_t100_ns: fastest.t100_ns,
    kernel_syscalls: inKernel.syscalls,
    one_thread_syscalls: one.syscalls,
    kernel_left_to_exits_pct: left(inKernel),
    one_thread_left_to_exits_pct: left(one),
  };
}
