/**
 * Number formatting and Markdown tables for the review. Fixed rules, no locale: the same
 * numbers give the same text everywhere.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";

/** Simulated ns as ms (or s); null is "never". */
export function ms(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || Number.isNaN(ns)) return "never";
  const v = ns / 1e6;
  if (v >= 1000) return `${(v / 1000).toFixed(3)} s`;
  if (v >= 100) return `${v.toFixed(1)} ms`;
  if (v >= 10) return `${v.toFixed(2)} ms`;
  return `${v.toFixed(3)} ms`;
}

/** Simulated ns as µs, one decimal. */
export function us(ns: number): string {
  return `${(ns / 1e3).toFixed(1)} µs`;
}

/** Pages (PAGE_SIZE each) as MiB or GiB. */
export function mib(pages: number): string {
  const m = pages * PAGE_SIZE / 2 ** 20;
  if (m >= 1024) return `${Number((m / 1024).toFixed(2))} GiB`;
  return `${Number(m.toFixed(1))} MiB`;
}

/** A share as a whole percentage. */
export function pct(part: number, whole: number): string {
  return whole > 0 ? `${Math.round(100 * part / whole)}%` : "-";
}

/** An integer with thousands separators. */
export function int(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A ratio like "16×" (one decimal under 10). */
export function times(a: number, b: number): string {
  const r = a / b;
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

/** A Markdown table; cells are escaped for `|`. */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
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
