/**
 * What a design is: one record that carries every fact about it that a lab tool needs (its
 * call, default arguments, status and sources, variants and which kernel ships which,
 * whether it is a baseline, its stock-kernel counterpart, what its call does to the victim)
 * and the userspace recipe a memory killer runs with it. The kernel side of a proposal is
 * the syscall body its recipe issues, written against {@linkcode Primitives}.
 *
 * Lab tools iterate the registry and read these fields; none of them spells a design's name.
 *
 * @module
 */

import type { KGen } from "./primitives.ts";
import type { Userspace } from "./userspace.ts";
import { KERNEL_VERSION_CODE, type KernelVariant, type KernelVersion } from "./kernel.ts";
import type { CallArgs } from "./call.ts";

/** What the recipe is given. */
export interface DesignContext {
  /** The process (tgid) to kill and reclaim. */
  readonly victim: number;
  /** The kernel version the world runs ("5.15", "6.18", ...). */
  readonly kernel: KernelVersion;
  /**
   * The variant of the design that runs (one of `Design.variants`), for a design that has
   * any: whoever runs the recipe fills it, with {@linkcode variantFor} when none is named.
   */
  readonly variant?: string;
  /** How the scenario wants the call made (all optional: the design's usual call). */
  readonly call: CallArgs;
  /**
   * Every thread that runs the recipe in this run, the scenario's caller first, then its
   * `intent.also` in order: a recipe whose threads share the work (a memory killer's pool of
   * reaper threads) finds its own share from its place here. Absent: the recipe runs alone.
   */
  readonly callers?: readonly number[];
  /**
   * The victim's cgroup as the memory killer knows it without asking the kernel (oomd picked
   * the cgroup; lmkd names its per-app cgroup by uid and pid): the core's handle, 0 for the
   * root cgroup. Absent: the root.
   */
  readonly victimCgroup?: number;
}

/**
 * What a design is to the comparison and the review: a `baseline` every proposal is judged
 * against, a `proposal` posted for review (merged or not), or the `stock` kernel's answer to
 * another design's call (what the host's real kernel does with it).
 */
export type DesignKind = "baseline" | "proposal" | "stock";

/** Who frees the victim's memory when the design works as meant. */
export type Reaper = "victim" | "kthread" | "caller";

/** One named version of a design's kernel side. */
export interface Variant {
  /** Its name on the command line: `process_mrelease@v9`. */
  readonly name: string;
  /** What changed, in one line. */
  readonly summary: string;
  /** The commit id or lore message it comes from. */
  readonly source: string;
  /**
   * The kernel releases that shipped it, among the lab's kernel versions: the variant a run
   * on them gets by default (see {@linkcode variantFor}). Absent for a version no release
   * shipped (a posting, a bug caught before a release).
   */
  readonly kernels?: readonly KernelVersion[];
  /** How this version pins the victim's mm, where it differs from the design's `pins`. */
  readonly pins?: "mm_users" | "mm_count";
  /** Who frees the victim's memory in this version, where it differs from the design's. */
  readonly reaper?: Reaper;
  /**
   * Whether this version kills every process sharing the mm, where it differs from the
   * design's `killsSharers`: `false` for a version that kills the victim alone.
   */
  readonly killsSharers?: false;
  /** What this version answers in the named situations where it differs (as `answers`). */
  readonly answers?: Readonly<Record<string, readonly string[]>>;
  /** Whether this version re-checks MMF_OOM_SKIP under mmap_lock, where it differs. */
  readonly rechecksOomSkip?: boolean;
  /** The property rules this version is known to break (as the design's `breaks`). */
  readonly breaks?: readonly KnownBreak[];
  /** How this version fares in the post-merge races (as the design's `races`). */
  readonly races?: readonly RaceResult[];
}

/**
 * A rule of the lab's properties (docs/properties.md) that a design or variant is known to
 * break, a historical bug or a reviewer's objection: the property is checked without the rule
 * for it, and a search of its own must still find the break.
 */
export interface KnownBreak {
  /** The property: `safety`, `effectiveness`, `latency` or `determinism`. */
  readonly property: string;
  /** The rules broken: WARN names (`zap_live_sharer`) or the property's own (`reapable_left`). */
  readonly rules: readonly string[];
  /** The kernels on which it breaks them (every kernel when absent). */
  readonly kernels?: readonly KernelVersion[];
  /** Why, with the reference section. */
  readonly why: string;
}

