/**
 * The import fences of the lab's three layers, as a checker the tests run over the tree
 * (test/fences_test.ts) and over deliberately broken copies of it:
 *
 * - a proposal imports nothing but the kernel API face, `src/core/mod.ts`;
 * - a private `_x.ts` is imported only from its own folder;
 * - a lower layer never imports a higher one (core < engine < lab tools; the engine knows
 *   designs only as records passed in, so it imports no proposal either);
 * - only `src/core/_wasm.ts` imports the generated bindings in `wasm/pkg/`;
 * - every folder of `src/` with TypeScript in it has a `mod.ts`;
 * - no lab tool spells a registered design's name (a string literal that is a design's name,
 *   or `name@variant`): lab tools iterate the registry;
 * - no lab tool is over {@linkcode MAX_LAB_FILE_LINES} lines.
 *
 * @module
 */

/** The longest a lab tool's file may be: one idea per file. */
export const MAX_LAB_FILE_LINES = 600;

/** One broken fence: the file (and line, where one is to blame) and the rule. */
export interface FenceViolation {
  /** Path relative to the repository root. */
  readonly file: string;
  /** 1-based line, 0 for the whole file. */
  readonly line: number;
  /** Which fence, and what crossed it. */
  readonly message: string;
}

/** What the checker needs to know besides the files. */
export interface FenceOptions {
  /** Every registered design name and `name@variant` spelling. */
  readonly designNames: ReadonlySet<string>;
}

/** A layer of the tree, lowest first. */
type Layer = "wasm" | "core" | "proposals" | "engine" | "lab" | "root" | "test";

function layerOf(path: string): Layer {
  if (path.startsWith("wasm/")) return "wasm";
  if (path.startsWith("src/core/")) return "core";
  if (path.startsWith("proposals/")) return "proposals";
  if (path.startsWith("src/engine/")) return "engine";
  if (path.startsWith("src/lab/")) return "lab";
  if (path.startsWith("test/")) return "test";
  return "root";
}

/** The layers each layer may import (besides itself). */
const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  wasm: [],
  core: ["wasm"],
  proposals: ["core"],
  engine: ["core"],
  lab: ["core", "engine", "proposals"],
  root: ["core", "engine", "lab", "proposals"],
  test: ["core", "engine", "lab", "proposals", "root", "wasm"],
};

/** One import of a file: its specifier and the line it is on. */
export interface ImportRef {
  /** As written: `"../core/mod.ts"`. */
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
}

/**
 * The static and dynamic imports and re-exports of a TypeScript file. Import statements
 * start a line (examples inside JSDoc start with `*` and are not imports).
 *
 * @example
 * ```ts
 * import { importsOf } from "./fences.ts";
 * importsOf('import { a } from "./a.ts";\nconst b = await import("./b.ts");').length; // 2
 * ```
 */
