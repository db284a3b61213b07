/**
 * The review's charts: what each one plots from the measurements, and a design's colour,
 * dash and marker, which stay the same in every chart: assigned by the design's place in the
 * registry, so one colour means one design everywhere. A run of a design in another setting
 * (an older kernel, a single-threaded victim) keeps the design's colour and marker, with a
 * thinner dotted line and filled markers.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import { CGROUP_MEMBER_MIB, HEADLINE_POINT, REPORT_SEED, type Unit } from "./experiments.ts";
import type { RunRecord } from "./measure.ts";
import type { Results } from "./results.ts";
import { KILLS_SHARERS, MERGED, OOM_KILLER, playing } from "./roles.ts";
import { barChart, DASHES, lineChart, MARKERS, PALETTE, type Series } from "./svg.ts";
import { designNames } from "./tables.ts";
import { duration, pages } from "./_format.ts";

/** Chart file names. */
export const CHARTS = {
  memory: "memory-over-time.svg",
  cpu: "cpu-by-context.svg",
  dstate: "t90-vs-dstate.svg",
  sizeLittle: "t90-vs-size-little.svg",
  sizeBig: "t90-vs-size-big.svg",
  cgroup: "t90-vs-cgroup-size.svg",
  walk: "walk-cost-vs-processes.svg",
} as const;

/** The dash of a design's run in another setting. */
const VARIANT_DASH = "2 2";

/**
 * A design's colour, dash and marker: by its place in the registry, the same in every chart;
 * `variant` for its run in another setting (same colour and marker, dotted, filled).
 *
 * @example
 * ```ts
 * import { designStyle } from "./charts.ts";
 * import { designNames } from "./tables.ts";
 * designStyle(designNames()[0]).color; // "#0072B2"
 * ```
 */
export function designStyle(
  design: string,
  variant = false,
): Pick<Series, "color" | "dash" | "marker" | "variant"> {
  const names = designNames();
  const i = names.includes(design) ? names.indexOf(design) : names.length;
  return {
    color: PALETTE[i % PALETTE.length],
    dash: variant ? VARIANT_DASH : DASHES[i % DASHES.length],
    marker: MARKERS[i % MARKERS.length],
    variant,
  };
}

/** A run's style: its design's, as a variant when its label is not the design's name. */
function style(run: RunRecord): Pick<Series, "color" | "dash" | "marker" | "variant"> {
  return designStyle(run.design, run.label !== run.design);
}

/** One line per label: t90 (ms) of each unit's run, against `x` of the unit. */
function t90Series(
  r: Results,
  units: readonly Unit[],
  opts: { labels: readonly string[]; x: (u: Unit) => number },
): Series[] {
  return opts.labels.map((l) => ({
    label: l,
    ...style(r.run(units[0].point.name, l)),
    points: units.map((u) => [opts.x(u), (r.run(u.point.name, l).t90_ns ?? NaN) / 1e6] as const),
  }));
}

/** t90 against the victim's D sleep (the victim-state family's `state-d-*ms`). */
export function dstateChart(r: Results, opts: { units: Unit[]; labels: string[] }): string {
  return lineChart({
    title: "Time to free 90% against the victim's D-state sleep",
    subtitle: "512 MiB app on little cores at 300 MHz, leader in D until d ms (state-d-*ms)",
    x: { label: "victim's D sleep d", unit: "ms", log: true },
    y: { label: "time to free 90% after the kill", unit: "ms", log: true },
    series: t90Series(r, opts.units, {
      labels: opts.labels,
      x: (u) => u.point.params.d_ms as number,
    }),
  });
}

/** Memory freed over time in the headline scenario, one step line per run. */
export function memoryChart(r: Results): string {
  const runs = r.point(HEADLINE_POINT).runs;
  const tEnd = Math.max(...runs.map((x) => x.t100_ns ?? 0)) / 1e6;
  const series: Series[] = runs.map((x) => {
    const points = (x.curve ?? []).map(([t, p]): [number, number] => [t / 1e6, p * MIB_PER_PAGE]);
    // Hold the last level to the end of the plot.
    const last = points[points.length - 1];
    if (last && last[0] < tEnd * 1.05) points.push([Math.ceil(tEnd * 1.05), last[1]]);
    return {
      label: x.label,
      ...style(x),
      markers: false,
      marks: x.t90_ns === null ? [] : [[x.t90_ns / 1e6, 0.9 * x.reclaimable_pages * MIB_PER_PAGE]],
      step: true,
      points,
      title: `${x.label}: ${pages(x.freed_pages)} of ${pages(x.reclaimable_pages)} freed; ` +
        `50% at ${duration(x.t50_ns)}, 90% at ${duration(x.t90_ns)}, all at ${duration(x.t100_ns)}`,
    };
  });
  return lineChart({
    title: "Memory freed over time, per design (a marker at 90%)",
    subtitle: `${HEADLINE_POINT}: 512 MiB app in D until 500 ms on a little core at 300 MHz`,
    x: { label: "time after the kill", unit: "ms" },
    y: { label: "victim memory freed", unit: "MiB" },
    series,
  });
}

