/**
 * Who the comparison runs, and what its classes know of each: the targets (every registered
 * design in its kernel's own variant, plus the variants its record names in
 * `compareVariants`), and tests over their design records (who reaps, who kills in the call,
 * how the call pins the mm on each kernel, what it answers in a named situation). A class
 * selects designs through these facts, never by name, so a registered design is classified
 * by what its record says it does.
 *
 * @example
 * ```ts
 * import { compareTargets, reaps } from "./targets.ts";
 * console.log(compareTargets().filter(reaps).map((t) => t.name));
 * ```
 * @module
 */

import {
  answersOf,
  type Design,
  KERNEL_VERSIONS,
  type KernelVersion,
  killsSharersIn,
  reaperOf,
  type Variant,
  variantFor,
} from "../../../core/mod.ts";
import { designs } from "../../designs/mod.ts";
import type { Outcome } from "../../../engine/run/mod.ts";
import type { Target } from "../target.ts";
import { retOf } from "./aspects.ts";

/**
 * The targets every comparison runs, from the registry: each design in the variant that
 * matches the kernel, then each variant its record names in `compareVariants`.
 *
 * @example
 * ```ts
 * import { compareTargets } from "./targets.ts";
 * console.log(compareTargets().map((t) => t.name));
 * ```
 */
export function compareTargets(extra: readonly Design[] = []): Target[] {
  return designs(extra).flatMap((design) => [
    { name: design.name, design },
    ...(design.compareVariants ?? []).map((variant) => ({
      name: `${design.name}@${variant}`,
      design,
      variant,
    })),
  ]);
}

/** The names of {@linkcode compareTargets}. */
export const COMPARE_TARGETS: readonly string[] = compareTargets().map((t) => t.name);

/** A test of a target's design record: which targets a class separates. */
export type TargetTest = (t: Target) => boolean;

/** Any target. */
export const anyDesign: TargetTest = () => true;
/**
 * The call reaps in the caller's context, or (the expedite's `oom-reaper` reading) makes a
 * reaping call's eligibility tests and hands the reap to a kthread: see
 * {@linkcode expeditesKthread}.
 */
export const reaps: TargetTest = (t) => t.design.reaper === "caller";
/** A kill-only baseline: nothing reaps in the caller's context. */
export const killsOnly: TargetTest = (t) => t.design.reaper !== "caller";
/**
 * The call kills and hands the mm to the oom_reaper kthread, which frees it (the expedite
 * flag's `oom-reaper` reading): a kill in the call, a reap in no caller's context.
 */
export const expeditesKthread: TargetTest = (t) =>
  t.design.killsInCall && reaperOf(t.design, t.variant) === "kthread";
/** Anything but {@linkcode expeditesKthread}. */
export const notExpeditesKthread: TargetTest = (t) => !expeditesKthread(t);
/** The kernel's OOM killer: its oom_reaper kthread frees the memory. */
export const oomKiller: TargetTest = (t) => t.design.reaper === "kthread";
/** Every design but the OOM killer. */
export const notOomKiller: TargetTest = (t) => !oomKiller(t);
/** The call marks its victim as the OOM killer does (mark_oom_victim()). */
export const marksOomVictim: TargetTest = (t) => t.design.marksOomVictim === true;
/** The call does not mark its victim as the OOM killer does. */
export const marksNoOomVictim: TargetTest = (t) => !marksOomVictim(t);
/** The call itself sends the SIGKILL. */
export const killsInCall: TargetTest = (t) => t.design.killsInCall;
/** The memory killer kills first, in a syscall of its own, then makes the call. */
export const twoStep: TargetTest = (t) => reaps(t) && !t.design.killsInCall;
/** Killing and reaping in one call. */
export const oneCall: TargetTest = (t) => reaps(t) && t.design.killsInCall;
/** The call kills every process sharing the victim's mm, not the victim alone. */
export const killsSharers: TargetTest = (t) => killsSharersIn(t.design, t.variant);
/**
 * A version of a design that kills every sharer of the mm, which kills the victim alone
 * (REAP_KILL v1 and v2, before v3's kill_all_shared_mm()): a kill-and-reap call all the same.
 */
