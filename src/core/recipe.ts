/**
 * The userspace steps every memory killer's recipe shares: getting an fd for the victim
 * and sending SIGKILL first, the way lmkd's reaper thread does (reference §E.1: it sends
 * SIGKILL through the pidfd, then calls process_mrelease), unless the scenario asks for
 * another call.
 *
 * @module
 */

import type { DesignContext } from "./design.ts";
import type { KGen } from "./primitives.ts";
import { SIGKILL } from "./kernel.ts";
import { PIDFD_NONBLOCK, type Userspace } from "./userspace.ts";

/**
 * The fd the design's call gets: the scenario's `call.fd`, or a fresh pidfd of the victim
 * (opened with PIDFD_NONBLOCK when `call.nonblock`). A failed pidfd_open answers its errno,
 * which is passed on as the "fd" so that the design's own fd check answers for it.
 *
 * @example
 * ```ts
 * import { victimFd } from "./recipe.ts";
 * // const fd = yield* victimFd(u, ctx);
 * ```
 */
export function* victimFd(u: Userspace, ctx: DesignContext): KGen<number> {
  if (ctx.call.fd !== undefined) return ctx.call.fd;
  return yield* u.pidfd_open(ctx.victim, ctx.call.nonblock ? PIDFD_NONBLOCK : 0);
}

/**
 * SIGKILL through the pidfd before the design's call, unless the scenario says
 * `call.kill: false` (a live target). A failed kill does not stop the recipe: the design's
 * call then shows what it does with that target.
 *
 * @example
 * ```ts
 * import { killFirst } from "./recipe.ts";
 * // yield* killFirst(u, ctx, fd);
 * ```
 */
export function* killFirst(u: Userspace, ctx: DesignContext, fd: number): KGen<void> {
  if (ctx.call.kill === false) return;
  yield* u.pidfd_send_signal(fd, SIGKILL, 0);
}

/**
 * The design's call as a stock kernel's pidfd_send_signal(fd, sig, NULL, flags) (the core's,
 * which knows v6.9's PIDFD_SIGNAL_* scopes and refuses any other flag with EINVAL), with the
 * design's usual signal and flags unless the scenario gives its own: what the host answers to
 * a proposed pidfd_send_signal flag.
 *
 * @example
 * ```ts
 * import { stockSignalCall } from "./recipe.ts";
 * // return yield* stockSignalCall(u, ctx, { sig: 9, flags: 1 });
 * ```
 */
export function* stockSignalCall(
  u: Userspace,
  ctx: DesignContext,
  defaults: { readonly sig: number; readonly flags: number },
): KGen<number> {
  const fd = yield* victimFd(u, ctx);
  return yield* u.pidfd_send_signal(
    fd,
    ctx.call.sig ?? defaults.sig,
    ctx.call.flags ?? defaults.flags,
  );
}
