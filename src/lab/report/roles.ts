/**
 * The parts designs play in the review, found by the facts their records state (src/core/
 * design.ts) rather than by name: the review's prose and its special runs ask for "SIGKILL
 * alone" or "the merged design", and {@linkcode playing} finds the one registered design that
 * fits. A role that no design fits, or that several fit when the review needs one, is an error
 * that says which facts it looked for: the registry changed under the review, and the prose
 * that relies on the role has to be read again.
 *
 * @module
 */

import type { Design } from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";

/** A part a design plays in the review. */
export interface Role {
  /** What the review looks for, in words (the error names it). */
  readonly wants: string;
  /** The record facts that make a design fit. */
  readonly fits: (d: Design) => boolean;
  /**
   * Several designs may fit, and the oldest stands for them all (a group's example in the
   * prose); without it the role needs exactly one.
   */
  readonly oldestStandsForAll?: boolean;
}

/** SIGKILL alone: the baseline whose victim frees its own memory as it exits. */
export const KILL_ALONE: Role = {
  wants: 'the baseline whose reaper is the victim itself (kind "baseline", reaper "victim")',
  fits: (d) => d.kind === "baseline" && d.reaper === "victim",
};

/** The kernel's OOM killer: the baseline whose reaper is a kernel thread. */
export const OOM_KILLER: Role = {
  wants: 'the baseline reaped by a kernel thread (kind "baseline", reaper "kthread")',
  fits: (d) => d.kind === "baseline" && d.reaper === "kthread",
};

/** The design a mainline release merged: the one the host can run and calibrate. */
export const MERGED: Role = {
  wants: "the design a kernel release merged (mergedIn)",
  fits: (d) => d.mergedIn !== undefined,
};

/**
 * The design that needs ptrace access to its victim: the reason the review's lmkd has
 * CAP_SYS_PTRACE, and the one run again with Android's own capabilities.
 */
export const NEEDS_PTRACE: Role = {
  wants: 'the design that needs CAP_SYS_PTRACE (needsCapability "CAP_SYS_PTRACE")',
  fits: (d) => d.needsCapability === "CAP_SYS_PTRACE",
};

/** The proposal whose call kills every process sharing the victim's mm before it reaps. */
export const KILLS_SHARERS: Role = {
  wants: 'the proposal that kills every sharer of the mm (kind "proposal", killsSharers)',
  fits: (d) => d.kind === "proposal" && d.killsSharers !== undefined,
};

/** The example of the designs that pin mm_users, so that the victim cannot free in parallel. */
export const PINS_MM_USERS: Role = {
  wants: 'a design that pins mm_users while it reaps (pins "mm_users")',
  fits: (d) => d.pins === "mm_users",
  oldestStandsForAll: true,
};

/**
 * The registered design playing `role` (among `all`, the compared designs by default).
 *
 * @example
 * ```ts
 * import { KILL_ALONE, playing } from "./roles.ts";
 * console.log(playing(KILL_ALONE).call); // "kill(pid, SIGKILL)"
 * ```
 */
export function playing(role: Role, all: readonly Design[] = designs()): Design {
  const fit = all.filter(role.fits);
  if (fit.length === 1 || (fit.length > 1 && role.oldestStandsForAll)) return fit[0];
  const found = fit.length === 0
    ? "none does"
    : `${fit.length} do (${fit.map((d) => d.name).join(", ")})`;
  throw new Error(
    `the design review needs ${role.wants}, and of the registered designs ${found}: ` +
      `fix the records' facts, or the review's roles (src/lab/report/roles.ts)`,
  );
}
