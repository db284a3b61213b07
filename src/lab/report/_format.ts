/**
 * The lab's one number style, used by the review and by the command line's tables (through
 * the report folder's mod.ts): a quantity prints with four significant digits in the unit its
 * magnitude calls for (`3.213 µs`, `39.43 ms`, `1.012 s`; `16.00 KiB`, `512.0 MiB`,
 * `15.63 GiB`), zero in the base unit (`0 ns`, `0 B`), and never in a unit that makes it
 * `0.0`. Fixed rules, no locale: the same numbers give the same text everywhere. Also the
 * review's Markdown helpers (tables, lists, code).
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";

/** Significant digits of every measured quantity. */
const DIGITS = 4;

/**
 * `v` (>= 0) with {@linkcode DIGITS} significant digits, in the largest of `units` (each
 * `factor` times the one before) that keeps it at least 1; the promotion is decided after
 * rounding, so 999.97 ms is `1.000 s`, not `1000.0 ms`.
 */
function scaled(v: number, units: readonly string[], factor: number, intBase: boolean): string {
  if (v === 0) return `0 ${units[0]}`;
  let i = 0;
  while (i < units.length - 1 && v >= factor) {
    v /= factor;
    i++;
  }
  if (i === 0 && intBase) {
    const n = Math.round(v);
    if (n < factor || units.length === 1) return `${n} ${units[0]}`;
    return scaled(n, units, factor, intBase);
  }
  const decimals = Math.max(0, DIGITS - 1 - Math.floor(Math.log10(v)));
  const text = v.toFixed(decimals);
  if (Number(text) >= factor && i < units.length - 1) {
    return `${(Number(text) / factor).toFixed(DIGITS - 1)} ${units[i + 1]}`;
  }
  return `${text} ${units[i]}`;
}

const TIME_UNITS = ["ns", "µs", "ms", "s"] as const;
const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/**
 * Nanoseconds (simulated or wall-clock) in the unit their magnitude calls for, four
 * significant digits; null (or NaN) is "never": the level was not reached.
 *
 * @example
 * ```ts
 * import { duration } from "./_format.ts";
 * duration(39_430_000); // "39.43 ms"
 * duration(3_213); // "3.213 µs"
 * duration(null); // "never"
 * ```
 */
export function duration(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || Number.isNaN(ns)) return "never";
  if (ns < 0) return `-${duration(-ns)}`;
  return scaled(ns, TIME_UNITS, 1e3, true);
}

/**
 * Bytes in KiB, MiB, GiB or TiB (powers of 1024), four significant digits.
 *
 * @example
 * ```ts
 * import { bytes } from "./_format.ts";
 * bytes(12_288); // "12.00 KiB"
 * ```
 */
export function bytes(n: number): string {
  if (n < 0) return `-${bytes(-n)}`;
  return scaled(n, BYTE_UNITS, 1024, true);
}

/**
 * Pages (PAGE_SIZE bytes each) as {@linkcode bytes}: a few pages are KiB, never `0.0 MiB`.
 *
 * @example
 * ```ts
 * import { pages } from "./_format.ts";
 * pages(131_072); // "512.0 MiB"
 * pages(3); // "12.00 KiB"
 * ```
 */
export function pages(n: number): string {
  return bytes(n * PAGE_SIZE);
}

/**
 * A plain number with four significant digits and no exponent (`39.43`, `1,234`, `0.5000`):
 * for values whose unit is printed beside them (chart tooltips, axis-unit values).
 *
 * @example
 * ```ts
 * import { sig } from "./_format.ts";
 * sig(39.4321); // "39.43"
 * sig(12345.6); // "12,346"
 * ```
 */
export function sig(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  if (v < 0) return `-${sig(-v)}`;
  const mag = Math.floor(Math.log10(v));
  if (mag >= DIGITS - 1) return int(v);
  let text = v.toFixed(DIGITS - 1 - mag);
  // 9.9996 rounds to 10.000: one digit too many.
  if (Number(text) >= 10 ** (mag + 1)) text = Number(text).toFixed(Math.max(0, DIGITS - 2 - mag));
  return text;
}

const TIME_NS: Readonly<Record<string, number>> = { ns: 1, "µs": 1e3, ms: 1e6, s: 1e9 };
const BYTES: Readonly<Record<string, number>> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };

/**
 * `v` in `unit` as this module prints that kind of quantity: a time or a size in the unit
 * its magnitude calls for (`1123` ms is `1.123 s`), anything else a whole number as it is
 * and others to four significant digits, then the unit (`1,000 processes`).
 *
 * @example
 * ```ts
 * import { quantity } from "./_format.ts";
 * quantity(1123, "ms"); // "1.123 s"
 * quantity(0.5, "MiB"); // "512.0 KiB"
 * quantity(1000, "processes"); // "1,000 processes"
 * ```
 */
export function quantity(v: number, unit: string): string {
  if (unit in TIME_NS) return duration(v * TIME_NS[unit]);
  if (unit in BYTES) return bytes(v * BYTES[unit]);
  return `${Number.isInteger(v) ? int(v) : sig(v)} ${unit}`;
}

/**
 * A share as a whole percentage.
 *
 * @example
 * ```ts
 * import { pct } from "./_format.ts";
 * pct(1, 88); // "1%"
 * ```
 */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round(100 * part / whole)}%` : "-";
}

/** An integer with thousands separators. */
export function int(n: number): string {
  const r = Math.round(n);
  return (r < 0 ? "-" : "") + Math.abs(r).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A ratio like "16×" (one decimal under 10). */
export function times(a: number, b: number): string {
  const r = a / b;
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

/**
 * A Markdown table; cells are escaped for `|`, and a cell given as several lines is joined
 * with `<br>` (GitHub renders them one under the other, which keeps columns narrow).
 */
export function mdTable(
  header: readonly (string | readonly string[])[],
  rows: readonly (readonly (string | readonly string[])[])[],
): string {
  const cell = (s: string | readonly string[]) =>
    (typeof s === "string" ? [s] : s).map((l) => l.replace(/\|/g, "\\|")).join("<br>");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** "a, b and c". */
export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Inline code. */
export function code(s: string): string {
  return `\`${s}\``;
}
