/**
 * The numbers of the world program: the `Int32Array` that `encodeWorld` builds and the Rust
 * core's `Kernel.load_world` reads (spec: docs/scenario-format.md, "World program"). The
 * core states every opcode, payload length, code, bit and limit (`CORE_LAYOUTS.world`, from
 * wasm/src/load.rs and the tables it uses); this file gives them the scenario format's names,
 * and a name the core does not state, or a code the core has that this side does not name,
 * stops the lab at load.
 * @module
 */

import { CAP_BITS, codesByName, CORE_LAYOUTS, EVENT_CODES, PAGE_SIZE } from "../../core/kernel.ts";

const WORLD = CORE_LAYOUTS.world;

export { KERNEL_VERSION_CODE, KERNEL_VERSIONS, type KernelVersion } from "../../core/kernel.ts";
export { KERNEL_VARIANT_KERNELS, KERNEL_VARIANTS, type KernelVariant } from "../../core/kernel.ts";

/** Record opcodes. A record is `[op, len, ...payload(len words)]`, records in opcode order. */
export const WORLD_OP: Readonly<
  Record<
    | "KERNEL"
    | "CPU"
    | "MM"
    | "VMA"
    | "PROCESS"
    | "THREAD"
    | "HOLD"
    | "FD"
    | "EVENT"
    | "CALLER"
    | "HORIZON"
    | "CGROUP"
    | "CGROUP_PROC"
    | "PIDNS"
    | "PIDNS_PROC",
    number
  >
> = codesByName(
  "world records",
  Object.fromEntries(WORLD.records.map((r) => [r.name, r.op])),
  [
    "KERNEL",
    "CPU",
    "MM",
    "VMA",
    "PROCESS",
    "THREAD",
    "HOLD",
    "FD",
    "EVENT",
    "CALLER",
    "HORIZON",
    "CGROUP",
    "CGROUP_PROC",
    "PIDNS",
    "PIDNS_PROC",
  ],
);

/** Payload length in words of each record, by opcode name. */
export const WORLD_PAYLOAD_LEN: Readonly<Record<keyof typeof WORLD_OP, number>> = Object.freeze(
  Object.fromEntries(WORLD.records.map((r) => [r.name, r.len])) as Record<
    keyof typeof WORLD_OP,
    number
  >,
);

/** VMA kinds, as the VMA record's `kind` word. */
export const VMA_KIND_CODE: Readonly<
  Record<"anon" | "anon_shared" | "file_private" | "file_shared" | "shmem" | "pfnmap", number>
> = codesByName("vma_kinds", WORLD.vma_kinds, [
  "anon",
  "anon_shared",
  "file_private",
  "file_shared",
  "shmem",
  "pfnmap",
]);

/** The VMA record's flag names, as the core's facts name its bits. */
export const VMA_FLAG_NAMES = ["VM_LOCKED", "VM_HUGETLB", "ROBUST_FUTEX_LIST", "THP"] as const;

/**
 * VMA flag bits, as the VMA record's `flags` word. ROBUST_FUTEX_LIST is not a vm_flags bit:
 * it marks the VMA holding a robust-futex list head (reference F.6); nor is THP: it marks a
 * private anon VMA whose resident pages are PMD-mapped transparent huge pages.
 */
export const VMA_FLAG_BIT: Readonly<Record<(typeof VMA_FLAG_NAMES)[number], number>> = codesByName(
  "vma_flags",
  WORLD.vma_flags,
  VMA_FLAG_NAMES,
);

/**
 * mmu notifier behaviour of a VMA's range, as the VMA record's `notifier` word: an interval
 * notifier, or an hlist subscriber (KVM) that exit_mmap's mmu_notifier_release() unhooks.
 */
export const NOTIFIER_CODE: Readonly<
  Record<"none" | "refuses_nonblock" | "hlist_refuses_nonblock", number>
> = codesByName(
  "notifiers",
  WORLD.notifiers,
  ["none", "refuses_nonblock", "hlist_refuses_nonblock"],
);

/** Capability bits, as the PROCESS record's `caps` word. */
export const CAP_BIT: typeof CAP_BITS = CAP_BITS;

/** Process flag bits, as the PROCESS record's `pflags` word. */
export const PROCESS_FLAG_BIT: Readonly<
  Record<"kthread" | "init" | "core_dump" | "parent_waits" | "vfork_child", number>
> = codesByName("process_flags", WORLD.process_flags, [
  "kthread",
  "init",
  "core_dump",
  "parent_waits",
  "vfork_child",
]);

/** Process status, as the PROCESS record's `status` word. */
export const PROCESS_STATUS_CODE: Readonly<Record<"alive" | "zombie" | "reaped", number>> =
  codesByName("process_statuses", WORLD.process_statuses, ["alive", "zombie", "reaped"]);

/** Scheduling policy, as the THREAD record's `policy` word. */
export const SCHED_POLICY_CODE: Readonly<Record<"normal" | "fifo", number>> = codesByName(
  "sched_policies",
  WORLD.sched_policies,
  ["normal", "fifo"],
);

