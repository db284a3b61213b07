// Bounded-exhaustive exploration (src/engine/explore/): every leaf replays exactly, the
// sleep sets keep every outcome and a wrong independence relation does not, the bound and
// the shards partition the schedules, and the condition's verdicts.

import assert from "node:assert/strict";
import {
  holds,
  judge,
  leafLine,
  outcomeText,
  propText,
  reportLines,
  type ScheduleOutcome,
  scheduleOutcome,
  shardOwns,
  SleepSets,
  walk,
  type WalkOptions,
} from "../src/engine/explore/mod.ts";
import { loadScenarioFile, parseScenario, runScenario } from "../mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import type { Kernel } from "../src/core/wasm.ts";

const TWO = "scenarios/explore/two-callers-same-instant.json";
const two = await loadScenarioFile(TWO);
const mrelease: WalkOptions = { design: findDesign("process_mrelease") };
const outcomes = (o: WalkOptions) =>
  new Set(walk(two, o).leaves.map((l) => outcomeText(l.outcome)));

Deno.test("every schedule's outcome is what a fresh run of its choice list gives", () => {
  // A leaf comes from a world restored from snapshots and recipes replayed from their
  // journals; a fresh run from time 0 with the leaf's choices must agree on everything.
  for (const reduction of ["none", "sleep-sets"] as const) {
    const { leaves } = walk(two, { ...mrelease, reduction });
    assert.ok(leaves.length >= 16, `${leaves.length} schedules`);
    for (const leaf of leaves) {
      const fresh = runScenario(two, { ...mrelease, choices: leaf.schedule });
      assert.deepEqual(leaf.outcome, scheduleOutcome(fresh.outcome), leaf.schedule.join(","));
    }
    assert.equal(new Set(leaves.map((l) => l.schedule.join(","))).size, leaves.length);
  }
});

Deno.test("sleep sets keep every outcome of plain enumeration, with fewer schedules", () => {
  const all = walk(two, { ...mrelease, reduction: "none" });
  const reduced = walk(two, { ...mrelease, reduction: "sleep-sets" });
  // Eight choices of two alternatives each on every path (which caller's CPU acts first, at
  // each instant both are due): 2^8 schedules.
  assert.ok(all.leaves.every((l) => l.schedule.length === 8));
  assert.equal(all.leaves.length, 2 ** 8);
  assert.ok(reduced.leaves.length < all.leaves.length, `${reduced.leaves.length} schedules`);
  assert.ok(reduced.pruned > 0);
  const every = outcomes({ ...mrelease, reduction: "none" });
  assert.equal(every.size, 4);
  assert.deepEqual(outcomes({ ...mrelease, reduction: "sleep-sets" }), every);
  assert.deepEqual(outcomes(mrelease), every, "the default reduction");
});

Deno.test("a wrong independence relation loses outcomes that plain enumeration finds", () => {
  // Every pair of CPUs called commuting, whatever the core answers: the sleep sets then
  // prune the schedules where the second caller wins the race.
  const broken = outcomes({ ...mrelease, reduction: { independent: () => true } });
  const all = outcomes({ ...mrelease, reduction: "none" });
  const lost = [...all].filter((o) => !broken.has(o));
  assert.ok(lost.length > 0, "the broken reduction found every outcome");
  assert.ok(lost.some((o) => o.includes("freed by other")), lost.join("\n"));
});

Deno.test("a sleeping CPU prunes a branch only when it is the one CPU due after it", () => {
  // A stand-in for the core's answer: every pair commutes; after CPU b acts, `dueAfter[b]`
  // are due; b's and t's positions among the due CPUs after the other acted are 0.
  const dueAfter: Record<number, number[]> = { 1: [2], 2: [0] };
  const kernel = {
    order_commutes: (_t: number, b: number) => Uint32Array.from([1, 0, 0, ...dueAfter[b]]),
  } as unknown as Kernel;
  const sleep = new SleepSets(kernel, "sleep-sets");
  const node = sleep.node(0, 3, [0, 1, 2]);
  assert.equal(sleep.choose(0, node, 0, Infinity), 0);
  // After CPU 1, only CPU 2 is due, which is awake: CPU 1's branch runs.
  assert.equal(sleep.choose(0, node, 0, Infinity), 1);
  // After CPU 2, only CPU 0 is due, asleep (its schedules ran first): pruned.
  assert.equal(sleep.choose(0, node, 0, Infinity), undefined);
  assert.equal(sleep.pruned, 1);
  // With a bound, CPU 1 (itself a preemption) may not sleep past CPU 2 when the swapped
  // schedule costs more: t=1 first then b=2 at position 1 costs 2, b=2 first then t=1 at
  // position 0 costs 1. The only CPU due after 2 is 1, so sleeping it would prune 2.
  const bounded = new SleepSets(
    { order_commutes: () => Uint32Array.from([1, 1, 0, 1]) } as unknown as Kernel,
    "sleep-sets",
  );
  const n = bounded.node(0, 3, [0, 1, 2]);
  assert.deepEqual([0, 1, 2].map(() => bounded.choose(0, n, 0, 5)), [0, 1, 2]);
  assert.equal(bounded.pruned, 0);
});

