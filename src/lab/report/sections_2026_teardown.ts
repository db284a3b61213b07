/**
 * The review's parallel-teardown experiment and its section (issue 15, "The 2026 question":
 * parallel teardown): a large running victim on a big and on a little core, killed and
 * reaped by every design through its own recipe, on three kernels: 6.18 as released (the
 * 2025 reverse reaper walk), the newest release before that walk (both walkers start at the
 * bottom), and 6.18 with the `exit_mmap_write_lock` kernel variant (Linus Torvalds' "exit_mmap
 * should simply take the write lock", §A.5). Who freed what, the CPU charged to the caller
 * and to the victim, and the time to get 90% back; `teardownFacts` exports the numbers the
 * objections table cites (the write lock's cost, what concurrent exit_mmap gives, what the
 * reverse walk saves). Every sentence is built from the measurements.
 *
 * @module
 */

import {
  type Design,
  KERNEL_VARIANT_KERNELS,
  KERNEL_VERSIONS,
  kernelFeatures,
  type KernelVariant,
  type KernelVersion,
} from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import type { Experiment, Point, Unit } from "./experiments.ts";
import type { RunRecord } from "./measure.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, MERGED, playing } from "./roles.ts";
import type { RunSpec } from "./runs.ts";
import { barChart } from "./svg.ts";
import { sectionHead, traces } from "./tables.ts";
import { placementLabel, REPORT_KERNEL, sizeLabel } from "./world.ts";
import { code, duration, list, mdTable, pct } from "./_format.ts";

/** The experiment's id: the section's anchor and the traces' directory. */
export const TEARDOWN_ID = "parallel-teardown";
/** The victim's memory (MiB) and how many VMAs hold it (the reverse walk needs several). */
export const TEARDOWN_MIB = 1024;
const VMA_LAYOUTS = [16, 1] as const;
const CORES = ["little", "big"] as const;
type Cores = (typeof CORES)[number];

/** A kernel setting every design runs on: a version, with kernel variants or none. */
interface Setting {
  readonly id: "reverse" | "forward" | "write-lock";
  readonly label: string;
  readonly kernel: KernelVersion;
  readonly variants: readonly KernelVariant[];
}

/** The kernel variant of Linus Torvalds' suggestion. */
const WRITE_LOCK: KernelVariant = "exit_mmap_write_lock";

/**
 * The three settings, read off the core's facts: the report's kernel (it must walk in
 * reverse), the newest version whose exit_mmap unmaps under the read lock and whose reaper
 * walks forward, and the report's kernel with the write-lock variant.
 */
export function settings(): readonly Setting[] {
  if (!kernelFeatures(REPORT_KERNEL).reap_walks_in_reverse) {
    throw new Error(
      `the teardown section compares the reverse walk, and ${REPORT_KERNEL} lacks it`,
    );
  }
  const forward = [...KERNEL_VERSIONS].reverse().find((k) =>
    kernelFeatures(k).exit_mmap_shape === "read_then_write" &&
    !kernelFeatures(k).reap_walks_in_reverse
  );
  if (forward === undefined || !KERNEL_VARIANT_KERNELS[WRITE_LOCK].includes(REPORT_KERNEL)) {
    throw new Error("the teardown section needs a forward-walk kernel and the write-lock variant");
  }
  return [
    {
      id: "reverse",
      label: `${REPORT_KERNEL} (reverse walk)`,
      kernel: REPORT_KERNEL,
      variants: [],
    },
    { id: "forward", label: `${forward} (forward walk)`, kernel: forward, variants: [] },
    {
      id: "write-lock",
      label: `${REPORT_KERNEL} + ${WRITE_LOCK}`,
      kernel: REPORT_KERNEL,
      variants: [WRITE_LOCK],
    },
  ];
}

/** The run label of a design on a setting. */
function label(d: Design, s: Setting): string {
  return s.id === "reverse" ? d.name : `${d.name} on ${s.label}`;
}

function runs(): RunSpec[] {
  return settings().flatMap((s) =>
    designs().map((d) => ({
      label: label(d, s),
      design: d.name,
      kernel: s.kernel,
      ...(s.variants.length ? { kernelVariants: s.variants } : {}),
    }))
  );
}