/**
 * How a design or variant fares on one kernel in one of the post-merge races of reference §F
 * (docs/races.md): the race's property must find the bug, or must hold for its whole budget.
 */
export interface RaceResult {
  /** The race's id: `f1-pgtables`, `f3-dangling-mmap`, `f5-inverted-check`, ... */
  readonly race: string;
  /** The kernel version it runs on. */
  readonly kernel: KernelVersion;
  /** Historical kernel bugs switched on (`Kernel.set_kernel_bugs` bits; none when absent). */
  readonly kernelBugs?: number;
  /** True: the property must find the bug; false: it must hold. */
  readonly buggy: boolean;
}

/** A review message the posting got (reference §C). */
export interface ReviewPoint {
  /** The reviewer, as the record names them: "Michal Hocko". */
  readonly who: string;
  /** The objection or answer, paraphrased in one sentence. */
  readonly said: string;
  /** The message on lore.kernel.org. */
  readonly link: string;
}

/** One design under comparison. */
export interface Design {
  /** Short name used on the command line: `sigkill`, `process_mrelease`. */
  readonly name: string;
  /** The call as a user writes it. */
  readonly call: string;
  /** One line on what it does. */
  readonly summary: string;
  /** When it was posted or merged (YYYY-MM or YYYY-MM-DD): designs are listed in this order. */
  readonly date: string;
  /** "baseline", "RFC", "merged in v5.15", ... */
  readonly status: string;
  /** The lore.kernel.org link of the posting, or the kernel file of a baseline. */
  readonly lore: string;
  /** The kernel the patch applied to. */
  readonly kernelBase: string;
  /** Baseline, proposal, or a stock kernel's answer. */
  readonly kind: DesignKind;
  /** Who frees the victim's memory when the design works as meant. */
  readonly reaper: Reaper;
  /**
   * The release that merged the call, when it is one of the lab's kernel versions
   * (process_mrelease: 5.15). Absent for a call never merged or older than all of them. A
   * world older than it runs the call as that release shipped it ({@linkcode variantFor}).
   */
  readonly mergedIn?: KernelVersion;
  /** The call itself sends the SIGKILL (no separate kill before it). */
  readonly killsInCall: boolean;
  /**
   * The call marks its victim as the OOM killer does (mark_oom_victim(): TIF_MEMDIE, the
   * victim thawed, §B.4), not only the kernel's OOM killer.
   */
  readonly marksOomVictim?: boolean;
  /** How the call pins the victim's mm while it reaps, in the kernel's default variant. */
  readonly pins?: "mm_users" | "mm_count";
  /**
   * The capability a caller without a uid match needs to pass the call's own permission
   * check, beyond the kill's (in the default variant): process_madvise's ptrace attach
   * needs CAP_SYS_PTRACE. Absent when the call checks nothing more than the kill does.
   */
  readonly needsCapability?: "CAP_SYS_PTRACE" | "CAP_SYS_NICE";
  /**
   * The call's usual arguments, what a scenario's `call` overrides: the recipe reads each one
   * as `ctx.call.x ?? defaults.x`, so this is their only statement.
   */
  readonly defaults: Readonly<CallArgs>;
  /**
   * What its call does on a stock 6.18 kernel (the host's): `"self"` when the call is in
   * 6.18 as modelled, a stock design that answers as 6.18 does, or absent when the host
   * cannot make the call at all (the OOM killer).
   */
  readonly stock?: "self" | Design;
  /**
   * What the call does, in a short paragraph: its checks in order, the errnos they give,
   * the locks and references it takes (from reference §A). The single source of the
   * "what the call does" section of the generated `docs/proposals/<name>.md`.
   */
  readonly semantics?: string;
  /** The review the posting got (reference §C), listed in the generated docs. */
  readonly review?: readonly ReviewPoint[];
  /**
   * Named versions of the design, when the record has several (process_mrelease as merged,
   * as fixed, ...), oldest first; one file, not copies. Absent for designs with one version.
   */
  readonly variants?: readonly Variant[];
  /**
   * The variant a kernel runs when no variant lists it in `kernels` and it is not older than
   * `mergedIn` (the newest, or the one posted).
   */
  readonly defaultVariant?: string;
  /**
   * Variants the pairwise comparison runs besides each kernel's own, because the record
   * singles them out (process_mrelease as merged, v9).
   */
  readonly compareVariants?: readonly string[];
  /**
   * The recipe: the memory killer's thread acting against `ctx.victim`. Returns the
   * result of the design's main call (0 or -errno).
   */
  recipe(u: Userspace, ctx: DesignContext): KGen<number>;
  /**
   * How prose that lists the designs names this one, when not as its name in code style
   * followed by the year it was posted (`process_reap` (2021)) or the release that merged
   * it: "SIGKILL alone", "the 2026 `PROCESS_MRELEASE_REAP_KILL` flag". The design review's
   * opening sentence lists every design this way.
   */
  readonly listedAs?: string;
  /**
   * The design also kills every other process that shares the victim's mm, so that a live
   * sharer (a vfork child) cannot keep the memory: the kernel function that walks the
   * process list for them, and the reference section that describes it. Absent when only
   * the victim's thread group is killed.
   */
  readonly killsSharers?: { readonly by: string; readonly ref: string };
  /**
   * The design kills and reaps the victim's whole cgroup: `kernel` from the context of the
   * one write that kills it, `userspace` by the memory killer's reaper threads, a member at a
   * time. Absent: the design acts on the victim's processes alone.
   */
  readonly reapsCgroup?: "kernel" | "userspace";
  /**
   * How the call names its victim: by `pid` (kill(2), the OOM killer), by `pidfd`, or by
   * `pidfd_or_proc_dir`: pidfd_send_signal() also takes a /proc/<pid> directory fd (§A.0).
   */
  readonly victimArg?: "pid" | "pidfd" | "pidfd_or_proc_dir";
  /**
   * Where the call looks for the victim's mm: in the pidfd's own task, the thread-group
   * leader (`pidfd_task`: nothing once the leader has passed exit_mm), or in any thread that
   * still has one (`find_lock_task_mm`, §B.1). Absent for a call that does not look.
   */
  readonly findsMm?: "pidfd_task" | "find_lock_task_mm";
  /**
   * How the call decides that its victim is dying before it acts: task_will_free_mem(), which
   * also asks every process sharing the mm (§B.2), or signal_group_exit() of the victim's own
   * thread group only (§A.2). Absent for a call that does not ask (it kills instead).
   */
  readonly dyingTest?: "task_will_free_mem" | "signal_group_exit";
  /**
   * Which VMAs the call's zap frees, as `zapCovers()` names the rules: `reap`
   * (__oom_reap_task_mm's, §B.3) or `madvise` (MADV_DONTNEED's can_madv_lru_vma, §A.2).
   * Absent for a call that frees nothing itself.
   */
  readonly zaps?: "reap" | "madvise";
  /** The call sets MMF_OOM_SKIP before it reaps, turning other reapers away (§A.1). */
  readonly setsOomSkip?: boolean;
  /**
   * The call answers 0 without reaping an mm the kernel's OOM killer has marked
   * (MMF_OOM_VICTIM, before v6.0): "Already being reclaimed", left to the oom_reaper (§A.1
   * step 4, §A.2 step 7).
   */
  readonly skipsOomVictim?: boolean;
  /**
   * The call re-checks MMF_OOM_SKIP once it holds mmap_lock (ba535c1caf3e, v5.17), so a
   * completed exit_mmap is seen, in the default variant (a `Variant` may say otherwise).
   */
  readonly rechecksOomSkip?: boolean;
  /**
   * What the call answers in the situations the pairwise comparison names
   * (src/lab/props/compare/, docs/semantic-diff.md), by situation id: each a list of answers
   * as the comparison spells them: "0", an errno name, "killed" (the caller died before the
   * call returned) or "unfinished" (no answer by the end of the run).
   */
  readonly answers?: Readonly<Record<string, readonly string[]>>;
  /**
   * Flag values the call accepts besides its usual `defaults.flags`, each with what the call
   * then does, in a few words; any other value is EINVAL. Absent: it accepts no other value.
   */
  readonly otherFlags?: Readonly<Record<number, string>>;
  /**
   * Claims of the lab's comparison that this design answers and frees as another target
   * (`name` or `name@variant`) does on the worlds of the claim's domain (the refinements of
   * docs/semantic-diff.md), as the record's history has it: process_reap v1 was renamed
   * process_mrelease, SYNC_REAP_MM is a kill and a reap in one call.
   */
  readonly agreesWith?: readonly { readonly claim: string; readonly target: string }[];
  /** The property rules the design (in each kernel's variant) is known to break. */
  readonly breaks?: readonly KnownBreak[];
  /** How the design (in each kernel's variant) fares in the post-merge races. */
  readonly races?: readonly RaceResult[];
  /**
   * The kernel change the design's patch brings besides its call (wasm/src/variant.rs): a
   * run of the design switches these kernel variants on, whatever the scenario says (they
   * must apply to every kernel the design runs on: `KERNEL_VARIANT_KERNELS`).
   */
  readonly kernelVariants?: readonly KernelVariant[];
}

