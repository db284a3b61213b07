/**
 * Failing cases as files a person can run. A counterexample is written as a plain scenario
 * file (so `deno task lab run` takes it too) and comes with one command that replays it
 * exactly:
 *
 *     deno task replay <file> --design NAME --kernel V --choices 1,0,3 --property P
 *
 * `replay` also reads a *case file*, a small wrapper that carries the run's identity with
 * the scenario (the scenario format rejects unknown keys, so they cannot go inside it):
 *
 * ```json
 * {
 *   "schema": "mrelease-lab/props-case@1",
 *   "property": "safety",
 *   "design": "design@variant",
 *   "kernel": "5.15",
 *   "choices": [1, 0, 3],
 *   "kernel_bugs": 0,
 *   "expect_violations": ["pgtables_freed_under_walker"],
 *   "note": "why this case is kept",
 *   "scenario": { "schema": "mrelease-lab/scenario@1", "...": "..." }
 * }
 * ```
 *
 * Only `schema` and `scenario` are required; command-line flags override the file. Case
 * files under `test/props/failures/` are replayed first by the property tests: with
 * `expect_violations` they must still break those rules (a kept expected failure), without
 * it they must break nothing (a fixed regression).
 *
 * @module
 */

import {
  KERNEL_VERSIONS,
  type KernelVersion,
  validateScenario,
} from "../../engine/scenario/mod.ts";
import type { Case } from "./gen.ts";
import { PROPERTY_NAMES, type PropertyName, type Violation } from "./properties.ts";

/** The `schema` of a case file. */
export const CASE_FILE_SCHEMA = "mrelease-lab/props-case@1";

/** What a case file (or a plain scenario file) says about a run. */
export interface CaseFile {
  /** The scenario JSON. */
  scenario: Record<string, unknown>;
  /** The property the case is about. */
  property?: PropertyName;
  /** `design` or `design@variant`. */
  design?: string;
  /** The kernel version. */
  kernel?: KernelVersion;
  /** The choice list (absent: the scenario's seeded PRNG). */
  choices?: number[];
  /** Historical kernel bugs to switch on. */
  kernel_bugs?: number;
  /** The rules this case must break (a kept expected failure). */
  expect_violations?: string[];
  /** Why the case is kept. */
  note?: string;
}

const WRAPPER_KEYS = new Set([
  "schema",
  "scenario",
  "property",
  "design",
  "kernel",
  "choices",
  "kernel_bugs",
  "expect_violations",
  "note",
]);

/**
 * Reads a case file or a plain scenario file. The scenario is validated; a bad wrapper key
 * or value is an error naming it.
 *
 * @example
 * ```ts
 * import { readCaseFile } from "./case_file.ts";
 * const f = await readCaseFile("scenarios/vfork-shared-mm.json");
 * console.log(f.design); // undefined: a plain scenario says nothing about the run
 * ```
 */
export async function readCaseFile(path: string): Promise<CaseFile> {
  const json = JSON.parse(await Deno.readTextFile(path));
  return parseCaseFile(json, path);
}

/** {@linkcode readCaseFile} on already-parsed JSON. */
export function parseCaseFile(json: unknown, source = "case"): CaseFile {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`${source}: expected a JSON object`);
  }
  const o = json as Record<string, unknown>;
  if (o.schema !== CASE_FILE_SCHEMA) {
    validateScenario(o);
    return { scenario: o };
  }
  const bad = (key: string, what: string) =>
    new Error(`${source}: "${key}" must be ${what}, got ${JSON.stringify(o[key])}`);
  for (const k of Object.keys(o)) {
    if (!WRAPPER_KEYS.has(k)) throw new Error(`${source}: unknown key "${k}" in a case file`);
  }
  if (typeof o.scenario !== "object" || o.scenario === null) throw bad("scenario", "an object");
  validateScenario(o.scenario);
  const f: CaseFile = { scenario: o.scenario as Record<string, unknown> };
  if (o.property !== undefined) {
    if (!(PROPERTY_NAMES as readonly unknown[]).includes(o.property)) {
      throw bad("property", `one of ${PROPERTY_NAMES.join(", ")}`);
    }
    f.property = o.property as PropertyName;
  }
  if (o.design !== undefined) {
    if (typeof o.design !== "string") throw bad("design", "a string");
    f.design = o.design;
  }
  if (o.kernel !== undefined) {
    if (!(KERNEL_VERSIONS as readonly unknown[]).includes(o.kernel)) {
      throw bad("kernel", `one of ${KERNEL_VERSIONS.join(", ")}`);
    }
    f.kernel = o.kernel as KernelVersion;
  }
  if (o.choices !== undefined) {
    if (!Array.isArray(o.choices) || !o.choices.every(isU32)) {
      throw bad("choices", "an array of integers 0..4294967295");
    }
    f.choices = o.choices as number[];
  }
  if (o.kernel_bugs !== undefined) {
    if (!isU32(o.kernel_bugs)) throw bad("kernel_bugs", "an integer bit mask");
    f.kernel_bugs = o.kernel_bugs as number;
  }
  if (o.expect_violations !== undefined) {
    if (!Array.isArray(o.expect_violations) || !o.expect_violations.every(isString)) {
      throw bad("expect_violations", "an array of rule names");
    }
    f.expect_violations = o.expect_violations as string[];
  }
  if (o.note !== undefined) {
    if (typeof o.note !== "string") throw bad("note", "a string");
    f.note = o.note;
  }
  return f;
}

