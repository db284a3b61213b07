// The kernel API face (src/core/mod.ts): the primitives and the kernel helpers the kernel
// shares (pidfd_get_task, mm_access) against the reference's rules, through recipes run by the
// real runner, and how a run picks a design's variant. Each test names the rule it checks.

import assert from "node:assert/strict";
import {
  type Design,
  ERRNO,
  forVariant,
  type KGen,
  mm_access,
  MMF_OOM_SKIP,
  MMF_UNSTABLE,
  mmInfo,
  pidfd_get_task,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
  PIDTYPE_PID,
  PIDTYPE_TGID,
  type Primitives,
  PTRACE_MODE_ATTACH,
  PTRACE_MODE_READ,
  SIGKILL,
  variantFor,
} from "../src/core/mod.ts";
import type { Kernel } from "../src/core/wasm.ts";
import { runActors } from "../src/engine/run/mod.ts";
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
    mmInfo(kernel, r.mm)!.anon_pages,
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

Deno.test("§A.0: pidfd_get_task finds a pidfd's leader; EBADF for any other fd", () => {
  const { r, kernel } = inKernel({}, function* (k) {
    yield* k.cond_resched();
    const task = pidfd_get_task(k, 3, { pidfd_self: false });
    if (task > 0) k.put_task_struct(task);
    // A /proc/<pid> dir fd (pidfd_send_signal takes it), a plain file, no fd at all.
    const others = [4, 5, 9].map((fd) => pidfd_get_task(k, fd, { pidfd_self: true }));
    return [task, ...others];
  });
  assert.deepEqual(r, [VICTIM, -ERRNO.EBADF, -ERRNO.EBADF, -ERRNO.EBADF]);
  assert.deepEqual([...kernel.leaked_refs()], [0, 0], "the task reference was dropped");
});

Deno.test("§A.0: pidfd_get_task answers ESRCH once the pidfd's process was waited for", () => {
  const { r } = inKernel({}, function* (k) {
    k.kill_pid_info(SIGKILL, VICTIM);
    // init waits for its children: the victim exits and is released.
    let task = pidfd_get_task(k, 3, { pidfd_self: false });
    while (task > 0 && k.now_ns() < 1.5e9) {
      k.put_task_struct(task);
      yield* k.cond_resched();
      task = pidfd_get_task(k, 3, { pidfd_self: false });
    }
    return task;
  });
  assert.equal(r, -ERRNO.ESRCH);
});

Deno.test("§A.0 (~v6.14): PIDFD_SELF_* name the caller only where pid.c knows them", () => {
  const { r } = inKernel({}, function* (k) {
    yield* k.cond_resched();
    const got = (fd: number, pidfd_self: boolean) => {
      const task = pidfd_get_task(k, fd, { pidfd_self });
      if (task > 0) k.put_task_struct(task);
      return task;
    };
    return [
      got(PIDFD_SELF_THREAD, true),
      got(PIDFD_SELF_THREAD_GROUP, true),
      got(PIDFD_SELF_THREAD, false),
      got(PIDFD_SELF_THREAD_GROUP, false),
    ];
  });
  // The caller is thread 501 of the killer, whose leader is 500.
  assert.deepEqual(r, [CALLER, 500, -ERRNO.EBADF, -ERRNO.EBADF]);
});

Deno.test("mm_access: ESRCH without an mm, EACCES without ptrace rights, the mm otherwise", () => {
  const threads = [{ pid: 1000, state: "zombie" }, { pid: 1001, state: "S" }];
  const run = (o: WorldOptions) =>
    inKernel(o, function* (k) {
      yield* k.cond_resched();
      return {
        victim: mm_access(k, 1001, PTRACE_MODE_READ),
        attach: mm_access(k, 1001, PTRACE_MODE_ATTACH),
        zombieLeader: mm_access(k, VICTIM, PTRACE_MODE_READ),
        own: mm_access(k, CALLER, PTRACE_MODE_ATTACH),
        mms: [k.task_mm(1001), k.task_mm(CALLER)],
      };
    }).r;
  const stranger = run({ victimThreads: threads, callerCaps: [] });
  assert.equal(stranger.victim, -ERRNO.EACCES, "another uid, no CAP_SYS_PTRACE");
  assert.equal(stranger.attach, -ERRNO.EACCES);
  assert.equal(stranger.zombieLeader, -ERRNO.ESRCH, "a task past exit_mm has no mm");
  assert.equal(stranger.own, stranger.mms[1], "the caller's own mm needs no rights");
  const owner = run({ victimThreads: threads, victimUid: 1069, callerCaps: [] });
  assert.equal(owner.victim, owner.mms[0], "a uid match passes");
  const tracer = run({ victimThreads: threads, callerCaps: ["CAP_SYS_PTRACE"] });
  assert.equal(tracer.attach, tracer.mms[0], "CAP_SYS_PTRACE passes");
});

Deno.test("variantFor: a release's own variant; before the merge, the merged one; else the default", () => {
  const d = {
    mergedIn: "5.15",
    variants: [
      { name: "posted", summary: "", source: "" },
      { name: "merged", summary: "", source: "", kernels: ["5.15", "5.16"] },
      { name: "fixed", summary: "", source: "", kernels: ["6.0"] },
      { name: "newest", summary: "", source: "" },
    ],
    defaultVariant: "newest",
  } as unknown as Design;
  const kernels = ["5.10", "5.15", "5.16", "5.17", "6.0", "6.18"] as const;
  assert.deepEqual(kernels.map((k) => variantFor(d, k)), [
    "merged",
    "merged",
    "merged",
    "newest",
    "fixed",
    "newest",
  ]);
  assert.equal(variantFor({ ...d, variants: undefined }, "6.18"), undefined);
  const ctx = { victim: VICTIM, kernel: "6.18", call: {} } as const;
  assert.equal(forVariant({ fixed: 1, newest: 2 }, { ...ctx, variant: "fixed" }), 1);
  assert.throws(() => forVariant({ fixed: 1 }, { ...ctx, variant: "posted" }), /posted/);
});
