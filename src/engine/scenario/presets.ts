/**
 * CPU presets, calibrated against the only measured reap rates in the record:
 * the 2019 RFC's Snapdragon 845 numbers (reference E.4).
 *
 * The lab's effective CPU speed (relative to a 1024-capacity core at its
 * maximum frequency) is
 *
 *     speed = capacity / 1024 * (M + (1 - M) * freq_mhz / max_freq_mhz)
 *
 * with M = {@linkcode FREQ_INDEPENDENT_FRACTION} = 0.258: the part of the
 * page-freeing cost that does not scale with the core clock (memory and
 * cache-miss bound work). M is fitted to the "expedited" (oom_reaper) column,
 * because that is the path the proposals run:
 *
 * - big core: 6144 MB/s at 800 MHz vs 12398 MB/s at 2500 MHz; the ratio
 *   0.4956 = M + (1 - M) * 0.32 gives M = 0.2582;
 * - little core: 3236 MB/s at 300 MHz vs 8144 MB/s at 1600 MHz; the ratio
 *   0.3974 = M + (1 - M) * 0.1875 gives M = 0.2583.
 *
 * Both core types give the same M, which is what makes one formula fit. The
 * little core's capacity is its max-frequency rate relative to the big one:
 * 1024 * 8144 / 12398 = 672.6, so 673.
 * @module
 */

import { COST_MODEL } from "../../core/mod.ts";

/** Names of the CPU presets. */
export type CpuPresetName =
  | "sd845-big-max"
  | "sd845-big-min"
  | "sd845-little-max"
  | "sd845-little-min"
  | "host";

/** The numbers a preset stands for. */
export interface CpuPreset {
  /** Linux cpu_capacity scale (1024 = the biggest core at its max frequency). */
  capacity: number;
  /** Operating frequency. */
  freq_mhz: number;
  /** The core's maximum frequency. */
  max_freq_mhz: number;
}

/** The fraction of reap cost that does not scale with frequency (see module doc). */
export const FREQ_INDEPENDENT_FRACTION: number = COST_MODEL.MEMORY_BOUND_PER_MILLE / 1000;

/** The presets, by name. */
export const CPU_PRESETS: Readonly<Record<CpuPresetName, Readonly<CpuPreset>>> = {
  // Snapdragon 845 big (Kryo 385 Gold) at 2.5 GHz: the 1024 reference.
  "sd845-big-max": { capacity: 1024, freq_mhz: 2500, max_freq_mhz: 2500 },
  // The same core held at its lowest operating point (powersave governor).
  "sd845-big-min": { capacity: 1024, freq_mhz: 800, max_freq_mhz: 2500 },
  // Snapdragon 845 little (Kryo 385 Silver) at 1.6 GHz.
  "sd845-little-max": { capacity: 673, freq_mhz: 1600, max_freq_mhz: 1600 },
  // The little core at 300 MHz: the worst case Android must budget for.
  "sd845-little-min": { capacity: 673, freq_mhz: 300, max_freq_mhz: 1600 },
  // A neutral full-speed CPU for tests that do not care about calibration.
  "host": { capacity: 1024, freq_mhz: 1000, max_freq_mhz: 1000 },
};

/** Preset names in documentation order. */
export const CPU_PRESET_NAMES: readonly CpuPresetName[] = Object.keys(
  CPU_PRESETS,
) as CpuPresetName[];

/**
 * The lab's effective speed of a CPU relative to a 1024-capacity core at its
 * maximum frequency (1.0). Reap time scales with its inverse.
 *
 * @example
 * ```ts
 * import { CPU_PRESETS, cpuSpeedRatio } from "./presets.ts";
 * cpuSpeedRatio(CPU_PRESETS["sd845-big-min"]); // ≈ 0.4956 (6144/12398)
 * ```
 */
export function cpuSpeedRatio(cpu: Readonly<CpuPreset>): number {
  const freq_ratio = cpu.freq_mhz / cpu.max_freq_mhz;
  return cpu.capacity / 1024 *
    (FREQ_INDEPENDENT_FRACTION + (1 - FREQ_INDEPENDENT_FRACTION) * freq_ratio);
}

/**
 * The share of a CPU that an exiting SCHED_OTHER task gets beside the background load the
 * cost model assumes (wasm/src/params.rs `exit_share_ppm`: BACKGROUND_LOAD_PER_MILLE,
 * BACKGROUND_SHARE_MIN_PER_MILLE): 1 - load/speed, at least the background cgroup's share.
 * The victim's own exit frees memory at its speed times this share.
 *
 * @example
 * ```ts
 * import { CPU_PRESETS, exitShare } from "./presets.ts";
 * exitShare(CPU_PRESETS["sd845-little-min"]); // ≈ 0.14: the load takes the rest
 * ```
 */
export function exitShare(cpu: Readonly<CpuPreset>): number {
  const load = COST_MODEL.BACKGROUND_LOAD_PER_MILLE / 1000;
  return Math.max(1 - load / cpuSpeedRatio(cpu), COST_MODEL.BACKGROUND_SHARE_MIN_PER_MILLE / 1000);
}
