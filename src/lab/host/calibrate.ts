/**
 * `deno task calibrate`: measures on this host (docs/host.md)
 *
 * - the rate at which process_mrelease releases private anon memory (MB/s, MB = 10^6 B),
 *   on a frozen, SIGKILLed victim, so that the caller does all of it;
 * - the rate at which a SIGKILLed victim releases it by itself (kill → its pidfd polls
 *   readable), from the slope over sizes, so the fixed cost of exiting drops out;
 * - the caller's CPU time per GiB reaped (CLOCK_THREAD_CPUTIME_ID; getrusage's
 *   RUSAGE_THREAD beside it);
 *
 * by size, the median of several runs, one victim at a time, and writes them with the
 * simulator's prediction for the same victims to `docs/calibration/host.json`, with a
 * `host-measured` CPU profile (capacity, freq_mhz, max_freq_mhz) a scenario can use.
 *
 * @module
 */

import { COST_MODEL, type Design, PAGE_SIZE } from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import { runScenario } from "../../engine/run/mod.ts";
import {
  CPU_PRESETS,
  type CpuPreset,
  exitShare,
  type Scenario,
  validateScenario,
} from "../../engine/scenario/mod.ts";
import { mergedOnHost } from "./designs.ts";
import { readText } from "./ffi.ts";
import { kernelRelease } from "./observe.ts";
import { runHost } from "./run.ts";
import { HOST_KERNEL } from "./support.ts";
import { buildHostWorld } from "./worlds.ts";
import type { ThpCalibration } from "./calibrate_thp.ts";

/** The model's reference rates (wasm/src/params.rs), MB/s at speed 1.0. */
export const MODEL = {
  /** From REAP_NS_PER_PAGE. */
  reapMBps: PAGE_SIZE / COST_MODEL.REAP_NS_PER_PAGE * 1000,
  /** From EXIT_UNMAP_NS_PER_PAGE, at the exit's share of the CPU beside the background load. */
  exitMBps: PAGE_SIZE / COST_MODEL.EXIT_UNMAP_NS_PER_PAGE * 1000 * exitShare(CPU_PRESETS.host),
};

/** One size's medians. */
export interface SizeFigures {
  /** Victim size, MiB. */
  mib: number;
  /** process_mrelease: wall time (ms), rate (MB/s), caller CPU (ms), pages it freed. */
  mrelease: {
    ms: number;
    mbps: number;
    cpu_ms: number;
    rusage_ms: number;
    freed_pages: number;
  };
  /** zoneinfo free pages gained over the call (noisy: the whole machine). */
  zone_free_delta_pages: number;
  /** SIGKILL alone: kill → exited (ms). */
  exit_ms: number;
  /** The simulator (host preset, speed 1.0): process_mrelease's call and the exit's t100 (ms). */
  model: { mrelease_ms: number; mrelease_cpu_ms: number; exit_t100_ms: number | null };
}

/** docs/calibration/host.json. */
export interface Calibration {
  /** "mrelease-lab/calibration@1". */
  schema: "mrelease-lab/calibration@1";
  /** When (ISO date). */
  measured: string;
  /** The kernel release. */
  kernel: string;
  /** /proc/cpuinfo's model name, and how many CPUs. */
  cpu: { model: string; count: number };
  /** Runs per size. */
  runs: number;
  /** Per size. */
  sizes: SizeFigures[];
  /** Rates fitted over the sizes (MB/s), and CPU per GiB (ms). */
  fit: {
    mrelease_mbps: number;
    exit_mbps: number;
    exit_fixed_ms: number;
    mrelease_cpu_ms_per_gib: number;
  };
  /** The model's reference rates at speed 1.0 (MB/s). */
  model: { reap_mbps: number; exit_mbps: number };
  /**
   * The CPU profile whose speed reproduces the measured reap rate: speed = rate / the
   * model's 12,412 MB/s at speed 1.0, as capacity at full frequency; capped at 1024 (speed
   * 1.0), the scale's top, with the excess in `speed`.
   */
  profile: {
    label: "host-measured";
    capacity: number;
    freq_mhz: number;
    max_freq_mhz: number;
    speed: number;
  };
  /** Transparent huge pages (calibrate_thp.ts), when measured. */
  thp?: ThpCalibration;
}

/** The median of `xs`. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Least squares y = a + b x. */
export function fitLine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) sxy += (xs[i] - mx) * (ys[i] - my), sxx += (xs[i] - mx) ** 2;
  const b = sxx ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/** The design calibrated: the merged proposal whose caller reaps, as the host kernel has it. */
export function reaper(): Design {
  const d = mergedOnHost().find((d) => d.reaper === "caller");
  if (!d) throw new Error("calibrate: no merged design whose caller reaps is registered");
  return d;
}

