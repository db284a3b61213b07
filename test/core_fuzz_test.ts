// The boundary never traps (ARCHITECTURE property 8): fast-check drives random call
// sequences with arbitrary integers through every export of `Kernel`, and random or
// mutated world programs through `load_world`; afterwards the simulator's invariants hold.

import fc from "fast-check";
import assert from "node:assert/strict";
import { Kernel } from "../src/core/wasm.ts";
import { ERRNO, SIM_BUG } from "../src/core/errno.ts";
import { CORE_LAYOUTS, mmInfo, taskInfo } from "../src/core/kernel.ts";
import { encodeWorld, loadScenarioFile, validateScenario } from "../src/engine/scenario/mod.ts";
import { tiny } from "./_every_record.ts";

const scenario = await loadScenarioFile("scenarios/dstate-little-core.json");
const program = encodeWorld(scenario, { kernel: scenario.kernel });
const caller = scenario.caller.pid;
// Mutations start from programs with every record type (holds, fds, events, vfork, zombies).
const everyRecord = validateScenario(tiny());
const bases = [program, encodeWorld(everyRecord, { kernel: everyRecord.kernel })];

/** Every export that takes integers, with its arity. */
const METHODS: readonly [string, number][] = [
  ["run", 1],
  ["run_steps", 2],
  ["set_run_limits", 2],
  ["ext_start", 1],
  ["ext_yield", 1],
  ["ext_end", 1],
  ["take_result", 1],
  ["syscall_enter", 4],
  ["syscall_exit", 3],
  ["pidfd_open", 3],
  ["close", 2],
  ["pidfd_send_signal", 4],
  ["kill", 3],
  ["waitid_pidfd", 3],
  ["pidfd_poll", 2],
  ["oom_kill_process", 2],
  ["pidfd_get_pid", 2],
  ["pidfd_to_pid", 2],
  ["access_pidfd_pidns", 2],
  ["pidfd_nonblock", 2],
  ["get_pid_task", 3],
  ["put_task_struct", 2],
  ["task_lock", 2],
  ["task_unlock", 2],
  ["find_lock_task_mm", 2],
  ["task_mm", 1],
  ["task_tgid", 1],
  ["task_flags", 1],
  ["mm_ref", 3],
  ["task_will_free_mem", 2],
  ["__task_will_free_mem", 2],
  ["process_shares_mm", 2],
  ["next_process_sharing_mm", 3],
  ["is_global_init", 1],
  ["signal_group_exit", 1],
  ["fatal_signal_pending", 1],
  ["mm_flag", 4],
  ["mmap_lock", 4],
  ["mmap_unlock", 3],
  ["oom_reap_task_mm", 2],
  ["zap_range", 4],
  ["kill_pid_info", 3],
  ["capable", 2],
  ["ptrace_may_access", 3],
  ["check_kill_permission", 2],
  ["check_ptrace_permission", 3],
  ["task_info", 1],
  ["cpu_time_ns", 1],
  ["reapable_pages", 1],
  ["set_kernel_bugs", 1],
  ["mm_info", 1],
  ["events", 1],
  ["take_events", 0],
  ["check_invariants", 0],
];

// Integers near the interesting values (handles of this world, 0, -1, limits) and anywhere.
const arg = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 8, 9, -1, caller, 500, 1000, 1001, 2 ** 31 - 1, -(2 ** 31)),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e300),
);
const call = fc.record({
  method: fc.integer({ min: 0, max: METHODS.length - 1 }),
  // The first argument is `cur` for most exports: make it the caller often.
  args: fc.array(arg, { minLength: 4, maxLength: 4 }),
  useCaller: fc.boolean(),
});

Deno.test("random call sequences through every export never trap", () => {
  fc.assert(
    fc.property(fc.array(call, { maxLength: 60 }), fc.nat(), (calls, seed) => {
      const k = new Kernel(seed, 0);
      assert.equal(k.load_world(program), 0, k.last_error());
      // Start where a design's code runs: the caller is the running external task, so
      // calls with cur = caller reach the primitives' bodies, not just the protocol check.
      assert.equal(k.ext_start(caller), 0);
      assert.equal(k.run(scenario.horizon_ns), caller);
      for (const c of calls) {
        const [name, arity] = METHODS[c.method];
        const args = c.args.slice(0, arity);
        if (c.useCaller && arity > 0) args[0] = caller;
        // deno-lint-ignore no-explicit-any
        const r = (k as any)[name](...args);
        if (typeof r === "number") assert.ok(Number.isFinite(r) || Number.isNaN(r));
      }
      assert.notEqual(k.check_invariants(), SIM_BUG, k.last_error());
    }),
    { numRuns: 5000, seed: 20261121 },
  );
});

Deno.test("arbitrary and mutated world programs are refused, never trap", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(fc.integer({ min: -5, max: 20 }), { maxLength: 200 }),
        fc.tuple(
          fc.nat({ max: 1 }),
          // One to three edits: few enough that the rest of the program stays valid and
          // the edited word reaches the check that guards it.
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: -50, max: 50 })), {
            minLength: 1,
            maxLength: 3,
          }),
        ).map(([b, edits]) => {
          const p = Int32Array.from(bases[b]);
          for (const [at, value] of edits) p[at % p.length] = value;
          return Array.from(p);
        }),
      ),
      (words) => {
        const k = new Kernel(1, 0);
        const r = k.load_world(Int32Array.from(words));
        if (r !== 0) {
          assert.ok(r < 0);
          assert.match(k.last_error(), /world program word \d+/);
        } else {
          assert.equal(k.run(1e9), 0);
          assert.equal(k.check_invariants(), 0, k.last_error());
        }
      },
    ),
    { numRuns: 20000, seed: 20261122 },
  );
});

Deno.test("zap_coverage answers arbitrary integers with a coverage code or -EINVAL", () => {
  const coverages = [...CORE_LAYOUTS.zap_coverages.keys(), -ERRNO.EINVAL];
  fc.assert(
    fc.property(arg, arg, arg, arg, arg, (version, kind, flags, notifier, mode) => {
      const r = Kernel.zap_coverage(version, kind, flags, notifier, mode);
      assert.ok(coverages.includes(r), `${r}`);
    }),
    { numRuns: 5000, seed: 20261123 },
  );
});

Deno.test("snapshots decode by the core's layout", () => {
  const k = new Kernel(1, 0);
  assert.equal(k.load_world(program), 0, k.last_error());
  const task = taskInfo(k, caller);
  assert.ok(task !== undefined);
  assert.equal(Object.keys(task).length, k.task_info(caller).length);
  assert.equal(task.tgid, k.task_tgid(caller));
  const mm = mmInfo(k, task.mm);
  assert.ok(mm !== undefined);
  assert.equal(Object.keys(mm).length, k.mm_info(task.mm).length);
  assert.equal(
    mm.reclaimable_pages,
    k.mm_info(task.mm)[CORE_LAYOUTS.mm_info.indexOf("reclaimable_pages")],
  );
  assert.equal(taskInfo(k, 0), undefined);
  assert.equal(mmInfo(k, 0), undefined);
});
