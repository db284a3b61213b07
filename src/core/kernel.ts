/**
 * The kernel's facts as the core states them: the versions the lab distinguishes, what each
 * one changed (named features, as `wasm/src/version.rs` names them), the constants a design
 * or a lab tool needs (page size, mm flags, task flags, signals, capabilities), the rule of
 * which VMAs a zap covers, and the layouts of everything that crosses the boundary.
 *
 * TypeScript never re-types one of them: every number here is read at load from
 * `Kernel.kernel_facts()` (wasm/src/facts.rs). This side spells names only, where a type
 * needs them, and a name the core does not state (or a name the core states that a typed
 * table here lacks) stops the lab at load.
 *
 * @module
 */

import { CORE_FACTS, type EventFacts, Kernel, type NumberTable, type WorldFacts } from "./_wasm.ts";

export type { CodedEntry, EventFacts, NumberTable, WorldFacts } from "./_wasm.ts";

/**
 * The codes of `names` in a table of the core: a (name → code) object, or a list whose
 * index is the code. Throws when the table and `names` do not name the same things, so a
 * core with a new or renamed entry cannot be misread.
 *
 * @param what The table's name in the facts, for the message.
 * @example
 * ```ts
 * import { codesByName } from "./kernel.ts";
 * const modes = codesByName("hold_modes", ["read", "write"], ["read", "write"]);
 * modes.write; // 1
 * ```
 */
export function codesByName<const N extends string>(
  what: string,
  table: NumberTable | readonly string[],
  names: readonly N[],
): Readonly<Record<N, number>> {
  const core: NumberTable = Array.isArray(table)
    ? Object.fromEntries(table.map((name, code) => [name, code]))
    : table as NumberTable;
  const missing = names.filter((n) => !Object.hasOwn(core, n));
  const unknown = Object.keys(core).filter((n) => !(names as readonly string[]).includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `kernel facts: ${what} disagree with this side (the core lacks ${
        JSON.stringify(missing)
      }, this side lacks ${JSON.stringify(unknown)}): rebuild wasm/pkg or update the names`,
    );
  }
  return Object.freeze(Object.fromEntries(names.map((n) => [n, core[n]]))) as Record<N, number>;
}

/** A (name → code) table of entries whose codes the core states explicitly. */
function byCode(entries: readonly { readonly code: number; readonly name: string }[]) {
  return Object.fromEntries(entries.map((e) => [e.name, e.code]));
}

const VERSIONS = CORE_FACTS.versions;

/**
 * The kernel versions whose behaviour the reference distinguishes (each one changed
 * something about reaping: 5.15 merged process_mrelease, 5.16 pidfd_get_task, 5.17 exit_mmap
 * under mmap_lock, 5.18 the oom_reaper delay and mlocked reaping, 6.0 MMF_OOM_VICTIM removed,
 * 6.18 reverse VMA walk), oldest first. The names are the type's; the core must list the
 * same, in the same order.
 */
export const KERNEL_VERSIONS = ["5.10", "5.15", "5.16", "5.17", "5.18", "6.0", "6.18"] as const;

if (VERSIONS.map((v) => v.name).join() !== KERNEL_VERSIONS.join()) {
  throw new Error(`kernel facts: the core's versions are ${VERSIONS.map((v) => v.name)}`);
}

/** One of {@linkcode KERNEL_VERSIONS}. */
export type KernelVersion = typeof KERNEL_VERSIONS[number];

/** The KERNEL record's version_code: major * 100 + minor. */
export const KERNEL_VERSION_CODE: Readonly<Record<KernelVersion, number>> = codesByName(
  "versions",
  Object.fromEntries(VERSIONS.map((v) => [v.name, v.code])),
  KERNEL_VERSIONS,
);

/** PAGE_SIZE: the lab's pages are 4 KiB, as on x86_64 and arm64 with 4K pages. */
export const PAGE_SIZE: number = CORE_FACTS.page_size;

