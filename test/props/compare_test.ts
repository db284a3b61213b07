// Comparisons between designs (docs/semantic-diff.md): every pair of targets on the same
// generated world, every difference in a named class of DIFFERENCE_CLASSES, the refinements
// asserted outright, each class's minimal example replayed, and broken copies of designs
// caught. fast-check runs with a fixed seed and budget, so a run depends on the code alone.
//
// Budgets: COMPARE_RUNS=N worlds for the comparison (CI: 10000, about 10 s), REFINE_RUNS=N
// in-domain worlds per refinement; COMPARE_SEED=S; MRELEASE_PROPS_OUT=DIR where a failing
// world is written (default: a new temporary directory).

import assert from "node:assert/strict";
import type { Design } from "../../src/core/design.ts";
import {
  caseFacts,
  checkComparison,
  checkRefinement,
  classifyPair,
  classMatches,
  COMPARE_TARGETS,
  type CompareReport,
  compareTargets,
  DIFFERENCE_CLASSES,
  differingAspects,
  formatCompareReport,
  REFINEMENTS,
  retOf,
  SUSPECTED_BUGS,
  writeCompareFailure,
} from "../../src/lab/props/compare.ts";
import { parseTarget, type Target } from "../../src/lab/props/properties.ts";
import { runScenario } from "../../src/engine/run/experiment.ts";
import { loadScenarioFile } from "../../src/engine/scenario/mod.ts";
import { examplePath } from "../../src/lab/docs/_semantic_diff.ts";

const RUNS = Number(Deno.env.get("COMPARE_RUNS") ?? 10000);
const REFINE_RUNS = Number(Deno.env.get("REFINE_RUNS") ?? 3000);
const SEED = Number(Deno.env.get("COMPARE_SEED") ?? 20260601);
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

Deno.test("the class table: unique ids, real targets, examples of pairs it separates", () => {
  const ids = [...DIFFERENCE_CLASSES, ...SUSPECTED_BUGS].map((k) => k.id);
  assert.equal(new Set(ids).size, ids.length, "class ids are unique");
  for (const k of [...DIFFERENCE_CLASSES, ...SUSPECTED_BUGS]) {
    assert.match(k.id, /^[a-z0-9-]{1,64}$/, `${k.id}: an id names a scenario file`);
    assert.ok(k.explains.length > 0, `${k.id} accounts for some aspect`);
    assert.match(k.explanation, /§[A-G]/, `${k.id}: the explanation cites the reference`);
    for (const side of k.separates) {
      for (const t of side) assert.ok(COMPARE_TARGETS.includes(t), `${k.id}: ${t} is a target`);
    }
    const [a, b] = k.example.pair;
    const ordered = k.separates[0].includes(a) && k.separates[1].includes(b);
    const reversed = k.separates[0].includes(b) && k.separates[1].includes(a);
    assert.ok(ordered || reversed, `${k.id}: its example pair is one it separates`);
  }
  for (const r of REFINEMENTS) {
    for (const t of r.pair) assert.ok(COMPARE_TARGETS.includes(t), `${r.id}: ${t} is a target`);
  }
});

// ---- the comparison ----

Deno.test("every difference between two designs on a generated world falls in a named class", async () => {
  await assertHolds("comparison", checkComparison({ numRuns: RUNS, seed: SEED }));
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
    const kernel = k.example.kernel;
    assert.equal(s.kernel, kernel, "the file's kernel is the class's example kernel");
    const [a, b] = k.example.pair.map((name) => {
      const t = parseTarget(name);
      return runScenario(s, { design: t.design, variant: t.variant, kernel }).outcome;
    });
    const f = caseFacts(s, kernel);
    const aspects = differingAspects(a, b);
    assert.ok(
      k.explains.some((x) => aspects.includes(x)),
      `the designs differ in [${aspects}], none of which ${k.id} accounts for`,
    );
    const pa = [k.example.pair[0], a] as const, pb = [k.example.pair[1], b] as const;
    assert.ok(classMatches(k, f, pa, pb), `${k.id}'s predicate holds on its example`);
    assert.deepEqual(classifyPair(f, pa, pb).unexplained, [], "and the pair is classified");
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
  const s = { ret: Number.NaN, errno: "NaN" } as unknown as Parameters<typeof retOf>[0];
  assert.equal(retOf(s), "unfinished");
});
