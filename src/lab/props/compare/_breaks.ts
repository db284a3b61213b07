/**
 * The class of a difference that is a design's own declared bug: a design run on a kernel its
 * record says it breaks a safety rule on (its `breaks`, e.g. REAP_KILL and v9 on 5.10-5.16,
 * written for an exit_mmap that frees page tables under mmap_lock) meets that race, and what
 * it frees, when and at what cost is the bug's doing, not a difference of the designs' intent.
 *
 * @module
 */

import type { KernelVersion } from "../../../core/mod.ts";
import { statedBreaks, type Target } from "../target.ts";
import { anyDesign } from "./targets.ts";
import { type DifferenceClass, ret, WENT_AHEAD } from "./class.ts";

/** The safety rules `t`'s record (its variant's, when it names one) declares broken on `kernel`. */
function declaredBroken(t: Target, kernel: KernelVersion): Set<string> {
  return new Set(
    statedBreaks(t)
      .filter((b) => b.property === "safety" && (!b.kernels || b.kernels.includes(kernel)))
      .flatMap((b) => b.rules),
  );
}

/** A difference one side's declared bug made. */
export const BREAKS: readonly DifferenceClass[] = [
  {
    id: "declared-break-on-this-kernel",
    title: "one design meets the race its record declares on this kernel",
    explanation: "A design posted for later kernels and run on an older one meets the bug its " +
      "record states (`breaks`): REAP_KILL's versions, the expedite readings and v9 on " +
      "5.10-5.16 walk page tables or VMAs that the victim's unlocked exit_mmap frees under " +
      "them (§F.1, §F.3; WARN pgtables_freed_under_walker, vma_use_after_free). Where that " +
      "WARN shows, the pages that come back, who frees them, when and at what cost are the " +
      "race's doing, and so is which answer a call that went ahead gives (0, or EAGAIN " +
      "from an mmu notifier the exit had not yet released, §A.4.2): the safety property " +
      "finds the bug itself, with its own kept case.",
    separates: [anyDesign, anyDesign],
    explains: ["ret", "freed", "paid", "time"],
    matches: (f, a, b, who) =>
      WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      [a, b].some((o, i) => {
        const broken = declaredBroken(who[i], f.kernel);
        return o.warnings.some((w) => broken.has(w.name));
      }),
  },
];
