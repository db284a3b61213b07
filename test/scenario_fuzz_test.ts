/**
 * The scenario fuzzer (issue: "Bounded under any input"): arbitrary JSON, arbitrary bytes,
 * and mutations of every shipped scenario (wrong types, out-of-range numbers, NaN-like
 * strings, duplicates, parent cycles, dangling references, impossible state combinations,
 * huge and deeply nested values, duplicate keys, truncation, byte-order marks) go through
 * `lab run` and `lab verify` in-process, as files, the way a user would hand them over.
 *
 * Every input is either run to an outcome (exit 0, or 1 for a failed expectation with its
 * table) or rejected with exit 1 and an `error:` message whose every problem names a JSON
 * path (a file-level problem: one line). Never a stack trace, never an exception out of
 * the command, never more than {@linkcode INPUT_MS_MAX} for one input.
 *
 * The seeds are fixed, so a run depends on the code alone; a failure prints fast-check's
 * seed and path and writes the input to a file with the command that replays it.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { cli } from "../src/lab/cli/mod.ts";
import { KERNEL_VERSIONS, scenarioFiles } from "../src/engine/scenario/mod.ts";
import { allDesigns } from "../src/lab/designs/mod.ts";

/**
 * The seeds are fixed; `MRELEASE_FUZZ_SEED=N` shifts them and `MRELEASE_FUZZ_SCALE=K`
 * multiplies the runs, for a longer hunt by hand (the suite itself uses neither).
 */
const SEED_SHIFT = Number(Deno.env.get("MRELEASE_FUZZ_SEED") ?? 0);
const SCALE = Number(Deno.env.get("MRELEASE_FUZZ_SCALE") ?? 1);
const budget = (numRuns: number, seed: number) => ({
  numRuns: Math.round(numRuns * SCALE),
  seed: seed + SEED_SHIFT,
});

/** A generated world runs at most this long (the default horizon): runs stay short. */
const HORIZON_MS_MAX = 10000;
/** One input (a run and a verify) must finish within this: nothing may hang. */
const INPUT_MS_MAX = 10000;

type Json = unknown;
type Obj = Record<string, unknown>;

const files = await scenarioFiles("scenarios");
const bases: { file: string; json: Obj }[] = await Promise.all(
  files.map(async (file) => ({ file, json: JSON.parse(await Deno.readTextFile(file)) as Obj })),
);
const designSpecs = allDesigns().flatMap((d) => [
  d.name,
  ...(d.variants ?? []).map((v) => `${d.name}@${v.name}`),
]);
const dir = await Deno.makeTempDir({ prefix: "mrelease-fuzz-" });

/** What the fuzz saw: the figures the reliability notes quote. */
const stats = {
  tried: 0,
  ran: 0,
  rejected: 0,
  max_ms: 0,
  max_ms_input: "",
  max_rss_bytes: 0,
  by_kind: {} as Record<string, { tried: number; ran: number }>,
};

interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the command line in-process with console output captured. */
async function runCli(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error, warn: console.warn };
  const text = (a: unknown[]) => a.map((x) => (typeof x === "string" ? x : String(x))).join(" ");
  console.log = (...a: unknown[]) => void out.push(text(a));
  console.error = (...a: unknown[]) => void err.push(text(a));
  console.warn = console.error;
  try {
    const code = await cli(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    Object.assign(console, saved);
  }
}

