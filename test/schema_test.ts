/**
 * The JSON Schemas in docs/ (docs/scenario-format.md and docs/outcome-schema.md, "JSON
 * Schema"), checked with ajv against what the lab really reads and writes:
 *
 * - every shipped scenario validates against docs/scenario.schema.json;
 * - the schema's enumerations and limits are the code's (KERNEL_VERSIONS, the presets, the
 *   core's codes, SCENARIO_LIMITS), so a new kernel or state cannot leave it behind;
 * - the schema never rejects a file the validator accepts (the validator is the judge; the
 *   schema may be looser): thousands of mutated scenarios, generated and shrunk by
 *   fast-check; and it rejects a list of invalid files;
 * - real outcomes of every shape (a call that returned, with WARNs; a killed caller; an
 *   unfinished call, `ret: null, errno: "unfinished"`; no call), every design's outcome on
 *   the shipped top-level scenarios, and what `deno task lab run --json` and `compare --json`
 *   print validate against docs/outcome.schema.json, and broken ones do not.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import {
  CAP_BIT,
  chooseDesign,
  CPU_PRESET_NAMES,
  designs,
  ERRNO,
  EVENT_KIND_CODE,
  FD_KIND_CODE,
  KERNEL_VERSIONS,
  type KernelVariant,
  type KernelVersion,
  KNOWN_WARNS,
  loadScenarioFile,
  MAX_CAPACITY,
  MAX_FREQ_MHZ,
  type Outcome,
  PAGE_SIZE,
  parseScenario,
  PROCESS_STATUS_CODE,
  runScenario,
  SCENARIO_LIMITS,
  SCENARIO_SCHEMA,
  ScenarioError,
  scenarioFiles,
  SIGNAL_NUMBER,
  THREAD_STATE_CODE,
  validateScenario,
  VMA_KIND_CODE,
} from "../mod.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: unknown };

const root = new URL("..", import.meta.url);
const rootPath = decodeURIComponent(root.pathname);

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await Deno.readTextFile(new URL(path, root)));
}

const scenarioSchema = await readJson("docs/scenario.schema.json") as Schema;
const outcomeSchema = await readJson("docs/outcome.schema.json") as Schema;

// Strict: an unknown keyword or a keyword that does not fit its type is a schema bug.
// Union types (`["integer", "null"]`) are the draft's own; so is an `if: { required: [...] }`
// naming keys defined beside it (strictRequired would want them defined inside).
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  strictRequired: false,
});
const scenarioValid: ValidateFunction = ajv.compile(scenarioSchema);
const outcomeValid: ValidateFunction = ajv.compile(outcomeSchema);

function errorsOf(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`).join(
    "; ",
  );
}

function validator(json: unknown): "valid" | "invalid" {
  try {
    validateScenario(json);
    return "valid";
  } catch (e) {
    if (e instanceof ScenarioError) return "invalid";
    throw e;
  }
}

// ---------------------------------------------------------------------------
// The scenario schema

const shippedPaths = await scenarioFiles(`${rootPath}scenarios`);
const shipped = new Map<string, Json>();
for (const path of shippedPaths) {
  shipped.set(path.slice(rootPath.length), JSON.parse(await Deno.readTextFile(path)));
}

Deno.test("both schemas declare draft 2020-12", () => {
  for (const s of [scenarioSchema, outcomeSchema]) {
    assert.equal(s.$schema, "https://json-schema.org/draft/2020-12/schema");
  }
});

Deno.test("every shipped scenario validates against docs/scenario.schema.json", () => {
  assert.ok(shipped.size >= 100, `${shipped.size} scenario files under scenarios/`);
  for (const [path, json] of shipped) {
    assert.equal(validator(json), "valid", `${path} is a valid scenario`);
    assert.ok(scenarioValid(json), `${path}: ${errorsOf(scenarioValid.errors)}`);
  }
});

Deno.test("the example of docs/scenario-format.md validates against the schema", async () => {
  const doc = await Deno.readTextFile(new URL("docs/scenario-format.md", root));
  const example = doc.split("## An example")[1]?.match(/```json\n([\s\S]*?)```/)?.[1];
  assert.ok(example !== undefined);
  parseScenario(example);
  assert.ok(scenarioValid(JSON.parse(example)), errorsOf(scenarioValid.errors));
});

/** The subschema at a JSON pointer such as `/$defs/vma/properties/kind`. */
function at(schema: Schema, pointer: string): Schema {
  let v: unknown = schema;
  for (const k of pointer.split("/").slice(1)) v = (v as Schema)[k];
  assert.ok(v !== undefined, `${pointer} is in the schema`);
  return v as Schema;
}

