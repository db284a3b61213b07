/**
 * The ESRCH-free property (issue 15, reference §F.7, §A.5): a design used through its own
 * recipe never leaves a killed victim's reclaimable memory to be freed only by the victim's
 * own exit. Its worlds are built for the target's recipe: a running or sleeping victim, maybe
 * with a zombie leader, maybe with a transient mm_users holder (a /proc/<pid>/cmdline reader),
 * and a delay of 0 to 1,000 µs between the decision to kill and the design's call. A recipe
 * that kills and then calls gets its kill at the decision (a scenario `kill` event from the
 * caller) and its call after the delay, on the pidfd it holds; a design whose call is the kill
 * makes that call after the delay, nothing killed before it. Nobody else kills.
 *
 * Which designs claim the property is read off their records ({@linkcode claimsEsrchFree});
 * a target that does not claim it is expected to break it, and the property suite must find
 * the break with a shrunk example (`expectedFailuresOf`).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbEsrchCase, esrchViolations } from "./esrch.ts";
 * import { runTarget, targets } from "./target.ts";
 * const t = targets()[0];
 * const [c] = fc.sample(arbEsrchCase(t), 1);
 * console.log(esrchViolations(runTarget(c, t)));
 * ```
 * @module
 */

import fc, { type Arbitrary } from "fast-check";
import { type Design, reaperOf } from "../../core/mod.ts";
import type { RunResult } from "../../engine/run/mod.ts";
import type { CpuPresetName } from "../../engine/scenario/mod.ts";
import { arbChoices, arbKernel, type Case, type CaseOptions, toCase } from "./gen.ts";
import type { Violation } from "./properties.ts";
import type { Target } from "./target.ts";

/** The property's one rule: the reapers freed nothing, the exit path freed the memory. */
export const ESRCH_FREE_RULE = "left_to_exit";

/**
 * Whether a design claims to be ESRCH-free, from its record: its call is the kill
 * (`killsInCall`), its caller reaps (`reaper: "caller"`), and the call finds the mm with
 * find_lock_task_mm() (`findsMm`), so that it has the mm before the victim it kills can run
 * its exit. The REAP_KILL cover letter states the claim ("we grab the mm reference via
 * mmgrab() before sending the SIGKILL",
 * https://lore.kernel.org/all/20260429211359.3829683-1-minchan@kernel.org/).
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { claimsEsrchFree } from "./esrch.ts";
 * console.log(designs().filter(claimsEsrchFree).map((d) => d.name));
 * ```
 */
export function claimsEsrchFree(d: Design, variant?: string): boolean {
  return d.killsInCall && reaperOf(d, variant) === "caller" && d.findsMm === "find_lock_task_mm";
}

/**
 * Why a design does not claim the property, from the same record facts (null when it does).
 *
 * @example
 * ```ts
 * import { designs } from "../designs/mod.ts";
 * import { whyNotEsrchFree } from "./esrch.ts";
 * for (const d of designs()) console.log(d.name, whyNotEsrchFree(d));
 * ```
 */
export function whyNotEsrchFree(d: Design, variant?: string): string | null {
  if (claimsEsrchFree(d, variant)) return null;
  const reaper = reaperOf(d, variant);
  if (reaper === "victim") return "its reaper is the victim: the exit frees the memory";
  if (reaper === "kthread" && d.killsInCall && d.findsMm === "find_lock_task_mm") {
    return "the call pins the mm before its kill but leaves the reap to the kthread, which " +
      "runs when it is scheduled: a victim whose own exit_mmap gets there first frees its " +
      "memory itself";
  }
  if (reaper === "kthread") {
    return "the kthread reaps later (OOM_REAPER_DELAY from v5.18, §B.4): a victim that " +
      "exits first frees its memory itself";
  }
  if (!d.killsInCall) {
    return "its recipe kills, then calls: the victim can pass exit_mm in between (§F.7)";
  }
  return "its call looks for the mm in the pidfd's task, the leader: with a zombie leader it " +
    "finds none, and the other threads' exit frees the memory (§A.1)";
}

