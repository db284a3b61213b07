/**
 * The validated scenario: what `parseScenario`/`validateScenario` return.
 * Every default is filled in, sizes are page counts (4 KiB pages) and times
 * are integer nanoseconds (`Math.round(ms * 1e6)`, always a whole number of
 * microseconds because that is the core's resolution). A value of these types
 * that did not come out of the validator has not been checked.
 * @module
 */

import type {
  CAP_BIT,
  FD_KIND_CODE,
  KernelVersion,
  NOTIFIER_CODE,
  PROCESS_STATUS_CODE,
  SCHED_POLICY_CODE,
  SIGNAL_NUMBER,
  THREAD_STATE_CODE,
  VMA_KIND_CODE,
} from "./abi.ts";
import type { CpuPresetName } from "./presets.ts";
import type { CallArgs, KernelVariant } from "../../core/mod.ts";

export type { CallArgs, IovRange, SigInfoArg } from "../../core/mod.ts";

export type { KernelVersion };

/** The only accepted value of the `schema` key. */
export const SCENARIO_SCHEMA = "mrelease-lab/scenario@1";

/** A VMA kind: `anon | anon_shared | file_private | file_shared | shmem | pfnmap`. */
export type VmaKind = keyof typeof VMA_KIND_CODE;
/** A VMA flag the scenario may set (VM_PFNMAP is the `pfnmap` kind instead). */
export type VmaFlag = "VM_LOCKED" | "VM_HUGETLB";
/** How the range's mmu notifier answers a non-blocking invalidate. */
export type NotifierBehaviour = keyof typeof NOTIFIER_CODE;
/** A capability the lab models. */
export type Capability = keyof typeof CAP_BIT;
/** Process status at time 0. */
export type ProcessStatus = keyof typeof PROCESS_STATUS_CODE;
/** Scheduling policy of a thread. */
export type SchedPolicy = keyof typeof SCHED_POLICY_CODE;
/** Thread state at time 0 (`D_vfork`: waiting for a vfork child, killable). */
export type ThreadState = keyof typeof THREAD_STATE_CODE;
/** Kind of an open file. */
export type FdKind = keyof typeof FD_KIND_CODE;
/** Signal a kill event sends. */
export type SignalName = keyof typeof SIGNAL_NUMBER;

/** One simulated CPU; its id is its index in `Scenario.cpus`. */
export interface ScenarioCpu {
  /** Name in traces; default `cpu<index>`. */
  label: string;
  /** Linux cpu_capacity scale, 1..1024. */
  capacity: number;
  /** Operating frequency, 1..max_freq_mhz. */
  freq_mhz: number;
  /** Maximum frequency of this CPU. */
  max_freq_mhz: number;
  /** The preset it came from, if any. */
  preset: CpuPresetName | null;
}

/** One VMA with its page counters resolved per the spec's kind table. */
export interface ScenarioVma {
  /** What backs the mapping. */
  kind: VmaKind;
  /** VM_LOCKED / VM_HUGETLB, each at most once. */
  flags: VmaFlag[];
  /** How the range's mmu notifier answers a non-blocking invalidate. */
  notifier: NotifierBehaviour;
  /** This VMA holds a robust-futex list head (reference F.6). */
  robust_futex_list: boolean;
  /** `anon` only: resident pages are PMD-mapped transparent huge pages (whole 2 MiB units). */
  thp: boolean;
  /** Length of the VMA in 4 KiB pages. */
  size_pages: number;
  /** Pages present (RSS); 0 for pfnmap. */
  resident_pages: number;
  /** file_private only: the part of resident that is private anon COW copies. */
  cow_pages: number;
  /** MM_ANONPAGES contribution. */
  anon_pages: number;
  /** MM_FILEPAGES contribution. */
  file_pages: number;
  /** MM_SHMEMPAGES contribution. */
  shmem_pages: number;
  /** MM_SWAPENTS contribution. */
  swap_entries: number;
}

/** One address space; its program id is `index`. */
export interface ScenarioMm {
  /** The id processes, holds and events name it by. */
  id: string;
  /** Its number in the world program (its position in `Scenario.mms`). */
  index: number;
  /** Its VMAs, in file order. */
  vmas: ScenarioVma[];
  /**
   * MMF_ flags the mm already has at time 0, left by history: MMF_OOM_SKIP (a finished
   * oom_reaper, or an OOM kill that found init sharing the mm), MMF_UNSTABLE (a reap began).
   */
  flags: MmFlag[];
}