/** The MMF_ bits the reaping paths look at, by name (wasm/src/mm.rs). */
export const MMF_FLAGS: Readonly<
  Record<
    "MMF_OOM_SKIP" | "MMF_UNSTABLE" | "MMF_OOM_VICTIM" | "MMF_OOM_REAP_QUEUED" | "MMF_MULTIPROCESS",
    number
  >
> = codesByName("mmf_flags", CORE_FACTS.mmf_flags, [
  "MMF_OOM_SKIP",
  "MMF_UNSTABLE",
  "MMF_OOM_VICTIM",
  "MMF_OOM_REAP_QUEUED",
  "MMF_MULTIPROCESS",
]);
/** MMF_OOM_SKIP: the oom_reaper or exit_mmap is done with this mm. */
export const MMF_OOM_SKIP: number = MMF_FLAGS.MMF_OOM_SKIP;
/** MMF_UNSTABLE: set by the reaper; faults on the mm get SIGBUS. */
export const MMF_UNSTABLE: number = MMF_FLAGS.MMF_UNSTABLE;
/** MMF_OOM_VICTIM (until v6.0): the mm belongs to an OOM victim. */
export const MMF_OOM_VICTIM: number = MMF_FLAGS.MMF_OOM_VICTIM;
/** MMF_OOM_REAP_QUEUED: already queued for the oom_reaper. */
export const MMF_OOM_REAP_QUEUED: number = MMF_FLAGS.MMF_OOM_REAP_QUEUED;
/**
 * MMF_MULTIPROCESS: a process was cloned with CLONE_VM alone (not a thread, not vfork) onto
 * this mm; never cleared (kernel/fork.c `copy_oom_score_adj()`).
 */
export const MMF_MULTIPROCESS: number = MMF_FLAGS.MMF_MULTIPROCESS;

/**
 * The capabilities the lab models, as bits of a process's capability set (wasm/src/process.rs;
 * the lab's bits, not the kernel's capability numbers).
 */
export const CAP_BITS: Readonly<
  Record<"CAP_KILL" | "CAP_SYS_NICE" | "CAP_SYS_PTRACE" | "CAP_SYS_ADMIN", number>
> = codesByName("caps", CORE_FACTS.caps, [
  "CAP_KILL",
  "CAP_SYS_NICE",
  "CAP_SYS_PTRACE",
  "CAP_SYS_ADMIN",
]);
/** CAP_KILL: may signal any process. */
export const CAP_KILL: number = CAP_BITS.CAP_KILL;
/** CAP_SYS_NICE. */
export const CAP_SYS_NICE: number = CAP_BITS.CAP_SYS_NICE;
/** CAP_SYS_PTRACE: passes ptrace_may_access. */
export const CAP_SYS_PTRACE: number = CAP_BITS.CAP_SYS_PTRACE;
/** CAP_SYS_ADMIN. */
export const CAP_SYS_ADMIN: number = CAP_BITS.CAP_SYS_ADMIN;

const PIDTYPE = codesByName("pidtypes", CORE_FACTS.pidtypes, ["PIDTYPE_PID", "PIDTYPE_TGID"]);
/** get_pid_task(): the task with that pid. */
export const PIDTYPE_PID: number = PIDTYPE.PIDTYPE_PID;
/** get_pid_task(): the thread-group leader with that pid. */
export const PIDTYPE_TGID: number = PIDTYPE.PIDTYPE_TGID;

const PTRACE = codesByName("ptrace_modes", CORE_FACTS.ptrace_modes, [
  "PTRACE_MODE_READ",
  "PTRACE_MODE_ATTACH",
]);
/** ptrace_may_access(): read access. */
export const PTRACE_MODE_READ: number = PTRACE.PTRACE_MODE_READ;
/** ptrace_may_access(): attach access. */
export const PTRACE_MODE_ATTACH: number = PTRACE.PTRACE_MODE_ATTACH;

