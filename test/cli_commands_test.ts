/**
 * The commands' own answers, in-process through the command line (issue 12, "CLI code
 * covered ≥ 90% by tests"): `report`'s scenario, point and check modes, `classify` on a
 * scenario and a case file, the host commands (`diff`, `run --host`, `calibrate`) on this
 * machine's real kernel where it can run them, and user paths. Each test asserts what the
 * user sees: the lines printed, the exit code, the files written.
 */

import assert from "node:assert/strict";
import { capture, lab } from "./_cli.ts";
import { formatDiff, userDirectory, userPath } from "../src/lab/cli/mod.ts";
import { calibrateCli } from "../src/lab/cli/calibrate.ts";
import { type DiffRow, hostSupport } from "../src/lab/host/mod.ts";

const SCENARIO = "scenarios/dstate-little-core.json";
const KEPT = "test/props/failures/expected-safety-process-madvise-zap-live-sharer.json";
const HOST_LIVE = "scenarios/host/host-mrelease-live.json";
const HOST_BAD_FD = "scenarios/host/host-mrelease-bad-fd.json";
const NOT_ON_HOST = "scenarios/paths/target-live.json";

/** Exit `code`, one `error:` line matching `message`. */
async function mistake(args: string[], code: number, message: RegExp): Promise<void> {
  const r = await lab(...args);
  assert.equal(r.code, code, `exit code of lab ${args.join(" ")}: ${r.err}`);
  const lines = r.err.split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${r.err}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
}

/** A scenario the host cannot express: exit 2, the reasons one a line, nothing run. */
async function notOnHost(args: string[]): Promise<void> {
  const r = await lab(...args);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, "");
  const lines = r.err.split("\n");
  assert.equal(lines[0], "error: target-live cannot run on the host:");
  assert.ok(lines.length > 2);
  assert.ok(lines.includes("  VMA 1: file_private mappings are not expressible"), r.err);
}

const support = hostSupport();
const hostIgnore = !support.ok;
const hostSkip = hostIgnore ? ` (SKIPPED: ${support.reason})` : "";

