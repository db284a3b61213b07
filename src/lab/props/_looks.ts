/**
 * The generated worlds' arguments beyond the call's fd and flags: pidfd_send_signal's
 * signal number, process_madvise's advice and vector (ranges inside the victim's first VMA,
 * across a PMD boundary cutting both huge pages when it is a THP VMA, across its end into
 * the gap, below every VMA), the kernel's OOM killer choosing the victim at some time (an
 * `oom_kill` event), the caller's follow-up calls after its call (`intent.then`: reads of the
 * victim's memory, waitid blocking or not), and states only history produces: MMF_ flags
 * already on the victim's mm, a pid namespace between the killer and the victim, a victim
 * that leads its own process group.
 *
 * @module
 */

import fc from "fast-check";
import type { IovRange, MmFlag, ThenCall } from "../../engine/scenario/mod.ts";
import { COST_MODEL } from "../../core/mod.ts";

/** The first page of the victim's first VMA (the loader's layout). */
const FIRST_PAGE = 16;
const HPAGE_PMD_NR = COST_MODEL.HPAGE_PMD_NR;

/** The victim's first VMA: its first page (a THP VMA's is the next PMD boundary) and size. */
export interface FirstVma {
  readonly start: number;
  readonly size: number;
}

/**
 * A range relative to the victim's first VMA. `part_pmd` starts one page into it and ends one
 * page past its first 2 MiB (inside it): in a THP VMA it covers part of one huge page, or of
 * two across their boundary, which zap_pmd_range() splits (wasm/src/thp.rs).
 */
export type RangePlan = "inside" | "part_pmd" | "across_end" | "below" | "empty";

/** What a generated world says besides its call's fd and flags. */
export interface LookPlan {
  /** pidfd_send_signal's signal (every one the core knows, and 0), or the design's own. */
  readonly sig?: number;
  /** process_madvise's advice: every value the designs tell apart, and an unknown one. */
  readonly advice?: number;
  /** process_madvise's vector. */
  readonly iov?: readonly RangePlan[];
  /** The OOM killer chooses the victim at this per mille of the time before the intent. */
  readonly oom_kill_pm: number | null;
  /** The caller's follow-up calls. */
  readonly then: readonly ({ call: "process_vm_readv" | "proc_mem_read"; range: RangePlan } | {
    call: "waitid";
    nohang: boolean;
  })[];
  /**
   * MMF_ flags the victim's mm has at time 0: a finished oom_reaper's MMF_OOM_SKIP, a reap
   * that began (MMF_UNSTABLE).
   */
  readonly mm_flags: readonly MmFlag[];
  /**
   * Which side sits in a child pid namespace, the other staying in init_pid_ns: the killer
   * (it cannot see the victim: access_pidfd_pidns(), pidfd_open), the victim (the killer, an
   * ancestor, sees it), or neither.
   */
  readonly pidns: "killer" | "victim" | null;
  /** The victim leads its own process group (setsid()), rather than being in its parent's. */
  readonly own_group: boolean;
  /**
   * The call goes through the killer's PIDFD_THREAD pidfd of the victim's leader (7) or of a
   * non-leader (8) where the kernel has them (else EBADF), unless the call names its own fd.
   */
  readonly thread_fd: 7 | 8 | null;
}

const range = fc.constantFrom<RangePlan>(
  "inside",
  "inside",
  "part_pmd",
  "part_pmd",
  "across_end",
  "below",
  "empty",
);

/** An arbitrary {@linkcode LookPlan}: mostly nothing of it, now and then each part. */
export function arbLook(): fc.Arbitrary<LookPlan> {
  const call = fc.record({
    sig: fc.constantFrom<number | undefined>(undefined, undefined, 0, 9, 15, 18, 19),
    advice: fc.constantFrom<number | undefined>(undefined, undefined, 3, 4, 8, 20, 21, 25, 99),
    iov: fc.option(fc.array(range, { minLength: 1, maxLength: 3 }), { nil: undefined }),
  });
  const look = fc.oneof(
    { arbitrary: fc.constant(null), weight: 3 },
    fc.record({ call: fc.constantFrom("process_vm_readv", "proc_mem_read"), range }),
    fc.record({ call: fc.constant("waitid"), nohang: fc.boolean() }),
  );
  const history = fc.record({
    mm_flags: fc.subarray<MmFlag>(["MMF_OOM_SKIP", "MMF_UNSTABLE"]),
    pidns: fc.constantFrom<LookPlan["pidns"]>(null, "killer", "victim"),
    own_group: fc.boolean(),
    thread_fd: fc.constantFrom<LookPlan["thread_fd"]>(null, 7, 8),
  });
  const none = { mm_flags: [], pidns: null, own_group: false, thread_fd: null };
  return fc.record({
    call: fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, call),
    oom_kill_pm: fc.oneof(
      { arbitrary: fc.constant(null), weight: 5 },
      fc.integer({ min: 0, max: 1000 }),
    ),
    then: fc.array(look, { maxLength: 2 }),
    history: fc.oneof({ arbitrary: fc.constant(none), weight: 3 }, history),
  }).map((r) => ({
    ...r.call,
    ...r.history,
    oom_kill_pm: r.oom_kill_pm,
    then: r.then.filter((t) => t !== null) as LookPlan["then"][number][],
  }));
}

/** A {@linkcode RangePlan} as pages, for the victim's first VMA. */
export function pagesOf(r: RangePlan, first: FirstVma): IovRange {
  const { start, size } = first;
  switch (r) {
    case "inside":
      return { start_page: start, end_page: start + Math.max(1, Math.min(4, size)) };
    case "part_pmd":
      return {
        start_page: start + Math.min(1, size - 1),
        end_page: start + Math.min(size, HPAGE_PMD_NR + 1),
      };
    case "across_end":
      return { start_page: start + size - 1, end_page: start + size + 1 };
    case "below":
      return { start_page: 0, end_page: 1 };
    case "empty":
      return { start_page: start, end_page: start };
  }
}

/** The victim's first VMA of `size` pages, a THP one or not, as the loader lays it out. */
export function firstVma(size: number, thp: boolean): FirstVma {
  const start = thp ? Math.ceil(FIRST_PAGE / HPAGE_PMD_NR) * HPAGE_PMD_NR : FIRST_PAGE;
  return { start, size };
}

/** The follow-up calls of a plan, for the victim's first VMA. */
export function thenOf(look: LookPlan, first: FirstVma): ThenCall[] {
  return look.then.map((t) =>
    t.call === "waitid"
      ? { call: "waitid", nohang: t.nohang }
      : { call: t.call, ...pagesOf(t.range, first) }
  );
}