/** The signals the core implements, by name (signal 0 is the permission check alone). */
export const SIGNALS: Readonly<Record<"SIGKILL" | "SIGTERM" | "SIGCONT" | "SIGSTOP", number>> =
  codesByName("signals", CORE_FACTS.signals, ["SIGKILL", "SIGTERM", "SIGCONT", "SIGSTOP"]);
/** SIGKILL. */
export const SIGKILL: number = SIGNALS.SIGKILL;
/** SIGTERM. */
export const SIGTERM: number = SIGNALS.SIGTERM;
/** SIGCONT. */
export const SIGCONT: number = SIGNALS.SIGCONT;
/** SIGSTOP. */
export const SIGSTOP: number = SIGNALS.SIGSTOP;

const PF = codesByName("pf_flags", CORE_FACTS.pf_flags, ["PF_EXITING", "PF_KTHREAD"]);
/** PF_EXITING (include/linux/sched.h): the task is in do_exit. */
export const PF_EXITING: number = PF.PF_EXITING;
/** PF_KTHREAD (include/linux/sched.h): a kernel thread. */
export const PF_KTHREAD: number = PF.PF_KTHREAD;

/**
 * The uapi flags of the syscalls the core implements: pidfd_open's PIDFD_NONBLOCK and
 * PIDFD_THREAD,
 * waitid's WNOHANG and WEXITED, pidfd_send_signal's v6.9 scope flags, the PIDFD_SELF_*
 * fd sentinels (include/uapi/linux/fcntl.h, 6.18), and the si_codes a reaped child's
 * siginfo carries (include/uapi/asm-generic/siginfo.h CLD_EXITED, CLD_KILLED, CLD_DUMPED).
 */
export const UAPI: Readonly<
  Record<
    | "PIDFD_NONBLOCK"
    | "PIDFD_THREAD"
    | "WNOHANG"
    | "WEXITED"
    | "PIDFD_SIGNAL_THREAD"
    | "PIDFD_SIGNAL_THREAD_GROUP"
    | "PIDFD_SIGNAL_PROCESS_GROUP"
    | "PIDFD_SELF_THREAD"
    | "PIDFD_SELF_THREAD_GROUP"
    | "CLD_EXITED"
    | "CLD_KILLED"
    | "CLD_DUMPED",
    number
  >
> = codesByName("uapi", CORE_FACTS.uapi, [
  "PIDFD_NONBLOCK",
  "PIDFD_THREAD",
  "WNOHANG",
  "WEXITED",
  "PIDFD_SIGNAL_THREAD",
  "PIDFD_SIGNAL_THREAD_GROUP",
  "PIDFD_SIGNAL_PROCESS_GROUP",
  "PIDFD_SELF_THREAD",
  "PIDFD_SELF_THREAD_GROUP",
  "CLD_EXITED",
  "CLD_KILLED",
  "CLD_DUMPED",
]);

/** DEFAULT_PRIO (include/linux/sched/prio.h): the `prio` sched tracepoints print for nice 0. */
export const DEFAULT_PRIO: number = CORE_FACTS.default_prio;

/**
 * The cost model's parameters by name (wasm/src/params.rs; docs/architecture.md's table):
 * nanoseconds on a CPU of speed 1.0, page counts, and MEMORY_BOUND_PER_MILLE.
 */
export const COST_MODEL: Readonly<Record<string, number>> = Object.freeze({
  ...CORE_FACTS.cost_model,
});

/** `Kernel.set_kernel_bugs` bits: historical kernel bugs the lab can switch back on. */
export const KERNEL_BUGS: Readonly<Record<"F3_DANGLING_MMAP", number>> = codesByName(
  "kernel_bugs",
  CORE_FACTS.kernel_bugs,
  ["F3_DANGLING_MMAP"],
);

/** The kernel variants by name: changes proposed in 2026 that no release has (§A.5). */
export type KernelVariant = "exit_mm_retention" | "exit_mmap_write_lock";

