/**
 * Which lines of a chart hide one another, and the note that says so: two series whose
 * drawn lines stay within a pixel or two of each other everywhere look like one line, so the
 * chart names them, with their values where they differ most (or one value they share).
 *
 * @module
 */

import { list, quantity } from "./_format.ts";

type Px = readonly [number, number];

/** What the overlap test needs of a drawn series. */
export interface OverlapSeries {
  /** Its legend text. */
  readonly label: string;
  /** The data, `[x, y]` in x order; a null y is a gap. */
  readonly points: readonly (readonly [number, number | null])[];
  /** Whether it is drawn as steps (holds each value until the next point). */
  readonly step?: boolean;
  /** Its polylines in plot coordinates. */
  readonly drawn: { readonly segments: readonly (readonly Px[])[] };
}

/** The distance from `p` to the segment `a`-`b`. */
function toSegment(p: Px, a: Px, b: Px): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0
    ? 0
    : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Whether every vertex of `a` lies within `tol` px of one of `b`'s lines. */
function covered(a: OverlapSeries, b: OverlapSeries, tol: number): boolean {
  const lines = b.drawn.segments.filter((s) => s.length > 0);
  const vertices = a.drawn.segments.flat();
  if (vertices.length === 0 || lines.length === 0) return false;
  return vertices.every((p) =>
    lines.some((seg) =>
      seg.length === 1
        ? Math.hypot(p[0] - seg[0][0], p[1] - seg[0][1]) <= tol
        : seg.slice(1).some((q, i) => toSegment(p, seg[i], q) <= tol)
    )
  );
}

/**
 * The groups of series (indexes, in drawing order) whose lines lie within `tol` px of each
 * other everywhere: each of them looks like one line.
 *
 * @example
 * ```ts
 * import { overlapGroups } from "./overlap.ts";
 * const line = { segments: [[[0, 0], [10, 10]] as [number, number][]] };
 * overlapGroups([{ label: "a", points: [], drawn: line }, { label: "b", points: [], drawn: line }], 1.5);
 * // [[0, 1]]
 * ```
 */
export function overlapGroups(series: readonly OverlapSeries[], tol: number): number[][] {
  const group = series.map((_, i) => i);
  const root = (i: number): number => group[i] === i ? i : (group[i] = root(group[i]));
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      if (covered(series[i], series[j], tol) && covered(series[j], series[i], tol)) {
        group[root(j)] = root(i);
      }
    }
  }
  const out = new Map<number, number[]>();
  for (let i = 0; i < series.length; i++) {
    const r = root(i);
    out.set(r, [...(out.get(r) ?? []), i]);
  }
  return [...out.values()].filter((g) => g.length > 1);
}

/** A series' value at `x`: the step's level, or between its two neighbours; null outside. */
function valueAt(s: OverlapSeries, x: number): number | null {
  const pts = s.points.filter((p): p is readonly [number, number] => p[1] !== null);
  if (pts.length === 0 || x < pts[0][0] || x > pts[pts.length - 1][0]) return null;
  const i = pts.findIndex((p) => p[0] >= x);
  if (pts[i][0] === x || s.step) return pts[i][0] === x ? pts[i][1] : pts[i - 1][1];
  const [a, b] = [pts[i - 1], pts[i]];
  return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]);
}

/**
 * One sentence per group of series that hide one another: their names, and their values
 * where they differ most, or one value they share.
 *
 * @example
 * ```ts
 * import { overlapNotes } from "./overlap.ts";
 * // overlapNotes(series, { x: { label: "d", unit: "ms" }, y: { label: "t90", unit: "ms" } }, 1.5)
 * // ["sigkill and oom_reaper are drawn as one line: equal at every point (626.1 ms at 500 ms)"]
 * ```
 */
export function overlapNotes(
  series: readonly OverlapSeries[],
  axes: { readonly x: { readonly unit: string }; readonly y: { readonly unit: string } },
  tol: number,
): string[] {
  if (tol <= 0) return [];
  return overlapGroups(series, tol).map((g) => {
    const members = g.map((i) => series[i]);
    const names = list(members.map((s) => s.label));
    const xs = [...new Set(members.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) =>
      a - b
    );
    let at = xs[xs.length - 1], spread = -1;
    for (const x of xs) {
      const v = members.map((s) => valueAt(s, x)).filter((y): y is number => y !== null);
      if (v.length < 2) continue;
      const d = Math.max(...v) - Math.min(...v);
      if (d >= spread) [at, spread] = [x, d];
    }
    const y = (s: OverlapSeries) => {
      const v = valueAt(s, at);
      return v === null ? "no value" : quantity(v, axes.y.unit);
    };
    const where = `at ${quantity(at, axes.x.unit)}`;
    const shown = new Set(members.map(y));
    if (spread === 0) {
      return `${names} are drawn as one line: equal at every point (${y(members[0])} ${where})`;
    }
    if (shown.size === 1) {
      return `${names} are drawn as one line: equal at every point to four digits ` +
        `(${y(members[0])} ${where})`;
    }
    return `${names} are drawn as one line: ${
      list(members.map((s) => `${s.label} ${y(s)}`))
    } ${where}, where they differ most`;
  });
}
