// `--kernel-variant` on `lab run` and `lab compare` (issue 15): a name the core does not know
// and one that does not apply to the run's kernel are one-line mistakes (exit 2) naming the
// valid ones; a run records the variants that were on; compare runs each design without and
// with them, and on the write-lock scenario the two rows differ as its description says.

import assert from "node:assert/strict";
import { lab } from "./_cli.ts";

const SCENARIO = "scenarios/dstate-little-core.json";
const TEARDOWN = "scenarios/k2026/exit-mmap-write-lock-serializes-teardown.json";

Deno.test("an unknown kernel variant: one line naming the known ones, exit 2", async () => {
  for (const command of ["run", "compare"]) {
    const r = await lab(command, SCENARIO, "--kernel-variant", "exit_mmap_writelock");
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.split("\n").length, 1, r.err);
    assert.match(
      r.err,
      /^error: --kernel-variant takes one of exit_mm_retention, exit_mmap_write_lock, got "exit_mmap_writelock"; did you mean "exit_mmap_write_lock"\?$/,
    );
  }
});

Deno.test("a kernel variant the chosen kernel does not have: exit 2, naming those it has", async () => {
  // The write lock changes bf3980c85212's exit_mmap (v6.0); 5.15 has only the retention.
  const r = await lab(
    "run",
    SCENARIO,
    "--kernel",
    "5.15",
    "--kernel-variant",
    "exit_mmap_write_lock",
  );
  assert.equal(r.code, 2, r.err);
  assert.equal(
    r.err,
    "error: --kernel-variant exit_mmap_write_lock applies to kernel 6.0, 6.18, not 5.15; " +
      "on 5.15: exit_mm_retention",
  );
  assert.equal(r.out, "", "nothing ran");
  const ok = await lab(
    "run",
    SCENARIO,
    "--kernel",
    "6.0",
    "--kernel-variant",
    "exit_mmap_write_lock",
  );
  assert.equal(ok.code, 0, ok.err);
});

Deno.test("lab run --kernel-variant: the outcome records the variants that were on", async () => {
  const on = await lab("run", SCENARIO, "--json", "--kernel-variant", "exit_mm_retention");
  assert.equal(on.code, 0, on.err);
  const outcomes = JSON.parse(on.out) as { kernel_variants?: string[] }[];
  assert.ok(outcomes.length >= 2);
  for (const o of outcomes) assert.deepEqual(o.kernel_variants, ["exit_mm_retention"]);
  const off = JSON.parse((await lab("run", SCENARIO, "--json")).out) as object[];
  for (const o of off) assert.ok(!("kernel_variants" in o), "none on, no field");
});

Deno.test("lab compare --kernel-variant: each design without and with, and the rows differ", async () => {
  const r = await lab("compare", TEARDOWN, "--json", "--kernel-variant", "exit_mmap_write_lock");
  assert.equal(r.code, 0, r.err);
  type O = { design: string; kernel_variants?: string[]; memory: { t90_ns: number } };
  const outcomes = JSON.parse(r.out) as O[];
  const mrelease = outcomes.filter((o) => o.design === "process_mrelease");
  // The scenario names the variant itself: the "without" row leaves it out all the same.
  assert.deepEqual(mrelease.map((o) => o.kernel_variants), [
    undefined,
    ["exit_mmap_write_lock"],
  ]);
  // The scenario's description: under the write lock the caller reaps alone (t90 about 20 ms);
  // on 6.18 as released the victim's unmap walks beside it, and the reap finishes later.
  const [without, withLock] = mrelease.map((o) => o.memory.t90_ns);
  assert.ok(withLock < without, `t90 ${withLock} with the lock, ${without} without`);
  const text = await lab("compare", TEARDOWN, "--kernel-variant", "exit_mmap_write_lock");
  assert.match(text.out, /^process_mrelease@mainline\+exit_mmap_write_lock /m);
  // A design's own variants are in its outcome, not in its row's name (every run has them).
  assert.match(text.out, /^process_mrelease_exit_mm\+exit_mmap_write_lock /m);
  assert.match(text.out, /^process_mrelease_exit_mm /m);
  assert.doesNotMatch(text.out, /\+exit_mm_retention/);
  assert.match(
    text.out,
    /--design process_mrelease@mainline --kernel 6\.18 --seed 1 --kernel-variant exit_mmap_write_lock$/m,
    "the with row's replay line carries the option",
  );
  assert.match(
    text.out,
    /--design process_mrelease@mainline --kernel 6\.18 --seed 1 {2}# without the scenario's exit_mmap_write_lock$/m,
    "the without row's replay line says it has no command line of its own",
  );
  const plain = await lab("run", SCENARIO, "--design", "sigkill");
  assert.match(plain.out, /--design sigkill --kernel 6\.18 --seed 1$/m, "no option, no suffix");
});

Deno.test("run's and compare's help name --kernel-variant and the variants' kernels", async () => {
  for (const command of ["run", "compare"]) {
    const r = await lab(command, "--help");
    assert.match(r.out, /--kernel-variant V .*exit_mmap_write_lock \(6\.0, 6\.18\)/s, command);
  }
  assert.match((await lab("compare", "--help")).out, /without and with/);
});

Deno.test("--host takes no --kernel-variant: the host runs its own kernel", async () => {
  const r = await lab("run", SCENARIO, "--host", "--kernel-variant", "exit_mm_retention");
  assert.equal(r.code, 2);
  assert.match(r.err, /--host runs this host's own kernel and takes no --kernel-variant/);
});
