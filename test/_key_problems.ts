/**
 * The problems `validateScenario` reports for `tiny()` with one top-level key replaced, for
 * the tests of one key's rules (cgroups, pid namespaces).
 */

import assert from "node:assert/strict";
import { tiny } from "./_every_record.ts";
import { ScenarioError, validateScenario } from "../src/engine/scenario/mod.ts";

/** The problems of `tiny()` with `key` set to `value`, as `path: message` lines. */
export function problemsWith(key: string, value: unknown): string[] {
  try {
    validateScenario({ ...tiny(), [key]: value });
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  assert.fail("expected a ScenarioError, got a valid scenario");
}

/** Asserts exactly one problem with `key` set to `value`, at `path`, matching `message`. */
export function oneProblemWith(key: string, value: unknown, path: string, message: RegExp): void {
  const got = problemsWith(key, value);
  assert.equal(got.length, 1, got.join("\n"));
  assert.ok(got[0].startsWith(`${path}: `), got[0]);
  assert.match(got[0], message);
}