/** Why a command's result breaks the contract, or undefined. */
function contractBroken(args: string[], r: CliResult): string | undefined {
  const cmd = `lab ${args.join(" ")}`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(r.err) || /^\s+at .+:\d+:\d+\)?$/m.test(r.out)) {
    return `${cmd}: a stack trace in the output`;
  }
  if (r.code !== 0 && r.code !== 1) return `${cmd}: exit code ${r.code} for a file input`;
  if (r.err === "") {
    if (args[0] === "run" && !r.out.startsWith("mrelease-lab run: ")) {
      return `${cmd}: no outcome table and no error`;
    }
    if (r.code === 1 && !/\bFAIL\b/.test(r.out)) return `${cmd}: exit 1 without a reason`;
    return undefined;
  }
  const lines = r.err.split("\n");
  if (!lines[0].startsWith("error: ")) return `${cmd}: the error does not start with "error: "`;
  if (r.code !== 1) return `${cmd}: an error with exit code ${r.code}`;
  if (lines[0].startsWith("error: invalid scenario ")) {
    const problems = lines.slice(1);
    if (problems.length === 0) return `${cmd}: an invalid scenario without its problems`;
    const bad = problems.find((l) => !/^ {2}(\$[.[]?|\.\.\. and \d+ more)/.test(l));
    if (bad !== undefined) return `${cmd}: a problem without a JSON path: ${bad}`;
    return undefined;
  }
  if (lines.length > 1) return `${cmd}: a file-level error of more than one line`;
  return undefined;
}

let inputCount = 0;

/** Writes one input, runs `lab run` (one design) and `lab verify` on it, checks both. */
async function check(
  kind: string,
  bytes: Uint8Array,
  design: string,
  kernel?: string,
): Promise<void> {
  const path = `${dir}/input-${inputCount++ % 4}.json`;
  await Deno.writeFile(path, bytes);
  const t0 = performance.now();
  const results: [string[], CliResult][] = [];
  const run = ["run", path, "--design", design, ...(kernel ? ["--kernel", kernel] : [])];
  for (const args of [run, ["verify", path]]) {
    let r: CliResult;
    try {
      r = await runCli(args);
    } catch (e) {
      const kept = await keep(bytes);
      throw new Error(
        `lab ${args.join(" ")} threw (input kept as ${kept}; replay: deno task lab ${
          args[0]
        } ${kept} ${args.slice(2).join(" ")})\n${(e as Error).stack}`,
      );
    }
    const broken = contractBroken(args, r);
    if (broken !== undefined) {
      const kept = await keep(bytes);
      throw new Error(`${broken} (input kept as ${kept})\n--- stderr:\n${r.err.slice(0, 2000)}`);
    }
    results.push([args, r]);
  }
  const ms = performance.now() - t0;
  const rss = Deno.memoryUsage().rss;
  stats.tried++;
  const ran = results[0][1].code === 0;
  if (ran) stats.ran++;
  else stats.rejected++;
  const k = (stats.by_kind[kind] ??= { tried: 0, ran: 0 });
  k.tried++;
  if (ran) k.ran++;
  if (ms > stats.max_ms) {
    stats.max_ms = ms;
    stats.max_ms_input = kind;
  }
  stats.max_rss_bytes = Math.max(stats.max_rss_bytes, rss);
  if (ms > INPUT_MS_MAX) {
    const kept = await keep(bytes);
    throw new Error(`one input took ${ms.toFixed(0)} ms (input kept as ${kept})`);
  }
}

/** Keeps a failing input where the suite's temporary files are not removed. */
async function keep(bytes: Uint8Array): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "mrelease-fuzz-failure-", suffix: ".json" });
  await Deno.writeFile(path, bytes);
  return path;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

// ---------------------------------------------------------------------------
// Mutations of shipped scenarios

type Key = string | number;

function paths(v: Json, prefix: Key[] = [], out: Key[][] = []): Key[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  }
  return out;
}

function get(root: Json, path: Key[]): Json {
  let v: Json = root;
  for (const k of path) v = (v as Obj)[k as string];
  return v;
}

