/**
 * The generated design docs (`docs/proposals/`): one page per design and an index, built
 * from the design records (proposals/*.ts) and the `expect` entries of the scenario files,
 * so that the error tables are the very expectations `deno task lab verify` checks; and
 * `docs/semantic-diff.md`, the named classes of differences between designs
 * (src/lab/props/compare/) with their minimal examples from `scenarios/diff/`.
 *
 * Generation is pure apart from reading the scenario files: it returns the files as a map
 * from path to text, which {@linkcode writeDocs} writes and {@linkcode diffDocs} compares
 * with what is committed (`deno task docs --check`).
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { diffDocs, generateDocs } from "./mod.ts";
 * const docs = await generateDocs({ designs: designs() });
 * const diff = await diffDocs(docs);
 * console.log(diff.changed.length === 0 ? "docs are current" : "run deno task docs");
 * ```
 *
 * @module
 */

import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { scenarioFiles } from "../../engine/scenario/mod.ts";
import type { Design } from "../../core/design.ts";
import { DIFFERENCE_CLASSES, REFINEMENTS, SUSPECTED_BUGS } from "../props/mod.ts";
import { loadScenarioFile } from "../../engine/scenario/mod.ts";
import {
  cmp,
  designPage,
  FMT_IGNORE,
  GENERATED_MARK,
  indexPage,
  type LoadedScenario,
} from "./_render.ts";
import { semanticDiffPage } from "./_semantic_diff.ts";

/** Where the docs go, relative to the repository root. */
export const DOCS_DIR = "docs/proposals";
/** Where the scenario files are, relative to the repository root. */
export const SCENARIO_DIR = "scenarios";
/** The semantic-diff page, relative to the repository root. */
export const SEMANTIC_DIFF_PATH = "docs/semantic-diff.md";

/** Where to read from and write to. */
export interface DocsLocation {
  /** The repository root; relative paths below are resolved from it. Default: the cwd. */
  readonly root?: string;
  /** The generated folder. Default {@linkcode DOCS_DIR}. */
  readonly outDir?: string;
}

/** What {@linkcode generateDocs} documents. */
export interface GenerateDocsOptions extends DocsLocation {
  /** The designs, in the order the index lists them (`designs()` gives oldest first). */
  readonly designs: readonly Design[];
  /** The folder walked (recursively) for `*.json` scenario files. Default {@linkcode SCENARIO_DIR}. */
  readonly scenarioDir?: string;
  /**
   * Where the semantic-diff page goes, relative to `root` (default
   * {@linkcode SEMANTIC_DIFF_PATH}); false: not generated.
   */
  readonly semanticDiff?: string | false;
}

/**
 * Builds every file of the docs folder in memory: `<outDir>/<design>.md` for each design,
 * `<outDir>/README.md`, and the semantic-diff page. Keys are paths relative to `root`, `/`-separated, and the map
 * is ordered by key. The text depends only on the designs and the scenario files (sorted,
 * no timestamps), so two runs give the same bytes. A scenario file that does not validate
 * throws its `ScenarioError`.
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { generateDocs } from "./mod.ts";
 * const docs = await generateDocs({ designs: designs() });
 * console.log([...docs.keys()]); // ["docs/proposals/README.md", "docs/proposals/oom_reaper.md", ...]
 * ```
 */
export async function generateDocs(opts: GenerateDocsOptions): Promise<Map<string, string>> {
  const root = resolve(opts.root ?? Deno.cwd());
  const outDir = resolve(root, opts.outDir ?? DOCS_DIR);
  const names = new Set<string>();
  for (const d of opts.designs) {
    if (names.has(d.name)) throw new Error(`two designs are called "${d.name}"`);
    if (!/^[A-Za-z0-9_.-]+$/.test(d.name) || d.name === "README") {
      throw new Error(`design name "${d.name}" cannot name a docs page`);
    }
    names.add(d.name);
  }

  const files: LoadedScenario[] = [];
  for (const path of await scenarioFiles(resolve(root, opts.scenarioDir ?? SCENARIO_DIR))) {
    files.push({ path: posix(relative(root, path)), scenario: await loadScenarioFile(path) });
  }
  files.sort((a, b) => cmp(a.path, b.path));
  const link = (f: LoadedScenario) => posix(relative(outDir, resolve(root, f.path)));

  const out = new Map<string, string>();
  const key = (name: string) => posix(relative(root, resolve(outDir, name)));
  out.set(key("README.md"), indexPage(opts.designs, files, link));
  for (const d of opts.designs) out.set(key(`${d.name}.md`), designPage(d, files, link));
  if (opts.semanticDiff !== false) {
    const page = resolve(root, opts.semanticDiff ?? SEMANTIC_DIFF_PATH);
    out.set(
      posix(relative(root, page)),
      semanticDiffPage({
        classes: DIFFERENCE_CLASSES,
        refinements: REFINEMENTS,
        bugs: SUSPECTED_BUGS,
        files,
        link: (path) => posix(relative(dirname(page), resolve(root, path))),
      }),
    );
  }
  return new Map([...out].sort(([a], [b]) => cmp(a, b)));
}

