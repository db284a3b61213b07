/**
 * Large valid-looking scenario input that a quadratic check would hang on: shared by the
 * tests of what such input answers (test/scenario_test.ts) and the benchmark of how long it
 * takes (test/bench/scenario_bench.ts).
 *
 * @module
 */

import { type Json, tiny } from "./_every_record.ts";

/** A world of `n` extra processes, each the parent of the next (a chain n deep). */
export function chainWorld(n: number): Json {
  const json = tiny();
  const processes = json.processes as Json[];
  for (let i = 0; i < n; i++) {
    processes.push({
      tgid: 1000 + i,
      comm: "c",
      parent: i === 0 ? 1 : 1000 + i - 1,
      mm: "init_mm",
      threads: [{ pid: 1000 + i, state: "S" }],
    });
  }
  return json;
}

/** A scenario text whose top-level object repeats `"schema": 1` `n` times. */
export function duplicatedKeys(n: number): string {
  return "{" + Array.from({ length: n }, () => '"schema": 1').join(",\n") + "}";
}
