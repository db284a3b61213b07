// Every run is bounded (issue 11, "Resource bounds, stated and enforced"): a run that
// reaches its event, step or wall-time limit ends with a RunLimitReached naming the limit,
// its value and the flag that raises it, never with a trap or unbounded memory; a run
// within its limits is the same run whatever the limits and however the core is sliced.

import assert from "node:assert/strict";
import { Kernel } from "../src/core/wasm.ts";
import type { KGen, Primitives } from "../src/core/mod.ts";
import { ERRNO } from "../src/core/errno.ts";
import {
  DEFAULT_RUN_LIMITS,
  MAX_RUN_LIMITS,
  runActors,
  RunLimitReached,
  runLimits,
  runScenario,
} from "../src/engine/run/mod.ts";
import { encodeWorld, loadScenarioFile, validateScenario } from "../src/engine/scenario/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { busyMachine } from "./_busy_world.ts";

const sigkill = findDesign("sigkill");
const ROOT = new URL("../", import.meta.url).pathname;

function limitOf(f: () => unknown): RunLimitReached {
  try {
    f();
  } catch (e) {
    if (e instanceof RunLimitReached) return e;
    throw e;
  }
  assert.fail("the run ended without reaching a limit");
}

Deno.test("a busy machine to a far horizon ends at the event limit, not with a trap", () => {
  // Before the limits: RuntimeError: unreachable after ~10 s, the log past 2 GiB.
  const started = performance.now();
  const e = limitOf(() => runScenario(validateScenario(busyMachine()), { design: sigkill }));
  const ms = Math.round(performance.now() - started);
  assert.equal(e.limit, "events");
  assert.equal(e.value, DEFAULT_RUN_LIMITS.maxEvents);
  assert.equal(e.flag, "--max-events");
  assert.match(e.message, /more than 4,194,304 events \(a 256 MiB event log\)/);
  assert.match(
    e.message,
    /scenario busy-machine-far-horizon \(design sigkill, kernel 6\.18, seed 1\)/,
  );
  assert.match(e.message, /Raise the limit with --max-events N/);
  // The wall-time limit bounds it in any case; the events end it long before (~5 s here).
  assert.ok(ms < DEFAULT_RUN_LIMITS.maxWallMs, `${ms} ms`);
});

Deno.test("the step and wall-time limits end a run with their own names and flags", () => {
  const s = validateScenario(busyMachine());
  const steps = limitOf(() => runScenario(s, { design: sigkill, limits: { maxSteps: 5000 } }));
  assert.equal(steps.limit, "steps");
  assert.match(steps.message, /more than 5,000 simulated steps .* --max-steps N/);
  const wall = limitOf(() =>
    runScenario(s, {
      design: sigkill,
      limits: { maxWallMs: 50, maxEvents: MAX_RUN_LIMITS.maxEvents },
    })
  );
  assert.equal(wall.limit, "wall_ms");
  assert.match(wall.message, /more than 50 ms of wall-clock time .* --max-wall-ms N/);
});

Deno.test("a limit is reached only past it: a run of exactly the limit finishes unchanged", async () => {
  const s = await loadScenarioFile(`${ROOT}scenarios/dstate-little-core.json`);
  const free = runScenario(s, { design: sigkill });
  const events = free.outcome.event_count;
  const steps = free.stats.steps;
  assert.ok(events > 10 && steps > 10);
  const exact = runScenario(s, { design: sigkill, limits: { maxEvents: events, maxSteps: steps } });
  assert.deepEqual(exact.outcome, free.outcome);
  assert.equal(
    limitOf(() => runScenario(s, { design: sigkill, limits: { maxEvents: events - 1 } })).limit,
    "events",
  );
  assert.equal(
    limitOf(() => runScenario(s, { design: sigkill, limits: { maxSteps: steps - 1 } })).limit,
    "steps",
  );
});

Deno.test("slicing the core's work for the wall clock changes nothing of the run", async () => {
  for (const file of ["scheduler-choices", "second-caller", "kill-inside-the-call"]) {
    const s = await loadScenarioFile(`${ROOT}scenarios/diff/${file}.json`);
    for (const name of ["sigkill", "oom_reaper", "process_mrelease"]) {
      const design = findDesign(name);
      const whole = runScenario(s, { design, sliceSteps: Number.MAX_SAFE_INTEGER }).outcome;
      const sliced = runScenario(s, { design, sliceSteps: 1 }).outcome;
      assert.deepEqual(sliced, whole, `${file} under ${name}`);
    }
  }
});

