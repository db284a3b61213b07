// lab explore and lab merge through the commands a user types: the report, every witness
// command replaying its outcome, shards adding up to one run, the bounds and the mistakes.

import assert from "node:assert/strict";
import { lab } from "./_cli.ts";
import { outcomeText, scheduleOutcome } from "../src/engine/explore/mod.ts";

const TWO = "scenarios/explore/two-callers-same-instant.json";

Deno.test("explore: outcomes with counts, a witness that replays each, the verdict", async () => {
  const r = await lab("explore", TWO, "--design", "process_mrelease");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /process_mrelease: \d+ schedules, 4 distinct outcomes/);
  assert.match(r.out, /condition exists freed by other: Sometimes \(\d+ of \d+ schedules\) Ok/);
  assert.match(r.err, /branches pruned/);
  const lines = r.out.split("\n");
  const rows = lines.flatMap((l, i) => {
    const m = /^\s+\d+\s{2}(ret .*)$/.exec(l);
    return m ? [{ text: m[1], command: lines[i + 1].trim() }] : [];
  });
  assert.equal(rows.length, 4);
  for (const { text, command } of rows) {
    // The printed command, run as printed (with --json to read the outcome back).
    const args = command.split(" ");
    assert.deepEqual(args.slice(0, 3), ["deno", "task", "replay"]);
    const replay = await lab("replay", ...args.slice(3), "--json");
    const [result] = JSON.parse(replay.out);
    assert.equal(outcomeText(scheduleOutcome(result.outcome)), text, command);
  }
});

Deno.test("merge: four shards' lines give the report one explore gives", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const one = await lab("explore", TWO, "--design", "process_mrelease", "--preemptions", "3");
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = `${dir}/shard-${i}.jsonl`;
      const s = await lab(
        "explore",
        TWO,
        "--design",
        "process_mrelease",
        "--preemptions",
        "3",
        "--shard",
        `${i}/4`,
        "--out",
        f,
      );
      assert.equal(s.code, 0, s.err);
      assert.match(s.out, new RegExp(`shard ${i}/4`));
      files.push(f);
    }
    const merged = await lab("merge", ...files);
    assert.equal(merged.code, 0, merged.err);
    assert.equal(merged.out, one.out);
    // A shard given twice counts once.
    assert.equal((await lab("merge", ...files, files[0])).out, one.out);
    await Deno.writeTextFile(`${dir}/bad.jsonl`, '{"schema": "x"}\n');
    const bad = await lab("merge", `${dir}/bad.jsonl`);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /bad\.jsonl:1: not an explore line/);
    await Deno.writeTextFile(`${dir}/junk.jsonl`, "{\n");
    assert.match((await lab("merge", `${dir}/junk.jsonl`)).err, /junk\.jsonl:1: not JSON/);
    await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
    assert.match((await lab("merge", `${dir}/empty.jsonl`)).err, /hold no schedule/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("explore: the budget ends a walk with exit 1; every mistake is one line", async () => {
  const b = await lab("explore", TWO, "--design", "sigkill", "--budget", "1");
  assert.equal(b.code, 1);
  assert.match(b.err, /budget reached: 1 schedules, more are left \(--budget raises it\)/);
  const none = await lab("explore", TWO, "--design", "sigkill", "--reduction", "none");
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /sigkill: 4 schedules/);
  for (
    const [args, message] of [
      [["--shard", "4/4"], /--shard takes I\/N with 0 <= I < N/],
      [["--shard", "x"], /--shard takes I\/N/],
      [["--reduction", "dpor"], /--reduction takes sleep-sets or none/],
      [["--budget", "0"], /--budget takes a whole number from 1/],
      [["--design", "sigkil"], /did you mean "sigkill"/],
      [["--max-snapshots", "1", "--design", "process_mrelease"], /snapshot limit reached/],
    ] as const
  ) {
    const r = await lab("explore", TWO, ...args);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.err, message);
  }
  assert.match((await lab("explore")).err, /exactly one scenario file/);
  assert.match((await lab("merge")).err, /takes the shards' line files/);
  assert.match((await lab("explore", "--help")).out, /--preemptions K/);
  assert.match((await lab("help", "merge")).out, /lab merge <lines.jsonl/);
});

Deno.test("verify checks the verdicts a scenario states", async () => {
  const r = await lab("verify", TWO);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /process_mrelease explore every schedule\s+6\.18\s+ok\s+sometimes/);
  const dir = await Deno.makeTempDir();
  try {
    const s = JSON.parse(await Deno.readTextFile(TWO));
    s.explore.expect = [{ design: "process_mrelease", verdict: "always", preemptions: 0 }];
    await Deno.writeTextFile(`${dir}/wrong.json`, JSON.stringify(s));
    const w = await lab("verify", `${dir}/wrong.json`);
    assert.equal(w.code, 1);
    assert.match(w.out, /K=0 .*FAIL\s+expected always, got never \(0 of 1 schedules\)/);
    s.explore.expect = [{ design: "process_mreleas", verdict: "never" }];
    await Deno.writeTextFile(`${dir}/typo.json`, JSON.stringify(s));
    const t = await lab("verify", `${dir}/typo.json`);
    assert.match(t.err, /\$\.explore\.expect\[0\]\.design: .*did you mean "process_mrelease"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
