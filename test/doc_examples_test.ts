/**
 * The code examples of README.md, docs/*.md and mod.ts's JSDoc use the package as a user
 * gets it: every `ts` block that imports the lab imports the package (`./mod.ts` from the
 * root, or `@mrelease-lab/lab`), never an internal file, and type-checks against mod.ts, so
 * every name an example uses is exported. The one exception is a design file of proposals/,
 * which imports the kernel API face `../src/core/mod.ts` as the fences require (mod.ts
 * exports all of it, and the block is checked against mod.ts too).
 */

import assert from "node:assert/strict";

const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const MOD_URL = `file://${root}/mod.ts`;

/** The package, as an example written at the root or by a JSR user spells it. */
const PACKAGE = new Set(["./mod.ts", "@mrelease-lab/lab", "jsr:@mrelease-lab/lab"]);
/** What a design file in proposals/ imports (and nothing else: test/fences_test.ts). */
const PROPOSAL_FACE = "../src/core/mod.ts";
/** The guide that shows design files of proposals/ (and proposals/registry.ts's lines). */
const DESIGN_GUIDE = "docs/design-author-guide.md";

interface Example {
  /** Where: `docs/traces.md:298`. */
  where: string;
  code: string;
}

function fenced(text: string, file: string, lineOf: (index: number) => number): Example[] {
  return [...text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((m) => ({
    where: `${file}:${lineOf(m.index!)}`,
    code: m[1],
  }));
}

async function markdownExamples(): Promise<Example[]> {
  const files = ["README.md"];
  for (const e of Deno.readDirSync(`${root}/docs`)) {
    if (e.isFile && e.name.endsWith(".md")) files.push(`docs/${e.name}`);
  }
  const out: Example[] = [];
  for (const file of files.sort()) {
    const text = await Deno.readTextFile(`${root}/${file}`);
    out.push(...fenced(text, file, (i) => text.slice(0, i).split("\n").length));
  }
  return out;
}

async function modExamples(): Promise<Example[]> {
  const text = await Deno.readTextFile(`${root}/mod.ts`);
  const out: Example[] = [];
  for (const doc of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const body = doc[0].split("\n").map((l) => l.replace(/^\s*\/?\*+\/?\s?/, "")).join("\n");
    const line = text.slice(0, doc.index!).split("\n").length;
    out.push(...fenced(body, "mod.ts", () => line));
  }
  return out;
}

/** The module specifiers a block imports or re-exports (static and dynamic). */
function specifiers(code: string): string[] {
  return [
    ...code.matchAll(/(?:^|[\s;}])(?:import|export)\s[^"']*?from\s*["']([^"']+)["']/g),
    ...code.matchAll(/(?:^|[\s;])import\s*["']([^"']+)["']/g),
    ...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]);
}

/** A specifier of the lab itself (relative, or the package's name), not of Deno or npm. */
function ofTheLab(spec: string): boolean {
  return spec.startsWith(".") || spec.startsWith("/") || PACKAGE.has(spec);
}

const examples = [...await markdownExamples(), ...await modExamples()];
const labExamples = examples.filter((e) => specifiers(e.code).some(ofTheLab));

Deno.test("the docs have examples that import the package", () => {
  assert.ok(labExamples.length >= 3, labExamples.map((e) => e.where).join(", "));
  assert.ok(labExamples.some((e) => e.where.startsWith("mod.ts")), "mod.ts's @example");
});

/**
 * Whether an example is a file of proposals/ as the design guide shows it: it imports the
 * kernel API face, or (proposals/registry.ts) a sibling design file such as
 * `./process_frob.ts`.
 */
function proposalFile(e: Example, spec: string): boolean {
  return e.where.startsWith(`${DESIGN_GUIDE}:`) &&
    (spec === PROPOSAL_FACE || /^\.\/[a-z0-9_]+\.ts$/.test(spec));
}

Deno.test("no doc example imports an internal file", () => {
  const internal = labExamples.flatMap((e) =>
    specifiers(e.code).filter((s) => ofTheLab(s) && !PACKAGE.has(s) && !proposalFile(e, s))
      .map((s) => `${e.where} imports ${s}`)
  );
  assert.deepEqual(internal, []);
});

/** The examples a type check can judge: every import of the lab is the package or the face. */
const checkable = labExamples.filter((e) =>
  specifiers(e.code).filter(ofTheLab).every((s) => PACKAGE.has(s) || s === PROPOSAL_FACE)
);

Deno.test("every doc example type-checks against mod.ts", async () => {
  assert.ok(checkable.length >= labExamples.length - 1, "only the registry line is not checked");
  const dir = await Deno.makeTempDir({ prefix: "mrelease-doc-examples-" });
  try {
    const paths: string[] = [];
    for (const [i, e] of checkable.entries()) {
      let code = e.code;
      for (const s of new Set(specifiers(code).filter(ofTheLab))) {
        code = code.replaceAll(`"${s}"`, JSON.stringify(MOD_URL)).replaceAll(
          `'${s}'`,
          JSON.stringify(MOD_URL),
        );
      }
      const path = `${dir}/example_${String(i).padStart(2, "0")}.ts`;
      // A block is a module of its own (top-level await, its own names).
      await Deno.writeTextFile(path, `// ${e.where}\n${code}\nexport {};\n`);
      paths.push(path);
    }
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", `${root}/deno.json`, ...paths],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    // Name the doc for each error: the files start with a `// docs/x.md:N` line.
    const named = out.replace(/example_(\d+)\.ts/g, (m, n) => `${m} (${checkable[+n].where})`);
    assert.equal(code, 0, named);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
