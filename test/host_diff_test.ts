// The differential suite (docs/host.md): the host-expressible scenarios run on the
// simulator (kernel 6.18) and on this machine's real kernel, which must agree on the
// errno exactly, on whether the victim got SIGKILL, and on the private anon memory freed
// (within toleranceForPages); each design runs its own recipe on both, and the stock
// counterpart of a proposal runs as a design of its own too. A fast-check property does the
// same for generated worlds. The guard's refusals (the session's and a recipe's calls'),
// the cleanup after a failing run, and, last, that nothing of the run is left are checked
// too. Skipped, with the reason printed, where the host is not
// Linux 6.18 on x86_64, not root, has no FFI, no freezer, no gcc, or lacks a syscall.

import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Design,
  ERRNO,
  type KGen,
  PAGE_SIZE,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
  SYSCALLS,
} from "../src/core/mod.ts";
import {
  loadScenarioFile,
  scenarioFiles,
  type ThenCall,
  validateScenario,
} from "../src/engine/scenario/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import {
  agrees,
  buildHostWorld,
  designsOf,
  diffScenario,
  hostPlan,
  HostSafetyError,
  HostSession,
  hostSupport,
  HostUserspace,
  type HostWorldParams,
  leftovers,
  NotExpressible,
  NsCaller,
  runHost,
  runRecipe,
} from "../src/lab/host/mod.ts";
import { formatDiff } from "../src/lab/cli/mod.ts";
import { readLink, readText, selfIds, syscallCount } from "../src/lab/host/ffi.ts";
import { procStatus, startTime } from "../src/lab/host/observe.ts";

/** The design the generated worlds call: the one every host world is shaped for. */
const mrelease = findDesign("process_mrelease");
/** The per-iovec property's design: on the host, stock 6.18's process_madvise. */
const madvise = findDesign("process_madvise");

const support = hostSupport();
const ignore = !support.ok;
const skip = ignore ? ` (SKIPPED: ${support.reason})` : "";
if (ignore) console.log(`host differential suite SKIPPED: ${support.reason}`);

const files = (await scenarioFiles("scenarios/host")).sort();

Deno.test("host: the shipped host scenarios are host-expressible", async () => {
  assert.ok(files.length >= 15, `only ${files.length} host scenarios`);
  for (const f of files) hostPlan(await loadScenarioFile(f));
  // ... and the others say why not, every reason at once.
  const paths = await loadScenarioFile("scenarios/paths/target-live.json");
  assert.throws(() => hostPlan(paths), (e) => e instanceof NotExpressible && e.reasons.length > 1);
});

