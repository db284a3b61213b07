/**
 * What a design is: its record (name, date, status, lore link, kernel base) and the
 * userspace recipe a memory killer runs with it. The kernel side of a proposal is the
 * syscall body its recipe issues, written against {@linkcode Primitives}.
 *
 * @module
 */

import type { KGen } from "./core/primitives.ts";
import type { Userspace } from "./core/userspace.ts";

/** What the recipe is given. */
export interface DesignContext {
  /** The process (tgid) to kill and reclaim. */
  readonly victim: number;
  /** The kernel version the world runs ("5.15", "6.18", ...). */
  readonly kernel: string;
  /** A named variant of the design, when it has several. */
  readonly variant?: string;
}

/** One design under comparison. */
export interface Design {
  /** Short name used on the command line: `sigkill`, `process_mrelease`. */
  readonly name: string;
  /** The call as a user writes it. */
  readonly call: string;
  /** One line on what it does. */
  readonly summary: string;
  /** When it was proposed or merged (YYYY-MM). */
  readonly date: string;
  /** "baseline", "RFC", "merged in v5.15", ... */
  readonly status: string;
  /** The lore.kernel.org link of the posting, or the kernel file of a baseline. */
  readonly lore: string;
  /** The kernel the patch applied to. */
  readonly kernelBase: string;
  /**
   * The recipe: the memory killer's thread acting against `ctx.victim`. Returns the
   * result of the design's main call (0 or -errno).
   */
  recipe(u: Userspace, ctx: DesignContext): KGen<number>;
}