function pointName(cpus: Cores, vmas: number): string {
  return `teardown-${TEARDOWN_MIB / 1024}gib-${vmas}-vma${vmas > 1 ? "s" : ""}-${cpus}`;
}

function point(cpus: Cores, vmas: number): Point {
  const name = pointName(cpus, vmas);
  const layout = vmas > 1 ? `${vmas} VMAs of ${sizeLabel(TEARDOWN_MIB / vmas)}` : "one VMA";
  return {
    name,
    params: { placement: placementLabel(cpus), cpus, vmas, size: sizeLabel(TEARDOWN_MIB) },
    world: {
      name,
      description: `Parallel-teardown family: the app with ${sizeLabel(TEARDOWN_MIB)} of ` +
        `anonymous memory in ${layout}, running when killed, on the ` +
        `${placementLabel(cpus)}; lmkd_reaper0 (nice -20, big core) kills it at 1 ms and ` +
        `calls the design, while the app's own exit_mmap runs.`,
      horizonMs: 2500 + Math.ceil(TEARDOWN_MIB * 1.7),
      victim: { anonMiB: TEARDOWN_MIB, anonVmas: vmas, threads: 1, leader: "R", cpus },
    },
    runs: runs(),
    cost: 2 * (1 + TEARDOWN_MIB / 2048),
  };
}

/** The parallel-teardown experiment. */
export const teardown: Experiment = {
  id: TEARDOWN_ID,
  title: "Parallel teardown",
  question:
    "When a design's reap and the victim's own exit_mmap work on the same mm at once (§B.5, since v6.0 under read locks), who frees what, who pays the CPU, what does the 2025 reverse reaper walk save, and what would Linus Torvalds' exit_mmap under the write lock change?",
  get family() {
    return `A single-threaded app of ${sizeLabel(TEARDOWN_MIB)}, running when killed (its ` +
      "exit starts at once), on the little cores at 300 MHz or the big cores at 2.5 GHz, " +
      `its memory in ${VMA_LAYOUTS[0]} VMAs or in one. Every design runs through its own ` +
      `recipe on ${list(settings().map((s) => s.label))}. Two walkers in one VMA at once pay ` +
      'the page-table-lock surcharge of the cost model (docs/architecture.md, "Parallel ' +
      "teardown\": 392‰ of a batch's page cost, from the reverse walk's cover letter).";
  },
  points() {
    return VMA_LAYOUTS.flatMap((vmas) => CORES.map((cpus) => point(cpus, vmas)));
  },
  representative: { point: pointName("little", VMA_LAYOUTS[0]), design: MERGED },
};

/** A design on a setting at one point. */
interface Cell {
  readonly t90_ns: number | null;
  readonly callerShare: number;
  readonly cpuCaller: number;
  readonly cpuVictim: number;
}

/** The section's measurements. */
export class TeardownFacts {
  readonly #r: Results;
  readonly #units: Unit[];

  /** Reads the family's points out of the review's results. */
  constructor(r: Results) {
    this.#r = r;
    this.#units = r.input.units.filter((u) => u.experiment.id === TEARDOWN_ID);
  }

  /** The point of `cpus` and `vmas`. */
  unit(cpus: Cores, vmas: number): Unit {
    const u = this.#units.find((u) => u.point.name === pointName(cpus, vmas));
    if (!u) throw new Error(`no teardown point ${pointName(cpus, vmas)}`);
    return u;
  }

  /** The run of `d` on `s` at a point. */
  run(u: Unit, d: Design, s: Setting): RunRecord {
    return this.#r.run(u.point.name, label(d, s));
  }

  /** What a run shows, boiled down. */
  cell(u: Unit, d: Design, s: Setting): Cell {
    const x = this.run(u, d, s);
    return {
      t90_ns: x.t90_ns,
      callerShare: x.freed_pages > 0 ? x.freed_by.caller / x.freed_pages : 0,
      cpuCaller: x.cpu_ns.caller,
      cpuVictim: x.cpu_ns.victim,
    };
  }

  /** The designs whose caller reaps (the ones parallel teardown is about). */
  reapers(): Design[] {
    return designs().filter((d) => d.reaper === "caller");
  }
}

