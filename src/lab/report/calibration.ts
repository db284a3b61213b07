/**
 * The calibration section's inputs: the cost model's per-page rates as
 * docs/architecture.md's parameter table states them (with their sources), the model's
 * rate for a CPU, the rate a simulated run achieved, and the host measurement of
 * `docs/calibration/host.json` when another tool has written it.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import {
  CPU_PRESETS,
  type CpuPreset,
  type CpuPresetName,
  cpuSpeedRatio,
  exitShare,
} from "../../engine/scenario/mod.ts";
import type { RunRecord } from "./measure.ts";

/** One row of docs/architecture.md's parameter table. */
export interface Param {
  /** The constant's name in wasm/src/params.rs. */
  name: string;
  /** Its value. */
  value: number;
  /** Where the value comes from, as the table says. */
  source: string;
}

/** The file the parameters are read from. */
export const PARAMS_DOC = "docs/architecture.md";
/** The host measurement another tool writes. */
export const HOST_JSON = "docs/calibration/host.json";

/** The parameters the calibration section states, in its order. */
export const CALIBRATION_PARAMS = [
  "REAP_NS_PER_PAGE",
  "EXIT_UNMAP_NS_PER_PAGE",
  "BACKGROUND_LOAD_PER_MILLE",
  "BACKGROUND_SHARE_MIN_PER_MILLE",
  "TWFM_NS_PER_PROCESS",
] as const;

/**
 * The parameter table between `<!-- params:begin -->` and `<!-- params:end -->`.
 *
 * @example
 * ```ts
 * import { readParams } from "./calibration.ts";
 * const p = await readParams(".");
 * console.log(p.get("REAP_NS_PER_PAGE")?.value); // 330
 * ```
 */
export async function readParams(root: string): Promise<Map<string, Param>> {
  const doc = await Deno.readTextFile(`${root}/${PARAMS_DOC}`);
  const block = doc.split("<!-- params:begin -->")[1]?.split("<!-- params:end -->")[0] ?? "";
  const out = new Map<string, Param>();
  for (const m of block.matchAll(/^\| `([A-Z_]+)` +\| (\d+) +\| (.*?) +\|$/gm)) {
    out.set(m[1], { name: m[1], value: Number(m[2]), source: m[3] });
  }
  for (const need of CALIBRATION_PARAMS) {
    if (!out.has(need)) throw new Error(`${PARAMS_DOC}: no ${need} in the parameter table`);
  }
  return out;
}

/**
 * The model's rate (MB/s, MB = 10^6 B) for `nsPerPage` at speed 1.0 on `cpu` (a preset's
 * name or its numbers); with `exit`, the victim's own exit, at its share of the CPU beside
 * the background load.
 *
 * @example
 * ```ts
 * import { modelRate } from "./calibration.ts";
 * modelRate(330, { cpu: "sd845-big-max" }); // ≈ 12,412
 * ```
 */
export function modelRate(
  nsPerPage: number,
  on: { cpu: CpuPresetName | Readonly<CpuPreset>; exit?: boolean },
): number {
  const cpu = typeof on.cpu === "string" ? CPU_PRESETS[on.cpu] : on.cpu;
  const share = on.exit ? exitShare(cpu) : 1;
  return PAGE_SIZE * cpuSpeedRatio(cpu) * share / nsPerPage * 1e3;
}

/** How far a model's rate is from a measured one, as a factor ≥ 1 either way. */
export function offBy(model: number, measured: number): number {
  return Math.max(model / measured, measured / model);
}

/** The rate a run achieved: the slope between 10% and 90% freed (MB/s). */
export function simulatedRate(run: RunRecord): number | null {
  if (run.t10_ns === null || run.t90_ns === null || run.t90_ns <= run.t10_ns) return null;
  return 0.8 * run.reclaimable_pages * PAGE_SIZE / (run.t90_ns - run.t10_ns) * 1e3;
}

/** One size of `deno task calibrate`'s measurements (schema `mrelease-lab/calibration@1`). */
export interface HostSize {
  /** The victim's anonymous memory, MiB. */
  mib: number;
  /** process_mrelease's measured rate, MB/s. */
  mrelease_mbps: number;
  /** The victim's own exit: wall time from SIGKILL to exit, ms. */
  exit_ms: number;
}