/** A page in MiB. */
const MIB_PER_PAGE = PAGE_SIZE / 2 ** 20;

/** CPU time charged to the caller, the victim and kernel threads in the headline scenario. */
export function cpuChart(r: Results): string {
  const runs = r.point(HEADLINE_POINT).runs;
  return barChart({
    title: "CPU time charged to the caller, the victim and kernel threads",
    subtitle: `${HEADLINE_POINT} (seed ${REPORT_SEED}): whose context ran the freeing`,
    categories: runs.map((x) => x.label),
    categoryAxis: "design",
    stacks: [
      {
        label: "caller (lmkd_reaper0, big core)",
        values: runs.map((x) => x.cpu_ns.caller / 1e6),
      },
      {
        label: "victim's threads (little core)",
        values: runs.map((x) => x.cpu_ns.victim / 1e6),
      },
      {
        label: `kernel threads (${playing(OOM_KILLER).name})`,
        values: runs.map((x) => x.cpu_ns.kthreads / 1e6),
      },
    ],
    value: { label: "CPU time", unit: "ms" },
  });
}

/** t90 against the victim's size, with its threads on the `cpus` cores. */
export function sizeChart(
  r: Results,
  opts: { units: Unit[]; labels: string[]; cpus: "little" | "big" },
): string {
  return lineChart({
    title: `Time to free 90% against victim size (${String(opts.units[0].point.params.placement)})`,
    subtitle: `running app, killed at 1 ms by lmkd_reaper0 on a big core (size-*mib-${opts.cpus})`,
    x: { label: "victim's anonymous memory", unit: "MiB", log: true },
    y: { label: "time to free 90% after the kill", unit: "ms", log: true },
    series: t90Series(r, opts.units, {
      labels: opts.labels,
      x: (u) => u.point.params.size_mib as number,
    }),
  });
}

/** t90 of a whole cgroup's memory against the number of processes killed together. */
export function cgroupChart(r: Results, opts: { units: Unit[]; labels: string[] }): string {
  return lineChart({
    title: "A cgroup of N killed together, reaped one by one",
    subtitle: `N apps of ${CGROUP_MEMBER_MIB} MiB on little cores at 300 MHz; time until ` +
      `90% of all N·${CGROUP_MEMBER_MIB} MiB is back (cgroup-N)`,
    x: { label: "processes in the cgroup N", unit: "processes", log: true },
    y: { label: "time to free 90% after the kill", unit: "ms", log: true },
    series: t90Series(r, opts.units, { labels: opts.labels, x: (u) => u.point.params.n as number }),
  });
}

/** The extra caller CPU (µs) of `label`'s call on a unit, against the smallest world. */
export type WalkCost = (u: Unit, label: string) => number;

/** The walk's cost against the number of processes, for 4-thread and 1-thread victims. */
export function walkChart(
  opts: { multi: Unit[]; single: Unit[]; labels: string[]; extra: WalkCost },
): string {
  const { multi, single, extra } = opts;
  const series: Series[] = opts.labels.map((l) => ({
    label: `${l} (4 threads)`,
    ...designStyle(l),
    points: multi.map((u) => [u.point.params.processes as number, extra(u, l)] as const),
  }));
  // The single-threaded victim's lines: the merged design's (which skips the walk) and the
  // sharer killer's (which cannot), in their designs' colours.
  for (const l of [playing(MERGED).name, playing(KILLS_SHARERS).name]) {
    series.push({
      label: `${l} (single-threaded victim)`,
      ...designStyle(l, true),
      points: single.map((u) => [u.point.params.processes as number, extra(u, l)] as const),
    });
  }
  return lineChart({
    title: "Cost of task_will_free_mem()'s walk against the number of processes",
    subtitle: "caller CPU per call beyond the 100-process world with a single-threaded " +
      "victim (world-N-procs-*)",
    x: { label: "processes in the world", unit: "processes" },
    y: { label: "extra caller CPU time per call", unit: "µs" },
    series,
  });
}