/** The numbers the objections table cites (issue 15), per placement of the victim. */
export interface TeardownNumbers {
  /** The merged design (process_mrelease). */
  readonly design: string;
  /** Its t90 on 6.18 as released and with exit_mmap under the write lock (ns). */
  readonly t90ReleasedNs: Readonly<Record<Cores, number | null>>;
  readonly t90WriteLockNs: Readonly<Record<Cores, number | null>>;
  /** The share of the pages its caller freed, released and with the write lock. */
  readonly callerShareReleased: Readonly<Record<Cores, number>>;
  readonly callerShareWriteLock: Readonly<Record<Cores, number>>;
  /** CPU (caller + victim, ns) with the forward walk and with the reverse walk, 16 VMAs. */
  readonly cpuForwardNs: Readonly<Record<Cores, number>>;
  readonly cpuReverseNs: Readonly<Record<Cores, number>>;
  /** SIGKILL alone's t90 (the victim alone), for scale (ns). */
  readonly t90AloneNs: Readonly<Record<Cores, number | null>>;
}

/**
 * The numbers the objections table cites: Linus Torvalds' write lock against Suren
 * Baghdasaryan's "concurrent exit_mmap is desirable", on the merged design, 16 VMAs.
 *
 * @example
 * ```ts
 * import { teardownNumbers } from "./sections_2026_teardown.ts";
 * // teardownNumbers(results).t90WriteLockNs.little
 * ```
 */
export function teardownNumbers(r: Results): TeardownNumbers {
  const f = new TeardownFacts(r);
  const d = playing(MERGED);
  const alone = playing(KILL_ALONE);
  const [reverse, forward, locked] = settings();
  const per = <T>(g: (u: Unit) => T): Record<Cores, T> => ({
    little: g(f.unit("little", VMA_LAYOUTS[0])),
    big: g(f.unit("big", VMA_LAYOUTS[0])),
  });
  const cpu = (c: Cell) => c.cpuCaller + c.cpuVictim;
  return {
    design: d.name,
    t90ReleasedNs: per((u) => f.cell(u, d, reverse).t90_ns),
    t90WriteLockNs: per((u) => f.cell(u, d, locked).t90_ns),
    callerShareReleased: per((u) => f.cell(u, d, reverse).callerShare),
    callerShareWriteLock: per((u) => f.cell(u, d, locked).callerShare),
    cpuForwardNs: per((u) => cpu(f.cell(u, d, forward))),
    cpuReverseNs: per((u) => cpu(f.cell(u, d, reverse))),
    t90AloneNs: per((u) => f.cell(u, alone, reverse).t90_ns),
  };
}

/** "1.4×" or "the same" for b against a (null: never). */
function ratio(a: number | null, b: number | null): string {
  if (a === null || b === null || a <= 0) return "n/a";
  const q = b / a;
  return Math.abs(q - 1) < 0.005 ? "the same" : `${q.toFixed(2)}×`;
}

/** Who did the work under the write lock, when one side did all of it. */
function lockedBy(callerShare: number): string {
  if (callerShare === 1) {
    return ": its read lock came first, and exit_mmap's write lock waited for the whole reap";
  }
  if (callerShare === 0) {
    return ": exit_mmap's write lock came first, and the call found the work done";
  }
  return "";
}

/** One point's table: a row per design, a column per setting. */
function pointTable(f: TeardownFacts, u: Unit): string {
  const all = settings();
  const rows = designs().map((d) => [
    `**${d.name}**`,
    ...all.map((s) => {
      const c = f.cell(u, d, s);
      return [
        `t90 ${duration(c.t90_ns)}`,
        `caller freed ${pct(c.callerShare, 1)}`,
        `CPU ${duration(c.cpuCaller)} + ${duration(c.cpuVictim)}`,
      ];
    }),
  ]);
  return mdTable(["design", ...all.map((s) => s.label)], rows);
}