/**
 * `Kernel.set_kernel_variants` bits (wasm/src/variant.rs): proposed kernel changes a world
 * can switch on, each on the kernels of {@linkcode KERNEL_VARIANT_KERNELS}.
 */
export const KERNEL_VARIANTS: Readonly<Record<KernelVariant, number>> = codesByName(
  "kernel_variants",
  CORE_FACTS.kernel_variants,
  ["exit_mm_retention", "exit_mmap_write_lock"],
);

/**
 * The kernel versions each variant applies to (wasm/src/variant.rs `applies`): the
 * retention to all, the write lock from 6.0 (it changes bf3980c85212's exit_mmap).
 */
export const KERNEL_VARIANT_KERNELS: Readonly<Record<KernelVariant, readonly KernelVersion[]>> =
  Object.freeze(
    Object.fromEntries(
      Object.keys(KERNEL_VARIANTS).map((v) => [
        v,
        Object.freeze([...CORE_FACTS.kernel_variant_kernels[v]] as KernelVersion[]),
      ]),
    ) as Record<KernelVariant, readonly KernelVersion[]>,
  );

/**
 * The `Kernel.set_kernel_variants` mask of a list of variant names (duplicates allowed).
 *
 * @example
 * ```ts
 * import { kernelVariantMask } from "./kernel.ts";
 * kernelVariantMask(["exit_mm_retention"]); // 1
 * ```
 */
export function kernelVariantMask(names: readonly KernelVariant[]): number {
  return names.reduce((m, n) => m | KERNEL_VARIANTS[n], 0);
}

/** How exit_mmap() orders unmapping, MMF_OOM_SKIP and freeing (reference §B.5). */
export type ExitMmapShape = "unlocked" | "write_locked" | "read_then_write";

/**
 * What a kernel version changed about reaping, each named as `wasm/src/version.rs` names
 * it; the values come from the core. A new field needs its predicate in version.rs's
 * `FEATURES` and its type in `FEATURE_TYPES` below.
 */
export interface KernelFeatures {
  /**
   * exit_mmap's shape: `unlocked` v4.17-v5.16 (27ae357fa82b), `write_locked` v5.17-v5.19
   * (64591e8605d6), `read_then_write` v6.0+ (bf3980c85212).
   */
  readonly exit_mmap_shape: ExitMmapShape;
  /**
   * f798a1d4f94d (v5.17): exit_mmap sets mm->mmap = NULL after removing the VMAs (before,
   * it dangled, §F.3).
   */
  readonly exit_mmap_clears_mmap: boolean;
  /** 9a95f78eab70 (v6.0): signals to a group that is already exiting are dropped. */
  readonly drops_signals_to_exiting_group: boolean;
  /**
   * cbe9dac37904 (v6.0): a lone thread's exit_group() sets SIGNAL_GROUP_EXIT, so
   * signal_group_exit() is true for a process that called `_exit()`.
   */
  readonly lone_exit_sets_group_exit: boolean;
  /**
   * The PIDFD_SELF series (v6.14): pidfd_get_task() and pidfd_send_signal() take
   * PIDFD_SELF_THREAD / PIDFD_SELF_THREAD_GROUP for the caller.
   */
  readonly pidfd_self_sentinels: boolean;
  /**
   * 64bef697d33b (v6.9): pidfd_open's PIDFD_THREAD, a pidfd of any thread (a scenario's
   * `fds[].thread`).
   */
  readonly pidfd_thread: boolean;
  /** 661ee6280931 (v5.14): a non-root cgroup has cgroup.kill (wasm/src/cgroup.rs). */
  readonly cgroup_kill: boolean;
  /** e1fb1dc08e73 (v6.9): pidfd_send_signal's PIDFD_SIGNAL_* scope flags. */
  readonly pidfd_signal_scope_flags: boolean;
  /** a213e5cf71cb (v5.18): __oom_reap_task_mm reaps VM_LOCKED VMAs. */
  readonly mlocked_reapable: boolean;
  /** MMF_OOM_VICTIM exists (removed by b3541d912a84, v6.0). */
  readonly has_mmf_oom_victim: boolean;
  /** e4a38402c36e (v5.18): OOM_REAPER_DELAY before the oom_reaper runs, in ns (0 before). */
  readonly oom_reaper_delay_ns: number;
  /** The 2025 reverse VMA walk of __oom_reap_task_mm (~v6.18). */
  readonly reap_walks_in_reverse: boolean;
  /**
   * "proc: fix the issue of proc_mem_open returning NULL" (2025, v6.15): opening
   * /proc/<pid>/mem of a task without an mm is ESRCH (before, the open succeeded and every
   * read answered 0).
   */
  readonly proc_mem_open_esrch: boolean;
}

