// Comparisons between designs (docs/semantic-diff.md): every pair of targets on the same
// generated world (every argument of the call varied: signal, advice, vector, the OOM
// killer first, follow-up calls), every difference in a named class of
// DIFFERENCE_CLASSES, the refinements asserted outright, each class's minimal example
// replayed, and broken copies of designs caught. fast-check runs with a fixed seed and budget, so a run depends on the code alone.
//
// Budgets: COMPARE_RUNS=N worlds for the comparison (CI: 10000, about 30 s), REFINE_RUNS=N
// in-domain worlds per refinement; COMPARE_SEED=S; MRELEASE_PROPS_OUT=DIR where a failing
// world is written (default: a new temporary directory).

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Design } from "../../src/core/mod.ts";
import {
  arbCase,
  caseFacts,
  checkComparison,
  checkRefinement,
  classifyPair,
  classMatches,
  COMPARE_TARGETS,
  type CompareReport,
  compareTargets,
  compareWorld,
  DIFFERENCE_CLASSES,
  differingAspects,
  exampleOf,
  examplePath,
  formatCompareReport,
  parseTarget,
  PROPS_SEED_DEFAULT,
  REFINEMENTS,
  retOf,
  runOn,
  SITUATIONS,
  SUSPECTED_BUGS,
  type Target,
  writeCompareFailure,
} from "../../src/lab/props/mod.ts";
import { designs } from "../../src/lab/designs/mod.ts";
import { loadScenarioFile } from "../../src/engine/scenario/mod.ts";

const RUNS = Number(Deno.env.get("COMPARE_RUNS") ?? 10000);
const REFINE_RUNS = Number(Deno.env.get("REFINE_RUNS") ?? 3000);
const SEED = Number(Deno.env.get("COMPARE_SEED") ?? PROPS_SEED_DEFAULT);
const outDir = Deno.env.get("MRELEASE_PROPS_OUT");

/** Fails with the report, the shrunk world written to a file and its replay command. */
async function assertHolds(what: string, r: CompareReport): Promise<void> {
  if (r.ok) {
    console.log(formatCompareReport(what, r));
    return;
  }
  const dir = outDir ?? await Deno.makeTempDir({ prefix: "mrelease-compare-" });
  const written = r.failure
    ? await writeCompareFailure(dir, r.failure, what.replace(/[^a-z0-9]+/gi, "-"))
    : undefined;
  assert.fail(formatCompareReport(what, r, written));
}

// ---- the table ----

Deno.test("the class table: unique ids, sides that select targets, examples it separates", async () => {
  const ids = [...DIFFERENCE_CLASSES, ...SUSPECTED_BUGS].map((k) => k.id);
  assert.equal(new Set(ids).size, ids.length, "class ids are unique");
  const targets = compareTargets();
  for (const k of [...DIFFERENCE_CLASSES, ...SUSPECTED_BUGS]) {
    assert.match(k.id, /^[a-z0-9-]{1,64}$/, `${k.id}: an id names a scenario file`);
    assert.ok(k.explains.length > 0, `${k.id} accounts for some aspect`);
    assert.match(k.explanation, /§[A-G]/, `${k.id}: the explanation cites the reference`);
    for (const side of k.separates) {
      assert.ok(targets.some(side), `${k.id}: each side selects a target`);
    }
  }
  for (const k of DIFFERENCE_CLASSES) {
    const { pair } = exampleOf(await loadScenarioFile(examplePath(k.id)));
    const [a, b] = pair.map((n) => targets.find((t) => t.name === n));
    assert.ok(a && b, `${k.id}: its example names two targets (${pair})`);
    const [first, second] = k.separates;
    assert.ok(
      (first(a) && second(b)) || (first(b) && second(a)),
      `${k.id}: its example pair is one it separates`,
    );
  }
  for (const r of REFINEMENTS) {
    for (const t of r.pair) assert.ok(COMPARE_TARGETS.includes(t), `${r.id}: ${t} is a target`);
  }
});

