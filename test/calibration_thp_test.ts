// THP calibration (docs/host.md, "Transparent huge pages"): the calibration's THP victim is a
// `thp` VMA the host plan maps with victim.c's --thp on a 2 MiB boundary, as the core lays it
// out; the model's per-PMD costs reproduce the hand measurement of this host within 1.5× at
// every size (the model's figures are runs of the simulation, not formulas); and, where the
// host can run victims, a THP victim really is reaped whole by process_mrelease.

import assert from "node:assert/strict";
import {
  calibrationReaper,
  calibrationWorld,
  hostPlan,
  hostSupport,
  runHost,
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