/** The type of each feature's value, to check the core's document against the interface. */
const FEATURE_TYPES: { readonly [F in keyof KernelFeatures]: "boolean" | "number" | "string" } = {
  exit_mmap_shape: "string",
  exit_mmap_clears_mmap: "boolean",
  drops_signals_to_exiting_group: "boolean",
  lone_exit_sets_group_exit: "boolean",
  pidfd_self_sentinels: "boolean",
  pidfd_thread: "boolean",
  cgroup_kill: "boolean",
  pidfd_signal_scope_flags: "boolean",
  mlocked_reapable: "boolean",
  has_mmf_oom_victim: "boolean",
  oom_reaper_delay_ns: "number",
  reap_walks_in_reverse: "boolean",
  proc_mem_open_esrch: "boolean",
};

const EXIT_MMAP_SHAPES: readonly string[] = ["unlocked", "write_locked", "read_then_write"];

const FEATURES: Readonly<Record<KernelVersion, KernelFeatures>> = Object.fromEntries(
  VERSIONS.map((v) => {
    const names = Object.keys(v.features);
    const expected = Object.keys(FEATURE_TYPES);
    const bad = names.filter((n) => {
      const type: string = typeof v.features[n];
      return type !== FEATURE_TYPES[n as keyof KernelFeatures];
    });
    if (names.join() !== expected.join() || bad.length > 0) {
      throw new Error(
        `kernel facts: ${v.name}'s features are ${names.join(", ")}; this side expects ` +
          `${expected.join(", ")} (wrong type: ${bad.join(", ") || "none"})`,
      );
    }
    if (!EXIT_MMAP_SHAPES.includes(v.features.exit_mmap_shape as string)) {
      throw new Error(`kernel facts: unknown exit_mmap shape ${v.features.exit_mmap_shape}`);
    }
    return [v.name, Object.freeze({ ...v.features }) as unknown as KernelFeatures];
  }),
) as Record<KernelVersion, KernelFeatures>;

/**
 * The features of `kernel`, as the core's version predicates answer them.
 *
 * @example
 * ```ts
 * import { kernelFeatures } from "./kernel.ts";
 * kernelFeatures("5.18").mlocked_reapable; // true
 * ```
 */
export function kernelFeatures(kernel: KernelVersion): KernelFeatures {
  return FEATURES[kernel];
}

/** What a VMA is, as far as deciding whether a zap covers it. */
export interface ZapVma {
  /** The scenario's VMA kind: `anon`, `file_private`, `shmem`, ... */
  readonly kind: string;
  /** Its flags: `VM_LOCKED`, `VM_HUGETLB`. */
  readonly flags: readonly string[];
  /** Its mmu notifier: `none`, `refuses_nonblock` or `hlist_refuses_nonblock`. */
  readonly notifier: string;
}

/**
 * A walk over the VMAs: `reap` is __oom_reap_task_mm(), `exit_unmap` exit_mmap()'s
 * unmap_vmas(), `madvise` MADV_DONTNEED over a range.
 */
