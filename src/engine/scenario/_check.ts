/**
 * The validator's small readers. Each one checks one value at one path,
 * records a problem and returns `undefined` when the value is wrong, so the
 * caller can go on and collect every problem in one pass. A reader never
 * throws on any input. An `undefined` value is a missing key: required keys
 * are reported missing once by `readObject`, so the readers stay silent on it.
 * @module
 */

import type { ScenarioProblem } from "./error.ts";
import { indexPath, keyPath } from "./_path.ts";

/**
 * The most problems one validation keeps (the message shows the first 50 of them). A
 * file of a million bad entries still gives one error of bounded size: the rest are
 * counted, not kept.
 */
export const PROBLEMS_KEPT_MAX = 10000;

/** Collects problems. */
export class Problems {
  /** The first {@linkcode PROBLEMS_KEPT_MAX} problems. */
  readonly list: ScenarioProblem[] = [];
  /** Every problem recorded, kept or not: compare it before and after a check. */
  count = 0;

  /** Records `message` at `path`. */
  add(path: string, message: string): void {
    this.count++;
    if (this.list.length < PROBLEMS_KEPT_MAX) this.list.push({ path, message });
  }

  /** How many problems were counted but not kept. */
  get omitted(): number {
    return this.count - this.list.length;
  }
}

/** A plain-JSON object as the validator sees it. */
export type JsonObject = Record<string, unknown>;

/** The longest string quoted back in a message. */
const SHOW_CHARS_MAX = 40;

/** How a value is named after "got" in a message. */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") {
    const s = JSON.stringify(v);
    return s.length <= SHOW_CHARS_MAX ? s : `${s.slice(0, SHOW_CHARS_MAX - 4)}..."`;
  }
  if (typeof v === "number") return Object.is(v, -0) ? "0" : String(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    return v.length === 1 ? "an array of 1 item" : `an array of ${v.length} items`;
  }
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** Own property or undefined (never an inherited one such as "toString"). */
export function field(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

/**
 * Whether the object has the key as its own property with a value (JSON has no undefined; a
 * JavaScript caller's `{ key: undefined }` counts as a missing key).
 */
export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key) && o[key] !== undefined;
}

/** The longest word the edit-distance hint looks at (bounds its cost). */
const HINT_WORD_MAX = 64;

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The closest candidate to `word` if it is close enough to be a typo: equal
 * ignoring case and `-`/`_`, or within an edit distance of about a third of
 * its length (at most 3).
 */
export function closest(
  word: string,
  candidates: readonly string[],
): string | undefined {
  if (word.length === 0 || word.length > HINT_WORD_MAX) return undefined;
  const fold = (s: string) => s.toLowerCase().replaceAll("-", "_");
  // A truncated key ("horizon" for "horizon_ms") is a typo too.
  const prefixed = word.length >= 4
    ? candidates.find((c) => c.startsWith(word) || word.startsWith(c))
    : undefined;
  if (prefixed !== undefined) return prefixed;
  let best: string | undefined;
  let best_distance = Infinity;
  for (const c of candidates) {
    if (fold(c) === fold(word)) return c;
    const d = editDistance(fold(word), fold(c));
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return best_distance <= allowed ? best : undefined;
}

/** `; did you mean "x"?` or the empty string. */
export function hint(word: unknown, candidates: readonly string[]): string {
  if (typeof word !== "string") return "";
  const c = closest(word, candidates);
  return c === undefined ? "" : `; did you mean ${JSON.stringify(c)}?`;
}

/** Which keys an object may have. */
export interface Shape {
  /** Noun for the message: "a CPU", "a thread", ... */
  what: string;
  required: readonly string[];
  optional: readonly string[];
}

/**
 * Checks that `v` is an object with the shape's keys: every required key
 * present, no unknown key (with a "did you mean" when one is close).
 */
export function readObject(
  p: Problems,
  v: unknown,
  path: string,
  shape: Shape,
): JsonObject | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    p.add(path, `expected ${shape.what} (an object), got ${describe(v)}`);
    return undefined;
  }
  const o = v as JsonObject;
  const known = [...shape.required, ...shape.optional];
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const h = hint(key, known);
    p.add(
      keyPath(path, key),
      h === ""
        ? `expected only the keys of ${shape.what} (${known.join(", ")}), got unknown key ${
          JSON.stringify(key)
        }`
        : `unknown key ${JSON.stringify(key)}${h}`,
    );
  }
  for (const key of shape.required) {
    if (!has(o, key)) p.add(keyPath(path, key), `expected ${key} (required), got nothing`);
  }
  return o;
}

/** Range and noun of an integer field. */
export interface IntSpec {
  what: string;
  min: number;
  max: number;
}

/** An integer in `[min, max]`; the message reads "expected <what> min..max, got X". */
export function readInt(
  p: Problems,
  v: unknown,
  path: string,
  spec: IntSpec,
): number | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  if (typeof v === "number" && Number.isInteger(v) && v >= spec.min && v <= spec.max) {
    return v === 0 ? 0 : v; // normalise -0
  }
  p.add(path, `expected ${spec.what} ${spec.min}..${spec.max}, got ${describe(v)}`);
  return undefined;
}

/** A boolean. */
export function readBool(
  p: Problems,
  v: unknown,
  path: string,
): boolean | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  if (typeof v === "boolean") return v;
  p.add(path, `expected true or false, got ${describe(v)}`);
  return undefined;
}

/** A string matching `pattern` (described by `what`). */
export function readString(
  p: Problems,
  v: unknown,
  path: string,
  spec: { what: string; pattern: RegExp },
): string | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  if (typeof v === "string" && spec.pattern.test(v)) return v;
  p.add(path, `expected ${spec.what}, got ${describe(v)}`);
  return undefined;
}

/** One of `values`, with a "did you mean" for near misses. */
export function readEnum<T extends string>(
  p: Problems,
  v: unknown,
  path: string,
  values: readonly T[],
): T | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
  const list = values.map((s) => JSON.stringify(s)).join(" | ");
  p.add(path, `expected one of ${list}, got ${describe(v)}${hint(v, values)}`);
  return undefined;
}

/**
 * A list of distinct names from `values` (`what` names the list, `each` one element in the
 * "expected each ... once" message).
 */
export function readEnumSet<T extends string>(
  p: Problems,
  v: unknown,
  path: string,
  spec: { what: string; each: string; values: readonly T[] },
): T[] | undefined {
  const list = readArray(p, v, path, { what: spec.what, min: 0, max: spec.values.length });
  if (list === undefined) return undefined;
  const out: T[] = [];
  let ok = true;
  list.forEach((x, i) => {
    const value = readEnum(p, x, indexPath(path, i), spec.values);
    if (value === undefined) ok = false;
    else if (out.includes(value)) {
      p.add(indexPath(path, i), `expected each ${spec.each} once, got ${describe(value)} twice`);
      ok = false;
    } else out.push(value);
  });
  return ok ? out : undefined;
}

/** An array with `min..max` elements. */
export function readArray(
  p: Problems,
  v: unknown,
  path: string,
  spec: { what: string; min: number; max: number },
): unknown[] | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  if (!Array.isArray(v)) {
    p.add(path, `expected ${spec.what} (an array), got ${describe(v)}`);
    return undefined;
  }
  if (v.length < spec.min || v.length > spec.max) {
    p.add(
      path,
      `expected ${spec.what} with ${spec.min}..${spec.max} elements, got ${v.length}`,
    );
    return undefined;
  }
  return v;
}
