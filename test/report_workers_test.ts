// The review's sweep does not depend on how many workers measure it: results are merged
// by point index, never in completion order. A small sweep (a few points of each family,
// a cgroup loop among them) measured in this thread and with 1, 2 and 3 Web Workers must
// give identical records, event-log hashes included.

import assert from "node:assert/strict";
import { allUnits, runPoints } from "../src/lab/report/mod.ts";

const NAMES = [
  "state-running",
  "state-d-500ms",
  "state-d-500ms-mmap-lock-write",
  "size-64mib-little",
  "shape-zombie-leader",
  "shape-vfork-shared-mm",
  "cgroup-10",
  "world-300-procs-4-threads",
  "esrch-64mib-little-100us",
  "esrch-other-read-64mib-big-100us",
  "calibration-sd845-big-max-reap",
];

Deno.test("a small sweep gives the same results with 0, 1, 2 and 3 workers", async () => {
  const units = allUnits(false);
  const only = NAMES.map((n) => {
    const u = units.find((u) => u.point.name === n);
    assert.ok(u, `no point ${n}`);
    return u.index;
  });
  const sweep = async (workers: number) => {
    const results = await runPoints({ full: false, workers, only, progress: null });
    // Each result sits at its point's index.
    for (const i of only) assert.equal(results[i]?.name, units[i].point.name);
    return only.map((i) => results[i]);
  };
  const inThread = await sweep(0);
  assert.ok(inThread.every((p) => p.runs.length > 0));
  for (const workers of [1, 2, 3]) {
    assert.deepEqual(await sweep(workers), inThread, `${workers} worker(s)`);
  }
});

Deno.test("progress reports an estimate and a final line, on the callback only", async () => {
  const lines: { line: string; final: boolean }[] = [];
  await runPoints({
    full: false,
    workers: 2,
    only: [0, 1, 2, 3],
    progress: (line, final) => lines.push({ line, final }),
  });
  const last = lines[lines.length - 1];
  assert.ok(last.final && /4 points measured/.test(last.line), JSON.stringify(lines));
});
