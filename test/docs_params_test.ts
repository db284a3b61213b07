// docs/architecture.md's table of cost-model parameters says what the core says: every
// parameter the core states (`COST_MODEL`, from wasm/src/params.rs `COST_MODEL`) is in the
// table with its value, the table names nothing else, and the core's list misses no
// constant of params.rs.

import assert from "node:assert/strict";
import { COST_MODEL } from "../src/core/kernel.ts";

const doc = await Deno.readTextFile("docs/architecture.md");
const rust = await Deno.readTextFile("wasm/src/params.rs");

function fromDoc(): Map<string, number> {
  const block = doc.split("<!-- params:begin -->")[1]?.split("<!-- params:end -->")[0];
  assert.ok(block, "docs/architecture.md has a params:begin/end block");
  const rows = [...block.matchAll(/^\| `([A-Z_]+)` +\| (\d+) +\|/gm)];
  return new Map(rows.map((m) => [m[1], Number(m[2])]));
}

function fromRust(): Map<string, number> {
  const consts = [...rust.matchAll(/^pub const ([A-Z_]+): u\d+ = ([\d_]+);/gm)];
  return new Map(
    consts.filter((m) => m[1] !== "PAGE_SIZE").map((m) => [m[1], Number(m[2].replaceAll("_", ""))]),
  );
}

Deno.test("the architecture doc's parameter table matches the core's cost model", () => {
  const want = fromRust();
  assert.ok(want.size >= 15, "params.rs was parsed");
  assert.deepEqual(COST_MODEL, Object.fromEntries(want));
  assert.deepEqual(Object.fromEntries(fromDoc()), COST_MODEL);
});
