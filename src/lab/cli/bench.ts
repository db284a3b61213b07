/**
 * `deno task bench [--write-doc] [--native-runs N]`: the benchmarks (src/lab/tools/bench.ts),
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

function usage(): never {
  console.log("usage: deno task bench [--write-doc] [--native-runs N]");
  Deno.exit(2);
}

if (import.meta.main) {
  let writeDoc = false;
  let nativeRuns = 20_000;
  for (let i = 0; i < Deno.args.length; i++) {
    const a = Deno.args[i];
    if (a === "--write-doc") writeDoc = true;
    else if (a === "--native-runs") {
      nativeRuns = Number(Deno.args[++i]);
      if (!Number.isInteger(nativeRuns) || nativeRuns < 1) usage();
    } else usage();
  }
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
}
