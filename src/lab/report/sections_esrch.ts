/**
 * The review's section on the ESRCH window, and the facts its finding at a glance states:
 * every design through its own recipe against the delay between the decision to kill and its
 * call, the labelled case where someone else killed first, and transient mm_users holders.
 * Every sentence is built from the measurements: which designs' calls found nothing to reap,
 * from which delay on, and how long the memory then stayed.
 *
 * @module
 */

import { type Design, reaperOf } from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import {
  ESRCH_HOLDER_DELAY_US,
  ESRCH_HOLDERS,
  ESRCH_SIZES_MIB,
  type EsrchRecipe,
  sizeLabel,
  type Unit,
} from "./experiments.ts";
import { KILL_NS, type RunRecord } from "./measure.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, playing } from "./roles.ts";
import { designNames, designRows, type GridColumn, sectionHead, traces } from "./tables.ts";
import { code, duration, int, list, mdTable, pct } from "./_format.ts";

/** The ESRCH family's experiment id. */
export const ESRCH_ID = "esrch-window";

const CORES = ["big", "little"] as const;
type Cores = (typeof CORES)[number];

/**
 * Whether a run's call found nothing to reap: it failed, or (for a design whose caller is
 * meant to reap) it answered 0 and the caller freed nothing. Undefined for a design whose
 * reaper is the victim itself: it has nothing to find.
 */
export function foundNothing(d: Design, x: RunRecord, variant?: string): boolean | undefined {
  // A variant may reap elsewhere than its design (an interpretation that queues the kthread).
  const reaper = reaperOf(d, variant);
  if (reaper === "victim") return undefined;
  return x.errno !== 0 || (reaper === "caller" && x.freed_by.caller === 0);
}

/** The ESRCH family's measurements, read the way the section and the findings state them. */
export class EsrchFacts {
  readonly #r: Results;
  readonly #units: Unit[];

  /** Reads the family's points out of the review's results. */
  constructor(r: Results) {
    this.#r = r;
    this.#units = r.input.units.filter((u) => u.experiment.id === ESRCH_ID);
  }