/** Values that are wrong in some place: types, ranges, NaN-like spellings, sizes. */
const EDGES: Json[] = [
  0,
  -1,
  1,
  2,
  63,
  64,
  65,
  100,
  1000,
  1023,
  1024,
  65536,
  65537,
  1048576,
  4194304,
  4194305,
  2147483647,
  2147483648,
  4294967295,
  4294967296,
  -2147483649,
  9007199254740993,
  1e300,
  -1e300,
  0.5,
  0.0004,
  -0,
  "",
  " ",
  "0",
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "0x10",
  "4KiB",
  "3KiB",
  "512MB",
  "100%",
  "101%",
  "-5%",
  "8TiB",
  "64TiB",
  null,
  true,
  false,
  [],
  {},
  [null],
  { "": 1 },
  "R",
  "S",
  "D",
  "T",
  "frozen",
  "zombie",
  "D_vfork",
  "alive",
  "reaped",
  "vfork",
  "pidfd",
  "proc_dir",
  "file",
  "victim_mm",
  "init_mm",
  "killer_mm",
  "SIGKILL",
  "SIGSTOP",
  "SIGCONT",
  "anon",
  "pfnmap",
  "VM_LOCKED",
  "6.18",
  "5.10",
  "sigkill",
  "process_mrelease@v99",
  "__proto__",
  "\u0000",
  "\uFEFF",
  "\uD800",
];

/** A huge or deeply nested value, made when used (they are large). */
const HUGE: (() => Json)[] = [
  () => "x".repeat(200_000),
  () => Array.from({ length: 20_000 }, () => 0),
  () => Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
  () => {
    let v: Json = 1;
    for (let i = 0; i < 80; i++) v = [v];
    return v;
  },
  () => {
    let v: Json = 1;
    for (let i = 0; i < 80; i++) v = { a: v };
    return v;
  },
];

const STATES = ["R", "S", "D", "T", "frozen", "zombie", "D_vfork"];
const STATUSES = ["alive", "zombie", "reaped"];

interface Mutation {
  op:
    | "delete"
    | "edge"
    | "huge"
    | "dup"
    | "copy"
    | "bump"
    | "cycle"
    | "state"
    | "status"
    | "kthread"
    | "vfork"
    | "dangling";
  a: number;
  b: number;
  edge: Json;
}

/** Mostly mutations a world can survive (so that many still run), some that break it. */
const arbMutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.oneof(
    {
      arbitrary: fc.constantFrom<Mutation["op"]>("state", "status", "bump", "dup", "vfork"),
      weight: 6,
    },
    {
      arbitrary: fc.constantFrom<Mutation["op"]>(
        "delete",
        "edge",
        "copy",
        "cycle",
        "kthread",
        "dangling",
      ),
      weight: 3,
    },
    { arbitrary: fc.constant<Mutation["op"]>("huge"), weight: 1 },
  ),
  a: fc.nat(),
  b: fc.nat(),
  edge: fc.constantFrom(...EDGES),
});

function processesOf(j: Obj): Obj[] {
  return Array.isArray(j.processes) ? j.processes.filter((p) => typeof p === "object" && p) : [];
}

function threadsOf(j: Obj): Obj[] {
  return processesOf(j).flatMap((p) =>
    Array.isArray(p.threads) ? p.threads.filter((t) => typeof t === "object" && t) : []
  );
}

function pick<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

