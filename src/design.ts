/**
 * What a design is: its record (name, date, status, lore link, kernel base) and the
 * userspace recipe a memory killer runs with it. The kernel side of a proposal is the
 * syscall body its recipe issues, written against {@linkcode Primitives}.
 *
 * @module
 */

import type { KGen } from "./core/primitives.ts";
import type { Userspace } from "./core/userspace.ts";
import type { CallArgs, KernelVersion } from "./scenario/mod.ts";

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
  /**
   * What the call does, in a short paragraph: its checks in order, the errnos they give,
   * the locks and references it takes (from reference §A). The single source of the
   * "what the call does" section of the generated `docs/proposals/<name>.md`.
   */
  readonly semantics?: string;
  /**
   * The review the posting got (reference §C): who, what they said (paraphrased, one short
   * sentence), and the lore.kernel.org link of the message. Listed in the generated docs.
   */
  readonly review?: readonly {
    /** The reviewer, as the record names them: "Michal Hocko". */
    readonly who: string;
    /** The objection or answer, paraphrased in one sentence. */
    readonly said: string;
    /** The message on lore.kernel.org. */
    readonly link: string;
  }[];
  /**
   * Named versions of the design, when the record has several (process_mrelease as merged,
   * as fixed, ...); one file, not copies. Absent for designs with one version.
   */
  readonly variants?: readonly string[];
  /** The variant that matches a kernel version, when none is named. */
  defaultVariant?(kernel: KernelVersion): string;
  /**
   * The recipe: the memory killer's thread acting against `ctx.victim`. Returns the
   * result of the design's main call (0 or -errno).
   */
  recipe(u: Userspace, ctx: DesignContext): KGen<number>;
}
