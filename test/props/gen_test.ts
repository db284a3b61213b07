// The generators describe the space honestly: every generated world is a valid scenario,
// every edge the designs disagree about is reached often enough to matter, and the latency
// worlds have the shape their property needs.

import fc from "fast-check";
import assert from "node:assert/strict";
import {
  arbCase,
  arbLatencyCase,
  arbWorldPlan,
  buildWorld,
  type Case,
  isLatencyWorld,
  LATENCY_WAKE_US,
  PIDS,
  withVictimWake,
} from "../../src/lab/props/mod.ts";
import { KERNEL_VERSIONS, validateScenario } from "../../src/engine/scenario/mod.ts";
import { COST_MODEL } from "../../src/core/mod.ts";

const SAMPLES = 2000;
const cases: Case[] = fc.sample(arbCase(), { numRuns: SAMPLES, seed: 11 });

Deno.test("every generated world is a valid scenario, and so is every shrink of one", () => {
  // arbCase validates as it maps (a rejection throws "generator bug"); shrinking goes
  // through the plan, so check plans fast-check shrinks to as well.
  fc.assert(
    fc.property(arbWorldPlan(), (plan) => {
      validateScenario(buildWorld(plan));
    }),
    { numRuns: 3000, seed: 12 },
  );
  assert.equal(cases.length, SAMPLES);
});

/** Labels for what a case contains: the edges the properties need reached. */
function labels(c: Case): string[] {
  const s = c.scenario;
  const out: string[] = [`kernel ${c.kernel}`];
  const victim = s.processes.find((p) => p.tgid === s.intent.victim)!;
  const main = s.processes.find((p) => p.tgid === PIDS.victim)!;
  out.push(`victim ${victim.init ? "init" : victim.kthread ? "kthread" : victim.tgid}`);
  out.push(`status ${main.status}`);
  if (main.core_dump) out.push("core dump");
  const threads = s.processes.flatMap((p) => p.tgid >= PIDS.victim ? p.threads : []);
  for (const t of threads) out.push(`state ${t.state}`);
  if (main.threads[0]?.state === "zombie" && main.threads.some((t) => t.state !== "zombie")) {
    out.push("zombie leader");
  }
  for (const t of threads) {
    for (const h of t.holds) out.push(`D holds mmap_lock ${h.mode}`);
    if (t.state === "D" && t.until_ns !== null) out.push("D with wake time");
    if (t.traced_exit) out.push("traced exit");
  }
  const killed = new Set(
    s.events.flatMap((e) => e.kind === "kill" && e.at_ns < s.intent.at_ns ? [e.target] : []),
  );
  for (const [tgid, what] of [[PIDS.vforkChild, "vfork child"], [PIDS.sibling, "CLONE_VM"]]) {
    if (s.processes.some((p) => p.tgid === tgid)) {
      out.push(`${what} ${killed.has(tgid as number) ? "dying" : "alive"}`);
    }
  }
  if (killed.has(PIDS.victim)) out.push("victim killed before the call");
  if (s.processes.some((p) => p.kthread)) out.push("kthread present");
  const vmas = s.mms.find((m) => m.id === "victim_mm")?.vmas ?? [];
  for (const v of vmas) {
    out.push(`vma ${v.kind}`);
    for (const f of v.flags) out.push(`vma ${f}`);
    if (v.thp) out.push("vma THP");
    if (v.notifier !== "none") out.push("refusing notifier");
    if (v.swap_entries > 0) out.push("swap");
    if (v.cow_pages > 0) out.push("cow");
    if (v.size_pages > 262144) out.push("vma > 1 GiB");
    if (v.size_pages > 10 * 262144) out.push("vma > 10 GiB");
    if (v.size_pages <= 16) out.push("vma <= 16 pages");
  }
  const killer = s.processes.find((p) => p.tgid === PIDS.killer)!;
  out.push(killer.caps.includes("CAP_KILL") ? "caller CAP_KILL" : "caller no CAP_KILL");
  out.push(killer.caps.includes("CAP_SYS_PTRACE") ? "caller CAP_SYS_PTRACE" : "no PTRACE");
  out.push(killer.uid === main.uid ? "caller same uid" : "caller other uid");
  if (s.events.some((e) => e.kind === "proc_reader")) out.push("proc reader");
  if (s.events.some((e) => e.kind === "kill" && e.target === PIDS.killer)) {
    out.push("caller killed");
  }
  if (s.events.some((e) => e.kind === "kill" && e.sig === "SIGSTOP")) out.push("SIGSTOP");
  if (s.events.some((e) => e.kind === "exit")) out.push("voluntary exit");
  if (s.events.some((e) => e.kind === "wake")) out.push("wake event");
  if (s.intent.also.length) out.push("second caller");
  if (s.intent.call.kill === false) out.push("call.kill false");
  if (s.events.some((e) => e.kind === "oom_kill")) out.push("oom_kill event");
  const call = s.intent.call;
  if (call.sig !== undefined) out.push(`sig ${call.sig}`);
  if (call.advice !== undefined) out.push(`advice ${call.advice}`);
  for (const r of call.iov ?? []) {
    out.push(r.end_page === r.start_page ? "iov empty" : r.start_page < 16 ? "iov below" : "iov");
    const cut = hugePagesCut(vmas, r);
    if (cut > 0) out.push("iov cuts a huge page");
    if (cut > 1) out.push("iov cuts two huge pages");
  }
  for (const t of s.intent.then) {
    out.push(t.call === "waitid" ? `then waitid${t.nohang ? " nohang" : ""}` : `then ${t.call}`);
  }
  for (const f of s.mms.find((m) => m.id === "victim_mm")?.flags ?? []) out.push(`mm ${f}`);
  for (const ns of s.pid_namespaces ?? []) {
    out.push(
      ns.procs.includes(PIDS.killer) ? "killer in a child pidns" : "victim in a child pidns",
    );
  }
  if (main.pgid === main.tgid) out.push("victim leads its group");
  const fd = killer.fds.find((f) => f.fd === (s.intent.call.fd ?? 3));
  if (fd?.kind === "pidfd" && fd.thread) out.push("thread pidfd");
  if (s.intent.call.fd === -1) out.push("bad fd");
  if (s.intent.call.flags !== undefined && s.intent.call.flags !== 0) out.push("odd flags");
  if (s.cpus.some((c) => c.preset === null)) out.push("free CPU numbers");
  if (new Set(s.cpus.map((c) => c.capacity)).size > 1) out.push("mixed capacities");
  return out;
}

