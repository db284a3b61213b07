// The ESRCH-free property (src/lab/props/esrch.ts, docs/properties.md): which designs claim
// it is read off their records; it holds for them, and for every other design a search finds
// a shrunk counterexample. Besides the suite's own run (properties_test.ts), a world built by
// hand shows both sides on the 2026 kernel: the call 100 µs after the decision to kill.

import assert from "node:assert/strict";
import fc from "fast-check";
import { type Design, reaperOf } from "../../src/core/mod.ts";
import { designs } from "../../src/lab/designs/mod.ts";
import {
  arbEsrchCase,
  checkProperty,
  claimsEsrchFree,
  ESRCH_FREE_RULE,
  expectedFailuresOf,
  findProperty,
  isEsrchWorld,
  runTarget,
  type Target,
  targets,
  toCase,
} from "../../src/lab/props/mod.ts";

const p = findProperty("esrch-free");
const claims = (t: { design: Design; variant?: string }) => claimsEsrchFree(t.design, t.variant);
const claimers = targets().filter(claims);
const others = targets().filter((t) => !claims(t));
/** Who frees the memory in the target's variant (the expedite flag's readings differ). */
const reaper = (t: { design: Design; variant?: string }) => reaperOf(t.design, t.variant);

Deno.test("the claim is read off the records: a call that kills after find_lock_task_mm", () => {
  // The claimers are exactly the designs whose call is the kill, reaped by the caller, with
  // the mm found by find_lock_task_mm() (REAP_KILL, §A.5); not vacuous either way. A
  // variant that hands the reap to a kthread does not claim it.
  assert.ok(claimers.length > 0 && others.length > 0);
  for (const d of designs()) {
    assert.equal(
      claimsEsrchFree(d),
      d.killsInCall && d.reaper === "caller" && d.findsMm === "find_lock_task_mm",
      d.name,
    );
  }
  for (const t of targets()) {
    assert.equal(
      claims(t),
      t.design.killsInCall && reaper(t) === "caller" && t.design.findsMm === "find_lock_task_mm",
      t.name,
    );
  }
  for (const t of claimers) assert.deepEqual(expectedFailuresOf("esrch-free", t), [], t.name);
  for (const t of others) {
    const [x] = expectedFailuresOf("esrch-free", t);
    assert.deepEqual(x.rules, [ESRCH_FREE_RULE], t.name);
    assert.ok(x.why.length > 20, t.name);
  }
});

Deno.test("its worlds are built for the target's recipe", () => {
  for (const t of targets()) {
    for (const c of fc.sample(arbEsrchCase(t), { numRuns: 40, seed: 3 })) {
      assert.ok(isEsrchWorld(c));
      const kill = c.scenario.events.filter((e) => e.kind === "kill");
      // Only a recipe that kills, then calls, has a kill before its call, and its own.
      if (t.design.killsInCall) assert.equal(kill.length, 0, t.name);
      for (const k of kill) {
        assert.equal(k.kind === "kill" && k.from, c.scenario.caller.pid);
        assert.ok(k.at_ns < c.scenario.intent.at_ns);
        assert.equal(c.scenario.intent.call.kill, false);
      }
    }
  }
});

/**
 * A hand-built world: a running 64 MiB app on big cores (with a zombie leader, or a
 * single thread), the call `delayUs` after the decision. In `esrch-64mib-big-100us` of the
 * review the victim has passed exit_mm about 20 µs after its kill.
 */