Deno.test("the scenario schema's enumerations are the code's", () => {
  const s = scenarioSchema;
  const enums: [string, readonly string[]][] = [
    ["/$defs/kernel", KERNEL_VERSIONS],
    ["/$defs/cpu/then/properties/preset", CPU_PRESET_NAMES],
    ["/$defs/vma/properties/kind", Object.keys(VMA_KIND_CODE)],
    ["/$defs/process/properties/caps/items", Object.keys(CAP_BIT)],
    ["/$defs/process/properties/status", Object.keys(PROCESS_STATUS_CODE)],
    ["/$defs/thread/properties/state", Object.keys(THREAD_STATE_CODE)],
    ["/$defs/fd/properties/kind", Object.keys(FD_KIND_CODE)],
    ["/$defs/event/properties/kind", Object.keys(EVENT_KIND_CODE)],
    ["/$defs/event/oneOf/2/properties/sig", Object.keys(SIGNAL_NUMBER)],
    ["/$defs/expectation/properties/warnings/items", KNOWN_WARNS],
  ];
  for (const [pointer, values] of enums) {
    assert.deepEqual(at(s, pointer).enum, [...values], pointer);
  }
  const kinds = (at(s, "/$defs/event/oneOf") as unknown as Schema[]).map((e) =>
    at(e, "/properties/kind").const
  );
  assert.deepEqual(kinds, Object.keys(EVENT_KIND_CODE));
  assert.equal(at(s, "/properties/schema").const, SCENARIO_SCHEMA);
  assert.deepEqual(at(outcomeSchema, "/$defs/outcome/properties/kernel").enum, KERNEL_VERSIONS);
});

Deno.test("the scenario schema's limits are SCENARIO_LIMITS and the core's bounds", () => {
  const s = scenarioSchema;
  const L = SCENARIO_LIMITS;
  const max: [string, string, number][] = [
    ["/properties/cpus", "maxItems", L.cpus],
    ["/properties/mms", "maxItems", L.mms],
    ["/properties/processes", "maxItems", L.processes],
    ["/properties/events", "maxItems", L.events],
    ["/properties/cgroups", "maxItems", L.cgroups],
    ["/properties/pid_namespaces", "maxItems", L.pid_namespaces],
    ["/properties/expect", "maxItems", L.expectations],
    ["/$defs/mm/properties/vmas", "maxItems", L.vmas_per_mm],
    ["/$defs/process/properties/threads", "maxItems", L.threads_per_process],
    ["/$defs/process/properties/fds", "maxItems", L.fds_per_process],
    ["/$defs/fd/properties/fd", "maximum", L.fds_per_process - 1],
    ["/$defs/thread/properties/holds", "maxItems", L.holds_per_thread],
    ["/$defs/thread/properties/cpu", "maximum", L.cpus - 1],
    ["/$defs/thread/properties/affinity", "maxItems", L.cpus],
    ["/$defs/intent/properties/also", "maxItems", L.also_callers],
    ["/$defs/call/properties/iov", "maxItems", L.iov_ranges],
    ["/$defs/pid", "maximum", L.pid],
    ["/$defs/tgid", "maximum", L.pid],
    ["/$defs/time_ms", "maximum", L.time_us / 1000],
    ["/$defs/size/anyOf/0", "maximum", L.vma_pages * PAGE_SIZE],
    ["/$defs/size/anyOf/0", "multipleOf", PAGE_SIZE],
    ["/$defs/cpu/else/properties/capacity", "maximum", MAX_CAPACITY],
    ["/$defs/cpu/else/properties/max_freq_mhz", "maximum", MAX_FREQ_MHZ],
    ["/$defs/cpu/else/properties/freq_mhz", "maximum", MAX_FREQ_MHZ],
  ];
  for (const [pointer, keyword, value] of max) {
    assert.equal(at(s, pointer)[keyword], value, `${pointer} ${keyword}`);
  }
});

