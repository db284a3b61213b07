// The review's parallel-teardown family (src/lab/report/sections_2026_teardown.ts, issue 15):
// every design through its own recipe on the reverse-walk kernel, the forward-walk one and
// with exit_mmap under the write lock; what the runs show against the kernel's rules (§B.5,
// §A.5, the reverse walk's cover letter), and the section's wording against changed numbers.

import assert from "node:assert/strict";
import { kernelFeatures } from "../src/core/mod.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { allUnits, measurePoint, type PointResult } from "../src/lab/report/mod.ts";
import { Results } from "../src/lab/report/results.ts";
import {
  settings,
  TEARDOWN_ID,
  TeardownFacts,
  teardownNumbers,
  teardownSection,
} from "../src/lab/report/sections_2026_teardown.ts";

const all = allUnits(false);
const units = all.filter((u) => u.experiment.id === TEARDOWN_ID);
const measured = new Map(units.map((u) => [u.index, measurePoint(u.point)]));
// The other families are not read by this section: empty results stand in for them.
const results: PointResult[] = all.map((u) =>
  measured.get(u.index) ?? { name: u.point.name, runs: [] }
);
const input = { units: all, results, params: new Map(), host: null, full: false };
const exp = units[0].experiment;

Deno.test("the settings come from the core's facts: reverse, forward, and the write lock", () => {
  const [reverse, forward, locked] = settings();
  assert.ok(kernelFeatures(reverse.kernel).reap_walks_in_reverse);
  assert.ok(!kernelFeatures(forward.kernel).reap_walks_in_reverse);
  assert.equal(kernelFeatures(forward.kernel).exit_mmap_shape, "read_then_write");
  assert.deepEqual(locked.variants, ["exit_mmap_write_lock"]);
  for (const u of units) {
    assert.equal(u.point.runs?.length, 3 * designs().length, u.point.name);
    const withLock = u.point.runs!.filter((r) => r.kernelVariants?.length);
    assert.equal(withLock.length, designs().length);
  }
});

Deno.test("under the write lock no caller-reaping design shares the teardown", () => {
  // The variant's one write section excludes every reader: the caller's walk and the
  // victim's unmap never overlap, so one of them frees every page.
  const f = new TeardownFacts(new Results(input));
  const locked = settings()[2];
  for (const u of units) {
    for (const d of f.reapers()) {
      const x = f.run(u, d, locked);
      assert.ok(
        x.freed_by.caller === 0 || x.freed_by.victim === 0,
        `${d.name} ${u.point.name}: ${JSON.stringify(x.freed_by)}`,
      );
    }
  }
});

Deno.test("the reverse walk spares CPU with many VMAs, not with one", () => {
  // 5e1953dc71af: the reaper starts at the other end, so it meets exit_mmap only where they
  // cross; with one VMA both are in it whichever end the reaper starts from.
  const r = new Results(input);
  const n = teardownNumbers(r);
  for (const cores of ["little", "big"] as const) {
    assert.ok(n.cpuForwardNs[cores] > n.cpuReverseNs[cores], cores);
  }
  const f = new TeardownFacts(r);
  const [reverse, forward] = settings();
  const d = designs().find((d) => d.name === n.design)!;
  for (const cores of ["little", "big"] as const) {
    const u = f.unit(cores, 1);
    const cpu = (s: typeof reverse) => f.run(u, d, s).cpu_ns.caller + f.run(u, d, s).cpu_ns.victim;
    assert.ok(Math.abs(cpu(forward) - cpu(reverse)) < 0.01 * cpu(forward), cores);
  }
});

Deno.test("the section's wording follows the numbers", () => {
  const files = new Map<string, string>();
  const text = teardownSection(new Results(input), { exp, files });
  assert.ok(files.has(`${TEARDOWN_ID}-cpu.svg`));
  const n = teardownNumbers(new Results(input));
  assert.equal(n.callerShareWriteLock.little, 1, "the call's read lock came first");
  assert.match(text, /its read lock came first/);
  // Make the victim do all of it under the write lock on the little cores: the sentence
  // follows.
  const d = n.design;
  const locked = settings()[2];
  const u = units.find((u) => u.point.params.cpus === "little" && u.point.params.vmas === 16)!;
  const changed = results.slice();
  changed[u.index] = {
    ...results[u.index],
    runs: results[u.index].runs.map((x) =>
      x.label === `${d} on ${locked.label}`
        ? { ...x, freed_by: { ...x.freed_by, caller: 0, victim: x.freed_pages } }
        : x
    ),
  };
  const then = teardownSection(new Results({ ...input, results: changed }), {
    exp,
    files: new Map(),
  });
  assert.match(then, /exit_mmap's write lock came first/);
});
