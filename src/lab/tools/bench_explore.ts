/**
 * The benchmarks of exploring every schedule (test/bench/explore_bench.ts) against the
 * targets of issue 10: explore's schedules per second on the D-state scenario at K = 2 and
 * how its cost grows with K, whole runs per design, the WASM core loop against the native
 * one, a 64 GiB victim against a 4 MiB one, a 65,536-thread victim, and the
 * 100,000-process walk. `deno task bench` prints this table after the first one.
 *
 * @module
 */

import { type Scenario, validateScenario } from "../../engine/scenario/mod.ts";
import { designs } from "../designs/mod.ts";
import { type Figures, int, markdownTable } from "./bench.ts";

/** The preemption bounds explore is measured at. */
export const EXPLORE_KS: readonly number[] = [0, 1, 2, 3];

/** Bench names in test/bench/explore_bench.ts. */
export const EXPLORE_BENCH = {
  /** One walk at bound `k` that ran `schedules` schedules (the name carries the count). */
  walk: (k: number, schedules: number): string => `explore D-state K=${k} (${schedules} schedules)`,
  /** One runScenario of the D-state scenario under a design. */
  design: (name: string): string => `runScenario D-state ${name}`,
  victimSmall: "sigkill, 4 MiB victim",
  victimLarge: "sigkill, 64 GiB victim",
  threads: "sigkill, 65,536-thread victim",
} as const;

/** The targets of issue 10. */
export const EXPLORE_TARGET = {
  schedulesPerSecond: 1_000_000,
  runsPerSecond: 200_000,
  wasmOverNative: 1.3,
  largeOverSmall: 1.2,
  threadsMs: 1000,
  walkMs: 1,
} as const;

/**
 * `scenario` (as its JSON) with the victim's first anon VMA `size` large and all resident,
 * and a horizon far enough (`BENCH_HORIZON_MS`) for its exit to free all of it: the
 * victim-size benchmark's worlds.
 */
export function victimOfSize(json: Record<string, unknown>, size: string): Scenario {
  const s = structuredClone(json) as {
    intent: { victim: number };
    processes: { tgid: number; mm: string }[];
    mms: { id: string; vmas: { kind: string; size: string; resident?: string }[] }[];
  };
  const mmId = s.processes.find((p) => p.tgid === s.intent.victim)?.mm;
  const vma = s.mms.find((m) => m.id === mmId)?.vmas.find((v) => v.kind === "anon");
  if (!vma) throw new Error("the scenario's victim has no anon VMA");
  vma.size = size;
  vma.resident = "100%";
  return validateScenario({ ...s, horizon_ms: BENCH_HORIZON_MS });
}

/**
 * `scenario` (as its JSON) with `threads` sleeping threads added to the victim, spread over
 * its CPUs: the kill wakes every one and all of them run their exit path (the
 * thread-count benchmark's world), with the benchmarks' horizon.
 */
export function victimWithThreads(json: Record<string, unknown>, threads: number): Scenario {
  const s = structuredClone(json) as {
    intent: { victim: number };
    processes: { tgid: number; threads: { pid: number; cpu: number }[] }[];
  };
  const victim = s.processes.find((p) => p.tgid === s.intent.victim);
  if (!victim) throw new Error("the scenario has no victim process");
  const cpus = victim.threads.map((t) => t.cpu);
  // Pids above every pid the scenario uses.
  const first = Math.max(...s.processes.flatMap((p) => p.threads.map((t) => t.pid))) + 1;
  for (let i = victim.threads.length; i < threads; i++) {
    victim.threads.push({ pid: first + i, cpu: cpus[i % cpus.length] });
  }
  return validateScenario({ ...s, horizon_ms: BENCH_HORIZON_MS });
}

/**
 * Two minutes of simulated time, for both benchmark worlds to run to the end: a 64 GiB
 * victim's exit on the D-state scenario's little core, or 65,536 threads' exits, take
 * seconds of it.
 */
export const BENCH_HORIZON_MS = 120_000;

/** The table of issue 10's targets, as Markdown. */
export function exploreTable(avg: Map<string, number>, f: Figures): string {
  const rows: string[][] = [];
  const row = (what: string, value: string, target: string, ok?: boolean) =>
    rows.push([what, value, target, ok === undefined ? "—" : ok ? "PASS" : "MISS"]);
  const ns = (name: string) => {
    const v = avg.get(name);
    if (v === undefined) throw new Error(`bench "${name}" missing from deno bench's output`);
    return v;
  };
  for (const k of EXPLORE_KS) {
    const name = [...avg.keys()].find((n) => n.startsWith(`explore D-state K=${k} (`));
    if (!name) throw new Error(`no explore bench for K=${k}`);
    const schedules = Number(/\((\d+) schedules\)/.exec(name)?.[1]);
    const perSecond = schedules * 1e9 / ns(name);
    const what = `explore, D-state, K=${k}: ${schedules} schedules in ${
      (ns(name) / 1e6).toFixed(1)
    } ms`;
    if (k === 2) {
      row(
        what,
        `${int.format(perSecond)} schedules/s`,
        "≥ 1,000,000 schedules/s",
        perSecond >= EXPLORE_TARGET.schedulesPerSecond,
      );
    } else row(what, `${int.format(perSecond)} schedules/s`, "—");
  }
  for (const d of designs()) {
    const perSecond = 1e9 / ns(EXPLORE_BENCH.design(d.name));
    row(
      `D-state \`runScenario\` (full outcome), ${d.name}`,
      `${int.format(perSecond)} runs/s`,
      "≥ 200,000 runs/s",
      perSecond >= EXPLORE_TARGET.runsPerSecond,
    );
  }
  if ("skipped" in f.native) row("WASM core loop / native (time ratio)", "skipped", "≤ 1.3×");
  else {
    const ratio = f.native.runsPerSecond / f.coreLoopPerSecond;
    row(
      "WASM core loop / native (time ratio)",
      `${ratio.toFixed(2)}×`,
      "≤ 1.3×",
      ratio <= EXPLORE_TARGET.wasmOverNative,
    );
  }
  const size = ns(EXPLORE_BENCH.victimLarge) / ns(EXPLORE_BENCH.victimSmall);
  row(
    "64 GiB victim / 4 MiB victim (sigkill `runScenario`, time ratio)",
    `${size.toFixed(1)}×`,
    "≤ 1.2×",
    size <= EXPLORE_TARGET.largeOverSmall,
  );
  const threadsMs = ns(EXPLORE_BENCH.threads) / 1e6;
  row(
    "65,536-thread victim (sigkill `runScenario`)",
    `${threadsMs.toFixed(0)} ms`,
    "< 1 s",
    threadsMs < EXPLORE_TARGET.threadsMs,
  );
  row(
    "`task_will_free_mem` walk, 100,000 processes",
    `${f.walkMs.toFixed(2)} ms`,
    "< 1 ms",
    f.walkMs < EXPLORE_TARGET.walkMs,
  );
  return markdownTable(["measure (issue 10)", "measured", "target", "verdict"], rows);
}
