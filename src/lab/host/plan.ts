/**
 * Which scenarios the host can run, and how: a scenario becomes a {@linkcode HostPlan}
 * (the victim helper's memory and threads, the state to put it in before the intent, the
 * caller's fds) or a list of reasons it cannot. The rules (docs/host.md):
 *
 * - the caller is a root thread (uid and euid 0, every capability) of a process that is
 *   neither the victim nor its vfork child; one caller, no `also`. In init_pid_ns it is the
 *   lab itself; in a chain of 1..32 pid namespaces below init_pid_ns it is the caller
 *   helper's init of the innermost (plan_pidns.ts, pidns.ts), beside which one more root
 *   process of init_pid_ns may stand for the lab;
 * - the victim is in init_pid_ns (the lab's own pid namespace) or, without a vfork child,
 *   alone in a child namespace of it, whose init it is on the host; the caller not in that
 *   namespace or below it;
 * - the victim is a root user process with 1..64 threads, all in one state: `S`,
 *   `T` (SIGSTOPped), `frozen` (a cgroup-v1 freezer), or a zombie / reaped process
 *   (SIGKILLed, and waited for when reaped); a vfork parent's one `D_vfork` thread may
 *   stand beside `S`, `T` or `frozen` threads;
 * - its mm's VMAs are `anon` (optionally `VM_LOCKED`), `anon_shared` or `shmem`, without
 *   swap, COW, notifiers or robust-futex lists, 2 GiB at most in all;
 * - at most one other process: the victim's vfork child, threads `S` or `frozen`;
 * - `traced_exit` only on threads of a victim in `S` without a vfork child (the lab is
 *   their tracer: src/lab/host/ptrace.ts);
 * - one event at most: a SIGKILL `kill` of a frozen victim before the intent, sent by the lab
 *   (the caller when it is the lab); the call's `info`, `iov_fault` and `sig` other than SIGKILL are not
 *   expressible; `iov` ranges must each lie inside one VMA or in page 0 (address 0, never
 *   mapped);
 * - `intent.then`: reads over ranges like `iov`'s, of a victim not yet waited for (the host
 *   names it by pid); waitid of a victim that is the caller's child it reaps itself (on the
 *   host it is the lab's), not traced (the lab, their tracer, would see their ptrace stop),
 *   and without `nohang` one that will exit (not frozen, not dumping); none for a caller in a
 *   child pid namespace;
 * - a `core_dump` victim is dumping core at the intent, in the simulator's shape: its first
 *   thread the dumper, `D` until after the window (`until` past the horizon: on the host a
 *   dump of its memory outlasts the window), the others `S` (they wait in
 *   coredump_task_exit), no vfork child, no `traced_exit`; the run checks that the host's dump
 *   is in progress at the intent and, unless the victim was SIGKILLed, at the window's end
 *   (src/lab/host/coredump.ts).
 *
 * @module
 */

import {
  COST_MODEL,
  PAGE_SIZE,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
  SIGKILL,
} from "../../core/mod.ts";
import type {
  CallArgs,
  IovRange,
  Scenario,
  ScenarioProcess,
  ScenarioVma,
  ThenCall,
} from "../../engine/scenario/mod.ts";
import { HOST_KERNEL } from "./support.ts";
import { isRoot, pidnsPlan } from "./plan_pidns.ts";

/** What the helper maps, per VMA of the scenario, in order. */
export interface PlanVma {
  /** The helper's kind. */
  kind: "anon" | "locked" | "shared" | "shmem" | "thp";
  /** Size in bytes. */
  bytes: number;
  /** Resident bytes (touched). */
  resident: number;
  /** First page of the VMA in the lab's layout (from 0x10, one-page gaps). */
  startPage: number;
}

/** The state the victim is put in before the intent. */
export type PlanState = "S" | "T" | "frozen" | "zombie" | "reaped";

