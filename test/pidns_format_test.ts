/**
 * pid namespaces in the scenario format (docs/scenario-format.md, "pid namespaces"): each
 * rule of `$.pid_namespaces` with the JSON path of its error, the bound, backward
 * compatibility, and the world program as the core reads it back (access_pidfd_pidns).
 */

import assert from "node:assert/strict";
import { tiny } from "./_every_record.ts";
import { oneProblemWith } from "./_key_problems.ts";
import {
  encodeWorld,
  SCENARIO_LIMITS,
  validateScenario,
  WORLD_OP,
} from "../src/engine/scenario/mod.ts";
import { Kernel } from "../src/core/wasm.ts";
import { runActors } from "../src/engine/run/runner.ts";

/** Asserts exactly one problem with these pid namespaces, at `path`, matching `message`. */
function one(pid_namespaces: unknown, path: string, message: RegExp): void {
  oneProblemWith("pid_namespaces", pid_namespaces, path, message);
}

const L = "$.pid_namespaces";

Deno.test("a parent must be a pid namespace of the file, with a did-you-mean", () => {
  one([{ id: "outer" }, { id: "in", parent: "outr" }], `${L}[1].parent`, /did you mean "outer"/);
  one([{ id: "a", parent: "b" }], `${L}[0].parent`, /expected the id of a pid namespace/);
});

Deno.test("parents form a tree: a cycle is one problem at its first namespace", () => {
  one([{ id: "a", parent: "a" }], `${L}[0].parent`, /got itself/);
  one(
    [{ id: "x" }, { id: "b", parent: "c" }, { id: "c", parent: "b" }],
    `${L}[1].parent`,
    /a cycle through b -> c/,
  );
});

Deno.test("ids are unique and well formed; members are processes, in one namespace once", () => {
  one([{ id: "a" }, { id: "a" }], `${L}[1].id`, /no other pid namespace has.*also \$\.pid_/);
  one([{ id: "9lives" }], `${L}[0].id`, /a pid namespace id/);
  one([{ id: "a", pids: [200] }], `${L}[0].pids`, /unknown key "pids"/);
  one([{ id: "a", procs: [4242] }], `${L}[0].procs[0]`, /the tgid of a process, got 4242/);
  one([{ id: "a", procs: [201] }], `${L}[0].procs[0]`, /201 is a thread of tgid 200/);
  one(
    [{ id: "a", procs: [200] }, { id: "b", procs: [200] }],
    `${L}[1].procs[0]`,
    /one pid namespace at most.*also at \$\.pid_namespaces\[0\]\.procs\[0\]/,
  );
  // A reaped process's struct pid keeps its namespace: it may be listed.
  assert.equal(
    validateScenario({ ...tiny(), pid_namespaces: [{ id: "a", procs: [400] }] })
      .pid_namespaces?.length,
    1,
  );
});

Deno.test("more pid namespaces than MAX_PID_NAMESPACES is one problem at $.pid_namespaces", () => {
  const max = SCENARIO_LIMITS.pid_namespaces;
  // The kernel's MAX_PID_NS_LEVEL (include/linux/pid_namespace.h).
  assert.equal(max, 32);
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}` }));
  one(many(max + 1), L, /MAX_PID_NS_LEVEL\) with 0\.\.32 elements, got 33/);
  assert.equal(
    validateScenario({ ...tiny(), pid_namespaces: many(max) }).pid_namespaces?.length,
    max,
  );
});

Deno.test("a file without pid_namespaces loads as before: no key, no records", () => {
  const s = validateScenario(tiny());
  assert.equal("pid_namespaces" in s, false);
  const words = encodeWorld(s);
  for (let i = 0; i < words.length; i += 2 + words[i + 1]) {
    assert.ok(words[i] !== WORLD_OP.PIDNS && words[i] !== WORLD_OP.PIDNS_PROC, `word ${i}`);
  }
});

Deno.test("the core reads the tree back: who can use a pidfd of whom", () => {
  // "inner" is listed before its parent "outer": the program creates parents first.
  const s = validateScenario({
    ...tiny(),
    pid_namespaces: [
      { id: "inner", parent: "outer", procs: [200] },
      { id: "outer", procs: [100] },
      { id: "side", procs: [300] },
    ],
  });
  const k = new Kernel(1, 0);
  try {
    assert.equal(k.load_world(encodeWorld(s, { kernel: "6.18" })), 0);
    let seen: boolean[] = [];
    const results = runActors(k, [{
      pid: 100,
      atNs: 0,
      // deno-lint-ignore require-yield
      recipe: function* (u) {
        // 100 itself, 200 below it, 300 in a sibling, 1 and 400 (reaped) in init_pid_ns.
        seen = [100, 200, 300, 1, 400].map((t) => u.k.access_pidfd_pidns(t));
        return 0;
      },
    }]);
    assert.equal(results.get(100), 0);
    assert.deepEqual(seen, [true, true, false, false, false]);
  } finally {
    k.free();
  }
});
