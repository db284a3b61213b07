/**
 * The review's section "The 2026 question" (issue 15): every 2026 option (options_2026.ts)
 * side by side where the REAP_KILL thread disagrees, each through its own recipe: the ESRCH
 * window (read off the ESRCH family), the victim that cannot exit yet or shares its mm (the
 * 2026 experiment's points), the walks at 100,000 processes (the world-size family), the parts
 * written in modules of their own (parts_2026.ts), the reviewers' objections with the
 * measurement that bears on each, and the conclusion (objections_2026.ts). Every number is
 * read from the measurements; every sentence is chosen by them.
 *
 * @module
 */

import { lineChart, type Series } from "./svg.ts";
import { designStyle } from "./charts.ts";
import { ESRCH_SIZES_MIB } from "./experiments.ts";
import { Q2026_ID, SITUATIONS } from "./experiments_2026.ts";
import {
  byDelay,
  CORES,
  type Facts2026,
  facts2026,
  situationRun,
  WALK_PROCESSES,
} from "./facts_2026.ts";
import type { RunRecord } from "./measure.ts";
import { bearing, conclusion, objections, type TopicId } from "./objections_2026.ts";
import { type Option, options2026 } from "./options_2026.ts";
import { type Bearing, type Part2026, PARTS_2026 } from "./parts_2026.ts";
import type { Results, SectionContext } from "./results.ts";
import { EsrchFacts, foundNothing } from "./sections_esrch.ts";
import { type Cell, designRows, PAGE_PX, sectionHead, tableWidthPx, traces } from "./tables.ts";
import { VICTIM_TGID } from "./world.ts";
import { code, duration, int, list, mdTable, pct } from "./_format.ts";

/** The section's charts. */
export const CHARTS_2026 = {
  own: "q2026-esrch-t90-own-recipe.svg",
  other: "q2026-esrch-t90-other-first.svg",
} as const;

/** The victim the t90 chart follows: the large one on the little cores, where exit is slow. */
const T90_CHART = { mib: ESRCH_SIZES_MIB[ESRCH_SIZES_MIB.length - 1], cpus: "little" } as const;

const style = (o: Option) => designStyle(o.design.name, o.variant !== undefined);

/** A range of times, or one time when they are all equal; "-" for none. */
function span(xs: readonly (number | null)[]): string {
  if (xs.some((x) => x === null)) return xs.every((x) => x === null) ? "never" : "not always";
  const ys = xs as number[];
  const lo = duration(Math.min(...ys));
  const hi = duration(Math.max(...ys));
  return lo === hi ? lo : `${lo}–${hi}`;
}

/**
 * A table split by columns (the first repeated) into the fewest even parts that each fit the
 * page ({@linkcode PAGE_PX}).
 */
function fitTables(header: readonly Cell[], rows: readonly (readonly Cell[])[]): string {
  const n = header.length - 1;
  const part = (from: number, to: number) => ({
    header: [header[0], ...header.slice(1 + from, 1 + to)],
    rows: rows.map((row) => [row[0], ...row.slice(1 + from, 1 + to)]),
  });
  for (let k = 1; k <= n; k++) {
    const size = Math.ceil(n / k);
    const parts = Array.from({ length: k }, (_, i) => part(i * size, (i + 1) * size))
      .filter((p) => p.header.length > 1);
    if (k === n || parts.every((p) => tableWidthPx(p.header, p.rows) <= PAGE_PX)) {
      return parts.map((p) => mdTable(p.header, p.rows)).join("\n\n");
    }
  }
  return mdTable(header, rows);
}

/** `text` in lines of at most `width` shown characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const shown = (s: string) => [...s.replace(/\*\*|`/g, "")].length;
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines[lines.length - 1];
    if (last !== undefined && shown(`${last} ${word}`) <= width) {
      lines[lines.length - 1] += ` ${word}`;
    } else lines.push(word);
  }
  return lines;
}

/** The grid of one recipe: found nothing (k of n) and t90 over sizes and cores, by delay. */
function esrchGrid(r: Results, recipe: "own" | "other-first"): string {
  const f = new EsrchFacts(r);
  const cols = byDelay(r, recipe);
  const rows = options2026().map((o) => [
    `**${o.run.label}**`,
    ...cols.map(({ units }) => {
      const runs = units.map((u) => f.run(u, o.run.label));
      const found = runs.map((x) => foundNothing(o.design, x, o.variant?.name));
      const t90 = (cpus: string) =>
        `${cpus} ${
          span(runs.filter((_, i) => units[i].point.params.cpus === cpus).map((x) => x.t90_ns))
        }`;
      return [
        found[0] === undefined ? "-" : `${found.filter((x) => x).length} of ${found.length}`,
        ...CORES.map(t90),
      ];
    }),
  ]);
  return fitTables(["option", ...cols.map((c) => `${int(c.us)} µs`)], rows);
}

