/**
 * What a world is, as the comparison's classes and refinements need it: {@linkcode caseFacts}
 * reads it from the scenario and the kernel version, asking the core for the kernel's rules
 * (which VMAs a zap covers) rather than restating them.
 *
 * @example
 * ```ts
 * import { caseFacts } from "./facts.ts";
 * // const f = caseFacts(c.scenario, c.kernel); f.liveSharer
 * ```
 * @module
 */

import {
  kernelFeatures,
  type KernelVersion,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
  PTRACE_MODE_ATTACH,
  zapCovers,
} from "../../../core/mod.ts";
import { askWorld, type Outcome } from "../../../engine/run/mod.ts";
import {
  cpuSpeedRatio,
  type Scenario,
  type ScenarioProcess,
} from "../../../engine/scenario/mod.ts";

/**
 * How far apart two runs that did the same work may end and charge the caller: the extra
 * syscalls and checks of one recipe (the cost model's SYSCALL_NS, SIGNAL_NS, a context
 * switch, task_will_free_mem's walk, wasm/src/params.rs), well below one batch of reaping.
 */
export const OVERHEAD_NS = 100_000;

/** What a world is, as the classes' predicates need it (read from the scenario alone). */
export interface CaseFacts {
  /** The kernel version the world runs. */
  readonly kernel: KernelVersion;
  /**
   * The target process (`intent.victim`): a live user process, init, a kthread, a zombie
   * (every thread exited, not waited for), or reaped.
   */
  readonly target: "alive" | "init" | "kthread" | "zombie" | "reaped";
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
  /** `intent.call.sig` (pidfd_send_signal's signal), or null for the design's usual one. */
  readonly callSig: number | null;
  /** `intent.call.advice` (process_madvise's advice), or null for the design's usual one. */
  readonly callAdvice: number | null;
  /**
   * When the kernel's OOM killer chooses the target (an `oom_kill` event, ns), or null.
   * Its SIGKILL counts among the fatal signals of the target and of every process sharing
   * its mm (__oom_kill_process(), §B.4), sent without a permission check.
   */
  readonly oomKillAt: number | null;
  /**
   * ... and its oom_reaper was due to run by the intent: OOM_REAPER_DELAY (e4a38402c36e,
   * v5.18; none before) had passed since the kill, so the call may find MMF_OOM_SKIP.
   */
  readonly oomReaperDue: boolean;
  /** The target's mm has MMF_OOM_SKIP from the start: history left it (the mm's `flags`). */
  readonly oomSkipAtStart: boolean;
  /**
   * The caller's process cannot see the target through pid namespaces: the walk up from the
   * target's namespace never meets the caller's (kernel/pid.c; the world's `pid_namespaces`).
   */
  readonly callerBlind: boolean;
  /**
   * `intent.call.fd`: null (a fresh pidfd of the target), `target` (a pidfd of it),
   * `proc_dir` (its /proc directory), `other` (a pidfd of another process), `self` (a
   * PIDFD_SELF_* sentinel: the caller itself where the lookup knows it), `file`, `bad`.
   */
  readonly callFd: null | "target" | "proc_dir" | "other" | "self" | "file" | "bad";
  /** A second caller runs the same recipe (`intent.also`). */
  readonly secondCaller: boolean;
  /** The caller's process gets a SIGKILL (after the callers started). */
  readonly callerKilled: boolean;
  /**
   * /proc readers take transient mm_users references on the target's mm (the caller's own
   * follow-up reads, `intent.then`, among them).
   */
  readonly procReaders: boolean;
  /** ... and one of them is the caller thread itself (its last mmput runs in its context). */
  readonly readerIsCaller: boolean;
  /**
   * The target may be past exit_mm by the time a call reaches it, whatever the call: a zombie
   * or zombie leader, a thread's own exit, a fatal signal from another actor (before or after
   * the intent), or a core dump that ends.
   */
  readonly mayHaveExited: boolean;
  /** A thread of the target calls exit_group on its own (at any time). */
  readonly exits: boolean;
  /**
   * Private anon pages of the target's mm that a reap frees and MADV_DONTNEED skips: mlocked
   * ones, from the kernel that reaps them (a213e5cf71cb, v5.18; the core's `zapCovers`).
   */
  readonly mlockedReapablePages: number;
  /**
   * A VMA the reaper would walk (§B.3 skip rules, the core's `zapCovers`) has a notifier that
   * refuses: a reap gives EAGAIN.
   */
  readonly refusingVma: boolean;
  /**
   * The target's mm has work that frees no private anon page: swap entries, or page-cache
   * pages of private file mappings (both zapped by a reap, §B.3), or shared mappings.
   */
  readonly nonAnonWork: boolean;
  /** A thread of the target is frozen (mark_oom_victim thaws it, §B.4). */
  readonly frozen: boolean;
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

/**
 * The call freed nothing in the caller's context (a /proc read by the caller thread itself
 * may still end in its context with the mm's last mmput: that is not the call's doing).
 */
export const freedNothing = (f: CaseFacts, o: Outcome): boolean =>
  o.memory.freed_by.caller === 0 || f.readerIsCaller;

/**
 * Whether process `viewer` can see process `seen`: the walk up from `seen`'s pid namespace
 * reaches `viewer`'s (a process in no listed namespace is in init_pid_ns).
 */
function sees(s: Scenario, viewer: number, seen: number): boolean {
  const list = s.pid_namespaces ?? [];
  const nsOf = (tgid: number) => list.find((n) => n.procs.includes(tgid))?.id ?? null;
  const mine = nsOf(viewer);
  // The format's namespaces form a tree (validated), so the walk ends at init_pid_ns.
  for (let ns = nsOf(seen);; ns = list.find((n) => n.id === ns)?.parent ?? null) {
    if (ns === mine) return true;
    if (ns === null) return false;
  }
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
 * import { caseFacts } from "./facts.ts";
 * // const f = caseFacts(c.scenario, c.kernel); f.liveSharer
 * ```
 */
export function caseFacts(s: Scenario, kernel: KernelVersion): CaseFacts {
  const intentNs = s.intent.at_ns;
  const t = s.processes.find((p) => p.tgid === s.intent.victim);
  const caller = processOf(s, s.caller.pid);
  const kills = s.events.filter((e) => e.kind === "kill");
  // The permissions are the core's rules, asked of the world at time 0 (credentials never
  // change): check_kill_permission() for each kill event's sender and the caller, and
  // ptrace_may_access(ATTACH) for the caller. A kill event without permission is refused,
  // as the call's own kill is.
  const victimTask = t?.threads[0]?.pid;
  const asked = askWorld(s, kernel, (k) => ({
    kills: kills.map((e) => k.check_kill_permission(e.from, e.target) === 1),
    mayKill: !!t && k.check_kill_permission(s.caller.pid, t.tgid) === 1,
    mayPtrace: victimTask !== undefined &&
      k.check_ptrace_permission(s.caller.pid, victimTask, PTRACE_MODE_ATTACH) === 1,
  }));
  const permitted = new Set(kills.filter((_, i) => asked.kills[i]));
  // SIGTERM is fatal too: the lab's processes install no handlers.
  const fatalAt = (tgid: number) => [
    ...kills.filter((e) =>
      e.target === tgid && (e.sig === "SIGKILL" || e.sig === "SIGTERM") && permitted.has(e)
    ).map((e) => e.at_ns),
    ...(oomKillAt !== null && s.processes.some((p) => p.tgid === tgid && p.mm === oomMm && !p.init)
      ? [oomKillAt]
      : []),
  ];
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
  // The OOM killer's SIGKILL (SEND_SIG_PRIV: no permission check) goes to the process it
  // chose and to every process sharing its mm but init (mm/oom_kill.c __oom_kill_process(),
  // §B.4). It passes over init and kthreads (oom_unkillable_task()), a process with no
  // thread that has an mm, and a vfork child (oom_badness(): LONG_MIN).
  const oomKill = s.events.find((e) => e.kind === "oom_kill" && e.target === s.intent.victim);
  const oomKillAt = oomKill && target === "alive" && !t!.vfork_child ? oomKill.at_ns : null;
  const oomMm = oomKillAt === null ? null : mm;
  const sharers = mm === null || target !== "alive"
    ? []
    : s.processes.filter((p) =>
      p !== t && p.mm === mm && p.status === "alive" && p.threads.some((x) => x.state !== "zombie")
    );
  // __task_will_free_mem() of a sharer: dying once a fatal signal came, unless it dumps core.
  const liveSharer = sharers.some((p) =>
    p.core_dump || !fatalAt(p.tgid).some((at) => at <= intentNs)
  );
  const { mayKill, mayPtrace } = asked;
  const call = s.intent.call;
  let callFd: CaseFacts["callFd"] = null;
  if (call.fd !== undefined) {
    const fd = caller?.fds.find((f) => f.fd === call.fd);
    const sentinel = call.fd === PIDFD_SELF_THREAD || call.fd === PIDFD_SELF_THREAD_GROUP;
    // A sentinel names the caller wherever the lookup knows it: 6.18's pidfd_send_signal and
    // pidfd_get_task(), and a design written against them on any kernel.
    callFd = sentinel
      ? "self"
      : !fd
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
  const vmas = target === "alive" ? s.mms.find((m) => m.id === mm)?.vmas ?? [] : [];
  const wakes = new Set(
    s.events.filter((e) => e.kind === "wake" && e.at_ns < s.horizon_ns).map((e) =>
      (e as { pid: number }).pid
    ),
  );
  const sharerTgids = new Set(sharers.map((p) => p.tgid));
  const secondCaller = s.intent.also.length > 0;
  const callerKilled = kills.some((e) => e.target === caller?.tgid);
  // The caller's follow-up reads of the target's memory (`intent.then`) take an mm_users
  // reference and drop it as a /proc reader does: process_vm_readv through mm_access()
  // (mm/process_vm_access.c process_vm_rw_core()), /proc/<pid>/mem through mmget_not_zero()
  // (fs/proc/base.c mem_rw()), each with its mmput() in the caller's context.
  const callerReads = s.intent.then.some((x) => x.call !== "waitid");
  const procReaders = callerReads ||
    s.events.some((e) => e.kind === "proc_reader" && e.mm === mm);
  const readerIsCaller = callerReads ||
    s.events.some((e) => e.kind === "proc_reader" && e.mm === mm && e.reader === s.caller.pid);
  const killedBeforeIntent = t !== undefined && fatalAt(t.tgid).some((at) => at <= intentNs);
  const signalsAfterIntent = kills.some((e) => e.target === t?.tgid && e.at_ns > intentNs);
  const fatalAfterIntent = t !== undefined && fatalAt(t.tgid).some((at) => at > intentNs);
  const exits = s.events.some((e) => e.kind === "exit" && targetPids.has(e.pid));
  const sharerKilledAfterIntent = [...sharerTgids].some((tgid) =>
    fatalAt(tgid).some((at) => at > intentNs)
  );
  return {
    kernel,
    target,
    coreDump: target === "alive" && t!.core_dump,
    sharer: sharers.length > 0,
    liveSharer,
    killInCall: call.kill !== false,
    mayKill,
    mayPtrace,
    callFlags: call.flags ?? null,
    callSig: call.sig ?? null,
    callAdvice: call.advice ?? null,
    oomKillAt,
    oomReaperDue: oomKillAt !== null &&
      oomKillAt + kernelFeatures(kernel).oom_reaper_delay_ns <= intentNs,
    oomSkipAtStart: mm !== null &&
      s.mms.find((m) => m.id === mm)?.flags.includes("MMF_OOM_SKIP") ===
        true,
    callerBlind: caller !== undefined && t !== undefined && !sees(s, caller.tgid, t.tgid),
    callFd,
    secondCaller,
    callerKilled,
    procReaders,
    readerIsCaller,
    mayHaveExited: target === "zombie" ||
      (target === "alive" &&
        (t!.threads[0].state === "zombie" || exits || killedBeforeIntent || fatalAfterIntent ||
          t!.core_dump)),
    exits,
    mlockedReapablePages: vmas.filter((v) =>
      zapCovers(kernel, v, "reap") && !zapCovers(kernel, v, "madvise")
    ).reduce((sum, v) => sum + v.anon_pages, 0),
    refusingVma: vmas.some((v) =>
      v.notifier !== "none" && zapCovers(kernel, { ...v, notifier: "none" }, "reap")
    ),
    nonAnonWork: vmas.some((v) => v.swap_entries > 0 || v.file_pages > 0 || v.shmem_pages > 0),
    frozen: target === "alive" && t!.threads.some((x) => x.state === "frozen"),
    concurrent: secondCaller || callerKilled || procReaders || signalsAfterIntent || exits ||
      sharerKilledAfterIntent,
    overheadNs: OVERHEAD_NS / Math.min(...s.cpus.map((c) => cpuSpeedRatio(c))),
    neverExits: target === "alive" &&
      t!.threads.some((x) =>
        (x.state === "D" && (x.until_ns ?? Infinity) >= s.horizon_ns && !wakes.has(x.pid)) ||
        // mark_oom_victim() thaws a frozen victim (__thaw_task(), §B.4).
        (x.state === "frozen" && oomKillAt === null)
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
