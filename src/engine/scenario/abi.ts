/**
 * The numbers of the world program: the `Int32Array` that `encodeWorld`
 * builds and the Rust core's `Kernel.load_world` reads. Every table here
 * mirrors a constant in the core (spec: `spec/scenario-format.md`, "World
 * program"); a change on one side without the other is an ABI break, so the
 * two are cross-checked and this file is the only place the TypeScript side
 * spells them.
 * @module
 */

/** Record opcodes. A record is `[op, len, ...payload(len words)]`. */
export const WORLD_OP = {
  KERNEL: 1,
  CPU: 2,
  MM: 3,
  VMA: 4,
  PROCESS: 5,
  THREAD: 6,
  HOLD: 7,
  FD: 8,
  EVENT: 9,
  CALLER: 10,
  HORIZON: 11,
} as const;

/** Payload length in words of each record, by opcode name. */
export const WORLD_PAYLOAD_LEN = {
  KERNEL: 1,
  CPU: 3,
  MM: 0,
  VMA: 9,
  PROCESS: 8,
  THREAD: 9,
  HOLD: 3,
  FD: 5,
  EVENT: 5,
  CALLER: 1,
  HORIZON: 1,
} as const;

export { KERNEL_VERSION_CODE, KERNEL_VERSIONS, type KernelVersion } from "../../core/kernel.ts";

/** VMA kinds, as the VMA record's `kind` word. */
export const VMA_KIND_CODE = {
  anon: 0,
  anon_shared: 1,
  file_private: 2,
  file_shared: 3,
  shmem: 4,
  pfnmap: 5,
} as const;

/** VMA flag bits, as the VMA record's `flags` word. */
export const VMA_FLAG_BIT = {
  VM_LOCKED: 1,
  VM_HUGETLB: 2,
  /** Not a vm_flags bit: marks the VMA holding a robust-futex list head (reference F.6). */
  ROBUST_FUTEX_LIST: 4,
} as const;

/** mmu notifier behaviour of a VMA's range, as the VMA record's `notifier` word. */
export const NOTIFIER_CODE = { none: 0, refuses_nonblock: 1 } as const;

/** Capability bits, as the PROCESS record's `caps` word. */
export const CAP_BIT = {
  CAP_KILL: 1,
  CAP_SYS_NICE: 2,
  CAP_SYS_PTRACE: 4,
  CAP_SYS_ADMIN: 8,
} as const;

/** Process flag bits, as the PROCESS record's `pflags` word. */
export const PROCESS_FLAG_BIT = {
  kthread: 1,
  init: 2,
  core_dump: 4,
  parent_waits: 8,
  vfork_child: 16,
} as const;

/** Process status, as the PROCESS record's `status` word. */
export const PROCESS_STATUS_CODE = { alive: 0, zombie: 1, reaped: 2 } as const;

/** Scheduling policy, as the THREAD record's `policy` word. */
export const SCHED_POLICY_CODE = { normal: 0, fifo: 1 } as const;

/** Thread state, as the THREAD record's `state` word. */
export const THREAD_STATE_CODE = {
  R: 0,
  S: 1,
  D: 2,
  T: 3,
  frozen: 4,
  zombie: 5,
  D_vfork: 6,
} as const;

/** Lock mode, as the HOLD record's `mode` word. */
export const HOLD_MODE_CODE = { read: 0, write: 1 } as const;

/** File kind, as the FD record's `kind` word. */
export const FD_KIND_CODE = { pidfd: 0, proc_dir: 1, file: 2 } as const;

/** Timed event kind, as the EVENT record's `kind` word. */
export const EVENT_KIND_CODE = {
  proc_reader: 0,
  exit: 1,
  kill: 2,
  wake: 3,
} as const;

/** Signal numbers (x86_64 and arm64 generic numbering) for kill events. */
export const SIGNAL_NUMBER = {
  SIGKILL: 9,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
} as const;

/** The word for "no time" (until_us of a sleep without an end). */
export const TIME_NONE_US: -1 = -1;

/** The page size the lab counts in; sizes must be multiples of it. */
export const PAGE_SIZE_BYTES = 4096;

/** The kernel's PID_MAX_LIMIT on 64-bit: the largest pid/tgid. */
export const PID_MAX_LIMIT = 4194304;

/** At most 64 CPUs: an affinity mask travels as two 32-bit words. */
export const MAX_CPUS = 64;

/**
 * The largest time the program can carry: times are i32 microseconds
 * (2^31 - 1 us, about 35.8 minutes).
 */
export const MAX_TIME_US = 2147483647;

/** The core's bound on tasks (threads) and on processes in one world. */
export const MAX_TASKS = 1048576;

/** The core's bound on timed events in one world. */
export const MAX_EVENTS = 65536;

/**
 * The largest page count one word can carry (2^31 - 1 pages, just under
 * 8 TiB). The spec's 64 TiB VMA limit does not fit an i32 page count, so the
 * program's word size is the binding limit.
 */
export const MAX_VMA_PAGES = 2147483647;
