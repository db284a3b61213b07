/**
 * The parts of "The 2026 question" written as modules of their own (the whole-cgroup reap,
 * sections_2026_cgroup.ts; parallel teardown, sections_2026_teardown.ts): each is an entry of
 * {@linkcode PARTS_2026}. The section renders every part's lines after its own parts
 * and before the objections table, and an objection whose topic a part `bears` on cites that
 * part's measurement and reading instead of "not measured here".
 *
 * @module
 */

import type { Results, SectionContext } from "./results.ts";
import type { TopicId } from "./objections_2026.ts";
import {
  at,
  type Cgroup2026Headline,
  cgroup2026Headline,
  cgroup2026Numbers,
  cgroup2026Section,
} from "./sections_2026_cgroup.ts";
import { type TeardownNumbers, teardownNumbers } from "./sections_2026_teardown.ts";

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
 * What the whole-cgroup part says on the `cgroup` topic: who finishes first, one kernel
 * context or the fastest count of userspace reaper threads, and at what syscall cost.
 */
export function cgroupBearing(h: Cgroup2026Headline): Bearing {
  const kernel = h.kernel_t100_ns ?? Infinity;
  const fastest = h.fastest_t100_ns ?? Infinity;
  const measured = `all memory back: one kernel context ${at(h.kernel_t100_ns)} ` +
    `(${h.kernel_syscalls} syscall${h.kernel_syscalls === 1 ? "" : "s"}); one userspace ` +
    `thread ${at(h.one_thread_t100_ns)} (${h.one_thread_syscalls} syscalls), ` +
    `${h.fastest_threads} threads ${at(h.fastest_t100_ns)}`;
  const reading = fastest < kernel
    ? `enough userspace reaper threads (${h.fastest_threads}) finish before the one kernel ` +
      "context in this model: an in-kernel cgroup reap would buy fewer syscalls, not speed"
    : "the one kernel context finishes first in this model; no userspace thread count " +
      "tried catches it";
  return { measured, reading };
}

/** The whole-cgroup part (branch `cgroup`): a cgroup of 1,000 reaped in and out of the kernel. */
const CGROUP_PART: Part2026 = {
  id: "q2026-cgroup",
  title: "A cgroup of 1,000",
  render: () => cgroup2026Section(cgroup2026Numbers()),
  bears: () => ({ cgroup: cgroupBearing(cgroup2026Headline(cgroup2026Numbers())) }),
};

/** A t90 ratio under the write lock against as released, or null when either never came. */
function lockRatio(n: TeardownNumbers, cores: "little" | "big"): number | null {
  const released = n.t90ReleasedNs[cores];
  const locked = n.t90WriteLockNs[cores];
  return released === null || locked === null || released <= 0 ? null : locked / released;
}

/**
 * What the parallel-teardown section says on the `teardown` topic (Linus Torvalds' write lock
 * against Suren Baghdasaryan's "a concurrent exit_mmap is desirable"): how much later the
 * memory comes back when exit_mmap holds the write lock, and whether the caller then does all
 * of the work alone.
 */
export function teardownBearing(n: TeardownNumbers): Bearing {
  const share = (x: number) => `${Math.round(100 * x)}%`;
  const side = (c: "little" | "big") =>
    `${c} cores t90 ${at(n.t90ReleasedNs[c])} as released, ${at(n.t90WriteLockNs[c])} under ` +
    `the write lock (the caller freeing ${share(n.callerShareReleased[c])} and ` +
    `${share(n.callerShareWriteLock[c])})`;
  const measured = `\`${n.design}\` on a 1 GiB running victim in 16 VMAs (6.18): ` +
    `${side("little")}; ${side("big")}.`;
  const ratios = (["little", "big"] as const).map((c) => lockRatio(n, c));
  const worst = Math.max(...ratios.map((q) => q ?? 1));
  const reading = worst >= 1.1
    ? `In this model the write lock serialises the teardown: one side frees it all and t90 ` +
      `grows up to ${worst.toFixed(2)}×, most where the caller and the victim would have ` +
      "shared the work; the concurrent teardown since 6.0 is what it gives up."
    : "In this model the write lock changes t90 by under 10% here: parallel teardown buys " +
      "little on these victims.";
  return { measured, reading };
}

/** The parallel-teardown part: its own section (sections_2026_teardown.ts) is cited here. */
const TEARDOWN_PART: Part2026 = {
  id: "q2026-teardown",
  title: "Parallel teardown",
  render: () => [
    "Measured in [its own section](#parallel-teardown) above: who frees a large running " +
    "victim, and at what CPU cost, with and without the reverse walk and with exit_mmap under " +
    "the write lock. The objections table cites it for exit_mmap's locking.",
  ],
  bears: (r) => ({ teardown: teardownBearing(teardownNumbers(r)) }),
};

/** The parts, in the section's order. */
export const PARTS_2026: readonly Part2026[] = [TEARDOWN_PART, CGROUP_PART];