Deno.test("limits are whole numbers from 1 to their maxima, at both layers", () => {
  assert.deepEqual(runLimits(), DEFAULT_RUN_LIMITS);
  assert.equal(runLimits({ maxSteps: 7 }).maxSteps, 7);
  for (const bad of [0, -1, 1.5, NaN, MAX_RUN_LIMITS.maxEvents + 1]) {
    assert.throws(() => runLimits({ maxEvents: bad }), /--max-events takes a whole number/);
  }
  assert.throws(() => runLimits({ maxWallMs: 0 }), /--max-wall-ms/);
  const k = new Kernel(1, 0);
  try {
    const [events, steps] = k.run_limits();
    assert.deepEqual([events, steps], [DEFAULT_RUN_LIMITS.maxEvents, DEFAULT_RUN_LIMITS.maxSteps]);
    for (const [e, s] of [[0, 1], [1, 0], [1.5, 1], [NaN, 1], [1, Infinity], [2 ** 24 + 1, 1]]) {
      assert.equal(k.set_run_limits(e, s), -ERRNO.EINVAL, `${e}, ${s}`);
    }
    assert.deepEqual([...k.run_limits()], [events, steps], "a refused change leaves them");
    assert.equal(k.set_run_limits(10, 20), 0);
    assert.deepEqual([...k.run_limits()], [10, 20]);
    assert.equal(k.run_steps(1e6, 0), -ERRNO.EINVAL);
    assert.equal(k.run_limit(), "");
  } finally {
    k.free();
  }
});

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/lab/cli/main.ts", ...args],
    cwd: ROOT,
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: r.code, stdout: text(r.stdout), stderr: text(r.stderr) };
}

Deno.test("lab run and lab verify report a limit as one line and exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mrelease-limits-" });
  try {
    const file = `${dir}/busy.json`;
    await Deno.writeTextFile(file, JSON.stringify(busyMachine()));
    const run = await lab("run", file, "--design", "sigkill", "--max-events", "100000");
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^error: run limit reached: more than 100,000 events/m);
    assert.match(run.stderr, /--max-events N/);
    assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
    const steps = await lab("compare", "scenarios/dstate-little-core.json", "--max-steps", "10");
    assert.equal(steps.code, 1, steps.stderr);
    assert.match(steps.stderr, /more than 10 simulated steps .*--max-steps N/);
    const verify = await lab("verify", "scenarios/dstate-little-core.json", "--max-events", "10");
    assert.equal(verify.code, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /FAIL/);
    assert.match(verify.stdout, /run limit reached: more than 10 events .*--max-events N/);
    const usage = await lab("run", "scenarios/dstate-little-core.json", "--max-wall-ms", "0");
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /--max-wall-ms takes a whole number from 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A made-up syscall whose body only passes a preemption point. */
const RESCHED = { name: "resched_only", nr: 1000, upstream: false };
function* resched(k: Primitives): KGen<number> {
  yield* k.cond_resched();
  return 0;
}

Deno.test("a recipe that only makes syscalls still meets the wall clock", async () => {
  // Every segment hands the core back to TypeScript long before a slice of steps fills up,
  // so only the runner's look at the clock between hand-offs (every CLOCK_EVERY_HANDOFFS)
  // can end this run: without it the run would go on until the event log's limit.
  const s = await loadScenarioFile(`${ROOT}scenarios/dstate-little-core.json`);
  const k = new Kernel(1, 0);
  try {
    if (k.load_world(encodeWorld(s)) !== 0) throw new Error(k.last_error());
    if (k.set_run_limits(MAX_RUN_LIMITS.maxEvents, MAX_RUN_LIMITS.maxSteps) !== 0) {
      throw new Error("limits refused");
    }
    const e = limitOf(() =>
      runActors(k, [{
        pid: s.caller.pid,
        atNs: 0,
        *recipe(u) {
          // Each call yields at its preemption point: one hand-off per call.
          for (;;) yield* u.syscall(RESCHED, [], resched);
        },
      }], { maxWallMs: 50 })
    );
    assert.equal(e.limit, "wall_ms");
  } finally {
    k.free();
  }
});