/** How the committed docs differ from a fresh generation. */
export interface DocsDiff {
  /** Generated files that are not on disk. */
  readonly missing: string[];
  /** Files whose text differs, with the first line that does. */
  readonly changed: { path: string; line: number; committed: string; generated: string }[];
  /** Files in the docs folder that nothing generates (a removed or renamed design). */
  readonly extra: string[];
}

/**
 * Compares `generated` (from {@linkcode generateDocs}) with the files under `root`.
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { diffDocs, formatDiff, generateDocs } from "./mod.ts";
 * const diff = await diffDocs(await generateDocs({ designs: designs() }));
 * console.log(formatDiff(diff));
 * ```
 */
export async function diffDocs(
  generated: ReadonlyMap<string, string>,
  loc: DocsLocation = {},
): Promise<DocsDiff> {
  const root = resolve(loc.root ?? Deno.cwd());
  const diff: DocsDiff = { missing: [], changed: [], extra: [] };
  for (const [path, text] of generated) {
    const committed = await readOrNull(resolve(root, path));
    if (committed === null) diff.missing.push(path);
    else if (committed !== text) diff.changed.push({ path, ...firstDifference(committed, text) });
  }
  for (const path of await listDir(root, loc.outDir ?? DOCS_DIR)) {
    if (!generated.has(path)) diff.extra.push(path);
  }
  return diff;
}

/** Whether a {@linkcode DocsDiff} found nothing. */
export function isCurrent(diff: DocsDiff): boolean {
  return diff.missing.length + diff.changed.length + diff.extra.length === 0;
}

/**
 * A diff summary for people: one line per file, and the first differing line of each
 * changed one.
 *
 * @example
 * ```ts
 * import { formatDiff } from "./mod.ts";
 * formatDiff({ missing: ["docs/proposals/x.md"], changed: [], extra: [] });
 * // "  missing  docs/proposals/x.md  (a design with no page yet)"
 * ```
 */
export function formatDiff(diff: DocsDiff): string {
  const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 97)}...` : s);
  return [
    ...diff.missing.map((p) => `  missing  ${p}  (a page not generated yet)`),
    ...diff.changed.flatMap((c) => [
      `  changed  ${c.path}  (first difference at line ${c.line})`,
      `             committed: ${clip(c.committed)}`,
      `             generated: ${clip(c.generated)}`,
    ]),
    ...diff.extra.map((p) => `  extra    ${p}  (no design generates it)`),
  ].join("\n");
}

/** What {@linkcode writeDocs} did. */
export interface WriteReport {
  /** Files written because they were missing or different. */
  readonly written: string[];
  /** Stale generated files removed. */
  readonly removed: string[];
  /** Files in the folder that nothing generates and that were not generated: left alone. */
  readonly foreign: string[];
}

/**
 * Writes the generated files that differ from the disk, and removes stale generated pages
 * (files in the docs folder that carry the generated mark but that no design produces).
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { generateDocs, writeDocs } from "./mod.ts";
 * const report = await writeDocs(await generateDocs({ designs: designs() }));
 * console.log(report.written);
 * ```
 */
export async function writeDocs(
  generated: ReadonlyMap<string, string>,
  loc: DocsLocation = {},
): Promise<WriteReport> {
  const root = resolve(loc.root ?? Deno.cwd());
  const diff = await diffDocs(generated, loc);
  const report: WriteReport = { written: [], removed: [], foreign: [] };
  for (const path of [...diff.missing, ...diff.changed.map((c) => c.path)].sort(cmp)) {
    const abs = resolve(root, path);
    await Deno.mkdir(dirname(abs), { recursive: true });
    await Deno.writeTextFile(abs, generated.get(path)!);
    report.written.push(path);
  }
  for (const path of diff.extra) {
    const text = await readOrNull(resolve(root, path)) ?? "";
    if (text.startsWith(`${FMT_IGNORE}\n${GENERATED_MARK}`)) {
      await Deno.remove(resolve(root, path));
      report.removed.push(path);
    } else {
      report.foreign.push(path);
    }
  }
  return report;
}

function firstDifference(committed: string, generated: string) {
  const a = committed.split("\n"), b = generated.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return { line: i + 1, committed: a[i] ?? "(end of file)", generated: b[i] ?? "(end of file)" };
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The files directly in `root/dir` (the docs folder is flat), root-relative and sorted. */
async function listDir(root: string, dir: string): Promise<string[]> {
  const abs = isAbsolute(dir) ? dir : resolve(root, dir);
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(abs)) {
      if (e.isFile) out.push(posix(relative(root, resolve(abs, e.name))));
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return out.sort(cmp);
}

function posix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