  /** The points (twins excluded) of one recipe, holder, size and cores, by delay. */
  points(
    opts: { recipe: Exclude<EsrchRecipe, "own-call">; holder?: string; mib?: number; cpus?: Cores },
  ): Unit[] {
    const p = (u: Unit) => u.point.params;
    return this.#units.filter((u) =>
      p(u).recipe === opts.recipe && p(u).holder === (opts.holder ?? "none") &&
      (opts.mib === undefined || p(u).size_mib === opts.mib) &&
      (opts.cpus === undefined || p(u).cpus === opts.cpus)
    );
  }

  /** The twin that runs the designs a point has no run for, if it has one. */
  twin(u: Unit): string | undefined {
    const name = `${u.point.name}-call`;
    return this.#r.has(name) ? name : undefined;
  }

  /** The run of `label` on a point, or on its twin. */
  run(u: Unit, label: string): RunRecord {
    const own = this.#r.point(u.point.name).runs.find((x) => x.label === label);
    if (own) return own;
    const twin = this.twin(u);
    if (twin === undefined) throw new Error(`no run ${label} on ${u.point.name}`);
    return this.#r.run(twin, label);
  }

  /** Grid columns of points, each with its twin. */
  columns(units: readonly Unit[], group: (u: Unit) => string): GridColumn[] {
    return units.map((u) => ({ point: u.point.name, twin: this.twin(u), group: group(u) }));
  }

  /** How many of `units`' calls of `d` found nothing to reap, of how many (undefined: n/a). */
  nothing(d: Design, units: readonly Unit[]): { k: number; n: number } | undefined {
    const found = units.map((u) => foundNothing(d, this.run(u, d.name)));
    if (found.some((f) => f === undefined)) return undefined;
    return { k: found.filter((f) => f).length, n: found.length };
  }

  /** Every own-recipe point (all holders). */
  ownAll(): Unit[] {
    return ESRCH_HOLDERS.flatMap((h) => this.points({ recipe: "own", holder: h.id }));
  }

  /** The designs that reap (their reaper is not the victim). */
  reapers(): Design[] {
    return designs().filter((d) => d.reaper !== "victim");
  }

  /** The reapers whose own recipe never found nothing to reap, and those that did. */
  split(): { closed: Design[]; open: Design[] } {
    const own = this.ownAll();
    const closed = this.reapers().filter((d) => this.nothing(d, own)!.k === 0);
    const open = this.reapers().filter((d) => this.nothing(d, own)!.k > 0);
    return { closed, open };
  }

  /** The smallest delay (µs) at which `d`'s own recipe found nothing, without holders. */
  firstMiss(d: Design, mib: number, cpus: Cores): number | undefined {
    const u = this.points({ recipe: "own", mib, cpus }).find((u) =>
      foundNothing(d, this.run(u, d.name))
    );
    return u === undefined ? undefined : u.point.params.delay_us as number;
  }

  /** The longest delay of the grid (µs). */
  maxDelayUs(): number {
    return Math.max(
      ...this.points({ recipe: "own" }).map((u) => u.point.params.delay_us as number),
    );
  }

  /**
   * The reapers whose calls found nothing to reap in every size and placement when someone
   * else killed first and the call came `us` later (no holder).
   */
  failAfterOther(us: number): Design[] {
    const late = this.points({ recipe: "other-first" }).filter((u) =>
      u.point.params.delay_us === us
    );
    return this.reapers().filter((d) => late.every((u) => foundNothing(d, this.run(u, d.name))));
  }

  /**
   * With the long-lived holder, past the window: the t100s of the calls that found nothing
   * after someone else's kill (`stuck`), and of the designs that never miss through their own
   * recipes (`freed`), both cores.
   */
  longHolder(): {
    stuck: number[];
    freed: number[];
    reaped: Design[];
    waited: Design[];
    openStuck: boolean;
  } {
    const long = ESRCH_HOLDERS[2];
    // When the holder lets go, from the decision to kill (ns).
    const lets = (long.holder.fromMs + long.holder.forMs) * 1e6 - KILL_NS;
    const { closed, open } = this.split();
    const otherFail = this.failAfterOther(ESRCH_HOLDER_DELAY_US);
    const t100 = (u: Unit, d: Design) => this.run(u, d.name).t100_ns ?? Infinity;
    const other = CORES.map((c) => this.at("other-first", long.id, c, ESRCH_HOLDER_DELAY_US));
    const own = CORES.map((c) => this.at("own", long.id, c, ESRCH_HOLDER_DELAY_US));
    // Of the designs that found the mm, those whose reaper freed it before the holder let go.
    const reaped = closed.filter((d) => own.every((u) => t100(u, d) < lets));
    return {
      stuck: other.flatMap((u) => otherFail.map((d) => t100(u, d))),
      freed: own.flatMap((u) => reaped.map((d) => t100(u, d))),
      reaped,
      waited: closed.filter((d) => !reaped.includes(d)),
      openStuck: own.every((u) => open.every((d) => foundNothing(d, this.run(u, d.name)))),
    };
  }

  /** The point of a recipe, holder, cores and delay at the small size. */
  at(recipe: Exclude<EsrchRecipe, "own-call">, holder: string, cpus: Cores, us: number): Unit {
    const u = this.points({ recipe, holder, mib: ESRCH_SIZES_MIB[0], cpus }).find((u) =>
      u.point.params.delay_us === us
    );
    if (!u) throw new Error(`no ${recipe} point with ${holder} on ${cpus} at ${us} µs`);
    return u;
  }
}

const names = (ds: readonly Design[]) => list(ds.map((d) => code(d.name)));

/** A range of times, or one time when they are all equal. */
function span(xs: readonly number[]): string {
  const lo = duration(Math.min(...xs));
  const hi = duration(Math.max(...xs));
  return lo === hi ? lo : `${lo}–${hi}`;
}

/** "14 of the 24 situations each" or "3, 4 and 5 of the 24 situations". */
function counts(f: EsrchFacts, ds: readonly Design[]): string {
  const n = f.ownAll().length;
  const k = ds.map((d) => f.nothing(d, f.ownAll())!.k);
  return k.every((x) => x === k[0])
    ? `${k[0]} of the ${n} situations${ds.length > 1 ? " each" : ""}`
    : `${list(k.map(String))} of the ${n} situations`;
}