/**
 * The variant of `d` that a run on `kernel` gets when none is named: the one that shipped in
 * that release; for a release older than `d.mergedIn`, the one that release shipped (the
 * call as first released, backported); else the record's default. Undefined for a design
 * without variants.
 *
 * @example
 * ```ts
 * import { variantFor } from "./design.ts";
 * // variantFor(process_mrelease, "5.16") === "v5.16"
 * // variantFor(process_mrelease, "5.10") === "v5.15" (merged in 5.15)
 * ```
 */
export function variantFor(d: Design, kernel: KernelVersion): string | undefined {
  if (!d.variants) return undefined;
  const shippedIn = (k: KernelVersion) => d.variants!.find((v) => v.kernels?.includes(k));
  const own = shippedIn(kernel) ??
    (d.mergedIn && KERNEL_VERSION_CODE[kernel] < KERNEL_VERSION_CODE[d.mergedIn]
      ? shippedIn(d.mergedIn)
      : undefined);
  return own?.name ?? d.defaultVariant ?? d.variants[d.variants.length - 1].name;
}

/**
 * Who frees the victim's memory when `d` runs in `variant` (undefined: the kernel's own,
 * which is the record's default unless a release shipped another): the variant's `reaper`
 * where it has one, else the design's.
 *
 * @example
 * ```ts
 * import { reaperOf } from "./design.ts";
 * // reaperOf(pidfd_expedite, "oom-reaper") === "kthread"
 * ```
 */
