/**
 * The command line's front door (issue 12, "The command line"): every command's own
 * `--help` and `help <command>`, `compare --design` and `run` on a case file as one-line
 * mistakes, `replay` of a kept expected failure, `verify` in the expectation's own units,
 * calibrate's options and its output outside the repository, and relative paths against
 * the directory the user ran the task from (INIT_CWD). Each test failed before.
 */

import assert from "node:assert/strict";
import { capture, lab } from "./_cli.ts";
import { notFound, reported } from "../src/lab/cli/mod.ts";
import { benchCli, parseBenchArgs } from "../src/lab/cli/bench.ts";
import { main as docsMain } from "../src/lab/cli/docs.ts";
import { parseCalibrateArgs } from "../src/lab/cli/calibrate.ts";
import { hostMeasuredCpu, userProfilePath } from "../src/lab/host/mod.ts";
import type { ExpectedFailure } from "../src/lab/props/mod.ts";

const SCENARIO = "scenarios/dstate-little-core.json";
const KEPT = "test/props/failures/expected-safety-process-madvise-zap-live-sharer.json";

/** Exit 2, one `error:` line matching `message`, no stack trace. */
async function mistake(args: string[], message: RegExp): Promise<string> {
  const r = await lab(...args);
  assert.equal(r.code, 2, `exit code of lab ${args.join(" ")}: ${r.err}`);
  const lines = r.err.split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${r.err}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
  return lines[0];
}

/** With environment variables set for the length of `f`. */
async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

Deno.test("every command has its own --help, and help <command> shows it", async () => {
  for (const command of ["report", "run", "compare", "verify", "sweep", "replay", "classify"]) {
    const own = await lab(command, "--help");
    assert.equal(own.code, 0, own.err);
    const name = command === "sweep" || command === "replay" ? command : `lab ${command}`;
    assert.match(own.out, new RegExp(`^usage: deno task ${name}\\b`), `${command} --help`);
    const viaHelp = await lab("help", command);
    assert.equal(viaHelp.code, 0, viaHelp.err);
    assert.equal(viaHelp.out, own.out, `help ${command} is ${command} --help`);
  }
  // compare's help is compare's, not run's.
  const compare = await lab("help", "compare");
  assert.match(compare.out, /every registered design/);
  assert.doesNotMatch(compare.out, /^usage: deno task lab run/m);
  // help alone, and --help, list the commands: a screenful, every command named once, no
  // command's options (those are `help <command>`'s).
  for (const args of [["help"], ["--help"], ["-h"]]) {
    const all = await lab(...args);
    assert.equal(all.code, 0);
    assert.match(all.out, /^mrelease-lab: /);
    assert.ok(all.out.split("\n").length <= 30, `${args}: ${all.out.split("\n").length} lines`);
    for (const command of ["report", "run", "compare", "verify", "sweep", "replay", "classify"]) {
      assert.match(all.out, new RegExp(`^  ${command}\\b`, "m"), `${args} lists ${command}`);
    }
    assert.doesNotMatch(all.out, /^usage: deno task lab run/m, `${args} is the overview`);
    assert.match(all.out, /deno task lab help <command>/);
  }
});

Deno.test("help of an unknown command is a one-line mistake with a did you mean", async () => {
  await mistake(["help", "rnu"], /unknown command "rnu"; did you mean "run"\?/);
  await mistake(["comapre", SCENARIO], /unknown command "comapre"; did you mean "compare"\?/);
});

Deno.test("compare without a file names compare", async () => {
  await mistake(["compare"], /^error: lab compare takes exactly one scenario file$/);
});

Deno.test("compare --design is a mistake that points to run", async () => {
  await mistake(
    ["compare", SCENARIO, "--design", "sigkill"],
    /compare runs every design.*use lab run scenarios\/dstate-little-core\.json --design sigkill/,
  );
});

Deno.test("run on a property case file points to replay with the exact command", async () => {
  const line = await mistake(["run", KEPT], /is a property case file, not a scenario/);
  assert.ok(
    line.endsWith(
      `replay it with deno task replay ${KEPT} --design process_madvise --kernel 5.10 ` +
        "--choices 0 --property safety",
    ),
    line,
  );
});

Deno.test("replay of a kept expected failure whose violation matched exits 0", async () => {
  const r = await lab("replay", KEPT);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /expected violation matched: zap_live_sharer/);
  // Another property is a new question: the file's expectation does not apply.
  const other = await lab("replay", KEPT, "--property", "effectiveness");
  assert.doesNotMatch(other.out, /expected violation/);
});

