/**
 * Comparisons between designs: every pair of targets run on the same generated world, their
 * outcomes compared, and every difference classified into one of the named classes of
 * {@linkcode DIFFERENCE_CLASSES}. A difference no class explains is either a semantic
 * difference nobody has named yet or a bug in a design or the core; the comparison test
 * (test/props/compare_test.ts) fails on it with the shrunk world and its replay command.
 *
 * @module
 */

import fc from "fast-check";
import { parseArgs } from "node:util";
import type { Outcome } from "../../engine/run/outcome.ts";
import { runScenario } from "../../engine/run/experiment.ts";
import {
  cpuSpeedRatio,
  KERNEL_VERSION_CODE,
  type KernelVersion,
  type Scenario,
  type ScenarioProcess,
  validateScenario,
} from "../../engine/scenario/mod.ts";
import { caseFileJson, readCaseFile } from "./case_file.ts";
import { arbCase, type Case } from "./gen.ts";
import { parseTarget, type Target, zapCovers } from "./properties.ts";

// ---- what is compared ----

/** The parts of an outcome a comparison looks at. */
export const ASPECTS = ["ret", "signal", "freed", "paid", "time"] as const;
/**
 * One part of an outcome: `ret` the design's main call, `signal` whether the victim got
 * SIGKILL, `freed` `memory.freed_pages`, `paid` who freed them (`memory.freed_by`) and the
 * caller's CPU time (`cpu_ns.caller`), `time` when the last page came back
 * (`memory.t100_ns`).
 */
export type Aspect = (typeof ASPECTS)[number];

/**
 * The targets every comparison runs: each registered design in the variant that matches the
 * kernel, plus process_mrelease as merged (v9), the variant the record singles out.
 */
export const COMPARE_TARGETS: readonly string[] = [
  "sigkill",
  "oom_reaper",
  "sync_reap_mm",
  "process_madvise",
  "process_reap",
  "process_mrelease",
  "process_mrelease@v9",
  "process_mrelease_reap_kill",
];

/** {@linkcode COMPARE_TARGETS} as targets. */
export function compareTargets(): Target[] {
  return COMPARE_TARGETS.map((n) => parseTarget(n));
}

/**
 * A main call's answer as a name: `"0"`, `"EINVAL"`, `"killed"` (the caller died first), or
 * `"unfinished"` (no answer by the horizon: still reaping, or waiting for a lock).
 */
export function retOf(o: Outcome): string {
  if (o.ret === "killed") return "killed";
  if (Number.isNaN(o.ret)) return "unfinished";
  return o.errno;
}

/** Which aspects of two outcomes differ (empty: the designs agree on this world). */
export function differingAspects(a: Outcome, b: Outcome): Aspect[] {
  const out: Aspect[] = [];
  if (retOf(a) !== retOf(b)) out.push("ret");
  if (a.signal_delivered !== b.signal_delivered) out.push("signal");
  if (a.memory.freed_pages !== b.memory.freed_pages) out.push("freed");
  const fa = a.memory.freed_by, fb = b.memory.freed_by;
  if (
    fa.caller !== fb.caller || fa.victim !== fb.victim || fa.kthreads !== fb.kthreads ||
    fa.other !== fb.other || a.cpu_ns.caller !== b.cpu_ns.caller
  ) out.push("paid");
  if (a.memory.t100_ns !== b.memory.t100_ns) out.push("time");
  return out;
}

// ---- facts about a world ----

/** What a world is, as the classes' predicates need it (read from the scenario alone). */
export interface CaseFacts {
  /** The kernel version the world runs. */
  readonly kernel: KernelVersion;
  /** Its number (510, 515, ... 618). */
  readonly kernelCode: number;
  /**
   * The target process (`intent.victim`): a live user process, init, a kthread, a zombie
   * (every thread exited, not waited for), or reaped.
   */
  readonly target: "alive" | "init" | "kthread" | "zombie" | "reaped";
  /** A live target whose leader is a zombie while other threads run (§A.4.1 v5). */
  readonly zombieLeader: boolean;
  /** A core dump is in progress in the target (§A.4.5). */
  readonly coreDump: boolean;
  /** Another live process shares the target's mm (a vfork child or parent, a CLONE_VM sibling). */
  readonly sharer: boolean;
  /**
   * ... and one of them is not dying in task_will_free_mem()'s sense (§B.2): no fatal signal
   * by the intent, or a core dump in progress (§C.2).
   */
  readonly liveSharer: boolean;
  /** The recipe sends SIGKILL before the call (`intent.call.kill` is not false). */
  readonly killInCall: boolean;
  /** The caller may signal the target (check_kill_permission: a uid match or CAP_KILL). */
  readonly mayKill: boolean;
  /** The caller may ptrace-attach the target (a uid match or CAP_SYS_PTRACE). */
  readonly mayPtrace: boolean;
  /** `intent.call.flags`, or null for the design's usual flags. */
  readonly callFlags: number | null;
  /**
   * `intent.call.fd`: null (a fresh pidfd of the target), `target` (a pidfd of it),
   * `proc_dir` (its /proc directory), `other` (a pidfd of another process), `file`, `bad`.
   */
  readonly callFd: null | "target" | "proc_dir" | "other" | "file" | "bad";
  /** A second caller runs the same recipe (`intent.also`). */
  readonly secondCaller: boolean;
  /** The caller's process gets a SIGKILL (after the callers started). */
  readonly callerKilled: boolean;
  /** /proc readers take transient mm_users references on the target's mm. */
  readonly procReaders: boolean;
  /** ... and one of them is the caller thread itself (its last mmput runs in its context). */
  readonly readerIsCaller: boolean;
  /** Another actor sends the target a signal other than SIGKILL at or after the intent. */
  readonly otherSignalAfterIntent: boolean;
  /** Another actor sends the target a fatal signal (SIGKILL, SIGTERM) at or before the intent. */
  readonly killedBeforeIntent: boolean;
  /** Another actor signals the target after the intent (SIGKILL, SIGTERM, SIGSTOP...). */
  readonly signalsAfterIntent: boolean;
  /**
   * The target may be past exit_mm by the time a call reaches it, whatever the call: a zombie
   * or zombie leader, a thread's own exit, a fatal signal from another actor (before or after
   * the intent), or a core dump that ends.
   */
  readonly mayHaveExited: boolean;
  /** A thread of the target calls exit_group on its own (at any time). */
  readonly exits: boolean;
  /** A sharer is sent SIGKILL after the intent. */
  readonly sharerKilledAfterIntent: boolean;
  /** The strongest hold of the target mm's mmap_lock across a D sleep at time 0. */
  readonly lockHeld: "none" | "read" | "write";
  /**
   * A thread of the target cannot reach do_exit before the horizon by itself: in D with
   * no end before it, stopped, or frozen.
   */
  readonly stuck: boolean;
  /** Private anon pages of the target's mm (what `memory.reclaimable_pages` counts). */
  readonly anonPages: number;
  /** ... of them in VM_LOCKED VMAs (not hugetlb, no refusing notifier). */
  readonly mlockedPages: number;
  /** ... of them in VMAs whose mmu notifier refuses a non-blocking invalidate. */
  readonly refusingPages: number;
  /** A VMA the reaper walks (§B.3 skip rules) has a notifier that refuses: a reap gives EAGAIN. */
  readonly refusingVma: boolean;
  /**
   * The target's mm has work that frees no private anon page: swap entries, or page-cache
   * pages of private file mappings (both zapped by a reap, §B.3), or shared mappings.
   */
  readonly nonAnonWork: boolean;
  /** A thread of the target is frozen (mark_oom_victim thaws it, §B.4). */
  readonly frozen: boolean;
  /** A thread of the target other than its leader starts as a zombie (see SUSPECTED_BUGS). */
  readonly strayZombieThread: boolean;
  /** ... that a reap on this kernel frees (`zapCovers(.., "reap")`). */
  readonly reapPages: number;
  /** ... that a whole-range MADV_DONTNEED frees (`zapCovers(.., "madvise")`). */
  readonly madvisePages: number;
  /** Any concurrency at all: a second caller, a killed caller, readers, later signals, exits. */
  readonly concurrent: boolean;
  /**
   * {@linkcode OVERHEAD_NS} scaled to the slowest CPU of the world: a few syscalls take
   * that long there.
   */
  readonly overheadNs: number;
  /** The caller may run on CPUs of different speeds (it is not pinned to one). */
  readonly callerMayMove: boolean;
  /** The target's threads run on (or may move to) CPUs of different speeds. */
  readonly victimSpread: boolean;
  /**
   * A thread of the target can never exit within the run: in D with no end before the
   * horizon and no wake event, or frozen (only the OOM killer thaws it). Its mm then stays
   * in use, so the victim's own exit_mmap never runs.
   */
  readonly neverExits: boolean;
}

/** The process that runs a thread. */
function processOf(s: Scenario, pid: number): ScenarioProcess | undefined {
  return s.processes.find((p) => p.threads.some((t) => t.pid === pid));
}

/**
 * The facts of a world (scenario and kernel).
 *
 * @example
 * ```ts
 * import { caseFacts } from "./compare.ts";
 * // const f = caseFacts(c.scenario, c.kernel); f.liveSharer
 * ```
 */