/**
 * ESRCH-free: the memory of the victim's mm that the exit path freed (the victim's threads,
 * or a holder's last mmput) is not all there is, unless the design's call reached the mm.
 * A violation is a run whose callers all finished, whose design's reapers (its caller,
 * kernel threads) freed nothing while the exit path freed some, and whose call did not reach
 * the mm: there was no call (the OOM killer's), it failed, or it left reapable pages behind.
 * A call that answered 0 with nothing reapable left lost a race it was in: the victim's
 * exit_mmap was quicker, and it did not leave the memory to it. A victim nobody killed, or
 * whose memory nobody freed, says nothing about the property.
 *
 * @example
 * ```ts
 * import { esrchViolations } from "./esrch.ts";
 * // esrchViolations(runTarget(c, t))
 * ```
 */
export function esrchViolations(run: RunResult): Violation[] {
  const o = run.outcome;
  if (o.callers_unfinished > 0 || o.ret === "killed" || o.ret === null) return [];
  const f = o.memory.freed_by;
  const reaped = f.caller + f.kthreads;
  const exited = f.victim + f.other;
  if (reaped > 0 || exited === 0) return [];
  const call = o.calls[o.calls.length - 1];
  if (call && call.errno === 0 && call.reapable_after_pages === 0) return [];
  return [{
    property: "esrch-free",
    rule: ESRCH_FREE_RULE,
    message: `${
      call
        ? `${call.name} answered ${call.errno} with ${call.reapable_after_pages} reapable ` +
          `pages left`
        : "no call reached the mm"
    } and the design's reapers freed nothing; the exit path freed ${exited} of ` +
      `${o.memory.reclaimable_pages} pages (victim ${f.victim}, others ${f.other}), 90% by ` +
      `${o.memory.t90_ns} ns`,
  }];
}

/** The name of the property's worlds (a case file renames them). */
const ESRCH_WORLD = "props-esrch";
/** The mms of the property's worlds, in order: how a case file's world is recognised. */
const ESRCH_MMS = ["lmkd_mm", "holder_mm", "victim_mm"];

/**
 * Whether a case is one of the property's worlds (the property says nothing about any
 * other): its mms are the ones {@linkcode arbEsrchCase} builds, in order.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbEsrchCase, isEsrchWorld } from "./esrch.ts";
 * import { targets } from "./target.ts";
 * const [c] = fc.sample(arbEsrchCase(targets()[0]), 1);
 * isEsrchWorld(c); // true
 * ```
 */
export function isEsrchWorld(c: Pick<Case, "scenario">): boolean {
  const ids = c.scenario.mms.map((m) => m.id);
  return ids.length === ESRCH_MMS.length && ids.every((id, i) => id === ESRCH_MMS[i]);
}

/** The decision to kill (µs) and the horizon of the property's worlds. */
const DECISION_US = 1000;
const HORIZON_US = 400_000;
const PRESETS: readonly CpuPresetName[] = [
  "sd845-little-min",
  "sd845-little-max",
  "sd845-big-min",
  "sd845-big-max",
];
const VICTIM = 1000;
const CALLER = 501;
const HOLDER = 700;
/** The caller's pidfd of the victim. */
const PIDFD = 3;

/** The knobs of one world, before it is built for a target's recipe. */
interface EsrchPlan {
  cpus: CpuPresetName[];
  callerCpu: number;
  threads: { state: "R" | "S"; cpu: number }[];
  zombieLeader: boolean;
  vmaPages: number[];
  delayUs: number;
  holder: { beforeUs: number; forUs: number } | null;
}