export type ZapMode = "reap" | "exit_unmap" | "madvise";

/** What a walk does with one VMA: passes it by, fails on its notifier, or zaps it. */
export type ZapCoverage = "skipped" | "refused" | "zapped";

const ZAP_MODE = codesByName("zap_modes", CORE_FACTS.zap_modes, [
  "reap",
  "exit_unmap",
  "madvise",
]);
const ZAP_COVERAGES = CORE_FACTS.zap_coverages;
codesByName("zap_coverages", ZAP_COVERAGES, ["skipped", "refused", "zapped"]);

/**
 * What a walk in `mode` does with `vma` on `kernel`, answered by the core's own per-VMA rule
 * (wasm/src/zap.rs `zap_coverage`, which the walks themselves follow): `refused` is
 * __oom_reap_task_mm() meeting an mmu notifier that refuses a non-blocking invalidate.
 *
 * @example
 * ```ts
 * import { zapCoverage } from "./kernel.ts";
 * zapCoverage("6.18", { kind: "anon", flags: [], notifier: "refuses_nonblock" }, "reap");
 * // "refused"
 * ```
 */
export function zapCoverage(kernel: KernelVersion, vma: ZapVma, mode: ZapMode): ZapCoverage {
  const world = CORE_FACTS.world;
  let flags = 0;
  for (const f of vma.flags) flags |= Object.hasOwn(world.vma_flags, f) ? world.vma_flags[f] : -1;
  const answer = Kernel.zap_coverage(
    KERNEL_VERSION_CODE[kernel],
    world.vma_kinds.indexOf(vma.kind),
    flags,
    world.notifiers.indexOf(vma.notifier),
    ZAP_MODE[mode],
  );
  const coverage = ZAP_COVERAGES[answer];
  if (coverage === undefined) {
    throw new Error(
      `the core knows no zap of ${JSON.stringify(vma)} in ${mode} mode on kernel ${kernel}`,
    );
  }
  return coverage as ZapCoverage;
}

/**
 * Whether a zap frees a VMA's anonymous pages: `reap` is __oom_reap_task_mm()'s rule (§B.3:
 * private or anonymous, not hugetlb, mlocked only from v5.18, and a non-blocking mmu notifier
 * that does not refuse), `madvise` is MADV_DONTNEED's can_madv_lru_vma() (never mlocked).
 * The core answers ({@linkcode zapCoverage}).
 *
 * @example
 * ```ts
 * import { zapCovers } from "./kernel.ts";
 * zapCovers("5.15", { kind: "anon", flags: ["VM_LOCKED"], notifier: "none" }, "reap"); // false
 * ```
 */
export function zapCovers(kernel: KernelVersion, vma: ZapVma, mode: "reap" | "madvise"): boolean {
  return zapCoverage(kernel, vma, mode) === "zapped";
}

/** The layouts and vocabularies of what crosses the boundary, as the core states them. */
export interface CoreLayouts {
  /** The event log: record words, kinds with their arguments, WARNs, codes. */
  readonly event: EventFacts;
  /** Task states by code: the lab's name, and the letter sched_switch prints. */
  readonly task_states: readonly { readonly name: string; readonly letter: string }[];
  /** mm states, by code (`mm_info`'s `state`). */
  readonly mm_states: readonly string[];
  /** `Kernel.task_info`'s fields, in order. */
  readonly task_info: readonly string[];
  /** `Kernel.mm_info`'s fields, in order. */
  readonly mm_info: readonly string[];
  /** The world program: records, codes of every enumeration, limits. */
  readonly world: WorldFacts;
  /** `Kernel.zap_coverage`'s modes, by code ({@linkcode ZapMode}). */
  readonly zap_modes: readonly string[];
  /** `Kernel.zap_coverage`'s answers, by code ({@linkcode ZapCoverage}). */
  readonly zap_coverages: readonly string[];
}