Deno.test("report --scenario prints a scenario file lab run accepts", async () => {
  const list = await lab("report", "--list");
  const name = list.out.split("\n")[0].trim().split(/\s+/)[1];
  const r = await lab("report", "--scenario", name);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal(typeof s.name, "string");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/s.json`, r.out);
    const run = await lab("run", `${dir}/s.json`, "--design", "sigkill");
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /sigkill/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await mistake(["report", "--scenario", "no-such"], 2, /no scenario "no-such" in the report/);
  await mistake(["report", "--point", "no-such"], 2, /--list lists them/);
});

Deno.test("report --point measures one scenario and prints a row per run", async () => {
  const list = await lab("report", "--list");
  const name = list.out.split("\n")[0].trim().split(/\s+/)[1];
  const r = await lab("report", "--point", name);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split("\n");
  assert.match(lines[0], new RegExp(`^mrelease-lab report: scenario ${name}  seed \\d+`));
  assert.match(lines[1], /^run\s+kernel\s+ret\s+reclaimable\s+freed\s+by caller\s+t50/);
  assert.match(lines[2], /^-+/);
  assert.ok(lines.length > 3, "at least one run");
  for (const row of lines.slice(3)) assert.match(row, /\b[0-9a-f]{8,}\s*$/, row);
});

Deno.test("report --workers takes a whole number", async () => {
  await mistake(
    ["report", "--workers", "x"],
    2,
    /--workers takes a whole number 0\.\.256, got "x"/,
  );
  await mistake(["report", "--workers", "-1"], 2, /--workers takes a whole number/);
});

Deno.test("classify on a scenario file drives the scheduler with its seed", async () => {
  const r = await lab("classify", SCENARIO, "--kernel", "6.18");
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split("\n");
  assert.match(lines[0], new RegExp(`^classify: ${SCENARIO}  kernel 6\\.18  seed \\d+$`));
  assert.ok(lines.slice(1).some((l) => /^ {2}process_mrelease\s/.test(l)), r.out);
  // A case file keeps its own kernel and choices unless told otherwise.
  const c = await lab("classify", KEPT, "--choices", "0,1");
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /^classify: .* kernel 5\.10 {2}choices \[0,1\]$/m);
  await mistake(["classify"], 2, /^error: classify takes exactly one case file$/);
  await mistake(["classify", SCENARIO, KEPT], 2, /classify takes exactly one case file/);
  await mistake(["classify", SCENARIO, "--kernel", "9.9"], 2, /kernel/);
});

Deno.test("formatDiff names every disagreement under the table", () => {
  const side = (errno: string, freed: number, signal: boolean, then: string[]) => ({
    errno,
    ret: errno,
    then,
    freed_pages: freed,
    signal_delivered: signal,
    call_ns: null,
  });
  const row = {
    scenario: "s",
    design: "d",
    model: "d",
    sim: side("0", 1024, true, ["EFAULT"]),
    host: side("EINVAL", 0, false, ["8192"]),
    proposal: side("0", 2048, true, []),
    agree: { errno: false, signal: false, memory: false, then: false },
    signal_comparable: false,
    anon_pages: 1024,
    tolerance_pages: 512,
  } as unknown as DiffRow;
  const text = formatDiff([row]);
  const lines = text.split("\n");
  assert.match(lines[0], /^scenario\s+design\s+model\s+answer sim/);
  assert.match(lines[2], /^s\s+d\s+d\s+0\s+EINVAL\s+≠\s+yes\/n\.a\.\s+≠\s+4\.0M\s+0\.0M\s+≠/);
  assert.match(lines[2], /EFAULT\s+8192\s+≠\s+0, 8\.0M freed\s*$/);
  assert.equal(
    lines[3],
    "DISAGREE s d: answer sim 0 host EINVAL; then sim EFAULT host 8192; " +
      "SIGKILL sim true host false; freed sim 1024 host 0 pages (tolerance 512)",
  );
  assert.equal(lines.length, 4);
});

Deno.test("formatDiff says what the host's core dump did, under the table", () => {
  const side = { errno: 0, ret: "0", then: [], freed_pages: 0, signal_delivered: true };
  const row = (name: string, core_dump: object) =>
    ({
      scenario: name,
      design: "d",
      model: "d",
      sim: side,
      host: side,
      proposal: null,
      agree: { errno: true, signal: true, memory: true, then: true },
      signal_comparable: true,
      hostOutcome: { core_dump },
    }) as unknown as DiffRow;
  const lines = formatDiff([
    row("a", { at_intent: true, at_end: true, core_bytes: 64 * 2 ** 20, exit: null }),
    row("b", { at_intent: true, at_end: null, core_bytes: 2 ** 20, exit: "CLD_KILLED 9" }),
  ]).split("\n");
  assert.deepEqual(lines.slice(-2), [
    "core dump a d: in progress at the intent; at the end: still dumping (64.0M written)",
    "core dump b d: in progress at the intent; at the end: exited CLD_KILLED 9, core cut at 1.0M",
  ]);
});

Deno.test("user paths: absolute kept, relative joined to INIT_CWD, the cwd kept short", () => {
  assert.equal(userPath("/tmp/x.json", "/home/u"), "/tmp/x.json");
  assert.equal(userPath("x.json", "/home/u"), "/home/u/x.json");
  assert.equal(userPath("x.json", Deno.cwd()), "x.json");
  assert.equal(userPath("x.json", undefined), "x.json");
  const saved = Deno.env.get("INIT_CWD");
  try {
    Deno.env.delete("INIT_CWD");
    assert.equal(userDirectory(), undefined);
    Deno.env.set("INIT_CWD", "/somewhere");
    assert.equal(userDirectory(), "/somewhere");
    assert.equal(userPath("a/b.json"), "/somewhere/a/b.json");
  } finally {
    if (saved === undefined) Deno.env.delete("INIT_CWD");
    else Deno.env.set("INIT_CWD", saved);
  }
});

Deno.test("diff's mistakes: help, no file, unknown design", async () => {
  const help = await lab("diff", "--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task lab:host diff <scenario\.json>/);
  const none = await lab("diff");
  assert.equal(none.code, 2);
  assert.match(none.err, /^error: lab diff takes exactly one scenario file\n\nusage: /);
});

Deno.test({
  name: `host: lab diff prints where simulator and host agree, exit 0${hostSkip}`,
  ignore: hostIgnore,
  async fn() {
    const r = await lab("diff", HOST_LIVE);
    assert.equal(r.code, 0, r.err + r.out);
    const lines = r.out.split("\n");
    assert.equal(
      lines[0],
      `mrelease-lab diff: scenario host-mrelease-live  simulator kernel 6.18  host ${support.release}`,
    );
    assert.match(lines[1], /^scenario\s+design\s+model\s+answer sim\s+host/);
    assert.match(
      lines[3],
      /^host-mrelease-live\s+process_mrelease\s+process_mrelease\s+EINVAL\s+EINVAL\s+=/,
    );
    assert.doesNotMatch(r.out, /DISAGREE/);
    const j = await lab("diff", HOST_BAD_FD, "--json");
    assert.equal(j.code, 0, j.err);
    const rows = JSON.parse(j.out);
    assert.ok(rows.length >= 1);
    assert.equal(rows[0].host.errno, "EBADF");
    assert.equal(rows[0].sim.errno, "EBADF");
    await mistake(["diff", HOST_LIVE, "--design", "sigkil"], 2, /unknown design "sigkil"/);
    await notOnHost(["diff", NOT_ON_HOST]);
  },
});

Deno.test({
  name: `host: lab run --host runs the recipe on the real kernel${hostSkip}`,
  ignore: hostIgnore,
  async fn() {
    const r = await lab("run", HOST_LIVE, "--host");
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split("\n");
    assert.equal(
      lines[0],
      `mrelease-lab run --host: scenario host-mrelease-live  kernel ${support.release}`,
    );
    assert.match(lines[1], /^design\s+ret\s+killed\s+state\s+anon before/);
    assert.match(lines[3], /^process_mrelease\s+EINVAL\s+no\s/);
    assert.match(
      r.out,
      /^ {2}process_mrelease: pidfd_open\(\d+, 0\) = \d+; process_mrelease\(\d+, 0\) = EINVAL$/m,
    );
    const j = await lab("run", HOST_BAD_FD, "--host", "--json");
    assert.equal(j.code, 0, j.err);
    const outs = JSON.parse(j.out);
    assert.equal(outs[0].schema, "mrelease-lab/host-outcome@2");
    assert.equal(outs[0].errno, "EBADF");
    await mistake(["run", HOST_LIVE, "--host", "--design", "sigkil"], 2, /unknown design/);
    await notOnHost(["run", NOT_ON_HOST, "--host"]);
  },
});

Deno.test({
  name: `host: calibrate writes its profile where --out says${hostSkip}`,
  ignore: hostIgnore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/sub/host.json`;
      const r = await capture(() => calibrateCli(["--sizes", "1,2", "--runs", "1", "--out", out]));
      assert.equal(r.code, 0, r.err);
      const last = r.out.split("\n").at(-1)!;
      assert.match(last, /MB\/s \(model .* written to .*\/sub\/host\.json$/);
      const profile = JSON.parse(await Deno.readTextFile(out));
      assert.equal(profile.schema, "mrelease-lab/calibration@1");
      assert.equal(typeof profile.profile.capacity, "number");
      // One even size is no THP slope: said so, in the output and the profile.
      assert.match(r.out, /^THP: not measured: fewer than two even --sizes/m);
      assert.equal(profile.thp.backed, false);
      // Two sizes give a slope: every fitted rate is a finite number (one size gave Infinity).
      for (const [k, v] of Object.entries(profile.fit)) assert.ok(Number.isFinite(v), `${k}: ${v}`);
      const help = await capture(() => calibrateCli(["--help"]));
      assert.equal(help.code, 0);
      assert.match(help.out, /^usage: deno task calibrate \[options\]/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("report --check on a directory without the review: each file missing, exit 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/stray.txt`, "not the review\n");
    const r = await lab("report", "--check", "--out", `${dir}/`);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out, "");
    const lines = r.err.split("\n").filter((l) => !/^report: \d+ points measured/.test(l));
    assert.ok(lines.includes(`missing: ${dir}/README.md`), r.err);
    assert.ok(lines.includes(`missing: ${dir}/results.json`), r.err);
    assert.ok(lines.includes(`not in the report: ${dir}/stray.txt`), r.err);
    assert.equal(
      lines.at(-1),
      `report: ${dir} is stale; regenerate it with \`deno task lab report --out ${dir}/\``,
    );
    // --check only reads: nothing was written.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["stray.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replay: --json, a written trace, and a kept case whose break changed", async () => {
  const j = await lab("replay", KEPT, "--json");
  assert.equal(j.code, 0, j.err);
  const results = JSON.parse(j.out);
  assert.equal(results.length, 1);
  assert.equal(results[0].target, "process_madvise");
  assert.ok(
    results[0].violations.some((v: { rule: string }) => v.rule === "zap_live_sharer"),
    j.out,
  );
  const dir = await Deno.makeTempDir();
  try {
    const t = await lab(
      "replay",
      KEPT,
      "--design",
      "sigkill",
      "--trace",
      "ftrace",
      "--trace-out",
      `${dir}/t.txt`,
    );
    assert.equal(t.err.split("\n").at(-1), `trace written: ${dir}/t.txt`);
    assert.match(
      await Deno.readTextFile(`${dir}/t.txt`),
      /^cpus=1\n# mrelease-lab simulated trace: kernel 5\.10 model/,
    );
    // The file's expectation no longer matches what breaks: named both ways, exit 1.
    const kept = JSON.parse(await Deno.readTextFile(KEPT));
    kept.expect_violations = ["pgtables_freed_under_walker"];
    await Deno.writeTextFile(`${dir}/kept.json`, JSON.stringify(kept));
    const changed = await lab("replay", `${dir}/kept.json`);
    assert.equal(changed.code, 1, changed.err);
    assert.match(
      changed.out,
      /expected violation pgtables_freed_under_walker: not found: pgtables_freed_under_walker; also broken: zap_live_sharer/,
    );
    // Bad JSON in a case file: one line naming the file, exit 1.
    await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
    await mistake(["replay", `${dir}/bad.json`], 1, /bad\.json: invalid JSON: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await mistake(["replay"], 2, /^error: replay takes exactly one case file$/);
  await mistake(["replay", KEPT, "--trace", "svg"], 2, /--trace takes ftrace or json, got "svg"/);
  await mistake(
    ["replay", SCENARIO, "--trace", "json", "--trace-out", "/tmp/x.json"],
    2,
    /--trace-out names one file: use it with --design/,
  );
});