Deno.test("the preemption bound: at most K choices other than the first", () => {
  const counts = [0, 1, 2].map((k) => {
    const { leaves } = walk(two, { ...mrelease, reduction: "none", preemptions: k });
    for (const l of leaves) assert.ok(l.schedule.filter((v) => v !== 0).length <= k);
    return leaves.length;
  });
  assert.equal(counts[0], 1);
  assert.ok(counts[0] < counts[1] && counts[1] < counts[2], counts.join(" "));
  const budget = walk(two, { ...mrelease, reduction: "none", budget: 3 });
  assert.equal(budget.leaves.length, 3);
  assert.ok(budget.truncated);
});

Deno.test("shards partition the schedules; their lines give the one walk's report", () => {
  const key = {
    scenario: two.name,
    file: TWO,
    design: "process_mrelease",
    kernel: "6.18",
    preemptions: null,
    kernel_bugs: 0,
  };
  const one = walk(two, mrelease).leaves;
  const shards = [0, 1, 2, 3].map((i) =>
    walk(two, { ...mrelease, owns: (s, f) => shardOwns(i, 4, s, f) }).leaves
  );
  const names = shards.flat().map((l) => l.schedule.join(","));
  assert.equal(new Set(names).size, names.length, "a schedule in two shards");
  assert.deepEqual(names.sort(), one.map((l) => l.schedule.join(",")).sort());
  assert.ok(shards.filter((s) => s.length > 0).length >= 2, "one shard did everything");
  const merged = reportLines(shards.flat().reverse().map((l) => leafLine(key, l)));
  assert.deepEqual(merged, reportLines(one.map((l) => leafLine(key, l))));
});

Deno.test("the snapshot limit is an error naming the flag that raises it", () => {
  assert.throws(
    () => walk(two, { ...mrelease, maxSnapshots: 1 }),
    /snapshot limit reached: 1 live snapshots .*explore --max-snapshots raises the limit/,
  );
});

Deno.test("herd7's verdicts: Always, Sometimes, Never; exists and forall", () => {
  const o = (ret: string, warnings: string[]): ScheduleOutcome => ({
    ret,
    calls: [],
    victim_killed: true,
    freed_by: { caller: 1, victim: 0, kthreads: 0, other: 0 },
    remaining_pages: ret === "0" ? 0 : 5,
    warnings,
    leaked_refs: 0,
    broken: null,
  });
  const rows = [{ outcome: o("0", []), count: 3 }, { outcome: o("ESRCH", ["x"]), count: 2 }];
  const esrch = { all: [{ ret: "ESRCH" }, { remaining_pages: { min: 1, max: 9 } }] };
  assert.deepEqual(judge({ quantifier: "exists", prop: esrch }, rows), {
    positive: 2,
    negative: 3,
    verdict: "sometimes",
    ok: true,
  });
  const f = judge({ quantifier: "forall", prop: esrch }, rows);
  assert.equal(f.ok, false);
  assert.equal(
    judge({ quantifier: "forall", prop: { freed_by: "caller" } }, rows).verdict,
    "always",
  );
  assert.equal(
    judge({ quantifier: "exists", prop: { not: { victim_killed: true } } }, rows).verdict,
    "never",
  );
  assert.equal(
    judge({ quantifier: "exists", prop: { any: [{ warn: "x" }, { broken: true }] } }, rows)
      .positive,
    2,
  );
});

Deno.test("the explore block: every mistake with its JSON path", async () => {
  const base = JSON.parse(await Deno.readTextFile(TWO));
  const bad = (explore: unknown) => () =>
    parseScenario(JSON.stringify({ ...base, explore }), { path: "x.json" });
  assert.throws(
    bad({ condition: { exists: { ret: "0" }, forall: { ret: "0" } } }),
    /\$\.explore\.condition: expected exactly one of "exists" and "forall"/,
  );
  assert.throws(
    bad({ condition: { exists: { ret: "0", warn: "x" } } }),
    /\$\.explore\.condition\.exists: expected exactly one of/,
  );
  assert.throws(
    bad({ condition: { exists: { freed_by: "me" } } }),
    /\$\.explore\.condition\.exists\.freed_by: expected one of/,
  );
  assert.throws(
    bad({ condition: { exists: { ret: "0" } }, expect: [{ design: "sigkill", verdict: "maybe" }] }),
    /\$\.explore\.expect\[0\]\.verdict/,
  );
  assert.throws(
    bad({ condition: { exists: { remaining_pages: { min: 3, max: 1 } } } }),
    /remaining_pages: expected min <= max/,
  );
  let deep: unknown = { ret: "0" };
  for (let i = 0; i < 10; i++) deep = { not: deep };
  assert.throws(bad({ condition: { exists: deep } }), /expected at most 8 levels/);
  // A scenario without the block still loads: the format grew backward compatibly.
  const { explore: _, ...plain } = base;
  assert.equal(parseScenario(JSON.stringify(plain)).explore, undefined);
});