Deno.test("verify reports an expectation in the unit it was written in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = JSON.parse(await Deno.readTextFile(SCENARIO));
    s.expect = [{ design: "sigkill", t100_ms: { max: 1 }, freed_pages: { min: 1, max: 2 } }];
    await Deno.writeTextFile(`${dir}/s.json`, JSON.stringify(s));
    const r = await lab("verify", `${dir}/s.json`);
    assert.equal(r.code, 1);
    assert.match(r.out, /t100_ms: expected <= 1 ms, got [0-9.]+ ms/);
    assert.match(r.out, /freed_pages: expected >= 1 pages and <= 2 pages, got [0-9]+ pages/);
    assert.doesNotMatch(r.out, /_ns:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("calibrate --help documents its options and runs without a host", async () => {
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "src/lab/cli/calibrate.ts", "--help"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(p.stdout);
  assert.equal(p.code, 0, new TextDecoder().decode(p.stderr));
  for (const option of ["--sizes", "--runs", "--out"]) assert.match(out, new RegExp(option));
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "src/lab/cli/calibrate.ts", "--runz", "3"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.equal(
    new TextDecoder().decode(bad.stderr).trim(),
    "error: unknown option --runz; did you mean --runs?",
  );
});

Deno.test("docs' options: --check, --help, and a typo is one line with exit 2", async () => {
  const typo = await capture(() => reported(() => docsMain(["--chek"])));
  assert.deepEqual([typo.code, typo.err.trim()], [
    2,
    "error: unknown option --chek; did you mean --check?",
  ]);
  const file = await capture(() => reported(() => docsMain(["docs/"])));
  assert.deepEqual([file.code, file.err.trim()], [2, 'error: docs takes no file, got "docs/"']);
  const help = await capture(() => docsMain(["-h"]));
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task docs \[--check\]/);
  const check = await capture(() => docsMain(["--check"]));
  assert.equal(check.code, 0, check.err);
  assert.match(check.out, /files, current$/);
});

Deno.test("bench's options are checked, one line and exit 2, and --help documents them", async () => {
  assert.deepEqual(parseBenchArgs([]), { help: false, writeDoc: false, nativeRuns: 20_000 });
  assert.deepEqual(parseBenchArgs(["--write-doc", "--native-runs", "5"]), {
    help: false,
    writeDoc: true,
    nativeRuns: 5,
  });
  assert.deepEqual(parseBenchArgs(["-h"]), { help: true });
  assert.throws(
    () => parseBenchArgs(["--native-runs", "0"]),
    /--native-runs takes a whole number >= 1/,
  );
  assert.throws(() => parseBenchArgs(["--native-runs", "x"]), /--native-runs takes a whole number/);
  assert.throws(
    () => parseBenchArgs(["--native-runs", "-3"]),
    /--native-runs takes a whole number/,
  );
  assert.throws(
    () => parseBenchArgs(["--write-docs"]),
    /unknown option --write-docs; did you mean --write-doc\?/,
  );
  assert.throws(() => parseBenchArgs(["extra"]), /bench takes no file/);
  const help = await capture(() => benchCli(["--help"]));
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task bench \[options\]/);
  for (const option of ["--write-doc", "--native-runs", "--help"]) {
    assert.match(help.out, new RegExp(option));
  }
  const typo = await capture(() => reported(() => benchCli(["--native-runz", "3"])));
  assert.deepEqual([typo.code, typo.err.trim()], [
    2,
    "error: unknown option --native-runz; did you mean --native-runs?",
  ]);
});