const sizeCores = (u: Unit) => `${u.point.params.size_mib}-${u.point.params.cpus}`;

/** t90, and the errno or the caller's share. */
function t90Cell(x: RunRecord): string[] {
  return [
    duration(x.t90_ns),
    x.errno === 0 ? pct(x.freed_by.caller, x.reclaimable_pages) : String(x.errno),
  ];
}

/** t90, t100, and the errno when the call failed. */
function t100Cell(x: RunRecord): string[] {
  return [duration(x.t90_ns), duration(x.t100_ns), ...(x.errno === 0 ? [] : [String(x.errno)])];
}

/**
 * "The ESRCH window": every design through its own recipe, someone else's kill first, and
 * transient mm_users holders.
 *
 * @example
 * ```ts
 * import { esrchSection } from "./sections_esrch.ts";
 * // esrchSection(r, { exp, files })
 * ```
 */
export function esrchSection(r: Results, { exp }: SectionContext): string {
  const f = new EsrchFacts(r);
  const labels = designNames();
  const all = designs();
  const own = f.points({ recipe: "own" });
  const other = f.points({ recipe: "other-first" });
  const { closed, open } = f.split();
  const kill = playing(KILL_ALONE).name;
  const dMax = f.maxDelayUs();

  const missRows = open.map((d) => [
    `**${d.name}**`,
    ...ESRCH_SIZES_MIB.flatMap((mib) =>
      CORES.map((cpus) => {
        const us = f.firstMiss(d, mib, cpus);
        return us === undefined ? "never" : `${us} µs`;
      })
    ),
  ]);
  const nothingRows = all.map((d) => {
    const mine = f.nothing(d, f.ownAll());
    const theirs = f.nothing(
      d,
      ESRCH_HOLDERS.flatMap((h) => f.points({ recipe: "other-first", holder: h.id })),
    );
    const show = (x: { k: number; n: number } | undefined) =>
      x === undefined ? "-" : `${x.k} of ${x.n}`;
    return [`**${d.name}**`, d.killsInCall ? "kill" : "kill, then call", show(mine), show(theirs)];
  });

  // What the delay costs a design whose call is the kill: the victim runs on meanwhile.
  const oneCall = closed.filter((d) => d.killsInCall);
  const grow = oneCall.flatMap((d) =>
    ESRCH_SIZES_MIB.flatMap((mib) =>
      CORES.map((cpus) => {
        const pts = f.points({ recipe: "own", mib, cpus });
        return f.run(pts[pts.length - 1], d.name).t90_ns! - f.run(pts[0], d.name).t90_ns!;
      })
    )
  );
  // "The delay itself" when every growth is within 1% of it.
  const itself = grow.every((g) => Math.abs(g - dMax * 1e3) <= dMax * 10);

  // Someone else killed first: who fails past the window, and whether the memory then comes
  // back with SIGKILL alone's t90.
  const otherLate = other.filter((u) => u.point.params.delay_us === dMax);
  const otherFail = f.failAfterOther(dMax);
  const asKill = otherLate.every((u) =>
    otherFail.every((d) => f.run(u, d.name).t90_ns === f.run(u, kill).t90_ns)
  );

  const holderTables = ESRCH_HOLDERS.map((h) => {
    const cols = CORES.flatMap((cpus) => [
      { cpus, head: "own", u: f.at("own", h.id, cpus, 0) },
      { cpus, head: "own", u: f.at("own", h.id, cpus, ESRCH_HOLDER_DELAY_US) },
      { cpus, head: "other first", u: f.at("other-first", h.id, cpus, ESRCH_HOLDER_DELAY_US) },
    ]);
    return [
      `*${h.label}:*`,
      "",
      mdTable(
        ["design", ...cols.map((c) => [c.cpus, c.head, `${c.u.point.params.delay_us} µs`])],
        labels.map((l) => [`**${l}**`, ...cols.map((c) => t100Cell(f.run(c.u, l)))]),
      ),
    ].join("\n");
  });

  const long = ESRCH_HOLDERS[2];
  const { stuck, freed: freedOwn, reaped, waited, openStuck } = f.longHolder();
  const waitedT100 = CORES.flatMap((c) =>
    waited.map((d) => f.run(f.at("own", long.id, c, ESRCH_HOLDER_DELAY_US), d.name).t100_ns!)
  );

  const findings = [
    closed.length
      ? `- Through its own recipe, no call of ${list(closed.map((d) => code(d.name)))} ` +
        `found nothing to reap, at any delay from 0 to ${int(dMax)} µs, size, cores or holder ` +
        `(${f.ownAll().length} situations each): ${
          closed.every((d) => d.killsInCall)
            ? "each one's call is the kill, and takes the mm within the same call, before " +
              "the victim can run its exit (§A.1, §A.5, §B.4), so no kill→reap window opens"
            : "they reach the mm before the victim can leave it"
        }.`
      : `- Through its own recipe, every design's call found nothing to reap somewhere in ` +
        `the grid.`,
    ...(open.length
      ? [
        `- ${names(open)}${
          open.every((d) => !d.killsInCall) ? " kill first and call after the delay, and" : ":"
        } their calls found ` +
        `nothing to reap in ${counts(f, open)}: ` +
        `the first delays at which a call missed were ${list(missRowsText(f, open))}; by ` +
        `then the victim had passed exit_mm.`,
      ]
      : []),
    ...(oneCall.length
      ? [
        `- For ${names(oneCall)} the delay ${
          itself ? "costs the delay itself" : "costs"
        }: nothing was killed before the call, so t90 from the decision grows by ` +
        `${span(grow)} between 0 and ${int(dMax)} µs.`,
      ]
      : []),
    otherFail.length
      ? `- When someone else killed first, ${
        list(otherFail.map((d) => code(d.name)))
      } found nothing to reap ${int(dMax)} µs later in every size and placement${
        asKill ? `, and the memory came back with ${kill}'s t90: at the victim's own pace` : ""
      }.${
        closed.length && closed.every((d) => otherFail.includes(d))
          ? ` That includes ${names(closed)}: the window is opened by a kill made before ` +
            `the call, whoever sends it, not by the designs' own recipes.`
          : ""
      }`
      : `- When someone else killed first, every design still found something to reap ` +
        `${int(dMax)} µs later.`,
    stuck.length && reaped.length
      ? `- With ${long.label} (${long.holder.forMs} ms), a call that finds nothing leaves ` +
        `the whole mm to the holder's mmput: t100 ${span(stuck)} when someone else killed ` +
        `first${
          openStuck
            ? ` (the same for ${names(open)} through their own recipes at ` +
              `${ESRCH_HOLDER_DELAY_US} µs)`
            : ""
        }, against ${span(freedOwn)} for ${names(reaped)} through their own recipes, ` +
        `which reap it whoever holds mm_users${
          waited.length
            ? `; ${names(waited)} found the mm too, but ${
              waited.length === 1 ? "its" : "their"
            } reaper had not reaped by the time the holder let go (t100 ${span(waitedT100)})`
            : ""
        }. This is the harm the REAP_KILL cover letters describe (§A.5): the errno is ` +
        `the same either way, the memory is not.`
      : `- No holder row separates the designs.`,
  ];

  return [
    ...sectionHead(exp, r),
    "",
    "The scenarios are named `esrch-[other-][read-|long-]<size>-<cores>-<delay>us[-call]`: " +
    "`other-` someone else killed first, `read-`/`long-` the holder, `-call` the twin that " +
    "runs the designs whose call is the kill (a design's row reads whichever of the two ran " +
    "it). In the grids: t90 from the decision to kill, and under it the errno when the " +
    "design's call failed, or else the share of the memory the caller freed; the columns " +
    "are the delay between the decision and the call (µs).",
    "",
    "**Through each design's own recipe** (no holder):",
    "",
    designRows(r, { labels, columns: f.columns(own, sizeCores), fmt: t90Cell, byPattern: true }),
    "",
    "**Killed by someone else first** (lmkd's main thread at the decision; the call after " +
    "the delay, without killing again):",
    "",
    designRows(r, {
      labels,
      columns: f.columns(other, sizeCores),
      fmt: t90Cell,
      byPattern: true,
    }),
    "",
    "Calls that found nothing to reap (the call failed, or, for a design whose caller reaps, " +
    "its caller freed nothing; for a design reaped by a kernel thread, which reaps later, a " +
    "call that succeeds found the mm), over " +
    "every delay, size, placement and holder; `-` for a design whose reaper is the victim:",
    "",
    mdTable(["design", "recipe", "own recipe", "someone else killed first"], nothingRows),
    "",
    ...(missRows.length
      ? [
        "The smallest delay at which a design's own recipe found nothing to reap:",
        "",
        mdTable(
          [
            "design",
            ...ESRCH_SIZES_MIB.flatMap((mib) => CORES.map((c) => [sizeLabel(mib), c])),
          ],
          missRows,
        ),
        "",
      ]
      : []),
    `Transient mm_users holders (${sizeLabel(ESRCH_SIZES_MIB[0])}): t90, then t100, then ` +
    "the errno when the call failed; `own` is the design's own recipe, `other first` the " +
    "call after someone else's kill:",
    "",
    holderTables.join("\n\n"),
    "",
    ...findings,
    "",
    traces(exp),
  ].join("\n");
}

