/**
 * Small, dependency-free SVG charts for the design review: a line chart (linear or log
 * axes) and a horizontal stacked bar chart. Each has a title, both axes with ticks, tick
 * labels and a label carrying the unit, and a legend; the output is deterministic text
 * (fixed number formatting, no ids from counters or clocks) and well-formed XML.
 *
 * Structure, for tools and tests: the root is `<svg class="chart line-chart|bar-chart">`;
 * `<g class="axis x-axis">` and `<g class="axis y-axis">`
 * hold the axis line, one `<g class="tick">` per tick and a `<text class="axis-label">`;
 * `<g class="series">` per series (`data-label`), every series drawn: its polylines (with a
 * `<title>`) and one `<path class="marker">` per point, whose `<title>` is the point's value
 * and unit; `<g class="legend">` holds one `<g class="legend-entry">` per series or stack;
 * `<g class="overlap-note">`, when lines lie on one another, names them with their values.
 *
 * @module
 */

import { quantity } from "./_format.ts";
import { overlapNotes } from "./overlap.ts";
import { esc, markerPath, MARKERS, type MarkerShape, num } from "./svg_marks.ts";

export { esc, MARKERS, type MarkerShape } from "./svg_marks.ts";

/** An axis. */
export interface Axis {
  /** What is measured, e.g. "time to free 90%". */
  label: string;
  /** Its unit, shown in parentheses: "ms", "MiB", "processes". */
  unit: string;
  /** Logarithmic scale (values must be > 0). */
  log?: boolean;
  /** Force the lower end (default: from the data; 0 for linear axes). */
  min?: number;
  /** Force the upper end (default: from the data). */
  max?: number;
}

/** One line of a line chart. */
export interface Series {
  /** Its legend text. */
  label: string;
  /** `[x, y]` in x order; a null y breaks the line. */
  points: readonly (readonly [number, number | null])[];
  /** Stroke colour (default: from the palette by position). */
  color?: string;
  /** Stroke dash pattern (SVG `stroke-dasharray`), default solid. */
  dash?: string;
  /** Draw a marker at each point (default true). */
  markers?: boolean;
  /** The marker's shape (default: from {@linkcode MARKERS} by position). */
  marker?: MarkerShape;
  /** Filled markers and a thinner line: a variant of another series' design. */
  variant?: boolean;
  /** Draw as steps: hold each value until the next point (default false). */
  step?: boolean;
  /** The line's tooltip (default: its label). */
  title?: string;
  /** Points marked even when `markers` is false (a step curve's 90% point), `[x, y]`. */
  marks?: readonly (readonly [number, number])[];
}

/** A line chart. */
export interface LineChartOptions {
  /** Title above the plot. */
  title: string;
  /** A second, smaller line under the title. */
  subtitle?: string;
  /** The horizontal axis. */
  x: Axis;
  /** The vertical axis. */
  y: Axis;
  /** The lines. */
  series: readonly Series[];
  /** Plot area width in px (default 640). */
  width?: number;
  /** Plot area height in px (default 320). */
  height?: number;
  /**
   * Series whose lines lie within this many px of each other everywhere hide one another:
   * every series is still drawn, and a note under the legend names each such group with
   * their values. Default 1.5; 0: no note.
   */
  overlapWithinPx?: number;
}

/** One segment kind of a stacked bar chart. */
export interface Stack {
  /** Legend text. */
  label: string;
  /** One value per category (>= 0). */
  values: readonly number[];
  /** Fill colour (default: from {@linkcode STACK_COLORS} by position). */
  color?: string;
}

/** A horizontal stacked bar chart: one bar per category, segments per stack. */
export interface BarChartOptions {
  /** Title above the plot. */
  title: string;
  /** A second, smaller line under the title. */
  subtitle?: string;
  /** The bars' names (drawn on the vertical axis). */
  categories: readonly string[];
  /** What the vertical axis lists, e.g. "design". */
  categoryAxis: string;
  /** The segments. */
  stacks: readonly Stack[];
  /** The value axis (horizontal). */
  value: Axis;
  /** Plot area width in px (default 520). */
  width?: number;
}

/**
 * The lines' colours: Okabe-Ito's (distinguishable with the common colour-vision
 * deficiencies) without its grey, then Paul Tol's muted ones. No grey: greys are
 * {@linkcode STACK_COLORS}, so a line's colour always names a design.
 */
