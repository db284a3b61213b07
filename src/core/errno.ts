/**
 * Error numbers as the kernel returns them (include/uapi/asm-generic/errno-base.h, errno.h),
 * and the two non-errno answers of the core: BLOCKED and SIM_BUG. The core states every
 * value it answers with (wasm/src/errno.rs, read through `Kernel.kernel_facts()`); the few
 * the host backend meets and the core never returns are stated here, marked as such.
 *
 * @module
 */

import { CORE_FACTS } from "./_wasm.ts";
import { codesByName } from "./kernel.ts";

/** The errnos the simulated core answers with (wasm/src/errno.rs). */
export type CoreErrnoName =
  | "EPERM"
  | "ENOENT"
  | "ESRCH"
  | "EINTR"
  | "EIO"
  | "EBADF"
  | "ECHILD"
  | "EAGAIN"
  | "ENOMEM"
  | "EACCES"
  | "EFAULT"
  | "EBUSY"
  | "EINVAL"
  | "ENOSPC"
  | "ENOSYS";

/** Errnos only a real kernel answers the host backend with; the core never returns them. */
export type HostErrnoName = "EOPNOTSUPP";

/** Not the core's: an unsupported advice, from include/uapi/asm-generic/errno.h. */
const HOST_ONLY_ERRNO: Readonly<Record<HostErrnoName, number>> = {
  EOPNOTSUPP: 95,
};

/** An errno name: the core's, or one only the host backend meets. */
export type ErrnoName = CoreErrnoName | HostErrnoName;

/** errno values by name, in numeric order. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries({
      ...codesByName(
        "errno",
        CORE_FACTS.errno,
        [
          "EPERM",
          "ENOENT",
          "ESRCH",
          "EINTR",
          "EIO",
          "EBADF",
          "ECHILD",
          "EAGAIN",
          "ENOMEM",
          "EACCES",
          "EFAULT",
          "EBUSY",
          "EINVAL",
          "ENOSPC",
          "ENOSYS",
        ] satisfies CoreErrnoName[],
      ),
      ...HOST_ONLY_ERRNO,
    }).sort(([, a], [, b]) => a - b),
  ) as Record<ErrnoName, number>,
);

/** A primitive's caller must yield: the result arrives through `take_result`. */
export const BLOCKED: number = CORE_FACTS.blocked;
/** The simulator broke its own invariant (a lab bug); `last_error()` says which. */
export const SIM_BUG: number = CORE_FACTS.sim_bug;

const NAMES = new Map<number, ErrnoName>(
  Object.entries(ERRNO).map(([k, v]) => [v, k as ErrnoName]),
);

/**
 * The name of a return value: "0" for success, "ESRCH" for -3, the number otherwise.
 *
 * @example
 * ```ts
 * import { retName } from "./errno.ts";
 * retName(-3); // "ESRCH"
 * ```
 */
export function retName(ret: number): string {
  if (ret >= 0) return String(ret);
  return NAMES.get(-ret) ?? String(ret);
}

/**
 * The errno a call set, as machine-readable fields carry it: the name of a known errno
 * ("ESRCH"), the number of one without a name here (528), and the number 0 when the call
 * succeeded (a return value >= 0 sets no errno; C programs test `errno == 0`). Never a string
 * "0": display text uses {@linkcode retName}.
 */
export type Errno = ErrnoName | number;

/**
 * The errno of a return value (see {@linkcode Errno}).
 *
 * @example
 * ```ts
 * import { errnoOf } from "./errno.ts";
 * errnoOf(-3); // "ESRCH"
 * errnoOf(4096); // 0
 * ```
 */
export function errnoOf(ret: number): Errno {
  if (ret >= 0) return 0;
  return NAMES.get(-ret) ?? -ret;
}

/**
 * Parses "0", "ESRCH" or "-3" back into a return value; undefined if it is neither.
 *
 * @example
 * ```ts
 * import { parseRet } from "./errno.ts";
 * parseRet("EINVAL"); // -22
 * ```
 */
export function parseRet(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Number(text);
  const v = ERRNO[text as ErrnoName];
  return v === undefined ? undefined : -v;
}