/** The delays at which the open designs first missed, as "X µs on big cores (64 MiB)". */
function missRowsText(f: EsrchFacts, open: readonly Design[]): string[] {
  const out: string[] = [];
  for (const mib of ESRCH_SIZES_MIB) {
    for (const cpus of CORES) {
      const first = open.map((d) => f.firstMiss(d, mib, cpus)).filter((x) => x !== undefined);
      if (first.length) {
        out.push(`${Math.min(...first)} µs (${sizeLabel(mib)}, ${cpus} cores)`);
      }
    }
  }
  return out;
}

/**
 * The finding at a glance: which designs' own recipes never missed, which did, and what a
 * kill by someone else first costs with a long-lived holder, all from the measurements.
 *
 * @example
 * ```ts
 * import { esrchFinding } from "./sections_esrch.ts";
 * // esrchFinding(r) starts "**Through their own recipes"
 * ```
 */
export function esrchFinding(r: Results): string {
  const f = new EsrchFacts(r);
  const { closed, open } = f.split();
  const n = f.ownAll().length;
  const otherFail = f.failAfterOther(ESRCH_HOLDER_DELAY_US);
  const { stuck, freed, reaped } = f.longHolder();
  const firsts = open.flatMap((d) =>
    ESRCH_SIZES_MIB.flatMap((mib) => CORES.map((c) => f.firstMiss(d, mib, c)))
  ).filter((x) => x !== undefined);
  return [
    closed.length
      ? `**Through their own recipes, ${names(closed)} never found nothing to reap** ` +
        `(${n} situations each: calls 0 to ${int(f.maxDelayUs())} µs after the decision to ` +
        `kill, two sizes, big and little cores, three mm_users holders)${
          closed.every((d) => d.killsInCall) ? ": their call is the kill" : ""
        }.`
      : `**Through their own recipes, every reaping design found nothing to reap somewhere.**`,
    open.length
      ? `${names(open)}${
        open.every((d) => !d.killsInCall) ? ", which kill and then call," : ""
      } found nothing in ${counts(f, open)}${
        firsts.length ? `, from ${Math.min(...firsts)} µs between the kill and the call` : ""
      }.`
      : "",
    otherFail.length
      ? `When someone else killed first and the call came ${ESRCH_HOLDER_DELAY_US} µs ` +
        `later, ${names(otherFail)} all found nothing${
          stuck.length && freed.length
            ? `, and with a long-lived mm_users holder the memory stayed until ` +
              `${span(stuck)} (t100) against ${span(freed)} through the own recipes of ` +
              `${names(reaped)}`
            : ""
        }: the ESRCH window is opened by the kill before the call, whoever sends it.`
      : "",
  ].filter((x) => x).join(" ");
}
