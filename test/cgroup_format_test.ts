/**
 * Cgroups in the scenario format (docs/scenario-format.md, "Cgroups"): each rule of
 * `$.cgroups` with the JSON path of its error, the bound, backward compatibility, and the
 * world program as the core reads it back (membership, cgroup.procs order, cgroup.kill).
 */

import assert from "node:assert/strict";
import { tiny } from "./_every_record.ts";
import { oneProblemWith } from "./_key_problems.ts";
import {
  cgroupHandleOf,
  encodeWorld,
  SCENARIO_LIMITS,
  validateScenario,
  WORLD_OP,
} from "../src/engine/scenario/mod.ts";
import { Kernel } from "../src/core/wasm.ts";
import { runActors } from "../src/engine/run/runner.ts";

/** Asserts exactly one problem with these cgroups, at `path`, matching `message`. */
function one(cgroups: unknown, path: string, message: RegExp): void {
  oneProblemWith("cgroups", cgroups, path, message);
}

Deno.test("a parent must be a cgroup of the file, with a did-you-mean", () => {
  one(
    [{ id: "system" }, { id: "app", parent: "sytem" }],
    "$.cgroups[1].parent",
    /did you mean "system"/,
  );
  one([{ id: "app", parent: "nowhere" }], "$.cgroups[0].parent", /expected the id of a cgroup/);
});

Deno.test("parents form a tree: a cycle is one problem at its first cgroup", () => {
  one([{ id: "a", parent: "a" }], "$.cgroups[0].parent", /got itself/);
  one(
    [{ id: "x" }, { id: "b", parent: "c" }, { id: "c", parent: "b" }],
    "$.cgroups[1].parent",
    /a cycle through b -> c/,
  );
  one(
    [{ id: "p", parent: "r" }, { id: "q", parent: "p" }, { id: "r", parent: "q" }],
    "$.cgroups[0].parent",
    /a cycle through p -> r -> q/,
  );
});

Deno.test("ids are unique and well formed", () => {
  one([{ id: "a" }, { id: "a" }], "$.cgroups[1].id", /no other cgroup has.*also \$\.cgroups\[0\]/);
  one([{ id: "9lives" }], "$.cgroups[0].id", /a cgroup id/);
  one([{ id: "a", pids: [200] }], "$.cgroups[0].pids", /unknown key "pids"/);
});

Deno.test("members are processes, by tgid, not reaped, in one cgroup once", () => {
  one([{ id: "a", procs: [4242] }], "$.cgroups[0].procs[0]", /the tgid of a process, got 4242/);
  one([{ id: "a", procs: [201] }], "$.cgroups[0].procs[0]", /201 is a thread of tgid 200/);
  one([{ id: "a", procs: [400] }], "$.cgroups[0].procs[0]", /cgroup_release\(\)/);
  one([{ id: "a", procs: [200, 200] }], "$.cgroups[0].procs[1]", /one cgroup at most.*200 again/);
  one(
    [{ id: "a", procs: [200] }, { id: "b", procs: [300, 200] }],
    "$.cgroups[1].procs[1]",
    /also at \$\.cgroups\[0\]\.procs\[0\]/,
  );
  one([{ id: "a", procs: [0] }], "$.cgroups[0].procs[0]", /a tgid/);
});

Deno.test("more cgroups than the core's MAX_CGROUPS is one problem at $.cgroups", () => {
  const max = SCENARIO_LIMITS.cgroups;
  assert.equal(max, 4096);
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));
  one(many(max + 1), "$.cgroups", /MAX_CGROUPS\) with 0\.\.4096 elements, got 4097/);
  assert.equal(validateScenario({ ...tiny(), cgroups: many(max) }).cgroups.length, max);
});

Deno.test("a file without cgroups loads as before: everything in the root, no records", () => {
  const json = tiny();
  delete json.cgroups;
  const s = validateScenario(json);
  assert.deepEqual(s.cgroups, []);
  const words = encodeWorld(s);
  for (let i = 0; i < words.length; i += 2 + words[i + 1]) {
    assert.ok(words[i] !== WORLD_OP.CGROUP && words[i] !== WORLD_OP.CGROUP_PROC, `word ${i}`);
  }
});

Deno.test("the core reads the tree back: membership, cgroup.procs order, cgroup.kill", () => {
  const k = new Kernel(1, 0);
  try {
    assert.equal(k.load_world(encodeWorld(validateScenario(tiny()), { kernel: "6.18" })), 0);
    // tiny(): sys (handle 1) and top (2) under the root, apps (3) under top although the
    // file lists it before top.
    const handles = [200, 300, 2, 500, 100].map((t) => k.task_cgroup(t));
    assert.deepEqual(handles, [3, 3, 1, 1, 0]);
    // What a recipe is told (DesignContext.victimCgroup) is what the core holds.
    const s = validateScenario(tiny());
    assert.deepEqual([200, 300, 2, 500, 100].map((t) => cgroupHandleOf(s.cgroups, t)), handles);
    const seen: number[] = [];
    const results = runActors(k, [{
      pid: 100,
      atNs: 0,
      // deno-lint-ignore require-yield
      recipe: function* (u) {
        for (
          let t = u.k.cgroup_proc_next(2, 0, true);
          t > 0;
          t = u.k.cgroup_proc_next(2, t, true)
        ) {
          seen.push(t);
        }
        return u.k.cgroup_kill(3);
      },
    }]);
    assert.equal(results.get(100), 0);
    // top's subtree in pre-order: top has no processes of its own, apps lists 300 then 200.
    assert.deepEqual(seen, [300, 200]);
    assert.deepEqual([200, 300, 500, 2, 1].map((t) => k.signal_group_exit(t)), [1, 1, 0, 0, 0]);
  } finally {
    k.free();
  }
});
