/**
 * The THP part of `deno task calibrate` (docs/host.md, "Transparent huge pages"): the same two
 * measurements as calibrate.ts's (process_mrelease on a frozen SIGKILLed victim; SIGKILL alone
 * on a sleeping one), on a victim whose memory is transparent huge pages (victim.c `--thp`:
 * a 2 MiB-aligned mapping under madvise(MADV_HUGEPAGE), checked in smaps_rollup's
 * AnonHugePages), and the per-PMD costs fitted from them: the slope of the per-size medians
 * over sizes, so the fixed costs drop out. Medians, not every run as calibrate.ts fits: a THP
 * victim frees 64 MiB in a quarter of a millisecond, less than one preemption on this shared
 * two-vCPU host, so a single slow run would tip an all-runs fit (one gave a negative slope). A host whose memory does not come back THP-backed is said so, not measured.
 *
 * @module
 */

import { COST_MODEL, PAGE_SIZE } from "../../core/mod.ts";
import { CPU_PRESETS, exitShare } from "../../engine/scenario/mod.ts";
import { fitLine, median, modelFor, oneExit, oneMrelease } from "./calibrate.ts";

/** One size's medians, THP-backed. */
export interface ThpSizeFigures {
  /** Victim size, MiB. */
  mib: number;
  /** process_mrelease's wall time and caller CPU (ms). */
  mrelease_ms: number;
  mrelease_cpu_ms: number;
  /** SIGKILL alone: kill → exited (ms). */
  exit_ms: number;
  /** The simulator's figures for the same THP victim (host preset). */
  model: { mrelease_ms: number; exit_t100_ms: number | null };
}

/** The THP measurement: per size, and the fitted per-PMD costs; or why there is none. */
export type ThpCalibration =
  | {
    backed: true;
    sizes: ThpSizeFigures[];
    fit: {
      /** process_mrelease's slope: ns a PMD (REAP_NS_PER_PMD at the host's speed 1.0). */
      reap_ns_per_pmd: number;
      /** The exit's slope: ns a PMD of wall time. */
      exit_wall_ns_per_pmd: number;
      /** That times the exit's CPU share beside the background load: EXIT_UNMAP_NS_PER_PMD. */
      exit_ns_per_pmd: number;
    };
    /** The core's values, to compare. */
    model: { reap_ns_per_pmd: number; exit_ns_per_pmd: number };
  }
  | { backed: false; why: string };

/**
 * One THP victim of a size, measured: process_mrelease on it frozen and SIGKILLed (wall and
 * caller CPU, ms), or SIGKILL alone on it sleeping (kill → exited, ms). Each rejects with
 * victim.c's "not THP-backed: AnonHugePages N kB of M kB expected" when the kernel did not
 * back the mapping with huge pages.
 */
export interface ThpMeasure {
  mrelease(mib: number): Promise<{ ms: number; cpu_ms: number }>;
  exit(mib: number): Promise<number>;
}

/** This host's THP victims (calibrate.ts's runs, victim.c `--thp`). */
const HOST_MEASURE: ThpMeasure = {
  mrelease: (mib) => oneMrelease(mib, true),
  exit: (mib) => oneExit(mib, true),
};

/**
 * Measures THP reaping and exit; `log` gets a line per size. `measure` is this host's
 * victims unless given (a test gives a host whose kernel backs nothing with huge pages,
 * which this host, THP in `madvise` mode, cannot be made without a system setting).
 *
 * @example
 * ```ts ignore
 * import { calibrateThp, thpSummary } from "./calibrate_thp.ts";
 * console.log(thpSummary(await calibrateThp({ sizesMiB: [64, 256], runs: 5 })));
 * ```
 */
export async function calibrateThp(
  opts: { sizesMiB: number[]; runs: number; log?: (line: string) => void; measure?: ThpMeasure },
): Promise<ThpCalibration> {
  const measure = opts.measure ?? HOST_MEASURE;
  const pmdsOf = (mib: number) => mib * 2 ** 20 / (COST_MODEL.HPAGE_PMD_NR * PAGE_SIZE);
  const sizes: ThpSizeFigures[] = [];
  for (const mib of opts.sizesMiB) {
    const calls = [], exits = [];
    try {
      for (let i = 0; i < opts.runs; i++) calls.push(await measure.mrelease(mib));
      for (let i = 0; i < opts.runs; i++) exits.push(await measure.exit(mib));
    } catch (e) {
      const why = String(e instanceof Error ? e.message : e);
      if (/not THP-backed/.test(why)) return { backed: false, why };
      throw e;
    }
    const model = modelFor(mib, true);
    const f: ThpSizeFigures = {
      mib,
      mrelease_ms: median(calls.map((c) => c.ms)),
      mrelease_cpu_ms: median(calls.map((c) => c.cpu_ms)),
      exit_ms: median(exits),
      model: { mrelease_ms: model.mrelease_ms, exit_t100_ms: model.exit_t100_ms },
    };
    sizes.push(f);
    opts.log?.(
      `${String(mib).padStart(5)} MiB THP  mrelease ${f.mrelease_ms.toFixed(3)} ms (model ${
        model.mrelease_ms.toFixed(3)
      })  exit ${f.exit_ms.toFixed(3)} ms (model t100 ${model.exit_t100_ms?.toFixed(3) ?? "-"})`,
    );
  }
  const slope = (ms: (f: ThpSizeFigures) => number) =>
    fitLine(sizes.map((f) => pmdsOf(f.mib)), sizes.map(ms)).b * 1e6;
  const exitWall = slope((f) => f.exit_ms);
  return {
    backed: true,
    sizes,
    fit: {
      reap_ns_per_pmd: Math.round(slope((f) => f.mrelease_ms)),
      exit_wall_ns_per_pmd: Math.round(exitWall),
      exit_ns_per_pmd: Math.round(exitWall * exitShare(CPU_PRESETS.host)),
    },
    model: {
      reap_ns_per_pmd: COST_MODEL.REAP_NS_PER_PMD,
      exit_ns_per_pmd: COST_MODEL.EXIT_UNMAP_NS_PER_PMD,
    },
  };
}

/**
 * The line `deno task calibrate` prints for the THP part: the fitted per-PMD costs beside the
 * core's, or why nothing was measured.
 *
 * @example
 * ```ts
 * import { thpSummary } from "./calibrate_thp.ts";
 * thpSummary({ backed: false, why: "THP disabled" }); // "THP: not measured: THP disabled"
 * ```
 */
export function thpSummary(thp: ThpCalibration): string {
  if (!thp.backed) return `THP: not measured: ${thp.why}`;
  return `THP: process_mrelease ${thp.fit.reap_ns_per_pmd} ns a PMD (REAP_NS_PER_PMD ${thp.model.reap_ns_per_pmd}), ` +
    `exit ${thp.fit.exit_wall_ns_per_pmd} ns a PMD, ${thp.fit.exit_ns_per_pmd} at the exit's CPU share ` +
    `(EXIT_UNMAP_NS_PER_PMD ${thp.model.exit_ns_per_pmd})`;
}