export const PALETTE: readonly string[] = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#882255",
  "#44AA99",
  "#999933",
  "#AA4499",
  "#332288",
];

/** The bar chart's segments: greys, which no line uses. */
export const STACK_COLORS: readonly string[] = ["#4D4D4D", "#A0A0A0", "#D6D6D6", "#757575"];

/** Dash patterns that keep overlapping lines apart. */
export const DASHES: readonly string[] = ["", "7 3", "2 3", "9 3 2 3", "4 4", "1 2", "12 4"];

const FONT = 12;
const CHAR_W = 6.8; // average glyph width of a 12 px sans-serif face, for layout only
const LEGEND_ROW = 18;

/**
 * A line chart as an SVG document.
 *
 * @example
 * ```ts
 * import { lineChart } from "./svg.ts";
 * const svg = lineChart({
 *   title: "Reclaim",
 *   x: { label: "time", unit: "ms" },
 *   y: { label: "freed", unit: "MiB" },
 *   series: [{ label: "sigkill", points: [[0, 0], [10, 512]] }],
 * });
 * ```
 */
export function lineChart(opts: LineChartOptions): string {
  const pw = opts.width ?? 640, ph = opts.height ?? 320;
  const xs = opts.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = opts.series.flatMap((s) =>
    s.points.map((p) => p[1]).filter((y): y is number => y !== null)
  );
  const xScale = scale(opts.x, xs, [0, pw]);
  const yScale = scale(opts.y, ys, [ph, 0]);
  const series: DrawnSeries[] = opts.series.map((s, i) => ({
    ...s,
    color: s.color ?? PALETTE[i % PALETTE.length],
    dash: s.dash ?? "",
    marker: s.marker ?? MARKERS[i % MARKERS.length],
    drawn: drawn(s, xScale, yScale),
  }));
  const notes = overlapNotes(series, opts, opts.overlapWithinPx ?? 1.5);
  const yTickW = Math.max(...yScale.ticks.map((t) => fmtTick(t).length)) * CHAR_W;
  const left = Math.ceil(30 + yTickW);
  const top = opts.subtitle ? 56 : 40;
  const legend = legendBlock(
    series.map((s) => ({
      label: s.label,
      swatch: lineSwatch(s, (s.markers ?? true) || (s.marks ?? []).length > 0),
    })),
    left,
    top + ph + 56,
    pw,
  );
  const note = noteBlock(notes, left, top + ph + 56 + legend.height + 8, pw);
  const width = left + pw + 48;
  const height = top + ph + 56 + legend.height + note.height + 8;
  const parts: string[] = [];
  parts.push(header("line-chart", width, height, opts.title, opts.subtitle));
  parts.push(`<g class="plot" transform="translate(${left},${top})">`);
  parts.push(gridLines(xScale.ticks.map(xScale.at), yScale.ticks.map(yScale.at), pw, ph));
  parts.push(xAxis(xScale, opts.x, pw, ph));
  parts.push(yAxis(yScale, opts.y, ph, yTickW));
  parts.push(
    `<clipPath id="plot-area"><rect x="-4" y="-4" width="${pw + 8}" height="${
      ph + 8
    }"/></clipPath>`,
  );
  for (const s of series) {
    parts.push(`<g class="series" data-label="${esc(s.label)}" clip-path="url(#plot-area)">`);
    for (const seg of s.drawn.segments.filter((g) => g.length > 0)) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="${s.variant ? 1.25 : 2}"${
          s.dash ? ` stroke-dasharray="${s.dash}"` : ""
        } points="${seg.map(([x, y]) => `${num(x)},${num(y)}`).join(" ")}"><title>${
          esc(s.title ?? s.label)
        }</title></polyline>`,
      );
    }
    const marked = (s.markers ?? true)
      ? s.drawn.values
      : (s.marks ?? []).filter(([x, y]) => xScale.ok(x) && yScale.ok(y));
    for (const [vx, vy] of marked) {
      const tip = `${s.label}: ${quantity(vy, opts.y.unit)} at ${quantity(vx, opts.x.unit)}`;
      parts.push(
        markerPath(s.marker, xScale.at(vx), yScale.at(vy), s.color, !!s.variant, tip),
      );
    }
    parts.push(`</g>`);
  }
  parts.push(`</g>`);
  parts.push(legend.svg);
  parts.push(note.svg);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

type Px = [number, number];

/**
 * A series in plot coordinates: polyline segments (a null or off-scale y breaks one), and
 * its points' markers with the values they stand for.
 */
function drawn(
  s: Series,
  xs: Scale,
  ys: Scale,
): { segments: Px[][]; markers: Px[]; values: [number, number][] } {
  const segments: Px[][] = [[]];
  const markers: Px[] = [];
  const values: [number, number][] = [];
  let prev: Px | null = null;
  for (const [x, y] of s.points) {
    if (y === null || !xs.ok(x) || !ys.ok(y)) {
      if (segments[segments.length - 1].length > 0) segments.push([]);
      prev = null;
      continue;
    }
    const p: Px = [xs.at(x), ys.at(y)];
    const seg = segments[segments.length - 1];
    if (s.step && prev) seg.push([p[0], prev[1]]);
    seg.push(p);
    markers.push(p);
    values.push([x, y]);
    prev = p;
  }
  return { segments, markers, values };
}

type DrawnSeries = Series & {
  color: string;
  dash: string;
  marker: MarkerShape;
  drawn: ReturnType<typeof drawn>;
};

/**
 * A horizontal stacked bar chart as an SVG document.
 *
 * @example
 * ```ts
 * import { barChart } from "./svg.ts";
 * const svg = barChart({
 *   title: "CPU time by context",
 *   categories: ["sigkill", "process_mrelease"],
 *   categoryAxis: "design",
 *   stacks: [{ label: "caller", values: [0, 43] }, { label: "victim", values: [141, 0.5] }],
 *   value: { label: "CPU time", unit: "ms" },
 * });
 * ```
 */
export function barChart(opts: BarChartOptions): string {
  const pw = opts.width ?? 520;
  const bar = 22, gap = 10;
  const ph = opts.categories.length * (bar + gap) + gap;
  const totals = opts.categories.map((_, i) => opts.stacks.reduce((s, k) => s + k.values[i], 0));
  const vScale = scale({ ...opts.value, min: opts.value.min ?? 0 }, totals, [0, pw]);
  const catW = Math.max(...opts.categories.map((c) => c.length)) * CHAR_W;
  const left = Math.ceil(24 + catW);
  const top = opts.subtitle ? 56 : 40;
  const legend = legendBlock(
    opts.stacks.map((k, i) => ({
      label: k.label,
      swatch: boxSwatch(k.color ?? STACK_COLORS[i % STACK_COLORS.length]),
    })),
    left,
    top + ph + 56,
    pw,
  );
  const width = left + pw + 48;
  const height = top + ph + 56 + legend.height + 8;
  const parts: string[] = [];
  parts.push(header("bar-chart", width, height, opts.title, opts.subtitle));
  parts.push(`<g class="plot" transform="translate(${left},${top})">`);
  parts.push(gridLines(vScale.ticks.map(vScale.at), [], pw, ph));
  parts.push(xAxis(vScale, opts.value, pw, ph));
  // The category axis: a line, one tick and name per bar, and its label.
  const cat: string[] = [
    `<g class="axis y-axis">`,
    `<line x1="0" y1="0" x2="0" y2="${ph}" stroke="#333"/>`,
  ];
  for (const [i, c] of opts.categories.entries()) {
    const y = gap + i * (bar + gap) + bar / 2;
    cat.push(
      `<g class="tick"><line x1="-5" y1="${num(y)}" x2="0" y2="${num(y)}" stroke="#333"/>` +
        `<text x="-8" y="${num(y + 4)}" text-anchor="end">${esc(c)}</text></g>`,
    );
  }
  cat.push(
    `<text class="axis-label" transform="translate(${num(-catW - 16)},${
      num(ph / 2)
    }) rotate(-90)" text-anchor="middle">${esc(opts.categoryAxis)}</text>`,
    `</g>`,
  );
  parts.push(cat.join("\n"));
  for (const [k, stack] of opts.stacks.entries()) {
    const color = stack.color ?? STACK_COLORS[k % STACK_COLORS.length];
    parts.push(`<g class="series" data-label="${esc(stack.label)}">`);
    for (const [i, v] of stack.values.entries()) {
      if (v <= 0) continue;
      const before = opts.stacks.slice(0, k).reduce((s, o) => s + o.values[i], 0);
      const x0 = vScale.at(before), x1 = vScale.at(Math.min(before + v, vScale.max));
      const y = gap + i * (bar + gap);
      parts.push(
        `<rect x="${num(x0)}" y="${num(y)}" width="${
          num(Math.max(0.5, x1 - x0))
        }" height="${bar}" fill="${color}"><title>${
          esc(`${opts.categories[i]}: ${stack.label} ${quantity(v, opts.value.unit)}`)
        }</title></rect>`,
      );
    }
    parts.push(`</g>`);
  }
  parts.push(`</g>`);
  parts.push(legend.svg);
  parts.push(`</svg>`);
  return parts.join("\n") + "\n";
}