export const sharersNotYet: TargetTest = (t) =>
  oneCall(t) && t.design.killsSharers !== undefined && !killsSharers(t);
/** A reaping call that kills every sharer of the mm first (kill-and-reap). */
export const killsAndReaps: TargetTest = (t) => reaps(t) && killsSharers(t);
/** Anything but {@linkcode killsAndReaps}. */
export const notKillAndReap: TargetTest = (t) => !killsAndReaps(t);
/** The call names its victim by pid. */
export const byPid: TargetTest = (t) => t.design.victimArg === "pid";
/** The call takes a pidfd and nothing else to name its victim. */
export const pidfdOnly: TargetTest = (t) => t.design.victimArg === "pidfd";
/** The call names its victim by pid, or also takes a /proc/<pid> directory fd. */
export const notPidfdOnly: TargetTest = (t) => !pidfdOnly(t);
/** The call looks for the mm in the pidfd's own task, the leader. */
export const leaderMm: TargetTest = (t) => t.design.findsMm === "pidfd_task";
/** Anything but {@linkcode leaderMm}. */
export const notLeaderMm: TargetTest = (t) => !leaderMm(t);
/** The call's only dying test is signal_group_exit() of the victim's own thread group. */
export const groupExitOnly: TargetTest = (t) => t.design.dyingTest === "signal_group_exit";
/** Anything but {@linkcode groupExitOnly}. */
export const notGroupExitOnly: TargetTest = (t) => !groupExitOnly(t);
/** The call zaps with MADV_DONTNEED's rules. */
export const madvZap: TargetTest = (t) => t.design.zaps === "madvise";
/** The call zaps with the reaper's rules (__oom_reap_task_mm). */
export const reapZap: TargetTest = (t) => t.design.zaps === "reap";
/** Anything but {@linkcode reapZap}. */
export const notReapZap: TargetTest = (t) => !reapZap(t);
/** The call needs ptrace access to its victim (mm_access with PTRACE_MODE_ATTACH). */
export const needsPtrace: TargetTest = (t) => t.design.needsCapability === "CAP_SYS_PTRACE";
/** Anything but {@linkcode needsPtrace}. */
export const noPtrace: TargetTest = (t) => !needsPtrace(t);
/** The call sets MMF_OOM_SKIP before it reaps. */
export const setsOomSkip: TargetTest = (t) => t.design.setsOomSkip === true;
/** Anything but {@linkcode setsOomSkip}. */
export const leavesOomSkip: TargetTest = (t) => !setsOomSkip(t);
/** The call leaves an OOM victim's mm to the oom_reaper (0, no work: `skipsOomVictim`). */
export const skipsOomVictim: TargetTest = (t) => t.design.skipsOomVictim === true;

// ---- facts that depend on the variant a kernel runs ----

/** The variant record a target runs on `kernel`: the one it names, else the kernel's own. */
function variantOn(t: Target, kernel: KernelVersion): Variant | undefined {
  const name = t.variant ?? variantFor(t.design, kernel);
  return t.design.variants?.find((v) => v.name === name);
}

/**
 * How the target's call pins the victim's mm on `kernel` while it reaps in the caller's
 * context, if it does (the OOM killer's pin is the kthread's, not the call's).
 */
function pinsOn(t: Target, kernel: KernelVersion): Design["pins"] {
  if (!reaps(t)) return undefined;
  return variantOn(t, kernel)?.pins ?? t.design.pins;
}

/** Whether the target's call re-checks MMF_OOM_SKIP under mmap_lock on `kernel`. */
export function rechecksOn(t: Target, kernel: KernelVersion): boolean {
  return variantOn(t, kernel)?.rechecksOomSkip ?? t.design.rechecksOomSkip ?? false;
}

/**
 * How firmly a target's call keeps the victim from running exit_mmap on `kernel`: 1 an
 * mm_users pin (mmget(), or 337546e83fc7's mmget_not_zero(), both under task_lock), 0
 * mmgrab() only, or no pin.
 *
 * @example
 * ```ts
 * import { compareTargets, pinRank } from "./targets.ts";
 * for (const t of compareTargets()) console.log(t.name, pinRank(t, "5.15"));
 * ```
 */
