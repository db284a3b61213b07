/**
 * `deno task docs [--check]`: writes `docs/proposals/<design>.md` for every registered
 * design and `docs/proposals/README.md`, from the design records and the scenario files,
 * and `docs/semantic-diff.md`, from the class table of src/lab/props/compare/ and the
 * examples in `scenarios/diff/`.
 * With `--check` it writes nothing: it regenerates in memory and exits 1, with a summary of
 * the differences, when a committed file is missing, different or stale (the gate's
 * "docs current" step, src/lab/cli/check.ts).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { designs } from "../designs/mod.ts";
import {
  diffDocs,
  DOCS_DIR,
  formatDiff,
  generateDocs,
  isCurrent,
  SEMANTIC_DIFF_PATH,
  writeDocs,
} from "../docs/mod.ts";
import { parseCliArgs } from "./_args.ts";
import { reported, UsageError } from "./_errors.ts";

const USAGE = `usage: deno task docs [--check]

Generates ${DOCS_DIR}/<design>.md for every registered design and ${DOCS_DIR}/README.md
from proposals/ and the scenario files (scenarios/**/*.json), and ${SEMANTIC_DIFF_PATH} from
the classes of src/lab/props/compare/ and their examples in scenarios/diff/.

options:
  --check     write nothing; exit 1 if the committed files differ from a fresh generation
  -h, --help  this text`;

/** Runs the generator; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    check: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`docs takes no file, got ${JSON.stringify(positionals[0])}`);
  }
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const docs = await generateDocs({ designs: designs(), root });
  if (values.check) {
    const diff = await diffDocs(docs, { root });
    if (isCurrent(diff)) {
      console.log(`${DOCS_DIR}, ${SEMANTIC_DIFF_PATH}: ${docs.size} files, current`);
      return 0;
    }
    console.error(
      `${DOCS_DIR} or ${SEMANTIC_DIFF_PATH} is out of date; run \`deno task docs\` and ` +
        "commit the result:",
    );
    console.error(formatDiff(diff));
    return 1;
  }
  const report = await writeDocs(docs, { root });
  for (const p of report.written) console.log(`wrote   ${p}`);
  for (const p of report.removed) console.log(`removed ${p}`);
  for (const p of report.foreign) console.log(`left    ${p} (not generated; remove it by hand)`);
  console.log(
    `${DOCS_DIR}, ${SEMANTIC_DIFF_PATH}: ${docs.size} files, ${report.written.length} written, ` +
      `${report.removed.length} removed`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await reported(() => main(Deno.args)));
