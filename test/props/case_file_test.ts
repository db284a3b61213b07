// Failing cases as files: a written counterexample is a valid scenario that `lab run` takes,
// its replay command reproduces the failure exactly, and case files round-trip.

import fc from "fast-check";
import assert from "node:assert/strict";
import { main } from "../../src/lab/cli/mod.ts";
import {
  arbCase,
  CASE_FILE_SCHEMA,
  caseFileJson,
  findProperty,
  parseCaseFile,
  parseTarget,
  readCaseFile,
  replayCommand,
  toCase,
  writeFailure,
} from "../../src/lab/props/mod.ts";
import { loadScenarioFile } from "../../src/engine/scenario/mod.ts";

const KEPT = "test/props/failures/expected-safety-process-madvise-zap-live-sharer.json";

/** Runs the CLI with console.log captured; returns the exit code and the text. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(" "));
  try {
    return { code: await main(args), out: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

Deno.test("replayCommand writes an empty choice list as 0 (the same interleaving)", () => {
  assert.equal(
    replayCommand("f.json", { target: "process_mrelease@v9", kernel: "5.15", choices: [1, 0, 3] }),
    "deno task replay f.json --design process_mrelease@v9 --kernel 5.15 --choices 1,0,3",
  );
  assert.equal(
    replayCommand("f.json", { target: "sigkill", kernel: "6.18", choices: [], property: "safety" }),
    "deno task replay f.json --design sigkill --kernel 6.18 --choices 0 --property safety",
  );
});

Deno.test("replay reads --choices as the replay command writes it", async () => {
  for (const [flag, list] of [["0", "0"], ["", ""], ["1, 0,3", "1,0,3"]]) {
    const r = await cli(["replay", KEPT, "--choices", flag]);
    assert.match(r.out, new RegExp(`choices \\[${list}\\]`), `--choices "${flag}"`);
  }
});

Deno.test("a written failure is a plain scenario, and its command replays the failure", async () => {
  const f = parseCaseFile(JSON.parse(await Deno.readTextFile(KEPT)), KEPT);
  const c = toCase(f.scenario, { kernel: f.kernel!, choices: f.choices! });
  const t = parseTarget(f.design!);
  const violations = findProperty("safety").check(c, t);
  assert.ok(violations.some((v) => v.rule === "zap_live_sharer"));
  const dir = await Deno.makeTempDir({ prefix: "mrelease-props-case-" });
  try {
    const { file, replay } = await writeFailure(dir, c, {
      property: "safety",
      target: t.name,
      violations,
      seed: 7,
      path: "0:1",
    });
    const s = await loadScenarioFile(file); // lab run takes it as it is
    assert.equal(s.kernel, c.kernel);
    assert.match(s.description, /seed 7, path "0:1"/);
    const args = replay.split(" ").slice(2); // "deno task replay ..." → "replay ..."
    assert.equal(args[0], "replay");
    const failing = await cli(args);
    assert.equal(failing.code, 1, failing.out);
    assert.match(failing.out, /safety\/zap_live_sharer/);
    // The same world under a design that checks its sharers holds.
    const fine = await cli(["replay", file, "--design", "process_mrelease", "--kernel", c.kernel]);
    assert.equal(fine.code, 0, fine.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("case files round-trip, and bad ones name the bad key", async () => {
  const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 3 });
  const json = caseFileJson(c, {
    property: "effectiveness",
    design: "process_reap",
    expectViolations: ["reapable_left"],
    note: "why",
  });
  const back = parseCaseFile(JSON.parse(JSON.stringify(json)));
  assert.equal(back.property, "effectiveness");
  assert.equal(back.design, "process_reap");
  assert.equal(back.kernel, c.kernel);
  assert.deepEqual(back.choices, c.choices);
  assert.deepEqual(back.expect_violations, ["reapable_left"]);
  assert.deepEqual(back.scenario, c.json);
  assert.throws(() => parseCaseFile({ ...json, extra: 1 }), /unknown key "extra"/);
  assert.throws(() => parseCaseFile({ ...json, kernel: "4.19" }), /"kernel" must be/);
  assert.throws(() => parseCaseFile({ ...json, choices: [-1] }), /"choices" must be/);
  // A plain scenario file is a case with nothing but the scenario.
  const plain = await readCaseFile("scenarios/vfork-shared-mm.json");
  assert.equal(plain.design, undefined);
  assert.equal(json.schema, CASE_FILE_SCHEMA);
});

Deno.test("replay reads the run's identity from a case file", async () => {
  const r = await cli(["replay", KEPT]);
  // A kept expected failure whose violation matched exits 0 and says so (issue 12).
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /process_madvise: safety: 1 violation/);
  assert.match(r.out, /expected violation matched: zap_live_sharer/);
  assert.match(r.out, /--design process_madvise --kernel 5\.10 --choices 0 --property safety/);
});