/** A host-expressible scenario. */
export interface HostPlan {
  /** The victim's tgid in the scenario. */
  victimTgid: number;
  /** Its comm. */
  comm: string;
  /** Its mappings. */
  vmas: PlanVma[];
  /** Its threads besides the main one and the vfork thread. */
  extraThreads: number;
  /** Its state at the intent. */
  state: PlanState;
  /** Its vfork child: the scenario's tgid and state, or null. */
  vforkChild: { tgid: number; frozen: boolean } | null;
  /** The caller's fds by scenario number: what each names. */
  callerFds: {
    fd: number;
    kind: "pidfd" | "proc_dir" | "file";
    target: number | null;
    nonblock: boolean;
    /**
     * For a PIDFD_THREAD pidfd, the index of its target among the victim's threads (the
     * host opens the tid in that place of /proc/<pid>/task); null for any other fd.
     */
    threadIndex: number | null;
  }[];
  /**
   * Indexes of the victim's threads the lab traces with PTRACE_O_TRACEEXIT (`traced_exit`):
   * thread i is the i-th by start time (observe.ts threadIds).
   */
  tracedThreads: number[];
  /** How the design is called. */
  call: CallArgs;
  /** The caller's follow-up calls. */
  then: ThenCall[];
  /** How long to watch after the call (ms): the scenario's horizon after the intent, at most 2 s. */
  windowMs: number;
  /** Private anon pages the scenario gives the victim (the simulator's reclaimable). */
  anonPages: number;
  /**
   * The victim is dumping core at the intent (its `state` is `S`: its threads besides the
   * dumper wait in coredump_task_exit): the lab starts the dump before the intent.
   */
  coreDump: boolean;
  /**
   * How many pid namespaces below the lab's the caller sits: 0, the lab itself calls; else
   * the caller helper's init of the innermost (pidns.ts).
   */
  callerLevels: number;
  /** The lab SIGKILLs the frozen victim before the intent (the scenario's `kill` event). */
  killedBefore: boolean;
  /** The victim is pid 1 of a pid namespace of its own, a child of the lab's. */
  victimPidns: boolean;
}

/** A scenario the host cannot run, with every reason. */
export class NotExpressible extends Error {
  override name = "NotExpressible";
  /** Each reason. */
  readonly reasons: string[];
  /** The scenario's name and its reasons. */
  constructor(scenario: string, reasons: string[]) {
    super(`${scenario} cannot run on the host:\n  ${reasons.join("\n  ")}`);
    this.reasons = reasons;
  }
}

const MAX_BYTES = 2 * 1024 ** 3;

