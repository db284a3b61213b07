/**
 * A Web Worker of the review's pool: it rebuilds the list of points from `full` (a pure
 * function) and measures the points it is sent by index, one at a time.
 *
 * Messages in: `{ full, index }`. Out: `{ ready: true }` once, when the module (and the
 * WASM core, which loads with a top-level await) is ready — a message posted to a worker
 * before then would be dropped — then `{ index, result }` or `{ index, error }`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { allUnits, type Unit } from "./experiments.ts";
import { measurePoint } from "./measure.ts";

let cached: { full: boolean; units: Unit[] } | undefined;

self.onmessage = (e: MessageEvent<{ full: boolean; index: number }>) => {
  const { full, index } = e.data;
  try {
    if (cached?.full !== full) cached = { full, units: allUnits(full) };
    const unit = cached.units[index];
    if (!unit) throw new Error(`no point ${index}`);
    self.postMessage({ index, result: measurePoint(unit.point) });
  } catch (err) {
    self.postMessage({
      index,
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
  }
};

self.postMessage({ ready: true });
