// docs/outcome-schema.md lists exactly the fields real outcomes have, with their JSON types,
// for every shape an outcome takes: a call that returned (with WARNs), a killed caller, a call
// still blocked at the horizon, a design that makes no call, and follow-up calls (`then`). The outcomes are read as
// `lab run --json` prints them (a JSON round trip).

import assert from "node:assert/strict";
import { errnoOf } from "../src/core/mod.ts";
import { chooseDesign } from "../src/lab/designs/mod.ts";
import {
  freedBy,
  freedPages,
  type Outcome,
  OUTCOME_SCHEMA,
  runScenario,
} from "../src/engine/run/mod.ts";
import {
  type KernelVariant,
  type KernelVersion,
  loadScenarioFile,
} from "../src/engine/scenario/mod.ts";

const doc = await Deno.readTextFile("docs/outcome-schema.md");

/** The documented fields: path → the alternatives of its type column. */
function documented(): Map<string, string[]> {
  const block = doc.split("<!-- outcome:begin -->")[1]?.split("<!-- outcome:end -->")[0] ?? "";
  return new Map(
    [...block.matchAll(/^\| `([a-z0-9_.[\]]+)` +\| ([^|]+?) +\|/gm)].map((
      m,
    ) => [m[1], m[2].split(/, | or /)]),
  );
}

/** Every field path of a JSON value with the values it takes; array items as `name[].field`. */
function fields(
  v: unknown,
  prefix = "",
  out = new Map<string, unknown[]>(),
): Map<string, unknown[]> {
  if (v === null || typeof v !== "object") return out;
  const entries = Array.isArray(v) ? v.map((x) => ["[]", x] as const) : Object.entries(v);
  for (const [k, x] of entries) {
    const path = k === "[]" ? `${prefix}[]` : prefix ? `${prefix}.${k}` : k;
    if (k !== "[]") out.set(path, [...out.get(path) ?? [], x]);
    fields(x, path, out);
  }
  return out;
}

/** A value's JSON type as the doc spells it. */
function jsonType(x: unknown): string {
  return x === null ? "null" : Array.isArray(x) ? "array" : typeof x;
}

/** Whether `x` is one of the documented alternatives: a type name or a `"literal"`. */
function fits(x: unknown, alternatives: readonly string[]): boolean {
  return alternatives.some((alt) => {
    const literal = /^`(.+)`$/.exec(alt);
    return literal ? JSON.stringify(x) === literal[1] : alt === jsonType(x);
  });
}

/** One outcome of each shape, as `--json` prints it. */
const SHAPES: Record<
  string,
  { file: string; design: string; kernel?: KernelVersion; kernelVariants?: KernelVariant[] }
> = {
  "a call that returned, with WARNs": {
    file: "scenarios/races/f1-pgtables.json",
    design: "process_mrelease@v9",
    kernel: "5.15",
  },
  "a killed caller": {
    file: "scenarios/diff/caller-killed-mid-call.json",
    design: "process_mrelease",
  },
  "an unfinished call": {
    file: "scenarios/diff/unfinished-at-horizon.json",
    design: "process_mrelease",
  },
  "no call": { file: "scenarios/dstate-little-core.json", design: "oom_reaper" },
  "follow-up calls": { file: "scenarios/fidelity/waitid-reports-the-kill.json", design: "sigkill" },
  "kernel variants on": {
    file: "scenarios/dstate-little-core.json",
    design: "sigkill",
    kernel: "6.18",
    kernelVariants: ["exit_mmap_write_lock"],
  },
};

async function outcomeOf(shape: string): Promise<Outcome> {
  const { file, design, kernel, kernelVariants } = SHAPES[shape];
  const { outcome } = runScenario(await loadScenarioFile(file), {
    ...chooseDesign(design),
    kernel,
    kernelVariants,
  });
  return JSON.parse(JSON.stringify(outcome));
}

const outcomes = new Map<string, Outcome>();
for (const shape of Object.keys(SHAPES)) outcomes.set(shape, await outcomeOf(shape));

