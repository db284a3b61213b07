/**
 * The review's tables and the lines every experiment's section shares: the design rows, a
 * run's cell, the design-by-scenario grids, a section's heading and its representative run's
 * traces.
 *
 * Every table fits a page as GitHub shows it ({@linkcode PAGE_PX}): the grids put the designs
 * in rows and the scenarios in columns, and split the columns over as many tables as the page
 * needs ({@linkcode designRows}); {@linkcode tableWidthPx} is the estimate they are held to.
 *
 * @module
 */

import { designs } from "../designs/mod.ts";
import type { Experiment } from "./experiments.ts";
import type { RunRecord } from "./measure.ts";
import type { Results } from "./results.ts";
import { playing } from "./roles.ts";
import { code, duration, mdTable } from "./_format.ts";

/** The width of GitHub's page body, where the review is read (px). */
export const PAGE_PX = 980;
/**
 * A character of GitHub's Markdown text at 16 px: its sans-serif averages about 7.5 px a
 * glyph, code (85%, monospace) about 8.2 px.
 */
export const CHAR_PX = 8;
/** A column's own width: 13 px of padding each side, a 1 px border, a code span's padding. */
export const COLUMN_PX = 38;

/** A table cell: one line, or several shown one under the other. */
export type Cell = string | readonly string[];

