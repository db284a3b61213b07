/**
 * Who is who, for the trace exporters: names, thread groups, priorities and mm owners,
 * from the scenario that built the world (plus the oom_reaper kthread the core adds).
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import type { Scenario, ScenarioVma } from "../scenario/mod.ts";
import type { TraceContext } from "../trace/mod.ts";

/** What the run adds to the scenario: the kernel version and the oom_reaper kthread's pid. */
export interface RunIdentity {
  /** The kernel version the world ran. */
  kernel: string;
  /** The oom_reaper kthread's pid (the core adds it). */
  oomReaper: number;
}

/**
 * Builds the exporters' context for a run of `scenario`.
 *
 * @example
 * ```ts
 * import { traceContext } from "./trace_context.ts";
 * // const text = toFtrace(events, traceContext(scenario, { kernel: "6.18", oomReaper: 16 }));
 * ```
 */
export function traceContext(scenario: Scenario, run: RunIdentity): TraceContext {
  const threads = scenario.processes.flatMap((p) => p.threads.map((t) => ({ p, t })));
  const byPid = new Map(threads.map((x) => [x.t.pid, x]));
  const reaper = run.oomReaper;
  const mmIndex = new Map(scenario.mms.map((m) => [m.id, m.index]));
  const owners = new Map<number, string>();
  for (const p of scenario.processes) {
    const i = p.mm === null ? undefined : mmIndex.get(p.mm);
    if (i !== undefined && !owners.has(i)) owners.set(i, `${p.comm} (tgid ${p.tgid})`);
  }
  return {
    kernel: run.kernel,
    comm: (pid) =>
      pid === 0 ? "<idle>" : pid === reaper ? "oom_reaper" : byPid.get(pid)?.t.comm ?? `pid${pid}`,
    tgid: (pid) => byPid.get(pid)?.p.tgid ?? pid,
    mmOwner: (mm) => owners.get(mm) ?? `mm${mm}`,
    prio: (pid) => {
      const t = byPid.get(pid)?.t;
      if (!t) return 120;
      return t.policy === "fifo" ? 99 - t.rt_prio : 120 + t.nice;
    },
    uid: (pid) => byPid.get(pid)?.p.uid ?? 0,
    mmOf: (pid) => {
      const mm = byPid.get(pid)?.p.mm;
      return mm ? mmIndex.get(mm) : undefined;
    },
    rssBytes: (mm) => {
      const vmas = scenario.mms.find((x) => x.index === mm)?.vmas;
      if (!vmas) return undefined;
      const sum = (f: (v: ScenarioVma) => number) => vmas.reduce((s, v) => s + f(v), 0) * PAGE_SIZE;
      return [
        sum((v) => v.file_pages),
        sum((v) => v.anon_pages),
        sum((v) => v.swap_entries),
        sum((v) => v.shmem_pages),
      ];
    },
  };
}
