/**
 * `lab run <scenario>`: runs a scenario under designs (the two baselines by default) and
 * prints, per design, return codes, when 50/90/100% of the victim's reclaimable memory
 * came back, and who paid the CPU time; optionally writes the trace.
 *
 * @module
 */

import { ABI_VERSION } from "../../core/wasm.ts";
import type { Design } from "../../core/design.ts";
import { designs } from "../designs/mod.ts";
import {
  DEFAULT_RUN_LIMITS,
  RunLimitReached,
  type RunLimits,
  runLimits,
  type RunResult,
  runScenario,
} from "../../engine/run/mod.ts";
import {
  KERNEL_VERSIONS,
  loadScenarioFile,
  ScenarioError,
  validateScenario,
} from "../../engine/scenario/mod.ts";
import { CASE_FILE_SCHEMA, type CaseFile, parseCaseFile, replayCommand } from "../props/mod.ts";
import { isTraceFormat, TRACE_FORMATS, traceFile } from "../../engine/trace/mod.ts";
import { fmtNs, fmtPages, table, TERMINAL_COLUMNS, wrapText } from "./_format.ts";
import { errnoNotes } from "../report/mod.ts";
import { runHostCommand } from "./_diff.ts";
import {
  parseByteCount,
  parseCliArgs,
  parseDesignSpec,
  parseKernelBugs,
  parseKernelVersion,
  parseWholeNumber,
} from "./_args.ts";
import { UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";
import {
  checkKernelVariants,
  KERNEL_VARIANT_USAGE,
  parseKernelVariants,
  variantSuffix,
} from "./_kernel_variant.ts";

export { UsageError };

/** The run limits' options, as `lab run`, `lab compare` and `lab verify` print them. */
export const RUN_LIMITS_USAGE =
  `  --max-events N    end a run that logs more than N events, at 64 bytes each (default
                    ${DEFAULT_RUN_LIMITS.maxEvents}: a 256 MiB log)
  --max-steps N     end a run that simulates more than N steps (default ${DEFAULT_RUN_LIMITS.maxSteps})
  --max-wall-ms N   end a run that takes more than N ms of wall-clock time (default
                    ${DEFAULT_RUN_LIMITS.maxWallMs}); a run that reaches a limit fails with exit 1`;

/** The options that bound a command that reads scenarios and runs them. */
export const BOUND_OPTIONS = {
  "max-scenario-bytes": { type: "string" },
  "max-events": { type: "string" },
  "max-steps": { type: "string" },
  "max-wall-ms": { type: "string" },
} as const;

/** The run limits' options of a command line (each a whole number; the defaults if absent). */
export function parseRunLimits(values: Record<string, unknown>): RunLimits {
  const limits: Partial<Record<keyof RunLimits, number>> = {};
  const flags = { maxEvents: "max-events", maxSteps: "max-steps", maxWallMs: "max-wall-ms" };
  for (const [option, flag] of Object.entries(flags) as [keyof RunLimits, string][]) {
    const v = values[flag];
    limits[option] = parseWholeNumber(typeof v === "string" ? v : undefined, `--${flag}`);
  }
  try {
    return runLimits(limits);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

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
${KERNEL_VARIANT_USAGE}
                    (besides the scenario's kernel_variants; a row names the variants that
                    were on, beyond the design's own, as design+VARIANT)
  --max-scenario-bytes N
                    read at most N bytes of the scenario (default 64MiB; e.g. 256MiB)
  --trace FORMAT    also write the trace: ftrace (tracefs text), json (Perfetto) or dat
                    (trace-cmd's trace.dat, for trace-cmd report and KernelShark)
  --trace-out PATH  where the trace goes (default: <scenario>.<design>[@variant].trace.txt|
                    json|dat)
  --json            print the outcomes as JSON (schema mrelease-lab/outcome@2)
  --host            run the recipe on this host's real kernel instead (Linux, root;
                    docs/host.md; needs "deno task lab:host"); default designs: those the
                    scenario expects
${RUN_LIMITS_USAGE}`;

/** `lab compare`: every registered design, one table. */
export const COMPARE_USAGE = `usage: deno task lab compare <scenario.json> [options]

Runs the scenario under every registered design (each in the variant that matches the
kernel) and prints one table: return codes, memory freed over time, who paid the CPU time,
and the WARN events. To run some designs only, use run with --design. With
--kernel-variant, each design runs twice, without and with the variants (a row
design+VARIANT), to compare a design with and without a proposed kernel change.

options:
  --kernel VERSION  kernel version: ${KERNEL_VERSIONS.join(", ")} (default: the scenario's)
  --seed N          seed of the choice source (default: the scenario's)
  --kernel-bugs N   switch historical kernel bugs back on (bits: 1 = §F.3 dangling mm->mmap)
${KERNEL_VARIANT_USAGE}
                    (each design runs with them, besides the scenario's kernel_variants,
                    and without them, even where the scenario names them)
  --max-scenario-bytes N
                    read at most N bytes of the scenario (default 64MiB; e.g. 256MiB)
  --trace FORMAT    also write each design's trace: ftrace, json or dat, to
                    <scenario>.<design>[@variant].trace.txt|json|dat
  --json            print the outcomes as JSON (schema mrelease-lab/outcome@2)
${RUN_LIMITS_USAGE}`;

/** Which designs a command runs when none is named. */
export type DefaultDesigns = "baselines" | "all";

/** Runs `lab run` (or `lab compare`) with its arguments; returns the exit code. */
export async function runCommand(
  args: string[],
  opts: { defaults: DefaultDesigns; extra?: readonly Design[] } = { defaults: "baselines" },
): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    design: { type: "string", multiple: true },
    kernel: { type: "string" },
    seed: { type: "string" },
    "kernel-bugs": { type: "string" },
    "kernel-variant": { type: "string", multiple: true },
    trace: { type: "string" },
    "trace-out": { type: "string" },
    json: { type: "boolean" },
    host: { type: "boolean" },
    ...BOUND_OPTIONS,
    help: { type: "boolean", short: "h" },
  });
  const command = opts.defaults === "all" ? "compare" : "run";
  if (values.help) {
    console.log(command === "compare" ? COMPARE_USAGE : RUN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`lab ${command} takes exactly one scenario file`);
  }
  if (command === "compare" && values.design !== undefined) {
    throw new UsageError(
      `lab compare runs every design and takes no --design; use lab run ${
        positionals[0]
      } --design ${values.design[0]}`,
    );
  }
  const file = userPath(positionals[0]);
  const kernelVariants = parseKernelVariants(values["kernel-variant"]);
  if (values.host && kernelVariants) {
    throw new UsageError("--host runs this host's own kernel and takes no --kernel-variant");
  }
  if (values.host) return await runHostCommand(file, values.design, !!values.json);
  const kernel = parseKernelVersion(values.kernel);
  const seed = parseWholeNumber(values.seed, "--seed");
  const kernelBugs = parseKernelBugs(values["kernel-bugs"]);
  const maxBytes = parseByteCount(values["max-scenario-bytes"], "--max-scenario-bytes");
  const limits = parseRunLimits(values);
  if (values.trace !== undefined && !isTraceFormat(values.trace)) {
    throw new UsageError(`--trace takes ${TRACE_FORMATS.join(", ")}, got "${values.trace}"`);
  }
  const extra = opts.extra ?? [];
  // Every name is checked before the scenario is read: a typo costs nothing.
  const chosen = (values.design ?? []).map((n) => parseDesignSpec(n, extra));
  const scenario = await loadScenarioOrPointToReplay(file, maxBytes);
  checkKernelVariants(kernelVariants, kernel ?? scenario.kernel);
  const names = values.design ??
    (opts.defaults === "all" ? designs(extra).map((d) => d.name) : baselines(extra));
  // The variants named are on besides the scenario's; compare also runs each design without
  // them (once, where the design's own variants are those).
  const scenarioVariants = scenario.kernel_variants ?? [];
  const withThem = kernelVariants && [...new Set([...scenarioVariants, ...kernelVariants])];
  const withoutThem = kernelVariants && scenarioVariants.filter((v) => !kernelVariants.includes(v));
  const plan = names.flatMap((n, i) => {
    const choice = chosen[i] ?? parseDesignSpec(n, extra);
    const own = choice.design.kernelVariants ?? [];
    const without = command === "compare" && kernelVariants &&
        !kernelVariants.every((v) => own.includes(v))
      ? [{ choice, variants: withoutThem, given: undefined }]
      : [];
    return [...without, { choice, variants: withThem, given: kernelVariants }];
  });
  if (values["trace-out"] && plan.length > 1) {
    throw new UsageError("--trace-out names one file: use it with a single --design");
  }
  let runs: RunResult[];
  try {
    runs = plan.map(({ choice, variants }) =>
      runScenario(scenario, {
        ...choice,
        kernel,
        seed,
        kernelBugs,
        kernelVariants: variants,
        limits,
      })
    );
  } catch (e) {
    if (!(e instanceof RunLimitReached)) throw e;
    console.error(`error: ${e.message}`);
    return 1;
  }
  const labels = runs.map((r, i) => runLabel(r.outcome, plan[i].choice.design.kernelVariants));
  const identity = `scenario ${scenario.name}  kernel ${kernel ?? scenario.kernel}  seed ${
    seed ?? scenario.seed
  }  abi ${ABI_VERSION}`;
  if (values.json) {
    console.log(JSON.stringify(runs.map((r) => r.outcome), null, 2));
  } else {
    console.log(`mrelease-lab run: ${identity}`);
    console.log(outcomeTable(runs, labels));
    for (const r of runs) printWarnings(r);
    // Why a call answered a permission errno, from the record's and the scenario's facts.
    const notes = errnoNotes(scenario, runs.map((r) => r.outcome), extra);
    if (notes.length) console.log(["", ...notes.map((n) => wrapText(n))].join("\n"));
  }
  if (values.trace !== undefined && isTraceFormat(values.trace)) {
    for (const r of runs) {
      const { extension, data } = traceFile(r, values.trace);
      const design = labels[runs.indexOf(r)];
      const path = userPath(values["trace-out"] ?? `${scenario.name}.${design}.trace.${extension}`);
      await Deno.writeFile(path, data);
      console.error(`trace written: ${path}`);
    }
  }
  if (!values.json) {
    const replay = runs.map(({ outcome: o }, i) => {
      const design = o.variant ? `${o.design}@${o.variant}` : o.design;
      const bugs = kernelBugs ? ` --kernel-bugs ${kernelBugs}` : "";
      const { variants: ran, given } = plan[i];
      const variants = (given ?? []).map((v) => ` --kernel-variant ${v}`).join("");
      // A run without the scenario's own variants has no command line of its own.
      const dropped = ran !== undefined && !given && ran.length !== scenarioVariants.length
        ? `  # without the scenario's ${scenarioVariants.join(", ")}`
        : "";
      return `  deno task lab run ${
        positionals[0]
      } --design ${design} --kernel ${o.kernel} --seed ${o.seed}${bugs}${variants}${dropped}`;
    });
    console.log(`\nreplay (${identity}):\n${replay.join("\n")}`);
  }
  return 0;
}

/**
 * The scenario file; a property case file (what `replay` reads) is a usage mistake that
 * names the exact `replay` command instead of a list of unknown scenario keys.
 */
async function loadScenarioOrPointToReplay(path: string, maxBytes: number | undefined) {
  try {
    return await loadScenarioFile(path, { maxBytes });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    let file: CaseFile;
    try {
      const json = JSON.parse(await Deno.readTextFile(path));
      if (json?.schema !== CASE_FILE_SCHEMA) throw e;
      file = parseCaseFile(json, path);
    } catch {
      throw e;
    }
    const target = file.design ?? "NAME";
    const kernel = file.kernel ?? validateScenario(file.scenario).kernel;
    const command = replayCommand(path, {
      target,
      kernel,
      choices: file.choices ?? [],
      property: file.property,
      kernelBugs: file.kernel_bugs,
    });
    throw new UsageError(
      `${path} is a property case file, not a scenario: replay it with ${command}`,
    );
  }
}

/**
 * A run's name in tables and trace files: design[@variant][+KERNEL_VARIANT...], naming the
 * kernel variants that were on besides the design's own (`own`, which every run of it has).
 */
function runLabel(o: RunResult["outcome"], own: readonly string[] = []): string {
  const extra = o.kernel_variants?.filter((v) => !own.includes(v));
  return (o.variant ? `${o.design}@${o.variant}` : o.design) + variantSuffix(extra);
}

function outcomeTable(runs: readonly RunResult[], labels: readonly string[]): string {
  const rows = runs.map(({ outcome: o }, i) => [
    labels[i],
    String(o.errno),
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
  return table(
    [
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
    ],
    rows,
    { width: TERMINAL_COLUMNS },
  );
}

function printWarnings({ outcome: o }: RunResult): void {
  for (const w of o.warnings) {
    console.log(`  WARN ${o.design} at ${fmtNs(w.at_ns)}: ${w.name} (${w.args.join(", ")})`);
  }
}