export function importsOf(text: string): ImportRef[] {
  const out: ImportRef[] = [];
  const lineAt = (i: number) => text.slice(0, i).split("\n").length;
  const statement = /^(?:import|export)\b[^;]*?\bfrom\s*(["'])([^"']+)\1/gm;
  const bare = /^import\s*(["'])([^"']+)\1/gm;
  const dynamic = /\bimport\(\s*(["'])([^"']+)\1\s*\)/g;
  for (const re of [statement, bare, dynamic]) {
    for (const m of text.matchAll(re)) {
      const at = m.index + m[0].lastIndexOf(m[2]);
      if (re === dynamic && isInComment(text, m.index)) continue;
      out.push({ specifier: m[2], line: lineAt(at) });
    }
  }
  return out;
}

function isInComment(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf("\n", at) + 1;
  const before = text.slice(lineStart, at).trimStart();
  return before.startsWith("*") || before.startsWith("//");
}

/** Resolves a relative specifier against the importing file; undefined for a bare one. */
function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const parts = from.split("/").slice(0, -1);
  for (const p of specifier.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== ".") parts.push(p);
  }
  return parts.join("/");
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf("/") + 1);
const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/**
 * Checks every fence over `files` (path relative to the root → text); returns what broke.
 *
 * @example
 * ```ts
 * import { checkFences } from "./fences.ts";
 * const files = new Map([["proposals/x.ts", 'import { a } from "../src/engine/run/mod.ts";']]);
 * checkFences(files, { designNames: new Set() }).length; // 1
 * ```
 */
export function checkFences(
  files: ReadonlyMap<string, string>,
  opts: FenceOptions,
): FenceViolation[] {
  const out: FenceViolation[] = [];
  for (const [file, text] of files) {
    for (const imp of importsOf(text)) out.push(...importViolations(file, imp));
    if (layerOf(file) === "lab") {
      out.push(...designNameViolations(file, text, opts.designNames));
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      if (lines > MAX_LAB_FILE_LINES) {
        out.push({
          file,
          line: 0,
          message: `a lab tool of ${lines} lines (at most ${MAX_LAB_FILE_LINES}): split it`,
        });
      }
    }
  }
  out.push(...missingFaces(files));
  return out;
}

function importViolations(file: string, imp: ImportRef): FenceViolation[] {
  const target = resolve(file, imp.specifier);
  if (target === undefined) return [];
  const v = (message: string) => [{ file, line: imp.line, message }];
  const from = layerOf(file), to = layerOf(target);
  if (from === "proposals" && baseName(file) !== "registry.ts" && target !== "src/core/mod.ts") {
    return v(`a proposal imports ${imp.specifier}: only the kernel API face src/core/mod.ts`);
  }
  if (baseName(target).startsWith("_") && folderOf(target) !== folderOf(file)) {
    return v(`imports the private ${target} from outside its folder`);
  }
  if (to === "wasm" && file !== "src/core/_wasm.ts" && from !== "test") {
    return v(`imports ${target}: only src/core/_wasm.ts loads the core's bindings`);
  }
  if (from !== to && !MAY_IMPORT[from].includes(to)) {
    return v(`the ${from} layer imports the ${to} layer (${target})`);
  }
  return [];
}

function missingFaces(files: ReadonlyMap<string, string>): FenceViolation[] {
  const folders = new Set<string>();
  for (const f of files.keys()) if (f.startsWith("src/")) folders.add(folderOf(f));
  return [...folders].filter((d) => !files.has(`${d}mod.ts`)).map((d) => ({
    file: d,
    line: 0,
    message: `the folder ${d} has no mod.ts: every folder of src/ is behind its face`,
  }));
}

/** String literals (quoted, outside comments) of a TypeScript text, with their lines. */
export function stringLiterals(text: string): { value: string; line: number }[] {
  const out: { value: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  // Template literals nest through `${`: the depth of braces opened inside each one.
  const templates: number[] = [];
  let prev = "";
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") line++;
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      line += text.slice(i, stop).split("\n").length - 1;
      i = stop;
      continue;
    }
    if (c === "/" && /[(,=:[!&|?{};+\-*%<>~^]|^$/.test(prev)) {
      i = skipRegex(text, i);
      prev = "/";
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1, value = "";
      while (j < text.length && text[j] !== c && text[j] !== "\n") {
        if (text[j] === "\\") j++;
        value += text[j++];
      }
      out.push({ value, line });
      i = j + 1;
      prev = c;
      continue;
    }
    if (c === "`" || (c === "}" && templates.length && templates.at(-1) === 0)) {
      if (c === "}") templates.pop();
      let j = i + 1;
      while (j < text.length && text[j] !== "`" && !(text[j] === "$" && text[j + 1] === "{")) {
        if (text[j] === "\\") j++;
        if (text[j] === "\n") line++;
        j++;
      }
      if (text[j] === "$") {
        templates.push(0);
        i = j + 2;
      } else {
        i = j + 1;
      }
      prev = "`";
      continue;
    }
    if (templates.length && c === "{") templates[templates.length - 1]++;
    if (templates.length && c === "}") templates[templates.length - 1]--;
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  return out;
}

function skipRegex(text: string, at: number): number {
  let j = at + 1, inClass = false;
  while (j < text.length && text[j] !== "\n") {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
    j++;
  }
  j++;
  while (/[a-z]/.test(text[j] ?? "")) j++;
  return j;
}

function designNameViolations(
  file: string,
  text: string,
  names: ReadonlySet<string>,
): FenceViolation[] {
  return stringLiterals(text).filter((s) => names.has(s.value)).map((s) => ({
    file,
    line: s.line,
    message: `a lab tool names the design "${s.value}": ask the registry instead`,
  }));
}
