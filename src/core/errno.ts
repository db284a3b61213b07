/**
 * Error numbers as the kernel returns them (include/uapi/asm-generic/errno-base.h), and the
 * two non-errno answers of the core: BLOCKED and SIM_BUG (wasm/src/errno.rs).
 *
 * @module
 */

/** errno values by name. */
export const ERRNO: {
  readonly EPERM: 1;
  readonly ENOENT: 2;
  readonly ESRCH: 3;
  readonly EINTR: 4;
  readonly EBADF: 9;
  readonly ECHILD: 10;
  readonly EAGAIN: 11;
  readonly ENOMEM: 12;
  readonly EACCES: 13;
  readonly EFAULT: 14;
  readonly EBUSY: 16;
  readonly EINVAL: 22;
  readonly ENOSYS: 38;
  readonly EOPNOTSUPP: 95;
} = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
};

/** An errno name. */
export type ErrnoName = keyof typeof ERRNO;

/** A primitive's caller must yield: the result arrives through `take_result`. */
export const BLOCKED: number = 1000;
/** The simulator broke its own invariant (a lab bug); `last_error()` says which. */
export const SIM_BUG: number = -10000;

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