/** Applies one mutation in place (the root is a clone). */
function mutate(root: Obj, m: Mutation): void {
  const all = paths(root).filter((p) => p.length > 0);
  const path = pick(all, m.a);
  const parentOf = (p: Key[]) => get(root, p.slice(0, -1)) as Obj & Json[];
  switch (m.op) {
    case "delete": {
      if (!path) return;
      const parent = parentOf(path);
      const key = path[path.length - 1];
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      return;
    }
    case "edge":
    case "huge":
      if (path) {
        parentOf(path)[path[path.length - 1] as string] = m.op === "edge"
          ? structuredClone(m.edge)
          : HUGE[m.b % HUGE.length]();
      }
      return;
    case "dup": {
      // A duplicated array element: two CPUs, mms, processes, threads or fds alike.
      const arrays = all.filter((p) => Array.isArray(get(root, p)));
      const at = pick(arrays, m.a);
      const list = at && get(root, at) as Json[];
      if (list && list.length > 0) list.push(structuredClone(list[m.b % list.length]));
      return;
    }
    case "copy": {
      const from = pick(all, m.b);
      if (path && from) {
        parentOf(path)[path[path.length - 1] as string] = structuredClone(get(root, from));
      }
      return;
    }
    case "bump": {
      if (!path) return;
      const parent = parentOf(path);
      const key = path[path.length - 1] as string;
      if (typeof parent[key] === "number") parent[key] = (parent[key] as number) + (m.b % 3) - 1;
      return;
    }
    case "cycle": {
      // A process that is its own parent, or two that are each other's.
      const ps = processesOf(root);
      const x = pick(ps, m.a);
      const y = pick(ps, m.b);
      if (x && y) {
        x.parent = y.tgid;
        if (x !== y) y.parent = x.tgid;
      }
      return;
    }
    case "state": {
      const t = pick(threadsOf(root), m.a);
      if (t) {
        t.state = STATES[m.b % STATES.length];
        if (m.b % 2 === 0) delete t.until_ms;
      }
      return;
    }
    case "status": {
      const p = pick(processesOf(root), m.a);
      if (p) p.status = STATUSES[m.b % STATUSES.length];
      return;
    }
    case "kthread": {
      const p = pick(processesOf(root), m.a);
      if (p) {
        p.kthread = !(p.kthread === true);
        if (m.b % 2 === 0) {
          for (const k of ["mm", "fds", "caps", "uid", "euid", "share"]) delete p[k];
        }
      }
      return;
    }
    case "vfork": {
      const p = pick(processesOf(root), m.a);
      if (p) {
        if (p.share === "vfork") delete p.share;
        else p.share = "vfork";
      }
      return;
    }
    case "dangling": {
      // A reference to something that does not exist.
      const refs = all.filter((p) =>
        ["parent", "target", "pid", "from", "reader", "victim", "mm"].includes(
          p[p.length - 1] as string,
        )
      );
      const at = pick(refs, m.a);
      if (at) {
        const parent = parentOf(at);
        const key = at[at.length - 1] as string;
        parent[key] = typeof parent[key] === "string" ? `gone_${m.b % 7}` : 3_000_000 + (m.b % 7);
      }
      return;
    }
  }
}

/** Text-level damage after serialising: what a broken editor or a bad paste does. */
interface TextDamage {
  op: "none" | "duplicate_key" | "truncate" | "bom" | "utf16" | "garbage" | "nest";
  at: number;
}

const arbTextDamage: fc.Arbitrary<TextDamage> = fc.record({
  op: fc.oneof(
    { arbitrary: fc.constant<TextDamage["op"]>("none"), weight: 12 },
    fc.constantFrom<TextDamage["op"]>(
      "duplicate_key",
      "truncate",
      "bom",
      "utf16",
      "garbage",
      "nest",
    ),
  ),
  at: fc.nat(),
});

function damage(text: string, d: TextDamage): Uint8Array {
  switch (d.op) {
    case "none":
      return utf8(text);
    case "duplicate_key": {
      const keys = [...text.matchAll(/"([a-z_]+)": /g)];
      const m = pick(keys, d.at);
      if (!m) return utf8(text);
      return utf8(text.slice(0, m.index) + `"${m[1]}": 1, ` + text.slice(m.index));
    }
    case "truncate":
      return utf8(text.slice(0, d.at % (text.length + 1)));
    case "bom":
      return utf8("\uFEFF" + text);
    case "utf16": {
      const out = new Uint8Array(2 + text.length * 2);
      out.set([0xff, 0xfe]);
      for (let i = 0; i < text.length; i++) out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    case "garbage": {
      const bytes = utf8(text);
      const i = d.at % (bytes.length + 1);
      const out = new Uint8Array(bytes.length + 3);
      out.set(bytes.subarray(0, i));
      out.set([0xc3, 0x28, 0xff], i);
      out.set(bytes.subarray(i), i + 3);
      return out;
    }
    case "nest":
      return utf8("[".repeat(70 + (d.at % 50)) + text + "]".repeat(70 + (d.at % 50)));
  }
}

/** Keeps runs short: a horizon past the default is cut back to it. */
function capHorizon(j: Json): void {
  if (typeof j !== "object" || j === null || Array.isArray(j)) return;
  const o = j as Obj;
  if (typeof o.horizon_ms === "number" && o.horizon_ms > HORIZON_MS_MAX) {
    o.horizon_ms = HORIZON_MS_MAX;
  }
}

// ---------------------------------------------------------------------------
// The properties

Deno.test("fuzz: arbitrary JSON values are rejected at a JSON path", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom(...designSpecs),
      async (v, design) => {
        await check("json", utf8(JSON.stringify(v) ?? "null"), design);
      },
    ),
    budget(150, 1101),
  );
});