export function reaperOf(d: Design, variant?: string): Reaper {
  return d.variants?.find((v) => v.name === variant)?.reaper ?? d.reaper;
}

/**
 * What `d` in `variant` answers in the situation `situation` names (the design's `answers`,
 * or the variant's where it states its own), or undefined when the record says nothing.
 *
 * @example
 * ```ts
 * import { answersOf } from "./design.ts";
 * // answersOf(process_mrelease_reap_kill_design, "init", "v2") → ["0", ...]
 * ```
 */
export function answersOf(
  d: Design,
  situation: string,
  variant?: string,
): readonly string[] | undefined {
  const own = d.variants?.find((v) => v.name === variant)?.answers?.[situation];
  return own ?? d.answers?.[situation];
}

/**
 * Whether `d` in `variant` kills every process sharing the victim's mm: the design's
 * `killsSharers`, unless the variant says it kills the victim alone.
 *
 * @example
 * ```ts
 * import { killsSharersIn } from "./design.ts";
 * // killsSharersIn(process_mrelease_reap_kill_design, "v1") === false
 * ```
 */
export function killsSharersIn(d: Design, variant?: string): boolean {
  const v = d.variants?.find((x) => x.name === variant);
  return d.killsSharers !== undefined && v?.killsSharers !== false;
}

/**
 * The entry of `table` (one per variant of a design, by name) for the variant a recipe runs,
 * `ctx.variant`: how a design with variants picks its kernel side. Throws when the table has
 * none for it (the record's `variants` and its table disagree).
 *
 * @example
 * ```ts
 * import { forVariant } from "./design.ts";
 * const ctx = { victim: 1000, kernel: "6.18", variant: "v2", call: {} } as const;
 * forVariant({ v1: "old", v2: "new" }, ctx); // "new"
 * ```
 */
export function forVariant<T>(table: Readonly<Record<string, T>>, ctx: DesignContext): T {
  const entry = ctx.variant === undefined ? undefined : table[ctx.variant];
  if (entry === undefined) throw new Error(`no kernel side for variant ${ctx.variant}`);
  return entry;
}