Deno.test("host plan: a caller in a child pid namespace of the victim's; the rest refused", async () => {
  const killed = hostPlan(
    await loadScenarioFile("scenarios/host/host-pidns-mrelease-after-lab-kill.json"),
  );
  assert.deepEqual([killed.callerLevels, killed.killedBefore], [1, true]);
  const base: HostWorldParams = {
    name: "x",
    description: "x",
    threads: 1,
    state: "S",
    vmas: [{ kind: "anon", size_pages: 256, resident_pages: 256 }],
    callerFds: [{ fd: 3, kind: "pidfd" }],
    call: { fd: 3 },
  };
  const plan = (w: Record<string, unknown>) => hostPlan(validateScenario(w));
  assert.equal(plan(buildHostWorld({ ...base, callerLevels: 3 })).callerLevels, 3);
  assert.equal(plan(buildHostWorld(base)).callerLevels, 0);
  const why = (w: Record<string, unknown>): string => {
    try {
      plan(w);
      return "";
    } catch (e) {
      assert.ok(e instanceof NotExpressible, String(e));
      return e.reasons.join("\n");
    }
  };
  // The victim alone in a child namespace of the lab's: its init on the host. Deeper, with
  // company, with a vfork child, or above the caller: refused.
  assert.equal(plan(buildHostWorld({ ...base, victimPidns: true })).victimPidns, true);
  const withNs = (ns: unknown[], p: Partial<HostWorldParams> = {}) =>
    why({ ...buildHostWorld({ ...base, ...p }), pid_namespaces: ns });
  assert.match(
    withNs([{ id: "sandbox" }, { id: "app", parent: "sandbox", procs: [200] }]),
    /the victim in pid namespace app: the host makes it the init of a namespace of its own/,
  );
  assert.match(
    withNs([{ id: "app", procs: [200, 100] }]),
    /the victim in pid namespace app/,
  );
  assert.match(
    withNs([{ id: "app", procs: [200] }], { vfork: { frozen: false } }),
    /a vfork child in pid namespace app/,
  );
  assert.match(
    withNs([{ id: "app", procs: [200] }, { id: "ns1", parent: "app", procs: [150] }], {
      callerLevels: 1,
    }),
    /the caller in the victim's pid namespace app or below it/,
  );
  // Follow-up calls, and a lab that is not root.
  const range = { start_page: 16, end_page: 17 };
  assert.match(
    why(buildHostWorld({ ...base, callerLevels: 1, then: [{ call: "proc_mem_read", ...range }] })),
    /intent.then: follow-up calls of a caller in a child pid namespace/,
  );
  const w = buildHostWorld({ ...base, callerLevels: 1 });
  (w.processes as Record<string, unknown>[])[0].uid = 1000;
  assert.match(why(w), /process 100 \(lab\) stands for the lab/);
  // The kill event: only of a frozen victim, before the intent, from the lab.
  assert.match(why(buildHostWorld({ ...base, killBefore: true })), /needs a frozen victim/);
  const late = buildHostWorld({ ...base, state: "frozen", callerLevels: 1, killBefore: true });
  (late.events as Record<string, unknown>[])[0].from = 150;
  assert.match(why(late), /events\[0\] \(kill\): the host stages only/);
  // The simulator's pid namespace scenarios: their worlds (init, zygote, uid 1069) say why.
  for (const f of await scenarioFiles("scenarios/fidelity")) {
    if (!f.includes("/pidns-")) continue;
    assert.notEqual(why(JSON.parse(await Deno.readTextFile(f))), "", f);
  }
});

for (const file of files) {
  const scenario = await loadScenarioFile(file);
  // A proposal's stock counterpart is a design too, and runs on the host as itself.
  const stockToo = (d: Design) => typeof d.stock === "object" ? [d, d.stock] : [d];
  for (const design of designsOf(scenario).flatMap(stockToo)) {
    Deno.test({
      name: `host diff: ${scenario.name} under ${design.name}${skip}`,
      ignore,
      fn: async () => {
        const row = await diffScenario(scenario, { design });
        assert.ok(agrees(row), formatDiff([row]));
      },
    });
  }
}

