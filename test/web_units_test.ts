/**
 * The playground's parts that need no browser: the URL that carries a run's settings, the
 * timeline's bars read from trace.json, and the chart spec (compiled by vega-lite and drawn
 * to SVG by vega under Deno, one line per series).
 */

import assert from "node:assert/strict";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { lineChartSpec } from "../src/lab/charts/mod.ts";
import { designStyle } from "../src/lab/report/mod.ts";
import {
  EXPLORE_BUDGET_DEFAULT,
  type ExploreAnswer,
  type ReplayAnswer,
  type Settings,
  settingsFromHash,
  settingsToHash,
  startWorker,
  TIMELINE_BARS_MAX,
  timelineBars,
} from "../src/lab/web/mod.ts";
import { type ChromeTraceEvent, CPUS_TRACK_PID, cpuTrackTid } from "../src/engine/trace/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { parseScenario } from "../src/engine/scenario/mod.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { lab } from "./_cli.ts";
import { cliExplore, cliReplayHash } from "./_explore_cli.ts";

Deno.test("web: a settings hash gives back the same settings, edited JSON byte for byte", async () => {
  const text = '{\n  "name": "ünïcode — and \\"quotes\\"",\n  "seed": 3\n}\n';
  const all: Settings[] = [
    {
      source: { kind: "file", path: "diff/zombie-leader.json" },
      designs: ["a", "b@v1"],
      kernel: "5.15",
      seed: 9,
    },
    { source: { kind: "point", name: "state-d-500ms" }, designs: ["a"], kernel: null, seed: null },
    { source: { kind: "json", text }, designs: ["a", "b"], kernel: null, seed: 0 },
    {
      source: { kind: "file", path: "explore/two-callers-same-instant.json" },
      designs: [],
      kernel: "5.15",
      seed: null,
      explore: { design: "process_mrelease@v9", preemptions: 2, budget: 50, kernelBugs: 1 },
      witness: 1,
    },
    {
      source: { kind: "file", path: "races/f1-pgtables.json" },
      designs: ["a"],
      kernel: null,
      seed: null,
      explore: { design: "sigkill", preemptions: null, budget: 1 },
    },
  ];
  for (const s of all) {
    const hash = await settingsToHash(s);
    assert.match(hash, /^#/);
    assert.deepEqual(await settingsFromHash(hash), s);
  }
  assert.equal(await settingsFromHash(""), null, "no source: no settings");
  assert.equal(await settingsFromHash("#file=x.json&seed=1.5"), null, "a seed is a whole number");
  assert.equal(
    await settingsFromHash("#file=x.json&x=sigkill"),
    null,
    "an exploration has a budget",
  );
  assert.equal(await settingsFromHash("#file=x.json&x=sigkill&xb=9&xk=-1"), null, "K is whole");
});

Deno.test("web: the timeline's bars come from trace.json's slices and paired instants", () => {
  const ctx = {
    comm: (pid: number) => (pid === 501 ? "lmkd" : "app"),
    tgid: (p: number) => p,
    mmOwner: () => "",
    kernel: "6.18",
  };
  const lock = (ts: number, op: string): ChromeTraceEvent => ({
    name: "mmap_lock",
    cat: "lab",
    ph: "i",
    ts,
    pid: 500,
    tid: 501,
    s: "t",
    args: { op },
  });
  const trace: ChromeTraceEvent[] = [
    { name: "app", cat: "sched", ph: "X", ts: 0, dur: 5, pid: CPUS_TRACK_PID, tid: cpuTrackTid(1) },
    { name: "process_mrelease", cat: "syscall", ph: "X", ts: 5, dur: 40, pid: 500, tid: 501 },
    lock(10, "read_acquired"), // no wait before it: no bar
    lock(20, "read_waiting"),
    lock(30, "read_acquired"),
  ];
  const frees = [
    { at_ns: 31_000, pid: 501, by: "caller" as const, mm: 0, pages: 4 },
    { at_ns: 40_000, pid: 501, by: "caller" as const, mm: 0, pages: 6 },
  ];
  const bars = timelineBars(trace, frees, ctx, 2);
  assert.deepEqual(
    bars.map((b) => [b.lane, b.kind, b.start_ms, b.end_ms]),
    [
      ["CPU 1", "running", 0, 0.005],
      ["lmkd (501)", "syscall", 0.005, 0.045],
      ["lmkd (501)", "mmap_lock wait", 0.02, 0.03],
      ["lmkd (501)", "freeing pages", 0.031, 0.04],
    ],
  );
  assert.equal(bars.at(-1)?.name, "10 pages of the victim's");
  assert.ok(bars[0].order < bars[1].order, "CPUs above threads");
});

Deno.test("web: the memory chart's spec draws one line per series, as SVG under Deno too", async () => {
  const series = [
    { label: "first", points: [[0, 0], [1, 10], [2, 10]] as [number, number][] },
    { label: "second", points: [[0, 0], [3, 10]] as [number, number][] },
    { label: "third", points: [[0, 0], [2, 5]] as [number, number][] },
  ];
  const spec = lineChartSpec({
    title: "t",
    x: { label: "time", unit: "ms" },
    y: { label: "freed", unit: "MiB" },
    series,
    step: true,
  });
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), {
    renderer: "none",
  });
  const svg = await view.toSVG();
  view.finalize();
  // Each line is a path in a line mark's group, labelled with its series.
  const lines = [...svg.matchAll(/<g class="mark-line role-mark[^>]*>(.*?)<\/g>/gs)]
    .flatMap((m) => [...m[1].matchAll(/<path aria-label="[^"]*series: ([^";]+)"/g)])
    .map((m) => m[1]);
  assert.deepEqual(lines, series.map((s) => s.label));
  for (const s of series) assert.ok(svg.includes(`>${s.label}</text>`), s.label);
});

Deno.test("web: a design's line has the colour the review gives that design", async () => {
  const names = designs().map((d) => d.name).slice(0, 3);
  const series = names.map((name, i) => ({
    label: name,
    points: [[0, 0], [i + 1, 10]] as [number, number][],
    color: designStyle(name).color,
  }));
  assert.equal(new Set(series.map((s) => s.color)).size, 3, "three designs, three colours");
  const spec = lineChartSpec({
    title: "t",
    x: { label: "time", unit: "ms" },
    y: { label: "freed", unit: "MiB" },
    series,
  });
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), {
    renderer: "none",
  });
  const svg = await view.toSVG();
  view.finalize();
  const stroke = [...svg.matchAll(/<g class="mark-line role-mark[^>]*>(.*?)<\/g>/gs)]
    .flatMap((
      m,
    ) => [...m[1].matchAll(/<path aria-label="[^"]*series: ([^";]+)"[^>]*stroke="([^"]+)"/g)])
    .map((m) => [m[1], m[2].toUpperCase()]);
  assert.deepEqual(stroke, series.map((s) => [s.label, String(s.color).toUpperCase()]));
});

Deno.test("web: the worker answers a run with runScenario's outcomes, and problems unrun", async () => {
  const replies: { id: number; ok: boolean; value?: unknown; error?: string }[] = [];
  const scope = {
    onmessage: null as ((e: { data: unknown }) => void) | null,
    postMessage: (m: (typeof replies)[number]) => void replies.push(m),
  };
  startWorker(scope as never);
  assert.deepEqual(replies.shift(), { id: 0, ok: true, value: null }, "it says it listens");
  const path = "scenarios/dstate-little-core.json";
  const text = await Deno.readTextFile(path);
  const ask = (data: Record<string, unknown>) => {
    scope.onmessage!({ data });
    return replies.shift()!;
  };
  const names = designs().slice(0, 3).map((d) => d.name);
  const run = ask({
    id: 1,
    op: "run",
    text,
    settings: { designs: names, kernel: "5.15", seed: 4 },
  });
  assert.equal(run.ok, true, run.error);
  const answer = run.value as { ok: true; runs: { outcome: unknown; timeline: unknown[] }[] };
  const scenario = parseScenario(text);
  assert.deepEqual(
    answer.runs.map((r) => r.outcome),
    designs().slice(0, 3).map((design) =>
      runScenario(scenario, { design, kernel: "5.15", seed: 4 }).outcome
    ),
  );
  assert.ok(
    answer.runs.every((r) => r.timeline.length > 0 && r.timeline.length <= TIMELINE_BARS_MAX),
  );
  const bad = ask({
    id: 2,
    op: "run",
    text: "{",
    settings: { designs: names, kernel: null, seed: null },
  });
  const problems = (bad.value as { ok: false; problems: { path: string }[] }).problems;
  assert.equal(bad.ok, true);
  assert.equal(problems[0].path, "$");
  const unknown = ask({
    id: 3,
    op: "run",
    text,
    settings: { designs: ["nope"], kernel: null, seed: null },
  });
  assert.equal(unknown.ok, false);
  assert.match(unknown.error ?? "", /nope/);
});

/** The worker of `startWorker`, driven in-process: each request answered at once. */
function inProcessWorker(): (
  data: Record<string, unknown>,
) => { ok: boolean; value?: unknown; error?: string } {
  const replies: { id: number; ok: boolean; value?: unknown; error?: string }[] = [];
  const scope = {
    onmessage: null as ((e: { data: unknown }) => void) | null,
    postMessage: (m: (typeof replies)[number]) => void replies.push(m),
  };
  startWorker(scope as never);
  replies.shift();
  let id = 0;
  return (data) => {
    scope.onmessage!({ data: { ...data, id: ++id } });
    return replies.shift()!;
  };
}

const TWO = "scenarios/explore/two-callers-same-instant.json";

Deno.test("web: the worker explores as lab explore does, and replays each witness as lab replay", async () => {
  const ask = inProcessWorker();
  const text = await Deno.readTextFile(TWO);
  for (const [design, preemptions] of [["process_mrelease", 2], ["sigkill", null]] as const) {
    const reply = ask({
      op: "explore",
      text,
      file: TWO,
      kernel: null,
      explore: { design, preemptions, budget: EXPLORE_BUDGET_DEFAULT },
    });
    assert.equal(reply.ok, true, reply.error);
    const answer = reply.value as ExploreAnswer & { ok: true };
    const cli = await cliExplore(
      TWO,
      design,
      ...(preemptions === null ? [] : ["--preemptions", "2"]),
    );
    assert.equal(cli.code, 0, cli.err);
    assert.deepEqual(
      answer.report.outcomes.map(({ count, text, replay }) => ({ count, text, replay })),
      cli.outcomes,
    );
    assert.equal(answer.report.verdict?.line, cli.verdict);
    assert.equal(answer.report.truncated, false);
    assert.equal(
      answer.report.schedules,
      cli.outcomes.reduce((n, o) => n + o.count, 0),
    );
    for (const [i, o] of answer.report.outcomes.entries()) {
      const r = ask({ op: "replay", text, design, kernel: null, choices: o.witness });
      const replay = r.value as ReplayAnswer & { ok: true };
      assert.equal(replay.run.outcome.events_hash, await cliReplayHash(cli.outcomes[i].replay));
      // One mark per choice the run drew, in time order, each after the events logged so far.
      assert.ok(replay.marks.length >= o.witness.length);
      assert.deepEqual(replay.marks.map((m) => m.value).slice(0, o.witness.length), o.witness);
      for (let k = 1; k < replay.marks.length; k++) {
        assert.ok(replay.marks[k].at_ns >= replay.marks[k - 1].at_ns);
        assert.ok(replay.marks[k].events >= replay.marks[k - 1].events);
      }
      // A mark splits the log where the choice fell: what came before it, then what after.
      const events = replay.run.events;
      for (const m of replay.marks) {
        assert.ok((events[m.events - 1]?.ts_ns ?? 0) <= m.at_ns, JSON.stringify(m));
        assert.ok((events[m.events]?.ts_ns ?? Infinity) >= m.at_ns, JSON.stringify(m));
      }
      assert.ok(replay.marks.at(-1)!.events <= replay.run.eventTotal);
    }
  }
});

Deno.test("web: an exploration's budget is lab explore's, and reaching it says so", async () => {
  const help = await lab("explore", "--help");
  assert.match(help.out, new RegExp(`--budget N .*\\(default ${EXPLORE_BUDGET_DEFAULT}\\)`));
  const ask = inProcessWorker();
  const text = await Deno.readTextFile(TWO);
  const explore = (budget: number, preemptions: number | null = null) =>
    ask({
      op: "explore",
      text,
      file: TWO,
      kernel: null,
      explore: { design: "process_mrelease", preemptions, budget },
    });
  const r = explore(3).value as ExploreAnswer & { ok: true };
  assert.equal(r.report.truncated, true);
  assert.equal(r.report.schedules, 3);
  assert.match(r.report.budgetMessage ?? "", /Budget reached: 3 schedules .*--budget/);
  const cli = await cliExplore(TWO, "process_mrelease", "--budget", "3");
  assert.equal(cli.code, 1, "lab explore exits 1 at its budget");
  assert.deepEqual(
    r.report.outcomes.map(({ count, text }) => ({ count, text })),
    cli.outcomes.map(({ count, text }) => ({ count, text })),
  );
  for (
    const [budget, preemptions, message] of [[0, null, /budget takes a whole number from 1/], [
      5,
      -1,
      /preemption bound takes a whole number/,
    ]] as const
  ) {
    const bad = explore(budget, preemptions);
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? "", message);
  }
  const broken = ask({
    op: "explore",
    text: "{",
    file: TWO,
    kernel: null,
    explore: { design: "sigkill", preemptions: null, budget: 1 },
  });
  assert.equal((broken.value as { problems: { path: string }[] }).problems[0].path, "$");
});

Deno.test("web: the races' stated verdicts, kernel bugs included, as lab explore and lab replay give them", async () => {
  const ask = inProcessWorker();
  for (
    const file of ["scenarios/races/f1-pgtables.json", "scenarios/races/f3-dangling-mmap.json"]
  ) {
    const text = await Deno.readTextFile(file);
    // What the file states, read here, not through the lab's scenario parser.
    const expect = (JSON.parse(text) as { explore: { expect: Record<string, unknown>[] } })
      .explore.expect.filter((e) => !("preemptions" in e));
    assert.ok(expect.length >= 2);
    for (const e of expect) {
      const design = String(e.design);
      const kernelBugs = Number(e.kernel_bugs ?? 0);
      const explore = (preemptions: number | null) =>
        (ask({
          op: "explore",
          text,
          file,
          kernel: e.kernel,
          explore: { design, preemptions, budget: EXPLORE_BUDGET_DEFAULT, kernelBugs },
        }).value as ExploreAnswer & { ok: true }).report;
      const report = explore(null);
      const bugs = kernelBugs ? ["--kernel-bugs", String(kernelBugs)] : [];
      const cli = await cliExplore(file, design, "--kernel", String(e.kernel), ...bugs);
      assert.deepEqual(
        report.outcomes.map(({ count, text, replay }) => ({ count, text, replay })),
        cli.outcomes,
      );
      assert.equal(report.verdict?.line, cli.verdict);
      assert.equal(report.verdict?.stated, e.verdict, `${file} ${design}`);
      assert.equal(report.verdict?.verdict.toLowerCase(), e.verdict, "the file's verdicts hold");
      assert.equal(explore(1).verdict?.stated, null, "none stated for another bound");
      for (const [i, o] of report.outcomes.entries()) {
        const r = ask({
          op: "replay",
          text,
          design,
          kernel: e.kernel,
          choices: o.witness,
          kernelBugs,
        });
        const hash = (r.value as ReplayAnswer & { ok: true }).run.outcome.events_hash;
        assert.equal(hash, await cliReplayHash(cli.outcomes[i].replay), cli.outcomes[i].replay);
      }
    }
  }
  const bad = ask({
    op: "explore",
    text: await Deno.readTextFile(TWO),
    file: TWO,
    kernel: null,
    explore: { design: "sigkill", preemptions: null, budget: 1, kernelBugs: 2 },
  });
  assert.match(
    bad.error ?? "",
    /kernel bugs take a sum of known bits \(1 = F3_DANGLING_MMAP\), got 2/,
  );
});