interface Scale {
  at(v: number): number;
  ok(v: number): boolean;
  ticks: number[];
  max: number;
}

function scale(axis: Axis, values: readonly number[], range: [number, number]): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = axis.min ?? (finite.length ? Math.min(...finite) : 0);
  let hi = axis.max ?? (finite.length ? Math.max(...finite) : 1);
  if (axis.log) {
    lo = Math.max(lo, Number.MIN_VALUE);
    if (axis.min === undefined) lo = snap125(lo, "down");
    if (axis.max === undefined) hi = snap125(hi, "up");
    if (hi <= lo) hi = lo * 10;
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const at = (v: number) => range[0] + (Math.log10(v) - a) / (b - a) * (range[1] - range[0]);
    return { at, ok: (v) => v > 0, ticks: logTicks(lo, hi), max: hi };
  }
  if (axis.min === undefined) lo = Math.min(0, lo);
  if (hi <= lo) hi = lo + 1;
  const step = niceStep((hi - lo) / 6);
  if (axis.max === undefined) hi = Math.ceil(hi / step - 1e-9) * step;
  if (axis.min === undefined) lo = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step * 1e-6; t += step) ticks.push(round(t, step));
  const at = (v: number) => range[0] + (v - lo) / (hi - lo) * (range[1] - range[0]);
  return { at, ok: (v) => Number.isFinite(v), ticks, max: hi };
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function round(t: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(t.toFixed(Math.min(digits, 12)));
}