/** The characters a cell's widest line shows: Markdown's `**`, backticks and `\|` removed. */
function shownChars(cell: Cell): number {
  const lines = typeof cell === "string" ? cell.split("<br>") : cell;
  return Math.max(
    0,
    ...lines.map((l) => [...l.replace(/\*\*|`/g, "").replace(/\\\|/g, "|")].length),
  );
}

/**
 * The width a table takes on the page, estimated: each column as wide as its widest cell on
 * one line ({@linkcode CHAR_PX} a character) plus {@linkcode COLUMN_PX}.
 *
 * @example
 * ```ts
 * import { tableWidthPx } from "./tables.ts";
 * tableWidthPx(["design", "t90"], [["sigkill", "626.1 ms"]]); // 2 * 38 + (7 + 8) * 8
 * ```
 */
export function tableWidthPx(header: readonly Cell[], rows: readonly (readonly Cell[])[]): number {
  return header.reduce<number>(
    (sum, h, i) =>
      sum + COLUMN_PX +
      CHAR_PX * Math.max(shownChars(h), ...rows.map((r) => shownChars(r[i] ?? ""))),
    0,
  );
}

/**
 * The registered designs' names, oldest first: the rows of most tables.
 *
 * @example
 * ```ts
 * import { designNames } from "./tables.ts";
 * console.log(designNames().length);
 * ```
 */
export function designNames(): string[] {
  return designs().map((d) => d.name);
}

/**
 * A run's t90, with the errno under it when the design's call failed and the WARNs the
 * simulated kernel printed: `["626.1 ms", "EBUSY"]`.
 *
 * @example
 * ```ts
 * import { cell } from "./tables.ts";
 * // cell(run) is ["626.1 ms", "EBUSY"] when the call failed with EBUSY
 * ```
 */
export function cell(run: RunRecord): string[] {
  return [
    duration(run.t90_ns),
    ...(run.errno === 0 ? [] : [String(run.errno)]),
    ...[...new Set(run.warnings)].map((w) => `WARN ${w}`),
  ];
}

/** A column of {@linkcode designRows}: a scenario, and what its header says above its name. */
export interface GridColumn {
  /** The scenario (the point's name). */
  readonly point: string;
  /** Lines above the scenario's name in the header ("zombie leader"); none by default. */
  readonly head?: readonly string[];
  /** Columns of one group stay together in a table when the page allows. */
  readonly group?: string;
  /** This column's cell, where it differs from the grid's. */
  readonly fmt?: (x: RunRecord) => Cell;
  /**
   * The point whose runs fill this column's rows that `point` has no run for: the twin of a
   * scenario built for the other kind of recipe (the ESRCH window's `-call` points).
   */
  readonly twin?: string;
}

/** Options of {@linkcode designRows}. */
export interface GridOptions {
  /** The rows: run labels (the designs, and any extra run of the points). */
  readonly labels: readonly string[];
  /** The columns, in order. */
  readonly columns: readonly GridColumn[];
  /** A run's cell (default {@linkcode cell}). */
  readonly fmt?: (x: RunRecord) => Cell;
  /**
   * Name the scenarios by a pattern: the first header is the names' common part with a `*`,
   * each column's header what replaces it (`size-*mib-little` over `64`, `128`...). Default:
   * each header ends with the scenario's name.
   */
  readonly byPattern?: boolean;
}

/**
 * One row per design (label), one column per scenario, split over as many tables as the page
 * needs (a group of columns kept in one table when it fits, a group wider than the page
 * split into even parts); "-" where neither a point nor its twin has a run of that label.
 *
 * @example
 * ```ts
 * import { designNames, designRows } from "./tables.ts";
 * // designRows(r, { labels: designNames(), columns: units.map((u) => ({ point: u.point.name })) })
 * ```
 */
export function designRows(r: Results, opts: GridOptions): string {
  const fmt = opts.fmt ?? cell;
  const build = (cols: readonly GridColumn[]) => {
    const names = cols.map((c) => c.point);
    const pattern = opts.byPattern ? namePattern(names) : null;
    const header: Cell[] = [
      pattern ? code(pattern.pattern) : "design",
      ...cols.map((c, i) =>
        pattern ? [...(c.head ?? []), pattern.parts[i]] : [...(c.head ?? []), code(c.point)]
      ),
    ];
    const rows = opts.labels.map((l) => [
      `**${l}**`,
      ...cols.map((c) => {
        const run = r.point(c.point).runs.find((x) => x.label === l) ??
          (c.twin === undefined ? undefined : r.point(c.twin).runs.find((x) => x.label === l));
        return run ? (c.fmt ?? fmt)(run) : "-";
      }),
    ]);
    return { header, rows, px: tableWidthPx(header, rows) };
  };
  const fits = (cols: readonly GridColumn[]) => build(cols).px <= PAGE_PX;
  const tables: GridColumn[][] = [];
  let open = false; // whether the last table may take another group
  for (const group of groups(opts.columns)) {
    const last = tables[tables.length - 1];
    if (open && fits([...last, ...group])) {
      last.push(...group);
      continue;
    }
    const parts = evenParts(group, fits);
    tables.push(...parts);
    open = parts.length === 1;
  }
  return tables.map((cols) => {
    const t = build(cols);
    return mdTable(t.header, t.rows);
  }).join("\n\n");
}

/** Consecutive columns of the same group. */
function groups(columns: readonly GridColumn[]): GridColumn[][] {
  const out: GridColumn[][] = [];
  for (const c of columns) {
    const last = out[out.length - 1];
    if (last && last[0].group === c.group) last.push(c);
    else out.push([c]);
  }
  return out;
}

/** The fewest even, consecutive parts of `cols` that each fit (one column each at worst). */
function evenParts(
  cols: readonly GridColumn[],
  fits: (cols: readonly GridColumn[]) => boolean,
): GridColumn[][] {
  for (let k = 1; k <= cols.length; k++) {
    const parts: GridColumn[][] = [];
    let at = 0;
    for (let i = 0; i < k; i++) {
      const size = Math.ceil((cols.length - at) / (k - i));
      parts.push(cols.slice(at, at + size));
      at += size;
    }
    if (parts.every(fits)) return parts;
  }
  return cols.map((c) => [c]); // a column wider than the page alone: one a table
}

/**
 * The scenario names' common pattern: their common leading and trailing `-`-separated words
 * (and, for a numeric sweep, the letters around the number), with `*` where they differ, and
 * what replaces the `*` in each.
 *
 * @example
 * ```ts
 * import { namePattern } from "./tables.ts";
 * namePattern(["size-64mib-little", "size-128mib-little"]);
 * // { pattern: "size-*mib-little", parts: ["64", "128"] }
 * ```
 */
export function namePattern(names: readonly string[]): { pattern: string; parts: string[] } {
  const words = names.map((n) => n.split("-"));
  const shortest = Math.min(...words.map((w) => w.length));
  let pre = 0;
  while (pre < shortest - 1 && words.every((w) => w[pre] === words[0][pre])) pre++;
  let post = 0;
  while (
    pre + post < shortest - 1 &&
    words.every((w) => w[w.length - 1 - post] === words[0][words[0].length - 1 - post])
  ) post++;
  let parts = words.map((w) => w.slice(pre, w.length - post).join("-"));
  let left = words[0].slice(0, pre).join("-") + (pre > 0 ? "-" : "");
  let right = (post > 0 ? "-" : "") + words[0].slice(words[0].length - post).join("-");
  // A numeric sweep (`10ms`, `20ms`): the number alone, its unit into the pattern.
  const sweep = parts.map((p) => /^([a-z]*)(\d+)([a-z]*)$/.exec(p));
  if (
    names.length > 1 && sweep.every((m) => m !== null) &&
    sweep.every((m) => m![1] === sweep[0]![1] && m![3] === sweep[0]![3])
  ) {
    left += sweep[0]![1];
    right = sweep[0]![3] + right;
    parts = sweep.map((m) => m![2]);
  }
  return { pattern: `${left}*${right}`, parts };
}

/**
 * A section's first lines: its title, the question (with the experiment's anchor), how the
 * family is built, and its scenarios.
 *
 * @example
 * ```ts
 * import { sectionHead } from "./tables.ts";
 * // [...sectionHead(exp, r), "", "more"].join("\n")
 * ```
 */
export function sectionHead(exp: Experiment, r: Results): string[] {
  const names = r.of(exp).map((u) => code(u.point.name));
  return [
    `## ${exp.title}`,
    "",
    `<a id="${exp.id}"></a>**${exp.question}**`,
    "",
    `${exp.family}`,
    "",
    `Scenarios (${names.length}): ${names.join(", ")}.`,
  ];
}

/**
 * The line that links the experiment's representative run's traces.
 *
 * @example
 * ```ts
 * import { traces } from "./tables.ts";
 * // traces(exp) starts "Representative run (`state-d-500ms`, ..."
 * ```
 */
export function traces(exp: Experiment): string {
  const { point, design } = exp.representative;
  return `Representative run (${code(point)}, ${playing(design).name}): ` +
    `[trace.txt](${exp.id}/trace.txt) (ftrace text, \`trace-cmd report\` style) and ` +
    `[trace.json](${exp.id}/trace.json) (open in https://ui.perfetto.dev); docs/traces.md ` +
    `explains both.`;
}
