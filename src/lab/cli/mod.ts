/**
 * Every command of the lab. `main.ts` is `deno task lab` (run, compare, verify, report, sweep,
 * replay, classify, diff); `docs.ts`, `check.ts`, `bench.ts` and `calibrate.ts` are the other
 * tasks of deno.json. This face is what tests drive the commands through: {@linkcode cli}
 * is the command line with its error handling (exit codes 2 and 1, one-line messages),
 * {@linkcode main} the same without it.
 *
 * @example
 * ```ts
 * import { cli } from "./mod.ts";
 * // Deno.exit(await cli(["compare", "scenarios/dstate-little-core.json"]));
 * ```
 *
 * @module
 */

export { cli, main, reportError } from "./main.ts";
export { InputError, reported, UsageError } from "./_errors.ts";
export { formatDiff } from "./_diff.ts";
export { KEPT_CASES, notFound } from "./_sweep.ts";
export { userDirectory, userPath } from "./_paths.ts";