Deno.test("calibrate's options are checked, and its default output is outside the repo", async () => {
  assert.deepEqual(parseCalibrateArgs(["-h"]), { help: true });
  assert.throws(() => parseCalibrateArgs(["--sizes", "0"]), /--sizes takes MiB values 1\.\.2048/);
  assert.throws(() => parseCalibrateArgs(["--sizes", "64,x"]), /--sizes takes/);
  for (const one of ["64", "64,64"]) {
    assert.throws(() => parseCalibrateArgs(["--sizes", one]), /at least two different sizes/);
  }
  assert.equal(
    (parseCalibrateArgs(["--sizes", "8,16"]) as { sizesMiB: number[] }).sizesMiB.length,
    2,
  );
  assert.throws(() => parseCalibrateArgs(["--runs", "0"]), /--runs takes a whole number >= 1/);
  assert.throws(() => parseCalibrateArgs(["--runs", "-1"]), /--runs takes a whole number/);
  assert.throws(() => parseCalibrateArgs(["extra"]), /calibrate takes no file/);
  const cache = await Deno.makeTempDir();
  try {
    await withEnv({ XDG_CACHE_HOME: cache, INIT_CWD: Deno.cwd() }, async () => {
      const o = parseCalibrateArgs(["--sizes", "8,16", "--runs", "1"]);
      assert.ok(!o.help);
      if (o.help) return;
      assert.deepEqual(o.sizesMiB, [8, 16]);
      assert.equal(o.runs, 1);
      assert.equal(o.out, `${cache}/mrelease-lab/host.json`);
      assert.equal(userProfilePath(), o.out);
      // What the readers read: the profile calibrate wrote there, else the committed one.
      const committed = await hostMeasuredCpu();
      assert.equal(committed?.label, "host-measured");
      await Deno.mkdir(`${cache}/mrelease-lab`);
      const profile = { capacity: 7, freq_mhz: 1, max_freq_mhz: 1, label: "mine", speed: 1 };
      await Deno.writeTextFile(o.out, JSON.stringify({ profile }));
      assert.equal((await hostMeasuredCpu())?.label, "mine");
    });
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
  assert.equal(userProfilePath({ HOME: "/home/u" }), "/home/u/.cache/mrelease-lab/host.json");
  assert.equal(userProfilePath({}), undefined);
});

Deno.test("relative paths resolve against the directory the user ran the task from", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(SCENARIO, `${dir}/mine.json`);
    await withEnv({ INIT_CWD: dir }, async () => {
      const r = await lab(
        "run",
        "mine.json",
        "--design",
        "sigkill",
        "--trace",
        "json",
        "--trace-out",
        "out.json",
      );
      assert.equal(r.code, 0, r.err);
      assert.ok((await Deno.stat(`${dir}/out.json`)).isFile);
      // The default trace name, in the user's directory too.
      const d = await lab("run", "mine.json", "--design", "sigkill", "--trace", "ftrace");
      assert.equal(d.code, 0, d.err);
      assert.ok((await Deno.stat(`${dir}/dstate-little-core.sigkill.trace.txt`)).isFile);
      const v = await lab("verify", "mine.json");
      assert.equal(v.code, 0, v.out);
      const c = await lab("compare", "mine.json", "--json");
      assert.equal(c.code, 0, c.err);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unknown option before the command: one line, did you mean, exit 2", async () => {
  await mistake(["--hepl"], /^error: unknown option --hepl; did you mean --help\? /);
  await mistake(["--foo"], /^error: unknown option --foo \(deno task lab help lists/);
  const helpHelp = await lab("help", "help");
  assert.equal(helpHelp.code, 0);
  assert.match(helpHelp.out, /^mrelease-lab: /);
});

Deno.test("the sweep tells a break not found within the budget from a break that is gone", async () => {
  const base = {
    property: "safety" as const,
    target: "process_madvise",
    kind: "expected" as const,
    numRuns: 1,
    runs: 1,
    seed: 1,
    ok: false,
  };
  const expected = (rules: string[]) =>
    ({ target: "process_madvise", property: "safety", rules }) as unknown as ExpectedFailure;
  // The kept case still breaks the rule: the budget was too small.
  const small = await notFound({ ...base, expected: expected(["zap_live_sharer"]) }, 1);
  assert.match(small, /NOT FOUND in 1 runs: not found within the budget; the kept case/);
  assert.match(small, /still breaks it.*raise --expected-budget, now 1/);
  // A kept case that no longer breaks its rule: the break is gone.
  const dir = await Deno.makeTempDir();
  try {
    const kept = JSON.parse(await Deno.readTextFile(KEPT));
    kept.expect_violations = ["pgtables_freed_under_walker"];
    await Deno.writeTextFile(`${dir}/kept.json`, JSON.stringify(kept));
    const url = new URL(`file://${dir}/`);
    const gone = await notFound(
      { ...base, expected: expected(["pgtables_freed_under_walker"]) },
      5,
      url,
    );
    assert.match(gone, /the break is gone; the kept case .*kept\.json no longer breaks/);
    // No kept case: neither can be told.
    const none = await notFound({ ...base, expected: expected(["x"]) }, 5, url);
    assert.match(none, /no kept case tells whether the break is gone/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classify and report answer in-process, and their mistakes are one line", async () => {
  const c = await lab("classify", KEPT);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /process_mrelease vs process_mrelease_reap_kill: /);
  await mistake(["classify", "--choices", "x", KEPT], /--choices takes whole numbers/);
  const list = await lab("report", "--list");
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /victim-state\s+state-running/);
  await mistake(["report", "extra"], /lab report takes no file, got "extra"/);
  await mistake(["report", "--workers", "999"], /--workers takes a whole number 0\.\.256/);
});
