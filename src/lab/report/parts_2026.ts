/**
 * The hook where the other parts of "The 2026 question" join the section: parallel teardown
 * (branch `k2026`, sections_2026_teardown.ts) and the whole-cgroup reap (branch `cgroup`,
 * sections_2026_cgroup.ts) are written as modules of their own; at merge each one becomes an
 * entry of {@linkcode PARTS_2026}. The section renders every part's lines after its own parts
 * and before the objections table, and an objection whose topic a part `bears` on cites that
 * part's measurement and reading instead of "not measured here".
 *
 * @module
 */

import type { Results, SectionContext } from "./results.ts";
import type { TopicId } from "./objections_2026.ts";

/** What a part measured that bears on one objection: one line each, from its numbers. */
export interface Bearing {
  /** The measurement, with its numbers ("t90 12.3 ms with the write lock, 9.1 ms without"). */
  readonly measured: string;
  /** The hedged reading the numbers support, chosen by them. */
  readonly reading: string;
}

/** A part of the 2026 section written in a module of its own. */
export interface Part2026 {
  /** Its id (its sub-heading's anchor). */
  readonly id: string;
  /** Its sub-heading. */
  readonly title: string;
  /** Its Markdown lines; it may add charts to `ctx.files`. */
  render(r: Results, ctx: SectionContext): string[];
  /** What it measured that bears on an objection, by topic. */
  bears?(r: Results): Partial<Record<TopicId, Bearing>>;
}

/**
 * The parts, in the section's order. MERGE HOOK: the lead adds the parallel-teardown part
 * (sections_2026_teardown.ts) and the whole-cgroup part (sections_2026_cgroup.ts) here.
 */
export const PARTS_2026: readonly Part2026[] = [];
