/**
 * `lab run <scenario>`: runs a scenario under designs (the two baselines by default) and
 * prints, per design, return codes, when 50/90/100% of the victim's reclaimable memory
 * came back, and who paid the CPU time; optionally writes the trace.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ABI_VERSION } from "../../core/wasm.ts";
import type { Design } from "../../core/design.ts";
import { chooseDesign, designs } from "../designs/mod.ts";
import { type RunResult, runScenario } from "../../engine/run/mod.ts";
import {
  KERNEL_VERSIONS,
  type KernelVersion,
  loadScenarioFile,
} from "../../engine/scenario/mod.ts";
import { toFtrace, toTraceEventJson } from "../../engine/trace/mod.ts";
import { fmtNs, fmtPages, table } from "./_format.ts";
import { runHostCommand } from "./_diff.ts";

/** The designs `lab run` compares when none is named: the registered baselines. */
export function baselines(extra: readonly Design[] = []): string[] {
  return designs(extra).filter((d) => d.kind === "baseline").map((d) => d.name);
}

export const RUN_USAGE = `usage: deno task lab run <scenario.json> [options]

Runs the scenario under each design (default: the baselines ${baselines().join(", ")}) and
prints return codes, reclaim times (50/90/100% of the victim's reclaimable memory, after
the kill intent) and CPU time by who paid it.

options:
  --design NAME     run only this design (repeatable); NAME@VARIANT picks a variant
  --kernel VERSION  kernel version: ${KERNEL_VERSIONS.join(", ")} (default: the scenario's)
  --seed N          seed of the choice source (default: the scenario's)
  --kernel-bugs N   switch historical kernel bugs back on (bits: 1 = §F.3 dangling mm->mmap)
  --trace FORMAT    also write the trace: ftrace (trace-cmd report text) or json (Perfetto)
  --trace-out PATH  where the trace goes (default: <scenario>.<design>.trace.txt|json)
  --json            print the outcomes as JSON (schema mrelease-lab/outcome@1)
  --host            run the recipe on this host's real kernel instead (Linux, root;
                    docs/host.md); default designs: those the scenario expects`;

/** `lab compare`: every registered design, one table. */
export const COMPARE_USAGE = `usage: deno task lab compare <scenario.json> [options]

Runs the scenario under every registered design (each in the variant that matches the
kernel) and prints one table: return codes, memory freed over time, who paid the CPU time,
and the WARN events. Options as for run.`;

/** Which designs a command runs when none is named. */
export type DefaultDesigns = "baselines" | "all";

/** Runs `lab run` (or `lab compare`) with its arguments; returns the exit code. */
export async function runCommand(
  args: string[],
  opts: { defaults: DefaultDesigns; extra?: readonly Design[] } = { defaults: "baselines" },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      design: { type: "string", multiple: true },
      kernel: { type: "string" },
      seed: { type: "string" },
      "kernel-bugs": { type: "string" },
      trace: { type: "string" },
      "trace-out": { type: "string" },
      json: { type: "boolean" },
      host: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("lab run takes exactly one scenario file");
  if (values.host) return await runHostCommand(positionals[0], values.design, !!values.json);
  const kernel = parseKernel(values.kernel);
  const seed = parseWhole("--seed", values.seed);
  const kernelBugs = parseWhole("--kernel-bugs", values["kernel-bugs"]);
  if (values.trace !== undefined && values.trace !== "ftrace" && values.trace !== "json") {
    throw new UsageError(`--trace takes ftrace or json, got "${values.trace}"`);
  }
  const scenario = await loadScenarioFile(positionals[0]);
  const extra = opts.extra ?? [];
  const names = values.design ??
    (opts.defaults === "all" ? designs(extra).map((d) => d.name) : baselines(extra));
  if (values["trace-out"] && names.length > 1) {
    throw new UsageError("--trace-out names one file: use it with a single --design");
  }
  const runs = names.map((n) =>
    runScenario(scenario, { ...chooseDesign(n, extra), kernel, seed, kernelBugs })
  );
  const identity = `scenario ${scenario.name}  kernel ${kernel ?? scenario.kernel}  seed ${
    seed ?? scenario.seed
  }  abi ${ABI_VERSION}`;
  if (values.json) {
    console.log(JSON.stringify(runs.map((r) => r.outcome), null, 2));
  } else {
    console.log(`mrelease-lab run: ${identity}`);
    console.log(outcomeTable(runs));
    for (const r of runs) printWarnings(r);
  }
  if (values.trace) {
    for (const r of runs) {
      const ext = values.trace === "json" ? "json" : "txt";
      const path = values["trace-out"] ??
        `${scenario.name}.${r.outcome.design}.trace.${ext}`;
      const text = values.trace === "json"
        ? JSON.stringify(toTraceEventJson(r.events, r.trace))
        : toFtrace(r.events, r.trace);
      await Deno.writeTextFile(path, text);
      console.error(`trace written: ${path}`);
    }
  }
  if (!values.json) {
    const replay = runs.map(({ outcome: o }) => {
      const design = o.variant ? `${o.design}@${o.variant}` : o.design;
      const bugs = kernelBugs ? ` --kernel-bugs ${kernelBugs}` : "";
      return `  deno task lab run ${
        positionals[0]
      } --design ${design} --kernel ${o.kernel} --seed ${o.seed}${bugs}`;
    });
    console.log(`\nreplay (${identity}):\n${replay.join("\n")}`);
  }
  return 0;
}

function outcomeTable(runs: readonly RunResult[]): string {
  const rows = runs.map(({ outcome: o }) => [
    o.variant ? `${o.design}@${o.variant}` : o.design,
    o.errno,
    o.signal_delivered ? "yes" : "no",
    fmtPages(o.memory.reclaimable_pages),
    fmtPages(o.memory.freed_pages),
    fmtNs(o.memory.t50_ns),
    fmtNs(o.memory.t90_ns),
    fmtNs(o.memory.t100_ns),
    fmtNs(o.cpu_ns.caller),
    fmtNs(o.cpu_ns.victim),
    fmtNs(o.cpu_ns.kthreads),
    o.warnings.length ? [...new Set(o.warnings.map((w) => w.name))].join(",") : "-",
  ]);
  return table([
    "design",
    "ret",
    "killed",
    "reclaimable",
    "freed",
    "t50",
    "t90",
    "t100",
    "cpu:caller",
    "cpu:victim",
    "cpu:kthreads",
    "warnings",
  ], rows);
}

function printWarnings({ outcome: o }: RunResult): void {
  for (const w of o.warnings) {
    console.log(`  WARN ${o.design} at ${fmtNs(w.at_ns)}: ${w.name} (${w.args.join(", ")})`);
  }
}

/** A command-line mistake: the message and the usage are printed, exit code 2. */
export class UsageError extends Error {}

function parseKernel(v: string | undefined): KernelVersion | undefined {
  if (v === undefined) return undefined;
  if (!(KERNEL_VERSIONS as readonly string[]).includes(v)) {
    throw new UsageError(`--kernel takes one of ${KERNEL_VERSIONS.join(", ")}, got "${v}"`);
  }
  return v as KernelVersion;
}

function parseWhole(option: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new UsageError(`${option} takes a whole number >= 0, got "${v}"`);
  }
  return n;
}
