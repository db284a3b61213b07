// The review's tables fit the page GitHub shows them on, and the command line's fit a
// terminal of 100 columns.
//
// The page's width budget. GitHub shows a README in a body 980 px wide. Its text is 16 px
// tall: an average glyph of its sans-serif face is about 7.5 px wide, a code glyph (85%,
// monospace) about 8.2 px, so a character counts 8 px. A column adds 38 px: 13 px of cell
// padding on each side, a 1 px border, and a code span's 0.4 em of padding on each side.
// A column is as wide as its widest cell on one line (a cell's `<br>` starts a new line;
// Markdown's `**`, backticks and `\|` escapes are not shown). A table fits when the sum of
// its columns is at most 980 px: then the designs in its first column are on the page with
// every number of their row, and nothing scrolls sideways.
//
// The terminal's: every line `lab compare` prints before its replay commands is at most 100
// columns wide; a wider table wraps deliberately, its further columns in a block of their own.

import assert from "node:assert/strict";
import { designs } from "../src/lab/designs/mod.ts";
import { namePattern } from "../src/lab/report/tables.ts";

const PAGE_PX = 980;
const CHAR_PX = 8;
const COLUMN_PX = 38;
const TERMINAL_COLUMNS = 100;

/** The Markdown tables of a document: each a list of rows of cells (header first). */
function tablesOf(md: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | null = null;
  for (const line of md.split("\n")) {
    if (!line.startsWith("|")) {
      current = null;
      continue;
    }
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined)
      .split(/(?<!\\)\|/).map((c) => c.trim());
    if (cells.every((c) => /^:?-{3,}:?$/.test(c))) continue;
    if (!current) tables.push(current = []);
    current.push(cells);
  }
  return tables;
}

/** The characters a cell's widest line shows. */
function shown(cell: string): number {
  return Math.max(
    ...cell.split("<br>").map((l) => [...l.replace(/\*\*|`/g, "").replace(/\\\|/g, "|")].length),
  );
}

/** A table's estimated width on the page (px). */
function widthPx(table: string[][]): number {
  const columns = Math.max(...table.map((r) => r.length));
  let px = 0;
  for (let i = 0; i < columns; i++) {
    px += COLUMN_PX + CHAR_PX * Math.max(...table.map((r) => shown(r[i] ?? "")));
  }
  return px;
}

Deno.test("the width estimate measures what GitHub shows", () => {
  assert.equal(shown("**process_mrelease_reap_kill**"), 26);
  assert.equal(shown("626.1 ms<br>`EBUSY`"), 8);
  assert.equal(widthPx([["design", "t90"], ["**sigkill**", "626.1 ms"]]), 2 * 38 + (7 + 8) * 8);
  const [t] = tablesOf("x\n\n| a | b \\| c |\n| --- | --- |\n| 1 | 2 |\n\ny");
  assert.deepEqual(t, [["a", "b \\| c"], ["1", "2"]]);
});

Deno.test("every table of docs/review/README.md fits a 980 px page", async () => {
  const md = await Deno.readTextFile("docs/review/README.md");
  const tables = tablesOf(md);
  assert.ok(tables.length >= 10, `${tables.length} tables`);
  const wide = tables.map((t) => ({ head: t[0].join(" | ").slice(0, 80), px: widthPx(t) }))
    .filter((t) => t.px > PAGE_PX);
  assert.deepEqual(wide, [], "tables wider than the page");
});

Deno.test("the review's glance shows every design in every one of its tables", async () => {
  const md = await Deno.readTextFile("docs/review/README.md");
  const glance = md.slice(
    md.indexOf("## At a glance"),
    md.indexOf("\n## ", md.indexOf("## At a glance") + 1),
  );
  const tables = tablesOf(glance);
  assert.ok(tables.length >= 2, "the glance is split by situations");
  for (const t of tables) {
    const rows = t.slice(1).map((r) => r[0].replace(/\*\*|`/g, ""));
    assert.deepEqual(rows, designs().map((d) => d.name), t[0].join(" | "));
  }
});

Deno.test("a grid names its scenarios by a pattern whose star each header fills", () => {
  const cases: [string[], string, string[]][] = [
    [["size-64mib-little", "size-16384mib-little"], "size-*mib-little", ["64", "16384"]],
    [["state-d-10ms", "state-d-2000ms"], "state-d-*ms", ["10", "2000"]],
    [["world-100-procs-1-thread", "world-300-procs-1-thread"], "world-*-procs-1-thread", [
      "100",
      "300",
    ]],
    [["state-running", "state-d-500ms-mmap-lock-write"], "state-*", [
      "running",
      "d-500ms-mmap-lock-write",
    ]],
    [["cgroup-1000"], "cgroup-*", ["1000"]],
  ];
  for (const [names, pattern, parts] of cases) {
    const p = namePattern(names);
    assert.deepEqual(p, { pattern, parts });
    p.parts.forEach((part, i) => assert.equal(p.pattern.replace("*", part), names[i]));
  }
});

async function labCompare(scenario: string): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/lab/cli/main.ts", "compare", scenario],
  }).output();
  const out = new TextDecoder().decode(r.stdout);
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return out;
}

Deno.test("lab compare fits 100 columns and says why a call answered EACCES", async () => {
  const out = await labCompare("scenarios/dstate-little-core.json");
  const body = out.slice(0, out.indexOf("\nreplay"));
  const wide = body.split("\n").filter((l) => [...l].length > TERMINAL_COLUMNS);
  assert.deepEqual(wide, [], "lines wider than the terminal");
  // Every design's row is there, in the first block and in the wrapped one.
  for (const d of designs()) {
    const rows = body.split("\n").filter((l) =>
      l.startsWith(`${d.name} `) || l.startsWith(`${d.name}@`)
    );
    assert.ok(rows.length >= 1, `${d.name}: no row`);
  }
  // The review's number style: µs, never "us"; no "0.0 MiB".
  assert.doesNotMatch(body, /\d us\b/);
  assert.doesNotMatch(body, /\b0\.0+ [KMG]iB/);
  // The design that needs a capability lmkd lacks answers EACCES, and the output says why,
  // from the record's needsCapability and the scenario's caller.
  const needs = designs().filter((d) => d.needsCapability !== undefined);
  assert.ok(needs.length >= 1);
  const note = body.replace(/\n +/g, " ");
  for (const d of needs) {
    assert.match(
      note,
      new RegExp(
        `${d.name}(@\\S+)? answers EACCES: .*needs ${d.needsCapability}.*lmkd \\(uid 1069\\), ` +
          `lacks it`,
      ),
    );
  }
});