/** The nearest 1, 2 or 5 × 10^k at or below (`down`) or at or above (`up`) `v`. */
function snap125(v: number, dir: "down" | "up"): number {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const cands = [-1, 0, 1].flatMap((d) =>
    [1, 2, 5].map((m) => Number((m * 10 ** (e + d)).toPrecision(12)))
  );
  return dir === "down"
    ? Math.max(...cands.filter((c) => c <= v * (1 + 1e-9)))
    : Math.min(...cands.filter((c) => c >= v * (1 - 1e-9)));
}

function logTicks(lo: number, hi: number): number[] {
  const decades = Math.log10(hi / lo);
  const mult = decades <= 3.5 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mult) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

/** Tick labels: integers with thousands separators, otherwise up to 3 significant digits. */
export function fmtTick(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1 && Number.isInteger(Number(v.toPrecision(12)))) {
    return Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  return String(Number(v.toPrecision(3)));
}

function header(
  kind: "line-chart" | "bar-chart",
  width: number,
  height: number,
  title: string,
  subtitle?: string,
): string {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart ${kind}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="16" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  if (subtitle) {
    lines.push(`<text class="subtitle" x="16" y="42" fill="#444">${esc(subtitle)}</text>`);
  }
  return lines.join("\n");
}

function gridLines(xs: number[], ys: number[], pw: number, ph: number): string {
  const l: string[] = [`<g class="grid" stroke="#e4e4e4">`];
  for (const x of xs) l.push(`<line x1="${num(x)}" y1="0" x2="${num(x)}" y2="${ph}"/>`);
  for (const y of ys) l.push(`<line x1="0" y1="${num(y)}" x2="${pw}" y2="${num(y)}"/>`);
  l.push(`</g>`);
  return l.join("\n");
}

function axisTitle(axis: Axis): string {
  return `${axis.label} (${axis.unit}${axis.log ? ", log scale" : ""})`;
}