const RACE_FILES: Record<string, string> = {
  "F.1": "f1-pgtables",
  "F.3": "f3-dangling-mmap",
  "F.5": "f5-inverted-check",
  "F.6": "f6-robust-futex",
};

/**
 * Checks one of docs/races.md's verdict tables against fresh walks of the race files whose
 * names end in `suffix`: the verdict the file states, the condition, the number of
 * schedules (at least `minSchedules`), and (when the table has them) how many schedules satisfy the condition and a
 * witness: a choice list whose fresh run satisfies it.
 */
async function checkRaceTable(marker: string, suffix: string, rowCount: number, minSchedules = 1) {
  const doc = await Deno.readTextFile("docs/races.md");
  const table = doc.split(`<!-- ${marker}:begin -->`)[1].split(`<!-- ${marker}:end -->`)[0];
  const rows = table.split("\n").filter((l) => /^\| F\./.test(l));
  assert.equal(rows.length, rowCount);
  for (const row of rows) {
    const [race, condition, target, verdict, schedules, satisfying, witness] = row.split(" | ")
      .map((c) => c.replace(/^\| /, "").replace(/ \|$/, "").trim().replaceAll("\\\\", "\\"));
    const s = await loadScenarioFile(`scenarios/races/${RACE_FILES[race]}${suffix}.json`);
    const [spec, kernel, bugs] = target.split(", ");
    const [name, variant] = spec.split("@");
    const kernelBugs = bugs === "kernel bug 1" ? 1 : 0;
    const stated = s.explore!.expect.find((e) =>
      e.design === spec && e.kernel === kernel && (e.kernel_bugs ?? 0) === kernelBugs
    );
    assert.ok(stated, row);
    assert.equal(stated.verdict, verdict, row);
    const c = s.explore!.condition;
    assert.equal(`${c.quantifier} ${propText(c.prop)}`, condition, row);
    const options = { design: findDesign(name), variant, kernel: kernel as "6.18", kernelBugs };
    const w = walk(s, options);
    const key = {
      scenario: s.name,
      file: "",
      design: spec,
      kernel,
      preemptions: null,
      kernel_bugs: 0,
    };
    const [report] = reportLines(w.leaves.map((l) => leafLine(key, l)));
    const judged = judge(c, report.outcomes);
    assert.equal(judged.verdict, verdict, row);
    assert.equal(String(report.schedules), schedules, row);
    assert.ok(report.schedules >= minSchedules, row);
    if (satisfying === undefined) continue;
    assert.equal(String(judged.positive), satisfying, row);
    if (witness === "none") continue;
    const choices = witness.replace(/^`|`$/g, "").split(",").map(Number);
    const fresh = runScenario(s, { ...options, choices });
    assert.ok(holds(c.prop, scheduleOutcome(fresh.outcome)), `${row}: the witness`);
  }
}

Deno.test("docs/races.md's table of verdicts is what fresh walks give", async () => {
  await checkRaceTable("explore-races", "", 9);
});

Deno.test("docs/races.md's verdicts over real choices: buggy sometimes, fixed never", async () => {
  // The shared-CPU worlds are the ones where the core makes choices: a buggy version must
  // reach its bad outcome in some schedules but not in all (else the world makes no choice
  // that matters), and a fixed one in none of at least two schedules.
  await checkRaceTable("explore-races-choices", "-shared-cpu", 10, 2);
  for (const race of Object.values(RACE_FILES)) {
    const s = await loadScenarioFile(`scenarios/races/${race}-shared-cpu.json`);
    const verdicts = s.explore!.expect.map((e) => e.verdict);
    assert.ok(verdicts.includes("sometimes") && verdicts.includes("never"), race);
    assert.ok(!verdicts.includes("always"), race);
  }
});

Deno.test("a schedule that reaches a run limit is an outcome of its own, not an error", () => {
  const { leaves } = walk(two, { ...mrelease, limits: { maxSteps: 10 } });
  assert.ok(leaves.length >= 1);
  for (const l of leaves) {
    assert.match(l.outcome.broken ?? "", /steps/);
    assert.match(outcomeText(l.outcome), /^BROKEN /);
    assert.ok(holds({ broken: true }, l.outcome));
  }
});
