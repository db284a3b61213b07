// The per-design properties (docs/properties.md) for every registered design and the named
// variants: fast-check with a fixed seed and budget, so a run depends on the code alone.
// Kept cases under test/props/failures/ are replayed first. A target that is known to break
// a rule (its design record's `breaks`) must hold without that rule and must still be caught
// breaking it: the test fails if the break disappears.
//
// Budgets: PROPS_RUNS=N sets every property's runs (the CI numbers are below); PROPS_SEED=S
// the base seed; MRELEASE_PROPS_OUT=DIR where failing cases are written (default: a new
// temporary directory). `deno task sweep` runs the same checks with larger budgets.

import assert from "node:assert/strict";
import {
  checkProperty,
  derivedFailuresOf,
  expectedFailures,
  formatReport,
  parseCaseFile,
  parseTarget,
  PROPERTIES,
  PROPERTY_NAMES,
  type PropertyName,
  PROPS_SEED_DEFAULT,
  targets,
  toCase,
} from "../../src/lab/props/mod.ts";
import { designs } from "../../src/lab/designs/mod.ts";

/** Runs per property and target in `deno task test` (about 20 s in all on 2 cores). */
const CI_RUNS: Readonly<Record<PropertyName, number>> = {
  safety: 2000,
  effectiveness: 2000,
  latency: 2000,
  determinism: 1000,
  // One run each, on small worlds (at most 192 MiB, 400 ms): about 0.3 ms a run.
  "esrch-free": 1000,
};
const EXPECTED_BUDGET = 5000;

const envRuns = Deno.env.get("PROPS_RUNS");
const seed = Number(Deno.env.get("PROPS_SEED") ?? PROPS_SEED_DEFAULT);
// Default: a temporary directory, made only when a case has to be written.
const outDir = Deno.env.get("MRELEASE_PROPS_OUT");

// ---- kept cases first ----

const FAILURES_DIR = new URL("./failures/", import.meta.url);
const kept: { name: string; text: string }[] = [];
try {
  for await (const e of Deno.readDir(FAILURES_DIR)) {
    if (e.isFile && e.name.endsWith(".json")) {
      kept.push({ name: e.name, text: await Deno.readTextFile(new URL(e.name, FAILURES_DIR)) });
    }
  }
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
kept.sort((a, b) => a.name.localeCompare(b.name));

for (const k of kept) {
  Deno.test(`kept case ${k.name} replays as recorded`, () => {
    const f = parseCaseFile(JSON.parse(k.text), k.name);
    assert.ok(f.design && f.kernel && f.property, "a kept case names its design, kernel, property");
    const c = toCase(f.scenario, { kernel: f.kernel, choices: f.choices ?? [] });
    const p = PROPERTIES.find((p) => p.name === f.property)!;
    const rules = p.check(c, parseTarget(f.design), { kernelBugs: f.kernel_bugs }).map((v) =>
      v.rule
    );
    if (f.expect_violations) {
      for (const r of f.expect_violations) {
        assert.ok(rules.includes(r), `${k.name}: expected ${r}, got [${rules.join(", ")}]`);
      }
    } else {
      assert.deepEqual(rules, [], `${k.name}: a fixed regression broke again`);
    }
  });
}

// ---- the properties ----

for (const p of PROPERTIES) {
  for (const t of targets()) {
    if (!p.applies(t)) continue;
    const numRuns = envRuns ? Number(envRuns) : CI_RUNS[p.name];
    Deno.test(`${p.name}: ${t.name}`, async () => {
      const reports = await checkProperty(p, t, {
        numRuns,
        seed,
        expectedBudget: EXPECTED_BUDGET,
        outDir,
        // The expected failures' shrunk cases are kept in test/props/failures/ already.
        writeExpected: false,
      });
      for (const r of reports) console.log(formatReport(r));
      const failed = reports.filter((r) => !r.ok);
      assert.equal(failed.length, 0, failed.map(formatReport).join("\n"));
    });
  }
}

Deno.test("every break a record states reaches a target and a property that applies", () => {
  const names = new Set(targets().map((t) => t.name));
  const stated = designs().flatMap((d) => [
    ...(d.breaks ?? []).map((b) => ({ target: d.name, property: b.property })),
    ...(d.variants ?? []).flatMap((v) =>
      (v.breaks ?? []).map((b) => ({ target: `${d.name}@${v.name}`, property: b.property }))
    ),
  ]);
  // Besides the stated breaks, the ones the records imply (a design that does not claim to be
  // ESRCH-free is expected to break esrch-free): each target's derived ones.
  const derived = targets().flatMap((t) => PROPERTY_NAMES.flatMap((p) => derivedFailuresOf(p, t)));
  assert.equal(
    stated.length + derived.length,
    expectedFailures().length,
    "every stated break is expected",
  );
  for (const x of stated) {
    assert.ok(names.has(x.target), `${x.target} states a break but is not a target`);
    const p = PROPERTIES.find((p) => p.name === x.property);
    assert.ok(p, `${x.target}: no property "${x.property}"`);
    assert.ok(p.applies(parseTarget(x.target)), `${x.property} does not apply to ${x.target}`);
  }
});
