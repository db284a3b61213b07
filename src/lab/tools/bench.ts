/**
 * `deno task bench`: the core's speed next to the targets of the issue.
 *
 * 1. runs `deno bench -A --json test/bench/` (test/bench/core_bench.ts) and reads the
 *    figures by bench name;
 * 2. builds the native driver (`cargo build --release --bin lab_native` in wasm/) and times
 *    the same sigkill loop on the D-state scenario natively (`lab_native bench`); without
 *    cargo, or if the build fails, the native figures are skipped with a message;
 * 3. prints a table: each figure, its target and PASS/MISS, and the machine.
 *
 * Speed is reported, not asserted: a MISS never fails the task (a bench that breaks does).
 * `--write-doc` also rewrites the table in docs/performance.md between
 * `<!-- bench:begin -->` and `<!-- bench:end -->`.
 *
 * `deno task bench [--write-doc] [--native-runs N]` runs it (src/lab/cli/bench.ts).
 * @module
 */

import { encodeWorld, loadScenarioFile } from "../../engine/scenario/mod.ts";
import { checkWasmFresh } from "./wasm_fresh.ts";
import { designs } from "../designs/mod.ts";

/** The repository root. */
export const BENCH_ROOT: string = decodeURIComponent(new URL("../../..", import.meta.url).pathname)
  .replace(/\/$/, "");
const SCENARIO = "scenarios/dstate-little-core.json";
/** The document whose table `--write-doc` rewrites. */
export const BENCH_DOC = "docs/performance.md";
/** The markers around the generated part of docs/performance.md. */
export const DOC_BEGIN = "<!-- bench:begin -->";
export const DOC_END = "<!-- bench:end -->";

/** Bench names in test/bench/core_bench.ts. */
export const BENCH = {
  taskMm: "task_mm(pid) x1e6",
  fatalSignal: "fatal_signal_pending(pid) x1e6",
  nowNs: "now_ns() x1e6 (no pid lookup)",
  coreLoop: "core loop (new Kernel, load_world, runActors)",
  coreLoopQuiet: "core loop, event recording off",
  direct: "direct calls (the baseline.rs sequence, no runner)",
  loadOnly: "new Kernel + load_world only",
  full: "runScenario (with outcome)",
  bigLoad: "load_world, 100k processes",
  walk: "task_will_free_mem walk, 100k processes",
} as const;
const CALLS_PER_ITERATION = 1e6;

/** The targets of the issue. */
export const TARGET = {
  callsPerSecond: 50e6,
  runsPerSecond: 50_000,
  wasmOverNative: 1.5,
  walkMs: 2,
} as const;

/** One bench of `deno bench --json` (the fields read here). */
interface JsonBench {
  name: string;
  results: { ok?: { n: number; avg: number; min: number }; failed?: unknown }[];
}

/** Average nanoseconds per iteration of each bench, by name. */
export function benchAverages(json: { benches: JsonBench[] }): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of json.benches) {
    const r = b.results[0];
    if (!r?.ok) throw new Error(`bench "${b.name}" failed: ${JSON.stringify(r?.failed ?? r)}`);
    out.set(b.name, r.ok.avg);
  }
  return out;
}

/** What the native run gave, or why there is none. */
export type Native = { runsPerSecond: number; runs: number } | { skipped: string };

/** The measured figures. */
export interface Figures {
  taskMmPerSecond: number;
  fatalSignalPerSecond: number;
  nowNsPerSecond: number;
  coreLoopPerSecond: number;
  coreLoopQuietPerSecond: number;
  directPerSecond: number;
  loadOnlyPerSecond: number;
  fullPerSecond: number;
  native: Native;
  bigLoadMs: number;
  walkMs: number;
}

