/**
 * Refinements: claims that two designs give the same result on a class of worlds. The claims
 * (their domain and what must agree) are the lab's ({@linkcode CLAIMS}); which designs make
 * one is a fact of their records (`agreesWith`: process_reap v1 was renamed process_mrelease,
 * SYNC_REAP_MM is a kill and a reap in one call), so {@linkcode refinements} pairs them from
 * the registry. test/props/compare_test.ts asserts each outright on generated worlds.
 *
 * @example
 * ```ts
 * import { REFINEMENTS } from "./refinements.ts";
 * console.log(REFINEMENTS.map((r) => `${r.id}: ${r.pair.join(" and ")}`));
 * ```
 * @module
 */

import { type Design, KERNEL_VERSIONS, type KernelVersion } from "../../../core/mod.ts";
import type { Outcome } from "../../../engine/run/mod.ts";
import { designs } from "../../designs/mod.ts";
import { ret, STOPPED } from "./class.ts";
import type { CaseFacts } from "./facts.ts";

/** What two designs are claimed to agree on, and where. */
export interface Claim {
  /** Its id: what a record's `agreesWith` names. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Why it holds, where the designs legitimately differ, and how the domain excludes that. */
  readonly explanation: string;
  /** The kernels it is checked on. */
  readonly kernels: readonly KernelVersion[];
  /** Whether a world is in its domain (scenario facts only). */
  readonly domain: (f: CaseFacts) => boolean;
  /** What broke on a world of the domain, or null when it holds (the claimant's outcome first). */
  readonly check: (f: CaseFacts, a: Outcome, b: Outcome) => string | null;
}

/** A claim made by a design's record about it and another target. */
export interface Refinement extends Claim {
  /** The two targets: the design whose record makes the claim, and the one it names. */
  readonly pair: readonly [string, string];
}

/** Neither call has returned by the horizon (or its caller died): nothing to compare. */
function stopped(o: Outcome): boolean {
  return STOPPED.includes(ret(o));
}

function reapableAfter(o: Outcome): number {
  return o.calls[o.calls.length - 1]?.reapable_after_pages ?? -1;
}

/** The design and variant that ran. */
function ran(o: Outcome): string {
  return o.variant === null ? o.design : `${o.design}@${o.variant}`;
}

