/**
 * What the review's sections render from: the measurements by point name and run label,
 * with the inputs that are not measurements (the cost model's parameters, the host's
 * calibration file).
 *
 * @module
 */

import type { Experiment, Unit } from "./experiments.ts";
import type { PointResult, RunRecord } from "./measure.ts";
import type { HostFile, Param } from "./calibration.ts";

/** What the renderer needs besides the measurements. */
export interface RenderInput {
  /** Every unit, in order. */
  units: readonly Unit[];
  /** Their results, by unit index. */
  results: readonly PointResult[];
  /** The cost model's parameters (docs/architecture.md). */
  params: ReadonlyMap<string, Param>;
  /** docs/calibration/host.json, or null when absent. */
  host: HostFile | null;
  /** The grids of `--full`. */
  full: boolean;
}

/** What an experiment's section is rendered for, and where it puts its charts. */
export interface SectionContext {
  /** The experiment. */
  readonly exp: Experiment;
  /** The review's files: a section adds its charts (file name → SVG). */
  readonly files: Map<string, string>;
}

/**
 * The measurements, by point name and run label.
 *
 * @example
 * ```ts
 * import { Results } from "./results.ts";
 * // new Results({ units, results, params, host: null, full: false }).run("state-d-500ms", label)
 * ```
 */
export class Results {
  /** Everything the review was given. */
  readonly input: RenderInput;
  #byName = new Map<string, PointResult>();

  /** Indexes `input`'s results; every unit must have been measured. */
  constructor(input: RenderInput) {
    this.input = input;
    for (const u of input.units) {
      const res = input.results[u.index];
      if (!res) throw new Error(`point ${u.point.name} was not measured`);
      this.#byName.set(u.point.name, res);
    }
  }

  /** Whether the point was measured (the `--full` grids have more). */
  has(point: string): boolean {
    return this.#byName.has(point);
  }

  /** A measured point. */
  point(name: string): PointResult {
    const p = this.#byName.get(name);
    if (!p) throw new Error(`no point ${name}`);
    return p;
  }

  /** The run labelled `label` on `point`. */
  run(point: string, label: string): RunRecord {
    const r = this.point(point).runs.find((x) => x.label === label);
    if (!r) throw new Error(`no run ${label} on ${point}`);
    return r;
  }

  /** The units of an experiment. */
  of(exp: Experiment): Unit[] {
    return this.input.units.filter((u) => u.experiment.id === exp.id);
  }
}
