/**
 * `replay <case.json>`: runs one case exactly (scenario, design, kernel, choice list) and
 * checks the properties on it: the command a property failure prints.
 *
 * @module
 */

import { ABI_VERSION } from "../../core/wasm.ts";
import {
  type Case,
  type CaseFile,
  findProperty,
  outOfDomain,
  parseTarget,
  PROPERTIES,
  PROPERTY_NAMES,
  type PropertyCheck,
  replayCommand,
  runTarget,
  type Target,
  targets,
  toCase,
  type Violation,
} from "../props/mod.ts";
import { KERNEL_VERSIONS, validateScenario } from "../../engine/scenario/mod.ts";
import { toFtrace, toTraceEventJson } from "../../engine/trace/mod.ts";
import { fmtNs, fmtPages, table } from "./_format.ts";
import { readCaseFileBounded, UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";
import { parseCliArgs, parseDesignSpec, parseKernelBugs, parseKernelVersion } from "./_args.ts";

export const REPLAY_USAGE = `usage: deno task replay <case.json> [options]

Replays a case exactly: the scenario under one design, kernel and choice list, then checks
the properties on it (docs/properties.md). The file is a scenario, or a case file
{"schema": "mrelease-lab/props-case@1", "scenario": {...}, "design", "kernel", "choices",
"property", "kernel_bugs", "expect_violations"}; the flags override what the file says.
Exits 1 when a property is violated, except that a case file's "expect_violations" (a kept
expected failure) exits 0 when exactly those rules are broken, and 1 when they are not.

options:
  --design NAME      design, or NAME@VARIANT (default: the case file's; else every design
                     and the named variants)
  --kernel VERSION   ${KERNEL_VERSIONS.join(", ")} (default: the file's, else the scenario's)
  --choices LIST     the scheduler's choice list, comma-separated (default: the file's; else
                     empty: every choice takes its first alternative)
  --property NAME    check only this property: ${PROPERTY_NAMES.join(", ")} (default: the
                     file's; else every property that applies)
  --kernel-bugs N    historical kernel bugs to switch on (Kernel.set_kernel_bugs bits)
  --trace FORMAT     also write the trace of the run: ftrace or json
  --trace-out PATH   where the trace goes (default: <case>.<design>.trace.txt|json)
  --json             print the outcomes and violations as JSON`;

/** Runs `replay`; returns the exit code. */
export async function replayCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    design: { type: "string" },
    kernel: { type: "string" },
    choices: { type: "string" },
    property: { type: "string" },
    "kernel-bugs": { type: "string" },
    trace: { type: "string" },
    "trace-out": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("replay takes exactly one case file");
  if (values.trace !== undefined && values.trace !== "ftrace" && values.trace !== "json") {
    throw new UsageError(`--trace takes ftrace or json, got "${values.trace}"`);
  }
  const path = positionals[0];
  const file: CaseFile = await readCaseFileBounded(userPath(path));
  const kernel = parseKernelVersion(values.kernel) ?? file.kernel ??
    validateScenario(file.scenario).kernel;
  const choices = values.choices !== undefined ? parseChoices(values.choices) : file.choices ?? [];
  const kernelBugs = values["kernel-bugs"] !== undefined
    ? parseKernelBugs(values["kernel-bugs"])!
    : file.kernel_bugs ?? 0;
  const design = values.design ?? file.design;
  if (design) parseDesignSpec(design); // an unknown name is a one-line mistake
  const chosen: Target[] = design ? [parseTarget(design)] : targets();
  const propName = values.property ?? file.property;
  let props: readonly PropertyCheck[] = PROPERTIES;
  if (propName !== undefined) {
    try {
      props = [findProperty(propName)];
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const c = toCase(file.scenario, { kernel, choices });
  const identity = `case ${path}  scenario ${c.scenario.name}  kernel ${kernel}  choices [${
    choices.join(",")
  }]${kernelBugs ? `  kernel bugs ${kernelBugs}` : ""}  abi ${ABI_VERSION}`;

  const results = chosen.map((t) => replayOne(c, t, props, kernelBugs));
  const violated = results.some((r) => r.violations.length > 0);
  // A kept expected failure: the case must still break exactly the rules it names.
  // (Only for the run the file describes: another --design or --property is a new question.)
  const asFiled = (values.design === undefined || values.design === file.design) &&
    (values.property === undefined || values.property === file.property);
  const expected = asFiled ? file.expect_violations ?? [] : [];
  const found = new Set(results.flatMap((r) => r.violations.map((v) => v.rule)));
  const missing = expected.filter((rule) => !found.has(rule));
  const unexpected = [...found].filter((rule) => !expected.includes(rule));
  const matched = expected.length > 0 && missing.length === 0 && unexpected.length === 0;
  if (values.json) {
    console.log(JSON.stringify(
      results.map((r) => ({
        target: r.target.name,
        outcome: r.outcome,
        skipped: r.skipped,
        violations: r.violations,
      })),
      null,
      2,
    ));
  } else {
    console.log(`mrelease-lab replay: ${identity}`);
    console.log(outcomeTable(results));
    for (const r of results) {
      if (r.skipped) console.log(`\n${r.target.name}: outside its domain: ${r.skipped}`);
      const checked = props.filter((p) => p.applies(r.target) && p.appliesToCase(c))
        .map((p) => p.name);
      console.log(
        `\n${r.target.name}: ${checked.join(", ")}: ` +
          (r.violations.length ? `${r.violations.length} violation(s)` : "hold"),
      );
      for (const v of r.violations) console.log(`  ${v.property}/${v.rule}: ${v.message}`);
    }
    if (matched) {
      console.log(
        `\nexpected violation matched: ${expected.join(", ")} (a kept expected failure; exit 0)`,
      );
    } else if (expected.length > 0) {
      console.log(
        `\nexpected violation ${expected.join(", ")}: ` +
          (missing.length ? `not found: ${missing.join(", ")}` : "") +
          (missing.length && unexpected.length ? "; " : "") +
          (unexpected.length ? `also broken: ${unexpected.join(", ")}` : ""),
      );
    }
  }
  if (values.trace) {
    if (values["trace-out"] && chosen.length > 1) {
      throw new UsageError("--trace-out names one file: use it with --design");
    }
    for (const t of chosen) {
      const run = runTarget(c, t, { kernelBugs });
      const ext = values.trace === "json" ? "json" : "txt";
      const out = userPath(
        values["trace-out"] ?? `${path.replace(/\.json$/, "")}.${t.name}.trace.${ext}`,
      );
      const text = values.trace === "json"
        ? JSON.stringify(toTraceEventJson(run.events, run.trace))
        : toFtrace(run.events, run.trace);
      await Deno.writeTextFile(out, text);
      console.error(`trace written: ${out}`);
    }
  }
  if (!values.json) {
    const prop = propName as (typeof PROPERTY_NAMES)[number] | undefined;
    console.log(`\nreplay (${identity}):`);
    for (const t of chosen) {
      console.log(
        "  " + replayCommand(path, { target: t.name, kernel, choices, property: prop, kernelBugs }),
      );
    }
  }
  if (expected.length > 0) return matched ? 0 : 1;
  return violated ? 1 : 0;
}

interface ReplayResult {
  target: Target;
  outcome: ReturnType<typeof runTarget>["outcome"] | null;
  skipped: string | null;
  violations: Violation[];
}

function replayOne(
  c: Case,
  t: Target,
  props: readonly PropertyCheck[],
  kernelBugs: number,
): ReplayResult {
  const skipped = outOfDomain(c, t);
  let outcome: ReplayResult["outcome"] = null;
  try {
    outcome = runTarget(c, t, { kernelBugs }).outcome;
  } catch {
    // The property checks below report the same exception as a violation.
  }
  const violations = props.filter((p) => p.applies(t) && p.appliesToCase(c)).flatMap((p) =>
    p.check(c, t, { kernelBugs })
  );
  return { target: t, outcome, skipped, violations };
}

function outcomeTable(results: readonly ReplayResult[]): string {
  const rows = results.map(({ target, outcome: o, violations }) =>
    o
      ? [
        target.name,
        String(o.errno),
        o.calls.length ? String(o.calls[o.calls.length - 1].reapable_after_pages) : "-",
        fmtPages(o.memory.reclaimable_pages),
        fmtPages(o.memory.freed_pages),
        fmtPages(o.memory.freed_by.caller),
        fmtNs(o.memory.t100_ns),
        fmtNs(o.cpu_ns.caller),
        o.warnings.length ? [...new Set(o.warnings.map((w) => w.name))].join(",") : "-",
        violations.length ? [...new Set(violations.map((v) => v.rule))].join(",") : "-",
      ]
      : [target.name, "error", "-", "-", "-", "-", "-", "-", "-", violations[0]?.rule ?? "-"]
  );
  return table([
    "design",
    "ret",
    "reapable_after",
    "reclaimable",
    "freed",
    "by caller",
    "t100",
    "cpu:caller",
    "warnings",
    "violations",
  ], rows);
}

/** "1,0,3" → [1, 0, 3]; "" → []. */
export function parseChoices(v: string): number[] {
  if (v.trim() === "") return [];
  return v.split(",").map((s) => parseCount(s.trim(), "--choices"));
}

function parseCount(v: string, flag: string): number {
  const n = /^[0-9]{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new UsageError(`${flag} takes whole numbers 0..4294967295, got "${v}"`);
  }
  return n;
}