/** The baseline whose victim frees its own memory when killed: kill and wait. */
function killAndWait(): Design {
  const d = designs().find((d) => d.kind === "baseline" && d.reaper === "victim" && d.stock);
  if (!d) throw new Error("calibrate: no baseline whose victim frees its own memory");
  return d;
}

/**
 * The world calibrate measures: a victim of `mib` MiB of private anon, resident, frozen (for
 * the reaper) or sleeping; on the `host` preset's two CPUs, or on `cpu` (the host-measured
 * profile, to compare the model with this host as test/calibration_fit_test.ts does); `thp`
 * makes the memory transparent huge pages (calibrate_thp.ts).
 *
 * @example
 * ```ts
 * import { calibrationWorld } from "./calibrate.ts";
 * const cpu = { capacity: 831, freq_mhz: 1000, max_freq_mhz: 1000 };
 * const s = calibrationWorld(64, { state: "S", cpu });
 * ```
 */
export function calibrationWorld(
  mib: number,
  { state, cpu, thp }: { state: "frozen" | "S"; cpu?: Readonly<CpuPreset>; thp?: boolean },
): Scenario {
  const pages = mib * 2 ** 20 / PAGE_SIZE;
  const world = buildHostWorld({
    name: `calibrate-${mib}${thp ? "-thp" : ""}`,
    description: "calibration",
    vmas: [{ kind: "anon", size_pages: pages, resident_pages: pages, thp }],
    threads: 1,
    state,
    horizon_ms: 60_000,
  });
  if (cpu) world.cpus = [0, 1].map((i) => ({ ...cpu, label: `host${i}` }));
  return validateScenario(world);
}

/** The reaper's call on a frozen victim, killed first by its recipe: the caller frees it all. */
export async function oneMrelease(mib: number, thp = false): Promise<{
  ms: number;
  mbps: number;
  cpu_ms: number;
  rusage_ms: number;
  freed_pages: number;
  zone: number;
}> {
  const o = await runHost(calibrationWorld(mib, { state: "frozen", thp }), { design: reaper() });
  const call = o.calls.at(-1)!;
  if (o.ret !== 0) throw new Error(`${call.name}: ${o.errno}`);
  const freed = o.memory.freed_pages * PAGE_SIZE;
  return {
    ms: call.wall_ns / 1e6,
    mbps: freed / (call.wall_ns / 1e9) / 1e6,
    cpu_ms: call.cpu_ns / 1e6,
    rusage_ms: call.rusage_ns / 1e6,
    freed_pages: o.memory.freed_pages,
    zone: o.memory.zone_free_delta_pages,
  };
}

/** SIGKILL alone on a sleeping victim: kill → its pidfd polls readable (ms). */
export async function oneExit(mib: number, thp = false): Promise<number> {
  const o = await runHost(calibrationWorld(mib, { state: "S", thp }), { design: killAndWait() });
  if (o.exit.after_ns === null) throw new Error("the victim did not exit");
  return o.exit.after_ns / 1e6;
}

/** The simulator's figures for the same victims (host preset). */
export function modelFor(mib: number, thp = false): SizeFigures["model"] {
  const m = runScenario(calibrationWorld(mib, { state: "frozen", thp }), {
    design: reaper(),
    kernel: HOST_KERNEL,
  }).outcome;
  const e = runScenario(calibrationWorld(mib, { state: "S", thp }), {
    design: killAndWait(),
    kernel: HOST_KERNEL,
  }).outcome;
  return {
    mrelease_ms: (m.calls.at(-1)?.duration_ns ?? 0) / 1e6,
    mrelease_cpu_ms: m.cpu_ns.caller / 1e6,
    exit_t100_ms: e.memory.t100_ns === null ? null : e.memory.t100_ns / 1e6,
  };
}

