/**
 * The charts' markers (one shape per series, hollow so that two on one spot both show) and
 * the text helpers every chart shares.
 *
 * @module
 */

/** The markers' shapes, by position: overlapping markers of two series stay apart. */
export const MARKERS = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "triangle-down",
  "plus",
  "cross",
  "hexagon",
] as const;

/** A marker's shape. */
export type MarkerShape = typeof MARKERS[number];

/** A marker's outline, centred on (x, y), about 8 px across. */
function markerShape(shape: MarkerShape, x: number, y: number): string {
  const r = 3.5, p = (dx: number, dy: number) => `${num(x + dx)},${num(y + dy)}`;
  switch (shape) {
    case "circle":
      return `M${p(-r, 0)}A${r},${r} 0 1,0 ${p(r, 0)}A${r},${r} 0 1,0 ${p(-r, 0)}Z`;
    case "square":
      return `M${p(-r, -r)}L${p(r, -r)}L${p(r, r)}L${p(-r, r)}Z`;
    case "triangle":
      return `M${p(0, -1.3 * r)}L${p(1.2 * r, 0.8 * r)}L${p(-1.2 * r, 0.8 * r)}Z`;
    case "triangle-down":
      return `M${p(0, 1.3 * r)}L${p(1.2 * r, -0.8 * r)}L${p(-1.2 * r, -0.8 * r)}Z`;
    case "diamond":
      return `M${p(0, -1.35 * r)}L${p(1.35 * r, 0)}L${p(0, 1.35 * r)}L${p(-1.35 * r, 0)}Z`;
    case "plus":
      return `M${p(-1.3 * r, 0)}L${p(1.3 * r, 0)}M${p(0, -1.3 * r)}L${p(0, 1.3 * r)}`;
    case "cross":
      return `M${p(-r, -r)}L${p(r, r)}M${p(r, -r)}L${p(-r, r)}`;
    case "hexagon":
      return `M${p(-r, 0)}L${p(-r / 2, -0.87 * r)}L${p(r / 2, -0.87 * r)}L${p(r, 0)}` +
        `L${p(r / 2, 0.87 * r)}L${p(-r / 2, 0.87 * r)}Z`;
  }
}

/**
 * A point's marker: hollow, not even white inside (a variant's filled), so that two series'
 * markers on one spot both show; with a `<title>` (the tooltip) when it stands for a value.
 */
export function markerPath(
  shape: MarkerShape,
  x: number,
  y: number,
  color: string,
  filled: boolean,
  title?: string,
): string {
  const attrs = `class="${title === undefined ? "swatch-marker" : "marker"}" d="${
    markerShape(shape, x, y)
  }" fill="${filled ? color : "none"}" stroke="${color}" stroke-width="1.5"`;
  return title === undefined
    ? `<path ${attrs}/>`
    : `<path ${attrs}><title>${esc(title)}</title></path>`;
}

/** A coordinate with one decimal. */
export function num(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** XML text and attribute escaping. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}
