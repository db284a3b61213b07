// The kernel-primitives API (src/core/primitives.ts) against the reference's rules, through
// recipes run by the real runner: each test names the rule it checks.

import assert from "node:assert/strict";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import {
  MMF_OOM_SKIP,
  MMF_UNSTABLE,
  PIDTYPE_PID,
  PIDTYPE_TGID,
  SIGKILL,
} from "../src/core/kernel.ts";
import type { Kernel } from "../src/core/_wasm.ts";
import { runActors } from "../src/engine/run/runner.ts";
import { loadWorld, smallScenario, type WorldOptions } from "./_world.ts";

const VICTIM = 1000;
const CALLER = 501;

/** Runs `body` as the caller's kernel code at 1 ms; returns its result and the kernel. */
function inKernel<T>(o: WorldOptions, body: (k: Primitives) => KGen<T>): { r: T; kernel: Kernel } {
  const kernel = loadWorld(smallScenario(o));
  let r!: T;
  runActors(kernel, [{
    pid: CALLER,
    atNs: 1e6,
    recipe: function* (u) {
      r = yield* body(u.k);
      return 0;
    },
  }]);
  return { r, kernel };
}

Deno.test("§A.0: pidfd_get_pid takes pidfds only; pidfd_to_pid also a /proc/<pid> dir", () => {
  const { r } = inKernel({}, function* (k) {
    yield* k.cond_resched();
    return [
      k.pidfd_get_pid(3),
      k.pidfd_get_pid(4),
      k.pidfd_get_pid(5),
      k.pidfd_to_pid(4),
      k.pidfd_to_pid(5),
    ];
  });
  assert.deepEqual(r, [VICTIM, -ERRNO.EBADF, -ERRNO.EBADF, VICTIM, -ERRNO.EBADF]);
});

Deno.test("§A.0: get_pid_task(PIDTYPE_TGID) finds leaders only; PIDTYPE_PID any thread", () => {
  const threads = [{ pid: 1000, state: "S" }, { pid: 1001, state: "S" }];
  const { r } = inKernel({ victimThreads: threads }, function* (k) {
    yield* k.cond_resched();
    const out = [k.get_pid_task(1001, PIDTYPE_TGID), k.get_pid_task(1001, PIDTYPE_PID)];
    if (out[1]) k.put_task_struct(out[1]);
    return out;
  });
  assert.deepEqual(r, [0, 1001]);
});

Deno.test("§B.1: find_lock_task_mm skips a zombie leader and returns a thread with an mm", () => {
  const threads = [{ pid: 1000, state: "zombie" }, { pid: 1001, state: "S" }];
  const { r } = inKernel({ victimThreads: threads }, function* (k) {
    yield* k.cond_resched();
    const p = k.find_lock_task_mm(VICTIM);
    const mm = k.task_mm(p);
    k.task_unlock(p);
    return [p, k.task_mm(VICTIM), mm > 0];
  });
  assert.deepEqual(r, [1001, 0, true]);
});

Deno.test("§B.2: task_will_free_mem is false for a live target and true once SIGKILLed", () => {
  const { r } = inKernel({}, function* (k) {
    const before = k.task_will_free_mem(VICTIM);
    // SIGNAL_GROUP_EXIT is set synchronously by the kill (§A.0).
    assert.equal(k.kill_pid_info(SIGKILL, VICTIM), 0);
    yield* k.cond_resched();
    return [before, k.task_will_free_mem(VICTIM)];
  });
  assert.deepEqual(r, [false, true]);
});

Deno.test("§B.2 rule 5: a live process sharing the mm makes task_will_free_mem false", () => {
  const extra = [{
    tgid: 1100,
    comm: "sharer",
    parent: 1,
    uid: 10050,
    mm: "victim_mm",
    threads: [{ pid: 1100, state: "S" }],
  }];
  const { r } = inKernel({ extra }, function* (k) {
    k.kill_pid_info(SIGKILL, VICTIM);
    yield* k.cond_resched();
    return k.task_will_free_mem(VICTIM);
  });
  assert.equal(r, false);
});