/** Measures; `log` gets a line per size. */
export async function calibrate(
  opts: { sizesMiB: number[]; runs: number; log?: (line: string) => void },
): Promise<Calibration> {
  const sizes: SizeFigures[] = [];
  const exitXs: number[] = [], exitYs: number[] = [];
  const mrXs: number[] = [], mrYs: number[] = [];
  for (const mib of opts.sizesMiB) {
    const mr = [];
    const ex = [];
    for (let i = 0; i < opts.runs; i++) mr.push(await oneMrelease(mib));
    for (let i = 0; i < opts.runs; i++) ex.push(await oneExit(mib));
    const f: SizeFigures = {
      mib,
      mrelease: {
        ms: median(mr.map((x) => x.ms)),
        mbps: median(mr.map((x) => x.mbps)),
        cpu_ms: median(mr.map((x) => x.cpu_ms)),
        rusage_ms: median(mr.map((x) => x.rusage_ms)),
        freed_pages: median(mr.map((x) => x.freed_pages)),
      },
      zone_free_delta_pages: median(mr.map((x) => x.zone)),
      exit_ms: median(ex),
      model: modelFor(mib),
    };
    sizes.push(f);
    for (const x of mr) mrXs.push(x.freed_pages * PAGE_SIZE / 1e6), mrYs.push(x.ms);
    for (const y of ex) exitXs.push(mib * 1.048576), exitYs.push(y);
    opts.log?.(
      `${String(mib).padStart(5)} MiB  mrelease ${f.mrelease.ms.toFixed(2)} ms (${
        f.mrelease.mbps.toFixed(0)
      } MB/s, cpu ${f.mrelease.cpu_ms.toFixed(2)} ms; model ${
        f.model.mrelease_ms.toFixed(2)
      } ms)  exit ${f.exit_ms.toFixed(2)} ms (model t100 ${
        f.model.exit_t100_ms?.toFixed(2) ?? "-"
      } ms)`,
    );
  }
  const mrFit = fitLine(mrXs, mrYs);
  const exFit = fitLine(exitXs, exitYs);
  const mreleaseMBps = 1000 / mrFit.b;
  const cpuPerGib = median(sizes.map((s) => s.mrelease.cpu_ms / (s.mib / 1024)));
  const speed = mreleaseMBps / MODEL.reapMBps;
  const cpuinfo = readText("/proc/cpuinfo") ?? "";
  return {
    schema: "mrelease-lab/calibration@1",
    measured: new Date().toISOString().slice(0, 10),
    kernel: kernelRelease().release,
    cpu: {
      model: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
      count: (cpuinfo.match(/^processor\s*:/gm) ?? []).length,
    },
    runs: opts.runs,
    sizes,
    fit: {
      mrelease_mbps: Math.round(mreleaseMBps),
      exit_mbps: Math.round(1000 / exFit.b),
      exit_fixed_ms: Number(exFit.a.toFixed(3)),
      mrelease_cpu_ms_per_gib: Number(cpuPerGib.toFixed(2)),
    },
    model: { reap_mbps: Math.round(MODEL.reapMBps), exit_mbps: Math.round(MODEL.exitMBps) },
    profile: {
      label: "host-measured",
      capacity: Math.max(1, Math.min(1024, Math.round(1024 * speed))),
      freq_mhz: 1000,
      max_freq_mhz: 1000,
      speed: Number(speed.toFixed(3)),
    },
  };
}

/** The committed measurement the review shows (`--out docs/calibration/host.json` updates it). */
export const COMMITTED_PROFILE = new URL("../../../docs/calibration/host.json", import.meta.url);

/**
 * Where `deno task calibrate` writes by default, outside the repository so a measurement
 * never dirties it: `$XDG_CACHE_HOME/mrelease-lab/host.json`, else
 * `$HOME/.cache/mrelease-lab/host.json`; undefined when neither variable can be read.
 *
 * @example
 * ```ts
 * import { userProfilePath } from "./calibrate.ts";
 * userProfilePath({ XDG_CACHE_HOME: "/c" }); // "/c/mrelease-lab/host.json"
 * ```
 */
export function userProfilePath(
  env: Record<string, string | undefined> = readProfileEnv(),
): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? `${env.HOME}/.cache` : undefined);
  return base === undefined ? undefined : `${base}/mrelease-lab/host.json`;
}

function readProfileEnv(): Record<string, string | undefined> {
  const get = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // no --allow-env for it
    }
  };
  return { XDG_CACHE_HOME: get("XDG_CACHE_HOME"), HOME: get("HOME") };
}

/**
 * The `host-measured` CPU of this host's calibration, as a scenario's `cpus` entry
 * (explicit numbers), or null when there is no calibration: the profile `deno task
 * calibrate` wrote where it writes by default ({@linkcode userProfilePath}), else the
 * committed one (docs/calibration/host.json).
 *
 * @example
 * ```ts
 * import { hostMeasuredCpu } from "./calibrate.ts";
 * const cpu = await hostMeasuredCpu(); // { capacity, freq_mhz, max_freq_mhz, label }
 * ```
 */
export async function hostMeasuredCpu(
  path?: string | URL,
): Promise<{ capacity: number; freq_mhz: number; max_freq_mhz: number; label: string } | null> {
  if (path === undefined) {
    const user = userProfilePath();
    return (user === undefined ? null : await hostMeasuredCpu(user)) ??
      await hostMeasuredCpu(COMMITTED_PROFILE);
  }
  try {
    const c = JSON.parse(await Deno.readTextFile(path)) as Calibration;
    const p = c.profile;
    return {
      capacity: p.capacity,
      freq_mhz: p.freq_mhz,
      max_freq_mhz: p.max_freq_mhz,
      label: p.label,
    };
  } catch {
    return null;
  }
}
