/**
 * What the page and its Web Worker say to each other, and the settings a run is made of
 * (which the page's URL encodes: {@linkcode settingsToHash}).
 *
 * @module
 */

import type { Outcome } from "../../engine/run/mod.ts";
import type { ScenarioProblem } from "../../engine/scenario/mod.ts";
import type { TimelineBar } from "./_timeline.ts";
import type { EventRow } from "./_events.ts";
import type { ChoiceMark, ExploreReport, ExploreSettings } from "./_exploration.ts";

/** The file beside the page that lists what the build put in the site. */
export const SITE_INDEX = "site.json";

/** What the build put in the site ({@linkcode SITE_INDEX}). */
export interface SiteIndex {
  /** Scenario files, paths under `scenarios/` (each validates). */
  readonly scenarios: readonly string[];
  /** Each design's source file, by design name: its path in the repository. */
  readonly sources: Readonly<Record<string, string>>;
  /** The designs that have a documentation page (`designs/<name>.html`). */
  readonly docs: readonly string[];
}

/** Where the scenario text comes from. */
export type ScenarioSource =
  /** A shipped file, by its path under `scenarios/`. */
  | { readonly kind: "file"; readonly path: string }
  /** A point of the design review's experiments, by name. */
  | { readonly kind: "point"; readonly name: string }
  /** Text edited in the page. */
  | { readonly kind: "json"; readonly text: string };

/** Everything a run depends on: the same settings run the same runs, byte for byte. */
export interface Settings {
  /** The scenario. */
  readonly source: ScenarioSource;
  /** The designs, `name` or `name@variant`, in table order. */
  readonly designs: readonly string[];
  /** The kernel version; null: the scenario's. */
  readonly kernel: string | null;
  /** The seed; null: the scenario's. */
  readonly seed: number | null;
  /** The exploration asked for (`lab explore`'s options), if any. */
  readonly explore?: ExploreSettings;
  /** The outcome (by its index in the report) whose witness is replayed, if any. */
  readonly witness?: number;
}

/** A request to the worker; `id` comes back with the answer. */
export type Request =
  | { readonly id: number; readonly op: "meta" }
  | { readonly id: number; readonly op: "point"; readonly name: string }
  | {
    readonly id: number;
    readonly op: "run";
    readonly text: string;
    readonly settings: Omit<Settings, "source">;
  }
  | {
    readonly id: number;
    readonly op: "trace";
    readonly index: number;
    readonly format: "ftrace" | "json";
  }
  | {
    readonly id: number;
    readonly op: "explore";
    readonly text: string;
    /** The scenario as the replay commands name it. */
    readonly file: string;
    readonly kernel: string | null;
    readonly explore: ExploreSettings;
  }
  | {
    readonly id: number;
    readonly op: "replay";
    readonly text: string;
    readonly design: string;
    readonly kernel: string | null;
    readonly choices: readonly number[];
    /** Kernel bug bits, as the exploration had them. */
    readonly kernelBugs: number;
  }
  | {
    readonly id: number;
    readonly op: "bench";
    readonly text: string;
    readonly design: string;
    readonly runs: number;
  };

/** A design as the page lists it. */
export interface DesignInfo {
  /** Its name. */
  readonly name: string;
  /** The call as a user writes it. */
  readonly call: string;
  /** One line on what it does. */
  readonly summary: string;
  /** "baseline", "RFC", "merged in v5.15", ... */
  readonly status: string;
  /** Its variants (none for a design with one version). */
  readonly variants: readonly string[];
}

/** The worker's answer to `meta`. */
export interface Meta {
  /** The kernel versions, oldest first. */
  readonly kernels: readonly string[];
  /** The designs every comparison iterates. */
  readonly designs: readonly DesignInfo[];
  /** The review's experiment points, by experiment. */
  readonly points: readonly { readonly experiment: string; readonly names: readonly string[] }[];
  /** The core's ABI version. */
  readonly abi: number;
  /** The historical kernel bugs an exploration can switch back on, by name: their bits. */
  readonly kernelBugs: Readonly<Record<string, number>>;
}

/** One design's run, as the page shows it. */
export interface RunView {
  /** `name` or `name@variant`, as asked. */
  readonly label: string;
  /** The outcome (`lab compare --json` prints the same record). */
  readonly outcome: Outcome;
  /** Memory freed over time: (ms after the intent, MiB). */
  readonly curve: readonly (readonly [number, number])[];
  /** The per-CPU timeline: its first {@linkcode TIMELINE_BARS_MAX} bars in time. */
  readonly timeline: readonly TimelineBar[];
  /** How many bars the run's timeline has in all. */
  readonly timelineTotal: number;
  /** The event list (at most {@linkcode EVENT_ROWS_MAX} rows). */
  readonly events: readonly EventRow[];
  /** How many events the run logged in all. */
  readonly eventTotal: number;
  /** Why the call answered what it did, from the design's own description and the facts. */
  readonly errnoNotes: readonly string[];
}