Deno.test("§A.1 step 5: kill_pid_info needs a uid match or CAP_KILL (EPERM)", () => {
  const { r } = inKernel({ callerCaps: [] }, function* (k) {
    yield* k.cond_resched();
    return k.kill_pid_info(SIGKILL, VICTIM);
  });
  assert.equal(r, -ERRNO.EPERM);
});

Deno.test("§B.3: __oom_reap_task_mm under the read lock frees private anon and sets MMF_UNSTABLE", () => {
  const vmas = [{ kind: "anon", size: "64MiB" }, { kind: "shmem", size: "8MiB" }];
  const { r, kernel } = inKernel({ victimVmas: vmas }, function* (k) {
    const mm = k.task_mm(VICTIM);
    k.mmgrab(mm);
    assert.equal(yield* k.mmap_read_lock_killable(mm), 0);
    const ok = yield* k.__oom_reap_task_mm(mm);
    const flags = [k.test_bit(MMF_UNSTABLE, mm), k.test_bit(MMF_OOM_SKIP, mm)];
    k.mmap_read_unlock(mm);
    k.mmdrop(mm);
    return { ok, flags, mm };
  });
  assert.equal(r.ok, true);
  assert.deepEqual(r.flags, [true, false], "the reap sets MMF_UNSTABLE, never MMF_OOM_SKIP");
  const info = kernel.mm_info(r.mm);
  assert.equal(info[3], 0, "64 MiB of anon gone");
  assert.equal(info[5], 8 * 256, "shmem skipped (VM_SHARED)");
  assert.deepEqual([...kernel.leaked_refs()], [0, 0]);
});

Deno.test("§B.3 step 5: a notifier refusing non-blocking invalidation makes the walk false", () => {
  const vmas = [{ kind: "anon", size: "4MiB", notifier: "refuses_nonblock" }, {
    kind: "anon",
    size: "4MiB",
  }];
  const { r, kernel } = inKernel({ victimVmas: vmas }, function* (k) {
    const mm = k.task_mm(VICTIM);
    yield* k.mmap_read_lock(mm);
    const ok = yield* k.__oom_reap_task_mm(mm);
    k.mmap_read_unlock(mm);
    return { ok, mm };
  });
  assert.equal(r.ok, false);
  assert.equal(
    kernel.mm_info(r.mm)[3],
    4 * 256,
    "the refusing VMA keeps its pages, the other is reaped",
  );
});

Deno.test("§B.6: a victim holding mmap_lock for write in D state blocks mmap_read_lock_killable", () => {
  const threads = [{
    pid: 1000,
    state: "D",
    until_ms: 300,
    holds: [{ lock: "mmap_lock", mode: "write", mm: "victim_mm" }],
  }];
  const { r } = inKernel({ victimThreads: threads }, function* (k) {
    const mm = k.task_mm(VICTIM);
    const t0 = k.now_ns();
    const ret = yield* k.mmap_read_lock_killable(mm);
    const waited = k.now_ns() - t0;
    k.mmap_read_unlock(mm);
    return { ret, waited };
  });
  assert.equal(r.ret, 0);
  assert.ok(r.waited >= 299e6, `waited ${r.waited} ns for the writer's D sleep to end`);
});

Deno.test("§B.5 (v6.0+): after the victim's exit_mmap, MMF_OOM_SKIP is set and the pages are gone", () => {
  const { r, kernel } = inKernel({}, function* (k) {
    const mm = k.task_mm(VICTIM);
    k.mmgrab(mm);
    k.kill_pid_info(SIGKILL, VICTIM);
    // Give the victim time to run its exit path (it sleeps interruptibly: SIGKILL wakes it).
    for (let i = 0; i < 2000 && k.task_mm(VICTIM) !== 0; i++) yield* k.cond_resched();
    while (!k.test_bit(MMF_OOM_SKIP, mm) && k.now_ns() < 1e9) yield* k.cond_resched();
    const skip = k.test_bit(MMF_OOM_SKIP, mm);
    k.mmdrop(mm);
    return { skip, mm };
  });
  assert.equal(r.skip, true);
  assert.equal(kernel.mm_info(r.mm)[3], 0);
});
