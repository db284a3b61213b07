/**
 * Every command of the lab. `main.ts` is `deno task lab` (run, compare, verify, report, sweep,
 * replay, classify, diff); `docs.ts`, `check.ts`, `bench.ts` and `calibrate.ts` are the other
 * tasks of deno.json. This face is what tests drive the commands through.
 *
 * @example
 * ```ts
 * import { main } from "./mod.ts";
 * // Deno.exit(await main(["compare", "scenarios/dstate-little-core.json"]));
 * ```
 *
 * @module
 */

export { main } from "./main.ts";
export { formatDiff } from "./_diff.ts";
