// The review's section "The 2026 question" (issue 15): which options it puts side by side
// (read off the registry by a rule, checked on throwaway records), the worlds it builds for
// the stuck and shared victims, the runs against what the kernel does in each (§A.5, §B.2,
// §B.4, errata), the walks against the cost model's parameter, and the objections' readings
// and the conclusion against changed numbers: the wording must follow them.

import assert from "node:assert/strict";
import type { Design, Variant } from "../src/core/mod.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { validateScenario } from "../src/engine/scenario/mod.ts";
import { allUnits, measurePoint, type PointResult, pointScenario } from "../src/lab/report/mod.ts";
import { Results } from "../src/lab/report/results.ts";
import { readParams } from "../src/lab/report/calibration.ts";
import { ESRCH_ID } from "../src/lab/report/sections_esrch.ts";
import { Q2026_ID, SITUATIONS } from "../src/lab/report/experiments_2026.ts";
import { type Facts2026, facts2026, situationRun } from "../src/lab/report/facts_2026.ts";
import {
  bearing,
  conclusion,
  objections,
  REVIEWERS,
  walkReading,
} from "../src/lab/report/objections_2026.ts";
import { isOption, options2026 } from "../src/lab/report/options_2026.ts";
import { q2026Section, q2026SectionWith } from "../src/lab/report/sections_2026.ts";
import { PARTS_2026, teardownBearing } from "../src/lab/report/parts_2026.ts";
import { TEARDOWN_ID, teardownNumbers } from "../src/lab/report/sections_2026_teardown.ts";
import { SHARER_TGID, VICTIM_TGID } from "../src/lab/report/world.ts";

// --- Which options: the rule, on throwaway records -------------------------------------------

const v = (name: string, more: Partial<Variant> = {}): Variant => ({
  name,
  summary: name,
  source: "test",
  ...more,
});
const throwaway: Design = {
  ...designs()[0],
  name: "throwaway",
  breaks: [{ property: "safety", rules: ["zap_live_sharer"], why: "its own" }],
  variants: [
    v("posted"), // superseded by the release after it
    v("old", { kernels: ["5.15"] }),
    v("now", { kernels: ["6.18"] }), // what 6.18 runs: the design's own row
    v("reading"), // an option
    v("lost-race", { races: [{ race: "f5-inverted-check", kernel: "6.18", buggy: true }] }),
    v("bug", { breaks: [{ property: "effectiveness", rules: ["reapable_left"], why: "bug" }] }),
    v("as-design", {
      breaks: [{ property: "safety", rules: ["zap_live_sharer"], why: "as the design" }],
    }),
    v("bug-elsewhere", {
      breaks: [{ property: "safety", rules: ["vma_use_after_free"], kernels: ["5.15"], why: "" }],
    }),
  ],
};

Deno.test("an option is a variant no release shipped or superseded and with no bug of its own", () => {
  const pick = (name: string) => throwaway.variants!.find((x) => x.name === name)!;
  const options = ["reading", "as-design", "bug-elsewhere"];
  for (const x of throwaway.variants!) {
    assert.equal(isOption(throwaway, x), options.includes(x.name), x.name);
  }
  assert.equal(isOption(throwaway, pick("now")), false); // the design's own row already
  assert.deepEqual(
    options2026([throwaway]).map((o) => o.run.label),
    ["throwaway", ...options.map((o) => `throwaway@${o}`)],
  );
});

Deno.test("every registered baseline and proposal is an option, in the registry's order", () => {
  const rows = options2026().filter((o) => o.variant === undefined).map((o) => o.design.name);
  assert.deepEqual(rows, designs().map((d) => d.name));
});

// --- The worlds ------------------------------------------------------------------------------

const units = allUnits(false);
const unit = (name: string) => {
  const u = units.find((u) => u.point.name === name);
  assert.ok(u, `no point ${name}`);
  return u;
};
type Json = Record<string, unknown>;
const procs = (name: string) =>
  validateScenario(pointScenario(unit(name).point)).processes as unknown as Json[];

