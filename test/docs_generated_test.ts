// The committed docs/proposals/ is what `deno task docs` generates now (the check behind
// `deno task docs --check` and the gate's "docs current" step), and the check itself sees
// every kind of drift: a missing page, a changed one, a stale one.

import assert from "node:assert/strict";
import { designs } from "../src/lab/designs/mod.ts";
import {
  diffDocs,
  type DocsDiff,
  formatDiff,
  generateDocs,
  isCurrent,
  writeDocs,
} from "../src/lab/docs/mod.ts";

Deno.test("docs/proposals/ equals a fresh generation", async () => {
  const diff = await diffDocs(await generateDocs({ designs: designs() }));
  assert.ok(
    isCurrent(diff),
    `docs/proposals/ is out of date; run \`deno task docs\`:\n${formatDiff(diff)}`,
  );
});

Deno.test("the check finds missing, changed and stale pages; writing repairs them", async () => {
  const root = await Deno.makeTempDir({ prefix: "mrelease-docs-" });
  try {
    await Deno.mkdir(`${root}/scenarios`);
    await Deno.copyFile("scenarios/vfork-shared-mm.json", `${root}/scenarios/vfork-shared-mm.json`);
    const docs = await generateDocs({ designs: designs(), root });
    const some = "docs/proposals/sigkill.md";
    const none: DocsDiff = { missing: [], changed: [], extra: [] };

    const fresh = await diffDocs(docs, { root });
    assert.deepEqual(fresh.missing, [...docs.keys()]);
    assert.equal(isCurrent(fresh), false);

    assert.deepEqual((await writeDocs(docs, { root })).written, [...docs.keys()]);
    assert.deepEqual(await diffDocs(docs, { root }), none);

    // A hand edit, a page no design generates any more, a file someone put there.
    const text = docs.get(some)!;
    await Deno.writeTextFile(`${root}/${some}`, text.replace("## Review", "## Reviews"));
    await Deno.writeTextFile(`${root}/docs/proposals/gone.md`, docs.get(some)!);
    await Deno.writeTextFile(`${root}/docs/proposals/notes.txt`, "mine\n");
    const drift = await diffDocs(docs, { root });
    assert.deepEqual(drift.missing, []);
    assert.deepEqual(drift.changed.map((c) => [c.path, c.committed, c.generated]), [
      [some, "## Reviews", "## Review"],
    ]);
    assert.deepEqual(drift.extra, ["docs/proposals/gone.md", "docs/proposals/notes.txt"]);
    assert.match(formatDiff(drift), /changed +docs\/proposals\/sigkill\.md +\(first difference/);

    const report = await writeDocs(docs, { root });
    assert.deepEqual(report, {
      written: [some],
      removed: ["docs/proposals/gone.md"],
      foreign: ["docs/proposals/notes.txt"],
    });
    assert.deepEqual((await diffDocs(docs, { root })).extra, ["docs/proposals/notes.txt"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