/** The CPU chart: caller and victim CPU of each reaping design on each setting. */
function cpuChart(f: TeardownFacts, u: Unit): string {
  const cats: string[] = [];
  const caller: number[] = [];
  const victim: number[] = [];
  for (const d of f.reapers()) {
    for (const s of settings()) {
      const c = f.cell(u, d, s);
      cats.push(`${d.name} · ${s.id}`);
      caller.push(c.cpuCaller / 1e6);
      victim.push(c.cpuVictim / 1e6);
    }
  }
  return barChart({
    title: "CPU charged in a parallel teardown",
    subtitle: `${
      sizeLabel(TEARDOWN_MIB)
    } in ${u.point.params.vmas} VMAs, ${u.point.params.placement}`,
    categories: cats,
    categoryAxis: "design · kernel setting",
    stacks: [{ label: "caller", values: caller }, { label: "victim", values: victim }],
    value: { label: "CPU time", unit: "ms" },
  });
}

/**
 * The section, and its chart in `files`.
 *
 * @example
 * ```ts
 * import { teardownSection } from "./sections_2026_teardown.ts";
 * // files.set("README.md", teardownSection(results, { exp: teardown, files }));
 * ```
 */
export function teardownSection(r: Results, { exp, files }: SectionContext): string {
  const f = new TeardownFacts(r);
  const n = teardownNumbers(r);
  const [reverse, forward, locked] = settings();
  const chart = `${TEARDOWN_ID}-cpu.svg`;
  files.set(chart, cpuChart(f, f.unit("little", VMA_LAYOUTS[0])));

  const lines: string[] = [...sectionHead(exp, r), ""];
  const say = (cores: Cores) => {
    const spared = n.cpuForwardNs[cores] - n.cpuReverseNs[cores];
    return `on the ${placementLabel(cores)}, ${code(n.design)} gets 90% back in ` +
      `${duration(n.t90ReleasedNs[cores])} on ${reverse.label}, its caller freeing ` +
      `${pct(n.callerShareReleased[cores], 1)} of the pages beside the victim's exit_mmap; with ` +
      `${code(WRITE_LOCK)} it takes ${duration(n.t90WriteLockNs[cores])} ` +
      `(${ratio(n.t90ReleasedNs[cores], n.t90WriteLockNs[cores])}), and the caller frees ` +
      `${pct(n.callerShareWriteLock[cores], 1)}${lockedBy(n.callerShareWriteLock[cores])}. ` +
      `The reverse walk ${spared > 0 ? "spares" : "changes"} ${
        duration(Math.abs(spared))
      } of CPU (caller and victim) against ${forward.label}. SIGKILL alone (${
        code(playing(KILL_ALONE).name)
      }) needs ${duration(n.t90AloneNs[cores])}.`;
  };
  lines.push(
    `With the memory in ${VMA_LAYOUTS[0]} VMAs, ${say("little")}`,
    "",
    `The same ${say("big")}`,
    "",
    `What each design frees and who pays, ${VMA_LAYOUTS[0]} VMAs (t90 from the kill; the share ` +
      "of the pages the caller freed; CPU charged to the caller + the victim):",
    "",
  );
  for (const cores of CORES) {
    lines.push(
      `**${placementLabel(cores)}**`,
      "",
      pointTable(f, f.unit(cores, VMA_LAYOUTS[0])),
      "",
    );
  }
  const one = (cores: Cores) => {
    const u = f.unit(cores, 1);
    const d = playing(MERGED);
    const cpu = (s: Setting) => f.cell(u, d, s).cpuCaller + f.cell(u, d, s).cpuVictim;
    return `${duration(cpu(forward))} against ${duration(cpu(reverse))} on the ${cores} cores`;
  };
  lines.push(
    `With the memory in one VMA both walkers are in it together whichever end the reaper starts ` +
      `from, so the reverse walk cannot keep them apart: ${code(playing(MERGED).name)}'s CPU ` +
      `(caller + victim) is ${one("little")}, and ${one("big")} (${forward.label} against ` +
      `${reverse.label}).`,
    "",
    `![CPU charged in a parallel teardown](${chart})`,
    "",
    `With ${code(WRITE_LOCK)} (${locked.label}) no two walkers ever share the mm: the ` +
      "surcharge disappears with the parallelism it priced.",
    "",
    traces(exp),
  );
  return lines.join("\n");
}