Deno.test("the shared-mm worlds: init, and a sharer lmkd may not signal", () => {
  const init = procs(`${Q2026_ID}-init-sharer`);
  const victimMm = (p: Json[]) => p.find((x) => x.tgid === VICTIM_TGID)!.mm;
  assert.equal(init.find((x) => x.tgid === 1)!.mm, victimMm(init));
  const s = validateScenario(pointScenario(unit(`${Q2026_ID}-unsignalable-sharer`).point));
  const sharer = s.processes.find((p) => p.tgid === SHARER_TGID)!;
  const victim = s.processes.find((p) => p.tgid === VICTIM_TGID)!;
  const lmkd = s.processes.find((p) => p.threads.some((t) => t.pid === s.caller.pid))!;
  assert.equal(sharer.mm, victim.mm);
  assert.equal(sharer.vfork_child, false);
  // check_kill_permission(): a uid match or CAP_KILL. lmkd matches the victim, not the sharer.
  assert.equal(victim.uid, lmkd.uid);
  assert.notEqual(sharer.uid, lmkd.uid);
  assert.ok(!JSON.stringify(lmkd).includes("CAP_KILL"));
});

Deno.test("every situation the format cannot state is labelled with its stand-in", () => {
  const standIns = SITUATIONS.filter((s) => s.standIn).map((s) => s.id);
  assert.deepEqual(standIns, ["frozen-v2", "ptrace-stopped"]);
  for (const s of SITUATIONS.filter((s) => s.standIn)) {
    assert.match(
      pointScenario(unit(`${Q2026_ID}-${s.id}`).point).description as string,
      /stated as/,
    );
  }
});

// --- Measured: the section's points and the world-size points it reads -------------------------

const WALK_POINTS = [100, 100_000].flatMap((
  n,
) => [`world-${n}-procs-4-threads`, `world-${n}-procs-1-thread`]);
const mine = units.filter((u) =>
  u.experiment.id === Q2026_ID || u.experiment.id === ESRCH_ID ||
  u.experiment.id === TEARDOWN_ID || WALK_POINTS.includes(u.point.name)
);
const results: PointResult[] = [];
for (const u of mine) results[u.index] = measurePoint(u.point);
const r = new Results({ units: mine, results, params: new Map(), host: null, full: false });
const facts = facts2026(r);
const run = (id: string, label: string) => situationRun(r, id, label);

Deno.test("a sharer the call kills: the vfork child is killed, init and a refused kill give EBUSY", () => {
  // REAP_KILL v3 (errata): kill_all_shared_mm() kills every sharer but init and kthreads, and
  // answers EBUSY after the others when a sharer is init or a kill fails; nothing is reaped.
  const sharerKillers = options2026().filter((o) =>
    o.design.killsSharers && o.design.reaper === "caller"
  );
  assert.ok(sharerKillers.length > 0);
  for (const o of sharerKillers) {
    const l = o.run.label;
    assert.deepEqual(run("vfork-child", l).killed_tgids, [VICTIM_TGID, 1100]);
    assert.equal(run("init-sharer", l).errno, "EBUSY");
    assert.equal(run("init-sharer", l).freed_pages, 0);
    assert.equal(run("unsignalable-sharer", l).errno, "EBUSY");
    assert.deepEqual(run("unsignalable-sharer", l).killed_tgids, [VICTIM_TGID]);
  }
  // The OOM killer kills every sharer but init, whoever owns it (__oom_kill_process, §B.4).
  for (const o of options2026().filter((o) => o.design.reaper === "kthread")) {
    assert.ok(run("unsignalable-sharer", o.run.label).killed_tgids!.includes(SHARER_TGID));
    assert.ok(!run("init-sharer", o.run.label).killed_tgids!.includes(1));
  }
});

