/**
 * A scenario's condition over outcomes, judged as herd7 judges a litmus test's final
 * condition: the proposition is checked on every schedule's outcome, the observation is
 * Always (every schedule), Sometimes (some) or Never (none), and the condition holds ("Ok")
 * when `exists` saw at least one or `forall` saw all.
 *
 * @module
 */

import type { ExploreCondition, ExploreVerdict, OutcomeProp } from "../scenario/mod.ts";
import type { ScheduleOutcome } from "./_outcome.ts";

/** Whether `prop` holds of one schedule's outcome. */
export function holds(prop: OutcomeProp, o: ScheduleOutcome): boolean {
  if ("all" in prop) return prop.all.every((p) => holds(p, o));
  if ("any" in prop) return prop.any.some((p) => holds(p, o));
  if ("not" in prop) return !holds(prop.not, o);
  if ("ret" in prop) return o.ret === prop.ret;
  if ("warn" in prop) return o.warnings.includes(prop.warn);
  if ("victim_killed" in prop) return o.victim_killed === prop.victim_killed;
  if ("freed_by" in prop) return o.freed_by[prop.freed_by] > 0;
  if ("broken" in prop) return (o.broken !== null) === prop.broken;
  const { min, max } = prop.remaining_pages;
  return o.remaining_pages >= min && o.remaining_pages <= max;
}

/** The condition judged over counted outcomes. */
export interface Judgement {
  /** Schedules whose outcome satisfies the proposition, and those whose outcome does not. */
  readonly positive: number;
  /** Schedules whose outcome does not satisfy it. */
  readonly negative: number;
  /** herd7's observation. */
  readonly verdict: ExploreVerdict;
  /** Whether the condition holds: `exists` saw one, `forall` saw all. */
  readonly ok: boolean;
}

/** Judges `condition` over `outcomes` (each with how many schedules reach it). */
export function judge(
  condition: ExploreCondition,
  outcomes: readonly { outcome: ScheduleOutcome; count: number }[],
): Judgement {
  let positive = 0;
  let negative = 0;
  for (const { outcome, count } of outcomes) {
    if (holds(condition.prop, outcome)) positive += count;
    else negative += count;
  }
  const verdict = positive === 0 ? "never" : negative === 0 ? "always" : "sometimes";
  const ok = condition.quantifier === "exists" ? positive > 0 : negative === 0;
  return { positive, negative, verdict, ok };
}

/** The proposition as one line, for the report. */
export function propText(prop: OutcomeProp): string {
  if ("all" in prop) return `(${prop.all.map(propText).join(" /\\ ")})`;
  if ("any" in prop) return `(${prop.any.map(propText).join(" \\/ ")})`;
  if ("not" in prop) return `~${propText(prop.not)}`;
  if ("ret" in prop) return `ret=${prop.ret}`;
  if ("warn" in prop) return `WARN ${prop.warn}`;
  if ("victim_killed" in prop) return prop.victim_killed ? "victim killed" : "victim not killed";
  if ("freed_by" in prop) return `freed by ${prop.freed_by}`;
  if ("broken" in prop) return prop.broken ? "broken" : "not broken";
  const { min, max } = prop.remaining_pages;
  return max === Number.MAX_SAFE_INTEGER
    ? `remaining pages >= ${min}`
    : `remaining pages in ${min}..${max}`;
}
