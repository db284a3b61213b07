/**
 * Why a design's call answered a permission errno, from the facts that decide it: the design
 * record's `needsCapability` (the capability its call checks beyond the kill's) and the
 * scenario's caller and victim (their uids, the caller's capabilities). The review says it
 * beside its numbers, and `lab compare` under its table; neither looks at a design's name.
 *
 * @module
 */

import type { Design } from "../../core/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import { findDesign } from "../designs/mod.ts";
import { list } from "./_format.ts";

/** The errnos a failed permission check gives. */
const PERMISSION_ERRNOS: readonly string[] = ["EACCES", "EPERM"];

/** Who makes the call and who it is made on, as the permission checks see them. */
export interface CallParties {
  /** The caller's process name. */
  readonly comm: string;
  /** The caller's effective uid. */
  readonly uid: number;
  /** The caller's effective capabilities. */
  readonly caps: readonly string[];
  /** The victim's uid. */
  readonly victimUid: number;
}

/**
 * The caller and victim of a scenario (its `caller.pid`'s process, its `intent.victim`), or
 * null when the scenario does not name them.
 *
 * @example
 * ```ts
 * import { loadScenarioFile } from "../../engine/scenario/mod.ts";
 * import { callParties } from "./errno.ts";
 * const s = await loadScenarioFile("scenarios/dstate-little-core.json");
 * callParties(s)?.caps; // ["CAP_KILL", "CAP_SYS_NICE"]
 * ```
 */
export function callParties(s: Scenario): CallParties | null {
  const caller = s.processes.find((p) => p.threads.some((t) => t.pid === s.caller.pid));
  const victim = s.processes.find((p) => p.tgid === s.intent.victim);
  if (!caller || !victim) return null;
  return { comm: caller.comm, uid: caller.euid, caps: caller.caps, victimUid: victim.uid };
}

/**
 * Why `design`'s call answered `errno`, in a sentence, when the facts explain it: a
 * permission errno, a capability the call needs and the caller lacks, a victim of another
 * user. Null otherwise.
 *
 * @example
 * ```ts
 * import { errnoReason } from "./errno.ts";
 * // errnoReason(design, "EACCES", parties) ===
 * //   "EACCES: beyond the kill's permission, the call needs CAP_SYS_PTRACE ..."
 * ```
 */
export function errnoReason(design: Design, errno: string, who: CallParties): string | null {
  const cap = design.needsCapability;
  if (!PERMISSION_ERRNOS.includes(errno) || cap === undefined) return null;
  if (who.caps.includes(cap) || who.uid === who.victimUid || who.uid === 0) return null;
  const has = who.caps.length ? `it has ${list([...who.caps])}` : "it has no capabilities";
  return `${errno}: beyond the kill's permission, the call needs ${cap} on a process of ` +
    `another user (the victim's uid is ${who.victimUid}), and the caller, ${who.comm} ` +
    `(uid ${who.uid}), lacks it: ${has}.`;
}

/**
 * One sentence per run of `scenario` whose errno the facts explain:
 * `"<design> answers <reason>"`.
 *
 * @example
 * ```ts
 * import { errnoNotes } from "./errno.ts";
 * // errnoNotes(scenario, runs.map((r) => r.outcome)) names the EACCES of a run without
 * // the capability its design needs
 * ```
 */
export function errnoNotes(
  scenario: Scenario,
  outcomes: readonly { design: string; variant?: string | null; errno: string | number }[],
  extra: readonly Design[] = [],
): string[] {
  const who = callParties(scenario);
  if (!who) return [];
  const out: string[] = [];
  for (const o of outcomes) {
    const why = errnoReason(findDesign(o.design, extra), String(o.errno), who);
    if (why) out.push(`${o.variant ? `${o.design}@${o.variant}` : o.design} answers ${why}`);
  }
  return out;
}
