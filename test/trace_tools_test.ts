/**
 * The lab's traces through the tools people open them with, on real runs (every scenario
 * file of scenarios/ under every registered design):
 *
 * - trace.txt through Perfetto's systrace importer, as test/_perfetto_systrace.ts models its
 *   grammar (google/perfetto's systrace_line_tokenizer.cc and systrace_line_parser.cc):
 *   every line tokenizes, every marker parses, and every event is drawn — by its own parser
 *   (sched_switch, sched_waking), as a slice or counter, or by an `I|` instant twin.
 * - trace.dat through Debian's trace-cmd (3.1.6): `trace-cmd report` prints the same
 *   records as trace.txt (comm, pid, CPU, timestamp to the µs and to the ns, event and
 *   fields), with and without its plugins, and `--stat` reads it.
 * - trace.json against the Trace Event Format's rules (required fields per phase, B/E
 *   pairing, X nesting per thread, metadata events, no displayTimeUnit).
 * - All three are the same bytes when the same run is exported twice.
 *
 * trace-cmd is installed by .ci/setup-trace-cmd.sh, which .ci/run calls before the tests;
 * when it is missing this test calls that script (it installs from Debian as root, else
 * fails saying what to run).
 */

import assert from "node:assert/strict";
import { designs } from "../src/lab/designs/mod.ts";
import { type RunResult, runScenario } from "../src/engine/run/mod.ts";
import { loadScenarioFile } from "../src/engine/scenario/mod.ts";
import {
  EVENT_KINDS,
  toFtrace,
  toTraceDat,
  toTraceEventJson,
  type TraceContext,
  type TraceEvent,
  traceFile,
} from "../src/engine/trace/mod.ts";
import { classifyLines, type LineVerdict } from "./_perfetto_systrace.ts";
import { ensureProgram } from "./_debian.ts";

const root = new URL("..", import.meta.url);

/** Every top-level scenario file under every registered design. */
async function allRuns(): Promise<{ name: string; run: RunResult }[]> {
  const files = [...Deno.readDirSync(new URL("scenarios/", root))]
    .filter((e) => e.isFile && e.name.endsWith(".json")).map((e) => e.name).sort();
  const out: { name: string; run: RunResult }[] = [];
  for (const file of files) {
    const scenario = await loadScenarioFile(new URL(`scenarios/${file}`, root).pathname);
    for (const design of designs()) {
      out.push({ name: `${file} ${design.name}`, run: runScenario(scenario, { design }) });
    }
  }
  return out;
}

const RUNS = await allRuns();

/** A run by scenario file and design. */
function runOf(file: string, design: string): RunResult {
  const found = RUNS.find((r) => r.name === `${file} ${design}`);
  assert.ok(found, `no run ${file} ${design}`);
  return found.run;
}

// ---- Perfetto's systrace importer ----------------------------------------------------------

/** A tracepoint line Perfetto's importer accepts but draws nothing for, and what draws it. */
const DRAWN_BY: Readonly<Record<string, (next: string, prev: string, line: string) => boolean>> = {
  // try_to_wake_up() writes sched_waking just before: Perfetto reads that one.
  sched_wakeup: (_next, prev, line) => prev.replace(" sched_waking: ", " sched_wakeup: ") === line,
  // Syscalls are B/E slices (balanced below); an exit without its enter draws nothing.
  sys_enter: (next) => /: tracing_mark_write: B\|\d+\|/.test(next),
  sys_exit: () => true,
};

/** The `I|<tgid>|<event>: <fields>` twin line of a tracepoint line. */
function isTwin(line: string, next: string): boolean {
  const m = line.match(/^(.*?\] +\d+\.\d+: )(\S+: .*)$/);
  return m !== null && next.startsWith(`${m[1]}tracing_mark_write: I|`) &&
    next.endsWith(`|${m[2]}`);
}

Deno.test("trace.txt: Perfetto's systrace importer reads every line and draws every event", () => {
  const totals: Partial<Record<LineVerdict, number>> = {};
  for (const { name, run } of RUNS) {
    for (const precision of ["us", "ns"] as const) {
      const lines = classifyLines(toFtrace(run.events, { ...run.trace, precision }));
      lines.forEach(({ line, verdict }, i) => {
        totals[verdict] = (totals[verdict] ?? 0) + 1;
        const next = lines[i + 1]?.line ?? "";
        const prev = lines[i - 1]?.line ?? "";
        const event = line.match(/\] +\d+\.\d+: (\S+):/)?.[1] ?? "";
        const where = `${name} (${precision}), line ${i + 1}: ${line}`;
        switch (verdict) {
          case "skipped":
            assert.ok(i === 0 || line.startsWith("#"), where);
            return;
          case "used":
            return;
          case "tokenizer_failure":
          case "marker_failure":
            assert.fail(`Perfetto rejects ${where}`);
            return;
          case "parse_error":
            // No kernel's rss_stat text parses there (Perfetto reads `size=<n> member=<n>`,
            // its own converter's form); the counter mark after it draws the same value.
            assert.equal(event, "rss_stat", where);
            assert.match(next, /: tracing_mark_write: C\|\d+\|mm\d+ MM_\w+\|\d+$/, where);
            assert.equal(
              next.match(/\|(\d+)$/)?.[1],
              line.match(/ size=(\d+)B$/)?.[1],
              `${where}: the counter carries another size`,
            );
            return;
          case "ignored":
            assert.ok(
              DRAWN_BY[event]?.(next, prev, line) ?? isTwin(line, next),
              `undrawn: ${where}`,
            );
        }
      });
    }
  }
  assert.equal(totals.tokenizer_failure ?? 0, 0);
  assert.ok((totals.used ?? 0) > (totals.ignored ?? 0) + (totals.parse_error ?? 0));
});

