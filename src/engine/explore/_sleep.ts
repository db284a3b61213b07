/**
 * Sleep sets (Godefroid 1996) over the core's order choices: which of the CPUs due at one
 * instant acts first. After the walk has run every schedule in which CPU `t` acts first at
 * a node, a later sibling `b` need not try `t` right after it when `t` and `b` commute in
 * that very state: `b` then `t` reaches the world `t` then `b` reached, and so the same
 * outcomes. The core answers whether they commute by doing both orders on copies of the
 * world (`Kernel.order_commutes`), so the relation is exact in the state it is used in
 * (conditional independence); why that is sound here is docs/exploration.md.
 *
 * @module
 */

import type { Kernel } from "../../core/wasm.ts";

/**
 * Which reduction a walk uses: `"sleep-sets"` (the default), `"none"` (every schedule),
 * or sleep sets under another independence relation, given the core's answer: for tests
 * that show a wrong relation loses outcomes.
 */
export type Reduction = "sleep-sets" | "none" | {
  readonly independent: (a: number, b: number, core: boolean) => boolean;
};

/** A choice point of the schedule being walked. */
export interface Node {
  readonly arity: number;
  /** The alternative taken. */
  value: number;
  /** For an order choice: the CPUs due, in the order of the alternatives. */
  readonly order?: readonly number[];
  /** CPUs that need not act first here (asleep). */
  readonly sleep: ReadonlySet<number>;
  /** The alternatives whose schedules have all been run or pruned. */
  readonly done: number[];
}

/** The sleep sets of one walk. */
export class SleepSets {
  /** Alternatives skipped because every CPU due after them was asleep. */
  pruned = 0;
  readonly #kernel: Kernel;
  readonly #independent?: (a: number, b: number, core: boolean) => boolean;
  /** The sleep set the next node inherits, if it is the order choice right after. */
  #next: { at: number; cpus: Set<number> } | undefined;

  constructor(kernel: Kernel, reduction: Reduction) {
    this.#kernel = kernel;
    if (reduction === "sleep-sets") this.#independent = (_a, _b, core) => core;
    else if (reduction !== "none") this.#independent = reduction.independent;
  }

  /** A new node at index `at` of the schedule, with the sleep set it inherits. */
  node(at: number, arity: number, order: readonly number[] | undefined): Node {
    const inherited = this.#next?.at === at && order ? this.#next.cpus : new Set<number>();
    this.#next = undefined;
    // The run goes on with alternative 0 at a choice the core drew; an order choice's
    // first alternative is chosen when the core stops before it (`choose`).
    return { arity, value: 0, order, sleep: inherited, done: order ? [] : [0] };
  }

  /** The walk left node `at` and everything after it: what it passed on is void. */
  forget(at: number): void {
    if (this.#next && this.#next.at > at) this.#next = undefined;
  }

  /**
   * The next alternative to take at node `at` (the world must be just before its choice):
   * the first not yet done, not asleep, and within `bound` extra preemptions (`spent` is
   * what the path to it used); undefined when none is left.
   */
  choose(at: number, node: Node, spent: number, bound: number): number | undefined {
    for (let v = node.done.length ? node.value + 1 : 0; v < node.arity; v++) {
      if (spent + (v === 0 ? 0 : 1) > bound) return undefined;
      const cpu = node.order?.[v];
      if (cpu !== undefined && node.sleep.has(cpu)) {
        node.done.push(v);
        continue;
      }
      if (this.#prunes(at, node, v, bound < Infinity)) {
        node.done.push(v);
        this.pruned++;
        continue;
      }
      node.value = v;
      node.done.push(v);
      return v;
    }
    return undefined;
  }

  /**
   * Works out the sleep set alternative `v` passes on, and whether it is pruned outright:
   * the only CPU due after it is asleep, so every schedule through it was run already.
   */
  #prunes(at: number, node: Node, v: number, bounded: boolean): boolean {
    this.#next = undefined;
    const order = node.order;
    if (!order || !this.#independent) return false;
    const b = order[v];
    const asleep = new Set<number>();
    let due: number[] | undefined;
    const earlier = [...node.sleep, ...node.done.map((d) => order[d])];
    for (const t of new Set(earlier)) {
      const answer = this.#kernel.order_commutes(t, b);
      if (answer.length === 0) continue;
      due = [...answer.slice(3)];
      const [same, ib, ia] = answer;
      // With a bound, t may sleep only when the schedule that swaps t before b costs no
      // more than this one: the swap then maps every pruned schedule to a run one.
      const costOk = !bounded ||
        Number(order.indexOf(t) !== 0) + Number(ib !== 0) <= Number(v !== 0) + Number(ia !== 0);
      if (this.#independent(t, b, same === 1) && costOk) asleep.add(t);
    }
    if (!due || asleep.size === 0) return false;
    if (due.length === 1) return asleep.has(due[0]);
    if (due.length >= 2) this.#next = { at: at + 1, cpus: asleep };
    return false;
  }
}