Deno.test({
  name: `host guard: refuses pids it did not spawn, before any call${skip}`,
  ignore,
  fn: async () => {
    const a = new HostSession();
    const b = new HostSession();
    try {
      const ppid = selfIds().ppid;
      const before = syscallCount;
      for (const pid of [0, 1, 2, -1, Deno.pid, ppid]) {
        assert.throws(() => a.check(pid), HostSafetyError, `pid ${pid}`);
        assert.throws(() => a.signal(pid, 0), HostSafetyError, `signal ${pid}`);
        assert.throws(() => a.pidfdOpen(pid, 0), HostSafetyError, `pidfd_open ${pid}`);
        assert.throws(() => a.reap(pid), HostSafetyError, `reap ${pid}`);
        await assert.rejects(a.freeze([pid]), HostSafetyError, `freeze ${pid}`);
      }
      assert.equal(syscallCount, before, "a refused operation made a syscall");
      assert.equal(a.cgroup, null, "a refused freeze made a cgroup");
      // One run's process is not another's, and neither is its pidfd.
      const v = await a.spawnVictim({ comm: "guarded", vmas: [], extraThreads: 0, vfork: false });
      assert.throws(() => b.signal(v.process.pid, 9), HostSafetyError);
      const fd = a.dupPidfd(v.process.pid);
      assert.throws(() => b.checkFd(fd), HostSafetyError);
      a.checkFd(fd);
      a.checkFd(-1);
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: `host guard: a caller in a child pid namespace has only what the run gives it${skip}`,
  ignore,
  fn: async () => {
    const s = await loadScenarioFile(
      "scenarios/host/host-pidns-signal-from-child-ns.json",
    );
    const a = new HostSession();
    const b = new HostSession();
    let ns: NsCaller | null = null;
    try {
      const v = await a.spawnVictim({ comm: "guarded", vmas: [], extraThreads: 0, vfork: false });
      const other = await b.spawnVictim({ comm: "other", vmas: [], extraThreads: 0, vfork: false });
      ns = await NsCaller.start(a, 2);
      // A victim in a namespace of its own is its init, and the lab's thread is back in its own
      // namespace for its next children.
      const nested = await a.spawnVictim({
        comm: "nested",
        vmas: [],
        extraThreads: 0,
        vfork: false,
        pidNamespace: true,
      });
      const nsPid = (pid: number) =>
        readText(`/proc/${pid}/status`)?.match(/^NSpid:\s+(.*)$/m)?.[1].split(/\s+/);
      assert.deepEqual(nsPid(nested.process.pid), [String(nested.process.pid), "1"]);
      assert.equal(
        readLink("/proc/thread-self/ns/pid_for_children"),
        readLink("/proc/thread-self/ns/pid"),
      );
      // pid 1 of a namespace two levels below the lab's: its pid there, in ns1, and in ns2.
      assert.deepEqual(nsPid(ns.pid), [String(ns.pid), "2", "1"]);
      const u = new HostUserspace(a, v, hostPlan(s), s.name, { nsCaller: ns });
      assert.equal(u.current, ns.pid);
      const pids = [1, Deno.pid, selfIds().ppid, other.process.pid];
      const before = syscallCount;
      for (const pid of pids) {
        assert.throws(() => runRecipe(u.kill(pid, 0)), HostSafetyError, `kill ${pid}`);
        assert.throws(() => runRecipe(u.pidfd_open(pid, 0)), HostSafetyError, `open ${pid}`);
      }
      assert.equal(syscallCount, before, "a refused call was made");
      // Its socket (0) and stderr (2) are not the run's to give, nor are the sentinels (the
      // guard reads the caller's /proc/<pid>/fdinfo to tell; no call is made).
      for (const fd of [0, 2, PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP]) {
        assert.throws(() => runRecipe(u.pidfd_send_signal(fd, 0, 0)), HostSafetyError, `${fd}`);
        assert.throws(() => runRecipe(u.close(fd)), HostSafetyError, `close ${fd}`);
      }
      // The follow-up calls are the lab's own thread's.
      assert.throws(() => runRecipe(u.waitid_pidfd(3)), NotExpressible);
      const range = { start_page: 16, end_page: 17 };
      assert.throws(() => runRecipe(u.process_vm_readv(v.process.pid, range)), NotExpressible);
      assert.equal(u.calls.length, 0);
      // Another run's pidfd is not passed on.
      assert.throws(() => ns!.pass(b.dupPidfd(other.process.pid)), HostSafetyError);
      // Through the run's pidfd the kernel refuses a signal (access_pidfd_pidns); by number
      // nothing is found; an fd it lacks is EBADF.
      const fd = ns.pass(a.dupPidfd(v.process.pid));
      assert.equal(runRecipe(u.pidfd_send_signal(fd, 0, 0)), -ERRNO.EINVAL);
      assert.equal(runRecipe(u.kill(v.process.pid, 0)), -ERRNO.ESRCH);
      assert.equal(runRecipe(u.pidfd_open(v.process.pid, 0)), -ERRNO.ESRCH);
      assert.equal(runRecipe(u.pidfd_send_signal(999, 0, 0)), -ERRNO.EBADF);
      assert.deepEqual(u.calls.map((c) => c.errno), ["EINVAL", "ESRCH", "ESRCH", "EBADF"]);
    } finally {
      ns?.close();
      await a.close();
      await b.close();
    }
  },
});

/** A syscall body: the host never runs it (the real kernel is the body). */
// deno-lint-ignore require-yield
function* unused(): KGen<number> {
  return 0;
}

/** A recipe that blocks, which no host call does. */
function* blocks(): KGen<number> {
  yield "block";
  return 0;
}

Deno.test({
  name: `host userspace: a recipe's calls keep to what the run spawned${skip}`,
  ignore,
  fn: async () => {
    const s = await loadScenarioFile("scenarios/host/host-mrelease-live.json");
    const a = new HostSession();
    const b = new HostSession();
    try {
      const v = await a.spawnVictim({ comm: "guarded", vmas: [], extraThreads: 0, vfork: false });
      const other = await b.spawnVictim({ comm: "other", vmas: [], extraThreads: 0, vfork: false });
      const u = new HostUserspace(a, v, hostPlan(s), s.name);
      const pids = [1, Deno.pid, selfIds().ppid, other.process.pid];
      const before = syscallCount;
      for (const pid of pids) {
        assert.throws(() => runRecipe(u.kill(pid, 0)), HostSafetyError, `kill ${pid}`);
        assert.throws(() => runRecipe(u.pidfd_open(pid, 0)), HostSafetyError, `open ${pid}`);
      }
      // A call that names its target by pid is not made on the host, nor is an OOM kill.
      assert.throws(
        () => runRecipe(u.syscall(SYSCALLS.kill, [v.process.pid, 0], unused)),
        NotExpressible,
      );
      assert.throws(() => u.oom_kill_process(v.process.pid), NotExpressible);
      assert.equal(syscallCount, before, "a refused call was made");
      // Another run's pidfd is refused as an argument, and cannot be closed.
      const foreign = b.dupPidfd(other.process.pid);
      assert.throws(() => runRecipe(u.pidfd_send_signal(foreign, 0, 0)), HostSafetyError);
      assert.throws(() => runRecipe(u.close(foreign)), HostSafetyError);
      // On 6.18 the PIDFD_SELF_* sentinels name the lab itself: refused before the call.
      for (const self of [PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP]) {
        assert.throws(() => runRecipe(u.pidfd_send_signal(self, 0, 0)), HostSafetyError);
        assert.throws(
          () => runRecipe(u.syscall(SYSCALLS.process_mrelease, [self, 0], unused)),
          HostSafetyError,
        );
      }
      assert.deepEqual(u.calls, []);
      assert.throws(() => runRecipe(blocks()), /yielded/);
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: `host cleanup: a run that fails with its victim frozen leaves nothing${skip}`,
  ignore,
  fn: async () => {
    const s = await loadScenarioFile("scenarios/host/host-mrelease-vfork-sharer.json");
    let seen: { pid: number; start: string | null }[] = [];
    await assert.rejects(
      runHost(s, {
        design: mrelease,
        beforeRecipe: (v) => {
          seen = [v.process, v.vforkChild!].map((p) => ({ pid: p.pid, start: startTime(p.pid) }));
          assert.equal(procStatus(v.process.pid)?.state, "D"); // frozen
          throw new Error("injected failure");
        },
      }),
      /injected failure/,
    );
    assert.equal(seen.length, 2);
    for (const p of seen) {
      const st = startTime(p.pid) === p.start ? procStatus(p.pid) : null;
      assert.ok(st === null || st.state === "Z", `${p.pid} is left, state ${st?.state}`);
      assert.ok(st === null || st.rssAnonKb === null, `${p.pid} still has memory`);
    }
    assert.deepEqual(leftovers(), []);
  },
});

/** A generated host world: memory shape, threads, sharing, and when the kill comes. */
const worldArb = fc.record({
  anonMiB: fc.integer({ min: 1, max: 48 }),
  halfResident: fc.boolean(),
  lockedMiB: fc.constantFrom(0, 0, 4, 8),
  sharedMiB: fc.constantFrom(0, 0, 2),
  shmemMiB: fc.constantFrom(0, 0, 2),
  threads: fc.integer({ min: 1, max: 4 }),
  vfork: fc.boolean(),
  stopped: fc.boolean(),
  // none: a live target; before-call: SIGKILL right before the call (the victim frozen, so
  // that its memory is still attached); traced: the recipe's own SIGKILL, the victim's threads
  // traced with PTRACE_O_TRACEEXIT (they stop in PTRACE_EVENT_EXIT, mm attached); exited /
  // reaped: killed and gone before the call.
  kill: fc.constantFrom("none", "before-call", "before-call", "traced", "exited", "reaped"),
  flags: fc.constantFrom(0, 0, 0, 0, 1),
  // A second look after the call: a read of the anon range (or of page 0, never mapped)
  // through process_vm_readv or /proc/<pid>/mem, or a waitid (blocking when the victim is
  // gone or will be: never for a frozen or unkilled one, which would not exit).
  look: fc.constantFrom("none", "vm_readv", "proc_mem", "page0", "waitid"),
  lookPages: fc.integer({ min: 1, max: 4 }),
  // The caller in a chain of this many pid namespaces below the lab's (0: the lab itself),
  // holding a pidfd the lab passed on; its own SIGKILL is refused there (EINVAL).
  callerLevels: fc.constantFrom(0, 0, 0, 1, 1, 3),
  // before-call: the lab's SIGKILL (a kill event before the intent) instead of the recipe's.
  labKills: fc.boolean(),
  // The victim (without a vfork child) alone in a child pid namespace, a sibling of the
  // caller's when the caller is in one too.
  victimPidns: fc.constantFrom(false, false, true),
});

type WorldArb = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

function worldOf(w: WorldArb, i: number): HostWorldParams {
  const MiB = 2 ** 20 / PAGE_SIZE;
  const vmas: HostWorldParams["vmas"] = [{
    kind: "anon",
    size_pages: w.anonMiB * MiB,
    resident_pages: (w.halfResident ? w.anonMiB / 2 : w.anonMiB) * MiB,
  }];
  if (w.lockedMiB) {
    vmas.push({
      kind: "anon",
      size_pages: w.lockedMiB * MiB,
      resident_pages: w.lockedMiB * MiB,
      locked: true,
    });
  }
  if (w.sharedMiB) {
    vmas.push({
      kind: "anon_shared",
      size_pages: w.sharedMiB * MiB,
      resident_pages: w.sharedMiB * MiB,
    });
  }
  if (w.shmemMiB) {
    vmas.push({ kind: "shmem", size_pages: w.shmemMiB * MiB, resident_pages: w.shmemMiB * MiB });
  }
  const dead = w.kill === "exited" || w.kill === "reaped";
  const labKills = w.kill === "before-call" && w.labKills;
  const ns = w.callerLevels > 0;
  return {
    name: `host-prop-${i}`,
    description: "generated by test/host_diff_test.ts",
    vmas,
    threads: w.threads,
    state: w.kill === "none"
      ? (w.stopped ? "T" : "S")
      : w.kill === "traced"
      ? "S"
      : w.kill === "before-call"
      ? "frozen"
      : w.kill === "exited"
      ? "zombie"
      : "reaped",
    traced: w.kill === "traced",
    vfork: dead || !w.vfork || w.kill === "traced" ? null : { frozen: false },
    call: {
      ...(w.kill === "none" || labKills ? { kill: false } : {}),
      ...(dead || ns ? { fd: 3 } : {}),
      ...(w.flags ? { flags: w.flags } : {}),
    },
    callerFds: dead || ns ? [{ fd: 3, kind: "pidfd" }] : [],
    // A caller in a child pid namespace makes no follow-up calls on the host.
    then: ns ? [] : lookOf(w),
    callerLevels: w.callerLevels,
    killBefore: labKills,
    victimPidns: w.victimPidns && (dead || !w.vfork || w.kill === "traced"),
  };
}

/** The generated world's follow-up call; none where the host cannot make it. */
function lookOf(w: WorldArb): ThenCall[] {
  // A zombie has no mm to place the anon range in: its reads are of page 0 (ESRCH anyway).
  const first = w.kill === "exited" || w.look === "page0" ? 0 : 16;
  const range = { start_page: first, end_page: first + (first ? w.lookPages : 1) };
  switch (w.look) {
    case "vm_readv":
    case "proc_mem":
    case "page0":
      // A reaped victim's pid may be reused: the host never names it by number.
      if (w.kill === "reaped") return [];
      return [{ call: w.look === "proc_mem" ? "proc_mem_read" : "process_vm_readv", ...range }];
    case "waitid":
      // A reaped victim was already waited for (by its parent, before the intent): no
      // waitid of the caller's can name it on the host.
      if (w.kill === "reaped") return [];
      return [{ call: "waitid", nohang: w.kill === "none" || w.kill === "before-call" }];
    default:
      return [];
  }
}

Deno.test({
  name: `host property: simulator and host agree on errno and memory released${skip}`,
  ignore,
  fn: async () => {
    let i = 0;
    let traced = 0;
    let nested = 0;
    let victimNested = 0;
    await fc.assert(
      fc.asyncProperty(worldArb, async (w) => {
        if (w.kill === "traced") traced++;
        if (w.callerLevels > 0) nested++;
        const s = validateScenario(buildHostWorld(worldOf(w, i++)));
        if (s.pid_namespaces?.some((n) => n.procs.includes(200))) victimNested++;
        const row = await diffScenario(s, { design: mrelease });
        assert.equal(row.host.errno, row.sim.errno, formatDiff([row]));
        assert.equal(row.host.released, row.sim.released, formatDiff([row]));
        assert.deepEqual(row.host.then, row.sim.then, formatDiff([row]));
        assert.ok(agrees(row), formatDiff([row]));
      }),
      { numRuns: 30, seed: 20260101, endOnFailure: true },
    );
    // The property covers the ptrace exit stop and a caller in a child pid namespace, not
    // only by luck of the seed.
    assert.ok(traced >= 2, `${traced} traced worlds of ${i}`);
    assert.ok(nested >= 4, `${nested} worlds with a caller in a child pid namespace of ${i}`);
    assert.ok(victimNested >= 4, `${victimNested} worlds with the victim in one of ${i}`);
  },
});

/**
 * A per-iovec process_madvise: a live victim with an anon VMA and an mlocked one, a vector
 * of 1..3 ranges each inside the anon VMA, inside the locked one, or page 0 (never mapped),
 * and MADV_COLD or MADV_PAGEOUT: the answer is the bytes before the first failing iovec
 * (ENOMEM unmapped, EINVAL locked) or that failure when it is the first.
 */
const iovArb = fc.record({
  advice: fc.constantFrom(20, 21),
  // The caller in a child pid namespace, given a pidfd of the victim: process_madvise takes
  // it through pidfd_get_task(), with no namespace check, and the iovecs are built there.
  nested: fc.boolean(),
  ranges: fc.array(
    fc.record({
      where: fc.constantFrom("anon", "anon", "locked", "page0"),
      pages: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

Deno.test({
  name: `host property: per-iovec process_madvise answers as the host does${skip}`,
  ignore,
  fn: async () => {
    let i = 0;
    let nested = 0;
    const MiB = 2 ** 20 / PAGE_SIZE;
    // anon at pages [16, 16 + 4 MiB), a one-page gap, then the locked 1 MiB.
    const lockedStart = 16 + 4 * MiB + 1;
    await fc.assert(
      fc.asyncProperty(iovArb, async (a) => {
        if (a.nested) nested++;
        const iov = a.ranges.map((r) => {
          const start = r.where === "anon" ? 16 : r.where === "locked" ? lockedStart : 0;
          return { start_page: start, end_page: start + (r.where === "page0" ? 1 : r.pages) };
        });
        const s = validateScenario(buildHostWorld({
          name: `host-iov-${i++}`,
          description: "generated by test/host_diff_test.ts",
          threads: 1,
          state: "S",
          vmas: [
            { kind: "anon", size_pages: 4 * MiB, resident_pages: 4 * MiB },
            { kind: "anon", size_pages: MiB, resident_pages: MiB, locked: true },
          ],
          call: { kill: false, flags: 0, advice: a.advice, iov, ...(a.nested ? { fd: 3 } : {}) },
          ...(a.nested ? { callerLevels: 1, callerFds: [{ fd: 3, kind: "pidfd" as const }] } : {}),
        }));
        const row = await diffScenario(s, { design: madvise });
        assert.ok(agrees(row), formatDiff([row]));
      }),
      { numRuns: 12, seed: 20261202, endOnFailure: true },
    );
    assert.ok(nested >= 3, `${nested} vectors from a child pid namespace of ${i}`);
  },
});

// Last: nothing of this run is left: no process it created, no cgroup, no open session.
Deno.test({
  name: `host cleanup: no process or cgroup of the suite is left${skip}`,
  ignore,
  fn: () => {
    assert.deepEqual(leftovers(), []);
  },
});