Deno.test("a live sharer makes task_will_free_mem() false: the call fails, nothing freed", () => {
  // §B.2: __task_will_free_mem() is false for any process sharing the mm that is not dying;
  // each call then refuses in its own words (process_mrelease EINVAL, SYNC_REAP_MM EBUSY).
  const asking = options2026().filter((o) =>
    o.design.dyingTest === "task_will_free_mem" && !o.design.killsSharers
  );
  assert.ok(asking.length > 0);
  for (const o of asking) {
    for (const id of ["vfork-child", "init-sharer", "unsignalable-sharer"]) {
      assert.notEqual(run(id, o.run.label).errno, 0, `${o.run.label} ${id}`);
      assert.equal(run(id, o.run.label).freed_pages, 0, `${o.run.label} ${id}`);
    }
  }
});

Deno.test("SIGKILL alone: the v1-frozen victim never exits, the v2-frozen one does", () => {
  // The v1 freezer's frozen task wakes for no signal; do_freezer_trap()'s interruptible sleep
  // (v2) wakes for SIGKILL; a D sleep holds the exit until it ends (500 ms, from the decision
  // at 1 ms: 499 ms).
  const kill = options2026().find((o) => o.design.reaper === "victim")!.run.label;
  assert.equal(run("frozen-v1", kill).freed_pages, 0);
  assert.equal(run("frozen-v2", kill).freed_pages, run("frozen-v2", kill).reclaimable_pages);
  assert.ok(run("d", kill).t90_ns! > 499e6);
  for (const o of options2026().filter((o) => o.design.reaper === "caller")) {
    assert.ok(run("d", o.run.label).t90_ns! < 499e6, o.run.label);
  }
});

Deno.test("the walks at 100,000 processes cost 99,900 × TWFM_NS_PER_PROCESS at speed 1.0", async () => {
  const twfm = (await readParams(".")).get("TWFM_NS_PER_PROCESS")!.value;
  const walk = (l: string) => facts.walk.find((w) => w.label === l)!;
  const askers = options2026().filter((o) => o.design.dyingTest === "task_will_free_mem");
  assert.ok(askers.length > 0);
  for (const o of askers) {
    const w = walk(o.run.label);
    // The caller runs on a big core at speed 1.0: one walk a call over 99,900 more processes.
    assert.ok(
      Math.abs(w.multi - 99_900 * twfm) <= 0.01 * 99_900 * twfm,
      `${o.run.label} ${w.multi}`,
    );
    // A single-threaded victim (mm_users 1) takes the fast path, unless the call also kills
    // every sharer, which walks the process list for them whatever mm_users says.
    assert.equal(w.single === 0, !o.design.killsSharers, o.run.label);
  }
  const victim = options2026().find((o) => o.design.reaper === "victim")!;
  assert.equal(walk(victim.run.label).multi, 0);
});

Deno.test("the section: its headline, its tables and one row per objection", () => {
  const files = new Map<string, string>();
  const exp = unit(`${Q2026_ID}-d`).experiment;
  const text = q2026Section(r, { exp, files });
  const head = text.split("\n").findIndex((l) => l.startsWith("| option | found nothing"));
  assert.ok(head > 0);
  const after = text.split("\n").slice(head + 2);
  const rows = after.slice(0, after.findIndex((l) => !l.startsWith("|")));
  assert.equal(rows.length, options2026().length);
  for (const row of rows) assert.equal(row.split(" | ").length, 6, row);
  assert.ok(files.has("q2026-esrch-t90-own-recipe.svg"));
  assert.ok(files.has("q2026-esrch-t90-other-first.svg"));
  // Every reviewer of the thread has a row, and only they do.
  const who = new Set(objections().map((o) => o.who));
  assert.deepEqual([...who].sort(), [...REVIEWERS].sort());
  for (const o of objections()) assert.ok(text.replaceAll("<br>", " ").includes(o.said), o.said);
});

// --- The wording follows the numbers ---------------------------------------------------------

const with_ = (patch: Partial<Facts2026>): Facts2026 => ({ ...facts, ...patch });

