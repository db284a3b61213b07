// The kernel facts the lab once modelled differently from the source, each checked through a
// run's outcome (the scenario files in scenarios/fidelity/ check them a second way).

import assert from "node:assert/strict";
import { COST_MODEL } from "../src/core/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { smallScenario } from "./_world.ts";

const mrelease = findDesign("process_mrelease");

/** `n` idle kernel threads, tgids from 2000: processes for for_each_process to visit. */
function kworkers(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    tgid: 2000 + i,
    comm: "kworker",
    kthread: true,
    threads: [{ pid: 2000 + i, state: "S" }],
  }));
}

Deno.test("337546e83fc7: process_mrelease pins mm_users before task_will_free_mem, so a single-threaded victim costs the walk", () => {
  // 337546e83fc7: `if (mmget_not_zero(p->mm)) { mm = p->mm; if (task_will_free_mem(p)) ...`
  // under task_lock: mm_users is 2, task_will_free_mem() walks every process. mmgrab() (v9,
  // v5.17+) leaves it at 1 and takes the `mm_users <= 1` short cut.
  const extra = 300;
  const world = smallScenario({
    victimThreads: [{ pid: 1000, state: "D" }],
    extra: kworkers(extra),
  });
  const caller = (variant: string, kernel: "5.15" | "5.16" | "5.17") => {
    const o = runScenario(world, { design: mrelease, variant, kernel }).outcome;
    assert.equal(o.calls.at(-1)?.errno, "0", `${variant} on ${kernel}`);
    return o.cpu_ns.caller;
  };
  // init, the killer, the victim and the kworkers, on a full-speed big core.
  const walk_ns = (3 + extra) * COST_MODEL.TWFM_NS_PER_PROCESS;
  for (const [pinned, kernel] of [["v5.15", "5.15"], ["v5.16", "5.16"]] as const) {
    const extra_ns = caller(pinned, kernel) - caller("v9", "5.15");
    assert.ok(
      Math.abs(extra_ns - walk_ns) < walk_ns / 10,
      `${pinned} paid ${extra_ns} ns more than v9; the walk of ${
        3 + extra
      } processes is ${walk_ns} ns`,
    );
  }
  const v517 = caller("v5.17", "5.17") - caller("v9", "5.15");
  assert.ok(Math.abs(v517) < walk_ns / 10, `v5.17 paid ${v517} ns more than v9: no walk expected`);
});