/** Turns bench averages (ns per iteration) and the native result into rates. */
export function figures(avg: Map<string, number>, native: Native): Figures {
  const ns = (name: string) => {
    const v = avg.get(name);
    if (v === undefined) throw new Error(`bench "${name}" missing from deno bench's output`);
    return v;
  };
  const perSecond = (name: string, per = 1) => per * 1e9 / ns(name);
  return {
    taskMmPerSecond: perSecond(BENCH.taskMm, CALLS_PER_ITERATION),
    fatalSignalPerSecond: perSecond(BENCH.fatalSignal, CALLS_PER_ITERATION),
    nowNsPerSecond: perSecond(BENCH.nowNs, CALLS_PER_ITERATION),
    coreLoopPerSecond: perSecond(BENCH.coreLoop),
    coreLoopQuietPerSecond: perSecond(BENCH.coreLoopQuiet),
    directPerSecond: perSecond(BENCH.direct),
    loadOnlyPerSecond: perSecond(BENCH.loadOnly),
    fullPerSecond: perSecond(BENCH.full),
    native,
    bigLoadMs: ns(BENCH.bigLoad) / 1e6,
    walkMs: ns(BENCH.walk) / 1e6,
  };
}

/** Whole numbers as the tables print them. */
export const int: Intl.NumberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const verdict = (ok: boolean | undefined) => ok === undefined ? "n/a" : ok ? "PASS" : "MISS";

/** The summary table, as Markdown. */
export function table(f: Figures): string {
  const rows: string[][] = [];
  const row = (what: string, value: string, target: string, ok?: boolean) =>
    rows.push([what, value, target, target === "—" ? "—" : verdict(ok)]);
  const mcalls = (n: number) => `${(n / 1e6).toFixed(1)} M calls/s`;
  const runs = (n: number) => `${int.format(n)} runs/s`;
  row(
    "boundary: `task_mm(pid)`",
    mcalls(f.taskMmPerSecond),
    "≥ 50 M calls/s",
    f.taskMmPerSecond >= TARGET.callsPerSecond,
  );
  row(
    "boundary: `fatal_signal_pending(pid)`",
    mcalls(f.fatalSignalPerSecond),
    "≥ 50 M calls/s",
    f.fatalSignalPerSecond >= TARGET.callsPerSecond,
  );
  row("… `now_ns()`: the crossing alone, no pid lookup", mcalls(f.nowNsPerSecond), "—");
  row(
    "D-state sigkill, WASM core loop",
    runs(f.coreLoopPerSecond),
    "≥ 50,000 runs/s",
    f.coreLoopPerSecond >= TARGET.runsPerSecond,
  );
  row("… same, event recording off", runs(f.coreLoopQuietPerSecond), "—");
  row("… direct boundary calls, no runner", runs(f.directPerSecond), "—");
  row("… `new Kernel` + `load_world` alone", runs(f.loadOnlyPerSecond), "—");
  row(
    "D-state sigkill, WASM `runScenario` (full outcome)",
    runs(f.fullPerSecond),
    "≥ 50,000 runs/s",
    f.fullPerSecond >= TARGET.runsPerSecond,
  );
  if ("skipped" in f.native) {
    row("D-state sigkill, native (`lab_native bench`)", "skipped", "≥ 50,000 runs/s");
    row("WASM core loop / native (time ratio)", "skipped", "≤ 1.5×");
  } else {
    const n = f.native.runsPerSecond;
    const ratio = n / f.coreLoopPerSecond;
    row(
      "D-state sigkill, native (`lab_native bench`)",
      runs(n),
      "≥ 50,000 runs/s",
      n >= TARGET.runsPerSecond,
    );
    row(
      "WASM core loop / native (time ratio)",
      `${ratio.toFixed(2)}×`,
      "≤ 1.5×",
      ratio <= TARGET.wasmOverNative,
    );
    row("… direct boundary calls / native", `${(n / f.directPerSecond).toFixed(2)}×`, "—");
  }
  row("build a 100,000-process world (`load_world`)", `${f.bigLoadMs.toFixed(1)} ms`, "—");
  row(
    "one `task_will_free_mem` walk over it",
    `${f.walkMs.toFixed(2)} ms`,
    "< 2 ms",
    f.walkMs < TARGET.walkMs,
  );
  return markdownTable(["measure", "measured", "target", "verdict"], rows);
}

/** `rows` under `head` as a Markdown table with aligned columns. */
export function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

