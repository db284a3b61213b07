/**
 * The review's tables and the lines every experiment's section shares: the design columns,
 * a run's cell, the scenario-by-design grid, a section's heading and its representative
 * run's traces.
 *
 * @module
 */

import { designs } from "../designs/mod.ts";
import type { Experiment, Unit } from "./experiments.ts";
import type { RunRecord } from "./measure.ts";
import type { Results } from "./results.ts";
import { playing } from "./roles.ts";
import { code, mdTable, ms } from "./_format.ts";

/**
 * The registered designs' names, oldest first: the columns of most tables.
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
 * A run's t90, with the errno before it when the design's call failed: "39.43 ms",
 * "EINVAL · never".
 *
 * @example
 * ```ts
 * import { cell } from "./tables.ts";
 * // cell(run) === "EBUSY · 626.1 ms"
 * ```
 */
export function cell(run: RunRecord): string {
  const t = ms(run.t90_ns);
  return run.errno === "0" ? t : `${run.errno} · ${t}`;
}

/** A parameter column of {@linkcode designGrid}: its header and the point's parameter. */
export interface ParamColumn {
  /** The column's header. */
  readonly head: string;
  /** The key in the point's `params`. */
  readonly key: string;
}

/**
 * One row per point, one column per label: t90 (with the errno when the call failed), or
 * what `fmt` makes of the run; "-" where the point has no such run.
 *
 * @example
 * ```ts
 * import { designGrid, designNames } from "./tables.ts";
 * // designGrid(r, { units: r.of(exp), params: [{ head: "N", key: "n" }], labels: designNames() })
 * ```
 */
export function designGrid(
  r: Results,
  opts: {
    units: readonly Unit[];
    params: readonly ParamColumn[];
    labels: readonly string[];
    fmt?: (x: RunRecord) => string;
  },
): string {
  const fmt = opts.fmt ?? cell;
  const rows = opts.units.map((u) => [
    code(u.point.name),
    ...opts.params.map((c) => String(u.point.params[c.key] ?? "")),
    ...opts.labels.map((l) => {
      const run = r.point(u.point.name).runs.find((x) => x.label === l);
      return run ? fmt(run) : "-";
    }),
  ]);
  return mdTable(["scenario", ...opts.params.map((c) => c.head), ...opts.labels], rows);
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
