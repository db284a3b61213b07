/**
 * The classes of the call's arguments beyond its fd and flags (the generator's `LookPlan`,
 * src/lab/props/_looks.ts): pidfd_send_signal's signal and process_madvise's advice. Each
 * design reads only the arguments of its own syscall (its record's `defaults` name them), so
 * a varied signal or advice changes that design's call and no other.
 *
 * @module
 */

import { MADV_COLD, MADV_DONTNEED, MADV_PAGEOUT, SIGKILL } from "../../../core/mod.ts";
import type { Target } from "../target.ts";
import { type DifferenceClass, ret, STOPPED } from "./class.ts";
import { type CaseFacts, freedNothing } from "./facts.ts";
import { flagsMeaning, type TargetTest } from "./targets.ts";

/** The call carries the signal (pidfd_send_signal with a flag: its record's `defaults.sig`). */
const takesSignal: TargetTest = (t) => t.design.defaults.sig !== undefined;
/** The call carries an advice (process_madvise: its record's `defaults.advice`). */
const takesAdvice: TargetTest = (t) => t.design.defaults.advice !== undefined;

/** The call goes out with its usual flags (another flag is `flags-per-syscall`'s). */
const usualFlags = (f: CaseFacts, t: Target): boolean =>
  f.callFlags === null || flagsMeaning(t, f.callFlags) === "usual";

/**
 * v5.10 mm/madvise.c process_madvise_behavior_valid() (MADV_COLD, MADV_PAGEOUT) with the
 * proposal's patch 2 (MADV_DONTNEED): the advice a caller may give another process (§A.2
 * step 5).
 */
const REMOTE_ADVICE: readonly number[] = [MADV_COLD, MADV_PAGEOUT, MADV_DONTNEED];

/** The call's varied arguments. */
export const ARGUMENTS: readonly DifferenceClass[] = [
  {
    id: "signal-other-than-sigkill",
    title: "a flag that reaps takes SIGKILL only: another signal is EINVAL before anything",
    explanation: "`intent.call.sig` replaces the signal of the designs whose call carries one " +
      "(pidfd_send_signal with SYNC_REAP_MM or the expedite flag); every other design sends " +
      "SIGKILL whatever it says. The flag is accepted only together with SIGKILL, and the " +
      "test comes first, before the fd is even looked up (§A.1 step 1: `if (flags != " +
      "SYNC_REAP_MM || sig != SIGKILL) return -EINVAL`; the expedite flag as derived in " +
      "proposals/pidfd_expedite.ts expedite_task(), §A.5): " +
      "EINVAL, no signal sent, nothing reaped, where the others kill and reap as usual.",
    separates: [takesSignal, (t) => !takesSignal(t)],
    explains: ["ret", "signal", "freed", "paid", "time"],
    // A SIGKILL in both runs is another actor's (the call sent none).
    matches: (f, a, b, who) =>
      f.callSig !== null && f.callSig !== SIGKILL && usualFlags(f, who[0]) &&
      ["EINVAL", ...STOPPED].includes(ret(a)) && (!a.signal_delivered || b.signal_delivered) &&
      freedNothing(f, a),
  },
  {
    id: "advice-refused-for-another-process",
    title: "process_madvise refuses an advice another process may not get: EINVAL, nothing zapped",
    explanation: "`intent.call.advice` replaces process_madvise's MADV_DONTNEED. For a target " +
      "other than the caller only MADV_COLD and MADV_PAGEOUT pass process_madvise_behavior_" +
      "valid() (v5.10 mm/madvise.c), and the proposal adds MADV_DONTNEED (§A.2 step 5): any " +
      "other advice (MADV_WILLNEED, MADV_FREE, MADV_COLLAPSE, an unknown value) is EINVAL " +
      "after the pidfd and task lookups and before mm_access(). The recipe's own SIGKILL was " +
      "already sent, so the victim frees its memory itself, where the other designs reap or " +
      "answer as usual.",
    separates: [takesAdvice, (t) => !takesAdvice(t)],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, _b, who) =>
      f.callAdvice !== null && !REMOTE_ADVICE.includes(f.callAdvice) &&
      usualFlags(f, who[0]) && ["EINVAL", ...STOPPED].includes(ret(a)) && freedNothing(f, a),
  },
  {
    id: "advice-frees-nothing",
    title: "MADV_COLD and MADV_PAGEOUT pass every check and free nothing: 0 for any target",
    explanation: "`intent.call.advice` MADV_COLD or MADV_PAGEOUT is an advice another process " +
      "may get (process_madvise_behavior_valid(), §A.2 step 5) but not a destructive one: " +
      "the proposal's dying test (`signal_group_exit()`) and its MMF_OOM_SKIP check guard " +
      "MADV_DONTNEED and MADV_FREE only (madvise_destructive(), §A.2 step 7), and " +
      "madvise_cold() only deactivates pages while madvise_pageout() reclaims them to a swap " +
      "the lab's machine does not have (v5.10 mm/madvise.c madvise_vma()). So the call " +
      "answers 0 whether the target is dying, shared or already reaped, and the memory " +
      "comes back only through the victim's own exit.",
    separates: [takesAdvice, (t) => !takesAdvice(t)],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, _b, who) =>
      (f.callAdvice === MADV_COLD || f.callAdvice === MADV_PAGEOUT) && usualFlags(f, who[0]) &&
      ["0", ...STOPPED].includes(ret(a)) && freedNothing(f, a),
  },
];
