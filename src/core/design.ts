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
import type { KernelVersion } from "./kernel.ts";
import type { CallArgs } from "./call.ts";

/** What the recipe is given. */
export interface DesignContext {
  /** The process (tgid) to kill and reclaim. */
  readonly victim: number;
  /** The kernel version the world runs ("5.15", "6.18", ...). */
  readonly kernel: KernelVersion;
  /** The variant of the design that runs (one of `Design.variants`), if it has any. */
  readonly variant?: string;
  /** How the scenario wants the call made (all optional: the design's usual call). */
  readonly call: CallArgs;
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
  /** The kernel releases that shipped it: the variant a run on them gets by default. */
  readonly kernels?: readonly KernelVersion[];
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
  /** The first release that merged the call, if one did. */
  readonly mergedIn?: KernelVersion;
  /** The call itself sends the SIGKILL (no separate kill before it). */
  readonly killsInCall: boolean;
  /** How the call pins the victim's mm while it reaps, in the kernel's default variant. */
  readonly pins?: "mm_users" | "mm_count";
  /** The capability the caller needs beyond the kill's own permission, if any. */
  readonly needsCapability?: "CAP_SYS_PTRACE" | "CAP_SYS_NICE";
  /** The call's usual arguments (what a scenario's `call` overrides). */
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
  /** The variant a kernel runs when no variant lists it in `kernels` (the newest). */
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
}

/**
 * The variant of `d` that a run on `kernel` gets when none is named: the one that shipped in
 * that release, else the record's default; undefined for a design without variants.
 *
 * @example
 * ```ts
 * import { variantFor } from "./design.ts";
 * // variantFor(process_mrelease, "5.15") === "v5.15"
 * ```
 */
export function variantFor(d: Design, kernel: KernelVersion): string | undefined {
  if (!d.variants) return undefined;
  return d.variants.find((v) => v.kernels?.includes(kernel))?.name ?? d.defaultVariant ??
    d.variants[d.variants.length - 1].name;
}
