/**
 * The lab's own tooling: the gate (`deno task check`, check.ts), the benchmarks
 * (`deno task bench`, bench.ts), the WASM freshness check and the layers' import fences.
 *
 * @module
 */

export {
  checkFences,
  type FenceViolation,
  importsOf,
  MAX_LAB_FILE_LINES,
  stringLiterals,
} from "./fences.ts";
export { checkWasmFresh, STALE_MESSAGE } from "./wasm_fresh.ts";
export {
  BENCH_DOC,
  BENCH_ROOT,
  figures,
  int,
  machine,
  replaceBetweenMarkers,
  runDenoBench,
  runNative,
  table,
} from "./bench.ts";
export {
  EXPLORE_BENCH,
  EXPLORE_KS,
  EXPLORE_TARGET,
  exploreTable,
  victimOfSize,
  victimWithThreads,
} from "./bench_explore.ts";
