/**
 * Human-readable numbers and tables for the CLI.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";

/** "1.50 ms", "512.0 MiB": simulated nanoseconds. */
export function fmtNs(ns: number | null): string {
  if (ns === null || Number.isNaN(ns)) return "-";
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} us`;
  return `${ns} ns`;
}

/** Pages (of PAGE_SIZE bytes) as MiB or GiB. */
export function fmtPages(pages: number): string {
  const mib = pages * PAGE_SIZE / 2 ** 20;
  return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`;
}

/** A plain text table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
