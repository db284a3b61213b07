/**
 * Running the targets on one world and classifying every pair: which aspects of their
 * outcomes differ, which classes of {@linkcode DIFFERENCE_CLASSES} recognise the difference,
 * and what no class accounts for.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "../gen.ts";
 * import { compareWorld } from "./classify.ts";
 * const [c] = fc.sample(arbCase(), 1);
 * const w = compareWorld(c);
 * console.log(w.pairs.filter((p) => p.unexplained.length > 0).length); // 0
 * ```
 * @module
 */

import type { KernelVersion } from "../../../core/mod.ts";
import { type Outcome, runScenario } from "../../../engine/run/mod.ts";
import type { Scenario } from "../../../engine/scenario/mod.ts";
import { outOfDomain, type Target } from "../target.ts";
import { type Aspect, differingAspects } from "./aspects.ts";
import type { DifferenceClass } from "./class.ts";
import { DIFFERENCE_CLASSES, SUSPECTED_BUGS } from "./classes.ts";
import { type CaseFacts, caseFacts } from "./facts.ts";
import { compareTargets } from "./targets.ts";

/** A world to compare on: a scenario, a kernel, and a choice list (none: the scenario's seed). */
export interface World {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** The kernel version. */
  readonly kernel: KernelVersion;
  /** The scheduler's choices, as fast-check generates them; absent: the seeded PRNG. */
  readonly choices?: readonly number[];
}

/** A target and its outcome on a world. */
export type Run = readonly [Target, Outcome];

/** Two targets' outcomes on one world, and what explains their difference. */
export interface PairComparison {
  /** The two targets' names, in target order. */
  readonly pair: readonly [string, string];
  /** Their outcomes. */
  readonly outcomes: readonly [Outcome, Outcome];
  /** The aspects that differ. */
  readonly aspects: readonly Aspect[];
  /** The classes that recognise the difference (ids, table order). */
  readonly classes: readonly string[];
  /** Differing aspects no recognising class accounts for: empty when classified. */
  readonly unexplained: readonly Aspect[];
  /** Suspected bugs ({@linkcode SUSPECTED_BUGS}) that account for the rest, if any. */
  readonly bugs: readonly string[];
}

/**
 * Classifies the difference between two targets' outcomes on one world.
 *
 * @example
 * ```ts
 * import { caseFacts, classifyPair } from "./mod.ts";
 * // classifyPair(caseFacts(s, "5.15"), [targetA, a], [targetB, b]).unexplained;
 * ```
 */
export function classifyPair(
  f: CaseFacts,
  a: Run,
  b: Run,
  classes: readonly DifferenceClass[] = DIFFERENCE_CLASSES,
): PairComparison {
  const aspects = differingAspects(a[1], b[1]);
  const matched: string[] = [];
  const explained = new Set<Aspect>();
  if (aspects.length > 0) {
    for (const k of classes) {
      if (!k.explains.some((x) => aspects.includes(x))) continue;
      if (!classMatches(k, f, a, b)) continue;
      matched.push(k.id);
      for (const x of k.explains) explained.add(x);
    }
  }
  const unexplained = aspects.filter((x) => !explained.has(x));
  const bugs: string[] = [];
  if (unexplained.length > 0) {
    for (const k of SUSPECTED_BUGS) {
      if (!k.explains.some((x) => unexplained.includes(x)) || !classMatches(k, f, a, b)) continue;
      bugs.push(k.id);
      for (const x of k.explains) explained.add(x);
    }
  }
  return {
    pair: [a[0].name, b[0].name],
    outcomes: [a[1], b[1]],
    aspects,
    classes: matched,
    unexplained: aspects.filter((x) => !explained.has(x)),
    bugs,
  };
}

/**
 * Whether class `k` recognises the difference between `a` and `b`, in either order.
 *
 * @example
 * ```ts
 * import { caseFacts, classMatches, DIFFERENCE_CLASSES } from "./mod.ts";
 * // classMatches(DIFFERENCE_CLASSES[0], caseFacts(s, "5.15"), [ta, a], [tb, b]);
 * ```
 */
export function classMatches(k: DifferenceClass, f: CaseFacts, a: Run, b: Run): boolean {
  const [first, second] = k.separates;
  if (first(a[0]) && second(b[0]) && k.matches(f, a[1], b[1], [a[0], b[0]])) return true;
  return first(b[0]) && second(a[0]) && k.matches(f, b[1], a[1], [b[0], a[0]]);
}

/** Every target's outcome on a world, and every pair's comparison. */
export interface WorldComparison {
  /** The world's facts. */
  readonly facts: CaseFacts;
  /** Outcomes by target name; targets outside their domain (`outOfDomain`) are left out. */
  readonly outcomes: ReadonlyMap<string, Outcome>;
  /** Every pair of the targets that ran, in target order. */
  readonly pairs: readonly PairComparison[];
}

/**
 * Runs every target on one world and classifies every pair.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "../gen.ts";
 * import { compareWorld } from "./classify.ts";
 * const [c] = fc.sample(arbCase(), 1);
 * console.log(compareWorld(c).pairs.length);
 * ```
 */
export function compareWorld(
  w: World,
  opts: { targets?: readonly Target[]; classes?: readonly DifferenceClass[] } = {},
): WorldComparison {
  const facts = caseFacts(w.scenario, w.kernel);
  const runs: Run[] = (opts.targets ?? compareTargets())
    .filter((t) => outOfDomain(w, t) === null)
    .map((t) => [t, runOn(w, t)]);
  const pairs: PairComparison[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      pairs.push(classifyPair(facts, runs[i], runs[j], opts.classes));
    }
  }
  return { facts, outcomes: new Map(runs.map(([t, o]) => [t.name, o])), pairs };
}

/**
 * One target's outcome on a world.
 *
 * @example
 * ```ts
 * import { compareTargets, runOn } from "./mod.ts";
 * // runOn({ scenario, kernel: "6.18" }, compareTargets()[0]).errno;
 * ```
 */
export function runOn(w: World, t: Target): Outcome {
  return runScenario(w.scenario, {
    design: t.design,
    variant: t.variant,
    kernel: w.kernel,
    choices: w.choices,
  }).outcome;
}