/** What crosses the boundary, laid out as the core states it (wasm/src/facts.rs). */
export const CORE_LAYOUTS: CoreLayouts = CORE_FACTS;

/** (name → code) of the event kinds, WARNs: their codes start at 1, stated by the core. */
export const EVENT_CODES: {
  readonly kinds: Readonly<Record<string, number>>;
  readonly warns: Readonly<Record<string, number>>;
} = {
  kinds: byCode(CORE_FACTS.event.kinds),
  warns: byCode(CORE_FACTS.event.warns),
};

/** The fields of `Kernel.task_info`, by name. */
export type TaskInfoField =
  | "tgid"
  | "state"
  | "flags"
  | "mm"
  | "cpu"
  | "cpu_time_ns"
  | "user_time_ns"
  | "sigkill_pending"
  | "usage"
  | "prio"
  | "external"
  | "ptl_spin_ns";

/** The fields of `Kernel.mm_info`, by name. */
export type MmInfoField =
  | "mm_users"
  | "mm_count"
  | "flags"
  | "anon_pages"
  | "file_pages"
  | "shmem_pages"
  | "swap_entries"
  | "anon_zapped_pages"
  | "anon_initial_pages"
  | "reclaimable_pages"
  | "vmas"
  | "state"
  | "lock_readers"
  | "lock_writer_pid"
  | "lock_waiters";

/** A task's snapshot, decoded by the core's layout. */
export type TaskInfo = Readonly<Record<TaskInfoField, number>>;
/** An mm's snapshot, decoded by the core's layout. */
export type MmInfo = Readonly<Record<MmInfoField, number>>;

const TASK_INFO = codesByName(
  "task_info",
  CORE_FACTS.task_info,
  [
    "tgid",
    "state",
    "flags",
    "mm",
    "cpu",
    "cpu_time_ns",
    "user_time_ns",
    "sigkill_pending",
    "usage",
    "prio",
    "external",
    "ptl_spin_ns",
  ] satisfies TaskInfoField[],
);
const MM_INFO = codesByName(
  "mm_info",
  CORE_FACTS.mm_info,
  [
    "mm_users",
    "mm_count",
    "flags",
    "anon_pages",
    "file_pages",
    "shmem_pages",
    "swap_entries",
    "anon_zapped_pages",
    "anon_initial_pages",
    "reclaimable_pages",
    "vmas",
    "state",
    "lock_readers",
    "lock_writer_pid",
    "lock_waiters",
  ] satisfies MmInfoField[],
);

function decode<F extends string>(
  layout: Readonly<Record<F, number>>,
  values: ArrayLike<number>,
): Readonly<Record<F, number>> | undefined {
  if (values.length === 0) return undefined;
  const out = {} as Record<F, number>;
  for (const name in layout) out[name] = values[layout[name]];
  return out;
}

/**
 * `kernel.task_info(pid)` by field name; undefined for an unknown pid.
 *
 * @example
 * ```ts
 * import { Kernel } from "./wasm.ts";
 * import { taskInfo } from "./kernel.ts";
 * taskInfo(new Kernel(1, 0), 1); // undefined: nothing is loaded
 * ```
 */
export function taskInfo(
  kernel: { task_info(pid: number): ArrayLike<number> },
  pid: number,
): TaskInfo | undefined {
  return decode(TASK_INFO, kernel.task_info(pid));
}

/**
 * `kernel.mm_info(mm)` by field name (`mm` is the handle: index + 1); undefined for a bad
 * handle.
 *
 * @example
 * ```ts
 * import { Kernel } from "./wasm.ts";
 * import { mmInfo } from "./kernel.ts";
 * mmInfo(new Kernel(1, 0), 1); // undefined: nothing is loaded
 * ```
 */
export function mmInfo(
  kernel: { mm_info(mm: number): ArrayLike<number> },
  mm: number,
): MmInfo | undefined {
  return decode(MM_INFO, kernel.mm_info(mm));
}
