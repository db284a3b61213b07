/**
 * A strict JSON (RFC 8259) reader for scenario files. `JSON.parse` would do
 * for the syntax, but it silently keeps the last of two equal keys, and a
 * duplicated `"state"` in a thread is exactly the kind of edit mistake the
 * loader exists to catch; it also reports positions differently across V8
 * versions. This reader reports line and column, and every duplicate key.
 * @module
 */

import { describe, PROBLEMS_KEPT_MAX } from "./_check.ts";
import { ScenarioError, type ScenarioProblem } from "./error.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import { indexPath, keyPath } from "./_path.ts";

/**
 * Nesting bound: a scenario is at most 6 levels deep, so 64 is generous and
 * keeps the recursive descent bounded whatever the input.
 */
const DEPTH_MAX = SCENARIO_LIMITS.json_depth;

/** The parsed value, plus one problem per duplicated key. */
export interface JsonRead {
  value: unknown;
  /** The first {@linkcode PROBLEMS_KEPT_MAX} duplicated keys. */
  duplicates: ScenarioProblem[];
  /** Duplicated keys beyond those. */
  duplicates_omitted: number;
}

class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Line and column (both 1-based) of UTF-16 offsets in one text. The line starts are
 * found once, on the first question, and each answer is a binary search: a file with a
 * million duplicated keys asks a million times.
 */
export class LineIndex {
  #starts: number[] | undefined;

  constructor(readonly text: string) {}

  /** Line and column of `offset`. */
  at(offset: number): { line: number; column: number } {
    if (this.#starts === undefined) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) {
        if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      }
      this.#starts = starts;
    }
    const starts = this.#starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }
}

/** Line and column (both 1-based) of a UTF-16 offset in `text`. */
export function lineColumn(
  text: string,
  offset: number,
): { line: number; column: number } {
  return new LineIndex(text).at(offset);
}

function showChar(text: string, offset: number): string {
  if (offset >= text.length) return "end of input";
  return JSON.stringify(text[offset]);
}

class Reader {
  pos = 0;
  readonly duplicates: ScenarioProblem[] = [];
  duplicates_omitted = 0;
  readonly lines: LineIndex;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  fail(expected: string, at: number = this.pos): never {
    throw new JsonSyntaxError(
      `expected ${expected}, got ${showChar(this.text, at)}`,
      at,
    );
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  value(path: string, depth: number): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object(path, depth + 1);
    if (c === "[") return this.array(path, depth + 1);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail("a JSON value");
  }

  object(path: string, depth: number): Record<string, unknown> {
    if (depth > DEPTH_MAX) this.fail(`at most ${DEPTH_MAX} levels of nesting`);
    this.pos++; // "{"
    const obj: Record<string, unknown> = {};
    const seen = new Map<string, number>();
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("a string key");
      const key_offset = this.pos;
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("':' after a key");
      this.pos++;
      const child = keyPath(path, key);
      const v = this.value(child, depth);
      const first = seen.get(key);
      if (first !== undefined && this.duplicates.length >= PROBLEMS_KEPT_MAX) {
        this.duplicates_omitted++;
      } else if (first !== undefined) {
        const at = this.lines.at(first);
        this.duplicates.push({
          path: child,
          message: `expected each key once, got ${
            describe(key)
          } again (first at line ${at.line}, column ${at.column})`,
        });
      } else {
        seen.set(key, key_offset);
      }
      // defineProperty, not assignment: a "__proto__" key must stay a plain
      // own property instead of replacing the object's prototype.
      Object.defineProperty(obj, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "}") {
        this.pos++;
        return obj;
      }
      this.fail("',' or '}' after a property value");
    }
  }

  array(path: string, depth: number): unknown[] {
    if (depth > DEPTH_MAX) this.fail(`at most ${DEPTH_MAX} levels of nesting`);
    this.pos++; // "["
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(indexPath(path, out.length), depth));
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "]") {
        this.pos++;
        return out;
      }
      this.fail("',' or ']' after an array element");
    }
  }

  string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = "";
    let run_start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail("a closing '\"'");
      const c = t.charCodeAt(this.pos);
      if (c === 34) { // '"'
        out += t.slice(run_start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 32) this.fail("no raw control characters in a string (use \\n etc.)");
      if (c !== 92) { // not a backslash
        this.pos++;
        continue;
      }
      out += t.slice(run_start, this.pos);
      const e = t[this.pos + 1];
      if (e === "u") {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("4 hex digits after \\u", this.pos + 2);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        this.pos += 2;
      } else {
        this.fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', this.pos + 1);
      }
      run_start = this.pos;
    }
  }

  number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return this.fail("a number");
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/**
 * Reads `text` as one JSON value. Throws a {@linkcode ScenarioError} (path
 * `$`, with line and column) on a syntax error; duplicate keys are returned as
 * problems so that the validator can report them with everything else.
 */
export function readJson(text: string, source?: string): JsonRead {
  // An editor's byte-order mark is not part of the document.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const reader = new Reader(body);
  try {
    const value = reader.value("$", 0);
    reader.skipSpace();
    if (reader.pos < body.length) reader.fail("end of input after the JSON value");
    return {
      value,
      duplicates: reader.duplicates,
      duplicates_omitted: reader.duplicates_omitted,
    };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const at = reader.lines.at(e.offset);
    throw new ScenarioError([{
      path: "$",
      message: `invalid JSON at line ${at.line}, column ${at.column}: ${e.message}`,
    }], source);
  }
}
