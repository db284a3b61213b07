// The design review is deterministic: two builds (one with Web Workers, one without) give
// byte-identical files, none of them carries a timestamp or a wall-clock figure, and the
// README links only to files the report writes.

import assert from "node:assert/strict";
import { buildReport, REVIEW_MARKER, writeReport } from "../src/lab/report/mod.ts";

Deno.test("two builds of the report are identical, whatever the worker count", async () => {
  const a = await buildReport({ full: false, workers: 2, progress: null });
  const b = await buildReport({ full: false, workers: 0, progress: null });
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [path, content] of a) assert.equal(b.get(path), content, path);

  for (const [path, content] of a) {
    // ISO dates and times, or a "generated at" line, would make every run differ.
    assert.doesNotMatch(content, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${path}: a timestamp`);
    assert.doesNotMatch(content, /generated (at|on) /i, `${path}: a generation time`);
  }

  const readme = a.get("README.md")!;
  const links = [...readme.matchAll(/\]\(([^)#:]+)\)/g)].map((m) => m[1])
    .filter((l) => !l.startsWith("../"));
  assert.ok(links.length > 10);
  for (const l of links) assert.ok(a.has(l), `README links to ${l}, which the report lacks`);
  for (const path of a.keys()) {
    if (path.endsWith(".svg")) assert.ok(readme.includes(`(${path})`), `${path} is not shown`);
  }
  // Every experiment has its representative run's traces.
  const traces = [...a.keys()].filter((p) => /\/trace\.(txt|json)$/.test(p));
  assert.ok(traces.length >= 14, traces.join(", "));
  for (const p of traces.filter((p) => p.endsWith(".json"))) JSON.parse(a.get(p)!);
});

Deno.test("writeReport removes stale review files only from a generated review", async () => {
  const files = new Map([
    ["README.md", `${REVIEW_MARKER}\` (src/lab/report/). -->\n# review\n`],
    ["new.svg", "<svg/>\n"],
  ]);
  const review = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  try {
    await writeReport(files, review);
    await Deno.writeTextFile(`${review}/old.svg`, "<svg/>");
    await Deno.writeTextFile(`${review}/notes.bin`, "keep");
    await writeReport(files, review);
    assert.deepEqual((await ls(review)).sort(), ["README.md", "new.svg", "notes.bin"]);

    // A directory that is not a review keeps everything it had.
    await Deno.writeTextFile(`${other}/README.md`, "# my project\n");
    await Deno.writeTextFile(`${other}/main.svg`, "<svg/>");
    await writeReport(new Map([["x.svg", "<svg/>\n"]]), other);
    assert.deepEqual((await ls(other)).sort(), ["README.md", "main.svg", "x.svg"]);
  } finally {
    await Deno.remove(review, { recursive: true });
    await Deno.remove(other, { recursive: true });
  }
});

async function ls(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out;
}
