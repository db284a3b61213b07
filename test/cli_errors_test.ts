/**
 * The command line's mistakes (issue 11, finding 5; issue 12's rules): each one is a single
 * `error:` line with no stack trace, a "did you mean" where a name is near, exit code 2 for
 * a command-line mistake and 1 for a file that is not a valid scenario. Every test here
 * printed a stack trace (or read without bound) before.
 */

import assert from "node:assert/strict";
import { lab } from "./_cli.ts";

const SCENARIO = "scenarios/dstate-little-core.json";

/** Exit `code`, one `error:` line matching `message`, nothing else on stderr. */
async function mistake(args: string[], code: number, message: RegExp): Promise<string> {
  const r = await lab(...args);
  assert.equal(r.code, code, `exit code of lab ${args.join(" ")}: ${r.err}`);
  const lines = r.err.split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${r.err}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
  assert.doesNotMatch(r.err, /^\s+at /m, "no stack trace");
  return lines[0];
}

Deno.test("an unknown design: one line, did you mean, exit 2", async () => {
  await mistake(
    ["run", SCENARIO, "--design", "sigkil"],
    2,
    /unknown design "sigkil"; did you mean "sigkill"\? \(known: sigkill, /,
  );
});

Deno.test("an unknown variant: one line, did you mean, exit 2", async () => {
  await mistake(
    ["run", SCENARIO, "--design", "process_mrelease@v99"],
    2,
    /unknown variant "v99" of process_mrelease; did you mean "process_mrelease@v9"\?/,
  );
  await mistake(["run", SCENARIO, "--design", "sigkill@v1"], 2, /sigkill has no variants/);
});

Deno.test("--kernel-bugs with an unknown bit: one line naming the known bits, exit 2", async () => {
  await mistake(
    ["run", SCENARIO, "--kernel-bugs", "99"],
    2,
    /--kernel-bugs takes a sum of known kernel bug bits \(1 = F3_DANGLING_MMAP\), got "99"/,
  );
  await mistake(["run", SCENARIO, "--kernel-bugs", "F3_DANGLING"], 2, /did you mean/);
  const named = await lab(
    "run",
    SCENARIO,
    "--design",
    "sigkill",
    "--kernel-bugs",
    "F3_DANGLING_MMAP",
  );
  assert.equal(named.code, 0, named.err);
  assert.match(named.out, /--kernel-bugs 1$/m, "the replay line carries the bits");
});

Deno.test("a negative seed: one line, exit 2", async () => {
  await mistake(
    ["run", SCENARIO, "--seed", "-5"],
    2,
    /^error: --seed takes a whole number >= 0, got "-5"$/,
  );
  await mistake(["run", SCENARIO, "--seed", "1e3"], 2, /--seed takes a whole number/);
  await mistake(["run", SCENARIO, "--seed"], 2, /--seed needs a value/);
});

Deno.test("a directory as the scenario: one line, exit 2", async () => {
  await mistake(
    ["run", "scenarios"],
    2,
    /^error: scenarios: is a directory, not a scenario file \(lab verify takes folders/,
  );
  await mistake(["replay", "scenarios"], 2, /is a directory/);
});

Deno.test("lab verify accepts a folder (and its subfolders)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/sub`);
  await Deno.copyFile(SCENARIO, `${dir}/a.json`);
  await Deno.copyFile("scenarios/vfork-shared-mm.json", `${dir}/sub/b.json`);
  await Deno.writeTextFile(`${dir}/notes.txt`, "not a scenario");
  const r = await lab("verify", `${dir}/`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\d+ passed, 0 failed$/m);
  assert.match(r.out, /dstate-little-core/);
  assert.match(r.out, /vfork-shared-mm/);
  await mistake(["verify", "no/such/folder"], 2, /no such file or folder/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an expect entry naming an unknown design: a problem at its JSON path, exit 1", async () => {
  const json = JSON.parse(await Deno.readTextFile(SCENARIO));
  json.expect[0].design = "sigkil";
  json.expect.push({ design: "process_mrelease@v99" });
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(json));
  const r = await lab("verify", path, SCENARIO);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.err, /^\s+at /m, "no stack trace");
  const lines = r.err.split("\n");
  assert.match(lines[0], /^error: invalid scenario .* \(2 problems\):$/);
  assert.match(lines[1], /^ {2}\$\.expect\[0\]\.design: .*got "sigkil"; did you mean "sigkill"\?$/);
  assert.match(lines[2], /^ {2}\$\.expect\[\d+\]\.design: .*did you mean "process_mrelease@v9"\?$/);
  assert.match(r.out, /1 invalid file$/m, "the other file still ran");
  assert.match(r.out, /dstate-little-core/);
  await Deno.remove(path);
});

Deno.test("/dev/zero stops at the size limit: one line, exit 1, bounded", async () => {
  const rss0 = Deno.memoryUsage().rss;
  const t0 = performance.now();
  await mistake(
    ["run", "/dev/zero"],
    1,
    /^error: \/dev\/zero: is larger than the 64 MiB limit on scenario files .*--max-scenario-bytes/,
  );
  assert.ok(performance.now() - t0 < 10_000);
  assert.ok(Deno.memoryUsage().rss - rss0 < 512 * 2 ** 20);
  await mistake(
    ["verify", "/dev/zero", "--max-scenario-bytes", "1MiB"],
    1,
    /the 1 MiB limit/,
  );
  await mistake(["run", SCENARIO, "--max-scenario-bytes", "1KiB"], 1, /the 1 KiB limit/);
  await mistake(["run", SCENARIO, "--max-scenario-bytes", "lots"], 2, /takes a size in bytes/);
});

Deno.test("typos in options, kernels and commands: did you mean, one line, exit 2", async () => {
  await mistake(
    ["run", SCENARIO, "--desing", "sigkill"],
    2,
    /unknown option --desing; did you mean --design\?/,
  );
  await mistake(["run", SCENARIO, "--kernel", "6.1"], 2, /got "6.1"; did you mean "6.18"\?$/);
  await mistake(["verify", "--desing"], 2, /unknown option --desing/);
  await mistake(["rnu", SCENARIO], 2, /unknown command "rnu"; did you mean "run"\?/);
  await mistake(["run", "no/such/file.json"], 2, /no\/such\/file\.json: no such file$/);
});

Deno.test("a trace path that cannot be written: one line, exit 2", async () => {
  const r = await lab(
    "run",
    SCENARIO,
    "--design",
    "sigkill",
    "--trace",
    "ftrace",
    "--trace-out",
    "/",
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: .*'\/'$/);
  assert.doesNotMatch(r.err, /^\s+at /m);
});