Deno.test("fuzz: arbitrary bytes and text are rejected in one line or at $", async () => {
  const texts = [
    "",
    " ",
    "\uFEFF",
    "\uFEFF{}",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-0",
    "undefined",
    "null",
    "{'a': 1}",
    '{"a":1,"a":2,"a":3}',
    '{"schema": "mrelease-lab/scenario@1",}',
    "[".repeat(10000),
    "{".repeat(10000),
    '"' + "\\u0000".repeat(100),
    "\u0000\u0001\u0002",
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 256 }),
        fc.string({ maxLength: 64, unit: "binary" }).map(utf8),
        fc.constantFrom(...texts).map(utf8),
      ),
      fc.constantFrom(...designSpecs),
      async (bytes, design) => await check("bytes", bytes, design),
    ),
    budget(150, 1102),
  );
});

Deno.test("fuzz: mutated shipped scenarios run to an outcome or are rejected at a JSON path", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: bases.length - 1 }),
      fc.array(arbMutation, { minLength: 1, maxLength: 3 }),
      arbTextDamage,
      fc.constantFrom(...designSpecs),
      fc.option(fc.constantFrom(...KERNEL_VERSIONS)),
      async (which, mutations, text_damage, design, kernel) => {
        const json = structuredClone(bases[which].json);
        for (const m of mutations) mutate(json, m);
        capHorizon(json);
        const kind = text_damage.op === "none" ? "mutated" : `mutated+${text_damage.op}`;
        const bytes = damage(JSON.stringify(json, null, 1), text_damage);
        await check(kind, bytes, design, kernel ?? undefined);
      },
    ),
    budget(2500, 1103),
  );
});

Deno.test("fuzz: every shipped scenario with one state combination changed", async () => {
  // Each thread of each shipped scenario in each state, each process in each status:
  // the validator must accept only what the core can run.
  const cases: { file: number; mutation: Mutation }[] = [];
  bases.forEach((_, file) => {
    for (let b = 0; b < STATES.length; b++) {
      cases.push({ file, mutation: { op: "state", a: file * 7 + b, b, edge: null } });
    }
    for (let b = 0; b < STATUSES.length; b++) {
      cases.push({ file, mutation: { op: "status", a: file * 3 + b, b, edge: null } });
    }
  });
  for (const [i, c] of cases.entries()) {
    const json = structuredClone(bases[c.file].json);
    mutate(json, c.mutation);
    capHorizon(json);
    const kernel = KERNEL_VERSIONS[i % KERNEL_VERSIONS.length];
    await check(
      "state",
      utf8(JSON.stringify(json, null, 1)),
      designSpecs[i % designSpecs.length],
      kernel,
    );
  }
});

Deno.test("fuzz: the figures", async () => {
  await Deno.remove(dir, { recursive: true });
  const mib = (n: number) => (n / 2 ** 20).toFixed(0);
  console.log(
    `scenario fuzz: ${stats.tried} inputs, ${stats.ran} ran to an outcome, ${stats.rejected} rejected; ` +
      `slowest input ${stats.max_ms.toFixed(0)} ms (${stats.max_ms_input}), max RSS ${
        mib(stats.max_rss_bytes)
      } MiB`,
  );
  for (const [kind, k] of Object.entries(stats.by_kind).sort()) {
    console.log(`  ${kind}: ${k.tried} tried, ${k.ran} ran`);
  }
  assert.ok(stats.tried > 0);
  assert.ok(stats.ran > 0, "some mutated scenarios must still run");
  assert.ok(stats.rejected > 0);
});