/** t90 of every option against the delay, on the chart's victim, for one recipe. */
function t90Chart(r: Results, recipe: "own" | "other-first", title: string): string {
  const f = new EsrchFacts(r);
  const cols = byDelay(r, recipe).map(({ us, units }) => ({
    us,
    u: units.find((u) =>
      u.point.params.size_mib === T90_CHART.mib && u.point.params.cpus === T90_CHART.cpus
    )!,
  }));
  const series: Series[] = options2026().map((o) => ({
    label: o.run.label,
    ...style(o),
    points: cols.map(({ us, u }) => {
      const t90 = f.run(u, o.run.label).t90_ns;
      return [us, t90 === null ? null : t90 / 1e6] as const;
    }),
  }));
  return lineChart({
    title,
    subtitle: `${T90_CHART.mib} MiB victim on the ${T90_CHART.cpus} cores, t90 from the ` +
      `decision to kill`,
    x: { label: "delay between the decision to kill and the call", unit: "µs" },
    y: { label: "t90", unit: "ms" },
    series,
  });
}

function esrchPart(r: Results, files: Map<string, string>): string[] {
  files.set(CHARTS_2026.own, t90Chart(r, "own", "t90 against the delay, own recipes"));
  files.set(
    CHARTS_2026.other,
    t90Chart(r, "other-first", "t90 against the delay, someone else killed first"),
  );
  return [
    "### The ESRCH window",
    "",
    "Read off [the ESRCH window](#esrch-window)'s points, which run every option. In each " +
    "cell: how many of the calls found nothing to reap (the call failed, or the caller " +
    "meant to reap freed nothing; `-` for an option whose reaper is the victim), and under " +
    "it t90 from the decision to kill on the big and on the little cores, from the small " +
    "victim's to the large one's; the columns are the delay between the decision and the " +
    "call.",
    "",
    "**Each option through its own recipe:**",
    "",
    esrchGrid(r, "own"),
    "",
    "**Someone else killed first** (lmkd's main thread at the decision; the option's call " +
    "after the delay, without killing again): not an option's recipe, a situation it meets.",
    "",
    esrchGrid(r, "other-first"),
    "",
    `![t90 against the delay, own recipes](${CHARTS_2026.own})`,
    "",
    `![t90 against the delay, someone else killed first](${CHARTS_2026.other})`,
  ];
}

/** A situation's cell: the answer, t90, who freed most, who else got killed. */
function stuckCell(x: RunRecord): string[] {
  const by = Object.entries(x.freed_by).sort(([, a], [, b]) => b - a)[0];
  const killed = x.killed_tgids ?? [];
  const others = killed.filter((t) => t !== VICTIM_TGID);
  return [
    x.errno === 0 ? "0" : String(x.errno),
    x.t90_ns === null ? `freed ${pct(x.freed_pages, x.reclaimable_pages)}` : duration(x.t90_ns),
    x.freed_pages === 0 ? "nothing freed" : `${by[0]} ${pct(by[1], x.reclaimable_pages)}`,
    ...(others.length ? [`+killed ${others.join(", ")}`] : []),
    ...(killed.includes(VICTIM_TGID) ? [] : ["victim not killed"]),
    ...[...new Set(x.warnings)].map((w) => `WARN ${w}`),
  ];
}

function stuckPart(r: Results): string[] {
  const labels = options2026().map((o) => o.run.label);
  const standIns = SITUATIONS.filter((s) => s.standIn);
  return [
    "### A victim that cannot exit yet, or shares its mm",
    "",
    "Each option through its own recipe (`q2026-*`). In each cell: the answer of the " +
    "option's call (0 or the errno), t90 (or the share freed by the end, when 90% never " +
    "was), who freed the most of it (`caller`, `victim`: its own exit, `kthreads`: the " +
    "oom_reaper, `other`: another process's mmput), then the processes killed besides the " +
    "victim (tgid 1100 the vfork child, 1200 the CLONE_VM sharer, 1 init), whether the " +
    "victim was killed at all, and the WARNs the simulated kernel printed.",
    "",
    designRows(r, {
      labels,
      columns: SITUATIONS.map((s) => ({
        point: `${Q2026_ID}-${s.id}`,
        head: [s.standIn ? `${s.label} †` : s.label],
        group: s.group,
      })),
      fmt: stuckCell,
      byPattern: true,
    }),
    "",
    ...standIns.map((s) => `† ${s.label}: ${s.standIn}.`),
  ];
}

function walkPart(f: Facts2026): string[] {
  const rows = f.walk.map((w) => [
    `**${w.label}**`,
    duration(w.multi),
    duration(w.single),
    pct(w.multi, f.reapNs),
  ]);
  const { base, big } = WALK_PROCESSES;
  return [
    "### The walks at 100,000 processes",
    "",
    `Read off [the world-size family](#world-size) (the 64 MiB victim in D): the caller CPU ` +
    `a call costs at ${int(big)} processes beyond what it costs at ${int(base)}, with a ` +
    `4-thread victim (mm_users > 1: task_will_free_mem()'s walk) and a single-threaded one, ` +
    `and the first against the cheapest reap of that victim at ${int(base)} processes ` +
    `(${duration(f.reapNs)}).`,
    "",
    mdTable(["option", "4 threads", "1 thread", "of the reap"], rows),
  ];
}

