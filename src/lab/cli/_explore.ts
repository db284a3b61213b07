/**
 * `lab explore <scenario>`: every schedule of the scenario's choice points (within a
 * preemption bound), per design: how many, the distinct outcomes with how many schedules
 * reach each and the command that replays one, and the scenario's condition judged over
 * them (docs/exploration.md). `lab merge` prints the same report from shards' JSON lines.
 *
 * @module
 */

import {
  type ExploreLine,
  judge,
  leafLine,
  propText,
  type Reduction,
  reportLines,
  shardOwns,
  walk,
  type WalkKey,
  type WalkReport,
} from "../../engine/explore/mod.ts";
import { type KernelVersion, loadScenarioFile, type Scenario } from "../../engine/scenario/mod.ts";
import { designs } from "../designs/mod.ts";
import { replayCommand } from "../props/mod.ts";
import { ABI_VERSION } from "../../core/wasm.ts";
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
import { BOUND_OPTIONS, parseRunLimits } from "./_run.ts";

/** Schedules one design's walk runs at most unless `--budget` says otherwise. */
export const DEFAULT_BUDGET = 100_000;

export const EXPLORE_USAGE = `usage: deno task lab explore <scenario.json> [options]

Runs every schedule of the scenario's choice points (which CPU acts first at one instant,
which of equal tasks runs, which idle CPU a woken task takes) with at most K preemptions
(choices other than the first), or every schedule when --preemptions is not given, and
prints per design: the schedules explored, each distinct outcome (return codes, who was
killed, pages freed and by whom, WARNs, broken invariants) with how many schedules reach
it and a command that replays one, and the verdict of the scenario's "explore" condition
(Always / Sometimes / Never). Schedules that only reorder commuting steps are pruned
(sleep sets; docs/exploration.md).

options:
  --design NAME       explore only this design (repeatable); NAME@VARIANT picks a variant
                      (default: every registered design)
  --kernel VERSION    kernel version (default: the scenario's)
  --preemptions K     at most K choices other than the first in a schedule (default: none)
  --budget N          run at most N schedules per design (default ${DEFAULT_BUDGET}); exit 1
                      when a walk stops there
  --kernel-bugs N     switch historical kernel bugs back on (bits: 1 = §F.3)
  --reduction R       sleep-sets (default) or none (every schedule, for comparison)
  --max-snapshots N   live snapshots of the world at most (default: the core's, 4096)
  --shard I/N         run only shard I of N (0 <= I < N): a deterministic part of the
                      schedules; with --out, lab merge adds the shards up
  --out FILE          also write one JSON line per schedule to FILE
  --max-scenario-bytes N, --max-events N, --max-steps N
                      bounds, as for lab run`;

export const MERGE_USAGE = `usage: deno task lab merge <lines.jsonl ...>

Adds up the JSON lines that explore --shard I/N --out wrote and prints the report one
unsharded explore prints (docs/exploration.md: running shards on a CI matrix or a
Kubernetes indexed Job). A schedule given twice counts once.`;

/** Runs `lab explore`; returns the exit code. */
export async function exploreCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    design: { type: "string", multiple: true },
    kernel: { type: "string" },
    preemptions: { type: "string" },
    budget: { type: "string" },
    "kernel-bugs": { type: "string" },
    reduction: { type: "string" },
    "max-snapshots": { type: "string" },
    shard: { type: "string" },
    out: { type: "string" },
    ...BOUND_OPTIONS,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(EXPLORE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("lab explore takes exactly one scenario file");
  const kernel = parseKernelVersion(values.kernel);
  const preemptions = parseWholeNumber(values.preemptions, "--preemptions");
  const budget = parseWholeNumber(values.budget, "--budget") ?? DEFAULT_BUDGET;
  if (budget < 1) throw new UsageError("--budget takes a whole number from 1");
  const kernelBugs = parseKernelBugs(values["kernel-bugs"]) ?? 0;
  const maxSnapshots = parseWholeNumber(values["max-snapshots"], "--max-snapshots");
  const reduction = parseReduction(values.reduction);
  const shard = parseShard(values.shard);
  const limits = parseRunLimits(values);
  const chosen = (values.design ?? designs().map((d) => d.name)).map((spec) => ({
    spec,
    ...parseDesignSpec(spec),
  }));
  const file = positionals[0];
  const maxBytes = parseByteCount(values["max-scenario-bytes"], "--max-scenario-bytes");
  const scenario = await loadScenarioFile(userPath(file), { maxBytes });
  const lines: ExploreLine[] = [];
  let truncated = false;
  for (const c of chosen) {
    const key: WalkKey = {
      scenario: scenario.name,
      file,
      design: c.spec,
      kernel: kernel ?? scenario.kernel,
      preemptions: preemptions ?? null,
      kernel_bugs: kernelBugs,
    };
    const t0 = performance.now();
    const w = walk(scenario, {
      design: c.design,
      variant: c.variant,
      kernel,
      kernelBugs,
      preemptions,
      budget,
      reduction,
      maxSnapshots,
      limits,
      owns: (s, finished) => shardOwns(shard.index, shard.count, s, finished),
    });
    const ms = performance.now() - t0;
    console.error(
      `explore: ${c.spec}: ${w.leaves.length} schedules in ${ms.toFixed(0)} ms ` +
        `(${w.pruned} branches pruned, ${w.snapshots} snapshots, ${w.steps} steps)`,
    );
    if (w.truncated) {
      truncated = true;
      console.error(
        `explore: ${c.spec}: budget reached: ${budget} schedules, more are left ` +
          `(--budget raises it); the report covers those run`,
      );
    }
    lines.push(...w.leaves.map((leaf) => leafLine(key, leaf)));
  }
  if (values.out !== undefined) {
    const text = lines.map((l) => JSON.stringify(l)).join("\n");
    await Deno.writeTextFile(userPath(values.out), text + (text ? "\n" : ""));
  }
  const header =
    `mrelease-lab explore: scenario ${scenario.name}  kernel ${
      kernel ?? scenario.kernel
    }  preemptions ${preemptions ?? "unbounded"}  abi ${ABI_VERSION}` +
    (shard.count > 1 ? `  shard ${shard.index}/${shard.count}` : "");
  console.log(header);
  console.log(formatReports(reportLines(lines), scenario));
  return truncated ? 1 : 0;
}

