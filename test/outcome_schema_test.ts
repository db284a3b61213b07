// docs/outcome-schema.md lists exactly the fields a real outcome has, with their JSON types.

import assert from "node:assert/strict";
import { findDesign } from "../src/lab/designs/mod.ts";
import { runScenario } from "../src/engine/run/experiment.ts";
import { loadScenarioFile } from "../src/engine/scenario/mod.ts";

const doc = await Deno.readTextFile("docs/outcome-schema.md");

function documented(): Map<string, string> {
  const block = doc.split("<!-- outcome:begin -->")[1]?.split("<!-- outcome:end -->")[0] ?? "";
  return new Map(
    [...block.matchAll(/^\| `([a-z0-9_.[\]]+)` +\| ([^|]+?) +\|/gm)].map((m) => [m[1], m[2]]),
  );
}

/** Every field path of a JSON value, with its JSON type; array items as `name[].field`. */
function fields(v: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (v === null || typeof v !== "object") return out;
  const entries = Array.isArray(v) ? v.map((x) => ["[]", x] as const) : Object.entries(v);
  for (const [k, x] of entries) {
    const path = k === "[]" ? `${prefix}[]` : prefix ? `${prefix}.${k}` : k;
    if (k !== "[]") out.set(path, x === null ? "null" : Array.isArray(x) ? "array" : typeof x);
    fields(x, path, out);
  }
  return out;
}

Deno.test("every field of a real outcome is documented with its type, and nothing else is", async () => {
  const s = await loadScenarioFile("scenarios/dstate-little-core.json");
  const { outcome } = runScenario(s, { design: findDesign("sigkill") });
  const real = fields(JSON.parse(JSON.stringify(outcome)));
  const doc = documented();
  // warnings[] is empty in this run: its item fields are documented but not present.
  const optional = new Set(["warnings[].at_ns", "warnings[].name", "warnings[].args"]);
  assert.deepEqual([...real.keys()].sort(), [...doc.keys()].filter((k) => !optional.has(k)).sort());
  for (const [path, type] of real) {
    const documentedAs = doc.get(path) ?? "";
    assert.ok(
      documentedAs.split(" or ").some((t) => t.startsWith(type)),
      `${path}: documented as "${documentedAs}", is ${type}`,
    );
  }
});
