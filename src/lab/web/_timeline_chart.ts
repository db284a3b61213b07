/**
 * The per-CPU timeline as a Vega-Lite chart: one lane per CPU (who ran) and per thread
 * (syscalls, mmap_lock waits, exit_mmap, reaping, page frees), coloured by what a bar is;
 * hovering shows a bar's lane, name and times; dragging or the wheel zooms the time axis.
 *
 * @module
 */

import { VEGA_LITE_SCHEMA, type VegaLiteSpec } from "../charts/mod.ts";
import type { TimelineBar } from "./_timeline.ts";

/** Where the time axis turns from linear to logarithmic: 10 µs, in ms. */
const SYMLOG_MS = 0.01;

/** Height of one lane, in pixels. */
const LANE_PX = 22;

/** The timeline of one run. */
export function timelineSpec(bars: readonly TimelineBar[], width: number): VegaLiteSpec {
  const lanes = [...new Map(bars.map((b) => [b.lane, b.order]))]
    .sort((a, b) => a[1] - b[1])
    .map(([lane]) => lane);
  const rows = bars.map((b) => ({ ...b, instant: b.end_ms === b.start_ms }));
  const tooltip = [
    { field: "lane", type: "nominal", title: "lane" },
    { field: "kind", type: "nominal", title: "what" },
    { field: "name", type: "nominal", title: "name" },
    { field: "start_ms", type: "quantitative", title: "from (ms)", format: ",.6~f" },
    { field: "end_ms", type: "quantitative", title: "to (ms)", format: ",.6~f" },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    width,
    height: Math.max(1, lanes.length) * LANE_PX,
    data: { values: rows },
    encoding: {
      y: { field: "lane", type: "nominal", sort: lanes, title: null, axis: { labelLimit: 220 } },
      color: {
        field: "kind",
        type: "nominal",
        title: "what",
        legend: { orient: "bottom", columns: 3 },
      },
      tooltip,
    },
    layer: [
      {
        transform: [{ filter: "!datum.instant" }],
        params: [{ name: "zoom", select: "interval", bind: "scales", encodings: ["x"] }],
        mark: { type: "bar", height: LANE_PX - 6 },
        encoding: {
          x: {
            field: "start_ms",
            type: "quantitative",
            title: "simulated time (ms, logarithmic above 10 µs)",
            // A kill takes microseconds and a D-state sleep hundreds of milliseconds: a
            // symmetric log scale shows both.
            scale: { type: "symlog", constant: SYMLOG_MS },
            axis: { tickCount: 8, labelOverlap: true },
          },
          x2: { field: "end_ms" },
        },
      },
      {
        transform: [{ filter: "datum.instant" }],
        mark: { type: "tick", thickness: 2, size: LANE_PX - 6 },
        encoding: { x: { field: "start_ms", type: "quantitative" } },
      },
    ],
  };
}