async function output(cmd: string, args: string[], cwd = BENCH_ROOT): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, cwd, stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** nproc, CPU model, Deno/V8, rustc, and whether wasm/pkg matches the sources. */
export async function machine(): Promise<string[]> {
  let cpu = "unknown";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = info.match(/^model name\s*:\s*(.+)$/m)?.[1].trim() ?? cpu;
  } catch {
    // not Linux
  }
  const nproc = await output("nproc", []) ?? String(navigator.hardwareConcurrency);
  const rustc = await output("rustc", ["--version"]) ?? "rustc not found";
  const fresh = await checkWasmFresh(BENCH_ROOT);
  // The machine is shared: a load above the core count means every figure is slower by
  // about that factor (ratios within one run still compare).
  // (Through cat: Deno asks for more than --allow-read to read /proc.)
  const load = (await output("cat", ["/proc/loadavg"]))?.split(" ").slice(0, 3).join(", ") ??
    "unknown";
  return [
    `load average when the run ended (1, 5, 15 min): ${load}`,
    `CPU: ${cpu}, nproc ${nproc} (${Deno.build.os}/${Deno.build.arch})`,
    `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}`,
    `native: ${rustc}, \`cargo build --release\` (opt-level 3, LTO, codegen-units 1)`,
    `wasm/pkg: ${
      fresh.ok
        ? "built from the wasm/ sources in the tree"
        : "STALE (wasm/ sources changed since the build): the WASM/native ratio compares two builds"
    }`,
  ];
}

/** Runs `deno bench` on test/bench and averages each benchmark. */
export async function runDenoBench(): Promise<Map<string, number>> {
  console.log("==> deno bench -A --json test/bench/  (about a minute)");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--json", "test/bench/"],
    cwd: BENCH_ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    console.error(text);
    throw new Error(`deno bench failed (exit ${out.code})`);
  }
  return benchAverages(JSON.parse(text));
}

/** The native core loop's runs per second, or why it was skipped. */
export async function runNative(runs: number): Promise<Native> {
  const wasmDir = `${BENCH_ROOT}/wasm`;
  console.log("==> cargo build --release --bin lab_native  (in wasm/)");
  let built: Deno.CommandOutput;
  try {
    built = await new Deno.Command("cargo", {
      args: ["build", "--release", "--bin", "lab_native"],
      cwd: wasmDir,
      stdout: "inherit",
      stderr: "inherit",
    }).output();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    const why = "cargo not found on PATH: native figures skipped (install Rust with rustup)";
    console.log(why);
    return { skipped: why };
  }
  if (!built.success) {
    const why = "cargo build of lab_native failed: native figures skipped";
    console.log(why);
    return { skipped: why };
  }
  const s = await loadScenarioFile(`${BENCH_ROOT}/${SCENARIO}`);
  const file = await Deno.makeTempFile({ prefix: "mrelease-bench-", suffix: ".world" });
  try {
    await Deno.writeTextFile(file, encodeWorld(s).join(" "));
    const args = [
      "bench",
      file,
      String(s.seed),
      // wasm/src/baseline.rs replays the victim's own exit: SIGKILL alone.
      designs().find((d) => d.kind === "baseline" && d.reaper === "victim")!.name,
      String(s.intent.victim),
      String(s.intent.at_ns),
      String(runs),
    ];
    console.log(`==> lab_native ${args.join(" ")}  (3 times, median)`);
    const rates: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await new Deno.Command(`${wasmDir}/target/release/lab_native`, { args }).output();
      const text = new TextDecoder().decode(out.stdout).trim();
      if (!out.success) {
        const why = `lab_native bench failed: ${new TextDecoder().decode(out.stderr).trim()}`;
        console.log(why);
        return { skipped: why };
      }
      rates.push(JSON.parse(text).runs_per_second);
    }
    rates.sort((a, b) => a - b);
    return { runsPerSecond: rates[1], runs };
  } finally {
    await Deno.remove(file);
  }
}

/** Replaces the text between the markers of docs/performance.md. */
export function replaceBetweenMarkers(doc: string, body: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error(`${BENCH_DOC} has no ${DOC_BEGIN} … ${DOC_END} section`);
  return `${doc.slice(0, a + DOC_BEGIN.length)}\n\n${body}\n\n${doc.slice(b)}`;
}