/** An MMF_ flag a scenario may set at time 0. */
export type MmFlag = "MMF_OOM_SKIP" | "MMF_UNSTABLE";

/** An mmap_lock a thread holds at time 0, until its D sleep ends. */
export interface ScenarioHold {
  /** The lock (only mmap_lock is modelled). */
  lock: "mmap_lock";
  /** Read (shared) or write (exclusive). */
  mode: "read" | "write";
  /** Id of the mm whose lock is held. */
  mm: string;
}

/** One thread (task). */
export interface ScenarioThread {
  /** Thread id. */
  pid: number;
  /** Its process. */
  tgid: number;
  /** Thread name (defaults to the process's comm). */
  comm: string;
  /** The CPU it is on (or last ran on) at time 0. */
  cpu: number;
  /** Sorted CPU ids the thread may run on. */
  affinity: number[];
  /** SCHED_NORMAL or SCHED_FIFO. */
  policy: SchedPolicy;
  /** -20..19 for `normal`; 0 for `fifo`. */
  nice: number;
  /** 1..99 for `fifo`; 0 for `normal`. */
  rt_prio: number;
  /** State at time 0, defaults resolved. */
  state: ThreadState;
  /** End of an S/D sleep; null = until a wake event, or forever. */
  until_ns: number | null;
  /** Locks held at time 0, released when the D sleep ends. */
  holds: ScenarioHold[];
  /**
   * Traced by a tracer that set PTRACE_O_TRACEEXIT and never resumes it: on its way out the
   * thread stops in PTRACE_EVENT_EXIT with its mm attached.
   */
  traced_exit: boolean;
}

/** An open file of a process. */
export interface ScenarioFd {
  /** The fd number, 0..1023. */
  fd: number;
  /** pidfd, /proc/<pid> directory, or any other file. */
  kind: FdKind;
  /** Target tgid for pidfd/proc_dir (a thread's pid for a `thread` pidfd); null for `file`. */
  target: number | null;
  /** PIDFD_NONBLOCK (pidfd only). */
  nonblock: boolean;
  /** PIDFD_THREAD (pidfd only, v6.9+): the pidfd names the one thread `target`. */
  thread: boolean;
}

/** One process (thread group). */
export interface ScenarioProcess {
  /** Process id (the leader's pid). */
  tgid: number;
  /** Process name, 1..15 characters. */
  comm: string;
  /** Parent tgid; null = none. */
  parent: number | null;
  /** The global init (tgid 1): SIGNAL_UNKILLABLE. */
  init: boolean;
  /** A kernel thread: no mm, no fds. */
  kthread: boolean;
  /**
   * Id of the mm; null for kthreads. A zombie or reaped process may name the
   * mm it had, or none: its threads no longer use one.
   */
  mm: string | null;
  /** Real uid (u32). */
  uid: number;
  /** Effective uid (u32). */
  euid: number;
  /** Effective capabilities (root gets all four unless the file lists some). */
  caps: Capability[];
  /** The vfork child of its parent (shares the parent's mm). */
  vfork_child: boolean;
  /** A core dump is in progress (signal->core_state set). */
  core_dump: boolean;
  /** The parent reaps the zombie (wait) as soon as it appears. */
  parent_waits: boolean;
  /**
   * Its process group (PIDTYPE_PGID), the pid of the group's leader: the file's `pgid`, or as
   * fork() gives it, the parent's (a process without a parent leads its own).
   */
  pgid: number;
  /** Alive, zombie (every thread exited, not waited for), or reaped (pid kept only by fds). */
  status: ProcessStatus;
  /** Open files. */
  fds: ScenarioFd[];
  /** Leader first; empty for `reaped`. */
  threads: ScenarioThread[];
}

/** A transient mmget/mmput, as a /proc reader does. */
export interface ProcReaderEvent {
  /** Discriminant. */
  kind: "proc_reader";
  /** When the reader takes its mm_users reference. */
  at_ns: number;
  /** Id of the mm it holds. */
  mm: string;
  /** The reading thread (default: the caller). */
  reader: number;
  /** How long until its mmput. */
  duration_ns: number;
}

/** A thread calls exit_group voluntarily. */
export interface ExitEvent {
  /** Discriminant. */
  kind: "exit";
  /** When the thread calls exit_group. */
  at_ns: number;
  /** The thread. */
  pid: number;
}