Deno.test("the ESRCH reading: which options close the window, from the numbers", () => {
  // Measured: process_mrelease_exit_mm does not kill in its call, yet task->exit_mm lets it
  // reach the mm past exit_mm, so it closes the window too: the split is not the kill's.
  const exitMm = facts.esrch.find((m) => m.label === "process_mrelease_exit_mm")!;
  assert.ok(!exitMm.killsInCall && exitMm.nothing === 0);
  const now = bearing("esrch", facts)!.reading;
  assert.match(now, /does not follow whether the call is the kill/);
  // Every option whose call is the kill closes it and every other misses: the split follows.
  const split = facts.esrch.map((m) =>
    m.killsInCall
      ? { ...m, nothing: 0, firstMissUs: undefined }
      : { ...m, nothing: 1, firstMissUs: 20 }
  );
  assert.match(
    bearing("esrch", with_({ esrch: split }))!.reading,
    /closed for the options whose call is the kill/,
  );
  // One option whose call is the kill misses once: the split no longer follows the kill.
  const i = split.findIndex((m) => m.killsInCall);
  const esrch = split.map((m, j) => j === i ? { ...m, nothing: 1, firstMissUs: 20 } : m);
  const then = bearing("esrch", with_({ esrch }))!.reading;
  assert.match(then, /does not follow whether the call is the kill/);
  // Nobody misses: the window does not separate them.
  const none = facts.esrch.map((m) => ({ ...m, nothing: 0, firstMissUs: undefined }));
  assert.match(bearing("esrch", with_({ esrch: none }))!.reading, /does not separate/);
  assert.ok(conclusion(with_({ esrch: none })).some((s) => /does not separate/.test(s)));
});

Deno.test("the scope reading names who killed processes the caller did not name", () => {
  const now = bearing("scope", facts)!;
  for (const x of facts.sharers.runs.filter((x) => x.killedOthers.length)) {
    assert.ok(now.reading.includes(`\`${x.label}\``), x.label);
  }
  const runs = facts.sharers.runs.map((x) => ({ ...x, killedOthers: [], answers: [] }));
  const then = bearing("scope", with_({ sharers: { ...facts.sharers, runs } }))!;
  assert.match(then.reading, /No option here kills a process the caller did not name/);
  assert.ok(!conclusion(with_({ sharers: { ...facts.sharers, runs } })).includes(now.reading));
});

