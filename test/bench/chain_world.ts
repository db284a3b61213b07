/**
 * Large valid-looking scenario input that a quadratic check would hang on: shared by the
 * tests of what such input answers (test/scenario_test.ts) and the benchmark of how long it
 * takes (scenario_bench.ts).
 *
 * @module
 */

/** JSON object. */
type Json = Record<string, unknown>;

/**
 * `base` (a scenario's JSON, changed in place and returned) with `n` extra processes from tgid
 * `first` on, each the parent of the next (a chain n deep), the first a child of base's first
 * process, all sharing its mm.
 */
export function chainWorld(base: Json, n: number, first = 1000): Json {
  const processes = base.processes as Json[];
  const root = processes[0];
  for (let i = 0; i < n; i++) {
    processes.push({
      tgid: first + i,
      comm: "c",
      parent: i === 0 ? root.tgid : first + i - 1,
      mm: root.mm,
      threads: [{ pid: first + i, state: "S" }],
    });
  }
  return base;
}

/** A scenario text whose top-level object repeats `"schema": 1` `n` times. */
export function duplicatedKeys(n: number): string {
  return "{" + Array.from({ length: n }, () => '"schema": 1').join(",\n") + "}";
}