/** Runs `lab merge`; returns the exit code. */
export async function mergeCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(MERGE_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("lab merge takes the shards' line files");
  const lines: ExploreLine[] = [];
  for (const f of positionals) lines.push(...parseLines(await Deno.readTextFile(userPath(f)), f));
  const reports = reportLines(lines);
  if (reports.length === 0) throw new UsageError("the line files hold no schedule");
  const first = reports[0].key;
  const scenario = await loadScenarioFile(userPath(first.file));
  console.log(
    `mrelease-lab explore: scenario ${scenario.name}  kernel ${first.kernel}  preemptions ${
      first.preemptions ?? "unbounded"
    }  abi ${ABI_VERSION}`,
  );
  console.log(formatReports(reports, scenario));
  return 0;
}

function parseLines(text: string, file: string): ExploreLine[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((l, i) => {
    let line: unknown;
    try {
      line = JSON.parse(l);
    } catch {
      throw new UsageError(`${file}:${i + 1}: not JSON`);
    }
    const o = line as Partial<ExploreLine>;
    if (
      typeof line !== "object" || line === null || o.schema !== "mrelease-lab/explore-line@1" ||
      typeof o.schedule !== "string" || typeof o.outcome !== "object"
    ) {
      throw new UsageError(`${file}:${i + 1}: not an explore line (mrelease-lab/explore-line@1)`);
    }
    return line as ExploreLine;
  });
}

/** The report as text: per walk, its outcomes with witnesses, then the condition. */
export function formatReports(reports: readonly WalkReport[], scenario: Scenario): string {
  const out: string[] = [];
  const condition = scenario.explore?.condition;
  for (const r of reports) {
    const n = r.outcomes.length;
    out.push(
      "",
      `${r.key.design}: ${r.schedules} schedules, ${n} distinct outcome${n === 1 ? "" : "s"}`,
    );
    for (const row of r.outcomes) {
      out.push(`  ${String(row.count).padStart(7)}  ${row.text}`);
      out.push(
        `           ${
          replayCommand(r.key.file, {
            target: r.key.design,
            kernel: r.key.kernel as KernelVersion,
            choices: trimZeros(row.witness),
            kernelBugs: r.key.kernel_bugs,
          })
        }`,
      );
    }
    if (condition) {
      const j = judge(condition, r.outcomes);
      const verdict = j.verdict[0].toUpperCase() + j.verdict.slice(1);
      out.push(
        `  condition ${condition.quantifier} ${propText(condition.prop)}: ${verdict} ` +
          `(${j.positive} of ${r.schedules} schedules) ${j.ok ? "Ok" : "No"}`,
      );
    }
  }
  return out.join("\n");
}

/** A choice list without its trailing zeros: the core takes 0 once a list is used up. */
function trimZeros(schedule: readonly number[]): number[] {
  let n = schedule.length;
  while (n > 0 && schedule[n - 1] === 0) n--;
  return schedule.slice(0, n);
}

function parseReduction(v: string | undefined): Reduction {
  if (v === undefined || v === "sleep-sets" || v === "none") return v ?? "sleep-sets";
  throw new UsageError(`--reduction takes sleep-sets or none, got "${v}"`);
}

function parseShard(v: string | undefined): { index: number; count: number } {
  if (v === undefined) return { index: 0, count: 1 };
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(v);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(count >= 1 && index < count)) {
    throw new UsageError(`--shard takes I/N with 0 <= I < N (e.g. 0/4), got "${v}"`);
  }
  return { index, count };
}