for (const [shape, outcome] of outcomes) {
  Deno.test(`${shape}: every field is documented, with a documented type`, () => {
    const docFields = documented();
    for (const [path, values] of fields(outcome)) {
      const alternatives = docFields.get(path);
      assert.ok(alternatives, `${path} is not documented`);
      for (const x of values) {
        assert.ok(fits(x, alternatives), `${path}: documented as ${alternatives}, is ${x}`);
      }
    }
  });
}

Deno.test("the shapes together show every documented field", () => {
  const seen = new Set([...outcomes.values()].flatMap((o) => [...fields(o).keys()]));
  assert.deepEqual([...documented().keys()].filter((k) => !seen.has(k)), []);
});

Deno.test("ret and errno say how the main call ended", () => {
  const returned = outcomes.get("a call that returned, with WARNs")!;
  assert.equal(typeof returned.ret, "number");
  assert.equal(returned.errno, errnoOf(returned.ret as number));
  assert.ok(returned.warnings.length > 0);

  const killed = outcomes.get("a killed caller")!;
  assert.deepEqual([killed.ret, killed.errno], ["killed", "killed"]);

  const unfinished = outcomes.get("an unfinished call")!;
  assert.deepEqual([unfinished.ret, unfinished.errno], [null, "unfinished"]);
  assert.equal(unfinished.callers_unfinished, 1);
  assert.ok(unfinished.calls.every((c) => typeof c.ret === "number"), "calls lists returned calls");

  const none = outcomes.get("no call")!;
  assert.deepEqual([none.ret, none.errno, none.calls], [0, 0, []]);
});

Deno.test("kernel_variants names the variants that were on, and only when some were", () => {
  const on = outcomes.get("kernel variants on")!;
  assert.deepEqual(on.kernel_variants, ["exit_mmap_write_lock"]);
  // A released kernel's run has no such field at all (an outcome@2 reader sees no change).
  for (const [shape, o] of outcomes) {
    if (shape !== "kernel variants on") assert.ok(!("kernel_variants" in o), shape);
  }
});

Deno.test("kernel_variants holds the design's own variants too, each once, in bit order", async () => {
  const s = await loadScenarioFile("scenarios/dstate-little-core.json");
  const run = (kernelVariants?: KernelVariant[]) =>
    runScenario(s, { ...chooseDesign("process_mrelease_exit_mm"), kernel: "6.18", kernelVariants })
      .outcome.kernel_variants;
  assert.deepEqual(run(), ["exit_mm_retention"]);
  assert.deepEqual(run(["exit_mmap_write_lock", "exit_mm_retention"]), [
    "exit_mm_retention",
    "exit_mmap_write_lock",
  ]);
});

Deno.test("the documented schema is the one outcomes carry", () => {
  assert.deepEqual(documented().get("schema"), ["string"]);
  assert.ok(doc.includes(`| \`"${OUTCOME_SCHEMA}"\``));
  for (const o of outcomes.values()) assert.equal(o.schema, OUTCOME_SCHEMA);
});

Deno.test("freed_by is freedPages of the victim's mm; kernel threads are the core's PF_KTHREAD", async () => {
  const s = await loadScenarioFile("scenarios/dstate-little-core.json");
  const run = runScenario(s, { ...chooseDesign("oom_reaper"), kernel: "5.15" });
  const kthreads = s.processes.filter((p) => p.kthread).flatMap((p) => p.threads.map((t) => t.pid));
  // The scenario's kthreads, and the oom_reaper the core adds.
  assert.ok(kthreads.every((pid) => run.kthreads.has(pid)));
  assert.equal(run.kthreads.size, kthreads.length + 1);
  const victim = s.processes.find((p) => p.tgid === s.intent.victim)!;
  const frees = freedPages(run, {
    mms: [s.mms.find((m) => m.id === victim.mm)!.index],
    caller: s.caller.pid,
    victims: new Set(victim.threads.map((t) => t.pid)),
  });
  assert.deepEqual(freedBy(frees), run.outcome.memory.freed_by);
  assert.equal(run.outcome.memory.freed_by.kthreads, run.outcome.memory.reclaimable_pages);
});