function isU32(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;
}

function isString(v: unknown): boolean {
  return typeof v === "string";
}

/** A case file's JSON for a case (the wrapper format). */
export function caseFileJson(
  c: Case,
  run: {
    property?: PropertyName;
    design?: string;
    kernelBugs?: number;
    expectViolations?: readonly string[];
    note?: string;
  } = {},
): Record<string, unknown> {
  return {
    schema: CASE_FILE_SCHEMA,
    ...(run.property ? { property: run.property } : {}),
    ...(run.design ? { design: run.design } : {}),
    kernel: c.kernel,
    choices: [...c.choices],
    ...(run.kernelBugs ? { kernel_bugs: run.kernelBugs } : {}),
    ...(run.expectViolations?.length ? { expect_violations: [...run.expectViolations] } : {}),
    ...(run.note ? { note: run.note } : {}),
    scenario: c.json,
  };
}

/** What a failure was, for its file and its replay command. */
export interface FailureIdentity {
  /** The property broken. */
  property: PropertyName;
  /** `design` or `design@variant`. */
  target: string;
  /** What it broke. */
  violations: readonly Violation[];
  /** fast-check's seed and counterexample path. */
  seed: number;
  /** fast-check's counterexample path. */
  path: string;
  /** Historical kernel bugs that were on. */
  kernelBugs?: number;
}

/** A file name piece: lowercase letters, digits and dashes. */
function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

/**
 * Writes a failing case as a plain scenario file in `dir` (its `name` and `description`
 * say what failed) and returns the file's path and the one command that replays it.
 *
 * @example
 * ```ts
 * import { writeFailure } from "./case_file.ts";
 * // const { file, replay } = await writeFailure("/tmp/failures", c, failure);
 * ```
 */
export async function writeFailure(
  dir: string,
  c: Case,
  f: FailureIdentity,
): Promise<{ file: string; replay: string }> {
  await Deno.mkdir(dir, { recursive: true });
  // Scenario names are at most 64 characters: the target is shortened, the rest is kept.
  const tail = slug(`${c.kernel}-${f.seed.toString(16)}`);
  const head = `props-${f.property}-`;
  const name = head + slug(f.target).slice(0, 64 - head.length - tail.length - 1) + "-" + tail;
  const first = f.violations[0];
  const scenario = {
    ...c.json,
    name,
    kernel: c.kernel,
    description: `A shrunk counterexample of the ${f.property} property for ${f.target} on ` +
      `kernel ${c.kernel}` + (first ? `: ${first.rule}: ${first.message}` : "") +
      ` (fast-check seed ${f.seed}, path "${f.path}"; choices [${c.choices.join(",")}]` +
      (f.kernelBugs ? `; kernel bugs ${f.kernelBugs}` : "") +
      "). Replay with the command in docs/properties.md.",
  };
  validateScenario(scenario);
  const file = `${dir.replace(/\/$/, "")}/${slug(`${f.property}-${f.target}`)}-${tail}.json`;
  await Deno.writeTextFile(file, JSON.stringify(scenario, null, 2) + "\n");
  return { file, replay: replayCommand(file, { ...f, kernel: c.kernel, choices: c.choices }) };
}

/**
 * The command that replays a case exactly. An empty choice list is written `0`: the list
 * falls back to 0 once exhausted, so `[]` and `[0]` are the same interleaving (and both
 * differ from no list at all, which is the seeded PRNG).
 *
 * @example
 * ```ts
 * import { replayCommand } from "./case_file.ts";
 * replayCommand("f.json", { target: "design@variant", kernel: "5.15", choices: [1, 0, 3] });
 * // "deno task replay f.json --design design@variant --kernel 5.15 --choices 1,0,3"
 * ```
 */
export function replayCommand(
  file: string,
  r: {
    target: string;
    kernel: KernelVersion;
    choices: readonly number[];
    property?: PropertyName;
    kernelBugs?: number;
  },
): string {
  const choices = r.choices.length ? r.choices.join(",") : "0";
  return `deno task replay ${file} --design ${r.target} --kernel ${r.kernel} --choices ${choices}` +
    (r.property ? ` --property ${r.property}` : "") +
    (r.kernelBugs ? ` --kernel-bugs ${r.kernelBugs}` : "");
}
