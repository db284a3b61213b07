// The cost model reproduces the measured reclaim rates (docs/architecture.md, "Calibration"):
// both the reaping rate and the victim's own exit rate, on the four Snapdragon 845 operating
// points of the 2019 RFC and on this host, each within 1.5× either way. Every model rate here
// is measured from runs of the simulation (the review's calibration scenarios, and a host-like
// world on this host's measured CPU), never taken from the review or from a formula.

import assert from "node:assert/strict";
import { allUnits } from "../src/lab/report/experiments.ts";
import { measurePoint } from "../src/lab/report/measure.ts";
import { offBy, readHost, simulatedRate } from "../src/lab/report/calibration.ts";
import { KILL_ALONE, MERGED, playing } from "../src/lab/report/roles.ts";
import { calibrationWorld, HOST_KERNEL } from "../src/lab/host/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import type { CpuPreset } from "../src/engine/scenario/mod.ts";
import { PAGE_SIZE } from "../src/core/mod.ts";

/** How far a model rate may be from a measured one, either way. */
const WITHIN = 1.5;

/**
 * The 2019 RFC's Snapdragon 845 reclaim rates, MB/s (reference §E.4; Suren Baghdasaryan,
 * "[RFC 0/2] opportunistic memory reclaim of a killed process",
 * https://lore.kernel.org/all/20190411014353.113252-1-surenb@google.com/): "normal" is a
 * SIGKILLed app freeing its own memory, "expedited" the oom_reaper freeing it. The governor
 * rows powersave (min freq) and performance (max freq), by core.
 */
const SD845 = {
  "sd845-big-max": { normal: 14656, expedited: 12398 },
  "sd845-big-min": { normal: 5084, expedited: 6144 },
  "sd845-little-max": { normal: 5602, expedited: 8144 },
  "sd845-little-min": { normal: 856, expedited: 3236 },
} as const;

/** The review's calibration run of `preset` on `path`, measured afresh. */
function simulated(preset: string, path: "exit" | "reap"): number {
  const unit = allUnits(false).find((u) => u.point.name === `calibration-${preset}-${path}`);
  assert.ok(unit, `the review has a calibration-${preset}-${path} point`);
  const design = playing(path === "exit" ? KILL_ALONE : MERGED).name;
  const run = measurePoint(unit.point).runs.find((r) => r.design === design);
  assert.ok(run, `${unit.point.name} runs ${design}`);
  const rate = simulatedRate(run);
  assert.ok(rate !== null, `${unit.point.name}: ${design} freed 10% to 90%`);
  return rate;
}

for (const [preset, measured] of Object.entries(SD845)) {
  Deno.test(`calibration: ${preset} reaps and exits within ${WITHIN}× of §E.4`, () => {
    const reap = simulated(preset, "reap");
    const exit = simulated(preset, "exit");
    assert.ok(
      offBy(reap, measured.expedited) <= WITHIN,
      `reaping: model ${reap.toFixed(0)} MB/s, SD845 ${measured.expedited}`,
    );
    assert.ok(
      offBy(exit, measured.normal) <= WITHIN,
      `victim's own exit: model ${exit.toFixed(0)} MB/s, SD845 ${measured.normal}`,
    );
  });
}

/** The model on this host's CPU: the reaping call's rate and the kill → exit time. */
function hostModel(mib: number, cpu: CpuPreset) {
  const bytes = mib * 2 ** 20;
  const reap = runScenario(calibrationWorld(mib, { state: "frozen", cpu }), {
    design: playing(MERGED),
    kernel: HOST_KERNEL,
  }).outcome;
  const exit = runScenario(calibrationWorld(mib, { state: "S", cpu }), {
    design: playing(KILL_ALONE),
    kernel: HOST_KERNEL,
  }).outcome;
  const call = reap.calls.at(-1);
  assert.ok(call && exit.memory.t100_ns !== null, `${mib} MiB: reaped and exited`);
  assert.equal(reap.memory.freed_pages * PAGE_SIZE, bytes, `${mib} MiB: the call freed it all`);
  return { mb: bytes / 1e6, reapMs: call.duration_ns / 1e6, exitMs: exit.memory.t100_ns / 1e6 };
}

/** MB/s from MB and ms. */
const mbps = (mb: number, ms: number) => mb / (ms / 1e3);

/** MB/s from the slope of time over size between two sizes, as calibrate fits it. */
const slopeMBps = (a: { mb: number; ms: number }, b: { mb: number; ms: number }) =>
  1000 * (b.mb - a.mb) / (b.ms - a.ms);

Deno.test(`calibration: this host's measured rates within ${WITHIN}× (docs/calibration/host.json)`, async () => {
  const host = await readHost(".");
  assert.ok(host?.kind === "calibration@1", "docs/calibration/host.json is calibrate's output");
  assert.ok(host.profile, "host.json has the host-measured CPU profile");
  assert.ok(host.sizes.length >= 2 && host.fit.exit_mbps && host.fit.mrelease_mbps);
  const model = host.sizes.map((s) => hostModel(s.mib, host.profile!));
  const check = (what: string, model: number, measured: number) =>
    assert.ok(
      offBy(model, measured) <= WITHIN,
      `${what}: model ${model.toFixed(0)} MB/s, this host ${measured.toFixed(0)}`,
    );
  for (const [i, s] of host.sizes.entries()) {
    const m = model[i];
    check(`${s.mib} MiB reaping`, mbps(m.mb, m.reapMs), s.mrelease_mbps);
    check(`${s.mib} MiB exit`, mbps(m.mb, m.exitMs), mbps(m.mb, s.exit_ms));
  }
  // Over all sizes (the smallest and the largest): the fixed costs drop out of the slope.
  const [a, b] = [model[0], model.at(-1)!];
  check(
    "exit over all sizes",
    slopeMBps({ ...a, ms: a.exitMs }, { ...b, ms: b.exitMs }),
    host.fit.exit_mbps,
  );
  check(
    "reaping over all sizes",
    slopeMBps({ ...a, ms: a.reapMs }, { ...b, ms: b.reapMs }),
    host.fit.mrelease_mbps,
  );
});
