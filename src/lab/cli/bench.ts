/**
 * `deno task bench [--write-doc] [--native-runs N]` (`--help`): the benchmarks (src/lab/tools/bench.ts),
 * their figures against the targets, and with `--write-doc` the table in docs/performance.md.
 *
 * @module
 */

import {
  BENCH_DOC,
  BENCH_ROOT,
  exploreTable,
  figures,
  int,
  machine,
  replaceBetweenMarkers,
  runDenoBench,
  runNative,
  table,
} from "../tools/mod.ts";
import { parseCliArgs, parseWholeNumber } from "./_args.ts";
import { reported, UsageError } from "./_errors.ts";

/** bench's options. */
export const BENCH_USAGE = `usage: deno task bench [options]

Runs the benchmarks (\`deno bench\` over test/bench/, and the core's native loop through cargo),
prints each figure against its target and the machine it ran on. Speed is reported, not
asserted: a MISS does not fail this task.

options:
  --write-doc       also rewrite the table in docs/performance.md (then \`deno fmt\` it)
  --native-runs N   runs of the native loop per measurement, N >= 1 (default 20000); the
                    median of three measurements is kept
  -h, --help        this text`;

/** The parsed options of bench, or a {@linkcode UsageError}. */
export function parseBenchArgs(
  args: readonly string[],
): { help: true } | { help: false; writeDoc: boolean; nativeRuns: number } {
  const { values, positionals } = parseCliArgs(args, {
    "write-doc": { type: "boolean" },
    "native-runs": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return { help: true };
  if (positionals.length > 0) {
    throw new UsageError(`bench takes no file, got ${JSON.stringify(positionals[0])}`);
  }
  const nativeRuns = parseWholeNumber(values["native-runs"], "--native-runs") ?? 20_000;
  if (nativeRuns < 1) throw new UsageError("--native-runs takes a whole number >= 1, got 0");
  return { help: false, writeDoc: values["write-doc"] ?? false, nativeRuns };
}

/** Runs bench; returns the exit code. Mistakes are thrown as {@linkcode UsageError}s. */
export async function benchCli(args: string[]): Promise<number> {
  const o = parseBenchArgs(args);
  if (o.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const { writeDoc, nativeRuns } = o;
  const avg = await runDenoBench();
  const native = await runNative(nativeRuns);
  const f = figures(avg, native);
  const tbl = table(f) + "\n\nEvery schedule (issue 10):\n\n" + exploreTable(avg, f);
  const host = await machine();
  const date = new Date().toISOString().slice(0, 10);
  console.log(`\n${tbl}\n`);
  for (const line of host) console.log(line);
  if ("skipped" in native) console.log(`native: ${native.skipped}`);
  console.log("\nSpeed is reported, not asserted: a MISS does not fail this task.");
  if (writeDoc) {
    const body = [
      `Measured ${date} by \`deno task bench --write-doc\` (averages of \`deno bench\`; native: ` +
      `median of 3 × ${int.format(nativeRuns)} runs):`,
      "",
      tbl,
      "",
      ...host.map((l) => `- ${l}`),
    ].join("\n");
    const path = `${BENCH_ROOT}/${BENCH_DOC}`;
    await Deno.writeTextFile(path, replaceBetweenMarkers(await Deno.readTextFile(path), body));
    // The table is written unwrapped; `deno fmt` gives it the repository's layout.
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", BENCH_DOC], cwd: BENCH_ROOT })
      .output();
    console.log(`rewrote the table in ${BENCH_DOC}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await reported(() => benchCli(Deno.args)));