/** The plan of `s`, or a {@linkcode NotExpressible} listing why not. */
export function hostPlan(s: Scenario): HostPlan {
  const why: string[] = [];
  const victim = s.processes.find((p) => p.tgid === s.intent.victim);
  const callerProc = s.processes.find((p) => p.threads.some((t) => t.pid === s.caller.pid));
  if (!victim) throw new NotExpressible(s.name, ["the victim is not a process"]);
  if (!callerProc) throw new NotExpressible(s.name, ["the caller is not a thread"]);
  if (!isRoot(callerProc)) {
    why.push("the caller must be root with every capability (the lab, or its helper)");
  }
  if (s.intent.also.length) why.push("a second caller (intent.also)");
  if (victim.kthread || victim.init) {
    why.push("the victim must be a user process, not init or a kthread");
  }
  if (victim.uid !== 0 || victim.euid !== 0) {
    why.push("the victim runs as root on the host (uid 0)");
  }
  if (victim.core_dump) why.push(...coreDumpProblems(s, victim, vforkKidsOf(s, victim)));
  if (victim.vfork_child) why.push("the victim itself a vfork child (target its parent instead)");
  const vforkKids = vforkKidsOf(s, victim);
  if (vforkKids.length > 1) why.push("more than one vfork child");
  const kid = vforkKids[0];
  const ns = pidnsPlan(s, {
    victim,
    caller: callerProc,
    vforkChild: kid,
    frozen: victim.threads.some((t) => t.state === "frozen"),
  });
  why.push(...ns.why);
  if (victim.core_dump && ns.victimPidns) {
    // On the host it would be its namespace's init, which ignores the lab's SIGABRT (an
    // ancestor's signal with the default handler: kernel/signal.c sig_task_ignored()).
    why.push("core_dump: a victim in a child pid namespace (the host's init there never dumps)");
  }
  for (const p of s.processes) {
    if (p !== victim && p !== callerProc && !vforkKids.includes(p) && p !== ns.lab) {
      why.push(
        `process ${p.tgid} (${p.comm}): the host runs only the caller, the victim and its vfork ` +
          `child (and the lab, beside a caller in a child pid namespace)`,
      );
    }
  }
  if (kid) {
    const states = new Set(kid.threads.map((t) => t.state));
    if (kid.threads.length !== 1 || !(states.has("S") || states.has("frozen"))) {
      why.push("the vfork child must be one thread in S or frozen");
    }
  }

  let state: PlanState;
  if (victim.status === "zombie") {
    state = "zombie";
    if (victim.parent_waits) why.push("a zombie whose parent waits (parent_waits must be false)");
  } else if (victim.status === "reaped") {
    state = "reaped";
  } else if (victim.core_dump) {
    state = "S"; // the dumper's D and the others' S: coreDumpProblems() checked them
  } else {
    const states = new Set(victim.threads.filter((t) => t.state !== "D_vfork").map((t) => t.state));
    const only = [...states];
    if (only.length !== 1 || !["S", "T", "frozen"].includes(only[0])) {
      why.push(
        `victim threads must all be S, T or frozen (besides one D_vfork), got ${only.join(", ")}`,
      );
    }
    state = (only[0] ?? "S") as PlanState;
  }
  const dvfork = victim.threads.filter((t) => t.state === "D_vfork").length;
  if (dvfork > (kid ? 1 : 0)) why.push("D_vfork threads without a vfork child each");
  if (victim.threads.length > 64) why.push("more than 64 threads");
  // A dump's timed D sleep (its first thread's) is coreDumpProblems()'s to judge.
  const timed = victim.core_dump ? victim.threads.slice(1) : victim.threads;
  if (victim.threads.some((t) => t.holds.length) || timed.some((t) => t.until_ns !== null)) {
    why.push("timed sleeps and held locks are not expressible");
  }

  const mm = s.mms.find((m) => m.id === (victim.mm ?? kid?.mm));
  const vmas: PlanVma[] = [];
  let page = 16;
  let total = 0;
  let anonPages = 0;
  for (const [i, v] of (mm?.vmas ?? []).entries()) {
    const kind = vmaKind(v);
    if (
      typeof kind !== "string" || v.swap_entries || v.cow_pages || v.notifier !== "none" ||
      v.robust_futex_list
    ) {
      why.push(
        `VMA ${i}: ${
          typeof kind === "string" ? "swap, COW, notifiers and robust lists" : kind.why
        } are not expressible`,
      );
    } else {
      // The core lays a THP VMA out on a 2 MiB boundary (wasm/src/load.rs); so does the plan.
      if (v.thp) page = Math.ceil(page / COST_MODEL.HPAGE_PMD_NR) * COST_MODEL.HPAGE_PMD_NR;
      vmas.push({
        kind,
        bytes: v.size_pages * PAGE_SIZE,
        resident: v.resident_pages * PAGE_SIZE,
        startPage: page,
      });
    }
    anonPages += v.anon_pages;
    total += v.size_pages * PAGE_SIZE;
    page += v.size_pages + 1;
  }
  if (total > MAX_BYTES) why.push(`the victim maps ${total} bytes, more than 2 GiB`);

  const c = s.intent.call;
  if (c.info !== undefined) why.push("call.info");
  if (c.iov_fault) why.push("call.iov_fault");
  if (c.sig !== undefined && c.sig !== SIGKILL) why.push("call.sig other than SIGKILL");
  if (c.fd === PIDFD_SELF_THREAD || c.fd === PIDFD_SELF_THREAD_GROUP) {
    why.push(`call.fd ${c.fd} is a PIDFD_SELF_* sentinel: on the host it names the lab itself`);
  }
  for (const r of c.iov ?? []) {
    if (!rangeMapsOnHost(r, vmas)) why.push(`iov ${rangeText(r)} ${OUTSIDE}`);
  }
  why.push(...thenProblems(s, victim, callerProc, state, vmas));
  for (const fd of callerProc.fds) {
    if (fd.thread) {
      if (!victim.threads.some((t) => t.pid === fd.target) || kid) {
        why.push(
          `caller fd ${fd.fd}: a thread pidfd names a thread of a victim without vfork child`,
        );
      }
    } else if (fd.target !== null && fd.target !== victim.tgid && fd.target !== kid?.tgid) {
      why.push(`caller fd ${fd.fd} names ${fd.target}, which the host does not run`);
    }
  }
  const traced = victim.threads.flatMap((t, i) => t.traced_exit ? [i] : []);
  if (traced.length && (state !== "S" || kid)) {
    why.push("traced_exit: the lab traces threads of a victim in S without a vfork child");
  }
  if (s.processes.some((p) => p !== victim && p.threads.some((t) => t.traced_exit))) {
    why.push("traced_exit on a thread outside the victim");
  }
  if (s.kernel !== HOST_KERNEL) why.push(`kernel ${s.kernel}: the host runs ${HOST_KERNEL}`);
  if (why.length) throw new NotExpressible(s.name, why);
  return {
    victimTgid: victim.tgid,
    comm: victim.comm,
    vmas,
    extraThreads: Math.max(0, victim.threads.length - 1 - dvfork),
    state,
    vforkChild: kid ? { tgid: kid.tgid, frozen: kid.threads[0].state === "frozen" } : null,
    callerFds: callerProc.fds.map((f) => ({
      fd: f.fd,
      kind: f.kind,
      target: f.target,
      nonblock: f.nonblock,
      threadIndex: f.thread ? victim.threads.findIndex((t) => t.pid === f.target) : null,
    })),
    tracedThreads: traced,
    call: c,
    then: s.intent.then,
    windowMs: Math.min(2000, Math.max(0, (s.horizon_ns - s.intent.at_ns) / 1e6)),
    anonPages,
    coreDump: victim.core_dump,
    callerLevels: ns.callerLevels,
    killedBefore: ns.killedBefore,
    victimPidns: ns.victimPidns,
  };
}

