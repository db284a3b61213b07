/**
 * The kernel API face: everything a design in `proposals/` is written against, and the only
 * module a proposal may import. Primitives with the kernel's names, the kernel helpers that
 * the kernel shares between syscalls, errno, the kernel's constants and version features as
 * the core states them, the `Design` record type, and the `Userspace` interface that both
 * the simulator and the host backend implement.
 *
 * @example
 * ```ts
 * import { type Design, SIGKILL } from "./mod.ts";
 * export const sigkill_again: Design = {
 *   name: "sigkill_again",
 *   call: "kill(pid, SIGKILL)",
 *   summary: "SIGKILL alone.",
 *   date: "1991-09",
 *   status: "baseline",
 *   lore: "torvalds/linux:kernel/exit.c",
 *   kernelBase: "any",
 *   kind: "baseline",
 *   reaper: "victim",
 *   killsInCall: true,
 *   defaults: {},
 *   *recipe(u, ctx) {
 *     return yield* u.kill(ctx.victim, SIGKILL);
 *   },
 * };
 * ```
 *
 * @module
 */

export * from "./kernel.ts";
export * from "./errno.ts";
export * from "./call.ts";
export * from "./primitives.ts";
export * from "./helpers.ts";
export * from "./userspace.ts";
export * from "./design.ts";
export * from "./recipe.ts";
export * from "./remote.ts";
export { ABI_VERSION } from "./_wasm.ts";