Deno.test("every answer a record states is for a situation the comparison names", () => {
  for (const d of designs()) {
    for (const situation of Object.keys(d.answers ?? {})) {
      assert.ok(situation in SITUATIONS, `${d.name}: unknown situation "${situation}"`);
    }
  }
});

// ---- the comparison ----

Deno.test("every difference between two designs on a generated world falls in a named class", async () => {
  await assertHolds("comparison", checkComparison({ numRuns: RUNS, seed: SEED }));
});

// The expedite's oom-reaper reading (its kthread reaps) against every other target, on its
// own: its classes are those of src/lab/props/compare/_expedite.ts.
Deno.test("every difference of pidfd_expedite@oom-reaper from another target falls in a named class", async () => {
  assert.ok(COMPARE_TARGETS.includes("pidfd_expedite@oom-reaper"), "the variant is a target");
  const r = checkComparison({ numRuns: RUNS, seed: SEED, involving: "pidfd_expedite@oom-reaper" });
  await assertHolds("comparison of pidfd_expedite@oom-reaper", r);
});

Deno.test("without the kthread's classes, the oom-reaper reading's differences are unclassified", () => {
  // Each class of _expedite.ts is needed: the comparison finds a pair it alone explains.
  const ids = ["expedite-kthread-frees", "expedite-reaper-wakeup"];
  for (const id of ids) {
    const targets = compareTargets();
    const r = checkComparison({
      numRuns: RUNS,
      seed: SEED,
      targets,
      involving: "pidfd_expedite@oom-reaper",
      classes: DIFFERENCE_CLASSES.filter((k) => k.id !== id),
    });
    assert.equal(r.ok, false, `without ${id} the comparison fails`);
    console.log(`without ${id}: unclassified after ${r.runs} runs`);
  }
});

// ---- the refinements ----

for (const r of REFINEMENTS) {
  Deno.test(`refinement ${r.id}`, async () => {
    await assertHolds(r.id, checkRefinement(r, { numRuns: REFINE_RUNS, seed: SEED }));
  });
}

// ---- the minimal examples ----

for (const k of DIFFERENCE_CLASSES) {
  Deno.test(`example ${examplePath(k.id)} replays and shows ${k.id}`, async () => {
    const s = await loadScenarioFile(examplePath(k.id));
    const { pair, kernel } = exampleOf(s);
    const [ta, tb] = pair.map((name) => parseTarget(name));
    const [a, b] = [ta, tb].map((t) => runOn({ scenario: s, kernel }, t));
    const f = caseFacts(s, kernel);
    const aspects = differingAspects(a, b);
    assert.ok(
      k.explains.some((x) => aspects.includes(x)),
      `the designs differ in [${aspects}], none of which ${k.id} accounts for`,
    );
    const pa = [ta, a] as const, pb = [tb, b] as const;
    assert.ok(classMatches(k, f, pa, pb), `${k.id}'s predicate holds on its example`);
    assert.deepEqual(classifyPair(f, pa, pb).unexplained, [], "and the pair is classified");
  });
}

// The classes of the varied arguments and the history states (src/lab/props/compare/
// _arguments.ts, _oom.ts, _pidns.ts): on its own example, each is the only class that
// accounts for the difference.
const VARIED_ARGUMENT_CLASSES = [
  "signal-other-than-sigkill",
  "advice-refused-for-another-process",
  "advice-frees-nothing",
  "oom-skip-answers",
  "oom-victim-left-to-the-reaper",
  "oom-reaper-gives-up-during-the-wait",
  "oom-reaper-joins-the-reap",
  "oom-skip-from-history",
  "caller-cannot-see-target",
];
for (const id of VARIED_ARGUMENT_CLASSES) {
  Deno.test(`without ${id}, its example's pair is unclassified`, async () => {
    const s = await loadScenarioFile(examplePath(id));
    const { pair, kernel } = exampleOf(s);
    const [ta, tb] = pair.map((name) => parseTarget(name));
    const [a, b] = [ta, tb].map((t) => runOn({ scenario: s, kernel }, t));
    const without = DIFFERENCE_CLASSES.filter((k) => k.id !== id);
    const { unexplained } = classifyPair(caseFacts(s, kernel), [ta, a], [tb, b], without);
    assert.notDeepEqual(unexplained, [], `${id} is needed on its example`);
  });
}

