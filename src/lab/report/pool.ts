/**
 * Runs the review's points across Web Workers. Every point is a pure function of its index,
 * results are stored by index (never in completion order), so the report does not depend on
 * the number of workers or on which finished first. The largest points are handed out
 * first, which balances the load; progress and an estimate of the time left go to stderr
 * only (the files never carry wall-clock time).
 *
 * @module
 */

import { allUnits, type Unit } from "./experiments.ts";
import { measurePoint, type PointResult } from "./measure.ts";

/** Options of {@linkcode runPoints}. */
export interface PoolOptions {
  /** The denser grids of `--full`. */
  full: boolean;
  /** Workers; 0 measures in this thread. Default: the machine's cores. */
  workers?: number;
  /** Only these unit indexes (default: all). */
  only?: readonly number[];
  /** Progress lines (default: to stderr); `null` for none. */
  progress?: ((line: string, final: boolean) => void) | null;
}

/** The machine's cores, as Deno reports them (at least 1). */
export function defaultWorkers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/**
 * Measures the points and returns their results by unit index (a sparse array when
 * `only` is given).
 *
 * @example
 * ```ts
 * import { runPoints } from "./pool.ts";
 * const results = await runPoints({ full: false, workers: 2, only: [0, 1], progress: null });
 * console.log(results[1].name);
 * ```
 */
export async function runPoints(opts: PoolOptions): Promise<PointResult[]> {
  const units = allUnits(opts.full);
  const wanted = (opts.only ?? units.map((u) => u.index)).map((i) => units[i]);
  const results: PointResult[] = new Array(units.length);
  const progress = opts.progress === undefined ? stderrProgress() : opts.progress;
  const tracker = new Tracker(wanted, progress);
  // The largest first; ties in index order.
  const queue = [...wanted].sort((a, b) => cost(b) - cost(a) || a.index - b.index);
  const workers = Math.min(opts.workers ?? defaultWorkers(), queue.length);

  if (workers <= 0) {
    for (const unit of queue) {
      results[unit.index] = measurePoint(unit.point);
      tracker.done(unit);
    }
    tracker.finish();
    return results;
  }

  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let running = 0;
    const pool: Worker[] = [];
    const stop = (err?: Error) => {
      for (const w of pool) w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next >= queue.length) {
        if (running === 0) stop();
        return;
      }
      const unit = queue[next++];
      running++;
      w.postMessage({ full: opts.full, index: unit.index });
    };
    for (let i = 0; i < workers; i++) {
      const w = new Worker(new URL("./_worker.ts", import.meta.url).href, { type: "module" });
      pool.push(w);
      w.onmessage = (
        e: MessageEvent<{ ready?: true; index: number; result?: PointResult; error?: string }>,
      ) => {
        // A worker is fed once it says it is ready: messages posted while its module
        // (the WASM core loads with a top-level await) is still evaluating are dropped.
        if (e.data.ready) {
          feed(w);
          return;
        }
        running--;
        const { index, result, error } = e.data;
        if (error !== undefined || !result) {
          stop(new Error(`point ${units[index].point.name}: ${error}`));
          return;
        }
        results[index] = result;
        tracker.done(units[index]);
        feed(w);
      };
      w.onerror = (e) => {
        e.preventDefault();
        stop(new Error(`a report worker failed: ${e.message}`));
      };
    }
  });
  tracker.finish();
  return results;
}

function cost(unit: Unit): number {
  return unit.point.cost ?? 1;
}

/**
 * A progress line: the points done out of all and that share of them (the share counts
 * points, as the count beside it does; the time left is estimated from the points' costs).
 *
 * @example
 * ```ts
 * import { progressLine } from "./pool.ts";
 * progressLine({ done: 1, of: 88, elapsed_s: 6.8, left_s: 20.4 });
 * // "report: 1/88 points (1%), 6.8 s, about 20 s left"
 * ```
 */
export function progressLine(
  p: { done: number; of: number; elapsed_s: number; left_s: number },
): string {
  const share = Math.floor(100 * p.done / Math.max(1, p.of));
  return `report: ${p.done}/${p.of} points (${share}%), ${p.elapsed_s.toFixed(1)} s, ` +
    `about ${Math.round(p.left_s)} s left`;
}

/** Counts finished work by cost and estimates the time left from the rate so far. */
class Tracker {
  #total: number;
  #done = 0;
  #count = 0;
  #units: number;
  #start = performance.now();
  #lastLine = 0;
  #emit: ((line: string, final: boolean) => void) | null;

  constructor(units: readonly Unit[], emit: ((line: string, final: boolean) => void) | null) {
    this.#total = units.reduce((s, u) => s + cost(u), 0);
    this.#units = units.length;
    this.#emit = emit;
  }

  done(unit: Unit): void {
    this.#done += cost(unit);
    this.#count++;
    const now = performance.now();
    if (!this.#emit || now - this.#lastLine < 250) return;
    this.#lastLine = now;
    const elapsed = (now - this.#start) / 1000;
    const left = this.#done > 0 ? elapsed * (this.#total - this.#done) / this.#done : 0;
    this.#emit(
      progressLine({ done: this.#count, of: this.#units, elapsed_s: elapsed, left_s: left }),
      false,
    );
  }

  finish(): void {
    const elapsed = (performance.now() - this.#start) / 1000;
    this.#emit?.(`report: ${this.#count} points measured in ${elapsed.toFixed(1)} s`, true);
  }
}

/** Progress on stderr: one rewritten line on a terminal, a line every 5 s otherwise. */
function stderrProgress(): (line: string, final: boolean) => void {
  const enc = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  let last = 0;
  return (line, final) => {
    if (tty) {
      Deno.stderr.writeSync(enc.encode(`\r\x1b[K${line}${final ? "\n" : ""}`));
      return;
    }
    const now = performance.now();
    if (!final && now - last < 5000) return;
    last = now;
    Deno.stderr.writeSync(enc.encode(`${line}\n`));
  };
}