/** Another actor sends a signal to a process. */
export interface KillEvent {
  /** Discriminant. */
  kind: "kill";
  /** When the signal is sent. */
  at_ns: number;
  /** Target tgid. */
  target: number;
  /** The signal (default SIGKILL). */
  sig: SignalName;
  /** Sender pid. */
  from: number;
}

/** Ends an S/D sleep that had no until_ms. */
export interface WakeEvent {
  /** Discriminant. */
  kind: "wake";
  /** When the sleep ends. */
  at_ns: number;
  /** The sleeping thread. */
  pid: number;
}

/**
 * The page allocator ran out of memory in `from` and the kernel's OOM killer chose
 * `target` (mm/oom_kill.c out_of_memory() → oom_kill_process()): SIGKILL, mark_oom_victim,
 * queue_oom_reaper. A process select_bad_process() would pass over is not killed.
 */
export interface OomKillEvent {
  /** Discriminant. */
  kind: "oom_kill";
  /** When the allocation fails. */
  at_ns: number;
  /** The process the OOM killer chooses (a tgid). */
  target: number;
  /** The thread whose allocation failed (default: the caller). */
  from: number;
}

/** A timed event; `Scenario.events` is sorted stably by `at_ns`. */
export type ScenarioEvent = ProcReaderEvent | ExitEvent | KillEvent | WakeEvent | OomKillEvent;

/** A closed or half-open range; at least one bound is set. */
export interface Bounds {
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
}

/** A litmus-style expectation for one design (optionally one kernel). */
export interface Expectation {
  /** Design name; checked against the proposal registry elsewhere. */
  design: string;
  /** Only for this kernel; absent = any kernel without its own entry. */
  kernel?: KernelVersion;
  /** "0" or an errno name. */
  ret?: string;
  /** Whether the victim got the signal. */
  signal_delivered?: boolean;
  /** Reclaimable pages of the victim's mm freed by the end. */
  freed_pages?: Bounds;
  /** Of those, the pages freed in the caller's context (`memory.freed_by.caller`). */
  caller_freed_pages?: Bounds;
  /** Of those, the pages freed by the victim's own threads: its exit (`freed_by.victim`). */
  victim_freed_pages?: Bounds;
  /** The WARNs the run printed, by name, as a set: exactly these (`[]`: none). */
  warnings?: string[];
  /** When 50% of the reclaimable memory had come back (ns). */
  t50_ns?: Bounds;
  /** When 90% had come back (ns). */
  t90_ns?: Bounds;
  /** When 100% had come back (ns). */
  t100_ns?: Bounds;
  /** What each of `intent.then`'s calls answered, in order (a prefix may be given). */
  then?: ThenExpectation[];
  /** Why this is the expected result, with the reference section. */
  note?: string;
}

/** What one follow-up call is expected to answer. */
export interface ThenExpectation {
  /** "0", a byte count, an errno name, "killed" or "unfinished". */
  ret?: string;
  /** waitid's si_code: `CLD_EXITED`, `CLD_KILLED` or `CLD_DUMPED`. */
  si_code?: WaitCode;
  /** waitid's si_status: the exit code or the signal. */
  si_status?: number;
}

/** The si_codes a reaped child reports. */
export type WaitCode = "CLD_EXITED" | "CLD_KILLED" | "CLD_DUMPED";

/**
 * A call the caller makes after the design's call returned, to look at the victim again:
 * a remote read of its memory (process_vm_readv, /proc/<pid>/mem) over pages
 * [start_page, end_page), or waitid(P_PIDFD) on a pidfd of it.
 */
export type ThenCall =
  | { call: "process_vm_readv" | "proc_mem_read"; start_page: number; end_page: number }
  | { call: "waitid"; nohang: boolean };

/** Another thread of the caller's process running the same recipe (a concurrent caller). */
export interface ExtraCaller {
  /** Its pid. */
  pid: number;
  /** When it starts (ns). */
  at_ns: number;
}

/** Which process the memory killer kills and reclaims, when, and how. */
export interface Intent {
  /** The victim's tgid. */
  victim: number;
  /** When the caller starts (ns). */
  at_ns: number;
  /** How the design is called. */
  call: CallArgs;
  /** Further callers running the same recipe. */
  also: ExtraCaller[];
  /** The caller's calls after the design's call returned, in order. */
  then: ThenCall[];
}

/**
 * A cgroup v2 below the root (docs/scenario-format.md, "Cgroups"): a process listed in no
 * cgroup is in the root cgroup.
 */
export interface ScenarioCgroup {
  /** Its name, unique among the cgroups. */
  id: string;
  /** The parent cgroup's id; null: a child of the root. */
  parent: string | null;
  /** Its own processes (tgids), in cgroup.procs order. */
  procs: number[];
}

