/**
 * The victim's memory as a design's zap sees it: which VMAs its call frees under its rules
 * (the core's `zapCovers`: the reaper's skip rules, or MADV_DONTNEED's), and how many of the
 * victim's private pages that is when the world starts.
 *
 * @example
 * ```ts
 * import { coveredPages } from "./zap.ts";
 * // coveredPages(c.scenario, c.kernel, "madvise");
 * ```
 * @module
 */

import { type KernelVersion, zapCovers } from "../../core/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import type { Target } from "./target.ts";

/** Which VMAs a design's zap covers: the reaper's skip rules, or MADV_DONTNEED's. */
export type ZapRules = "reap" | "madvise";

/** The zap rules of a target's call (the reaper's when its record states none). */
export function zapRules(t: Target): ZapRules {
  return t.design.zaps ?? "reap";
}

/** The victim's mm index (its id in events), or -1 when the victim has none at the start. */
export function victimMmIndex(s: Scenario): number {
  const p = s.processes.find((p) => p.tgid === s.intent.victim);
  if (!p || p.kthread || p.status !== "alive" || p.mm === null) return -1;
  if (p.threads.every((t) => t.state === "zombie")) return -1;
  return s.mms.find((m) => m.id === p.mm)?.index ?? -1;
}

/**
 * Pages of the victim's mm at the start that a zap under `rules` frees (what a successful
 * call of a design with those rules must free when nobody else frees them first).
 */
export function coveredPages(s: Scenario, kernel: KernelVersion, rules: ZapRules): number {
  const i = victimMmIndex(s);
  if (i < 0) return 0;
  return s.mms[i].vmas.filter((v) => zapCovers(kernel, v, rules)).reduce(
    (sum, v) => sum + v.anon_pages,
    0,
  );
}