export function pinRank(t: Target, kernel: KernelVersion): number {
  return pinsOn(t, kernel) === "mm_users" ? 1 : 0;
}

/** On some kernel, the target's call pins mm_users. */
export const mayPinMmUsers: TargetTest = (t) =>
  KERNEL_VERSIONS.some((k) => pinsOn(t, k) === "mm_users");
/** On some kernel, the target's call pins mm_count only. */
export const mayPinMmCount: TargetTest = (t) =>
  KERNEL_VERSIONS.some((k) => pinsOn(t, k) === "mm_count");
/**
 * On some kernel, the target's call holds only mm_count and does not re-check MMF_OOM_SKIP
 * under the lock: it may walk an mm whose exit_mmap has finished.
 */
export const mayWalkExitedMm: TargetTest = (t) =>
  KERNEL_VERSIONS.some((k) => pinsOn(t, k) === "mm_count" && !rechecksOn(t, k));
/** On some kernel, the target's reaping call re-checks MMF_OOM_SKIP under the lock. */
export const mayRecheck: TargetTest = (t) =>
  reaps(t) && KERNEL_VERSIONS.some((k) => rechecksOn(t, k));

// ---- the call's arguments ----

/**
 * What `flags` asks of a target's call (see the `flags-per-syscall` class): its usual call
 * (the record's `defaults.flags`, or any value for a call that takes none), another mode the
 * record names in `otherFlags`, or EINVAL, before the call's own kill (`killsInCall`) or
 * after the recipe's.
 *
 * @example
 * ```ts
 * import { compareTargets, flagsMeaning } from "./targets.ts";
 * for (const t of compareTargets()) console.log(t.name, flagsMeaning(t, 3));
 * ```
 */
export function flagsMeaning(t: Target, flags: number): string {
  const usual = t.design.defaults.flags;
  if (usual === undefined || flags === usual) return "usual";
  const other = t.design.otherFlags?.[flags];
  if (other !== undefined) return `other: ${other}`;
  return t.design.killsInCall ? "einval-unkilled" : "einval-killed";
}

// ---- what the call answers in a named situation ----

/**
 * The situations whose answers the design records state (`answers`), by id, with what each
 * is: the classes that compare answers read them from there.
 */
export const SITUATIONS: Readonly<Record<string, string>> = {
  "not-dying": "a target task_will_free_mem() does not call dying (not killed, a live " +
    "sharer, a core dump)",
  "leader-past-exit-mm": "the pidfd's leader has passed exit_mm (a zombie leader, a group " +
    "already exiting)",
  "past-exit-mm": "every thread of the target has passed exit_mm",
  "init": "the target is init (SIGNAL_UNKILLABLE)",
  "kthread": "the target is a kernel thread",
  "no-kill-permission": "the caller may not kill the target (no uid match, no CAP_KILL)",
  "oom-skip": "the target's mm has MMF_OOM_SKIP when the call comes: the kernel's OOM " +
    "killer chose it and its oom_reaper is done with it (reaped, or gave up)",
};

/**
 * A target whose record states `ret` among its answers in `situation`.
 *
 * @example
 * ```ts
 * import { answering, compareTargets } from "./targets.ts";
 * console.log(compareTargets().filter(answering("not-dying", "EBUSY")).map((t) => t.name));
 * ```
 */
export function answering(situation: string, ret: string): TargetTest {
  return (t) => answersOf(t.design, situation, t.variant)?.includes(ret) ?? false;
}

/**
 * Both outcomes are answers the two targets' records state for `situation`, and they differ.
 *
 * @example
 * ```ts
 * import { answered } from "./targets.ts";
 * // answered("init", a, b, [ta, tb]);
 * ```
 */
export function answered(
  situation: string,
  a: Outcome,
  b: Outcome,
  [ta, tb]: readonly [Target, Target],
): boolean {
  const ra = retOf(a), rb = retOf(b);
  return ra !== rb && (answersOf(ta.design, situation, ta.variant)?.includes(ra) ?? false) &&
    (answersOf(tb.design, situation, tb.variant)?.includes(rb) ?? false);
}
