// Numbers print in one style, the review's and the command line's alike: four significant
// digits in the unit the magnitude calls for (never `0.0 MiB` for a few pages), `µs` rather
// than `us`, KiB/MiB/GiB; progress counts points and gives their share; the review states a
// permission errno's reason from the design record and the scenario, and the README's
// example of what `deno task lab` prints is consistent with itself.

import assert from "node:assert/strict";
import {
  bytes,
  callParties,
  duration,
  errnoReason,
  pages,
  quantity,
} from "../src/lab/report/mod.ts";
import { progressLine } from "../src/lab/report/pool.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { loadScenarioFile } from "../src/engine/scenario/mod.ts";

Deno.test("durations take the unit their magnitude calls for, four significant digits", () => {
  const cases: [number | null, string][] = [
    [0, "0 ns"],
    [250, "250 ns"],
    [999.6, "1.000 µs"],
    [3_160, "3.160 µs"],
    [503_800, "503.8 µs"],
    [39_430_000, "39.43 ms"],
    [626_070_000, "626.1 ms"],
    [999_970_000, "1.000 s"],
    [1_012_000_000, "1.012 s"],
    [null, "never"],
  ];
  for (const [ns, text] of cases) assert.equal(duration(ns), text, String(ns));
  for (let e = 0; e < 12; e++) assert.doesNotMatch(duration(1.234 * 10 ** e), /us|0\.0+ /);
});

Deno.test("memory takes KiB, MiB or GiB by magnitude, never 0.0 of a larger unit", () => {
  assert.equal(pages(0), "0 B");
  assert.equal(pages(3), "12.00 KiB");
  assert.equal(pages(256), "1.000 MiB");
  assert.equal(pages(131_072), "512.0 MiB");
  assert.equal(pages(409_600), "1.563 GiB");
  assert.equal(pages(262_143), "1.000 GiB");
  assert.equal(bytes(4096 * 4_096_000), "15.63 GiB");
  for (let p = 1; p < 1e7; p *= 3) assert.doesNotMatch(pages(p), /^0\.0/, String(p));
});

Deno.test("a quantity in a chart's unit prints as a time or a size", () => {
  assert.equal(quantity(1123, "ms"), "1.123 s");
  assert.equal(quantity(2498, "µs"), "2.498 ms");
  assert.equal(quantity(460.8, "MiB"), "460.8 MiB");
  assert.equal(quantity(100_000, "processes"), "100,000 processes");
});

Deno.test("progress gives the share of points done, as its count does", () => {
  assert.equal(
    progressLine({ done: 1, of: 88, elapsed_s: 6.84, left_s: 20.4 }),
    "report: 1/88 points (1%), 6.8 s, about 20 s left",
  );
  assert.match(
    progressLine({ done: 44, of: 88, elapsed_s: 1, left_s: 1 }),
    /44\/88 points \(50%\)/,
  );
  assert.match(progressLine({ done: 87, of: 88, elapsed_s: 1, left_s: 1 }), /\(98%\)/);
});

Deno.test("README: the progress lines it shows count consistently", async () => {
  const readme = await Deno.readTextFile("README.md");
  const lines = [...readme.matchAll(/report: (\d+)\/(\d+) points \((\d+)%\)/g)];
  assert.ok(lines.length >= 1, "README shows a progress line");
  for (const [line, done, of, share] of lines) {
    assert.equal(Number(share), Math.floor(100 * Number(done) / Number(of)), line);
  }
  assert.doesNotMatch(readme, /\d us\b/);
});

Deno.test("a permission errno's reason comes from needsCapability and the caller's facts", async () => {
  const scenario = await loadScenarioFile("scenarios/dstate-little-core.json");
  const who = callParties(scenario);
  assert.ok(who);
  assert.deepEqual(who.caps, ["CAP_KILL", "CAP_SYS_NICE"]);
  const needs = designs().filter((d) => d.needsCapability !== undefined);
  assert.ok(needs.length >= 1);
  for (const d of needs) {
    const why = errnoReason(d, "EACCES", who);
    assert.ok(why?.includes(d.needsCapability!), why ?? "no reason");
    assert.match(why!, /lmkd \(uid 1069\), lacks it: it has CAP_KILL and CAP_SYS_NICE/);
    // With the capability, or for another errno, the facts explain nothing.
    assert.equal(
      errnoReason(d, "EACCES", { ...who, caps: [...who.caps, d.needsCapability!] }),
      null,
    );
    assert.equal(errnoReason(d, "ESRCH", who), null);
    // Nor when the caller is the victim's own user.
    assert.equal(errnoReason(d, "EACCES", { ...who, uid: who.victimUid }), null);
  }
  // A design that needs no capability beyond the kill's has no such reason.
  const plain = designs().find((d) => d.needsCapability === undefined)!;
  assert.equal(errnoReason(plain, "EACCES", who), null);
});