/** The claims a record may make (`agreesWith`), in the order the docs list them. */
export const CLAIMS: readonly Claim[] = [
  {
    id: "process-reap-v1-is-mrelease-v9",
    title: "process_reap v1 and process_mrelease@v9 answer alike and free the same pages on 5.15",
    explanation: "v2 of the series only renamed process_reap (§A.3, §A.4.1), and v9 differs " +
      "from v1 in three ways the record names: the TGID lookup (the same task for a pidfd, " +
      "which names a leader), find_lock_task_mm() instead of the leader's own mm, and " +
      "mmgrab() instead of mmget(). They legitimately differ (1) on a leader that has " +
      "passed exit_mm: process_reap answers EINVAL where v9 reaps through another thread " +
      "(zombie-leader), and (2) in who runs exit_mmap: v9's victim tears down alongside the " +
      "reap, process_reap's caller after it, and a /proc reader's reference prolongs " +
      "process_reap's pin (mm-users-pin, last-one-out-runs-exit-mmap). The domain is 5.15 " +
      "worlds with a live target whose leader is live at the call (nothing else makes it " +
      "exit first), a call that names the target, no second caller, no kill of the " +
      "caller, no /proc reader; the claim is " +
      "compared once both calls have returned. The two free the same pages whenever the " +
      "victim's memory has settled in both runs: all of it back, or a victim thread that " +
      "can never exit (then no exit_mmap races the reap, and the calls also answer the same " +
      "and leave the same reapable pages). Where the victim's own exit races the reap they " +
      "may answer differently (process_reap's pinned reap meets a refusing notifier: " +
      "EAGAIN; v9 finds the teardown done: 0), and a run cut off mid-teardown has freed " +
      "different amounts.",
    kernels: ["5.15"],
    domain: (f) =>
      f.target === "alive" && !f.mayHaveExited && (f.callFd === null || f.callFd === "target") &&
      !f.secondCaller && !f.callerKilled && !f.procReaders,
    check: (f, a, b) => {
      if (stopped(a) || stopped(b)) return null;
      if (f.neverExits) {
        // No exit_mmap can race the reap: the calls themselves must agree.
        if (ret(a) !== ret(b)) return `${ran(a)} answered ${ret(a)}, ${ran(b)} ${ret(b)}`;
        if (reapableAfter(a) !== reapableAfter(b)) {
          return `reapable pages left: ${reapableAfter(a)} and ${reapableAfter(b)}`;
        }
      } else if (a.memory.t100_ns === null || b.memory.t100_ns === null) {
        return null;
      }
      if (a.memory.freed_pages !== b.memory.freed_pages) {
        return `freed ${a.memory.freed_pages} and ${b.memory.freed_pages} pages`;
      }
      return null;
    },
  },
  {
    id: "sync-reap-mm-is-kill-then-mrelease",
    title:
      "SYNC_REAP_MM on an eligible victim is kill(2) then process_mrelease, when nothing interleaves",
    explanation: "reap_mm() runs task_will_free_mem() and __oom_reap_task_mm() under " +
      "mmap_read_lock right after the kill (§A.1), as process_mrelease does after the " +
      "recipe's own SIGKILL (§A.4); on an eligible victim (alive, its leader live, no live " +
      "sharer, no core dump, the caller allowed to kill it, the usual call) with nothing " +
      "interleaving (no second caller, no later signal or exit, no /proc reader, no kill of " +
      "the caller, and a victim thread that cannot exit, so that its own exit_mmap never " +
      "races the reap: kill-and-lock-in-one-call, mm-users-pin), both answer the same (0, " +
      "or EAGAIN for a refusing notifier) and free the same pages, on every kernel.",
    kernels: KERNEL_VERSIONS,
    domain: (f) =>
      f.target === "alive" && !f.mayHaveExited && !f.liveSharer && !f.coreDump && f.mayKill &&
      f.callFlags === null && f.callFd === null && f.killInCall && !f.concurrent &&
      f.neverExits,
    check: (_f, a, b) => {
      if (stopped(a) || stopped(b)) return null;
      if (!["0", "EAGAIN"].includes(ret(a))) return `${ran(a)} answered ${ret(a)}`;
      if (ret(a) !== ret(b)) return `${ran(a)} answered ${ret(a)}, ${ran(b)} ${ret(b)}`;
      if (a.memory.freed_pages !== b.memory.freed_pages) {
        return `freed ${a.memory.freed_pages} and ${b.memory.freed_pages} pages`;
      }
      return null;
    },
  },
];

/**
 * The refinements the records claim: for each claim of {@linkcode CLAIMS}, every registered
 * design whose `agreesWith` names it, paired with the target it names. Throws for a claim the
 * lab does not know.
 *
 * @example
 * ```ts
 * import { refinements } from "./refinements.ts";
 * console.log(refinements().map((r) => r.pair));
 * ```
 */
export function refinements(extra: readonly Design[] = []): Refinement[] {
  const made = designs(extra).flatMap((d) =>
    (d.agreesWith ?? []).map((x) => ({ ...x, by: d.name }))
  );
  for (const x of made) {
    if (!CLAIMS.some((c) => c.id === x.claim)) {
      throw new Error(`${x.by}: unknown claim "${x.claim}" in agreesWith`);
    }
  }
  return CLAIMS.flatMap((c) =>
    made.filter((x) => x.claim === c.id).map((x): Refinement => ({ ...c, pair: [x.by, x.target] }))
  );
}

/** The refinements the registered records claim, asserted by test/props/compare_test.ts. */
export const REFINEMENTS: readonly Refinement[] = refinements();
