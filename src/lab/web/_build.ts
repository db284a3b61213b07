/**
 * `deno task web`'s build: the playground as a static site any static host serves as-is —
 * `index.html`, `style.css`, `site.json` (what else the build put there), one bundled script (`app.js`, built by esbuild from
 * src/lab/web/_app.ts), the committed core (`mrelease_core_bg.wasm`), the shipped scenarios,
 * and each design's source file and documentation page.
 *
 * The core's bindings import the `.wasm` as a compiled module (`import source`, which Deno
 * loads natively; src/core/_wasm.ts). Browsers do not load that form yet (Chromium 156 does
 * not parse it) and esbuild bundles it only as an external import, so the bundle keeps the
 * bindings as they are but for that one line, which becomes a fetch and compile of the
 * `.wasm` beside the script (top-level await, before the bindings instantiate it the same
 * way). One loader: the rest of the bindings runs unchanged.
 *
 * @module
 */

import * as esbuild from "esbuild";
import { Marked } from "marked";
import { allDesigns } from "../designs/mod.ts";
import { parseScenario, scenarioFiles } from "../../engine/scenario/mod.ts";
import { SITE_INDEX, type SiteIndex } from "./_protocol.ts";

/** Where the site goes by default (gitignored). */
export const SITE_DIR_DEFAULT = "dist/web";

/** The core's compiled module, as the bindings name it. */
const WASM_FILE = "mrelease_core_bg.wasm";

/** The bindings' one line that browsers cannot load (wasm/pkg/mrelease_core.js). */
const SOURCE_IMPORT = /^import source (\w+) from "\.\/([\w.]+\.wasm)";$/m;

/** Options of {@linkcode buildSite}. */
export interface BuildSiteOptions {
  /** The repository root (default: this file's). */
  readonly root?: string;
  /** Minify the script (default true). */
  readonly minify?: boolean;
}

const ROOT = decodeURIComponent(new URL("../../..", import.meta.url).pathname).replace(/\/$/, "");

/**
 * Builds the site into `out` (created; files the build writes are replaced, others left).
 * Returns the files written, relative to `out`.
 */
export async function buildSite(out: string, opts: BuildSiteOptions = {}): Promise<string[]> {
  const root = opts.root ?? ROOT;
  const written: string[] = [];
  const write = async (path: string, data: string | Uint8Array) => {
    const full = `${out}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    if (typeof data === "string") await Deno.writeTextFile(full, data);
    else await Deno.writeFile(full, data);
    written.push(path);
  };
  const index = await siteIndex(root);
  for (const path of index.scenarios) {
    await write(`scenarios/${path}`, await Deno.readFile(`${root}/scenarios/${path}`));
  }
  const marked = new Marked();
  for (const [name, file] of Object.entries(index.sources)) {
    await write(`designs/${name}.source.txt`, await Deno.readTextFile(`${root}/${file}`));
  }
  for (const name of index.docs) {
    const md = await Deno.readTextFile(`${root}/docs/proposals/${name}.md`);
    await write(`designs/${name}.html`, docHtml(await marked.parse(md)));
  }
  for (const file of ["index.html", "style.css"]) {
    await write(file, await Deno.readFile(`${root}/src/lab/web/${file}`));
  }
  await write(WASM_FILE, await Deno.readFile(`${root}/wasm/pkg/${WASM_FILE}`));
  await write(SITE_INDEX, JSON.stringify(index, null, 2));
  await write("app.js", await bundle(root, opts.minify ?? true));
  return written;
}

/** The scenarios that validate, and each design's source file and documentation page. */
async function siteIndex(root: string): Promise<SiteIndex> {
  const scenarios: string[] = [];
  for (const path of await scenarioFiles(`${root}/scenarios`)) {
    try {
      parseScenario(await Deno.readTextFile(path));
      scenarios.push(path.slice(`${root}/scenarios/`.length));
    } catch {
      // Not a scenario (a property case file keeps its scenario inside): not listed.
    }
  }
  const sources: Record<string, string> = {};
  const registered = new Set<unknown>(allDesigns());
  for await (const e of Deno.readDir(`${root}/proposals`)) {
    // proposals/registry.ts re-exports every design; a design's source is the file it is in.
    if (!e.isFile || !e.name.endsWith(".ts") || e.name === "registry.ts") continue;
    const mod = await import(`file://${root}/proposals/${e.name}`);
    for (const value of Object.values(mod)) {
      if (registered.has(value)) sources[(value as { name: string }).name] = `proposals/${e.name}`;
    }
  }
  const docs: string[] = [];
  for (const d of allDesigns()) {
    try {
      await Deno.stat(`${root}/docs/proposals/${d.name}.md`);
      docs.push(d.name);
    } catch {
      // A stock design has no page of its own.
    }
  }
  return { scenarios, sources: sortKeys(sources), docs };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A generated documentation page as a fragment the page shows: links into the repository
 * (scenario files, other pages) are not in the site, so they become their text; links to
 * lore.kernel.org and other sites stay links.
 */
function docHtml(html: string): string {
  return html.replace(/<a href="(?!https?:)[^"]*">(.*?)<\/a>/g, "$1");
}

/** The one script: the page and its worker (src/lab/web/_app.ts), minified. */
async function bundle(root: string, minify: boolean): Promise<string> {
  const plugin: esbuild.Plugin = {
    name: "mrelease-lab",
    setup(build) {
      build.onLoad({ filter: /wasm\/pkg\/mrelease_core\.js$/ }, async (args) => {
        const text = await Deno.readTextFile(args.path);
        const m = text.match(SOURCE_IMPORT);
        if (!m) {
          throw new Error(
            `${args.path}: the line \`import source <name> from "./<file>.wasm"\` the build ` +
              "replaces is missing: the bindings changed shape (wasm/scripts/build.sh)",
          );
        }
        const load = `const ${m[1]} = await WebAssembly.compile(await (await fetch(` +
          `new URL("./${m[2]}", import.meta.url))).arrayBuffer());`;
        return { contents: text.replace(SOURCE_IMPORT, load), loader: "js" };
      });
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [`${root}/src/lab/web/_app.ts`],
      absWorkingDir: root,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify,
      write: false,
      logLevel: "silent",
      plugins: [plugin],
    });
    return result.outputFiles[0].text;
  } finally {
    await esbuild.stop();
  }
}
