// Thread pidfds (pidfd_open(tid, PIDFD_THREAD), v6.9) through the designs, as the host
// answers them (docs/host.md's table; kernel/pid.c pidfd_get_task, kernel/signal.c
// kill_pid_info_type), and their refusal on a kernel without them.

import assert from "node:assert/strict";
import { runScenario } from "../src/engine/run/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { loadScenarioFile, ScenarioError } from "../src/engine/scenario/mod.ts";

const mrelease = findDesign("process_mrelease");

Deno.test("a SIGKILL through a non-leader's thread pidfd kills the process; the reap through it is ESRCH", async () => {
  const s = await loadScenarioFile("scenarios/host/host-sigkill-thread-pidfd.json");
  const o = runScenario(s, { design: mrelease }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered], ["ESRCH", true]);
  // A live target: pidfd_get_task's PIDTYPE_TGID lookup of 201 fails before anything else.
  const live = { ...s, intent: { ...s.intent, call: { ...s.intent.call, kill: false } } };
  assert.deepEqual(runScenario(live, { design: mrelease }).outcome.errno, "ESRCH");
});

Deno.test("the leader's thread pidfd is a process pidfd to process_mrelease", async () => {
  const s = await loadScenarioFile("scenarios/host/host-mrelease-leader-thread-pidfd.json");
  const o = runScenario(s, { design: mrelease }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered, o.memory.freed_pages], [0, true, 16384]);
});

Deno.test("a thread pidfd on a kernel before v6.9 is refused at its JSON path", async () => {
  const s = await loadScenarioFile("scenarios/host/host-mrelease-thread-pidfd.json");
  assert.throws(
    () => runScenario(s, { design: mrelease, kernel: "6.0" }),
    (e: unknown) =>
      e instanceof ScenarioError && e.problems[0].path === "$.processes[0].fds[0].thread",
  );
});
