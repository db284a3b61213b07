// THP calibration (docs/host.md, "Transparent huge pages"): the calibration's THP victim is a
// `thp` VMA the host plan maps with victim.c's --thp on a 2 MiB boundary, as the core lays it
// out; the model's per-PMD costs reproduce the hand measurement of this host within 1.5× at
// every size (the model's figures are runs of the simulation, not formulas); and, where the
// host can run victims, a THP victim really is reaped whole by process_mrelease.

import assert from "node:assert/strict";
import {
  calibrateThp,
  calibrationReaper,
  calibrationWorld,
  hostPlan,
  hostSupport,
  runHost,
  type ThpMeasure,
  thpSummary,
} from "../src/lab/host/mod.ts";
import { modelFor } from "../src/lab/host/calibrate.ts";
import { COST_MODEL } from "../src/core/mod.ts";

/** docs/host.md's THP table: medians of 5 runs on this host, 2026-12-02 (ms). */
const MEASURED = [
  { mib: 64, mrelease: 0.256, exit: 0.287 },
  { mib: 256, mrelease: 0.844, exit: 0.907 },
  { mib: 1024, mrelease: 3.146, exit: 2.835 },
];
const WITHIN = 1.5;
const off = (a: number, b: number) => Math.max(a / b, b / a);

Deno.test("the THP calibration victim is a --thp mapping on a 2 MiB boundary", () => {
  const plan = hostPlan(calibrationWorld(64, { state: "frozen", thp: true }));
  assert.deepEqual(plan.vmas.map((v) => [v.kind, v.bytes]), [["thp", 64 * 2 ** 20]]);
  assert.equal(plan.vmas[0].startPage % COST_MODEL.HPAGE_PMD_NR, 0);
  const small = hostPlan(calibrationWorld(64, { state: "frozen" }));
  assert.equal(small.vmas[0].kind, "anon", "without thp the victim stays small pages");
});

for (const m of MEASURED) {
  Deno.test(`the model's THP reap and exit at ${m.mib} MiB are within ${WITHIN}× of this host`, () => {
    const model = modelFor(m.mib, true);
    assert.ok(off(model.mrelease_ms, m.mrelease) <= WITHIN, `mrelease ${model.mrelease_ms} ms`);
    assert.ok(off(model.exit_t100_ms!, m.exit) <= WITHIN, `exit ${model.exit_t100_ms} ms`);
    // And far below the same victim in 4 KiB pages (the per-PMD saving is the point).
    assert.ok(modelFor(m.mib).mrelease_ms > 20 * model.mrelease_ms);
  });
}

/** What the host session reports when victim.c's --thp mapping came back in small pages. */
const NOT_BACKED = "the victim helper did not start: error not THP-backed: AnonHugePages 0 kB " +
  "of 65536 kB expected (errno 0: Success)";

Deno.test("a kernel that backs the mapping with no huge page is said so, not measured", async () => {
  // THP disabled (or `never`) cannot be set here without a system setting: the host's
  // victims are replaced by ones whose first run answers what victim.c then answers.
  const asked: number[] = [];
  const measure: ThpMeasure = {
    mrelease: (mib) => {
      asked.push(mib);
      return Promise.reject(new Error(NOT_BACKED));
    },
    exit: () => Promise.reject(new Error("no exit is timed after the first refusal")),
  };
  const thp = await calibrateThp({ sizesMiB: [64, 256], runs: 5, measure });
  assert.deepEqual(thp, { backed: false, why: NOT_BACKED });
  assert.deepEqual(asked, [64], "the first victim ends the THP part");
  assert.equal(thpSummary(thp), `THP: not measured: ${NOT_BACKED}`);
  // Any other failure is the calibration's error, not a host without huge pages.
  const broken = { ...measure, mrelease: () => Promise.reject(new Error("EPERM")) };
  await assert.rejects(calibrateThp({ sizesMiB: [64], runs: 1, measure: broken }), /EPERM/);
});

Deno.test("a THP-backed host's per-PMD costs are the slopes of the per-size medians", async () => {
  // 6 µs a PMD reaped and 5 µs exiting, over fixed costs, with one slow run a size.
  const pmds = (mib: number) => mib / 2;
  let n = 0;
  const slow = () => (++n % 5 === 0 ? 10 : 0);
  const measure: ThpMeasure = {
    mrelease: (mib) => {
      const ms = 0.05 + pmds(mib) * 0.006 + slow();
      return Promise.resolve({ ms, cpu_ms: ms });
    },
    exit: (mib) => Promise.resolve(0.1 + pmds(mib) * 0.005 + slow()),
  };
  const thp = await calibrateThp({ sizesMiB: [64, 256], runs: 5, measure });
  assert.ok(thp.backed);
  assert.equal(thp.fit.reap_ns_per_pmd, 6000);
  assert.equal(thp.fit.exit_wall_ns_per_pmd, 5000);
  assert.match(thpSummary(thp), /^THP: process_mrelease 6000 ns a PMD \(REAP_NS_PER_PMD /);
});

const support = hostSupport();
Deno.test({
  name: `host: a THP victim is reaped whole by process_mrelease${
    support.ok ? "" : ` (SKIPPED: ${support.reason})`
  }`,
  ignore: !support.ok,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const o = await runHost(calibrationWorld(16, { state: "frozen", thp: true }), {
      design: calibrationReaper(),
    });
    assert.equal(o.ret, 0, String(o.errno));
    assert.ok(o.memory.freed_pages >= 16 * 256, `freed ${o.memory.freed_pages} pages`);
  },
});
