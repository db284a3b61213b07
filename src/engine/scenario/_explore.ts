/**
 * The scenario's optional `explore` block: a condition over the outcomes of every schedule
 * (herd7's `exists` / `forall` over a litmus test's final states) and the verdicts expected
 * of it per design, kernel and preemption bound (docs/scenario-format.md).
 *
 * @module
 */

import {
  describe,
  field,
  has,
  type Problems,
  readArray,
  readBool,
  readEnum,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { indexPath, keyPath } from "./_path.ts";
import { ERRNO_NAMES } from "./_then.ts";
import { KERNEL_VERSIONS } from "../../core/kernel.ts";
import {
  CONDITION_FREERS,
  EXPLORE_VERDICTS,
  type ExploreCondition,
  type ExploreSpec,
  type OutcomeProp,
  type VerdictExpectation,
} from "./types.ts";

/** The deepest nesting of `all` / `any` / `not` a condition may have. */
const CONDITION_DEPTH_MAX = 8;
/** Terms of one `all` / `any`. */
const CONDITION_TERMS_MAX = 32;
/** Verdict expectations of one scenario. */
const VERDICTS_MAX = 256;
/** The largest preemption bound a verdict may state (explore's cost grows fast with it). */
export const PREEMPTIONS_MAX = 64;

/** Reads `$.explore`; undefined (with problems) when it is not valid. */
export function readExplore(p: Problems, v: unknown): ExploreSpec | undefined {
  const o = readObject(p, v, "$.explore", {
    what: "an exploration block",
    required: ["condition"],
    optional: ["expect", "note"],
  });
  if (o === undefined) return undefined;
  const before = p.count;
  const c = readObject(p, field(o, "condition"), "$.explore.condition", {
    what: 'a condition ({"exists": ..} or {"forall": ..})',
    required: [],
    optional: ["exists", "forall"],
  });
  let condition: ExploreCondition | undefined;
  if (c !== undefined) {
    const q = has(c, "exists") ? "exists" : "forall";
    if (has(c, "exists") === has(c, "forall")) {
      p.add("$.explore.condition", `expected exactly one of "exists" and "forall"`);
    } else {
      const prop = readProp(p, field(c, q), keyPath("$.explore.condition", q), 0);
      if (prop !== undefined) condition = { quantifier: q, prop };
    }
  }
  const expect = has(o, "expect") ? readVerdicts(p, field(o, "expect")) : [];
  const note = has(o, "note")
    ? readString(p, field(o, "note"), "$.explore.note", { what: "a note (text)", pattern: /^/ })
    : undefined;
  if (p.count !== before || condition === undefined || expect === undefined) return undefined;
  return { condition, expect, ...(note === undefined ? {} : { note }) };
}

const PROP_KEYS = [
  "all",
  "any",
  "not",
  "ret",
  "warn",
  "victim_killed",
  "freed_by",
  "remaining_pages",
  "broken",
] as const;

function readProp(p: Problems, v: unknown, path: string, depth: number): OutcomeProp | undefined {
  const o = readObject(p, v, path, {
    what: "an outcome proposition with one key",
    required: [],
    optional: PROP_KEYS,
  });
  if (o === undefined) return undefined;
  const keys = Object.keys(o);
  if (keys.length !== 1) {
    p.add(path, `expected exactly one of ${PROP_KEYS.join(", ")}, got ${keys.length} keys`);
    return undefined;
  }
  const key = keys[0] as typeof PROP_KEYS[number];
  const at = keyPath(path, key);
  const x = field(o, key);
  if ((key === "all" || key === "any" || key === "not") && depth >= CONDITION_DEPTH_MAX) {
    p.add(at, `expected at most ${CONDITION_DEPTH_MAX} levels of all/any/not`);
    return undefined;
  }
  switch (key) {
    case "all":
    case "any": {
      const list = readArray(p, x, at, {
        what: "a list of propositions",
        min: 1,
        max: CONDITION_TERMS_MAX,
      });
      const terms = list?.map((t, i) => readProp(p, t, indexPath(at, i), depth + 1));
      if (!terms || terms.some((t) => t === undefined)) return undefined;
      return key === "all" ? { all: terms as OutcomeProp[] } : { any: terms as OutcomeProp[] };
    }
    case "not": {
      const inner = readProp(p, x, at, depth + 1);
      return inner === undefined ? undefined : { not: inner };
    }
    case "ret": {
      const ret = readEnum(p, x, at, ["0", "killed", "unfinished", ...ERRNO_NAMES]);
      return ret === undefined ? undefined : { ret };
    }
    case "warn": {
      const warn = readString(p, x, at, {
        what: "a WARN's name (docs/traces.md)",
        pattern: /^[a-z_]{1,64}$/,
      });
      return warn === undefined ? undefined : { warn };
    }
    case "victim_killed":
    case "broken": {
      const b = readBool(p, x, at);
      if (b === undefined) return undefined;
      return key === "broken" ? { broken: b } : { victim_killed: b };
    }
    case "freed_by": {
      const by = readEnum(p, x, at, CONDITION_FREERS);
      return by === undefined ? undefined : { freed_by: by };
    }
    case "remaining_pages": {
      const r = readObject(p, x, at, {
        what: 'a range of pages ({"min": .., "max": ..})',
        required: [],
        optional: ["min", "max"],
      });
      if (r === undefined) return undefined;
      const spec = { what: "a page count", min: 0, max: Number.MAX_SAFE_INTEGER };
      const min = has(r, "min") ? readInt(p, field(r, "min"), keyPath(at, "min"), spec) : 0;
      const max = has(r, "max")
        ? readInt(p, field(r, "max"), keyPath(at, "max"), spec)
        : Number.MAX_SAFE_INTEGER;
      if (min === undefined || max === undefined) return undefined;
      if (min > max) {
        p.add(at, `expected min <= max, got ${describe(min)} > ${describe(max)}`);
        return undefined;
      }
      return { remaining_pages: { min, max } };
    }
  }
}

function readVerdicts(p: Problems, v: unknown): VerdictExpectation[] | undefined {
  const list = readArray(p, v, "$.explore.expect", {
    what: "a list of verdicts",
    min: 0,
    max: VERDICTS_MAX,
  });
  if (list === undefined) return undefined;
  const out = list.map((x, i): VerdictExpectation | undefined => {
    const path = indexPath("$.explore.expect", i);
    const o = readObject(p, x, path, {
      what: "a verdict expectation",
      required: ["design", "verdict"],
      optional: ["kernel", "preemptions", "kernel_bugs", "note"],
    });
    if (o === undefined) return undefined;
    const at = (k: string) => keyPath(path, k);
    const before = p.count;
    const design = readString(p, field(o, "design"), at("design"), {
      what: "a design name (1..64 characters)",
      pattern: /^.{1,64}$/s,
    });
    const verdict = readEnum(p, field(o, "verdict"), at("verdict"), EXPLORE_VERDICTS);
    const e: VerdictExpectation = { design: design ?? "", verdict: verdict ?? "never" };
    if (has(o, "kernel")) e.kernel = readEnum(p, field(o, "kernel"), at("kernel"), KERNEL_VERSIONS);
    if (has(o, "preemptions")) {
      e.preemptions = readInt(p, field(o, "preemptions"), at("preemptions"), {
        what: "a preemption bound",
        min: 0,
        max: PREEMPTIONS_MAX,
      });
    }
    if (has(o, "kernel_bugs")) {
      e.kernel_bugs = readInt(p, field(o, "kernel_bugs"), at("kernel_bugs"), {
        what: "kernel bug bits",
        min: 0,
        max: 0xffff,
      });
    }
    if (has(o, "note")) {
      e.note = readString(p, field(o, "note"), at("note"), { what: "a note (text)", pattern: /^/ });
    }
    return p.count === before ? e : undefined;
  });
  return out.some((e) => e === undefined) ? undefined : out as VerdictExpectation[];
}