function xAxis(s: Scale, axis: Axis, pw: number, ph: number): string {
  const l: string[] = [
    `<g class="axis x-axis">`,
    `<line x1="0" y1="${ph}" x2="${pw}" y2="${ph}" stroke="#333"/>`,
  ];
  for (const t of s.ticks) {
    const x = num(s.at(t));
    l.push(
      `<g class="tick"><line x1="${x}" y1="${ph}" x2="${x}" y2="${ph + 5}" stroke="#333"/>` +
        `<text x="${x}" y="${ph + 18}" text-anchor="middle">${fmtTick(t)}</text></g>`,
    );
  }
  l.push(
    `<text class="axis-label" x="${num(pw / 2)}" y="${ph + 40}" text-anchor="middle">${
      esc(axisTitle(axis))
    }</text>`,
    `</g>`,
  );
  return l.join("\n");
}

function yAxis(s: Scale, axis: Axis, ph: number, tickW: number): string {
  const l: string[] = [
    `<g class="axis y-axis">`,
    `<line x1="0" y1="0" x2="0" y2="${ph}" stroke="#333"/>`,
  ];
  for (const t of s.ticks) {
    const y = num(s.at(t));
    l.push(
      `<g class="tick"><line x1="-5" y1="${y}" x2="0" y2="${y}" stroke="#333"/>` +
        `<text x="-8" y="${num(s.at(t) + 4)}" text-anchor="end">${fmtTick(t)}</text></g>`,
    );
  }
  l.push(
    `<text class="axis-label" transform="translate(${num(-tickW - 18)},${
      num(ph / 2)
    }) rotate(-90)" text-anchor="middle">${esc(axisTitle(axis))}</text>`,
    `</g>`,
  );
  return l.join("\n");
}

function lineSwatch(s: DrawnSeries, marker: boolean): string {
  return `<line x1="0" y1="-4" x2="28" y2="-4" stroke="${s.color}" stroke-width="${
    s.variant ? 1.25 : 2
  }"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/>${
    marker ? markerPath(s.marker, 14, -4, s.color, !!s.variant) : ""
  }`;
}

/** The overlap notes under the legend, wrapped to the plot's width. */
function noteBlock(
  notes: readonly string[],
  left: number,
  top: number,
  pw: number,
): { svg: string; height: number } {
  if (notes.length === 0) return { svg: "", height: 0 };
  const l: string[] = [
    `<g class="overlap-note" transform="translate(${left},${top})">`,
    `<text x="0" y="0" font-weight="bold">Lines drawn on one another</text>`,
  ];
  let row = 1;
  // A number stays with its unit when a note wraps.
  const glue = (n: string) => n.replace(/(\d) (?=\S)/g, "$1\u00a0");
  for (const n of notes) {
    for (const text of wrap(glue(n), Math.max(20, Math.floor(pw / CHAR_W)))) {
      l.push(`<text x="0" y="${row * LEGEND_ROW}" fill="#444">${esc(text)}</text>`);
      row++;
    }
  }
  l.push(`</g>`);
  return { svg: l.join("\n"), height: row * LEGEND_ROW };
}

function boxSwatch(color: string): string {
  return `<rect x="8" y="-11" width="12" height="12" fill="${color}"/>`;
}

/** The legend: one entry a row (long merged labels stay readable). */
function legendBlock(
  entries: readonly { label: string; swatch: string }[],
  left: number,
  top: number,
  pw: number,
): { svg: string; height: number } {
  const l: string[] = [`<g class="legend" transform="translate(${left},${top})">`];
  l.push(`<text class="legend-title" x="0" y="0" font-weight="bold">Legend</text>`);
  let row = 1;
  for (const e of entries) {
    const lines = wrap(e.label, Math.max(20, Math.floor((pw - 40) / CHAR_W)));
    l.push(`<g class="legend-entry" transform="translate(0,${row * LEGEND_ROW})">`);
    l.push(e.swatch);
    for (const [j, text] of lines.entries()) {
      l.push(`<text x="36" y="${j * LEGEND_ROW}">${esc(text)}</text>`);
    }
    l.push(`</g>`);
    row += lines.length;
  }
  l.push(`</g>`);
  return { svg: l.join("\n"), height: row * LEGEND_ROW };
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out.length ? out : [""];
}