const plan: Arbitrary<EsrchPlan> = fc.record({
  cpus: fc.array(fc.constantFrom(...PRESETS), { minLength: 2, maxLength: 4 }),
  callerCpu: fc.nat({ max: 3 }),
  threads: fc.array(
    fc.record({ state: fc.constantFrom<"R" | "S">("R", "S"), cpu: fc.nat({ max: 3 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  zombieLeader: fc.boolean(),
  vmaPages: fc.array(fc.integer({ min: 1, max: 16384 }), { minLength: 1, maxLength: 3 }),
  delayUs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })),
  holder: fc.option(
    fc.record({
      beforeUs: fc.integer({ min: 0, max: 500 }),
      forUs: fc.integer({ min: 1, max: 50_000 }),
    }),
    { nil: null },
  ),
});

/**
 * A case for the ESRCH-free property, built for `t`'s recipe (see the module's comment).
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbEsrchCase } from "./esrch.ts";
 * import { targets } from "./target.ts";
 * const [c] = fc.sample(arbEsrchCase(targets()[0]), 1);
 * console.log(c.scenario.intent.at_ns);
 * ```
 */
export function arbEsrchCase(t: Target, opts: CaseOptions = {}): Arbitrary<Case> {
  return fc.record({ plan, kernel: arbKernel(opts.kernels), choices: arbChoices(opts.maxChoices) })
    .map(({ plan, kernel, choices }) => toCase(esrchWorld(plan, t.design), { kernel, choices }));
}

function esrchWorld(p: EsrchPlan, d: Design): Record<string, unknown> {
  const cpu = (i: number) => i % p.cpus.length;
  const all = p.cpus.map((_, i) => i);
  const thread = (pid: number, state: string, at: number) => ({
    pid,
    cpu: cpu(at),
    affinity: all,
    state,
  });
  // A zombie leader needs a live thread besides it.
  const threads = p.zombieLeader
    ? [
      thread(VICTIM, "zombie", 0),
      ...p.threads.map((t, i) => thread(VICTIM + 1 + i, t.state, t.cpu)),
    ]
    : p.threads.map((t, i) => thread(VICTIM + i, t.state, t.cpu));
  const splits = !d.killsInCall && p.delayUs > 0;
  const events: Record<string, unknown>[] = [];
  if (p.holder) {
    events.push({
      at_ms: (DECISION_US - p.holder.beforeUs) / 1000,
      kind: "proc_reader",
      mm: ESRCH_MMS[2],
      reader: HOLDER,
      duration_ms: p.holder.forUs / 1000,
    });
  }
  // A recipe that kills, then calls: its kill at the decision, its call after the delay.
  if (splits) {
    events.push({ at_ms: DECISION_US / 1000, kind: "kill", target: VICTIM, from: CALLER });
  }
  return {
    schema: "mrelease-lab/scenario@1",
    name: ESRCH_WORLD,
    description: `ESRCH-free world for ${d.name}: the call ${p.delayUs} µs after the decision`,
    horizon_ms: HORIZON_US / 1000,
    cpus: p.cpus.map((preset) => ({ preset })),
    mms: [
      // ESRCH_MMS, in this order.
      { id: ESRCH_MMS[0], vmas: [{ kind: "anon", size: "64KiB", resident: "100%" }] },
      { id: ESRCH_MMS[1], vmas: [{ kind: "anon", size: "64KiB", resident: "100%" }] },
      {
        id: ESRCH_MMS[2],
        vmas: p.vmaPages.map((n) => ({ kind: "anon", size: `${n * 4}KiB`, resident: "100%" })),
      },
    ],
    processes: [
      {
        tgid: 500,
        comm: "lmkd",
        uid: 1069,
        caps: ["CAP_KILL", "CAP_SYS_NICE", "CAP_SYS_PTRACE"],
        mm: "lmkd_mm",
        fds: [{ fd: PIDFD, kind: "pidfd", target: VICTIM }],
        threads: [
          { pid: 500, cpu: cpu(p.callerCpu), state: "S" },
          { pid: CALLER, cpu: cpu(p.callerCpu), nice: -20, state: "S" },
        ],
      },
      {
        tgid: HOLDER,
        comm: "system_server",
        uid: 1000,
        mm: "holder_mm",
        threads: [{ pid: HOLDER, cpu: cpu(1), state: "S" }],
      },
      { tgid: VICTIM, comm: "app", uid: 10050, mm: ESRCH_MMS[2], threads },
    ],
    events,
    caller: { pid: CALLER },
    intent: {
      victim: VICTIM,
      at_ms: (DECISION_US + p.delayUs) / 1000,
      ...(splits ? { call: { fd: PIDFD, kill: false } } : {}),
    },
  };
}
