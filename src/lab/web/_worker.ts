/**
 * The playground's Web Worker: everything the page computes runs here, on the same engine
 * and core as the command line, so the page stays responsive. It validates scenario text
 * exactly as `lab run` does (`parseScenario`: every problem with its JSON path), runs each
 * chosen design with `runScenario`, and answers with what the page draws.
 *
 * @module
 */

import { type Design, KERNEL_BUGS, PAGE_SIZE } from "../../core/mod.ts";
import { ABI_VERSION } from "../../core/wasm.ts";
import { freedPages, type RunResult, runScenario } from "../../engine/run/mod.ts";
import {
  KERNEL_VERSIONS,
  type KernelVersion,
  parseScenario,
  type Scenario,
  SCENARIO_BYTES_MAX,
  ScenarioError,
} from "../../engine/scenario/mod.ts";
import { toTraceEventJson, traceFile } from "../../engine/trace/mod.ts";
import { chooseDesign, designs } from "../designs/mod.ts";
import { allUnits, callParties, errnoReason, EXPERIMENTS, pointScenario } from "../report/mod.ts";
import { eventRows } from "./_events.ts";
import { exploreScenario, replayChoices } from "./_exploration.ts";
import {
  EVENT_ROWS_MAX,
  type ExploreAnswer,
  type Meta,
  type Problems,
  READY_ID,
  type ReplayAnswer,
  type Reply,
  type Request,
  type RunAnswer,
  type RunView,
  type Settings,
  TIMELINE_BARS_MAX,
} from "./_protocol.ts";
import { timelineBars } from "./_timeline.ts";

/** The most points a memory curve keeps (the chart draws each). */
const CURVE_POINTS_MAX = 2000;

/** The worker's scope, as far as it is used (no DOM or webworker lib needed). */
interface WorkerScope {
  onmessage: ((e: { data: Request }) => void) | null;
  postMessage(message: Reply, transfer?: Transferable[]): void;
}

/** The last run's results, for the trace downloads. */
let last: RunResult[] = [];

/**
 * Answers the page's requests, one at a time, in order. It says so first (a message with
 * id 0): a module worker runs its top-level await (the core's `.wasm`) with its event loop
 * going, so a message that arrives before the handler is set would be lost.
 */
export function startWorker(scope: WorkerScope): void {
  scope.onmessage = (e) => {
    const req = e.data;
    try {
      const value = answer(req);
      const transfer = value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : [];
      scope.postMessage({ id: req.id, ok: true, value }, transfer);
    } catch (err) {
      scope.postMessage({ id: req.id, ok: false, error: (err as Error).message ?? String(err) });
    }
  };
  scope.postMessage({ id: READY_ID, ok: true, value: null });
}

function answer(req: Request): unknown {
  switch (req.op) {
    case "meta":
      return meta();
    case "point":
      return JSON.stringify(pointJson(req.name), null, 2);
    case "run":
      return run(req.text, req.settings);
    case "trace": {
      const r = last[req.index];
      if (!r) throw new Error(`no run ${req.index}: run the scenario first`);
      return traceFile(r, req.format).data;
    }
    case "explore":
      return explore(req.text, req.file, req.kernel, req.explore);
    case "replay":
      return replay(req.text, req.design, req.kernel, req.choices, req.kernelBugs);
    case "bench":
      return bench(req.text, req.design, req.runs);
  }
}

function meta(): Meta {
  return {
    kernels: KERNEL_VERSIONS,
    designs: designs().map((d) => ({
      name: d.name,
      call: d.call,
      summary: d.summary,
      status: d.status,
      variants: (d.variants ?? []).map((v) => v.name),
    })),
    points: EXPERIMENTS.map((x) => ({
      experiment: x.title,
      names: x.points(false).map((p) => p.name),
    })),
    abi: ABI_VERSION,
    kernelBugs: KERNEL_BUGS,
  };
}

function pointJson(name: string): Record<string, unknown> {
  const unit = allUnits(false).find((u) => u.point.name === name);
  if (!unit) throw new Error(`no review point "${name}"`);
  return pointScenario(unit.point);
}

/** The scenario, validated as `lab run` validates a file, or every problem. */
function parse(text: string): Scenario | Problems {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > SCENARIO_BYTES_MAX) {
    const problems = [{
      path: "$",
      message: `the scenario is ${bytes} bytes, over the ${SCENARIO_BYTES_MAX}-byte limit`,
    }];
    return { ok: false, problems, message: problems[0].message };
  }
  try {
    return parseScenario(text);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { ok: false, problems: e.problems, message: e.message };
  }
}

function kernelOf(name: string | null): KernelVersion | undefined {
  if (name === null) return undefined;
  const k = KERNEL_VERSIONS.find((v) => v === name);
  if (!k) throw new Error(`unknown kernel "${name}": one of ${KERNEL_VERSIONS.join(", ")}`);
  return k;
}

