/**
 * The review's sections about the caller's side: which lmkd thread makes the call, one
 * caller reaping a whole cgroup, and what task_will_free_mem()'s walk costs it in a big
 * world (what happens when its call comes after the victim passed exit_mm: sections_esrch.ts).
 *
 * @module
 */

import { designs } from "../designs/mod.ts";
import type { Unit } from "./experiments.ts";
import type { RunRecord } from "./measure.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, MERGED, playing } from "./roles.ts";
import { cgroupChart, CHARTS, walkChart } from "./charts.ts";
import { designNames, designRows, sectionHead, traces } from "./tables.ts";
import { code, duration, int, list, mdTable, pages, pct, times } from "./_format.ts";

/**
 * "Caller": lmkd's reaper thread against its SCHED_FIFO main thread, and how long each is
 * kept in the call.
 *
 * @example
 * ```ts
 * import { callerSection } from "./sections_caller.ts";
 * // callerSection(r, { exp, files })
 * ```
 */
export function callerSection(r: Results, { exp }: SectionContext): string {
  const units = r.of(exp);
  const merged = playing(MERGED).name;
  const fmt = (x: RunRecord) => [duration(x.t90_ns), `in call ${duration(x.longest_call_ns)}`];
  const mainW = r.run("caller-main-mmap-locked-1gib", merged);
  const reapW = r.run("caller-reaper-mmap-locked-1gib", merged);
  const same = units.every((u) => {
    if (!u.point.name.startsWith("caller-main-")) return true;
    const other = r.point(u.point.name.replace("caller-main-", "caller-reaper-")).runs;
    return r.point(u.point.name).runs.every((x, i) => x.t90_ns === other[i].t90_ns);
  });
  // One group per calling thread: its scenarios side by side.
  const columns = ["caller-reaper-", "caller-main-"].flatMap((thread) =>
    units.filter((u) => u.point.name.startsWith(thread)).map((u) => ({
      point: u.point.name,
      group: thread,
    }))
  );
  return [
    ...sectionHead(exp, r),
    "",
    "t90, and under it how long the caller's thread was inside its longest call (`mmap-locked`: " +
    "the victim in D until 500 ms holding its mmap_lock for write):",
    "",
    designRows(r, { labels: designNames(), columns, fmt, byPattern: true }),
    "",
    same
      ? `- The memory comes back at the same times from either thread: on the big cores ` +
        `nothing else competes, and in the model's scheduler a nice -20 thread already ` +
        `preempts everything below it.`
      : `- The two callers free the memory at different times (above).`,
    `- What differs is what the thread cannot do meanwhile. When the victim holds its ` +
    `mmap_lock for write in D, ${merged} keeps its caller in the call for ` +
    `${duration(mainW.longest_call_ns)} from the main thread (${
      duration(reapW.longest_call_ns)
    } from ` +
    `the reaper thread): on lmkd's main thread that is an event loop that handles no ` +
    `memory-pressure event for that long, longer than lmkd's 100 ms kill timeout, and a ` +
    `SCHED_FIFO thread busy in the kernel for the whole reap. That is why lmkd reaps only ` +
    `from its SCHED_OTHER reaper threads (1c96a31, 353c2f1; §F.8).`,
    "",
    traces(exp),
  ].join("\n");
}

/**
 * "A cgroup killed together, reaped one by one": t90 against N, and the merged design's
 * loop in detail.
 *
 * @example
 * ```ts
 * import { cgroupSection } from "./sections_caller.ts";
 * // cgroupSection(r, { exp, files }) also puts a chart into `files`
 * ```
 */