/** Thread state, as the THREAD record's `state` word. */
export const THREAD_STATE_CODE: Readonly<
  Record<"R" | "S" | "D" | "T" | "frozen" | "zombie" | "D_vfork", number>
> = codesByName("thread_states", WORLD.thread_states, [
  "R",
  "S",
  "D",
  "T",
  "frozen",
  "zombie",
  "D_vfork",
]);

/** Thread flag bits, as the THREAD record's `tflags` word. */
export const THREAD_FLAG_BIT: Readonly<Record<"traced_exit", number>> = codesByName(
  "thread_flags",
  WORLD.thread_flags,
  ["traced_exit"],
);

/** Lock mode, as the HOLD record's `mode` word. */
export const HOLD_MODE_CODE: Readonly<Record<"read" | "write", number>> = codesByName(
  "hold_modes",
  WORLD.hold_modes,
  ["read", "write"],
);

/** File kind, as the FD record's `kind` word. */
export const FD_KIND_CODE: Readonly<Record<"pidfd" | "proc_dir" | "file", number>> = codesByName(
  "fd_kinds",
  WORLD.fd_kinds,
  ["pidfd", "proc_dir", "file"],
);

/** Timed event kind, as the EVENT record's `kind` word. */
export const EVENT_KIND_CODE: Readonly<
  Record<"proc_reader" | "exit" | "kill" | "wake" | "oom_kill", number>
> = codesByName("world events", WORLD.events.map((e) => e.name), [
  "proc_reader",
  "exit",
  "kill",
  "wake",
  "oom_kill",
]);

export { SIGNALS as SIGNAL_NUMBER } from "../../core/kernel.ts";

const LIMIT = codesByName("world limits", WORLD.limits, [
  "PID_MAX_LIMIT",
  "MAX_CPUS",
  "MAX_VMAS_PER_MM",
  "MAX_TASKS",
  "MAX_EVENTS",
  "MAX_CAPACITY",
  "MAX_FREQ_MHZ",
  "MAX_TIME_US",
  "TIME_NONE_US",
  "MAX_VMA_PAGES",
  "MAX_CGROUPS",
  "MAX_PID_NAMESPACES",
]);

/** The word for "no time" (until_us of a sleep without an end). */
export const TIME_NONE_US: number = LIMIT.TIME_NONE_US;

/** The page size the lab counts in; sizes must be multiples of it. */
export const PAGE_SIZE_BYTES: number = PAGE_SIZE;

/** The kernel's PID_MAX_LIMIT on 64-bit: the largest pid/tgid. */
export const PID_MAX_LIMIT: number = LIMIT.PID_MAX_LIMIT;

/** At most 64 CPUs: an affinity mask travels as two 32-bit words. */
export const MAX_CPUS: number = LIMIT.MAX_CPUS;

/** A CPU's largest capacity (the biggest core's, as SCHED_CAPACITY_SCALE). */
export const MAX_CAPACITY: number = LIMIT.MAX_CAPACITY;

/** The largest CPU frequency a program may give, MHz. */
export const MAX_FREQ_MHZ: number = LIMIT.MAX_FREQ_MHZ;

/**
 * The largest time the program can carry: times are i32 microseconds
 * (2^31 - 1 us, about 35.8 minutes).
 */
export const MAX_TIME_US: number = LIMIT.MAX_TIME_US;

/** The core's bound on tasks (threads) and on processes in one world. */
export const MAX_TASKS: number = LIMIT.MAX_TASKS;

/** The core's bound on timed events in one world. */
export const MAX_EVENTS: number = LIMIT.MAX_EVENTS;

/** The core's bound on the VMAs of one mm. */
export const MAX_VMAS_PER_MM: number = LIMIT.MAX_VMAS_PER_MM;

/** The most cgroups a world holds (wasm/src/cgroup.rs `MAX_CGROUPS`). */
export const MAX_CGROUPS: number = LIMIT.MAX_CGROUPS;

/** The most pid namespaces below init_pid_ns (wasm/src/pidns.rs, the kernel's MAX_PID_NS_LEVEL). */
export const MAX_PID_NAMESPACES: number = LIMIT.MAX_PID_NAMESPACES;

/** The first fd number the core refuses (fds are 0 .. FD_LIMIT - 1). */
export const FD_LIMIT: number = WORLD.fd_limit;

/**
 * The largest page count one word can carry (2^31 - 1 pages, just under
 * 8 TiB). The spec's 64 TiB VMA limit does not fit an i32 page count, so the
 * program's word size is the binding limit.
 */
export const MAX_VMA_PAGES: number = LIMIT.MAX_VMA_PAGES;

/** The WARNs the core can print, by name (wasm/src/events.rs `Warn`): what an expectation's `warnings` names. */
export const KNOWN_WARNS: readonly string[] = Object.freeze(Object.keys(EVENT_CODES.warns));