/**
 * The most timeline bars drawn per run: an SVG of more than a few thousand marks makes the
 * page crawl; the trace downloads (Perfetto) hold every slice.
 */
export const TIMELINE_BARS_MAX = 4000;

/** The most event rows sent to the page per run; the trace downloads hold every event. */
export const EVENT_ROWS_MAX = 5000;

/** The worker's answer to `run`. */
export type RunAnswer =
  | {
    readonly ok: true;
    readonly scenario: string;
    readonly kernel: string;
    readonly seed: number;
    readonly runs: readonly RunView[];
    readonly ms: number;
  }
  /** The scenario is invalid: every problem with its JSON path, as the CLI reports them. */
  | { readonly ok: false; readonly problems: readonly ScenarioProblem[]; readonly message: string };

/** A scenario the worker refused: every problem with its JSON path, as the CLI reports them. */
export type Problems = Extract<RunAnswer, { ok: false }>;

/** The worker's answer to `explore`. */
export type ExploreAnswer =
  | { readonly ok: true; readonly report: ExploreReport; readonly ms: number }
  | Problems;

/** The worker's answer to `replay`: the run, and when each of its choices was drawn. */
export type ReplayAnswer =
  | { readonly ok: true; readonly run: RunView; readonly marks: readonly ChoiceMark[] }
  | Problems;

/** The id of the worker's first message: it is listening. Requests count from 1. */
export const READY_ID = 0;

/** An answer from the worker. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The URL hash's keys. */
const KEY = {
  file: "file",
  point: "point",
  json: "json",
  designs: "d",
  kernel: "k",
  seed: "seed",
  explore: "x",
  preemptions: "xk",
  budget: "xb",
  witness: "xw",
  kernelBugs: "xbugs",
};

/**
 * The settings as a URL hash (`#file=dstate-little-core.json&d=sigkill,...&seed=1`); edited
 * JSON travels compressed (deflate-raw, base64url), so a shared link carries the exact text.
 */
export async function settingsToHash(s: Settings): Promise<string> {
  const q = new URLSearchParams();
  if (s.source.kind === "file") q.set(KEY.file, s.source.path);
  else if (s.source.kind === "point") q.set(KEY.point, s.source.name);
  else q.set(KEY.json, await deflate(s.source.text));
  q.set(KEY.designs, s.designs.join(","));
  if (s.kernel !== null) q.set(KEY.kernel, s.kernel);
  if (s.seed !== null) q.set(KEY.seed, String(s.seed));
  if (s.explore) {
    q.set(KEY.explore, s.explore.design);
    if (s.explore.preemptions !== null) q.set(KEY.preemptions, String(s.explore.preemptions));
    q.set(KEY.budget, String(s.explore.budget));
    if (s.explore.kernelBugs) q.set(KEY.kernelBugs, String(s.explore.kernelBugs));
    if (s.witness !== undefined) q.set(KEY.witness, String(s.witness));
  }
  return `#${q.toString()}`;
}

/** The settings a hash encodes, or null when it encodes none (or not a whole set). */
export async function settingsFromHash(hash: string): Promise<Settings | null> {
  const q = new URLSearchParams(hash.replace(/^#/, ""));
  let source: ScenarioSource;
  const file = q.get(KEY.file), point = q.get(KEY.point), json = q.get(KEY.json);
  if (file !== null) source = { kind: "file", path: file };
  else if (point !== null) source = { kind: "point", name: point };
  else if (json !== null) source = { kind: "json", text: await inflate(json) };
  else return null;
  const designs = (q.get(KEY.designs) ?? "").split(",").filter((d) => d !== "");
  const seedText = q.get(KEY.seed);
  const seed = seedText === null ? null : Number(seedText);
  if (seed !== null && !Number.isSafeInteger(seed)) return null;
  const settings: Settings = { source, designs, kernel: q.get(KEY.kernel), seed };
  const design = q.get(KEY.explore);
  if (design === null) return settings;
  const number = (key: string) => {
    const v = q.get(key);
    return v === null ? null : /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  };
  const [preemptions, budget, witness, bugs] = [
    number(KEY.preemptions),
    number(KEY.budget),
    number(KEY.witness),
    number(KEY.kernelBugs),
  ];
  if ([preemptions, budget, witness, bugs].some(Number.isNaN) || budget === null) return null;
  return {
    ...settings,
    explore: { design, preemptions, budget, ...(bugs ? { kernelBugs: bugs } : {}) },
    ...(witness === null ? {} : { witness }),
  };
}

async function deflate(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function inflate(b64: string): Promise<string> {
  const bin = atob(b64.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return await new Response(stream).text();
}
