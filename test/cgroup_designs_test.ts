/**
 * The two cgroup designs (proposals/cgroup_reap.ts) and the review's cgroup section
 * (src/lab/report/sections_2026_cgroup.ts): who is killed, who reaps what, how the reaper
 * threads split the members, the fallback on a victim in the root cgroup, and that the
 * section's sentences follow its numbers.
 */

import assert from "node:assert/strict";
import type { Design } from "../src/core/mod.ts";
import { designs, findDesign } from "../src/lab/designs/mod.ts";
import { freedPages, type RunResult, runScenario } from "../src/engine/run/mod.ts";
import { loadScenarioFile, type Scenario } from "../src/engine/scenario/mod.ts";
import { EVENT_FIELD, EVENT_KINDS, EVENT_WORDS } from "../src/engine/trace/mod.ts";
import { cgroupBearing, PARTS_2026 } from "../src/lab/report/parts_2026.ts";
import {
  cgroup2026Headline,
  type Cgroup2026Numbers,
  cgroup2026Numbers,
  cgroup2026Section,
} from "../src/lab/report/sections_2026_cgroup.ts";

const APP = "scenarios/cgroup/cgroup-kill-whole-app.json";
/** The app's cgroup, in cgroup.procs order, and what each holds (pages). */
const MEMBERS = [1000, 1002, 1001];
const MEMBER_PAGES: Record<number, number> = { 1000: 16384, 1001: 8192, 1002: 8192 };

/** The design that reaps a cgroup `how` (found by its record, as the review finds it). */
function reaping(how: "kernel" | "userspace"): Design {
  const d = designs().find((x) => x.reapsCgroup === how);
  assert.ok(d, `a design reaps a cgroup in ${how}`);
  return d;
}

/** Pages of each member's mm freed by the caller threads `killers`, by tgid. */
function reapedBy(s: Scenario, r: RunResult, killers: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const tgid of MEMBERS) {
    const p = s.processes.find((x) => x.tgid === tgid);
    if (!p) continue;
    const mm = s.mms.find((m) => m.id === p.mm)!.index;
    out[tgid] = freedPages(r, { mms: [mm], caller: s.caller.pid, victims: new Set([tgid]) })
      .filter((f) => killers.includes(f.pid)).reduce((n, f) => n + f.pages, 0);
  }
  return out;
}

/** The tgids the run's SIGKILL signal_generate events name (a = sig, b = pid), delivered or not. */
function signalled(r: RunResult): Set<number> {
  return new Set(
    r.events.filter((e) => e.kind === EVENT_KINDS.signal_generate && e.a === 9).map((e) => e.b),
  );
}

/** process_mrelease (448) calls each pid entered. */
function mreleasesBy(r: RunResult, pid: number): number {
  let n = 0;
  for (let i = 0; i < r.log.length; i += EVENT_WORDS) {
    if (
      r.log[i + EVENT_FIELD.kind] === EVENT_KINDS.sys_enter && r.log[i + EVENT_FIELD.pid] === pid &&
      r.log[i + EVENT_FIELD.a] === 448
    ) n++;
  }
  return n;
}

Deno.test("the reaping cgroup.kill kills every member but the kthread and reaps every mm itself", async () => {
  const s = await loadScenarioFile(APP);
  const r = runScenario(s, { design: reaping("kernel") });
  assert.equal(r.outcome.ret, 0);
  const hit = signalled(r);
  for (const t of MEMBERS) assert.ok(hit.has(t), `member ${t} was sent SIGKILL`);
  assert.ok(!hit.has(50), "cgroup.kill skips the kthread in the parent cgroup");
  assert.ok(!hit.has(2000), "another cgroup is untouched");
  // Pinned before the kill, so no member's exit can take its mm away first: all of each.
  assert.deepEqual(reapedBy(s, r, [s.caller.pid]), MEMBER_PAGES);
});

