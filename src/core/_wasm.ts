/**
 * The one module that imports the generated bindings in `wasm/pkg/`. It checks the ABI
 * version once, at load (a core built from other sources refuses to run), and reads the
 * core's facts document (`Kernel.kernel_facts()`, wasm/src/facts.rs) once for
 * `kernel.ts` and `errno.ts`.
 *
 * The bindings load the core without a file read: `mrelease_core.js` imports
 * `mrelease_core_bg.wasm` as a compiled module (`import source`, which Deno loads with the
 * module graph like any static import) and instantiates it synchronously, as wasm-bindgen's
 * `--target module` does (wasm/scripts/build.sh makes wasm-pack's deno glue so). Importing
 * the lab (mod.ts) therefore needs no permission at all: test/package_test.ts runs a
 * scenario under `deno run --no-prompt`.
 *
 * @module
 */

import { Kernel } from "../../wasm/pkg/mrelease_core.js";

/** The ABI version this TypeScript side speaks (wasm/src/abi.rs `ABI_VERSION`). */
export const ABI_VERSION = 17;

const found = Kernel.abi_version();
if (found !== ABI_VERSION) {
  throw new Error(
    `wasm/pkg speaks ABI ${found}, this lab speaks ${ABI_VERSION}: run \`deno task build:wasm\``,
  );
}

/** A (name → number) table of the facts: bits, constants, codes. */
export type NumberTable = Readonly<Record<string, number>>;

/** An enumeration whose codes the facts state explicitly, with what its arguments hold. */
export interface CodedEntry {
  /** The code. */
  readonly code: number;
  /** Its name. */
  readonly name: string;
  /** What an event's arguments hold for it, in order. */
  readonly args: readonly string[];
}

/** One kernel version: its name, version code and named features. */
export interface VersionFacts {
  /** "5.10" ... "6.18". */
  readonly name: string;
  /** major * 100 + minor. */
  readonly code: number;
  /** wasm/src/version.rs `FEATURES`, by name. */
  readonly features: Readonly<Record<string, boolean | number | string>>;
}

/** The event log's layout (wasm/src/events.rs). */
export interface EventFacts {
  /** The words of a record, in order: ts_ns, cpu, pid, kind, a, b, c, d. */
  readonly fields: readonly string[];
  /** Each kind with what its a, b, c, d hold. */
  readonly kinds: readonly CodedEntry[];
  /** Each WARN with what the event's b and c hold. */
  readonly warns: readonly CodedEntry[];
  /** mmap_lock operations, by code. */
  readonly lock_ops: readonly string[];
  /** signal_generate's TRACE_SIGNAL_* results. */
  readonly signal_results: NumberTable;
  /** rss_stat members, by member. */
  readonly rss_members: readonly string[];
  /** exit_mmap's phases by code, with the kernel work that ends at each. */
  readonly exit_mmap_phases: readonly { readonly name: string; readonly step: string }[];
}

/** The world program's vocabulary (wasm/src/load.rs). */
export interface WorldFacts {
  /** Each record: opcode, name, payload length. */
  readonly records: readonly { readonly op: number; readonly name: string; readonly len: number }[];
  /** VMA kinds, by code. */
  readonly vma_kinds: readonly string[];
  /** VMA flag bits. */
  readonly vma_flags: NumberTable;
  /** mmu notifier behaviours, by code. */
  readonly notifiers: readonly string[];
  /** Process flag bits. */
  readonly process_flags: NumberTable;
  /** Process statuses, by code. */
  readonly process_statuses: readonly string[];
  /** Scheduling policies, by code. */
  readonly sched_policies: readonly string[];
  /** Thread states, by code. */
  readonly thread_states: readonly string[];
  /** THREAD record flag bits. */
  readonly thread_flags: NumberTable;
  /** Lock modes of a hold, by code. */
  readonly hold_modes: readonly string[];
  /** File kinds, by code. */
  readonly fd_kinds: readonly string[];
  /** Timed events by code, with what a scenario_event's b and c hold for each. */
  readonly events: readonly { readonly name: string; readonly args: readonly string[] }[];
  /** The first fd number the core refuses. */
  readonly fd_limit: number;
  /** The core's bounds on what a program may ask for. */
  readonly limits: NumberTable;
}

/** `Kernel.kernel_facts()`, parsed (wasm/src/facts.rs writes it). */
export interface CoreFacts {
  /** PAGE_SIZE. */
  readonly page_size: number;
  /** MMF_ bits. */
  readonly mmf_flags: NumberTable;
  /** Capability bits. */
  readonly caps: NumberTable;
  /** get_pid_task()'s pid types. */
  readonly pidtypes: NumberTable;
  /** ptrace_may_access()'s modes. */
  readonly ptrace_modes: NumberTable;
  /** The signals the core implements. */
  readonly signals: NumberTable;
  /** PF_ flags. */
  readonly pf_flags: NumberTable;
  /** uapi flags of the syscalls the core implements (PIDFD_NONBLOCK, WNOHANG, ...). */
  readonly uapi: NumberTable;
  /** The errnos the core answers with. */
  readonly errno: NumberTable;
  /** The "caller must yield" answer. */
  readonly blocked: number;
  /** The "simulator broke an invariant" answer. */
  readonly sim_bug: number;
  /** `run`'s answer when the run reached a limit (`Kernel.run_limit` names it). */
  readonly run_limit: number;
  /** DEFAULT_PRIO. */
  readonly default_prio: number;
  /** The cost model's parameters (wasm/src/params.rs). */
  readonly cost_model: NumberTable;
  /** `Kernel.set_kernel_bugs` bits. */
  readonly kernel_bugs: NumberTable;
  /** `Kernel.set_kernel_variants` bits (wasm/src/variant.rs). */
  readonly kernel_variants: NumberTable;
  /** Per kernel variant, the versions it applies to. */
  readonly kernel_variant_kernels: Readonly<Record<string, readonly string[]>>;
  /** The kernel versions, oldest first. */
  readonly versions: readonly VersionFacts[];
  /** `Kernel.zap_coverage`'s modes, by code. */
  readonly zap_modes: readonly string[];
  /** `Kernel.zap_coverage`'s answers, by code. */
  readonly zap_coverages: readonly string[];
  /** The event log's layout. */
  readonly event: EventFacts;
  /** Task states by code: the lab's name, sched_switch's prev_state letter. */
  readonly task_states: readonly { readonly name: string; readonly letter: string }[];
  /** mm states, by code. */
  readonly mm_states: readonly string[];
  /** `Kernel.task_info`'s fields, in order. */
  readonly task_info: readonly string[];
  /** `Kernel.mm_info`'s fields, in order. */
  readonly mm_info: readonly string[];
  /** The world program's vocabulary. */
  readonly world: WorldFacts;
}

/** The core's facts, read once. */
export const CORE_FACTS: CoreFacts = JSON.parse(Kernel.kernel_facts());

export { Kernel };