/**
 * Every string an enum or const of the schema names, and (with `keys`) every property name:
 * the values and keys mutations try.
 */
function schemaStrings(v: unknown, out = new Set<string>(), keys = true): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => schemaStrings(x, out, keys));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if ((k === "enum" || k === "const") && typeof x === "string") out.add(x);
      if (k === "enum" && Array.isArray(x)) x.forEach((y) => typeof y === "string" && out.add(y));
      if (k === "properties" && keys) Object.keys(x as object).forEach((key) => out.add(key));
      schemaStrings(x, out, keys);
    }
  }
  return out;
}

const STRINGS = [...schemaStrings(scenarioSchema)].sort();
/** Values near the edges of the format: types, limits, units, percentages. */
const EDGE_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1,
  2,
  1.5,
  0.001,
  0.0004,
  19,
  20,
  -20,
  -21,
  63,
  64,
  99,
  100,
  1023,
  1024,
  4096,
  4097,
  65536,
  4194304,
  4194305,
  2147483.647,
  2147483.648,
  4294967294,
  4294967295,
  2 ** 31,
  2 ** 53,
  "",
  " ",
  "x",
  "0",
  "1",
  "4096",
  "0%",
  "50%",
  "100%",
  "100.0%",
  "100.5%",
  "007%",
  "1MiB",
  "1.5GiB",
  "0.1MiB",
  "3KiB",
  "512MB",
  "8TiB",
  "a".repeat(65),
  [],
  [0],
  [0, 1],
  [0, 0],
  ["VM_LOCKED"],
  ["VM_LOCKED", "VM_LOCKED"],
  ["CAP_KILL"],
  {},
  { min: 0 },
  { min: 2, max: 1 },
];

/**
 * One change to a JSON value: set a path to a value, or to a value of the same JSON type
 * (`tweak`: these mostly stay valid, which is the side the property is about), delete a key,
 * or add a key.
 */
type Mutation =
  | { op: "set"; pick: number; value: Json }
  | { op: "tweak"; pick: number; choice: number }
  | { op: "delete"; pick: number }
  | { op: "add"; pick: number; key: string; value: Json };

function jsonType(v: Json): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Every [container, key] inside a JSON value, in a stable order. */
function slots(v: Json, out: [Json[] | { [k: string]: Json }, string | number][] = []) {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      out.push([v, k]);
      slots(x, out);
    }
  }
  return out;
}

function objects(v: Json, out: { [k: string]: Json }[] = []) {
  if (Array.isArray(v)) v.forEach((x) => objects(x, out));
  else if (v !== null && typeof v === "object") {
    out.push(v);
    Object.values(v).forEach((x) => objects(x, out));
  }
  return out;
}

function mutate(base: Json, mutations: readonly Mutation[]): Json {
  const json = structuredClone(base);
  for (const m of mutations) {
    if (m.op === "add") {
      const all = objects(json);
      all[m.pick % all.length][m.key] = structuredClone(m.value);
      continue;
    }
    const all = slots(json);
    if (all.length === 0) continue;
    const [container, key] = all[m.pick % all.length];
    const slot = container as Record<string, Json>;
    if (m.op === "set") slot[key] = structuredClone(m.value);
    else if (m.op === "tweak") slot[key] = tweak(slot[key], m.choice);
    else if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  }
  return json;
}

/** The edge values and the schema's enumerated strings, by JSON type. */
const SAME_TYPE = new Map<string, Json[]>();
for (const v of [...EDGE_VALUES, ...schemaStrings(scenarioSchema, new Set(), false)]) {
  SAME_TYPE.set(jsonType(v), [...SAME_TYPE.get(jsonType(v)) ?? [], v]);
}

/** A value of the same JSON type: a number nearby or at an edge, another string, `!b`. */
function tweak(v: Json, choice: number): Json {
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") {
    const near = [v + 1, v - 1, v * 2, Math.floor(v / 2), v + 0.5, v + 0.001];
    const all = [...near, ...SAME_TYPE.get("number")!];
    return all[choice % all.length];
  }
  const same = SAME_TYPE.get(jsonType(v)) ?? [];
  return same.length > 0 ? structuredClone(same[choice % same.length]) : v;
}

const valueArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...EDGE_VALUES),
  fc.constantFrom(...STRINGS),
  fc.integer({ min: -5, max: 5000 }),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("set" as const), pick: fc.nat(), value: valueArb }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("tweak" as const), pick: fc.nat(), choice: fc.nat() }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("add" as const),
      pick: fc.nat(),
      key: fc.constantFrom(...STRINGS),
      value: valueArb,
    }),
  },
);

/** Seeds: small shipped scenarios of different shapes (vfork, zombies, events, calls, expect). */
const SEEDS = [
  "scenarios/dstate-little-core.json",
  "scenarios/vfork-shared-mm.json",
  "scenarios/zombie-leader-threads.json",
  "scenarios/mixed-vmas.json",
  "scenarios/diff/reverse-walk.json",
  "scenarios/diff/kill-permission.json",
  "scenarios/diff/second-caller.json",
  "scenarios/diff/proc-dir-fd.json",
  "scenarios/diff/no-kill-before-the-call.json",
  "scenarios/diff/oom-victim-thawed.json",
];
const RUNS_PER_SEED = 1500;

Deno.test("the schema accepts every mutated scenario the validator accepts", () => {
  const tally = { runs: 0, validator_valid: 0, validator_invalid: 0, schema_rejects_too: 0 };
  for (const path of SEEDS) {
    const base = shipped.get(path);
    assert.ok(base !== undefined, `${path} is shipped`);
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 2 }), (mutations) => {
        const json = mutate(base, mutations);
        const accepted = scenarioValid(json);
        tally.runs++;
        if (validator(json) === "valid") {
          tally.validator_valid++;
          assert.ok(accepted, `a valid scenario rejected: ${errorsOf(scenarioValid.errors)}`);
        } else {
          tally.validator_invalid++;
          if (!accepted) tally.schema_rejects_too++;
        }
      }),
      { numRuns: RUNS_PER_SEED, seed: 12 },
    );
  }
  // The mutations must reach both sides for the property to say anything.
  assert.ok(tally.validator_valid >= 1000, JSON.stringify(tally));
  assert.ok(tally.schema_rejects_too >= tally.validator_invalid / 2, JSON.stringify(tally));
  if (Deno.env.get("SCHEMA_TEST_FIGURES")) console.log(JSON.stringify(tally));
});

/** Invalid files the schema itself rejects: one change each to the minimal valid scenario. */
const INVALID: [string, (s: { [k: string]: Json }) => void][] = [
  ["an unknown top-level key", (s) => (s.horizon = 5)],
  ["another schema version", (s) => (s.schema = "mrelease-lab/scenario@2")],
  ["an unknown kernel", (s) => (s.kernel = "6.1")],
  ["a name with capitals", (s) => (s.name = "Minimal")],
  ["no CPUs", (s) => (s.cpus = [])],
  ["an unknown preset", (s) => (s.cpus = [{ preset: "sd845-little" }])],
  ["a preset with numbers", (s) => (s.cpus = [{ preset: "host", capacity: 1024 }])],
  ["a decimal unit", (s) => (at(s, "/mms/0/vmas/0") as Schema).size = "512MB"],
  ["a size that is no page multiple", (s) => (at(s, "/mms/0/vmas/0") as Schema).size = 4097],
  ["a flag on a pfnmap VMA", (s) => {
    Object.assign(at(s, "/mms/0/vmas/0"), { kind: "pfnmap", flags: ["VM_LOCKED"] });
  }],
  ["a fifo thread without rt_prio", (s) => {
    (at(s, "/processes/1/threads/0") as Schema).policy = "fifo";
  }],
  ["nice with fifo", (s) => {
    Object.assign(at(s, "/processes/1/threads/0"), { policy: "fifo", rt_prio: 50, nice: 0 });
  }],
  ["until_ms in state R", (s) => {
    Object.assign(at(s, "/processes/1/threads/0"), { state: "R", until_ms: 5 });
  }],
  ["a pidfd without target", (s) => {
    (at(s, "/processes/1") as Schema).fds = [{ fd: 3, kind: "pidfd" }];
  }],
  ["a file with a target", (s) => {
    (at(s, "/processes/1") as Schema).fds = [{ fd: 3, kind: "file", target: 200 }];
  }],
  ["a kthread with an mm", (s) => (at(s, "/processes/1") as Schema).kthread = true],
  ["a live user process without mm", (s) => delete (at(s, "/processes/1") as Schema).mm],
  ["init on tgid 100", (s) => (at(s, "/processes/1") as Schema).init = true],
  ["an event of an unknown kind", (s) => (s.events = [{ at_ms: 1, kind: "sleep", pid: 200 }])],
  ["a kill event with a pid", (s) => {
    s.events = [{ at_ms: 1, kind: "kill", target: 200, from: 100, pid: 200 }];
  }],
  ["a negative time", (s) => (at(s, "/intent") as Schema).at_ms = -1],
  ["fd and nonblock in the call", (s) => {
    (at(s, "/intent") as Schema).call = { fd: 3, nonblock: true };
  }],
  ["no caller", (s) => delete s.caller],
  ["an expectation with an unknown errno", (s) => (s.expect = [{ design: "x", ret: "EWHAT" }])],
  ["an empty range", (s) => (s.expect = [{ design: "x", freed_pages: {} }])],
];