function world(t: Target, opts: { delayUs: number; zombieLeader: boolean }) {
  const [c] = fc.sample(arbEsrchCase(t, { kernels: ["6.18"] }), { numRuns: 1, seed: 1 });
  const json = structuredClone(c.json) as Record<string, unknown> & {
    processes: { tgid: number; threads: Record<string, unknown>[] }[];
    mms: { id: string; vmas: unknown[] }[];
    events: Record<string, unknown>[];
    intent: Record<string, unknown>;
  };
  // Four big cores (the sampled threads' CPU indexes stay valid); no holder.
  json.cpus = Array.from({ length: 4 }, () => ({ preset: "sd845-big-max" }));
  const victim = json.processes.find((p) => p.tgid === 1000)!;
  const all = [0, 1, 2, 3];
  victim.threads = opts.zombieLeader
    ? [
      { pid: 1000, cpu: 0, affinity: all, state: "zombie" },
      { pid: 1001, cpu: 1, affinity: all, state: "R" },
    ]
    : [{ pid: 1000, cpu: 0, affinity: all, state: "R" }];
  json.mms[2].vmas = [{ kind: "anon", size: "64MiB", resident: "100%" }];
  const split = !t.design.killsInCall && opts.delayUs > 0;
  json.events = split ? [{ at_ms: 1, kind: "kill", target: 1000, from: 501 }] : [];
  json.intent = {
    victim: 1000,
    at_ms: 1 + opts.delayUs / 1000,
    ...(split ? { call: { fd: 3, kill: false } } : {}),
  };
  return toCase(json, { kernel: "6.18", choices: [] });
}

/** Runs the property on a hand-built world; returns whether `t` left the memory to exit. */
function leaves(t: Target, opts: { delayUs: number; zombieLeader: boolean }): boolean {
  const c = world(t, opts);
  const rules = p.check(c, t).map((v) => v.rule);
  const f = runTarget(c, t).outcome.memory.freed_by;
  // A violation means the reapers freed nothing and the exit path freed the memory.
  if (rules.length) assert.equal(f.caller + f.kthreads, 0, t.name);
  else assert.ok(f.caller + f.kthreads > 0 || f.victim + f.other === 0, t.name);
  return rules.includes(ESRCH_FREE_RULE);
}

Deno.test("the call 100 µs after the decision: kill-then-call recipes leave it to exit", () => {
  // A design whose kernel keeps task->exit_mm (§A.5, Jann Horn's patch) still finds the mm
  // of a victim that has passed exit_mm while its exit_mmap runs: it does not leave it.
  const keepsExitMm = (t: { design: { kernelVariants?: readonly string[] } }) =>
    t.design.kernelVariants?.includes("exit_mm_retention") ?? false;
  for (const t of targets()) {
    // A proposal that wakes the kthread at once (the expedite flag's oom-reaper reading)
    // gets it reaped in this world; the OOM killer's waits OOM_REAPER_DELAY (6.18, §B.4).
    const kthreadAtOnce = reaper(t) === "kthread" && t.design.kind === "proposal";
    const expected = !claims(t) && !keepsExitMm(t) &&
      (!t.design.killsInCall || reaper(t) !== "caller") && !kthreadAtOnce;
    assert.equal(leaves(t, { delayUs: 100, zombieLeader: false }), expected, t.name);
  }
});

Deno.test("a zombie leader: a call that looks at the leader leaves it to the threads' exit", () => {
  // SYNC_REAP_MM's reap_mm() asks task_will_free_mem() of the pidfd's task, the leader: a
  // zombie has no mm, EBUSY (§A.1); REAP_KILL finds a thread with an mm (§A.5).
  for (const t of targets()) {
    if (!t.design.killsInCall || reaper(t) !== "caller") continue;
    assert.equal(leaves(t, { delayUs: 0, zombieLeader: true }), !claims(t), t.name);
  }
});

Deno.test("claimers hold; every other target fails with a shrunk example", async () => {
  for (const t of targets()) {
    const reports = await checkProperty(p, t, { numRuns: 300, seed: 11, writeExpected: false });
    const check = reports.find((r) => r.kind === "check")!;
    assert.ok(check.ok, `${t.name} broke esrch-free`);
    const expected = reports.filter((r) => r.kind === "expected");
    if (claims(t)) {
      assert.equal(expected.length, 0, t.name);
      continue;
    }
    assert.equal(expected.length, 1, t.name);
    const [x] = expected;
    assert.ok(x.ok && x.failure, `${t.name}: no counterexample in ${x.numRuns} runs`);
    assert.deepEqual(x.failure.violations.map((v) => v.rule), [ESRCH_FREE_RULE]);
    // The example is the shrunk one, and it replays.
    assert.ok(x.failure.shrinks > 0, `${t.name}: not shrunk`);
    assert.deepEqual(p.check(x.failure.case, t).map((v) => v.rule), [ESRCH_FREE_RULE]);
  }
});