export function caseFacts(s: Scenario, kernel: KernelVersion): CaseFacts {
  const intentNs = s.intent.at_ns;
  const t = s.processes.find((p) => p.tgid === s.intent.victim);
  const caller = processOf(s, s.caller.pid);
  const kills = s.events.filter((e) => e.kind === "kill");
  // check_kill_permission() for a sender thread: a uid match or CAP_KILL (a kthread signals
  // as root). A kill event without it is refused, as the call's own kill is.
  const permits = (from: number, tgid: number): boolean => {
    const a = processOf(s, from), b = s.processes.find((p) => p.tgid === tgid);
    if (!a || !b) return false;
    if (a.kthread || a.caps.includes("CAP_KILL")) return true;
    return a.euid === b.euid || a.euid === b.uid || a.uid === b.euid || a.uid === b.uid;
  };
  // SIGTERM is fatal too: the lab's processes install no handlers.
  const fatalAt = (tgid: number) =>
    kills.filter((e) =>
      e.target === tgid && (e.sig === "SIGKILL" || e.sig === "SIGTERM") && permits(e.from, tgid)
    ).map((e) => e.at_ns);
  const target: CaseFacts["target"] = !t
    ? "reaped"
    : t.init
    ? "init"
    : t.kthread
    ? "kthread"
    : t.status === "alive" && t.threads.some((x) => x.state !== "zombie")
    ? "alive"
    : t.status === "reaped"
    ? "reaped"
    : "zombie";
  const mm = t?.mm ?? null;
  const sharers = mm === null || target !== "alive"
    ? []
    : s.processes.filter((p) =>
      p !== t && p.mm === mm && p.status === "alive" && p.threads.some((x) => x.state !== "zombie")
    );
  // __task_will_free_mem() of a sharer: dying once a fatal signal came, unless it dumps core.
  const liveSharer = sharers.some((p) =>
    p.core_dump || !fatalAt(p.tgid).some((at) => at <= intentNs)
  );
  const uidMatch = !!(t && caller) &&
    (caller.euid === t.euid || caller.euid === t.uid || caller.uid === t.euid ||
      caller.uid === t.uid);
  const mayKill = uidMatch || !!caller?.caps.includes("CAP_KILL");
  const samePtrace = !!(t && caller) && caller.uid === t.uid && caller.uid === t.euid;
  const mayPtrace = samePtrace || !!caller?.caps.includes("CAP_SYS_PTRACE");
  const call = s.intent.call;
  let callFd: CaseFacts["callFd"] = null;
  if (call.fd !== undefined) {
    const fd = caller?.fds.find((f) => f.fd === call.fd);
    callFd = !fd
      ? "bad"
      : fd.kind === "file"
      ? "file"
      : fd.target !== s.intent.victim
      ? "other"
      : fd.kind === "proc_dir"
      ? "proc_dir"
      : "target";
  }
  const targetPids = new Set(t?.threads.map((x) => x.pid) ?? []);
  const mmIndex = s.mms.find((m) => m.id === mm)?.index ?? -1;
  const vmas = mmIndex >= 0 && target === "alive" ? s.mms[mmIndex].vmas : [];
  const anonOf = (f: (v: (typeof vmas)[number]) => boolean) =>
    vmas.filter(f).reduce((sum, v) => sum + v.anon_pages, 0);
  let lockHeld: CaseFacts["lockHeld"] = "none";
  for (const p of s.processes) {
    for (const x of p.threads) {
      for (const h of x.holds) {
        if (h.mm === mm && (h.mode === "write" || lockHeld === "none")) lockHeld = h.mode;
      }
    }
  }
  const wakes = new Set(
    s.events.filter((e) => e.kind === "wake" && e.at_ns < s.horizon_ns).map((e) =>
      (e as { pid: number }).pid
    ),
  );
  const stuck = target === "alive" &&
    t!.threads.some((x) =>
      (x.state === "D" && (x.until_ns ?? Infinity) >= s.horizon_ns && !wakes.has(x.pid)) ||
      x.state === "T" || x.state === "frozen"
    );
  const sharerTgids = new Set(sharers.map((p) => p.tgid));
  const secondCaller = s.intent.also.length > 0;
  const callerKilled = kills.some((e) => e.target === caller?.tgid);
  const procReaders = s.events.some((e) => e.kind === "proc_reader" && e.mm === mm);
  const readerIsCaller = s.events.some((e) =>
    e.kind === "proc_reader" && e.mm === mm && e.reader === s.caller.pid
  );
  const otherSignalAfterIntent = kills.some((e) =>
    e.target === t?.tgid && e.sig !== "SIGKILL" && e.at_ns >= intentNs
  );
  const killedBeforeIntent = t !== undefined && fatalAt(t.tgid).some((at) => at <= intentNs);
  const signalsAfterIntent = kills.some((e) => e.target === t?.tgid && e.at_ns > intentNs);
  const fatalAfterIntent = t !== undefined && fatalAt(t.tgid).some((at) => at > intentNs);
  const exits = s.events.some((e) => e.kind === "exit" && targetPids.has(e.pid));
  const sharerKilledAfterIntent = [...sharerTgids].some((tgid) =>
    fatalAt(tgid).some((at) => at > intentNs)
  );
  return {
    kernel,
    kernelCode: KERNEL_VERSION_CODE[kernel],
    target,
    zombieLeader: target === "alive" && t!.threads[0].state === "zombie",
    coreDump: target === "alive" && t!.core_dump,
    sharer: sharers.length > 0,
    liveSharer,
    killInCall: call.kill !== false,
    mayKill,
    mayPtrace,
    callFlags: call.flags ?? null,
    callFd,
    secondCaller,
    callerKilled,
    procReaders,
    readerIsCaller,
    otherSignalAfterIntent,
    killedBeforeIntent,
    signalsAfterIntent,
    mayHaveExited: target === "zombie" ||
      (target === "alive" &&
        (t!.threads[0].state === "zombie" || exits || killedBeforeIntent || fatalAfterIntent ||
          t!.core_dump)),
    exits,
    sharerKilledAfterIntent,
    lockHeld,
    stuck,
    anonPages: anonOf(() => true),
    mlockedPages: anonOf((v) =>
      v.flags.includes("VM_LOCKED") && !v.flags.includes("VM_HUGETLB") && v.notifier === "none"
    ),
    refusingPages: anonOf((v) => v.notifier !== "none"),
    refusingVma: vmas.some((v) =>
      v.notifier !== "none" && !v.flags.includes("VM_HUGETLB") && v.kind !== "pfnmap" &&
      (v.kind === "anon" || v.kind === "file_private") &&
      (!v.flags.includes("VM_LOCKED") || KERNEL_VERSION_CODE[kernel] >= 518)
    ),
    nonAnonWork: vmas.some((v) => v.swap_entries > 0 || v.file_pages > 0 || v.shmem_pages > 0),
    frozen: target === "alive" && t!.threads.some((x) => x.state === "frozen"),
    strayZombieThread: !!t && t.threads.slice(1).some((x) => x.state === "zombie"),
    reapPages: anonOf((v) => zapCovers(v, kernel, "reap")),
    madvisePages: anonOf((v) => zapCovers(v, kernel, "madvise")),
    concurrent: secondCaller || callerKilled || procReaders || signalsAfterIntent || exits ||
      sharerKilledAfterIntent,
    overheadNs: OVERHEAD_NS / Math.min(...s.cpus.map((c) => cpuSpeedRatio(c))),
    neverExits: target === "alive" &&
      t!.threads.some((x) =>
        (x.state === "D" && (x.until_ns ?? Infinity) >= s.horizon_ns && !wakes.has(x.pid)) ||
        x.state === "frozen"
      ),
    victimSpread: new Set(
      (t?.threads ?? []).flatMap((x) => x.affinity).map((c) => cpuSpeedRatio(s.cpus[c])),
    ).size > 1,
    callerMayMove: new Set(
      (caller?.threads.find((x) => x.pid === s.caller.pid)?.affinity ?? []).map((c) =>
        cpuSpeedRatio(s.cpus[c])
      ),
    ).size > 1,
  };
}

// ---- the classes ----

/** A named kind of difference between designs, with the predicate that recognises it. */
export interface DifferenceClass {
  /** Its id, `[a-z0-9-]+`: the minimal example is `scenarios/diff/<id>.json`. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Why the designs differ, with the reference sections (§). */
  readonly explanation: string;
  /**
   * The designs it separates: any target of the first list against any of the second. The
   * predicate gets the first list's outcome first.
   */
  readonly separates: readonly [readonly string[], readonly string[]];
  /** The aspects of a difference it accounts for. */
  readonly explains: readonly Aspect[];
  /** The pair and kernel of its minimal example (`scenarios/diff/<id>.json`). */
  readonly example: { readonly pair: readonly [string, string]; readonly kernel: KernelVersion };
  /** Whether a difference between `a` (a first-list target) and `b` is of this class. */
  readonly matches: (f: CaseFacts, a: Outcome, b: Outcome) => boolean;
}

const S = "sigkill";
const O = "oom_reaper";
const Y = "sync_reap_mm";
const M = "process_madvise";
const R = "process_reap";
const P = "process_mrelease";
const P9 = "process_mrelease@v9";
const K = "process_mrelease_reap_kill";

const ALL = [S, O, Y, M, R, P, P9, K];
/** OOM_REAPER_DELAY (2*HZ), e4a38402c36e, v5.18 (§B.4). */
const OOM_REAPER_DELAY_NS = 2_000_000_000;
/** The designs that reap in the caller's context. */
const CALLER_REAPS = [Y, M, R, P, P9, K];

/**
 * How far apart two runs that did the same work may end and charge the caller: the extra
 * syscalls and checks of one recipe (SYSCALL_NS 100, SIGNAL_NS 1000, a context switch 2000,
 * task_will_free_mem's walk), well below one batch of reaping (4096 pages at 330 ns).
 */
export const OVERHEAD_NS = 100_000;

const ret = (o: Outcome) => retOf(o);
const near = (f: CaseFacts, x: number | null, y: number | null) =>
  x === null || y === null ? x === y : Math.abs(x - y) <= f.overheadNs;
/** The same contexts freed something (however much each). */
const sameContexts = (a: Outcome, b: Outcome) =>
  (["caller", "victim", "kthreads", "other"] as const).every((k) =>
    (a.memory.freed_by[k] > 0) === (b.memory.freed_by[k] > 0)
  );
/** The contexts that freed something in one run are among those of the other. */
const nestedContexts = (a: Outcome, b: Outcome) => {
  const ks = ["caller", "victim", "kthreads", "other"] as const;
  const inA = ks.filter((k) => a.memory.freed_by[k] > 0);
  const inB = ks.filter((k) => b.memory.freed_by[k] > 0);
  return inA.every((k) => inB.includes(k)) || inB.every((k) => inA.includes(k));
};
const sameFreedBy = (a: Outcome, b: Outcome) =>
  a.memory.freed_by.caller === b.memory.freed_by.caller &&
  a.memory.freed_by.victim === b.memory.freed_by.victim &&
  a.memory.freed_by.kthreads === b.memory.freed_by.kthreads &&
  a.memory.freed_by.other === b.memory.freed_by.other;

/** The target a run's outcome belongs to (`process_mrelease@v9` for the merged variant). */
export function targetOf(o: Outcome): string {
  return o.design === "process_mrelease" && o.variant === "v9" ? P9 : o.design;
}

/** What each design may answer in a situation: its return codes, by target name. */
type Answers = Readonly<Record<string, readonly string[]>>;

/** Both answers are the situation's, and they differ. */
function answered(ans: Answers, a: Outcome, b: Outcome): boolean {
  const ra = ret(a), rb = ret(b);
  return ra !== rb && (ans[targetOf(a)]?.includes(ra) ?? false) &&
    (ans[targetOf(b)]?.includes(rb) ?? false);
}

/** A reaping call that went ahead: it reaped (0), partly (EAGAIN), or was stopped while it waited. */
const WENT_AHEAD = ["0", "EAGAIN", "EINTR", "killed", "unfinished"];
/** No answer: the caller died first, or the run ended first. */
const STOPPED = ["killed", "unfinished"];
/** The kill-only baselines' answers when the kill was sent. */
const KILLED = ["0", "killed"];