/**
 * A pid namespace below init_pid_ns (docs/scenario-format.md, "pid namespaces"): a process
 * listed in none is in init_pid_ns.
 */
export interface ScenarioPidNamespace {
  /** Its name, unique among the pid namespaces. */
  id: string;
  /** The parent namespace's id; null: a child of init_pid_ns. */
  parent: string | null;
  /** The processes (tgids) whose active pid namespace it is. */
  procs: number[];
}

/** A validated scenario. */
export interface Scenario {
  /** Always {@linkcode SCENARIO_SCHEMA}. */
  schema: typeof SCENARIO_SCHEMA;
  /** Short name, `[a-z0-9-]+` (the shipped files are named after it). */
  name: string;
  /** What the scenario is and why it is interesting. */
  description: string;
  /** Default kernel version (a run may override it). */
  kernel: KernelVersion;
  /**
   * Proposed kernel changes the world runs with (wasm/src/variant.rs), when the file names
   * any (a run may override them).
   */
  kernel_variants?: readonly KernelVariant[];
  /** Default seed of the run's choice source. */
  seed: number;
  /** The simulation stops at this time. */
  horizon_ns: number;
  /** CPUs; a CPU's id is its index. */
  cpus: ScenarioCpu[];
  /** Address spaces; an mm's program id is its index. */
  mms: ScenarioMm[];
  /** Processes in file order. */
  processes: ScenarioProcess[];
  /** The cgroups below the root, in file order (none: every process is in the root). */
  cgroups: ScenarioCgroup[];
  /** The pid namespaces below init_pid_ns, when the file names any (wasm/src/pidns.rs). */
  pid_namespaces?: ScenarioPidNamespace[];
  /** Timed events, sorted stably by time. */
  events: ScenarioEvent[];
  /** The thread in whose context the memory killer's calls run. */
  caller: { pid: number };
  /** The process the caller kills, and when. */
  intent: Intent;
  /** Expected outcomes per design (and kernel). */
  expect: Expectation[];
  /** A condition over every schedule's outcome and its expected verdicts (`lab explore`). */
  explore?: ExploreSpec;
}

/** herd7's observations: the condition's proposition holds in every, some or no schedule. */
export const EXPLORE_VERDICTS = ["always", "sometimes", "never"] as const;
/** A verdict: {@linkcode EXPLORE_VERDICTS}. */
export type ExploreVerdict = typeof EXPLORE_VERDICTS[number];

/** Who may have freed pages, as a proposition names them (the outcome's `freed_by`). */
export const CONDITION_FREERS = ["caller", "victim", "kthreads", "other"] as const;

/**
 * A proposition over one schedule's outcome: a WARN printed, the main call's answer, the
 * victim killed, pages freed by a context, pages left, a broken invariant; and `all`,
 * `any`, `not` of them.
 */
export type OutcomeProp =
  | { all: OutcomeProp[] }
  | { any: OutcomeProp[] }
  | { not: OutcomeProp }
  | { ret: string }
  | { warn: string }
  | { victim_killed: boolean }
  | { freed_by: typeof CONDITION_FREERS[number] }
  | { remaining_pages: { min: number; max: number } }
  | { broken: boolean };

/** herd7's final condition: `exists` (some schedule) or `forall` (every schedule). */
export interface ExploreCondition {
  /** `exists`: some schedule satisfies `prop`; `forall`: every schedule does. */
  quantifier: "exists" | "forall";
  /** The proposition over one schedule's outcome. */
  prop: OutcomeProp;
}

/** The verdict `lab verify` expects explore to give, for one design and bound. */
export interface VerdictExpectation {
  /** Design name, or name@variant. */
  design: string;
  /** The kernel version; the scenario's by default. */
  kernel?: KernelVersion;
  /** The preemption bound; none: every schedule. */
  preemptions?: number;
  /** Historical kernel bugs switched back on (`Kernel.set_kernel_bugs` bits). */
  kernel_bugs?: number;
  /** Always, sometimes or never. */
  verdict: ExploreVerdict;
  /** Why. */
  note?: string;
}

/** A scenario's `explore` block. */
export interface ExploreSpec {
  /** The condition over every schedule's outcome. */
  condition: ExploreCondition;
  /** The verdicts `lab verify` expects, per design, kernel and bound. */
  expect: VerdictExpectation[];
  /** Why the condition is asked. */
  note?: string;
}