Deno.test("oomd's way: one thread makes a process_mrelease per member, after one cgroup.kill", async () => {
  const s = await loadScenarioFile(APP);
  const r = runScenario(s, { design: reaping("userspace") });
  assert.equal(r.outcome.ret, 0, "the app's own call");
  assert.equal(mreleasesBy(r, s.caller.pid), MEMBERS.length);
  const names = r.outcome.calls.map((c) => c.name);
  assert.deepEqual(
    names.slice(0, 2),
    ["syscall_1", "syscall_0"],
    "write cgroup.kill, read cgroup.procs",
  );
  assert.ok(!signalled(r).has(50));
  // The app (5.4 ms of reaping) and 1002 (2.7 ms) go first; by then 1001, killed with them
  // and woken on its little core, has long passed exit_mm (its exit path reaches it within
  // about a millisecond): its process_mrelease finds no mm (ESRCH, which oomd ignores) and
  // its own exit frees its memory. The in-kernel design pinned it before the kill.
  assert.deepEqual(reapedBy(s, r, [s.caller.pid]), { ...MEMBER_PAGES, 1001: 0 });
  const answers = r.outcome.calls.filter((c) => c.name === "process_mrelease").map((c) => c.errno);
  assert.deepEqual(answers, [0, 0, "ESRCH"]);
});

Deno.test("reaper threads take every N-th member of cgroup.procs", async () => {
  const base = await loadScenarioFile(APP);
  const s: Scenario = {
    ...base,
    intent: { ...base.intent, also: [{ pid: 500, at_ns: base.intent.at_ns }] },
  };
  const r = runScenario(s, { design: reaping("userspace") });
  // cgroup.procs is 1000, 1002, 1001: the caller (first) takes 1000 and 1001, 500 takes 1002.
  assert.equal(mreleasesBy(r, 501), 2);
  assert.equal(mreleasesBy(r, 500), 1);
  const by501 = reapedBy(s, r, [501]);
  const by500 = reapedBy(s, r, [500]);
  assert.deepEqual([by501[1000], by501[1001], by501[1002]], [16384, 8192, 0]);
  assert.deepEqual([by500[1000], by500[1001], by500[1002]], [0, 0, 8192]);
  // The in-kernel design's write does it all: the second thread makes no call.
  const k = runScenario(s, { design: reaping("kernel") });
  assert.equal(k.outcome.calls.length, 1, "the caller writes cgroup.kill, once");
  assert.equal(mreleasesBy(k, 500), 0);
});

Deno.test("on a victim in the root cgroup both fall back to kill + process_mrelease", async () => {
  const s = await loadScenarioFile("scenarios/dstate-little-core.json");
  assert.deepEqual(s.cgroups, [], "a file from before cgroups: everything in the root");
  const mainline = runScenario(s, { design: findDesign("process_mrelease"), variant: "mainline" });
  for (const how of ["kernel", "userspace"] as const) {
    const o = runScenario(s, { design: reaping(how) }).outcome;
    assert.equal(o.ret, mainline.outcome.ret, how);
    assert.equal(o.memory.freed_pages, mainline.outcome.memory.freed_pages, how);
    assert.equal(o.memory.freed_by.caller, mainline.outcome.memory.freed_by.caller, how);
    // The killer knows the victim is in no cgroup of its own without asking the kernel: the
    // very same run as kill + process_mrelease.
    assert.equal(o.events_hash, mainline.outcome.events_hash, how);
  }
});

// ---- the review's section ----

Deno.test("the review's cgroup of 1,000: threads help, and the kernel pins what userspace misses", () => {
  const n = cgroup2026Numbers();
  assert.equal(n.processes, 1000);
  const kernel = n.runs.find((r) => r.reaps === "kernel")!;
  const user = (t: number) => n.runs.find((r) => r.reaps === "userspace" && r.threads === t)!;
  // Four reaper threads on lmkd's four big cores finish well before one.
  assert.ok(user(4).t100_ns! < 0.7 * user(1).t100_ns!, `${user(4).t100_ns} vs ${user(1).t100_ns}`);
  // Pinned before the kill, the kernel leaves less to the members' exits than one thread.
  assert.ok(kernel.freed_by_exits < user(1).freed_by_exits);
  assert.equal(kernel.syscalls, 1, "the write to cgroup.kill");
  // cgroup.kill and cgroup.procs, a pidfd_open per member, then a process_mrelease and a
  // close for each that is still there.
  assert.ok(user(1).syscalls >= 2 + 1000 && user(1).syscalls <= 2 + 3 * 1000);
  assert.equal(cgroup2026Numbers(), n, "measured once per process");
});

