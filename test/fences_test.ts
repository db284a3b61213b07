/**
 * The layers' fences hold over the whole tree, and each fence is shown to catch the break it
 * names (a checker that cannot fail guards nothing).
 */

import assert from "node:assert/strict";
import { checkFences, importsOf, stringLiterals } from "../src/lab/tools/mod.ts";
import { allDesigns } from "../src/lab/designs/mod.ts";

const root = new URL("..", import.meta.url);

async function treeFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(new URL(dir, root))) {
      const path = `${dir}${e.name}`;
      if (e.isDirectory) await walk(`${path}/`);
      else if (e.name.endsWith(".ts")) {
        files.set(path, await Deno.readTextFile(new URL(path, root)));
      }
    }
  };
  for (const dir of ["src/", "proposals/", "test/"]) await walk(dir);
  files.set("mod.ts", await Deno.readTextFile(new URL("mod.ts", root)));
  return files;
}

function designNames(): Set<string> {
  const names = new Set<string>();
  for (const d of allDesigns()) {
    names.add(d.name);
    for (const v of d.variants ?? []) names.add(`${d.name}@${v.name}`);
  }
  return names;
}

const opts = { designNames: new Set(["process_mrelease", "process_mrelease@v9"]) };

Deno.test("fences: the tree crosses none", async () => {
  const broken = checkFences(await treeFiles(), { designNames: designNames() });
  assert.deepEqual(broken.map((v) => `${v.file}:${v.line}: ${v.message}`), []);
});

Deno.test("fences: a proposal that imports past the kernel API face is caught", () => {
  const files = new Map([
    ["src/core/mod.ts", ""],
    ["proposals/x.ts", 'import { ERRNO } from "../src/core/errno.ts";\n'],
    ["proposals/y.ts", 'import type { Outcome } from "../src/engine/run/mod.ts";\n'],
    ["proposals/z.ts", 'import { pidfd_get_task } from "./process_mrelease.ts";\n'],
    ["proposals/ok.ts", 'import { ERRNO } from "../src/core/mod.ts";\n'],
    ["proposals/registry.ts", 'export { ok } from "./ok.ts";\n'],
  ]);
  const broken = checkFences(files, opts).map((v) => v.file);
  assert.deepEqual(broken.sort(), ["proposals/x.ts", "proposals/y.ts", "proposals/z.ts"]);
});

Deno.test("fences: a private file imported from another folder is caught", () => {
  const files = new Map([
    ["src/lab/cli/mod.ts", 'export * from "./_run.ts";\n'],
    ["src/lab/cli/_run.ts", ""],
    ["src/lab/host/mod.ts", 'import { x } from "../cli/_run.ts";\n'],
    ["test/t.ts", 'import { x } from "../src/lab/cli/_run.ts";\n'],
  ]);
  const broken = checkFences(files, opts);
  assert.deepEqual(broken.map((v) => v.file).sort(), ["src/lab/host/mod.ts", "test/t.ts"]);
  assert.match(broken[0].message, /private/);
});

Deno.test("fences: a lower layer importing a higher one is caught", () => {
  const files = new Map([
    ["src/core/mod.ts", 'import { x } from "../engine/run/mod.ts";\n'],
    ["src/engine/run/mod.ts", 'import { designs } from "../../lab/designs/mod.ts";\n'],
    ["src/engine/trace/mod.ts", 'import { p } from "../../../proposals/registry.ts";\n'],
    ["src/lab/designs/mod.ts", 'import * as r from "../../../proposals/registry.ts";\n'],
  ]);
  const broken = checkFences(files, opts).map((v) => v.file).sort();
  assert.deepEqual(broken, ["src/core/mod.ts", "src/engine/run/mod.ts", "src/engine/trace/mod.ts"]);
});

Deno.test("fences: only src/core/_wasm.ts loads the core's bindings", () => {
  const files = new Map([
    ["src/core/mod.ts", ""],
    ["src/core/_wasm.ts", 'import { Kernel } from "../../wasm/pkg/mrelease_core.js";\n'],
    ["src/engine/run/mod.ts", 'import { Kernel } from "../../../wasm/pkg/mrelease_core.js";\n'],
  ]);
  assert.deepEqual(checkFences(files, opts).map((v) => v.file), ["src/engine/run/mod.ts"]);
});

Deno.test("fences: a lab tool that spells a design's name is caught, comments are not", () => {
  const text = [
    "// process_mrelease in a comment is prose",
    '/* "process_mrelease" in a block comment too */',
    'const a = "process_mrelease";',
    "const b = `run ${'process_mrelease@v9'}`;",
    'const c = "process_mrelease and others";',
    "const d = /process_mrelease/.test(x);",
  ].join("\n");
  const files = new Map([["src/lab/report/mod.ts", text]]);
  const broken = checkFences(files, opts);
  assert.deepEqual(broken.map((v) => v.line), [3, 4]);
});

Deno.test("fences: a lab file over the limit and a folder without mod.ts are caught", () => {
  const files = new Map([
    ["src/lab/report/mod.ts", "x;\n".repeat(601)],
    ["src/lab/props/gen.ts", "x;\n"],
  ]);
  const broken = checkFences(files, opts).map((v) => v.message);
  assert.equal(broken.length, 2);
  assert.match(broken[0], /601 lines/);
  assert.match(broken[1], /src\/lab\/props\/ has no mod.ts/);
});

Deno.test("fences: imports spanning lines, re-exports and dynamic imports are all read", () => {
  const text = 'import {\n  a,\n  b,\n} from "./a.ts";\nexport * from "./b.ts";\n' +
    'import "./c.ts";\nconst m = await import("./d.ts");\n * import { e } from "./e.ts";\n';
  assert.deepEqual(importsOf(text).map((i) => [i.specifier, i.line]), [
    ["./a.ts", 4],
    ["./b.ts", 5],
    ["./c.ts", 6],
    ["./d.ts", 7],
  ]);
  assert.deepEqual(stringLiterals("f('x', \"y\") // 'z'").map((s) => s.value), ["x", "y"]);
});

Deno.test("docs/architecture.md's room table names every folder of src/ and proposals/", async () => {
  const doc = await Deno.readTextFile(new URL("docs/architecture.md", root));
  const rooms = new Set(
    [...doc.matchAll(/^\| `([^`]+\/)`/gm)].map((m) => m[1]),
  );
  const folders = new Set<string>(["proposals/"]);
  for (const f of (await treeFiles()).keys()) {
    if (f.startsWith("src/")) folders.add(f.slice(0, f.lastIndexOf("/") + 1));
  }
  assert.deepEqual([...folders].filter((d) => !rooms.has(d)).sort(), []);
});