/**
 * How many huge pages of THP VMAs (laid out as the loader does) the range covers only in
 * part: its first and its last, when they do not start or end on a PMD boundary.
 */
function hugePagesCut(
  vmas: readonly { size_pages: number; thp: boolean }[],
  r: { start_page: number; end_page: number },
): number {
  const pmd = COST_MODEL.HPAGE_PMD_NR;
  let start = 16, cut = 0;
  for (const v of vmas) {
    if (v.thp) start = Math.ceil(start / pmd) * pmd;
    const a = Math.max(r.start_page, start) - start;
    const b = Math.min(r.end_page, start + v.size_pages) - start;
    if (v.thp && a < b) {
      const one = Math.floor(a / pmd) === Math.floor((b - 1) / pmd);
      const ends = [a % pmd !== 0, b % pmd !== 0].filter(Boolean).length;
      cut += one ? Math.min(1, ends) : ends;
    }
    start += v.size_pages + 1;
  }
  return cut;
}

Deno.test("the generator reaches every edge the designs disagree about", () => {
  const counts = new Map<string, number>();
  for (const c of cases) {
    for (const l of new Set(labels(c))) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const must = [
    ...KERNEL_VERSIONS.map((k) => `kernel ${k}`),
    "victim init",
    "victim kthread",
    `victim ${PIDS.vforkChild}`,
    `victim ${PIDS.sibling}`,
    "status zombie",
    "status reaped",
    "core dump",
    ...["R", "S", "D", "T", "frozen", "zombie", "D_vfork"].map((s) => `state ${s}`),
    "zombie leader",
    "D holds mmap_lock read",
    "D holds mmap_lock write",
    "D with wake time",
    "vfork child alive",
    "vfork child dying",
    "CLONE_VM alive",
    "CLONE_VM dying",
    "victim killed before the call",
    ...["anon", "anon_shared", "file_private", "file_shared", "shmem", "pfnmap"].map((k) =>
      `vma ${k}`
    ),
    "vma VM_LOCKED",
    "vma VM_HUGETLB",
    "vma THP",
    "refusing notifier",
    "swap",
    "cow",
    "vma > 1 GiB",
    "vma > 10 GiB",
    "vma <= 16 pages",
    "caller CAP_KILL",
    "caller no CAP_KILL",
    "no PTRACE",
    "caller same uid",
    "caller other uid",
    "proc reader",
    "caller killed",
    "SIGSTOP",
    "voluntary exit",
    "traced exit",
    "wake event",
    "second caller",
    "call.kill false",
    "bad fd",
    "odd flags",
    "free CPU numbers",
    "mixed capacities",
    "oom_kill event",
    ...[0, 9, 15, 18, 19].map((n) => `sig ${n}`),
    ...[3, 4, 8, 20, 21, 25, 99].map((n) => `advice ${n}`),
    "iov",
    "iov empty",
    "iov below",
    "iov cuts a huge page",
    "iov cuts two huge pages",
    "then process_vm_readv",
    "then proc_mem_read",
    "then waitid",
    "then waitid nohang",
    "mm MMF_OOM_SKIP",
    "mm MMF_UNSTABLE",
    "killer in a child pidns",
    "victim in a child pidns",
    "victim leads its group",
    "thread pidfd",
  ];
  if (Deno.env.get("PROPS_SHOW_COVERAGE")) console.log([...counts].sort((a, b) => a[1] - b[1]));
  // At least 0.5% of the cases each: reached, not by luck.
  const floor = SAMPLES / 200;
  const missing = must.filter((l) => (counts.get(l) ?? 0) < floor)
    .map((l) => `${l}: ${counts.get(l) ?? 0}`);
  assert.deepEqual(missing, [], `edges reached in fewer than ${floor} of ${SAMPLES} cases`);
});

Deno.test("choice lists are short and shrink toward nothing", () => {
  assert.ok(cases.every((c) => c.choices.length <= 24 && c.choices.every((x) => x <= 7)));
  assert.ok(cases.some((c) => c.choices.length === 0));
});

Deno.test("latency worlds have the latency property's shape, at both wake times", () => {
  fc.assert(
    fc.property(arbLatencyCase(), (c) => {
      assert.ok(isLatencyWorld(c), "a generated latency world is not one");
      const later = withVictimWake(c, LATENCY_WAKE_US[1]);
      const victim = later.scenario.processes.find((p) => p.tgid === PIDS.victim)!;
      const untils = victim.threads.filter((t) => t.state === "D").map((t) => t.until_ns);
      assert.ok(untils.length > 0);
      assert.ok(untils.every((u) => u === LATENCY_WAKE_US[1] * 1000));
      // Nothing else changed.
      assert.equal(later.scenario.events.length, c.scenario.events.length);
      assert.deepEqual(later.choices, c.choices);
    }),
    { numRuns: 300, seed: 13 },
  );
});