Deno.test("the section's sentences follow its numbers", () => {
  const n = cgroup2026Numbers();
  assert.match(cgroup2026Section(n).join("\n"), /holds in this model/);
  // The same table with the kernel made faster than any thread count: the wording turns.
  const slow: Cgroup2026Numbers = {
    ...n,
    runs: n.runs.map((r) =>
      r.reaps === "kernel" ? { ...r, t100_ns: 1 } : { ...r, t100_ns: (r.t100_ns ?? 0) + 1 }
    ),
  };
  const md = cgroup2026Section(slow).join("\n");
  assert.match(md, /does not show in this model/);
  assert.doesNotMatch(md, /holds in this model/);
});

Deno.test("pinned before the kill: a member past exit_mm with its mm held elsewhere is still reaped", async () => {
  // 1001 runs on big core 3 and passes exit_mm within tens of µs of the kill, but a /proc
  // reader (lmkd's main thread) holds its mm_users for 500 ms, so its exit_mmap waits (the
  // harm the REAP_KILL cover letters describe, errata.md). 150 more members sharing one mm
  // make cgroup_kill()'s walk cost the writer ~150 µs (SIGNAL_NS each) before it looks at
  // any mm: a write that killed first and pinned after would find 1001 without an mm.
  const base = await loadScenarioFile(APP);
  const fillers = Array.from({ length: 150 }, (_, i) => 3000 + i);
  const json = JSON.parse(await Deno.readTextFile(APP));
  json.expect = [];
  json.mms.push({ id: "filler_mm", vmas: [{ kind: "anon", size: "1MiB" }] });
  const helper = json.processes.find((p: { tgid: number }) => p.tgid === 1001);
  helper.threads = [{ pid: 1001, cpu: 3, affinity: [3], state: "R" }];
  for (const tgid of fillers) {
    json.processes.push({
      tgid,
      comm: "app:filler",
      uid: 10050,
      mm: "filler_mm",
      threads: [{ pid: tgid, cpu: 0, affinity: [0], state: "S" }],
    });
  }
  json.cgroups[1].procs = [1000, 1002, ...fillers, 1001];
  json.events = [{
    at_ms: 0.5,
    kind: "proc_reader",
    mm: "helper1_mm",
    duration_ms: 500,
    reader: 500,
  }];
  const { validateScenario } = await import("../src/engine/scenario/mod.ts");
  const s = validateScenario(json);
  assert.equal(s.caller.pid, base.caller.pid);
  const kernel = runScenario(s, { design: reaping("kernel") });
  assert.equal(reapedBy(s, kernel, [s.caller.pid])[1001], 8192, "the write reaped all of 1001");
  // oomd's way reaches 1001 last, long after it passed exit_mm: ESRCH, nothing reaped, and
  // its memory waits for the reader.
  const user = runScenario(s, { design: reaping("userspace") });
  assert.equal(reapedBy(s, user, [s.caller.pid])[1001], 0);
});

Deno.test("the reaping write leaves an mm a live process outside the cgroup still uses", async () => {
  const s = await loadScenarioFile("scenarios/cgroup/cgroup-mm-shared-outside.json");
  const r = runScenario(s, { design: reaping("kernel") });
  // The vfork shell 1100, in the root cgroup, still runs on the app's mm: zapping it would be
  // the WARN the core prints for a reap under a live sharer.
  assert.deepEqual(r.outcome.warnings.map((w) => w.name), []);
  assert.ok(!signalled(r).has(1100), "the shell is outside the kill");
  assert.equal(r.outcome.memory.freed_pages, 0);
  // The helper's mm, used by nobody else, is reaped by the writer.
  assert.equal(reapedBy(s, r, [s.caller.pid])[1001], 8192);
});

Deno.test("the cgroup part joins the 2026 section and its bearing turns with the numbers", () => {
  const h = cgroup2026Headline(cgroup2026Numbers());
  // The cgroup part reads its own measurements, not the review's results.
  const part = PARTS_2026.find((p) => p.id === "q2026-cgroup");
  assert.ok(part?.bears?.({} as never).cgroup, "it bears on the cgroup topic");
  // Measured: four threads finish before the one kernel context (the test above).
  assert.match(cgroupBearing(h).reading, /finish before the one kernel context/);
  assert.match(cgroupBearing(h).measured, /one kernel context .* \(1 syscall\)/);
  const kernelFirst = { ...h, kernel_t100_ns: 1 };
  assert.match(cgroupBearing(kernelFirst).reading, /the one kernel context finishes first/);
  assert.doesNotMatch(cgroupBearing(kernelFirst).reading, /buy fewer syscalls/);
});
