/**
 * Comparisons between designs: every pair of targets run on the same generated world, their
 * outcomes compared, and every difference classified into one of the named classes of
 * {@linkcode DIFFERENCE_CLASSES}. A difference no class explains is either a semantic
 * difference nobody has named yet or a bug in a design or the core; the comparison test
 * (test/props/compare_test.ts) fails on it with the shrunk world and its replay command.
 *
 * @module
 */

import type { Outcome } from "../run/outcome.ts";
import { runScenario } from "../run/experiment.ts";
import {
  KERNEL_VERSION_CODE,
  type KernelVersion,
  type Scenario,
  type ScenarioProcess,
} from "../scenario/mod.ts";
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

/** A main call's answer as a name: `"0"`, `"EINVAL"`, `"killed"`, or `"blocked"` (no answer by the horizon). */
export function retOf(o: Outcome): string {
  if (o.ret === "killed") return "killed";
  if (Number.isNaN(o.ret)) return "blocked";
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
  /** ... and one of them was not sent SIGKILL by the intent: it is not dying (§C.2). */
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
  /** Another actor sends the target SIGKILL at or before the intent (already dying). */
  readonly killedBeforeIntent: boolean;
  /** Another actor signals the target after the intent (SIGKILL, SIGSTOP...). */
  readonly signalsAfterIntent: boolean;
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
  /** ... that a reap on this kernel frees (`zapCovers(.., "reap")`). */
  readonly reapPages: number;
  /** ... that a whole-range MADV_DONTNEED frees (`zapCovers(.., "madvise")`). */
  readonly madvisePages: number;
  /** Any concurrency at all: a second caller, a killed caller, readers, later signals, exits. */
  readonly concurrent: boolean;
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
  const sigkillAt = (tgid: number) =>
    kills.filter((e) => e.target === tgid && e.sig === "SIGKILL").map((e) => e.at_ns);
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
  const liveSharer = sharers.some((p) => !sigkillAt(p.tgid).some((at) => at <= intentNs));
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
  const killedBeforeIntent = t !== undefined && sigkillAt(t.tgid).some((at) => at <= intentNs);
  const signalsAfterIntent = kills.some((e) => e.target === t?.tgid && e.at_ns > intentNs);
  const exits = s.events.some((e) => e.kind === "exit" && targetPids.has(e.pid));
  const sharerKilledAfterIntent = kills.some((e) =>
    sharerTgids.has(e.target) && e.sig === "SIGKILL" && e.at_ns > intentNs
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
    killedBeforeIntent,
    signalsAfterIntent,
    exits,
    sharerKilledAfterIntent,
    lockHeld,
    stuck,
    anonPages: anonOf(() => true),
    mlockedPages: anonOf((v) =>
      v.flags.includes("VM_LOCKED") && !v.flags.includes("VM_HUGETLB") && v.notifier === "none"
    ),
    refusingPages: anonOf((v) => v.notifier !== "none"),
    reapPages: anonOf((v) => zapCovers(v, kernel, "reap")),
    madvisePages: anonOf((v) => zapCovers(v, kernel, "madvise")),
    concurrent: secondCaller || callerKilled || procReaders || signalsAfterIntent || exits ||
      sharerKilledAfterIntent,
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
/** The designs that reap in the caller's context. */
const CALLER_REAPS = [Y, M, R, P, P9, K];

/**
 * How far apart two runs that did the same work may end and charge the caller: the extra
 * syscalls and checks of one recipe (SYSCALL_NS 100, SIGNAL_NS 1000, a context switch 2000,
 * task_will_free_mem's walk), well below one batch of reaping (4096 pages at 330 ns).
 */
export const OVERHEAD_NS = 100_000;

const ret = (o: Outcome) => retOf(o);
const is = (o: Outcome, ...names: string[]) => names.includes(retOf(o));
const near = (x: number | null, y: number | null) =>
  x === null || y === null ? x === y : Math.abs(x - y) <= OVERHEAD_NS;
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
const WENT_AHEAD = ["0", "EAGAIN", "EINTR", "killed", "blocked"];
/** The kill-only baselines' answers when the kill was sent. */
const KILLED = ["0", "killed"];

/** The table: every named difference between designs the comparison knows. */
export const DIFFERENCE_CLASSES: readonly DifferenceClass[] = [
  {
    id: "recipe-overhead",
    title: "the recipes differ by a syscall or a check: the same work, microseconds apart",
    explanation: "Every design does the same thing to the world but with its own calls: SIGKILL " +
      "alone is one kill(2); the two-step designs open a pidfd, send SIGKILL through it and " +
      "then make their call; SYNC_REAP_MM and REAP_KILL kill inside their one call; " +
      "find_lock_task_mm and task_will_free_mem walk threads and processes (§B.1, §B.2). " +
      "The same pages freed in the same contexts, with the caller's CPU time and the last " +
      "page's time within OVERHEAD_NS (100 µs) of each other, is that overhead and nothing " +
      "else, whatever the calls answered.",
    separates: [ALL, ALL],
    explains: ["paid", "time"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (_f, a, b) =>
      a.memory.freed_pages === b.memory.freed_pages && sameFreedBy(a, b) &&
      near(a.cpu_ns.caller, b.cpu_ns.caller) && near(a.memory.t100_ns, b.memory.t100_ns),
  },
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
      const ma = flagsMeaning(targetOf(a), f.callFlags), mb = flagsMeaning(targetOf(b), f.callFlags);
      const einvalOk = (m: string, o: Outcome) => !m.startsWith("einval") || ret(o) === "EINVAL";
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
      if (f.callFd === "bad" || f.callFd === "file") {
        return targetOf(a) !== Y && ret(b) === "EBADF";
      }
      if (f.callFd === "proc_dir") return targetOf(b) !== Y && ret(b) === "EBADF";
      return false;
    },
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
  {
    id: "pidfd-open-fails",
    title: "a reaped target: kill(2) answers ESRCH, the fd designs EBADF from the failed pidfd_open",
    explanation: "Once the target has been waited for, pidfd_open() fails with ESRCH and the " +
      "recipe hands its errno on as the fd, so every fd design's own fd check answers EBADF " +
      "(§A.0), while kill(2) and the OOM killer answer ESRCH (get_pid_task NULL).",
    separates: [[S, O], CALLER_REAPS],
    explains: ["ret"],
    example: { pair: [S, P], kernel: "6.18" },
    matches: (f, a, b) => f.callFd === null && ret(a) === "ESRCH" && ret(b) === "EBADF",
  },
];

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
  return {
    pair: [a[0], b[0]],
    outcomes: [a[1], b[1]],
    aspects,
    classes: matched,
    unexplained: aspects.filter((x) => !explained.has(x)),
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