Deno.test("scenarios/diff holds one example per class and nothing else", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir("scenarios/diff")) files.push(`scenarios/diff/${e.name}`);
  assert.deepEqual(files.sort(), DIFFERENCE_CLASSES.map((k) => examplePath(k.id)).sort());
});

// ---- broken copies of designs are caught ----

/** A target whose design's recipe is replaced. */
function broken(name: string, recipe: Design["recipe"]): Target[] {
  return compareTargets().map((t) =>
    t.name === name ? { ...t, design: { ...t.design, recipe } } : t
  );
}

Deno.test("the comparison catches process_reap answering EBUSY where it answers EINVAL", () => {
  const real = parseTarget("process_reap").design;
  const targets = broken("process_reap", function* (u, ctx) {
    const ret = yield* real.recipe(u, ctx);
    return ret === -22 ? -16 : ret;
  });
  const r = checkComparison({ numRuns: RUNS, seed: SEED, targets });
  assert.equal(r.ok, false, "an errno swapped in process_reap is reported as unclassified");
  console.log(`process_reap EINVAL->EBUSY: reported after ${r.runs} runs`);
  assert.ok(r.failure?.problems.some((p) => p.includes("process_reap")));
});

Deno.test("each refinement fails when the first design's call does not reap", () => {
  for (const r of REFINEMENTS) {
    const [name] = r.pair;
    // The recipe kills through a pidfd as before, then answers 0 without any reap.
    const targets = broken(name, function* (u, ctx) {
      const fd = yield* u.pidfd_open(ctx.victim, 0);
      yield* u.pidfd_send_signal(fd, 9, 0);
      return 0;
    });
    const report = checkRefinement(r, { numRuns: REFINE_RUNS, seed: SEED, targets });
    assert.equal(report.ok, false, `${r.id} fails with a ${name} that does not reap`);
    console.log(`${r.id} with ${name} not reaping: found after ${report.runs} runs`);
  }
});

Deno.test("retOf names the answers a comparison sees", () => {
  const s = { ret: null, errno: "unfinished" } as unknown as Parameters<typeof retOf>[0];
  assert.equal(retOf(s), "unfinished");
});

Deno.test("a copy of each registered design under another name is classified like it", () => {
  // Registering a design is the only step for it to reach the comparison: its record's facts
  // place it in the classes, so a copy differs from its original in nothing and is
  // classified against every other target exactly as the original is.
  const copies = designs().map((d): Design => ({ ...d, name: `${d.name}_copy` }));
  const targets = compareTargets(copies);
  const original = (name: string) => name.replace(/_copy(?=$|@)/, "");
  for (let seed = 1; seed <= 40; seed++) {
    const [c] = fc.sample(arbCase(), { numRuns: 1, seed });
    const w = compareWorld(c, { targets });
    const byPair = new Map(w.pairs.map((p) => [p.pair.join(" vs "), p]));
    for (const p of w.pairs) {
      const [a, b] = p.pair.map(original);
      assert.deepEqual(p.unexplained, [], `${p.pair.join(" vs ")}: unclassified`);
      if (a === b) {
        assert.deepEqual(p.aspects, [], `${p.pair.join(" vs ")} differ on seed ${seed}`);
        continue;
      }
      const twin = byPair.get(`${a} vs ${b}`) ?? byPair.get(`${b} vs ${a}`);
      assert.ok(twin, `${a} vs ${b} was compared`);
      assert.deepEqual(p.classes, twin.classes, `${p.pair.join(" vs ")} on seed ${seed}`);
    }
  }
});