/** The table: every named difference between designs the comparison knows. */
export const DIFFERENCE_CLASSES: readonly DifferenceClass[] = [
  // ---- who refuses what, and with which errno ----
  {
    id: "ebusy-vs-einval",
    title: "SYNC_REAP_MM answers EBUSY where process_reap and process_mrelease answer EINVAL",
    explanation: "All three refuse a target task_will_free_mem() does not call dying: one not " +
      "killed (or unkillable), one whose mm a live process still shares, one dumping core. " +
      "reap_mm() says so with EBUSY (§A.1), process_reap and process_mrelease with EINVAL " +
      "(§A.3, §A.4.4).",
    separates: [[Y], [R, P, P9]],
    explains: ["ret"],
    example: { pair: [Y, P], kernel: "5.15" },
    matches: (f, a, b) =>
      ["alive", "init", "kthread"].includes(f.target) &&
      answered({ [Y]: ["EBUSY"], [R]: ["EINVAL"], [P]: ["EINVAL"], [P9]: ["EINVAL"] }, a, b),
  },
  {
    id: "zombie-leader",
    title:
      "process_reap and SYNC_REAP_MM look at the pidfd's leader: a zombie leader is EINVAL/EBUSY where process_mrelease reaps",
    explanation: "reap_mm() and process_reap test task_will_free_mem() on the pidfd's own " +
      "task, the leader; a leader that has already passed exit_mm (a zombie leader from the " +
      "start, or the leader of a group that was already exiting when the caller came) has " +
      "no mm, so they answer " +
      "EBUSY and EINVAL (§A.1, §A.3), and process_madvise's mm_access() finds no mm (ESRCH, " +
      "§A.2). process_mrelease looks for a thread that still has the mm with " +
      "find_lock_task_mm() since v5 (§A.4.1) and reaps, as REAP_KILL does.",
    separates: [[Y, R, M], [S, O, P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [R, P], kernel: "5.15" },
    matches: (f, a, b) =>
      f.mayHaveExited &&
      answered(
        {
          [Y]: ["EBUSY"],
          [R]: ["EINVAL"],
          [M]: ["ESRCH"],
          [S]: KILLED,
          [O]: KILLED,
          [P]: [...WENT_AHEAD, "EINVAL"],
          [P9]: [...WENT_AHEAD, "EINVAL"],
          [K]: [...WENT_AHEAD, "EBUSY"],
        },
        a,
        b,
      ),
  },
  {
    id: "exited-target",
    title: "a target past exit_mm: ESRCH vs EBUSY vs EINVAL, and 0 from kill(2)",
    explanation: "Once every thread of the target has passed exit_mm (a zombie not yet waited " +
      "for, or a process that exited, finished its core dump or was killed before the " +
      "call), kill(2) still answers " +
      "0 (§A.0), the OOM killer's find_lock_task_mm() finds no mm (ESRCH), SYNC_REAP_MM's " +
      "task_will_free_mem() on a task without an mm answers EBUSY (§A.1), process_reap " +
      "EINVAL (§A.3), process_madvise's mm_access() ESRCH (§A.2), and process_mrelease and " +
      "REAP_KILL ESRCH from find_lock_task_mm() (§A.4.4).",
    separates: [ALL, ALL],
    explains: ["ret"],
    example: { pair: [Y, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.mayHaveExited &&
      answered(
        {
          [S]: ["0", "EPERM"],
          [O]: ["ESRCH"],
          [Y]: ["EBUSY", "EPERM"],
          [M]: ["ESRCH"],
          [R]: ["EINVAL"],
          [P]: ["ESRCH"],
          [P9]: ["ESRCH"],
          [K]: ["ESRCH"],
        },
        a,
        b,
      ),
  },
  {
    id: "init-target",
    title: "init: the kill is dropped, and each design refuses in its own words",
    explanation: "SIGNAL_UNKILLABLE drops a SIGKILL to init, and kill(2) still answers 0 " +
      "(§A.0). init never becomes dying, so SYNC_REAP_MM answers EBUSY (§A.1), " +
      "process_madvise EINVAL (signal_group_exit, §A.2), process_reap and process_mrelease " +
      "EINVAL (§A.3, §A.4.5), and REAP_KILL EBUSY (is_global_init, §A.5).",
    separates: [ALL, ALL],
    explains: ["ret"],
    example: { pair: [Y, M], kernel: "6.18" },
    matches: (f, a, b) =>
      f.target === "init" &&
      answered(
        {
          [S]: ["0", "EPERM"],
          [Y]: ["EBUSY", "EPERM"],
          [M]: ["EINVAL", "EACCES"],
          [R]: ["EINVAL"],
          [P]: ["EINVAL"],
          [P9]: ["EINVAL"],
          [K]: ["EBUSY"],
        },
        a,
        b,
      ),
  },
  {
    id: "kthread-target",
    title: "a kthread: kill(2) answers 0, the others EBUSY, EINVAL or ESRCH",
    explanation: "A kthread ignores SIGKILL and has no mm. kill(2) answers 0 (§A.0); " +
      "SYNC_REAP_MM's task_will_free_mem() fails (EBUSY, §A.1); process_reap excludes " +
      "kthreads (EINVAL, §A.3); process_madvise's mm_access(), process_mrelease's and " +
      "REAP_KILL's find_lock_task_mm() find no mm (ESRCH, §A.2, §A.4.5).",
    separates: [ALL, ALL],
    explains: ["ret"],
    example: { pair: [R, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.target === "kthread" &&
      answered(
        {
          [S]: ["0", "EPERM"],
          [Y]: ["EBUSY", "EPERM"],
          [M]: ["ESRCH"],
          [R]: ["EINVAL"],
          [P]: ["ESRCH"],
          [P9]: ["ESRCH"],
          [K]: ["ESRCH"],
        },
        a,
        b,
      ),
  },
  {
    id: "ptrace-attach",
    title: "process_madvise needs ptrace attach (EACCES) where process_mrelease checks nothing",
    explanation: "process_madvise reaches the mm through mm_access() with " +
      "PTRACE_MODE_ATTACH_FSCREDS (§A.2 step 6): without a uid match or CAP_SYS_PTRACE it " +
      "answers EACCES. process_mrelease checks no privilege at all (§A.4.5), nor do " +
      "process_reap and SYNC_REAP_MM beyond the kill's own permission.",
    separates: [[M], [S, O, Y, R, P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [M, P], kernel: "5.15" },
    matches: (f, a, b) => !f.mayPtrace && ret(a) === "EACCES" && ret(b) !== "EACCES",
  },
  {
    id: "kill-permission",
    title: "kill(2) and SYNC_REAP_MM need kill permission (EPERM); the OOM killer does not",
    explanation: "check_kill_permission() (a uid match or CAP_KILL) guards kill(2) and " +
      "pidfd_send_signal, so SIGKILL alone and SYNC_REAP_MM answer EPERM (§A.1 step 5), while " +
      "the OOM killer signals in the kernel's name. The two-step designs' own SIGKILL fails " +
      "the same way but silently: their call then sees a target that is not dying " +
      "(process_mrelease and process_reap EINVAL, process_madvise EINVAL or EACCES), unless " +
      "it is dying anyway; none of them checks the caller's permission itself (§A.4.5). " +
      "REAP_KILL's own kill answers EBUSY (reap-kill-ebusy), or 0 when no process shares " +
      "the mm any more by the time it looks.",
    separates: [[S, Y, O], [S, O, Y, M, R, P, P9, K]],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [Y, P], kernel: "5.15" },
    matches: (f, a, b) =>
      !f.mayKill && f.target === "alive" &&
      answered(
        {
          [S]: ["EPERM"],
          [Y]: ["EPERM"],
          [O]: ["0"],
          [M]: ["EINVAL", "EACCES", ...WENT_AHEAD],
          [R]: ["EINVAL", ...WENT_AHEAD],
          [P]: ["EINVAL", ...WENT_AHEAD],
          [P9]: ["EINVAL", ...WENT_AHEAD],
          [K]: ["EBUSY", ...WENT_AHEAD],
        },
        a,
        b,
      ),
  },
  {
    id: "reap-kill-ebusy",
    title: "REAP_KILL answers EBUSY when one of its kills fails (no permission, init)",
    explanation: "kill_all_shared_mm() sends SIGKILL with the pidfd path's permission check to " +
      "every process sharing the mm and answers EBUSY for an init sharer or a failed kill " +
      "(§A.5 v3; Christian Brauner: EBUSY makes no sense). kill(2) and SYNC_REAP_MM answer " +
      "EPERM, the two-step designs' own kill fails silently and their call then refuses a " +
      "target that is not dying, and the OOM killer kills in the kernel's name.",
    separates: [[K], [S, O, Y, M, R, P, P9]],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [K, P], kernel: "6.18" },
    matches: (f, a, b) =>
      (!f.mayKill || f.target === "init") && ret(a) === "EBUSY" && ret(b) !== "EBUSY",
  },
  {
    id: "refusal-after-the-same-kill",
    title:
      "SIGKILL alone has no eligibility test: 0 where a reaping call refuses after the same kill",
    explanation: "kill(2) answers 0 whenever the signal could be sent, even when it is then " +
      "ignored or dropped (§A.0); the reaping designs test eligibility after their kill and " +
      "refuse with an errno (EINVAL, EBUSY, ESRCH, EACCES: §A.1–§A.4). The return codes " +
      "differ; the memory is whatever the kills give (other classes account for a kill " +
      "that differs).",
    separates: [[S, O], CALLER_REAPS],
    explains: ["ret"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (_f, a, b) =>
      ["0", "EPERM", "ESRCH"].includes(ret(a)) &&
      ["EINVAL", "EBUSY", "ESRCH", "EACCES", "EPERM"].includes(ret(b)) && ret(a) !== ret(b),
  },
  {
    id: "pidfd-open-fails",
    title:
      "a reaped target: kill(2) answers ESRCH, the fd designs EBADF from the failed pidfd_open",
    explanation: "Once the target has been waited for, pidfd_open() fails with ESRCH and the " +
      "recipe hands its errno on as the fd, so every fd design's own fd check answers EBADF " +
      "(§A.0), while kill(2) and the OOM killer answer ESRCH (get_pid_task NULL).",
    separates: [[S, O], CALLER_REAPS],
    explains: ["ret"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) => f.callFd === null && ret(a) === "ESRCH" && ret(b) === "EBADF",
  },
  // ---- eligibility: live sharers, core dumps, live targets ----
  {
    id: "madvise-zaps-live-sharer",
    title: "process_madvise zaps an mm a live sharer still uses",
    explanation: "process_madvise's only dying test is signal_group_exit() of the target's own " +
      "thread group (§A.2 step 7): a vfork parent or child, or a CLONE_VM sibling that was " +
      "not killed, keeps using the memory it zaps (Jann Horn, §C.2). task_will_free_mem() " +
      "walks every process sharing the mm (§B.2), so SYNC_REAP_MM (EBUSY), process_reap " +
      "and process_mrelease (EINVAL) refuse; SIGKILL alone frees nothing while the sharer " +
      "lives; the OOM killer kills the sharers too (§B.4).",
    separates: [[M], [S, O, Y, R, P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [M, P], kernel: "5.15" },
    matches: (f, a, b) =>
      f.liveSharer && WENT_AHEAD.includes(ret(a)) &&
      [...WENT_AHEAD, "EBUSY", "EINVAL"].includes(ret(b)),
  },
  {
    id: "madvise-zaps-core-dump",
    title: "process_madvise zaps a process that is dumping core",
    explanation: "signal_group_exit() is true during a core dump (v5.10's group_exit_task; the " +
      "lab's choice, §A.2 behaviour matrix, UNVERIFIED §G.6), so process_madvise zaps the " +
      "memory the dump is reading, while task_will_free_mem() refuses a dumping process " +
      "(§B.2 step 1): EBUSY for SYNC_REAP_MM, EINVAL for process_reap and process_mrelease.",
    separates: [[M], [S, O, Y, R, P, P9]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [M, P], kernel: "5.15" },
    matches: (f, a, b) =>
      f.coreDump && WENT_AHEAD.includes(ret(a)) &&
      [...WENT_AHEAD, "EBUSY", "EINVAL"].includes(ret(b)),
  },
  {
    id: "reap-kill-live-target",
    title: "REAP_KILL reaps a live target the others refuse",
    explanation: "With PROCESS_MRELEASE_REAP_KILL the target need not be dying: the call kills " +
      "every process sharing the mm itself and reaps (§A.5 v3), where process_mrelease and " +
      "process_reap answer EINVAL, SYNC_REAP_MM EBUSY and process_madvise EINVAL or EACCES " +
      "for a target that is not dying, shares its mm with a live process, or dumps core.",
    separates: [[K], [S, O, Y, M, R, P, P9]],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [K, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.target === "alive" && (f.liveSharer || f.coreDump || !f.killInCall) &&
      WENT_AHEAD.includes(ret(a)) && !WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "kills-every-sharer",
    title:
      "the OOM killer and REAP_KILL kill every process sharing the mm; SIGKILL alone only the target",
    explanation: "__oom_kill_process() sends SIGKILL to every other process that shares the " +
      "victim's mm (§B.4), and REAP_KILL's kill_all_shared_mm() does the same before it " +
      "reaps (§A.5), so the memory comes back once they all exit. SIGKILL alone, and the " +
      "designs that refuse a live sharer or zap under it, leave the sharer running and " +
      "holding the mm until it exits on its own: how much comes back, when, and in whose " +
      "exit (the victim's or the sharer's, `other`) differ.",
    separates: [[O, K], [S, Y, M, R, P, P9]],
    explains: ["freed", "paid", "time"],
    example: { pair: [O, S], kernel: "6.18" },
    matches: (f, a, b) =>
      f.liveSharer && (a.memory.freed_pages !== b.memory.freed_pages ||
        a.memory.t100_ns !== b.memory.t100_ns || !sameFreedBy(a, b)),
  },
  {
    id: "no-kill-before-the-call",
    title: "without the recipe's SIGKILL the two-step designs see a live target (EINVAL)",
    explanation: "With `intent.call.kill: false` the memory killer skips its own SIGKILL. " +
      "kill(2), the OOM killer, SYNC_REAP_MM and REAP_KILL kill in their call anyway; " +
      "process_madvise, process_reap and process_mrelease are asked to reap a live target " +
      "and refuse (EINVAL; process_madvise EACCES first without ptrace rights: §A.2, §A.3, " +
      "§A.4.5; or whatever else they answer for a target nobody killed), and the target " +
      "lives on with its memory.",
    separates: [[S, O, Y, K], [M, R, P, P9]],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [Y, P], kernel: "6.18" },
    matches: (f, _a, b) => !f.killInCall && /^E/.test(ret(b)),
  },
  {
    id: "no-kill-no-signal",
    title:
      "without the recipe's SIGKILL only the designs that kill in their call signal the target",
    explanation: "With `intent.call.kill: false`, kill(2), the OOM killer, SYNC_REAP_MM and " +
      "REAP_KILL still send SIGKILL as part of their call; process_madvise, process_reap and " +
      "process_mrelease send nothing, and act on the target only if it is dying anyway " +
      "(an exit of its own, another actor's kill: §A.4.5 'dying does not require a kill'); " +
      "the target then exits, and frees its memory, only when its own exit comes.",
    separates: [[S, O, Y, K], [M, R, P, P9]],
    explains: ["signal", "freed", "paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) => !f.killInCall && a.signal_delivered && !b.signal_delivered,
  },
  // ---- the call's arguments ----
  {
    id: "flags-per-syscall",
    title: "the flags argument is each syscall's own: an odd value is another call, or EINVAL",
    explanation: "`intent.call.flags` replaces each design's usual flags, and each syscall reads " +
      "them its own way: kill(2) and the OOM killer take none; pidfd_send_signal accepts only " +
      "SYNC_REAP_MM with SIGKILL, and 0 is a plain kill (§A.1); process_madvise accepts " +
      "PMADV_FLAG_RANGE, and 0 is the per-iovec mode with an empty vector (§A.2); " +
      "process_reap and process_mrelease accept only 0 (§A.3, §A.4.2); REAP_KILL accepts its " +
      "flag, and 0 is plain process_mrelease without the kill (§A.5). Flags are checked " +
      "before anything else, so an unknown value is EINVAL, before or after the recipe's " +
      "own SIGKILL.",
    separates: [ALL, ALL],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [P, K], kernel: "6.18" },
    matches: (f, a, b) => {
      if (f.callFlags === null) return false;
      const ma = flagsMeaning(targetOf(a), f.callFlags),
        mb = flagsMeaning(targetOf(b), f.callFlags);
      const einvalOk = (m: string, o: Outcome) =>
        !m.startsWith("einval") || ["EINVAL", ...STOPPED].includes(ret(o));
      return ma !== mb && einvalOk(ma, a) && einvalOk(mb, b);
    },
  },
  {
    id: "fd-versus-pid",
    title: "kill(2) and the OOM killer take a pid; the fd designs answer EBADF for a bad fd",
    explanation: "SIGKILL alone and the OOM killer name the victim by pid; every other design " +
      "takes the fd `intent.call.fd` gives. A closed fd or a plain file is EBADF for all of " +
      "them (pidfd_get_pid, pidfd_to_pid: §A.0), and the two-step designs' own SIGKILL through " +
      "it fails as well, so nothing is killed. A /proc/<pid> directory fd is accepted by " +
      "pidfd_send_signal only (§A.0): SYNC_REAP_MM works with it, the two-step designs kill " +
      "through it and then get EBADF from their call.",
    separates: [[S, O, Y], CALLER_REAPS],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) => {
      const ebadf = ["EBADF", ...STOPPED].includes(ret(b));
      if (f.callFd === "bad" || f.callFd === "file") return targetOf(a) !== Y && ebadf;
      if (f.callFd === "proc_dir") return targetOf(b) !== Y && ebadf;
      return false;
    },
  },
  {
    id: "proc-dir-fd",
    title: "a /proc/<pid> fd: the two-step recipes kill through it, REAP_KILL rejects it first",
    explanation: "pidfd_send_signal() accepts a /proc/<pid> directory fd as well as a pidfd " +
      "(§A.0), so the two-step recipes' SIGKILL gets through before their own call answers " +
      "EBADF (pidfd_get_pid takes pidfds only); REAP_KILL kills inside process_mrelease, " +
      "after pidfd_get_task() has already rejected the fd.",
    separates: [[M, R, P, P9], [K]],
    explains: ["signal", "freed", "paid", "time"],
    example: { pair: [P, K], kernel: "6.18" },
    matches: (f, a, b) => f.callFd === "proc_dir" && ret(a) === "EBADF" && ret(b) === "EBADF",
  },
  {
    id: "fd-names-another-process",
    title: "the fd names another process than the target: the fd designs act on it instead",
    explanation: "With `intent.call.fd` naming a pidfd of process 1000 while the target is its " +
      "vfork child, its CLONE_VM sibling, init or a kthread, SIGKILL alone and the OOM " +
      "killer act on the target (by pid) and every fd design on process 1000 (§A.0): the " +
      "calls are about different processes.",
    separates: [ALL, ALL],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f) => f.callFd === "other",
  },
  // ---- who sends SIGKILL ----
  {
    id: "oom-killer-needs-no-permission",
    title: "the OOM killer signals in the kernel's name; every other kill needs permission",
    explanation: "__oom_kill_process() sends SIGKILL as the kernel (SEND_SIG_PRIV, §B.4); " +
      "kill(2), pidfd_send_signal and REAP_KILL's kills go through check_kill_permission() " +
      "(§A.1 step 5, §A.5), so a caller without a uid match or CAP_KILL leaves the target " +
      "alive and its memory where it is.",
    separates: [[O], [S, Y, M, R, P, P9, K]],
    explains: ["signal", "freed", "paid", "time"],
    example: { pair: [O, S], kernel: "6.18" },
    matches: (f, a, b) => !f.mayKill && a.signal_delivered && !b.signal_delivered,
  },
  {
    id: "oom-killer-spares-the-dying",
    title: "the OOM killer sends no SIGKILL to a victim that is already dying",
    explanation: "oom_kill_process() first asks task_will_free_mem(victim): a victim already " +
      "exiting (killed by another actor, exiting on its own, past its core dump) is only " +
      "marked and queued for the oom_reaper, not signalled (§B.2). kill(2) and the other " +
      "recipes send their SIGKILL anyway, and it is generated even if it changes nothing.",
    separates: [[O], [S, Y, M, R, P, P9, K]],
    explains: ["signal"],
    example: { pair: [O, S], kernel: "5.15" },
    matches: (f, a, b) =>
      f.mayHaveExited && !a.signal_delivered && b.signal_delivered &&
      ["0", ...STOPPED].includes(ret(a)),
  },
  {
    id: "no-signal-to-an-exited-target",
    title: "the OOM killer and REAP_KILL send no SIGKILL to a target past exit_mm",
    explanation: "kill(2), SYNC_REAP_MM and the two-step recipes send SIGKILL first, and it is " +
      "generated even for a zombie (§A.0); the OOM killer looks for a thread with an mm " +
      "before it signals (find_lock_task_mm, §B.4) and REAP_KILL kills only the processes " +
      "it finds sharing the mm it found (§A.5), so neither sends anything to a target whose " +
      "threads have all passed exit_mm, even when REAP_KILL's find_lock_task_mm() still " +
      "caught the last one with its mm.",
    separates: [[O, K], [S, Y, M, R, P, P9]],
    explains: ["signal"],
    example: { pair: [K, S], kernel: "6.18" },
    matches: (f, a, b) =>
      f.mayHaveExited && !a.signal_delivered && b.signal_delivered &&
      (ret(a) === "ESRCH" || (targetOf(a) === K && WENT_AHEAD.includes(ret(a)))),
  },
  {
    id: "kill-inside-the-call",
    title:
      "SYNC_REAP_MM and REAP_KILL kill inside their call: a call that never gets there sends nothing",
    explanation: "The two-step recipes and kill(2) send SIGKILL first, in a syscall of its " +
      "own; SYNC_REAP_MM sends it inside pidfd_send_signal after its checks (§A.1) and " +
      "REAP_KILL inside process_mrelease after pidfd_get_task, find_lock_task_mm and mmgrab " +
      "(§A.5). A call still on its way when the run ends, or whose caller dies first, has " +
      "not signalled the target.",
    separates: [[Y, K], ALL],
    explains: ["signal"],
    example: { pair: [K, P], kernel: "6.18" },
    matches: (_f, a, b) => STOPPED.includes(ret(a)) && !a.signal_delivered && b.signal_delivered,
  },
  // ---- the memory: who frees which pages, and when ----
  {
    id: "caller-pays",
    title: "reaping designs free in the caller's context, SIGKILL alone when the victim runs",
    explanation: "A reaping design's call unmaps the victim's private memory in the caller's " +
      "context, on the caller's CPU and at its priority, as soon as it gets mmap_lock " +
      "(§A.1–§A.5, the 2019 RFC's motivation, §E.4); with SIGKILL alone the pages come back " +
      "only when the victim itself runs exit_mmap, however long it sleeps first, and never " +
      "when it cannot exit. The pages, who freed them, the caller's CPU time and the time of " +
      "the last page all differ.",
    separates: [[S, O], CALLER_REAPS],
    explains: ["freed", "paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) =>
      KILLED.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      (b.memory.freed_by.caller > a.memory.freed_by.caller ||
        b.cpu_ns.caller > a.cpu_ns.caller + f.overheadNs ||
        (b.memory.freed_by.caller > 0 &&
          (b.memory.t100_ns ?? Infinity) < (a.memory.t100_ns ?? Infinity))),
  },
  {
    id: "oom-reaper-kthread",
    title: "the OOM killer's oom_reaper kthread frees the memory, not the victim or the caller",
    explanation: "__oom_kill_process() marks the victim and queues it for the oom_reaper " +
      "kthread (§B.4), which reaps it in its own context with a trylock and ten retries, " +
      "immediately before v5.18; SIGKILL alone leaves the memory to the victim's exit, and " +
      "a reaping design frees it in the caller's context. (From v5.18 the kthread waits " +
      "OOM_REAPER_DELAY first: see oom-reaper-delay.)",
    separates: [[O], [S, Y, M, R, P, P9, K]],
    explains: ["freed", "paid", "time"],
    example: { pair: [O, S], kernel: "5.15" },
    matches: (f, a, b) =>
      a.memory.freed_by.kthreads > b.memory.freed_by.kthreads ||
      (a.memory.freed_by.kthreads > 0 &&
        (a.memory.t100_ns ?? Infinity) < (b.memory.t100_ns ?? Infinity)) ||
      // From v5.18 the kthread wakes OOM_REAPER_DELAY after the kill, into a teardown
      // still under way, and competes with it for the CPU and mmap_lock.
      (f.kernelCode >= 518 && sameContexts(a, b) &&
        Math.max(a.memory.t100_ns ?? 0, b.memory.t100_ns ?? 0) >= OOM_REAPER_DELAY_NS),
  },
  {
    id: "oom-reaper-delay",
    title:
      "the oom_reaper waits OOM_REAPER_DELAY from v5.18: a reaping design has long freed the memory",
    explanation: "From e4a38402c36e (v5.18) queue_oom_reaper() arms a timer of " +
      "OOM_REAPER_DELAY (2 s) before the kthread may reap, to leave the victim time for its " +
      "robust-futex cleanup (§B.4, §F.6); before v5.18 it reaps at once. A reaping design " +
      "starts in the caller's context at once and has no such delay, so on 5.18+ its pages " +
      "come back seconds earlier than the OOM killer's, when the victim cannot exit by itself.",
    separates: [[O], CALLER_REAPS],
    explains: ["freed", "paid", "time"],
    example: { pair: [O, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.kernelCode >= 518 && WENT_AHEAD.includes(ret(b)) && b.memory.freed_by.caller > 0 &&
      a.memory.freed_by.caller === 0 &&
      (a.memory.t100_ns === null || a.memory.t100_ns >= OOM_REAPER_DELAY_NS),
  },
  {
    id: "oom-victim-thawed",
    title: "mark_oom_victim() thaws a frozen victim; SIGKILL alone leaves it frozen",
    explanation: "A frozen task does not act on SIGKILL until it is thawed. The OOM killer's " +
      "mark_oom_victim() thaws it (__thaw_task, §B.4), so the victim exits and frees its " +
      "memory (or lets the last user of the mm do so, in its own context); with SIGKILL " +
      "alone, and after a reaping design's call, it stays frozen with whatever the call " +
      "left. Everything after that moment differs.",
    separates: [[O], [S, Y, M, R, P, P9, K]],
    explains: ["freed", "paid", "time"],
    example: { pair: [O, S], kernel: "6.18" },
    matches: (f) => f.frozen,
  },
  {
    id: "oom-victim-exit-reaps-itself",
    title:
      "before v6.0 an OOM victim's exit_mmap reaps itself first: private pages first, the whole exit later",
    explanation: "From 27ae357fa82b (v4.17) until bf3980c85212 (v6.0) exit_mmap of an mm " +
      "marked MMF_OOM_VICTIM first runs __oom_reap_task_mm() itself, at the reaper's cost " +
      "per page, sets MMF_OOM_SKIP, then unmaps what is left (§B.5). A victim the OOM " +
      "killer marked therefore frees its private pages before its shared and file mappings, " +
      "and takes longer over the whole exit, than one SIGKILL alone killed (whoever runs that " +
      "exit_mmap: the victim, or a /proc reader's last mmput, in the caller's context or " +
      "not): its last " +
      "private page comes back earlier or later, and a run that ends mid-exit has freed " +
      "another amount.",
    separates: [[O], [S, Y, M, R, P, P9, K]],
    explains: ["freed", "paid", "time"],
    example: { pair: [O, S], kernel: "5.15" },
    matches: (f, a, b) =>
      f.kernelCode < 600 &&
      (a.memory.freed_by.caller === b.memory.freed_by.caller || nestedContexts(a, b)) &&
      (a.memory.freed_pages !== b.memory.freed_pages || a.memory.t100_ns !== b.memory.t100_ns ||
        a.cpu_ns.caller !== b.cpu_ns.caller),
  },
  {
    id: "mlocked-memory",
    title: "mlocked memory: reaped from 5.18 only, never by MADV_DONTNEED",
    explanation: "Before a213e5cf71cb (v5.18) __oom_reap_task_mm() skips VM_LOCKED VMAs like " +
      "process_madvise's can_madv_lru_vma() does; from v5.18 the reapers free mlocked " +
      "memory and process_madvise still skips it (§B.3, §A.2 step 8). The mlocked pages " +
      "then come back in the caller's reap or only with the victim's own exit_mmap.",
    separates: [[M], [Y, R, P, P9, K]],
    explains: ["freed", "paid", "time"],
    example: { pair: [M, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.mlockedPages > 0 && f.kernelCode >= 518 && WENT_AHEAD.includes(ret(a)) &&
      WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "notifier-eagain",
    title: "a refusing mmu notifier: the reapers answer EAGAIN, process_madvise waits and zaps it",
    explanation: "__oom_reap_task_mm() starts the invalidation without blocking and skips a " +
      "VMA whose notifier refuses, answering false (§B.3 steps 4-5): SYNC_REAP_MM, " +
      "process_reap, process_mrelease and REAP_KILL return EAGAIN with that VMA left. " +
      "process_madvise's zap_page_range() uses blocking notifiers and zaps it too (§A.2, " +
      "§B.6), and kill(2) leaves it to the victim's exit.",
    separates: [[Y, R, P, P9, K], [S, O, M]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [P, M], kernel: "6.18" },
    matches: (f, a, b) =>
      f.refusingVma && ret(a) === "EAGAIN" && [...KILLED, ...WENT_AHEAD].includes(ret(b)),
  },
  {
    id: "reverse-walk",
    title: "from 6.18 the reaper walks the VMAs from the top; MADV_DONTNEED from the bottom",
    explanation: "zhongjinji's 2025 change makes __oom_reap_task_mm() walk the maple tree in " +
      "reverse, to meet exit_mmap from the other end (§B.3, §E.4); process_madvise's " +
      "do_madvise() walks forward. The same VMAs are zapped at the same cost, in another " +
      "order, so the last private page comes back at another time.",
    separates: [[M], [Y, R, P, P9, K]],
    explains: ["time"],
    example: { pair: [M, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.kernelCode >= 618 && WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b),
  },
  {
    id: "mm-users-pin",
    title:
      "SYNC_REAP_MM/process_reap pin mm_users (mmget): the caller runs exit_mmap; mrelease v5.17+ pins mm_count",
    explanation: "reap_mm(), process_reap and process_madvise's mm_access() take mmget() " +
      "(mm_users) under task_lock (§A.1 step 3, §A.3, §A.2): the victim's last exit_mm then " +
      "cannot start exit_mmap, and the caller's mmput() runs the whole teardown itself. " +
      "process_mrelease from 337546e83fc7 until v5.17 pins with mmget_not_zero() only after " +
      "task_unlock, a preemption point: when the victim gets there first, exit_mmap runs in " +
      "its context and the call answers 0 with nothing to do (§F.1). process_mrelease as " +
      "merged (v9) and from v5.17, and REAP_KILL, pin only mm_count (mmgrab): the victim's " +
      "exit_mmap runs in parallel with the reap and frees its share in its own context " +
      "(§A.4.1, §B.5), competing with it for the CPU and the mm, and once exit_mmap has " +
      "set MMF_OOM_SKIP the call finds nothing left to do (0 where a pinned reap answers " +
      "EAGAIN for a refusing notifier). The same pages come back, paid for by different " +
      "contexts at different times, and a caller left with the teardown of a large mm may " +
      "still be at it when the run ends.",
    separates: [[Y, M, R, P], [P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [R, P], kernel: "6.18" },
    matches: (f, a, b) =>
      pinRank(targetOf(a), f) > pinRank(targetOf(b), f) && WENT_AHEAD.includes(ret(a)) &&
      WENT_AHEAD.includes(ret(b)) &&
      (ret(a) === ret(b) || ret(a) === "unfinished" || ret(b) === "unfinished" ||
        [ret(a), ret(b)].sort().join() === "0,EAGAIN"),
  },
  {
    id: "v9-no-recheck-under-the-lock",
    title:
      "v9 walks an mm that exit_mmap has already unmapped; v5.17+ re-checks MMF_OOM_SKIP under the lock",
    explanation: "ba535c1caf3e (v5.17) made process_mrelease re-check MMF_OOM_SKIP after it " +
      "gets mmap_read_lock, so that a completed exit_mmap is seen and the call answers 0 " +
      "with nothing to do (§A.4.1, §A.4.3 step 8; REAP_KILL shares that tail). v9 as merged " +
      "tests MMF_OOM_SKIP only before the lock (§A.4.2): once the victim's exit_mmap has " +
      "unmapped the mm and set the flag (§B.5) it still walks it, and answers EAGAIN for a " +
      "refusing notifier on a VMA that no longer maps anything. REAP_KILL, run on an older " +
      "kernel, keeps mainline's re-check.",
    separates: [[P9], [P, K]],
    explains: ["ret", "paid"],
    example: { pair: [P9, P], kernel: "6.0" },
    matches: (_f, a, b) =>
      ret(a) === "EAGAIN" && ret(b) === "0" && a.memory.freed_pages === b.memory.freed_pages &&
      sameFreedBy(a, b),
  },
  {
    id: "kill-and-lock-in-one-call",
    title: "killing and reaping in one call reaches mmap_lock before the victim's exit_mmap",
    explanation: "SYNC_REAP_MM and REAP_KILL send SIGKILL and take mmap_lock in the same " +
      "syscall (§A.1, §A.5); the two-step recipes kill in one syscall and make their call in " +
      "the next. A victim that dies quickly can reach exit_mmap in between, and then the " +
      "two-step call has nothing to do (MMF_OOM_SKIP under the lock, §A.4.3 step 8; " +
      "mmget_not_zero failing, §F.1): it answers 0 where the one-call design reaps, or " +
      "answers EAGAIN for a refusing notifier. Either may get there first, so the pages " +
      "are split between the caller's reap and the victim's exit differently (and a slow " +
      "caller that got the lock first may still be walking when the run ends).",
    separates: [[Y, K], [M, R, P, P9]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [K, P], kernel: "6.18" },
    matches: (_f, a, b) =>
      WENT_AHEAD.includes(ret(a)) && WENT_AHEAD.includes(ret(b)) &&
      ((a.memory.freed_by.caller !== b.memory.freed_by.caller &&
        a.memory.freed_by.victim !== b.memory.freed_by.victim) ||
        (ret(a) === "EAGAIN" && ret(b) === "0")),
  },
  {
    id: "exit-mmap-waits-for-the-walk",
    title: "from v5.17 the victim's exit_mmap waits for a reaping call's read lock",
    explanation: "A reaping call walks the mm under mmap_read_lock; from 64591e8605d6 (v5.17) " +
      "exit_mmap unmaps under the write lock (v6.0: frees under it, §B.5), so a victim that " +
      "reaches exit_mmap while the call still walks, even over VMAs it skips (mlocked for " +
      "process_madvise, hugetlb, shared), waits for it: its own share comes back later than " +
      "when nobody held the lock, or not before the run ends when the walk is slow.",
    separates: [CALLER_REAPS, [S, O, Y, M, R, P, P9, K]],
    explains: ["freed", "paid", "time"],
    example: { pair: [M, S], kernel: "5.18" },
    matches: (f, a, b) =>
      f.kernelCode >= 517 && WENT_AHEAD.includes(ret(a)) &&
      a.memory.freed_by.caller <= b.memory.freed_by.caller &&
      (a.memory.freed_by.victim < b.memory.freed_by.victim ||
        (a.memory.t100_ns ?? Infinity) > (b.memory.t100_ns ?? Infinity)),
  },
  {
    id: "work-without-anon-pages",
    title:
      "swap entries and page-cache pages cost CPU but are not private pages: who did that work shows only in CPU time",
    explanation: "A reap also frees the swap entries of the ranges it zaps and unmaps the " +
      "page-cache pages of private file mappings (§B.3), and exit_mmap tears down shared " +
      "and file mappings too (§B.5); none of that is a private anon page. When the same " +
      "private pages come back in the same contexts, the split of that other work between " +
      "the caller's walk and the victim's exit_mmap running alongside it shows only in the " +
      "caller's CPU time.",
    separates: [ALL, ALL],
    explains: ["paid"],
    example: { pair: [P9, K], kernel: "5.10" },
    matches: (f, a, b) =>
      f.nonAnonWork && a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b),
  },
  {
    id: "madvise-misses-a-voluntary-exit",
    title:
      "process_madvise refuses a lone thread that exits by itself; task_will_free_mem calls it dying",
    explanation: "A single-threaded process that calls _exit() has PF_EXITING but no " +
      "SIGNAL_GROUP_EXIT: task_will_free_mem() counts it as dying (§B.2 rule 3, §A.4.5 " +
      "'dying does not require a kill'), so SYNC_REAP_MM, process_reap, process_mrelease " +
      "and REAP_KILL reap it, while process_madvise's signal_group_exit() test answers " +
      "EINVAL (§A.2 step 7) and the memory waits for the exit.",
    separates: [[M], [Y, R, P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [M, P], kernel: "6.18" },
    matches: (f, a, b) => f.exits && ret(a) === "EINVAL" && WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "last-one-out-runs-exit-mmap",
    title: "the last process to drop the mm runs exit_mmap: which one it is depends on the kills",
    explanation: "Whoever drops the last mm_users reference runs exit_mmap in its own context " +
      "(§B.5): the victim's last thread, a dying sharer, a /proc reader, or a caller that " +
      "pinned the mm with mmget() for its reap. Whom a design kills and when (the OOM killer " +
      "and REAP_KILL kill the sharers too, §B.4, §A.5), and how long its pin lasts, decide " +
      "who that is: the same pages come back, counted to another context (`other` for a " +
      "sharer), and a caller left with a large teardown (after its pinned reap, or as the " +
      "/proc reader itself) pays for it and may still be at it when the run ends.",
    separates: [ALL, ALL],
    explains: ["paid", "time"],
    example: { pair: [S, O], kernel: "6.18" },
    matches: (f, a, b) =>
      (f.sharer || f.procReaders || pinRank(targetOf(a), f) > 0 || pinRank(targetOf(b), f) > 0) &&
      a.memory.freed_pages === b.memory.freed_pages &&
      a.memory.freed_by.kthreads === b.memory.freed_by.kthreads &&
      (a.memory.freed_by.victim !== b.memory.freed_by.victim ||
        a.memory.freed_by.other !== b.memory.freed_by.other ||
        (Math.abs(a.cpu_ns.caller - b.cpu_ns.caller) > f.overheadNs &&
          (ret(a) === "unfinished" || ret(b) === "unfinished" || f.readerIsCaller))),
  },
  {
    id: "which-thread-exits-last",
    title: "the victim's threads exit in another order: the last one runs exit_mmap on its own CPU",
    explanation: "The victim's last thread to pass exit_mm runs exit_mmap (§B.5), at the " +
      "speed of the CPU it is on. A design's calls change when and where the victim's " +
      "threads run (a kill from another CPU, a caller that shares a CPU with them, the OOM " +
      "killer's marking), so with threads on CPUs of different speeds the victim's own " +
      "teardown comes back at another time, or gets further by the end of the run.",
    separates: [ALL, ALL],
    explains: ["freed", "paid", "time"],
    example: { pair: [S, O], kernel: "6.18" },
    matches: (f, a, b) =>
      f.victimSpread && a.memory.freed_by.caller === b.memory.freed_by.caller &&
      a.memory.freed_by.kthreads === b.memory.freed_by.kthreads &&
      a.memory.freed_by.other === b.memory.freed_by.other &&
      Math.abs(a.cpu_ns.caller - b.cpu_ns.caller) <= f.overheadNs,
  },
  // ---- concurrency, and the limits of a run ----
  {
    id: "sync-reap-mm-sets-oom-skip",
    title:
      "SYNC_REAP_MM sets MMF_OOM_SKIP: a concurrent caller gets EBUSY where the others all reap",
    explanation: "reap_mm() sets MMF_OOM_SKIP before it reaps, to keep the OOM killer and other " +
      "SYNC_REAP_MM callers away (§A.1 step 5); task_will_free_mem() then answers false for " +
      "everyone else, so a second caller that comes first leaves this one with EBUSY. " +
      "process_reap and process_mrelease never set it, and concurrent callers all reap in " +
      "parallel (§A.3, §A.4.5).",
    separates: [[Y], [S, O, M, R, P, P9, K]],
    explains: ["ret", "freed", "paid", "time"],
    example: { pair: [Y, P], kernel: "5.15" },
    matches: (f, a, b) => f.secondCaller && ret(a) === "EBUSY" && WENT_AHEAD.includes(ret(b)),
  },
  {
    id: "second-caller",
    title:
      "a second caller runs the same recipe: each design shares, races or refuses the work differently",
    explanation: "With `intent.also` a second thread of the memory killer makes the same call " +
      "a little later. SYNC_REAP_MM's MMF_OOM_SKIP turns whichever comes second away with " +
      "EBUSY (§A.1); process_reap, process_mrelease and REAP_KILL reap in parallel and " +
      "split the pages, and whichever drops the last mm_users reference runs exit_mmap " +
      "(§A.4.5); process_madvise zaps again; kill(2) just kills twice. Which of the two " +
      "threads runs first is a scheduler choice, and each design's call sequence draws the " +
      "choice list differently, so the order itself, and with it when everyone else runs, " +
      "can differ. The second caller's pages are counted in `memory.freed_by.other`, and " +
      "its SIGKILL in `signal_delivered`. This is the coarsest class: in such a world it " +
      "accounts for any difference.",
    separates: [ALL, ALL],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [Y, P], kernel: "6.18" },
    matches: (f) => f.secondCaller,
  },
  {
    id: "caller-killed-mid-call",
    title: "the memory killer is killed while its reaping call runs",
    explanation: "When the caller's own process gets SIGKILL (`killed_after`), kill(2) and the " +
      "OOM killer have long returned; a reaping call that is still walking the mm or " +
      "waiting for mmap_lock dies before it returns (process_mrelease's and REAP_KILL's " +
      "mmap_read_lock_killable answer EINTR first, §A.4.2 step 9; SYNC_REAP_MM's, " +
      "process_reap's and process_madvise's locks are not killable, §B.6). Recipes of " +
      "different lengths die at different points (before or after their own SIGKILL, " +
      "before or after the reap), and what the caller had not done is left undone.",
    separates: [ALL, ALL],
    explains: ["ret", "signal", "freed", "paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) =>
      f.callerKilled && ["killed", "EINTR"].includes(ret(b)) &&
      (ret(a) !== ret(b) || ret(a) === "killed"),
  },
  {
    id: "unfinished-at-horizon",
    title: "the reaping call has not returned when the run ends",
    explanation: "A reaping call can outlast the run: it waits for mmap_lock behind a D-state " +
      "writer or a queued exit_mmap (SYNC_REAP_MM, process_madvise and process_reap with a " +
      "lock that is not even killable, §B.6), or it is still walking a large mm on a slow " +
      "CPU. kill(2) and the OOM killer return at once; a design that refused or found " +
      "nothing to wait for returned too.",
    separates: [ALL, CALLER_REAPS],
    explains: ["ret"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (_f, a, b) => ret(a) !== "unfinished" && ret(b) === "unfinished",
  },
  {
    id: "both-unfinished",
    title: "both calls are still reaping when the run ends: each got as far as its walk",
    explanation: "Two calls still walking the mm (or waiting for it) at the horizon have freed " +
      "what their walks reached, and the victim's exit_mmap running alongside them what it " +
      "reached: the VMA order (forward, or reverse from 6.18), the skip rules (§B.3, §A.2), " +
      "when each got mmap_lock and whether it pinned mm_users decide how much.",
    separates: [CALLER_REAPS, CALLER_REAPS],
    explains: ["freed", "paid", "time"],
    example: { pair: [M, P], kernel: "6.18" },
    matches: (_f, a, b) => ret(a) === "unfinished" && ret(b) === "unfinished",
  },
  {
    id: "cut-off-by-the-horizon",
    title:
      "neither run got the memory back before the horizon: how much each freed by then is progress",
    explanation: "When the run ends with the victim's memory still coming back in both runs " +
      "(t100 never reached), `freed_pages` and who freed them measure how far each context " +
      "got by then: the caller's walk, the victim's exit_mmap, a /proc reader's teardown " +
      "(§B.5). " +
      "Every other difference (who works, on which CPU, at what cost per page, waiting for " +
      "which lock) moves that point.",
    separates: [ALL, ALL],
    explains: ["freed", "paid"],
    example: { pair: [S, P], kernel: "5.10" },
    matches: (_f, a, b) =>
      a.memory.t100_ns === null && b.memory.t100_ns === null &&
      (a.memory.freed_pages > 0 || b.memory.freed_pages > 0),
  },
  {
    id: "scheduler-choices",
    title: "the same work on another CPU: the scheduler's choices fall differently for each design",
    explanation: "Which idle CPU a woken task moves to, and which of equally ranked tasks runs " +
      "next, are drawn from one choice list (docs/architecture.md, the scheduler; the " +
      "reference's calibration, §E.4, makes a little core several times slower); each " +
      "design's call sequence makes a different number of draws, so the same world can put " +
      "the caller on a faster or slower CPU. The same pages freed in the same contexts then " +
      "cost the caller a different amount of CPU time and come back at another time.",
    separates: [ALL, ALL],
    explains: ["paid", "time"],
    example: { pair: [P, K], kernel: "6.18" },
    matches: (f, a, b) =>
      f.callerMayMove && ret(a) === ret(b) && a.memory.freed_pages === b.memory.freed_pages &&
      sameFreedBy(a, b),
  },
  {
    id: "call-overhead",
    title: "the recipes differ by a syscall or a check: the same work, microseconds apart",
    explanation: "Every design does the same thing to the world but with its own calls: SIGKILL " +
      "alone is one kill(2); the two-step designs open a pidfd, send SIGKILL through it and " +
      "then make their call; SYNC_REAP_MM and REAP_KILL kill inside their one call; " +
      "find_lock_task_mm and task_will_free_mem walk threads and processes (§B.1, §B.2). " +
      "The same pages freed in the same contexts with the caller's CPU time within " +
      "OVERHEAD_NS (100 µs on a full-speed CPU, scaled to the slowest CPU of the world) is " +
      "that overhead and nothing else, whatever the calls answered.",
    separates: [ALL, ALL],
    explains: ["paid"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) =>
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b) &&
      near(f, a.cpu_ns.caller, b.cpu_ns.caller),
  },
  {
    id: "call-overhead-time",
    title: "the same pages freed in the same contexts, the last one microseconds apart",
    explanation: "The other face of call-overhead: one recipe's extra syscalls and checks " +
      "(§B.1, §B.2) shift when the work starts, so the last page comes back within " +
      "OVERHEAD_NS (scaled to the slowest CPU) of the other's.",
    separates: [ALL, ALL],
    explains: ["time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) =>
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b) &&
      near(f, a.memory.t100_ns, b.memory.t100_ns),
  },
];

/**
 * Differences that look like bugs in a design or the core rather than semantics: recognised
 * so that the comparison can go on, reported (never counted as classified), and each with
 * the file and line to look at. An empty table is the goal.
 */
export const SUSPECTED_BUGS: readonly DifferenceClass[] = [
  {
    id: "stray-zombie-thread",
    title: "kill(2) answers 0 for a process whose leader was released, while pidfd_open says ESRCH",
    explanation: "A scenario may start a non-leader thread as a zombie. The loader keeps it as " +
      "TaskState::Zombie for good (wasm/src/load.rs:364-368), although exit_notify() releases " +
      "a non-leader at once (wasm/src/exit.rs:276-278, as the kernel's autoreap does). When " +
      "the group then exits and its leader is released, kill_pid_info() still counts the " +
      "stray zombie as a live thread (wasm/src/signal.rs:65-69) and answers 0 (even " +
      "generating the signal) or EPERM, while pidfd_open() and get_pid_task() answer ESRCH: kill(2) " +
      "and the fd designs disagree about whether the process exists. In the kernel both " +
      "answer ESRCH (§A.0: get_pid_task() returns NULL only after release_task()).",
    separates: [[S], [O, Y, M, R, P, P9, K]],
    explains: ["ret", "signal"],
    example: { pair: [S, P], kernel: "5.18" },
    matches: (f, a, b) =>
      f.strayZombieThread && ["0", "EPERM"].includes(ret(a)) &&
      ["EBADF", "ESRCH"].includes(ret(b)),
  },
  {
    id: "signal-delivered-counts-any-signal",
    title:
      "signal_delivered counts a SIGSTOP, SIGCONT or SIGTERM from another actor as the victim's SIGKILL",
    explanation: "docs/outcome-schema.md defines `signal_delivered` as the victim getting a " +
      "SIGKILL at or after the intent, but computeOutcome() (src/engine/run/outcome.ts:170-174) " +
      "takes any delivered signal_generate for the victim's tgid, without testing the " +
      "signal number. A scenario's own SIGSTOP or SIGCONT after the intent then counts, " +
      "and whether it does depends on whether the victim is still alive when it comes: two " +
      "designs that both failed to deliver SIGKILL (or both delivered it) can differ in " +
      "`signal_delivered` (§A.1 step 6 is about SIGKILL only).",
    separates: [ALL, ALL],
    explains: ["signal"],
    example: { pair: [S, Y], kernel: "5.10" },
    matches: (f) => f.otherSignalAfterIntent,
  },
];

/**
 * How firmly a design's call keeps the victim from running exit_mmap: 2 mmget() under
 * task_lock, 1 mmget_not_zero() after it (process_mrelease 5.15-5.16), 0 mmgrab() only.
 */
function pinRank(target: string, f: CaseFacts): number {
  if (target === Y || target === M || target === R) return 2;
  return target === P && f.kernelCode <= 516 ? 1 : 0;
}

/** What `flags` asks of a design (see the `flags-per-syscall` class). */
function flagsMeaning(target: string, flags: number): string {
  switch (target) {
    case S:
    case O:
      return "usual";
    case Y:
      return flags === 1 ? "usual" : flags === 0 ? "plain-kill" : "einval-unkilled";
    case M:
      return flags === 1 ? "usual" : flags === 0 ? "no-zap" : "einval-killed";
    case K:
      return flags === 1 ? "usual" : flags === 0 ? "mrelease-unkilled" : "einval-unkilled";
    default:
      return flags === 0 ? "usual" : "einval-killed";
  }
}

// ---- running and classifying ----

/** A world to compare on: a scenario, a kernel, and a choice list (none: the scenario's seed). */
export interface World {
  /** The validated scenario. */
  readonly scenario: Scenario;
  /** The kernel version. */
  readonly kernel: KernelVersion;
  /** The scheduler's choices, as fast-check generates them; absent: the seeded PRNG. */
  readonly choices?: readonly number[];
}

/** Two targets' outcomes on one world, and what explains their difference. */
export interface PairComparison {
  /** The two targets, in {@linkcode COMPARE_TARGETS} order. */
  readonly pair: readonly [string, string];
  /** Their outcomes. */
  readonly outcomes: readonly [Outcome, Outcome];
  /** The aspects that differ. */
  readonly aspects: readonly Aspect[];
  /** The classes that recognise the difference (ids, table order). */
  readonly classes: readonly string[];
  /** Differing aspects no recognising class accounts for: empty when classified. */
  readonly unexplained: readonly Aspect[];
  /** Suspected bugs ({@linkcode SUSPECTED_BUGS}) that account for the rest, if any. */
  readonly bugs: readonly string[];
}

/**
 * Classifies the difference between two targets' outcomes on one world.
 *
 * @example
 * ```ts
 * import { caseFacts, classifyPair } from "./compare.ts";
 * // classifyPair(caseFacts(s, "5.15"), ["sync_reap_mm", a], ["process_mrelease", b]);
 * ```
 */
export function classifyPair(
  f: CaseFacts,
  a: readonly [string, Outcome],
  b: readonly [string, Outcome],
  classes: readonly DifferenceClass[] = DIFFERENCE_CLASSES,
): PairComparison {
  const aspects = differingAspects(a[1], b[1]);
  const matched: string[] = [];
  const explained = new Set<Aspect>();
  if (aspects.length > 0) {
    for (const k of classes) {
      if (!k.explains.some((x) => aspects.includes(x))) continue;
      if (!classMatches(k, f, a, b)) continue;
      matched.push(k.id);
      for (const x of k.explains) explained.add(x);
    }
  }
  const unexplained = aspects.filter((x) => !explained.has(x));
  const bugs: string[] = [];
  if (unexplained.length > 0) {
    for (const k of SUSPECTED_BUGS) {
      if (!k.explains.some((x) => unexplained.includes(x)) || !classMatches(k, f, a, b)) continue;
      bugs.push(k.id);
      for (const x of k.explains) explained.add(x);
    }
  }
  return {
    pair: [a[0], b[0]],
    outcomes: [a[1], b[1]],
    aspects,
    classes: matched,
    unexplained: aspects.filter((x) => !explained.has(x)),
    bugs,
  };
}

/** Whether class `k` recognises the difference between `a` and `b`, in either order. */
export function classMatches(
  k: DifferenceClass,
  f: CaseFacts,
  a: readonly [string, Outcome],
  b: readonly [string, Outcome],
): boolean {
  const [first, second] = k.separates;
  if (first.includes(a[0]) && second.includes(b[0]) && k.matches(f, a[1], b[1])) return true;
  return first.includes(b[0]) && second.includes(a[0]) && k.matches(f, b[1], a[1]);
}

/** Every target's outcome on a world, and every pair's comparison. */
export interface WorldComparison {
  /** The world's facts. */
  readonly facts: CaseFacts;
  /** Outcomes by target name; targets outside their domain (`outOfDomain`) are left out. */
  readonly outcomes: ReadonlyMap<string, Outcome>;
  /** Every pair of the targets that ran, in target order. */
  readonly pairs: readonly PairComparison[];
}

/**
 * Runs every target on one world and classifies every pair.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbCase } from "./gen.ts";
 * import { compareWorld } from "./compare.ts";
 * const [c] = fc.sample(arbCase(), 1);
 * const w = compareWorld(c);
 * console.log(w.pairs.filter((p) => p.unexplained.length > 0).length); // 0
 * ```
 */
export function compareWorld(
  w: World,
  opts: { targets?: readonly Target[]; classes?: readonly DifferenceClass[] } = {},
): WorldComparison {
  const facts = caseFacts(w.scenario, w.kernel);
  const outcomes = new Map<string, Outcome>();
  for (const t of opts.targets ?? compareTargets()) {
    if (t.design.name === "oom_reaper" && (facts.target === "init" || facts.target === "kthread")) {
      // outOfDomain(): the kernel's OOM killer never selects init or a kthread.
      continue;
    }
    outcomes.set(t.name, runOn(w, t));
  }
  const entries = [...outcomes];
  const pairs: PairComparison[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      pairs.push(classifyPair(facts, entries[i], entries[j], opts.classes));
    }
  }
  return { facts, outcomes, pairs };
}

/** One target's outcome on a world. */
export function runOn(w: World, t: Target): Outcome {
  return runScenario(w.scenario, {
    design: t.design,
    variant: t.variant,
    kernel: w.kernel,
    choices: w.choices,
  }).outcome;
}

// ---- refinements: where two designs must agree ----

/** A claim that two designs give the same result on a class of worlds. */
export interface Refinement {
  /** Its id. */
  readonly id: string;
  /** One line. */
  readonly title: string;
  /** Why it holds, where the designs legitimately differ, and how the domain excludes that. */
  readonly explanation: string;
  /** The two targets. */
  readonly pair: readonly [string, string];
  /** The kernels it is checked on. */
  readonly kernels: readonly KernelVersion[];
  /** Whether a world is in its domain (scenario facts only). */
  readonly domain: (f: CaseFacts) => boolean;
  /** What broke on a world of the domain, or null when it holds. */
  readonly check: (f: CaseFacts, a: Outcome, b: Outcome) => string | null;
}

/** Neither call has returned by the horizon (or its caller died): nothing to compare. */
function stopped(o: Outcome): boolean {
  return STOPPED.includes(ret(o));
}

function reapableAfter(o: Outcome): number {
  return o.calls[o.calls.length - 1]?.reapable_after_pages ?? -1;
}

/** The refinements the record implies, asserted by test/props/compare_test.ts. */
export const REFINEMENTS: readonly Refinement[] = [
  {
    id: "process-reap-v1-is-mrelease-v9",
    title: "process_reap v1 and process_mrelease@v9 answer alike and free the same pages on 5.15",
    explanation: "v2 of the series only renamed process_reap (§A.3, §A.4.1), and v9 differs " +
      "from v1 in three ways the record names: the TGID lookup (the same task for a pidfd, " +
      "which names a leader), find_lock_task_mm() instead of the leader's own mm, and " +
      "mmgrab() instead of mmget(). They legitimately differ (1) on a leader that has " +
      "passed exit_mm: process_reap answers EINVAL where v9 reaps through another thread " +
      "(zombie-leader), and (2) in who runs exit_mmap: v9's victim tears down alongside the " +
      "reap, process_reap's caller after it, and a /proc reader's reference prolongs " +
      "process_reap's pin (mm-users-pin, last-one-out-runs-exit-mmap). The domain is 5.15 " +
      "worlds with a live target whose leader is live at the call (nothing else makes it " +
      "exit first), a call that names the target, no second caller, no kill of the " +
      "caller, no /proc reader; the claim is " +
      "compared once both calls have returned. The two free the same pages whenever the " +
      "victim's memory has settled in both runs: all of it back, or a victim thread that " +
      "can never exit (then no exit_mmap races the reap, and the calls also answer the same " +
      "and leave the same reapable pages). Where the victim's own exit races the reap they " +
      "may answer differently (process_reap's pinned reap meets a refusing notifier: " +
      "EAGAIN; v9 finds the teardown done: 0), and a run cut off mid-teardown has freed " +
      "different amounts.",
    pair: [R, P9],
    kernels: ["5.15"],
    domain: (f) =>
      f.target === "alive" && !f.mayHaveExited && (f.callFd === null || f.callFd === "target") &&
      !f.secondCaller && !f.callerKilled && !f.procReaders,
    check: (f, a, b) => {
      if (stopped(a) || stopped(b)) return null;
      if (f.neverExits) {
        // No exit_mmap can race the reap: the calls themselves must agree.
        if (ret(a) !== ret(b)) return `process_reap answered ${ret(a)}, v9 ${ret(b)}`;
        if (reapableAfter(a) !== reapableAfter(b)) {
          return `reapable pages left: ${reapableAfter(a)} and ${reapableAfter(b)}`;
        }
      } else if (a.memory.t100_ns === null || b.memory.t100_ns === null) {
        return null;
      }
      if (a.memory.freed_pages !== b.memory.freed_pages) {
        return `freed ${a.memory.freed_pages} and ${b.memory.freed_pages} pages`;
      }
      return null;
    },
  },
  {
    id: "sync-reap-mm-is-kill-then-mrelease",
    title:
      "SYNC_REAP_MM on an eligible victim is kill(2) then process_mrelease, when nothing interleaves",
    explanation: "reap_mm() runs task_will_free_mem() and __oom_reap_task_mm() under " +
      "mmap_read_lock right after the kill (§A.1), as process_mrelease does after the " +
      "recipe's own SIGKILL (§A.4); on an eligible victim (alive, its leader live, no live " +
      "sharer, no core dump, the caller allowed to kill it, the usual call) with nothing " +
      "interleaving (no second caller, no later signal or exit, no /proc reader, no kill of " +
      "the caller, and a victim thread that cannot exit, so that its own exit_mmap never " +
      "races the reap: kill-and-lock-in-one-call, mm-users-pin), both answer the same (0, " +
      "or EAGAIN for a refusing notifier) and free the same pages, on every kernel.",
    pair: [Y, P],
    kernels: ["5.10", "5.15", "5.16", "5.17", "5.18", "6.0", "6.18"],
    domain: (f) =>
      f.target === "alive" && !f.mayHaveExited && !f.liveSharer && !f.coreDump && f.mayKill &&
      f.callFlags === null && f.callFd === null && f.killInCall && !f.concurrent &&
      f.neverExits,
    check: (_f, a, b) => {
      if (stopped(a) || stopped(b)) return null;
      if (!["0", "EAGAIN"].includes(ret(a))) return `SYNC_REAP_MM answered ${ret(a)}`;
      if (ret(a) !== ret(b)) return `SYNC_REAP_MM answered ${ret(a)}, process_mrelease ${ret(b)}`;
      if (a.memory.freed_pages !== b.memory.freed_pages) {
        return `freed ${a.memory.freed_pages} and ${b.memory.freed_pages} pages`;
      }
      return null;
    },
  },
];

// ---- the fast-check drivers ----

/** Options of {@linkcode checkComparison} and {@linkcode checkRefinement}. */
export interface CompareCheckOptions {
  /** fast-check's numRuns. */
  numRuns: number;
  /** fast-check's seed. */
  seed: number;
  /** The targets (default {@linkcode compareTargets}; a test may swap in a mutated design). */
  targets?: readonly Target[];
  /** Kernels to draw from (default: all). */
  kernels?: readonly KernelVersion[];
}

/** A shrunk world fast-check reported, and what went wrong on it. */
export interface CompareFailure {
  /** The shrunk case. */
  readonly case: Case;
  /** What went wrong: unclassified pairs, or the broken refinement. */
  readonly problems: readonly string[];
  /** fast-check's counterexample path. */
  readonly path: string;
}

/** The result of a fast-check run of the comparison or a refinement. */
export interface CompareReport {
  /** Whether it held for the whole budget. */
  readonly ok: boolean;
  /** Runs made: the budget, or the run that failed first (runs-to-find). */
  readonly runs: number;
  /** The seed. */
  readonly seed: number;
  /** The shrunk counterexample, if any. */
  readonly failure?: CompareFailure;
}

/** The unclassified pairs of a world, as lines. */
export function unclassified(w: WorldComparison): string[] {
  return w.pairs.filter((p) => p.unexplained.length > 0).map((p) =>
    `${p.pair[0]} vs ${p.pair[1]}: ${p.unexplained.join(", ")} differ ` +
    `(${summary(p.outcomes[0])} | ${summary(p.outcomes[1])})` +
    (p.classes.length ? `; recognised only as ${p.classes.join(", ")}` : "")
  );
}

/** One outcome in a line. */
export function summary(o: Outcome): string {
  const by = o.memory.freed_by;
  return `${ret(o)}, signal ${o.signal_delivered ? "yes" : "no"}, freed ${o.memory.freed_pages} ` +
    `(caller ${by.caller}, victim ${by.victim}, kthreads ${by.kthreads}, other ${by.other}), ` +
    `cpu:caller ${o.cpu_ns.caller} ns, t100 ${o.memory.t100_ns ?? "never"}`;
}

/**
 * Runs the comparison over generated worlds: every pair of targets on each world must be
 * classified. Returns fast-check's verdict and, on failure, the shrunk world.
 *
 * @example
 * ```ts
 * import { checkComparison } from "./compare.ts";
 * const r = checkComparison({ numRuns: 100, seed: 1 });
 * console.log(r.ok, r.runs);
 * ```
 */
export function checkComparison(opts: CompareCheckOptions): CompareReport {
  const targets = opts.targets ?? compareTargets();
  const problemsOf = (c: Case) => unclassified(compareWorld(c, { targets }));
  const details = fc.check(
    fc.property(arbCase({ kernels: opts.kernels }), (c) => problemsOf(c).length === 0),
    { numRuns: opts.numRuns, seed: opts.seed },
  );
  return report(details, opts.seed, problemsOf);
}

/**
 * Runs a refinement over generated worlds of its kernels and its domain (the generator's
 * worlds filtered by `domain`).
 *
 * @example
 * ```ts
 * import { checkRefinement, REFINEMENTS } from "./compare.ts";
 * const r = checkRefinement(REFINEMENTS[0], { numRuns: 100, seed: 1 });
 * console.log(r.ok);
 * ```
 */
export function checkRefinement(r: Refinement, opts: CompareCheckOptions): CompareReport {
  const targets = opts.targets ?? compareTargets();
  const [ta, tb] = r.pair.map((n) => targets.find((t) => t.name === n) ?? parseTarget(n));
  const problemsOf = (c: Case): string[] => {
    const f = caseFacts(c.scenario, c.kernel);
    if (!r.domain(f)) return [];
    const broke = r.check(f, runOn(c, ta), runOn(c, tb));
    return broke ? [`${r.id}: ${broke}`] : [];
  };
  // Only worlds of the domain count as runs (a filtered arbitrary), so the budget and the
  // runs-to-find are in-domain worlds.
  const arb = arbCase({ kernels: opts.kernels ?? r.kernels }).filter((c) =>
    r.domain(caseFacts(c.scenario, c.kernel))
  );
  const details = fc.check(
    fc.property(arb, (c) => problemsOf(c).length === 0),
    { numRuns: opts.numRuns, seed: opts.seed },
  );
  return report(details, opts.seed, problemsOf);
}

function report(
  details: fc.RunDetails<[Case]>,
  seed: number,
  problemsOf: (c: Case) => string[],
): CompareReport {
  const c = details.counterexample?.[0];
  return {
    ok: !details.failed,
    runs: details.numRuns,
    seed,
    failure: details.failed && c
      ? { case: c, problems: problemsOf(c), path: details.counterexamplePath ?? "" }
      : undefined,
  };
}

/**
 * Writes a failing world as a case file (the scenario, its kernel and choice list) and
 * returns its path and the command that replays the comparison on it.
 */
export async function writeCompareFailure(
  dir: string,
  f: CompareFailure,
  what: string,
): Promise<{ file: string; replay: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const file = `${dir.replace(/\/$/, "")}/compare-${what}-${f.case.kernel}.json`;
  const note = `${what}: ${f.problems.join("; ")} (fast-check path "${f.path}")`;
  await Deno.writeTextFile(file, JSON.stringify(caseFileJson(f.case, { note }), null, 2) + "\n");
  return { file, replay: compareReplayCommand(file, f.case) };
}

/** The command that classifies every pair of a case file again. */
export function compareReplayCommand(file: string, c: Case): string {
  const choices = c.choices.length ? c.choices.join(",") : "0";
  return `deno run -A src/lab/props/compare.ts ${file} --kernel ${c.kernel} --choices ${choices}`;
}

/** A report as text, with the shrunk world's problems and its replay command. */
export function formatCompareReport(
  what: string,
  r: CompareReport,
  written?: { file: string; replay: string },
): string {
  if (r.ok) return `${what}: ok (${r.runs} runs, seed ${r.seed})`;
  const f = r.failure;
  return [
    `${what}: FAILED after ${r.runs} runs (seed ${r.seed}, path "${f?.path ?? ""}")`,
    ...(f?.problems ?? []).map((p) => `  ${p}`),
    ...(f
      ? [
        `  kernel ${f.case.kernel}, choices [${f.case.choices.join(",")}]`,
        `  scenario: ${JSON.stringify(f.case.json)}`,
      ]
      : []),
    ...(written ? [`  case: ${written.file}`, `  replay: ${written.replay}`] : []),
  ].join("\n");
}

// ---- the command line: classify one case again ----

const USAGE = `usage: deno run -A src/lab/props/compare.ts <case.json> [--kernel V] [--choices LIST]

Runs every comparison target on one world (a scenario file or a case file), prints each
pair's differing aspects and the classes that recognise them, and exits 1 when a difference
falls in no class. Without --choices and without a choice list in the file, the scenario's
seed drives the scheduler.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { kernel: { type: "string" }, choices: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const file = await readCaseFile(positionals[0]);
  const scenario = validateScenario(file.scenario);
  const kernel = (values.kernel ?? file.kernel ?? scenario.kernel) as KernelVersion;
  const choices = values.choices !== undefined
    ? values.choices.split(",").filter((x) => x !== "").map(Number)
    : file.choices;
  const w = compareWorld({ scenario, kernel, choices });
  console.log(
    `compare: ${positionals[0]}  kernel ${kernel}  ` +
      (choices ? `choices [${choices.join(",")}]` : `seed ${scenario.seed}`),
  );
  for (const [name, o] of w.outcomes) console.log(`  ${name.padEnd(28)} ${summary(o)}`);
  let bad = 0;
  for (const p of w.pairs) {
    if (p.aspects.length === 0) continue;
    const un = p.unexplained.length ? `  UNCLASSIFIED: ${p.unexplained.join(", ")}` : "";
    const bugs = p.bugs.length ? `  suspected bug: ${p.bugs.join(", ")}` : "";
    if (p.unexplained.length) bad++;
    console.log(
      `${p.pair[0]} vs ${p.pair[1]}: ${p.aspects.join(", ")} differ; ` +
        `${p.classes.join(", ") || "-"}${bugs}${un}`,
    );
  }
  return bad > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
