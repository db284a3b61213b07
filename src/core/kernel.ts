/**
 * The kernel's facts as the core states them: the versions the lab distinguishes, what each
 * one changed (named features, as `wasm/src/version.rs` names them), and the constants a
 * design or a lab tool needs (page size, mm flags, task flags, signals, capabilities).
 * TypeScript never re-types one of them: they are read from the core.
 *
 * @module
 */

/**
 * The kernel versions whose behaviour the reference distinguishes (each one changed
 * something about reaping: 5.15 merged process_mrelease, 5.16 pidfd_get_task, 5.17 exit_mmap
 * under mmap_lock, 5.18 the oom_reaper delay and mlocked reaping, 6.0 MMF_OOM_VICTIM removed,
 * 6.18 reverse VMA walk).
 */
export const KERNEL_VERSIONS = [
  "5.10",
  "5.15",
  "5.16",
  "5.17",
  "5.18",
  "6.0",
  "6.18",
] as const;

/** One of {@linkcode KERNEL_VERSIONS}. */
export type KernelVersion = typeof KERNEL_VERSIONS[number];

/** The KERNEL record's version_code: major * 100 + minor. */
export const KERNEL_VERSION_CODE: Readonly<Record<KernelVersion, number>> = {
  "5.10": 510,
  "5.15": 515,
  "5.16": 516,
  "5.17": 517,
  "5.18": 518,
  "6.0": 600,
  "6.18": 618,
};

/** PAGE_SIZE: the lab's pages are 4 KiB, as on x86_64 and arm64 with 4K pages. */
export const PAGE_SIZE = 4096;

// MMF_ flag bits, as the core numbers them (wasm/src/mm.rs).
/** MMF_OOM_SKIP: the oom_reaper or exit_mmap is done with this mm. */
export const MMF_OOM_SKIP = 1;
/** MMF_UNSTABLE: set by the reaper; faults on the mm get SIGBUS. */
export const MMF_UNSTABLE = 2;
/** MMF_OOM_VICTIM (until v6.0): the mm belongs to an OOM victim. */
export const MMF_OOM_VICTIM = 4;
/** MMF_OOM_REAP_QUEUED: already queued for the oom_reaper. */
export const MMF_OOM_REAP_QUEUED = 8;

// Capabilities (wasm/src/process.rs).
/** CAP_KILL: may signal any process. */
export const CAP_KILL = 1;
/** CAP_SYS_NICE. */
export const CAP_SYS_NICE = 2;
/** CAP_SYS_PTRACE: passes ptrace_may_access. */
export const CAP_SYS_PTRACE = 4;
/** CAP_SYS_ADMIN. */
export const CAP_SYS_ADMIN = 8;

/** get_pid_task(): the task with that pid. */
export const PIDTYPE_PID = 0;
/** get_pid_task(): the thread-group leader with that pid. */
export const PIDTYPE_TGID = 1;

/** ptrace_may_access(): read access. */
export const PTRACE_MODE_READ = 0;
/** ptrace_may_access(): attach access. */
export const PTRACE_MODE_ATTACH = 1;

// Signals the core implements.
/** SIGKILL. */
export const SIGKILL = 9;
/** SIGTERM. */
export const SIGTERM = 15;
/** SIGCONT. */
export const SIGCONT = 18;
/** SIGSTOP. */
export const SIGSTOP = 19;

// PF_ flags (include/linux/sched.h).
/** PF_EXITING: the task is in do_exit. */
export const PF_EXITING = 0x4;
/** PF_KTHREAD: a kernel thread. */
export const PF_KTHREAD = 0x200000;

/** What a kernel version changed about reaping, each named as `wasm/src/version.rs` names it. */
export interface KernelFeatures {
  /** a213e5cf71cb (v5.18): __oom_reap_task_mm reaps VM_LOCKED VMAs. */
  readonly mlocked_reapable: boolean;
  /** MMF_OOM_VICTIM exists (removed by b3541d912a84, v6.0). */
  readonly has_mmf_oom_victim: boolean;
  /** e4a38402c36e (v5.18): OOM_REAPER_DELAY before the oom_reaper runs, in ns (0 before). */
  readonly oom_reaper_delay_ns: number;
  /** The 2025 reverse VMA walk of __oom_reap_task_mm (~v6.18). */
  readonly reap_walks_in_reverse: boolean;
}

/**
 * The features of `kernel`.
 *
 * @example
 * ```ts
 * import { kernelFeatures } from "./kernel.ts";
 * kernelFeatures("5.18").mlocked_reapable; // true
 * ```
 */
export function kernelFeatures(kernel: KernelVersion): KernelFeatures {
  const code = KERNEL_VERSION_CODE[kernel];
  return {
    mlocked_reapable: code >= 518,
    has_mmf_oom_victim: code < 600,
    oom_reaper_delay_ns: code >= 518 ? 2_000_000_000 : 0,
    reap_walks_in_reverse: code >= 618,
  };
}
