// The review finds the designs it speaks of by their records' facts: every role it uses is
// played by exactly one registered design (or, for a group's example, the oldest of them),
// and a registry where a role fits no design, or several, stops the review with a message
// that names the facts it looked for and the designs that fit.

import assert from "node:assert/strict";
import { designs } from "../src/lab/designs/mod.ts";
import {
  KILL_ALONE,
  KILLS_SHARERS,
  MERGED,
  NEEDS_PTRACE,
  OOM_KILLER,
  PINS_MM_USERS,
  playing,
} from "../src/lab/report/roles.ts";

const ROLES = { KILL_ALONE, OOM_KILLER, MERGED, NEEDS_PTRACE, KILLS_SHARERS, PINS_MM_USERS };

Deno.test("every role of the review is played by a registered design", () => {
  const all = designs();
  for (const [name, role] of Object.entries(ROLES)) {
    const d = playing(role);
    assert.ok(all.includes(d), name);
    assert.ok(role.fits(d), name);
  }
  // Distinct parts: no design plays two of the single roles.
  const single = Object.values(ROLES).filter((r) => !r.oldestStandsForAll).map((r) => playing(r));
  assert.equal(new Set(single).size, single.length);
});

Deno.test("a group's example is its oldest member", () => {
  const all = designs();
  const group = all.filter(PINS_MM_USERS.fits);
  assert.ok(group.length > 1);
  assert.equal(playing(PINS_MM_USERS), group[0]);
  assert.equal(playing(PINS_MM_USERS, [...group].reverse()), group[group.length - 1]);
});

Deno.test("a role no design fits, or several do, is an error that says which", () => {
  const merged = playing(MERGED);
  const twin = { ...merged, name: "merged_twin" };
  assert.throws(
    () => playing(MERGED, [...designs(), twin]),
    (e: Error) =>
      /the design review needs the design a kernel release merged \(mergedIn\)/.test(e.message) &&
      e.message.includes(`2 do (${merged.name}, merged_twin)`),
  );
  const without = designs().filter((d) => d !== merged);
  assert.throws(() => playing(MERGED, without), /none does/);
  assert.throws(() => playing(PINS_MM_USERS, []), /none does/);
});