/** The section's headline table: one row per option, the numbers each part leads with. */
function headline(r: Results, f: Facts2026): string {
  const k = (xs: Facts2026["esrch"], l: string) => {
    const m = xs.find((x) => x.label === l);
    return m ? `${m.nothing} of ${m.n}` : "-";
  };
  const n = f.sharers.situations.length;
  const rows = options2026().map((o) => {
    const l = o.run.label;
    const sharer = f.sharers.runs.find((x) => x.label === l)!;
    return [
      `**${l}**`,
      k(f.esrch, l),
      k(f.other, l),
      span([situationRun(r, "d", l).t90_ns]),
      `${sharer.killedOthers.length} of ${n}`,
      duration(f.walk.find((w) => w.label === l)!.multi),
    ];
  });
  return mdTable(
    [
      "option",
      ["found nothing:", "own recipe"],
      ["found nothing:", "another killed"],
      ["t90, victim", "in D 500 ms"],
      ["killed others", "(shared mm)"],
      ["walk at", "100,000 procs"],
    ],
    rows,
  );
}

/** The objections table's column widths (shown characters): it fits the page. */
const OBJECTION_COLUMNS = { objection: 28, measured: 29, reading: 26 } as const;

function objectionsPart(f: Facts2026, parts: Partial<Record<TopicId, Bearing>>): string[] {
  const links: string[] = [];
  const rows = objections().map((o, i) => {
    const b = bearing(o.topic, f, parts);
    const ref = `o${i + 1}`;
    if (o.link) links.push(`[${ref}]: ${o.link}`);
    const source = o.from === "§C.5"
      ? `(reference §C.5${o.link ? `, [lore][${ref}]` : ""})`
      : `([record][${ref}] of ${code(o.from)}${
        o.also?.length ? `; also ${list(o.also.map((a) => code(a)))}` : ""
      })`;
    const w = OBJECTION_COLUMNS;
    return [
      o.who.split(" "),
      wrap(`${o.said} ${source}`, w.objection),
      wrap(b ? b.measured : "Not measured in this section.", w.measured),
      b ? wrap(b.reading, w.reading) : "-",
    ];
  });
  return [
    "### The reviewers' objections",
    "",
    "The review points of the records posted in 2026 by the thread's reviewers, and the " +
    "items of reference §C.5 no record carries; each with the measurement above that bears " +
    "on it, and what the numbers support.",
    "",
    mdTable(["reviewer", "objection", "the lab's measurement", "reading"], rows),
    "",
    ...links,
  ];
}

/**
 * "The 2026 question" with `partList` joined in: the section renderer the review uses is
 * {@linkcode q2026Section}, with {@linkcode PARTS_2026}.
 *
 * @example
 * ```ts
 * import { q2026SectionWith } from "./sections_2026.ts";
 * const section = q2026SectionWith([]);
 * // section(r, { exp, files })
 * ```
 */
export function q2026SectionWith(
  partList: readonly Part2026[],
): (r: Results, ctx: SectionContext) => string {
  return (r, ctx) => render(r, ctx, partList);
}

/**
 * "The 2026 question", with the parts of {@linkcode PARTS_2026}.
 *
 * @example
 * ```ts
 * import { q2026Section } from "./sections_2026.ts";
 * // q2026Section(r, { exp, files })
 * ```
 */
export const q2026Section: (r: Results, ctx: SectionContext) => string = q2026SectionWith(
  PARTS_2026,
);

function render(r: Results, ctx: SectionContext, partList: readonly Part2026[]): string {
  const f = facts2026(r);
  const parts: Partial<Record<TopicId, Bearing>> = Object.assign(
    {},
    ...partList.map((p) => p.bears?.(r) ?? {}),
  );
  const options = options2026().map((o) =>
    o.variant ? `${code(o.run.label)} (${o.variant.summary})` : code(o.run.label)
  );
  return [
    ...sectionHead(ctx.exp, r),
    "",
    `The options (${options.length}): ${list(options)}.`,
    "",
    "At a glance (the parts below give each number's scenarios):",
    "",
    headline(r, f),
    "",
    ...esrchPart(r, ctx.files),
    "",
    ...stuckPart(r),
    "",
    ...walkPart(f),
    "",
    ...partList.flatMap((p) => [`### ${p.title}`, "", ...p.render(r, ctx), ""]),
    ...objectionsPart(f, parts),
    "",
    "### Conclusion",
    "",
    ...conclusion(f, parts).map((s) => `- ${s}`),
    "",
    traces(ctx.exp),
  ].join("\n");
}