Deno.test("the schema rejects invalid scenarios, which the validator rejects too", async () => {
  const doc = await Deno.readTextFile(new URL("docs/scenario-format.md", root));
  const example: { [k: string]: Json } = JSON.parse(
    doc.split("## An example")[1].match(/```json\n([\s\S]*?)```/)![1],
  );
  assert.ok(scenarioValid(example));
  for (const [what, change] of INVALID) {
    const json: { [k: string]: Json } = structuredClone(example);
    change(json);
    assert.equal(validator(json), "invalid", `${what}: the validator rejects it`);
    assert.ok(!scenarioValid(json), `${what}: the schema rejects it`);
  }
});

// ---------------------------------------------------------------------------
// The outcome schema

/** Round-tripped through JSON, as `--json` prints it. */
function asPrinted(o: Outcome): Json {
  return JSON.parse(JSON.stringify(o));
}

async function outcomeOf(
  file: string,
  design: string,
  kernel?: KernelVersion,
  kernelVariants?: KernelVariant[],
): Promise<Json> {
  const { outcome } = runScenario(await loadScenarioFile(file), {
    ...chooseDesign(design),
    kernel,
    kernelVariants,
  });
  return asPrinted(outcome);
}

// The shapes test/outcome_schema_test.ts documents.
const SHAPES: Record<string, Json> = {
  "a call that returned, with WARNs": await outcomeOf(
    "scenarios/races/f1-pgtables.json",
    "process_mrelease@v9",
    "5.15",
  ),
  "a killed caller": await outcomeOf(
    "scenarios/diff/caller-killed-mid-call.json",
    "process_mrelease",
  ),
  "an unfinished call": await outcomeOf(
    "scenarios/diff/unfinished-at-horizon.json",
    "process_mrelease",
  ),
  "no call": await outcomeOf("scenarios/dstate-little-core.json", "oom_reaper"),
  "kernel variants on": await outcomeOf(
    "scenarios/dstate-little-core.json",
    "process_mrelease_exit_mm",
    "6.18",
    ["exit_mmap_write_lock"],
  ),
};

Deno.test("outcomes of every shape validate against docs/outcome.schema.json", () => {
  const o = SHAPES as Record<string, { ret: Json; errno: Json; warnings: Json[]; calls: Json[] }>;
  assert.ok(o["a call that returned, with WARNs"].warnings.length > 0);
  assert.equal(o["a killed caller"].ret, "killed");
  assert.deepEqual([o["an unfinished call"].ret, o["an unfinished call"].errno], [
    null,
    "unfinished",
  ]);
  assert.deepEqual(o["no call"].calls, []);
  for (const [shape, outcome] of Object.entries(SHAPES)) {
    assert.ok(outcomeValid(outcome), `${shape}: ${errorsOf(outcomeValid.errors)}`);
  }
  assert.ok(outcomeValid(Object.values(SHAPES)), "an array of outcomes, as --json prints");
});