Deno.test("the holder, pin and walk readings turn with their numbers", () => {
  const { holder } = facts;
  assert.match(bearing("holders", facts)!.reading, /left the memory to the holder's mmput/);
  const early = { ...holder, missedT100: [holder.releaseNs - 1] };
  assert.match(bearing("holders", with_({ holder: early }))!.reading, /before the holder let go/);

  const scaled = (k: number) =>
    facts.pin.map((p) => p.pins === "mm_users" ? { ...p, t90: p.t90! * k } : p);
  // The best of each pin equal: the pin does not change how fast, only who frees.
  const bestCount = Math.min(...facts.pin.filter((p) => p.pins === "mm_count").map((p) => p.t90!));
  const even = facts.pin.map((p) => p.pins === "mm_users" ? { ...p, t90: bestCount } : p);
  assert.match(bearing("pin", with_({ pin: even }))!.reading, /does not change how fast/);
  assert.match(bearing("pin", with_({ pin: scaled(2) }))!.reading, /mmgrab is faster/);
  assert.match(bearing("pin", with_({ pin: scaled(0.5) }))!.reading, /mmget is faster/);

  assert.match(walkReading(with_({ reapNs: facts.reapNs * 100 }))!, /hardly separate/);
  assert.match(walkReading(with_({ reapNs: facts.reapNs / 100 }))!, /× the cheapest.*separates/);
  // 99,900 × 25 ns next to a 64 MiB reap of about 5.6 ms (16,384 pages × REAP_NS_PER_PAGE
  // 330 ns): over the 10% line, under the reap itself.
  assert.match(walkReading(facts)!, /\d+% of the cheapest 64 MiB reap.*a cost that separates/);
});

Deno.test("a part that bears on an open topic closes it in the table and the conclusion", () => {
  const open = (parts = {}) =>
    conclusion(facts, parts).find((s) => s.startsWith("Not measured in this section")) ?? "";
  assert.match(open(), /exit_mmap's locking/);
  const part = { teardown: { measured: "m", reading: "exit_mmap's write lock: measured" } };
  assert.equal(bearing("teardown", facts, part)!.reading, part.teardown.reading);
  assert.doesNotMatch(open(part), /exit_mmap's locking/);
});

Deno.test("every objection but exit_mmap's locking has a measurement in this section", () => {
  // The ESRCH window, holders, the mm-scoped kill, the kill in the call and the pin are all
  // measured above; exit_mmap under the write lock is the parallel-teardown part's (a hook).
  const measured = ["esrch", "holders", "scope", "kill", "pin"];
  for (const t of measured) assert.ok(objections().some((o) => o.topic === t), t);
  for (const o of objections().filter((o) => measured.includes(o.topic ?? ""))) {
    assert.ok(bearing(o.topic, facts), `${o.who}: ${o.said}`);
  }
  const linus = objections().filter((o) => o.who === "Linus Torvalds" && o.topic === "teardown");
  assert.equal(linus.length, 1);
  assert.equal(bearing("teardown", facts), undefined);
  for (const o of objections().filter((o) => o.from !== "§C.5")) {
    assert.ok(designs().some((d) => d.name === o.from && d.date.startsWith("2026")), o.from);
  }
});

Deno.test("a part joined at the hook renders in the section and answers its objection", () => {
  const exp = unit(`${Q2026_ID}-d`).experiment;
  const part = {
    id: "teardown",
    title: "Parallel teardown (a test part)",
    render: () => ["the part's own line"],
    bears: () => ({ teardown: { measured: "teardown measured", reading: "teardown read" } }),
  };
  const others = PARTS_2026.filter((p) => !p.bears?.(r).teardown);
  const without = q2026SectionWith(others)(r, { exp, files: new Map() });
  const joined = q2026SectionWith([...others, part])(r, { exp, files: new Map() });
  assert.ok(!without.includes(part.title));
  assert.match(joined, /### Parallel teardown \(a test part\)\n\nthe part's own line/);
  // The part's section comes before the objections, whose Linus row now cites it.
  assert.ok(joined.indexOf(part.title) < joined.indexOf("### The reviewers' objections"));
  const linus = joined.split("\n").find((l) => l.startsWith("| Linus"))!;
  assert.match(linus, /teardown measured \| teardown read \|$/);
  assert.match(without, /Not measured in this section, so still open here/);
  assert.doesNotMatch(joined, /Not measured in this section, so still open here/);
});

Deno.test("the parallel-teardown part answers exit_mmap's locking, its reading from the numbers", () => {
  const n = teardownNumbers(r);
  const part = PARTS_2026.find((p) => p.bears?.(r).teardown !== undefined);
  assert.ok(part, "a part bears on exit_mmap's locking");
  assert.ok(
    !q2026Section(r, { exp: unit(`${Q2026_ID}-d`).experiment, files: new Map() })
      .includes("Not measured in this section, so still open here"),
  );
  // The write lock makes the caller free everything, alone (the teardown section's cells):
  // as released on big cores the victim's exit shares the work, so t90 grows under the lock.
  assert.ok(n.callerShareWriteLock.big > n.callerShareReleased.big);
  assert.match(teardownBearing(n).reading, /serialises the teardown/);
  const same = { ...n, t90WriteLockNs: n.t90ReleasedNs };
  assert.match(teardownBearing(same).reading, /changes t90 by under 10%/);
  assert.doesNotMatch(teardownBearing(same).reading, /serialises/);
});

Deno.test("a reviewer's point on one topic is one row, naming every record that carries it", () => {
  const rows = objections().filter((o) => o.topic !== undefined);
  const keys = rows.map((o) => `${o.who}:${o.topic}`);
  assert.deepEqual(keys, [...new Set(keys)], "no reviewer and topic twice");
  // Christian Brauner's mm-scoped-kill point is in the REAP_KILL record and the exit_mm one.
  const scope = rows.find((o) => o.who === "Christian Brauner" && o.topic === "scope")!;
  assert.deepEqual([scope.from, ...(scope.also ?? [])].sort(), [
    "process_mrelease_exit_mm",
    "process_mrelease_reap_kill",
  ]);
});
