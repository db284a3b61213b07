/**
 * How a memory killer's recipe makes its design's call: the arguments a scenario may set
 * instead of the design's usual ones (the error paths need bad flags, bad fds, live targets).
 * The scenario format carries them as `intent.call` (docs/scenario-format.md).
 *
 * @module
 */

/** One iovec of process_madvise's vector: a range of pages [start_page, end_page). */
export interface IovRange {
  /** First page (VMAs are laid out from page 0x10 with a one-page gap between them). */
  start_page: number;
  /** One past the last page. */
  end_page: number;
}

/** What the pidfd_send_signal-based designs pass as `info`. */
export type SigInfoArg = "fault" | "signo_mismatch" | "forged_code";

/**
 * How the memory killer calls the design, when not the design's usual way. Every key is
 * optional.
 */
export interface CallArgs {
  /** Use this fd of the caller's table instead of opening a pidfd of the victim. */
  fd?: number;
  /** Open the victim's pidfd with PIDFD_NONBLOCK. */
  nonblock?: boolean;
  /** The call's `flags` argument, instead of the design's usual flags. */
  flags?: number;
  /** Send SIGKILL before the call (default true; designs that kill themselves ignore it). */
  kill?: boolean;
  /** The signal, for the pidfd_send_signal-based design (default SIGKILL). */
  sig?: number;
  /**
   * pidfd_send_signal's `info` argument (default NULL): `"fault"` (copy_from_user fails),
   * `"signo_mismatch"` (si_signo differs from sig), `"forged_code"` (an si_code only the
   * kernel may send, for a target that is not the caller).
   */
  info?: SigInfoArg;
  /** process_madvise's advice (default MADV_DONTNEED, 4). */
  advice?: number;
  /** process_madvise's vlen (default: the number of `iov` ranges, 0 with none). */
  vlen?: number;
  /** process_madvise's vector pointer faults (copy_from_user fails). */
  iov_fault?: boolean;
  /** process_madvise's vector. */
  iov?: IovRange[];
}