function run(text: string, settings: Omit<Settings, "source">): RunAnswer {
  // Every name is checked before anything runs, as the command line does.
  const chosen = settings.designs.map((spec) => ({ spec, ...chooseDesign(spec) }));
  if (chosen.length === 0) throw new Error("pick at least one design");
  const kernel = kernelOf(settings.kernel);
  const seed = settings.seed ?? undefined;
  const parsed = parse(text);
  if ("ok" in parsed) return parsed;
  const scenario = parsed;
  const start = performance.now();
  last = chosen.map((c) => runScenario(scenario, { ...c, kernel, seed }));
  const ms = performance.now() - start;
  return {
    ok: true,
    scenario: scenario.name,
    kernel: kernel ?? scenario.kernel,
    seed: seed ?? scenario.seed,
    runs: last.map((r, i) => view(scenario, chosen[i].spec, chosen[i].design, r)),
    ms,
  };
}

/** `lab explore`'s report for one design (`_exploration.ts`). */
function explore(
  text: string,
  file: string,
  kernelName: string | null,
  settings: Parameters<typeof exploreScenario>[3],
): ExploreAnswer {
  const kernel = kernelOf(kernelName);
  const parsed = parse(text);
  if ("ok" in parsed) return parsed;
  const start = performance.now();
  const report = exploreScenario(parsed, file, kernel, settings);
  return { ok: true, report, ms: performance.now() - start };
}

/** A witness replayed as `deno task replay ... --choices` replays it, drawn as a run is. */
function replay(
  text: string,
  spec: string,
  kernelName: string | null,
  choices: readonly number[],
  kernelBugs: number,
): ReplayAnswer {
  const kernel = kernelOf(kernelName);
  const parsed = parse(text);
  if ("ok" in parsed) return parsed;
  const { result, marks } = replayChoices(parsed, spec, kernel, choices, kernelBugs);
  return { ok: true, run: view(parsed, spec, chooseDesign(spec).design, result), marks };
}

function view(scenario: Scenario, label: string, design: Design, r: RunResult): RunView {
  const victim = scenario.processes.find((p) => p.tgid === scenario.intent.victim);
  const mm = scenario.mms.find((m) => m.id === victim?.mm);
  const frees = freedPages(r, {
    mms: mm ? [mm.index] : [],
    caller: scenario.caller.pid,
    victims: new Set(victim?.threads.map((t) => t.pid) ?? []),
  });
  const json = toTraceEventJson(r.events, r.trace);
  const bars = timelineBars(json.traceEvents, frees, r.trace, scenario.cpus.length)
    .sort((a, b) => a.start_ms - b.start_ms);
  return {
    label,
    outcome: r.outcome,
    curve: curve(frees, scenario.intent.at_ns, r.outcome.end_ns),
    timeline: bars.slice(0, TIMELINE_BARS_MAX),
    timelineTotal: bars.length,
    events: eventRows(r.events, r.trace, EVENT_ROWS_MAX),
    eventTotal: r.events.length,
    errnoNotes: errnoNotes(scenario, design, String(r.outcome.errno)),
  };
}

/** Memory freed over time: (ms after the intent, MiB), held to the end of the run. */
function curve(
  frees: readonly { at_ns: number; pages: number }[],
  intentNs: number,
  endNs: number,
): [number, number][] {
  const mib = PAGE_SIZE / 2 ** 20;
  const points: [number, number][] = [[0, 0]];
  let pages = 0;
  for (const f of frees) {
    pages += f.pages;
    points.push([Math.max(0, f.at_ns - intentNs) / 1e6, pages * mib]);
  }
  points.push([Math.max(0, endNs - intentNs) / 1e6, pages * mib]);
  if (points.length <= CURVE_POINTS_MAX) return points;
  const step = (points.length - 1) / (CURVE_POINTS_MAX - 1);
  return Array.from({ length: CURVE_POINTS_MAX }, (_, i) => points[Math.round(i * step)]);
}

/**
 * Why the call answered `errno`: the sentences of the design's own description that name
 * it, and the permission facts of the scenario when they explain it (the review's words).
 */
function errnoNotes(scenario: Scenario, design: Design, errno: string): string[] {
  const notes: string[] = [];
  if (/^E[A-Z]+$/.test(errno)) {
    const word = new RegExp(`\\b${errno}\\b`);
    const sentences = (design.semantics ?? "").split(/(?<=[.;])\s+/);
    notes.push(...sentences.filter((s) => word.test(s)));
    const who = callParties(scenario);
    const why = who && errnoReason(design, errno, who);
    if (why) notes.push(why);
  }
  return notes;
}

/** Runs `design` on the scenario `runs` times; answers the wall time in ms. */
function bench(text: string, spec: string, runs: number): { ms: number; runs: number } {
  const parsed = parse(text);
  if ("ok" in parsed) throw new Error(parsed.message);
  const choice = chooseDesign(spec);
  const start = performance.now();
  for (let i = 0; i < runs; i++) runScenario(parsed, choice);
  return { ms: performance.now() - start, runs };
}