/** What `docs/calibration/host.json` holds. */
export type HostFile =
  | {
    /** The calibrate tool's own schema, read field by field. */
    kind: "calibration@1";
    /** When, on what. */
    measured: string;
    /** The host kernel's release. */
    kernel: string;
    /** CPU model and count. */
    cpu: string;
    /** Runs per size (the tool reports medians). */
    runs: number | null;
    /** Per size. */
    sizes: HostSize[];
    /** The tool's fitted rates over all sizes, MB/s. */
    fit: { mrelease_mbps: number | null; exit_mbps: number | null };
    /** The `host-measured` CPU: the lab's CPU that reaps at this host's rate. */
    profile: CpuPreset | null;
  }
  | {
    /** An unknown format: its numeric fields. */
    kind: "generic";
    /** The rate-like fields (MB/s, rates), or every numeric field when none looks like one. */
    fields: { path: string; value: number }[];
    /** Whether a field measured the reaping path or the victim's exit, when its name says. */
    path: ("reap" | "exit" | null)[];
  };

/**
 * Reads `docs/calibration/host.json` if it exists; null when it does not. The calibrate
 * tool's schema (`mrelease-lab/calibration@1`) is read field by field; any other content
 * is shown as its numeric fields.
 *
 * @example
 * ```ts
 * import { readHost } from "./calibration.ts";
 * const host = await readHost(".");
 * console.log(host === null ? "absent" : host.kind);
 * ```
 */
export async function readHost(root: string): Promise<HostFile | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${root}/${HOST_JSON}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const json = JSON.parse(text);
  const num = (v: unknown): number | null => typeof v === "number" && Number.isFinite(v) ? v : null;
  if (json?.schema === "mrelease-lab/calibration@1" && Array.isArray(json.sizes)) {
    const sizes: HostSize[] = [];
    for (const x of json.sizes) {
      const mib = num(x?.mib), mbps = num(x?.mrelease?.mbps), exit = num(x?.exit_ms);
      if (mib !== null && mbps !== null && exit !== null) {
        sizes.push({ mib, mrelease_mbps: mbps, exit_ms: exit });
      }
    }
    return {
      kind: "calibration@1",
      measured: String(json.measured ?? "?"),
      kernel: String(json.kernel ?? "?"),
      cpu: `${json.cpu?.model ?? "?"} × ${json.cpu?.count ?? "?"}`,
      runs: num(json.runs),
      sizes,
      fit: { mrelease_mbps: num(json.fit?.mrelease_mbps), exit_mbps: num(json.fit?.exit_mbps) },
      profile: hostProfile(json.profile, num),
    };
  }
  const all: { path: string; value: number }[] = [];
  const walk = (v: unknown, path: string) => {
    if (all.length >= 200) return;
    if (typeof v === "number" && Number.isFinite(v)) all.push({ path, value: v });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    }
  };
  walk(json, "");
  const rateLike = all.filter((f) => /mb.?s|mbps|per_s|rate|bytes_per/i.test(f.path));
  const fields = (rateLike.length > 0 ? rateLike : all).slice(0, 24);
  const path = fields.map((f) =>
    /reap|mrelease|oom|expedit/i.test(f.path)
      ? "reap" as const
      : /exit|kill|munmap|normal/i.test(f.path)
      ? "exit" as const
      : null
  );
  return { kind: "generic", fields, path };
}

function hostProfile(
  p: { capacity?: unknown; freq_mhz?: unknown; max_freq_mhz?: unknown } | undefined,
  num: (v: unknown) => number | null,
): CpuPreset | null {
  const capacity = num(p?.capacity), freq_mhz = num(p?.freq_mhz), max = num(p?.max_freq_mhz);
  if (capacity === null || freq_mhz === null || max === null) return null;
  if (capacity <= 0 || freq_mhz <= 0 || max < freq_mhz) return null;
  return { capacity, freq_mhz, max_freq_mhz: max };
}