export function cgroupSection(r: Results, { exp, files }: SectionContext): string {
  const units = r.of(exp);
  const labels = designNames();
  const kill = playing(KILL_ALONE).name;
  const merged = playing(MERGED).name;
  files.set(CHARTS.cgroup, cgroupChart(r, { units, labels }));
  const detail = units.map((u) => {
    const x = r.run(u.point.name, merged);
    const n = u.point.params.n as number;
    return [
      code(u.point.name),
      int(n),
      pages(x.reclaimable_pages),
      duration(x.t90_ns),
      duration(r.run(u.point.name, kill).t90_ns),
      duration(x.caller_busy_ns),
      `${x.returns["ESRCH"] ?? 0} of ${int(n)}`,
      pct(x.freed_by.caller, x.reclaimable_pages),
    ];
  });
  const big = units[units.length - 1].point.name;
  const nBig = units[units.length - 1].point.params.n as number;
  const x = r.run(big, merged);
  const perVictim = x.cpu_ns.caller / Math.max(1, x.returns["0"] ?? 0);
  return [
    ...sectionHead(exp, r),
    "",
    "t90 of the whole cgroup's memory, with the errno of the call on the first victim under " +
    "it when that call failed:",
    "",
    designRows(r, {
      labels,
      columns: units.map((u) => ({ point: u.point.name })),
      byPattern: true,
    }),
    "",
    `![t90 against N](${CHARTS.cgroup})`,
    "",
    `${merged}'s loop in detail:`,
    "",
    mdTable(
      [
        "scenario",
        "N",
        "memory",
        "t90",
        ["t90,", "SIGKILL alone"],
        ["caller", "busy"],
        ["calls answering", "ESRCH"],
        ["freed by", "the caller"],
      ],
      detail,
    ),
    "",
    `- One caller keeps up in the sense that the cgroup's memory comes back ` +
    `${times(r.run(big, kill).t90_ns!, x.t90_ns!)} sooner than with SIGKILL alone, but ` +
    `it is busy the whole time (${duration(x.caller_busy_ns)} for ${code(big)}, about ` +
    `${duration(perVictim)} of CPU per victim it reaps) and reaps only ` +
    `${pct(x.freed_by.caller, x.reclaimable_pages)} of the memory: by the time the loop ` +
    `reaches a victim, ${pct(x.returns["ESRCH"] ?? 0, nBig)} ` +
    `of them have passed exit_mm and answer ESRCH (oomd ignores it, §E.2), and their memory ` +
    `comes back at their own pace on the little cores. Killing everything first and ` +
    `reaping afterwards turns the ESRCH window ([its section](#esrch-window)) into ` +
    `the common case. A syscall lets userspace split the loop over several reaper threads ` +
    `(Shakeel Butt's argument against a cgroup.kill-based reap in one kernel thread, ` +
    `§C.4); this review runs one.`,
    `- The designs differ little here: all of them serialize on the one caller.`,
    "",
    traces(exp),
  ].join("\n");
}

/**
 * "World size": the caller's CPU per call as the process list grows, for a multi-threaded
 * and a single-threaded victim.
 *
 * @example
 * ```ts
 * import { worldSizeSection } from "./sections_caller.ts";
 * // worldSizeSection(r, { exp, files }) also puts a chart into `files`
 * ```
 */
export function worldSizeSection(r: Results, { exp, files }: SectionContext): string {
  const units = r.of(exp);
  const labels = designNames();
  const merged = playing(MERGED).name;
  const multi = units.filter((u) => u.point.params.threads === 4);
  const single = units.filter((u) => u.point.params.threads === 1);
  const base = (l: string) => r.run("world-100-procs-1-thread", l).cpu_ns.caller;
  const extra = (u: Unit, l: string) => (r.run(u.point.name, l).cpu_ns.caller - base(l)) / 1e3;
  files.set(CHARTS.walk, walkChart({ multi, single, labels, extra }));
  const columns = [...multi, ...single].map((u) => ({
    point: u.point.name,
    group: String(u.point.params.threads),
  }));
  const top = multi[multi.length - 1];
  const n = top.point.params.processes as number;
  const twfm = r.input.params.get("TWFM_NS_PER_PROCESS")!.value;
  const walkers = labels.filter((l) => extra(top, l) > 1);
  const alwaysWalk = designs().filter((d) => extra(single[single.length - 1], d.name) > 1);
  // Why a design walks even when mm_users is 1: its record says it kills every sharer of
  // the mm, and with which kernel function.
  const firstKiller = alwaysWalk.findIndex((d) => d.killsSharers !== undefined);
  const why = alwaysWalk.map((d, i) =>
    d.killsSharers === undefined
      ? `${d.name} walks whatever mm_users says`
      : `${d.killsSharers.by} ${
        i === firstKiller
          ? "looks for every other process sharing the mm to kill it too"
          : "does the same before it reaps"
      } (${d.killsSharers.ref})`
  );
  return [
    ...sectionHead(exp, r),
    "",
    "Caller CPU time (the reap of 64 MiB plus the walks), with a 4-thread victim and a " +
    "single-threaded one:",
    "",
    designRows(r, {
      labels,
      columns,
      fmt: (x) => duration(x.cpu_ns.caller),
      byPattern: true,
    }),
    "",
    `![walk cost against processes](${CHARTS.walk})`,
    "",
    `- At ${int(n)} processes the walk adds ${duration(extra(top, merged) * 1e3)} of ` +
    `caller CPU to each call of ${list(walkers)} for a multi-threaded victim: ` +
    `${int(n)} × ${twfm} ns at the big core's speed 1.0, linear in the number of processes. ` +
    `It is small next to the reap itself (${
      duration(r.run(top.point.name, merged).cpu_ns.caller - extra(top, merged) * 1e3)
    } for 64 MiB), but it is paid under task_lock with preemption off, on every call, ` +
    `and a single-threaded victim (mm_users = 1) skips it.`,
    alwaysWalk.length
      ? `- ${list(alwaysWalk.map((d) => d.name))} walk${
        alwaysWalk.length === 1 ? "s" : ""
      } the process list even for a single-threaded victim: ${list(why)}.`
      : `- No design walks for a single-threaded victim.`,
    "",
    traces(exp),
  ].join("\n");
}