Deno.test("every design's and variant's outcome on the top-level scenarios validates", async () => {
  const top = [...shipped.keys()].filter((p) => p.split("/").length === 2);
  let n = 0;
  for (const file of top) {
    const scenario = await loadScenarioFile(`${rootPath}${file}`);
    for (const design of designs()) {
      for (const variant of [undefined, ...(design.variants ?? []).map((v) => v.name)]) {
        const json = asPrinted(runScenario(scenario, { design, variant }).outcome);
        const what = `${file} ${design.name}${variant ? `@${variant}` : ""}`;
        assert.ok(outcomeValid(json), `${what}: ${errorsOf(outcomeValid.errors)}`);
        n++;
      }
    }
  }
  assert.ok(n >= top.length * designs().length, `${n} outcomes`);
});

async function labJson(args: string[]): Promise<Json> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "lab", ...args, "--json"],
    cwd: rootPath,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `deno task lab ${args.join(" ")} --json: ${err}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("what `lab run --json` and `lab compare --json` print validates", async () => {
  for (
    const args of [
      ["run", "scenarios/dstate-little-core.json"],
      ["compare", "scenarios/diff/unfinished-at-horizon.json"],
      ["compare", "scenarios/diff/caller-killed-mid-call.json"],
      ["compare", "scenarios/dstate-little-core.json", "--kernel-variant", "exit_mmap_write_lock"],
    ]
  ) {
    const printed = await labJson(args);
    assert.ok(Array.isArray(printed) && printed.length > 0, args.join(" "));
    assert.ok(outcomeValid(printed), `${args.join(" ")}: ${errorsOf(outcomeValid.errors)}`);
  }
});

Deno.test("the outcome schema's errno names are the errnos the lab can answer", () => {
  const errno = (outcomeSchema.$defs as { errno: { anyOf: { enum?: string[] }[] } }).errno;
  const names = errno.anyOf.find((x) => x.enum)?.enum ?? [];
  assert.deepEqual([...names].sort(), Object.keys(ERRNO).sort());
});

Deno.test("the outcome schema rejects broken outcomes", () => {
  const good = SHAPES["a call that returned, with WARNs"] as { [k: string]: Json };
  const broken: [string, (o: { [k: string]: Json }) => void][] = [
    ["a missing field", (o) => delete o.events_hash],
    ["an unknown field", (o) => (o.errno_name = "0")],
    ["another schema version", (o) => (o.schema = "mrelease-lab/outcome@1")],
    ['success spelled as the string "0"', (o) => Object.assign(o, { ret: 0, errno: "0" })],
    ["success with an errno", (o) => Object.assign(o, { ret: 0, errno: "ESRCH" })],
    ["a failure with errno 0", (o) => Object.assign(o, { ret: -3, errno: 0 })],
    [
      "an errno name the kernel does not have",
      (o) => Object.assign(o, { ret: -3, errno: "ESRHC" }),
    ],
    ['a call\'s success as "0"', (o) => {
      (o.calls as { ret: Json; errno: Json }[])[0].errno = "0";
    }],
    ["a call's failure with errno 0", (o) => {
      Object.assign((o.calls as { ret: Json; errno: Json }[])[0], { ret: -22, errno: 0 });
    }],
    ["ret null with a returned errno", (o) => (o.ret = null)],
    ["ret killed with errno unfinished", (o) => Object.assign(o, { ret: "killed", errno: "x" })],
    ["a returned call named unfinished", (o) => (o.errno = "unfinished")],
    ["a ret of NaN's text", (o) => Object.assign(o, { ret: "NaN", errno: "NaN" })],
    ["a short events_hash", (o) => (o.events_hash = "abc")],
    ["a WARN with one argument", (o) => ((o.warnings as { args: Json[] }[])[0].args = [1])],
    ["a negative page count", (o) => ((o.memory as { freed_pages: Json }).freed_pages = -1)],
    ["an unknown kernel variant", (o) => (o.kernel_variants = ["exit_mmap_read_lock"])],
    ["a kernel variant twice", (o) => {
      o.kernel_variants = ["exit_mm_retention", "exit_mm_retention"];
    }],
    ["an empty kernel_variants", (o) => (o.kernel_variants = [])],
    ["a freed_by without other", (o) => {
      delete ((o.memory as { freed_by: { [k: string]: Json } }).freed_by.other);
    }],
  ];
  assert.ok(outcomeValid(good));
  for (const [what, change] of broken) {
    const o = structuredClone(good);
    change(o);
    assert.ok(!outcomeValid(o), what);
    assert.ok(!outcomeValid([good, o]), `${what}, in an array`);
  }
});
