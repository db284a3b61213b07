/**
 * Chart specifications in Vega-Lite (https://vega.github.io/vega-lite/): data and encoding
 * only, no rendering. The playground (src/lab/web/) compiles them with `vega-lite` and draws
 * them with `vega` in the browser, where hovering shows the values; the same spec renders to
 * SVG under Deno with the same two libraries.
 *
 * @example
 * ```ts
 * import { lineChartSpec } from "./mod.ts";
 * const spec = lineChartSpec({
 *   title: "Memory freed over time",
 *   x: { label: "time after the kill", unit: "ms" },
 *   y: { label: "victim memory freed", unit: "MiB" },
 *   series: [{ label: "sigkill", points: [[0, 0], [500, 512]] }],
 *   step: true,
 * });
 * console.log(spec.layer.length);
 * ```
 *
 * @module
 */

/** One axis: what it shows and in which unit. */
export interface ChartAxis {
  /** What the axis shows ("time after the kill"). */
  readonly label: string;
  /** Its unit ("ms", "MiB"). */
  readonly unit: string;
}

/** One line of a line chart: its legend label and its (x, y) points in axis units. */
export interface LineSeries {
  /** The legend label (a design, `name@variant`). */
  readonly label: string;
  /** The points, in order of x. */
  readonly points: readonly (readonly [number, number])[];
  /**
   * Its colour; the chart uses these when every series has one (the review's colour of the
   * design, so one colour means one design in the review and the playground alike).
   */
  readonly color?: string;
}

/** What {@linkcode lineChartSpec} draws. */
export interface LineChartOptions {
  /** The chart's title. */
  readonly title: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** The x axis. */
  readonly x: ChartAxis;
  /** The y axis. */
  readonly y: ChartAxis;
  /** One line per series, each its own colour, in legend order. */
  readonly series: readonly LineSeries[];
  /** Hold each value until the next point (memory comes back in steps). */
  readonly step?: boolean;
  /** Width in pixels, or "container" to follow the element the chart is drawn in. */
  readonly width?: number | "container";
  /** Height in pixels. */
  readonly height?: number;
}

/** One row of a line chart's data: a series' point. */
export interface LineRow {
  /** The series' label. */
  readonly series: string;
  /** x, in the x axis' unit. */
  readonly x: number;
  /** y, in the y axis' unit. */
  readonly y: number;
}

/** A Vega-Lite specification, as JSON (the `$schema` names its version). */
export type VegaLiteSpec = Record<string, unknown> & { readonly layer: readonly unknown[] };

/** The Vega-Lite schema the specs are written for (vega-lite 6). */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** The name of the data set a line chart's rows are in (the view's `data(...)`). */
export const LINE_DATA = "series";

/**
 * A line chart, one line per series, with the values under the pointer shown on hover: the
 * nearest point is marked and its series, x and y are written beside it.
 */
export function lineChartSpec(opts: LineChartOptions): VegaLiteSpec {
  const rows: LineRow[] = opts.series.flatMap((s) =>
    s.points.map(([x, y]) => ({ series: s.label, x, y }))
  );
  const xTitle = `${opts.x.label} (${opts.x.unit})`;
  const yTitle = `${opts.y.label} (${opts.y.unit})`;
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    sort: opts.series.map((s) => s.label),
    legend: { orient: "bottom", columns: 2, labelLimit: 320 },
    ...(opts.series.every((s) => s.color !== undefined)
      ? {
        scale: { domain: opts.series.map((s) => s.label), range: opts.series.map((s) => s.color) },
      }
      : {}),
  };
  const x = { field: "x", type: "quantitative", title: xTitle };
  const y = { field: "y", type: "quantitative", title: yTitle };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: opts.subtitle === undefined ? opts.title : { text: opts.title, subtitle: opts.subtitle },
    width: opts.width ?? 640,
    height: opts.height ?? 280,
    data: { name: LINE_DATA, values: rows },
    encoding: { x, y, color },
    layer: [
      {
        mark: {
          type: "line",
          interpolate: opts.step ? "step-after" : "linear",
          strokeWidth: 2,
        },
      },
      {
        mark: { type: "point", filled: true, size: 60 },
        params: [{
          name: "hover",
          select: { type: "point", on: "pointerover", nearest: true, clear: "pointerout" },
        }],
        encoding: {
          opacity: { condition: { param: "hover", empty: false, value: 1 }, value: 0 },
          tooltip: [
            { field: "series", type: "nominal", title: "design" },
            { field: "x", type: "quantitative", title: xTitle, format: ",.3~f" },
            { field: "y", type: "quantitative", title: yTitle, format: ",.1f" },
          ],
        },
      },
      {
        // The hovered point's values, written beside it (no tooltip library needed).
        transform: [
          { filter: { param: "hover", empty: false } },
          {
            calculate: `datum.series + ": " + format(datum.y, ",.1f") + " ${opts.y.unit} at " + ` +
              `format(datum.x, ",.3~f") + " ${opts.x.unit}"`,
            as: "label",
          },
        ],
        mark: { type: "text", align: "left", dx: 8, dy: -8, fontWeight: "bold" },
        encoding: { text: { field: "label", type: "nominal" }, color: { value: "black" } },
      },
    ],
  };
}
