/**
 * Numbers and tables for the terminal. The numbers are the review's own style (the report
 * folder's formatter: four significant digits in the unit the magnitude calls for, `µs`,
 * `KiB`/`MiB`/`GiB`). A table asked to fit a width (the lab's terminal is
 * {@linkcode TERMINAL_COLUMNS} columns) wraps deliberately when it is wider: its further
 * columns continue in a block under the first, the first column repeated, so that no line is
 * wider than the terminal unless one cell is.
 *
 * @module
 */

import { duration, pages } from "../report/mod.ts";

/** The terminal width every table and note of the lab fits. */
export const TERMINAL_COLUMNS = 100;

/** Nanoseconds as `626.1 ms`, `3.213 µs`; null is "never". */
export function fmtNs(ns: number | null): string {
  return duration(ns);
}

/** Pages (of PAGE_SIZE bytes) as `512.0 MiB`, `12.00 KiB`. */
export function fmtPages(n: number): string {
  return pages(n);
}

/** The columns a cell takes in a terminal (one a code point). */
function widthOf(s: string): number {
  return [...s].length;
}

/**
 * A plain text table, columns padded to their widest cell, two spaces apart. With `width`
 * (e.g. {@linkcode TERMINAL_COLUMNS}) and wider than it, the columns after the first go on
 * in further blocks, each under a blank line and led by the first column again; without it,
 * one block however wide (a table whose rows must stay one line each, for grep).
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { width?: number } = {},
): string {
  const width = opts.width ?? Infinity;
  const widths = header.map((h, i) =>
    Math.max(widthOf(h), ...rows.map((r) => widthOf(r[i] ?? "")))
  );
  const pad = (c: string, w: number) => c + " ".repeat(Math.max(0, w - widthOf(c)));
  const block = (cols: readonly number[]) => {
    const line = (cells: readonly string[]) =>
      cols.map((i) => pad(cells[i] ?? "", widths[i])).join("  ").trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
  };
  // Columns after the first, greedily, as many to a block as fit beside the first.
  const blocks: number[][] = [];
  for (let i = 1; i < header.length; i++) {
    const last = blocks[blocks.length - 1];
    const used = last ? last.reduce((s, j) => s + 2 + widths[j], widths[0]) : 0;
    if (last && used + 2 + widths[i] <= width) last.push(i);
    else blocks.push([i]);
  }
  if (blocks.length === 0) return block([0]);
  return blocks.map((b) => block([0, ...b])).join("\n\n");
}

/**
 * Text wrapped at spaces to `width` columns: the first line indented by `indent` spaces,
 * the others by `indent + hang`.
 */
export function wrapText(text: string, indent = 2, hang = 2, width = TERMINAL_COLUMNS): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter((w) => w !== "")) {
    const room = width - indent - (lines.length ? hang : 0);
    if (line && widthOf(line) + 1 + widthOf(word) > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => " ".repeat(indent + (i ? hang : 0)) + l).join("\n");
}
