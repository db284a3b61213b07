// Transparent huge pages as a VMA kind (`"thp": true` on an `anon` VMA, docs/scenario-format.md
// "VMAs"): the shape rule reported at its JSON path, the THP bit in the VMA record, and the
// loader (wasm/src/load.rs) refusing what the validator would have.

import assert from "node:assert/strict";
import {
  COST_MODEL,
  encodeWorld,
  findDesign,
  loadScenarioFile,
  runScenario,
  type Scenario,
  ScenarioError,
  validateScenario,
  VMA_FLAG_BIT,
} from "../mod.ts";
import { Kernel } from "../src/core/wasm.ts";

const base = JSON.parse(
  await Deno.readTextFile(new URL("../scenarios/large-victim-big-core.json", import.meta.url)),
);
// victim_mm is mms[3]; its first VMA becomes a THP heap.
const VICTIM_MM = 3;

function withVma(vma: Record<string, unknown>): unknown {
  const json = structuredClone(base);
  json.mms[VICTIM_MM].vmas[0] = vma;
  delete json.expect;
  return json;
}

function problems(vma: Record<string, unknown>): { path: string; message: string }[] {
  try {
    validateScenario(withVma(vma));
  } catch (e) {
    if (e instanceof ScenarioError) return [...e.problems];
    throw e;
  }
  return [];
}

const at = (key: string) => `$.mms[${VICTIM_MM}].vmas[0].${key}`;

Deno.test("a THP VMA of whole PMDs validates and sets the THP bit of its record", () => {
  const s: Scenario = validateScenario(
    withVma({ kind: "anon", size: "1GiB", resident: "50%", thp: true }),
  );
  const v = s.mms[VICTIM_MM].vmas[0];
  assert.deepEqual([v.thp, v.anon_pages, v.size_pages], [true, 131072, 262144]);
  assert.equal(s.mms[VICTIM_MM].vmas[1].thp, false, "thp defaults to false");
  assert.ok(encodeWorld(s).length > 0);
  assert.equal(VMA_FLAG_BIT.THP & (VMA_FLAG_BIT.VM_LOCKED | VMA_FLAG_BIT.VM_HUGETLB), 0);
});

for (
  const [rule, vma, key, message] of [
    ["size whole PMDs", { kind: "anon", size: "3MiB", thp: true }, "size", /multiple of 512/],
    [
      "resident whole PMDs",
      { kind: "anon", size: "4MiB", resident: "1MiB", thp: true },
      "resident",
      /multiple of 512 pages .* got 256 pages/,
    ],
    [
      "no swap",
      { kind: "anon", size: "4MiB", resident: "2MiB", swap: "2MiB", thp: true },
      "swap",
      /expected 0 on a THP VMA/,
    ],
    ["anon only", { kind: "shmem", size: "2MiB", thp: true }, "thp", /on a shmem VMA/],
    [
      "not hugetlb",
      { kind: "anon", size: "2MiB", flags: ["VM_HUGETLB"], thp: true },
      "thp",
      /VM_HUGETLB/,
    ],
    ["a boolean", { kind: "anon", size: "2MiB", thp: "yes" }, "thp", /boolean|true or false/],
  ] as const
) {
  Deno.test(`THP rule: ${rule}, reported at ${key}`, () => {
    const got = problems(vma);
    assert.deepEqual(got.map((p) => p.path), [at(key)], JSON.stringify(got));
    assert.match(got[0].message, message);
  });
}

Deno.test("a THP VMA off the PMD grid is also refused by the core's loader", async () => {
  // The validator is bypassed: the record the encoder writes from a hand-made value.
  const s = await loadScenarioFile("scenarios/large-victim-big-core.json");
  const vma = { ...s.mms[VICTIM_MM].vmas[0], thp: true, size_pages: 513, anon_pages: 512 };
  const broken = { ...s, mms: s.mms.map((m, i) => i === VICTIM_MM ? { ...m, vmas: [vma] } : m) };
  const k = new Kernel(1, 0);
  assert.equal(k.load_world(encodeWorld(broken, { kernel: "6.18" })), -22);
  assert.match(k.last_error(), /THP VMA/);
});

// The 1 GiB THP scenarios against the same victims in 4 KiB pages: the memory's t100 is the
// zap work, so the ratio is the parameters' (512 × per-page cost against one per-PMD cost),
// within the few tens of µs of fixed costs (syscall, VMA set-up, the exit path's steps).
for (
  const [file, design, perPage, perPmd] of [
    [
      "scenarios/host/host-mrelease-frozen-thp.json",
      "process_mrelease",
      COST_MODEL.REAP_NS_PER_PAGE,
      COST_MODEL.REAP_NS_PER_PMD,
    ],
    [
      "scenarios/host/host-sigkill-thp.json",
      "sigkill",
      COST_MODEL.EXIT_UNMAP_NS_PER_PAGE,
      COST_MODEL.EXIT_UNMAP_NS_PER_PMD,
    ],
  ] as const
) {
  Deno.test(`${file}: THP frees 1 GiB ${design === "sigkill" ? "by exit" : "by reap"} at the per-PMD rate`, async () => {
    const thp = await loadScenarioFile(file);
    const small = structuredClone(thp);
    for (const v of small.mms[1].vmas) v.thp = false;
    const t100 = (s: Scenario) => {
      const o = runScenario(s, { design: findDesign(design) }).outcome;
      assert.equal(o.memory.freed_pages, 262144, "counted in 4 KiB pages either way");
      return o.memory.t100_ns!;
    };
    const [huge, base] = [t100(thp), t100(small)];
    const want = (COST_MODEL.HPAGE_PMD_NR * perPage) / perPmd;
    const got = base / huge;
    assert.ok(
      Math.abs(got / want - 1) < 0.03,
      `small/THP t100 ${got.toFixed(2)}, want ${want.toFixed(2)}`,
    );
  });
}