Deno.test("trace.txt: the atrace B/E marks balance on every thread", () => {
  for (const { name, run } of RUNS) {
    const depth = new Map<string, number>();
    for (const line of toFtrace(run.events, run.trace).split("\n")) {
      const m = line.match(/-(\d+) +\[\d+\] .*: tracing_mark_write: ([BE])\|/);
      if (m === null) continue;
      const d = (depth.get(m[1]) ?? 0) + (m[2] === "B" ? 1 : -1);
      assert.ok(d >= 0, `${name}: E without B: ${line}`);
      depth.set(m[1], d);
    }
  }
});

// ---- trace-cmd --------------------------------------------------------------------------------

/** trace-cmd on PATH, installed by .ci/setup-trace-cmd.sh if it is not. */
function ensureTraceCmd(): Promise<void> {
  return ensureProgram("setup-trace-cmd.sh", {
    present: async () => {
      try {
        await new Deno.Command("trace-cmd", { args: ["--version"], stdout: "null", stderr: "null" })
          .output();
        return true;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        return false;
      }
    },
    for: "trace-cmd is needed to check trace.dat",
  });
}

/** `trace-cmd <args>` on a trace.dat: its stdout; fails on a non-zero exit or on stderr. */
async function traceCmd(dat: Uint8Array, args: string[]): Promise<string> {
  await ensureTraceCmd();
  const file = await Deno.makeTempFile({ suffix: ".dat" });
  try {
    await Deno.writeFile(file, dat);
    const r = await new Deno.Command("trace-cmd", {
      args: [...args, "-i", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.ok(r.success, `trace-cmd ${args.join(" ")} exited ${r.code}: ${err}`);
    assert.equal(err, "", `trace-cmd ${args.join(" ")} complained`);
    return new TextDecoder().decode(r.stdout);
  } finally {
    await Deno.remove(file);
  }
}

/** One record line of trace.txt or of `trace-cmd report`, as its parts. */
interface ReportLine {
  comm: string;
  pid: number;
  cpu: number;
  ts: string;
  event: string;
  fields: string;
}

/**
 * The record lines of a report. trace-cmd pads differently (`%-5d` pids, the event name in
 * 20 columns) and prints a marker as `print: tracing_mark_write: <text>` where the kernel's
 * trace file prints `tracing_mark_write: <text>`; both are read into the same parts.
 */
function reportLines(text: string): ReportLine[] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("cpus="))
    .map((l) => {
      const m = l.match(/^ *(.+)-(\d+) +\[(\d+)\] +(\d+\.\d+): (\S+): +(.*)$/);
      assert.ok(m !== null, `not a record line: ${l}`);
      let [event, fields] = [m[5], m[6].trimEnd()];
      if (event === "print") {
        [event, fields] = [
          fields.slice(0, fields.indexOf(": ")),
          fields.slice(fields.indexOf(": ") + 2),
        ];
      }
      return { comm: m[1], pid: Number(m[2]), cpu: Number(m[3]), ts: m[4], event, fields };
    });
}

/** Checks trace-cmd's reading of a run's trace.dat against its trace.txt. */
async function checkWithTraceCmd(name: string, events: readonly TraceEvent[], ctx: TraceContext) {
  const dat = toTraceDat(events, ctx);
  const text = toFtrace(events, ctx);
  // Without plugins trace-cmd prints each record with its format's print fmt: the kernel's
  // TP_printk, as trace.txt does. -t: nanoseconds, as trace.txt's "ns" precision.
  const plain = await traceCmd(dat, ["report", "-N"]);
  assert.equal(plain.split("\n")[0], text.split("\n")[0], `${name}: cpus=`);
  assert.deepEqual(reportLines(plain), reportLines(text), `${name}: trace-cmd report -N`);
  assert.deepEqual(
    reportLines(await traceCmd(dat, ["report", "-N", "-t"])),
    reportLines(toFtrace(events, { ...ctx, precision: "ns" })),
    `${name}: trace-cmd report -N -t`,
  );
  // With its plugins (the default) it prints sched_switch and sched_wakeup its own way;
  // the records are the same.
  const strip = (l: ReportLine) => ({ ...l, fields: "" });
  assert.deepEqual(
    reportLines(await traceCmd(dat, ["report"])).map(strip),
    reportLines(text).map(strip),
    `${name}: trace-cmd report`,
  );
  assert.match(await traceCmd(dat, ["report", "--stat"]), /^cpus=\d+$/m);
  return plain;
}

Deno.test("trace.dat: trace-cmd report prints the records of trace.txt (D state, oom_reaper)", async () => {
  // The victim sleeps in D for 500 ms on a little core: the merged process_mrelease reaps
  // it from lmkd's reaper thread meanwhile; SIGKILL alone waits for its exit.
  for (const design of ["process_mrelease", "sigkill"]) {
    const run = runOf("dstate-little-core.json", design);
    const plain = await checkWithTraceCmd(`dstate-little-core ${design}`, run.events, run.trace);
    assert.match(plain, / signal_generate: +sig=9 errno=0 code=0 comm=\S+ pid=1000 grp=1 res=0$/m);
    assert.match(plain, / sched_process_exit: +comm=\S+ pid=1000 prio=120 group_dead=true$/m);
  }
  // D for 2 s: the oom_reaper kthread's delay runs out first and it reaps the victim.
  const oom = runOf("dstate-long-little-core.json", "oom_reaper");
  const plain = await checkWithTraceCmd(
    "dstate-long-little-core oom_reaper",
    oom.events,
    oom.trace,
  );
  for (const event of ["mark_victim", "wake_reaper", "start_task_reaping", "finish_task_reaping"]) {
    assert.match(plain, new RegExp(` ${event}: +pid=1000[ \n]`), event);
  }
  assert.match(
    plain,
    /^ +oom_reaper-\d+ +\[\d+\] +\d+\.\d+: rss_stat: +mm_id=\d+ curr=0 type=MM_ANONPAGES /m,
  );
});

Deno.test("trace.dat: trace-cmd reads every run's file", async () => {
  for (const { name, run } of RUNS) await checkWithTraceCmd(name, run.events, run.trace);
});

Deno.test("trace.dat: page breaks, long gaps, long records, data_loc strings, negatives", async () => {
  // One CPU busy enough for many ring buffer pages; gaps just under 2^27 ns, over 2^27 ns
  // (TIME_EXTEND) and over 2^32 ns; markers longer than 112 bytes (a length word); mark_victim and
  // sched_process_free (__data_loc comm); a negative return and argument; idle CPUs.
  const comms: Record<number, string> = { 7: "lmkd", 100: "a_very_long_victim_name" };
  const ctx: TraceContext = {
    comm: (p) => comms[p] ?? "",
    tgid: (p) => p,
    mmOwner: () => "a mm owner with a long name ".repeat(4),
    kernel: "6.18",
  };
  const ev = (
    tsNs: number,
    cpu: number,
    pid: number,
    kind: keyof typeof EVENT_KINDS,
    a = 0,
    b = 0,
  ) => ({ tsNs, cpu, pid, kind: EVENT_KINDS[kind], a, b, c: 0, d: 0 });
  const events: TraceEvent[] = [];
  let t = 0;
  for (let i = 0; i < 400; i++) {
    // 100 ms: a delta with the header word's top bit set; 2^27 + x and 5 * 2^32: extended.
    t += i % 97 === 0
      ? 2 ** 27 + 12_345
      : i % 191 === 0
      ? 5 * 2 ** 32
      : i % 53 === 0
      ? 100_000_000
      : 1_000 + i;
    events.push(ev(t, 3, 7, "mm_ref", 1, i));
    events.push(ev(t, 3, 7, "sys_enter", 448, -1));
    events.push(ev(t + 1, 3, 7, "sys_exit", 448, -3));
  }
  events.push(ev(t + 10, 1, 7, "mark_victim", 100));
  events.push(ev(t + 20, 1, 100, "sched_process_free", 100));
  const plain = await checkWithTraceCmd("synthetic", events, ctx);
  assert.match(plain, /^cpus=4$/m);
  assert.match(plain, / mark_victim: +pid=100 comm=a_very_long_vic /);
  assert.match(plain, / sys_exit: +NR 448 = -3$/m);
  assert.match(plain, / sys_enter: +NR 448 \(ffffffffffffffff, 0, 0, 0, 0, 0\)$/m);
  assert.ok(toTraceDat(events, ctx).length > 20 * 4096);
  // An empty log is a valid file too.
  await checkWithTraceCmd("empty", [], ctx);
});

// ---- the Trace Event Format --------------------------------------------------------------

/** Metadata events the format defines, and the argument each carries. */
const METADATA: Readonly<Record<string, string>> = {
  process_name: "name",
  process_labels: "labels",
  process_sort_index: "sort_index",
  thread_name: "name",
  thread_sort_index: "sort_index",
};

/**
 * The Trace Event Format's rules ("Trace Event Format", Google, the JSON Object Format):
 * every event has `name`, `ph`, `ts` (µs), `pid` and `tid`; `args` is an object; X has
 * `dur`; B and E pair up per thread in stack order; i/I has scope g, p or t; C carries
 * numeric args; M is one of the metadata names with its argument. Perfetto's importer also
 * needs X slices on one thread to nest (a partial overlap is an import error).
 */
function checkTraceEventFormat(json: Record<string, unknown>, name: string): void {
  assert.deepEqual(Object.keys(json).sort(), ["otherData", "traceEvents"], name);
  const events = json.traceEvents as Record<string, unknown>[];
  assert.ok(Array.isArray(events), name);
  const open = new Map<string, string[]>();
  const slices = new Map<string, { start: number; end: number; name: string }[]>();
  for (const e of events) {
    const at = `${name}: ${JSON.stringify(e)}`;
    assert.equal(typeof e.name, "string", at);
    assert.ok(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0, at);
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), at);
    if ("args" in e) {
      assert.ok(typeof e.args === "object" && e.args !== null && !Array.isArray(e.args), at);
    }
    const args = (e.args ?? {}) as Record<string, unknown>;
    const thread = `${e.pid}/${e.tid}`;
    switch (e.ph) {
      case "X": {
        assert.ok(typeof e.dur === "number" && Number.isFinite(e.dur) && e.dur >= 0, at);
        const list = slices.get(thread) ?? slices.set(thread, []).get(thread)!;
        list.push({ start: e.ts as number, end: (e.ts as number) + (e.dur as number), name: at });
        break;
      }
      case "B":
        (open.get(thread) ?? open.set(thread, []).get(thread)!).push(e.name as string);
        break;
      case "E":
        assert.ok((open.get(thread) ?? []).pop() !== undefined, `E without B: ${at}`);
        break;
      case "i":
      case "I":
        assert.ok(e.s === undefined || ["g", "p", "t"].includes(e.s as string), at);
        break;
      case "C":
        assert.ok(Object.keys(args).length > 0, at);
        for (const v of Object.values(args)) {
          assert.ok(typeof v === "number" && Number.isFinite(v), at);
        }
        break;
      case "M":
        assert.ok(e.name as string in METADATA, at);
        assert.ok(METADATA[e.name as string] in args, at);
        break;
      default:
        assert.fail(`a phase the lab does not write: ${at}`);
    }
  }
  for (const [thread, stack] of open) assert.deepEqual(stack, [], `${name}: open B on ${thread}`);
  // Slices on one thread nest: sorted by start (longest first), each ends within the
  // innermost slice still open around it. Floats: a tolerance far below a nanosecond.
  for (const list of slices.values()) {
    const stack: { end: number; name: string }[] = [];
    for (const s of list.toSorted((a, b) => a.start - b.start || b.end - a.end)) {
      while (stack.length > 0 && stack.at(-1)!.end <= s.start + 1e-6) stack.pop();
      const parent = stack.at(-1);
      assert.ok(
        parent === undefined || s.end <= parent.end + 1e-6,
        `${s.name} overlaps ${parent?.name}`,
      );
      stack.push(s);
    }
  }
}