function vforkKidsOf(s: Scenario, victim: ScenarioProcess): ScenarioProcess[] {
  return s.processes.filter((p) => p.vfork_child && p.parent === victim.tgid);
}

/**
 * Why a `core_dump` victim is not in the shape the host makes (none when it is): a live
 * process whose first thread is the dumper, in `D` until after the horizon (the simulator's
 * dump then outlasts the window, as the host's does), and whose other threads are `S` (the
 * simulator puts them in coredump_task_exit, wasm/src/load.rs setup_core_dumps; on the host
 * zap_threads() sends them there); no vfork child and no traced threads.
 */
function coreDumpProblems(
  s: Scenario,
  victim: ScenarioProcess,
  vforkKids: readonly ScenarioProcess[],
): string[] {
  const why: string[] = [];
  const [dumper, ...others] = victim.threads;
  if (victim.status !== "alive") why.push("core_dump: the dumping victim must be alive");
  if (!dumper || dumper.state !== "D" || dumper.until_ns === null) {
    why.push("core_dump: the first thread is the dumper, in D with an until (the dump's end)");
  } else if (dumper.until_ns <= s.horizon_ns) {
    why.push(
      `core_dump: the dump ends at ${dumper.until_ns / 1e6} ms, within the window: the host's ` +
        `dump outlasts it (its until must be after the horizon, ${s.horizon_ns / 1e6} ms)`,
    );
  }
  if (others.some((t) => t.state !== "S")) {
    why.push("core_dump: the threads besides the dumper must be S (they wait for the dump)");
  }
  if (vforkKids.length) why.push("core_dump: a dumping victim with a vfork child");
  if (victim.threads.some((t) => t.traced_exit)) why.push("core_dump: traced_exit threads");
  return why;
}

const OUTSIDE = "lies neither inside one VMA nor in page 0 (address 0, never mapped)";

function rangeText(r: IovRange): string {
  return `[${r.start_page}, ${r.end_page})`;
}

/** The range has real addresses on the host: inside one VMA, or in the unmapped page 0. */
function rangeMapsOnHost(r: IovRange, vmas: readonly PlanVma[]): boolean {
  return r.end_page <= 1 ||
    vmas.some((v) =>
      r.start_page >= v.startPage && r.end_page <= v.startPage + v.bytes / PAGE_SIZE
    );
}

/** Why the follow-up calls cannot run on the host (none when they can). */
function thenProblems(
  s: Scenario,
  victim: ScenarioProcess,
  callerProc: ScenarioProcess,
  state: PlanState,
  vmas: readonly PlanVma[],
): string[] {
  const why: string[] = [];
  let waited = state === "reaped";
  s.intent.then.forEach((t, i) => {
    const at = `intent.then[${i}] (${t.call})`;
    if (t.call !== "waitid") {
      const r = { start_page: t.start_page, end_page: t.end_page };
      if (!rangeMapsOnHost(r, vmas)) why.push(`${at}: ${rangeText(r)} ${OUTSIDE}`);
      if (waited) why.push(`${at}: the victim was waited for: the host names it by a pid`);
      return;
    }
    if (victim.parent !== callerProc.tgid || victim.parent_waits) {
      why.push(
        `${at}: the victim must be the caller's child that it waits for itself (parent the ` +
          `caller's process, parent_waits false): on the host it is the lab's`,
      );
    }
    if (!t.nohang && state === "frozen") why.push(`${at}: a frozen victim never exits`);
    // The lab is the tracer of traced_exit threads, and a tracer's wait reports their ptrace
    // stops without WSTOPPED (kernel/exit.c wait_task_stopped(): only an untraced child needs
    // WUNTRACED): the host's waitid answers CLD_TRAPPED, the killed victim stays in its stop.
    if (victim.threads.some((t) => t.traced_exit)) {
      why.push(`${at}: the lab traces the victim's threads: its waitid sees their exit stop`);
    }
    if (!t.nohang && victim.core_dump) {
      why.push(`${at}: a dumping victim exits only when its dump ends, after the window`);
    }
    waited = true;
  });
  return why;
}

function vmaKind(v: ScenarioVma): PlanVma["kind"] | { why: string } {
  if (v.flags.includes("VM_HUGETLB")) return { why: "VM_HUGETLB" };
  switch (v.kind) {
    case "anon":
      if (v.thp) return v.flags.length ? { why: "VM_LOCKED THP" } : "thp";
      return v.flags.includes("VM_LOCKED") ? "locked" : "anon";
    case "anon_shared":
      return v.flags.length ? { why: "VM_LOCKED shared memory" } : "shared";
    case "shmem":
      return v.flags.length ? { why: "VM_LOCKED shmem" } : "shmem";
    default:
      return { why: `${v.kind} mappings` };
  }
}