Deno.test("trace.json: every run's file keeps the Trace Event Format's rules", () => {
  for (const { name, run } of RUNS) {
    const json = JSON.parse(JSON.stringify(toTraceEventJson(run.events, run.trace)));
    checkTraceEventFormat(json, name);
    // Timestamps are µs: the last event sits at the run's last nanosecond / 1000.
    const last = run.events.at(-1)?.tsNs ?? 0;
    const maxTs = Math.max(
      ...json.traceEvents.map((e: { ts: number; dur?: number }) => e.ts + (e.dur ?? 0)),
    );
    assert.ok(Math.abs(maxTs - last / 1000) < 1e-6, `${name}: ${maxTs} µs against ${last} ns`);
  }
});

// ---- determinism -----------------------------------------------------------------------------

Deno.test("the same run exports to the same bytes, in all three formats", async () => {
  const file = new URL("scenarios/dstate-little-core.json", root).pathname;
  const scenario = await loadScenarioFile(file);
  for (const design of designs().slice(0, 4)) {
    const a = runScenario(scenario, { design });
    const b = runScenario(scenario, { design });
    for (const format of ["ftrace", "json", "dat"] as const) {
      assert.deepEqual(traceFile(a, format), traceFile(b, format), `${design.name} ${format}`);
    }
  }
});
