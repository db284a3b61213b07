/**
 * World plans and the scenario JSON they stand for. A plan is the small, shrinkable record
 * fast-check generates (src/lab/props/gen.ts); {@linkcode buildWorld} turns any plan into scenario
 * JSON that `validateScenario` accepts, repairing combinations the format forbids (a vfork
 * child without a `D_vfork` parent thread, two writers of one mmap_lock, a kill of the caller
 * before it starts...) so that every plan fast-check can shrink to is still a valid world.
 * A plan that builds an invalid scenario is a bug here.
 *
 * The shape of every world (pids are fixed so that a counterexample reads the same way
 * every time):
 *
 * | tgid | what | notes |
 * |---|---|---|
 * | 1 | init (`init_mm`) | a possible victim (SIGNAL_UNKILLABLE) and the sender of the caller's kill |
 * | 2 | kthreadd (kthread) | present when planned or when it is the victim |
 * | 500 | the memory killer (`killer_mm`): threads 500, 501 (the caller), 502 (a second caller) | fds 3 pidfd, 4 /proc dir, 5 file (of the target), 6 pidfd of 1000; with `threadPidfds`, 7 a thread pidfd (PIDFD_THREAD) of 1000 and 8 of the victim's last non-leader thread, when they exist |
 * | 1000 | the victim process (`victim_mm`), 1-4 threads 1000.. | alive, zombie or reaped |
 * | 1100 | its vfork child (shares `victim_mm`) | the parent then has a `D_vfork` thread |
 * | 1200 | a CLONE_VM sibling (shares `victim_mm`), 1-2 threads 1200.. | |
 *
 * @module
 */

import { COST_MODEL, PAGE_SIZE } from "../../core/mod.ts";
import type { Capability, CpuPresetName, SignalName, VmaKind } from "../../engine/scenario/mod.ts";
import { firstVma, type LookPlan, pagesOf, thenOf } from "./_looks.ts";

/** A CPU: a preset, or free numbers. */
export type CpuPlan =
  | { readonly preset: CpuPresetName }
  | { readonly capacity: number; readonly freq_mhz: number; readonly max_freq_mhz: number };

/** One VMA; shares are per mille of the size (resident) or of what is left (swap, cow). */
export interface VmaPlan {
  /** What backs the mapping. */
  readonly kind: VmaKind;
  /** Its length in pages (from one page to tens of GiB: sizes cost nothing to simulate). */
  readonly size_pages: number;
  /** Pages present, per mille of the size. */
  readonly resident_per_mille: number;
  /** Swap entries, per mille of what is not resident (anon and file_private only). */
  readonly swap_per_mille: number;
  /** Private COW copies, per mille of what is resident (file_private only). */
  readonly cow_per_mille: number;
  /** VM_LOCKED (the reaper skips it before v5.18, MADV_DONTNEED always). */
  readonly locked: boolean;
  /** VM_HUGETLB (never reaped). */
  readonly hugetlb: boolean;
  /** The range's mmu notifier refuses a non-blocking invalidate (reaping it gives EAGAIN). */
  readonly refuses: boolean;
  /** That notifier is an hlist subscriber (KVM's), unhooked when exit_mmap starts. */
  readonly hlist: boolean;
  /** The VMA holds a robust-futex list head (reference F.6). */
  readonly robust_futex_list: boolean;
  /**
   * Transparent huge pages (anon without VM_HUGETLB only; elsewhere ignored): the size and
   * the resident part are rounded down to whole 2 MiB PMDs, no swap; a VMA under one PMD
   * stays small pages.
   */
  readonly thp?: boolean;
}

/** A thread state at time 0 (`D_vfork` is added by the builder where a vfork child needs it). */
export type PlanThreadState = "R" | "S" | "D" | "T" | "frozen" | "zombie";

/** One thread. Times are whole microseconds. */
export interface ThreadPlan {
  /** Its state at time 0. */
  readonly state: PlanThreadState;
  /** End of an S/D sleep (absolute, µs); null: until `wake_us`, or forever. */
  readonly until_us: number | null;
  /** A `wake` event for an S/D sleep without an end (µs). */
  readonly wake_us: number | null;
  /** mmap_lock of `victim_mm` held across a D sleep. */
  readonly hold: "none" | "read" | "write";
  /** CPU index (taken modulo the CPU count). */
  readonly cpu: number;
  /** The thread calls exit_group at this time (µs); only for R/S threads. */
  readonly exit_us: number | null;
  /** Traced with PTRACE_O_TRACEEXIT: its exit stops in PTRACE_EVENT_EXIT (default false). */
  readonly traced_exit?: boolean;
}

/** A process sharing the victim's mm (vfork child or CLONE_VM sibling). */
export interface SharerPlan {
  /** Its threads (the first is the leader). */
  readonly threads: readonly ThreadPlan[];
  /** A SIGKILL from another actor at this time (µs): a dying sharer when before the intent. */
  readonly kill_us: number | null;
}

/** Which process the caller goes after. */
export type TargetPlan = "victim" | "vfork_child" | "sibling" | "init" | "kthread";

/** The memory killer: credentials, CPU, a second caller, and whether it gets killed. */
export interface KillerPlan {
  /** Its uid (and euid). */
  readonly uid: number;
  /** Its capabilities. */
  readonly caps: readonly Capability[];
  /** Pin the caller (and the second caller) to this CPU; null: any CPU. */
  readonly pin_cpu: number | null;
  /** The callers' nice value. */
  readonly nice: number;
  /** A second thread (502) runs the same recipe this long after the intent (µs). */
  readonly second_caller_after_us: number | null;
  /** The killer process gets a SIGKILL this long after the last caller started (µs). */
  readonly killed_after_us: number | null;
}

/** How the design is called (`intent.call`); absent keys are the design's usual call. */
export interface CallPlan {
  /** No SIGKILL before the call (a live target). */
  readonly kill?: false;
  /** Call with this fd of the killer (see {@linkcode KILLER_FDS}; -1 and 77 are bad fds). */
  readonly fd?: number;
  /** The call's flags instead of the design's usual ones. */
  readonly flags?: number;
  /** Open the pidfd with PIDFD_NONBLOCK. */
  readonly nonblock?: true;
}

/** A transient mmget/mmput of `victim_mm` (a /proc reader). */
export interface ReaderPlan {
  /** When it takes its mm_users reference (µs). */
  readonly at_us: number;
  /** How long it holds it (µs). */
  readonly duration_us: number;
  /** Which thread reads: the caller or the killer's main thread. */
  readonly reader: "caller" | "killer_main";
}

/** A signal another actor sends to the victim process. */
export interface SignalPlan {
  /** When (µs). */
  readonly at_us: number;
  /** Which signal. */
  readonly sig: SignalName;
}

/** The victim process (tgid 1000) of a plan. */
export interface VictimPlan {
  /** Alive, a zombie, or reaped (the struct pid kept only by the killer's fds). */
  readonly status: "alive" | "zombie" | "reaped";
  /** Its uid. */
  readonly uid: number;
  /** A core dump is in progress. */
  readonly core_dump: boolean;
  /** Its parent reaps it as soon as it is a zombie. */
  readonly parent_waits: boolean;
  /** 1-4 threads, the leader first. */
  readonly threads: readonly ThreadPlan[];
  /** The VMAs of `victim_mm`. */
  readonly vmas: readonly VmaPlan[];
  /** Signals from another actor (SIGKILL before the intent: already dying). */
  readonly signals: readonly SignalPlan[];
}

/** Everything a generated world is made of. */
export interface WorldPlan {
  /** The scenario's name. */
  readonly name: string;
  /** 1-4 CPUs. */
  readonly cpus: readonly CpuPlan[];
  /** When the simulation stops (µs). */
  readonly horizon_us: number;
  /** When the caller starts (µs). */
  readonly intent_us: number;
  /** Which process the caller goes after. */
  readonly target: TargetPlan;
  /** Whether kthreadd (tgid 2) exists even when it is not the victim. */
  readonly kthreadd: boolean;
  /** The victim process. */
  readonly victim: VictimPlan;
  /** Its vfork child (tgid 1100), if any. */
  readonly vfork_child: SharerPlan | null;
  /** A CLONE_VM sibling (tgid 1200), if any. */
  readonly sibling: SharerPlan | null;
  /** The memory killer. */
  readonly killer: KillerPlan;
  /** How the design is called. */
  readonly call: CallPlan;
  /** /proc readers of `victim_mm`. */
  readonly readers: readonly ReaderPlan[];
  /** The call's other arguments, the OOM killer, the follow-up calls (older plans: none). */
  readonly look?: LookPlan;
}

/** Fixed pids and tgids of every world. */
export const PIDS = {
  init: 1,
  kthreadd: 2,
  killer: 500,
  caller: 501,
  secondCaller: 502,
  victim: 1000,
  vforkChild: 1100,
  sibling: 1200,
} as const;

/** The fds of the killer process: what `call.fd` may name. */
export const KILLER_FDS = {
  pidfd: 3,
  procDir: 4,
  file: 5,
  victimPidfd: 6,
  leaderThreadPidfd: 7,
  threadPidfd: 8,
} as const;

/** What the kernel a world runs on lets it state. */
export interface WorldKernel {
  /** PIDFD_THREAD (v6.9): the killer holds thread pidfds of the victim (fds 7 and 8). */
  readonly threadPidfds: boolean;
}

/** Scenario JSON, as `validateScenario` takes it. */
export type WorldJson = Record<string, unknown>;
type Json = WorldJson;

const ms = (us: number): number => us / 1000;

function targetTgid(p: WorldPlan): number {
  switch (p.target) {
    case "victim":
      return PIDS.victim;
    case "vfork_child":
      return p.vfork_child && p.victim.status === "alive" ? PIDS.vforkChild : PIDS.victim;
    case "sibling":
      return p.sibling ? PIDS.sibling : PIDS.victim;
    case "init":
      return PIDS.init;
    case "kthread":
      return PIDS.kthreadd;
  }
}

function vmaJson(v: VmaPlan): Json {
  const pmd = COST_MODEL.HPAGE_PMD_NR;
  const pages = Math.max(1, Math.floor(v.size_pages));
  const thp = v.thp === true && v.kind === "anon" && !v.hugetlb && pages >= pmd;
  // A THP VMA is whole PMDs (docs/scenario-format.md): its size and resident round down.
  const whole = (n: number) => thp ? n - n % pmd : n;
  const size = whole(pages);
  const o: Json = { kind: v.kind, size: size * PAGE_SIZE };
  if (thp) o.thp = true;
  if (v.kind === "pfnmap") {
    o.resident = 0;
  } else {
    const resident = whole(Math.floor(size * clampMille(v.resident_per_mille) / 1000));
    o.resident = resident * PAGE_SIZE;
    const swapOk = (v.kind === "anon" || v.kind === "file_private") && !v.hugetlb && !thp;
    if (swapOk) {
      const swap = Math.floor((size - resident) * clampMille(v.swap_per_mille) / 1000);
      if (swap > 0) o.swap = swap * PAGE_SIZE;
    }
    if (v.kind === "file_private") {
      const cow = Math.floor(resident * clampMille(v.cow_per_mille) / 1000);
      if (cow > 0) o.cow = cow * PAGE_SIZE;
    }
    const flags = [...(v.locked ? ["VM_LOCKED"] : []), ...(v.hugetlb ? ["VM_HUGETLB"] : [])];
    if (flags.length) o.flags = flags;
    if (v.robust_futex_list) o.robust_futex_list = true;
  }
  if (v.refuses) o.notifier = v.hlist ? "hlist_refuses_nonblock" : "refuses_nonblock";
  return o;
}

function clampMille(n: number): number {
  return Math.min(1000, Math.max(0, Math.floor(n)));
}

/** Tracks the holds of `victim_mm`'s mmap_lock: one writer, or any number of readers. */
class Holds {
  #mode: "read" | "write" | null = null;
  take(want: "none" | "read" | "write"): "read" | "write" | null {
    if (want === "none" || this.#mode === "write") return null;
    if (this.#mode === "read") return "read";
    this.#mode = want;
    return want;
  }
}

interface ThreadOut {
  json: Json;
  events: Json[];
}

function threadJson(
  t: ThreadPlan,
  pid: number,
  ncpus: number,
  horizon_us: number,
  holds: Holds | null,
  live: boolean,
): ThreadOut {
  const state = live ? t.state : "zombie";
  const o: Json = { pid, cpu: Math.abs(Math.floor(t.cpu)) % ncpus, state };
  const events: Json[] = [];
  if (state === "S" || state === "D") {
    if (t.until_us !== null) {
      o.until_ms = ms(t.until_us);
    } else if (t.wake_us !== null && t.wake_us <= horizon_us) {
      events.push({ kind: "wake", at_ms: ms(t.wake_us), pid });
    }
  }
  if (state === "D" && holds) {
    const mode = holds.take(t.hold);
    if (mode) o.holds = [{ lock: "mmap_lock", mode, mm: "victim_mm" }];
  }
  if ((state === "R" || state === "S") && t.exit_us !== null && t.exit_us <= horizon_us) {
    events.push({ kind: "exit", at_ms: ms(t.exit_us), pid });
  }
  if (t.traced_exit && state !== "zombie") o.traced_exit = true;
  return { json: o, events };
}

/**
 * The scenario JSON of a plan: valid for any plan (the builder repairs what the format
 * forbids), so every shrink of a generated plan is a valid world too.
 *
 * @example
 * ```ts
 * import { buildWorld } from "./_worlds.ts";
 * // const json = buildWorld(plan); validateScenario(json);
 * ```
 */
export function buildWorld(p: WorldPlan, kernel: WorldKernel = { threadPidfds: false }): WorldJson {
  const ncpus = Math.max(1, Math.min(64, p.cpus.length));
  const horizon_us = Math.max(1000, p.horizon_us);
  const intent_us = Math.min(p.intent_us, horizon_us);
  const target = targetTgid(p);
  const events: Json[] = [];
  const holds = new Holds();
  const victimAlive = p.victim.status === "alive";
  const vforkChild = victimAlive ? p.vfork_child : null;
  const sibling = p.sibling;

  // The victim's threads; a zombie process has only zombie threads, an alive one at least
  // one live thread, and a vfork parent one D_vfork thread (the last one).
  const victimThreads: Json[] = [];
  if (p.victim.status !== "reaped") {
    const plans = p.victim.threads.length ? p.victim.threads : [DEFAULT_THREAD];
    plans.slice(0, 4).forEach((t, i) => {
      const out = threadJson(t, PIDS.victim + i, ncpus, horizon_us, holds, victimAlive);
      // exit_notify autoreaps a thread other than the leader: an exited one is gone (a
      // zombie process keeps only its leader).
      if (i > 0 && out.json.state === "zombie") return;
      victimThreads.push(out.json);
      events.push(...out.events);
    });
    if (victimAlive && victimThreads.every((t) => t.state === "zombie")) {
      victimThreads[victimThreads.length - 1] = { pid: PIDS.victim + victimThreads.length - 1 };
    }
    if (vforkChild) {
      // The last thread is the one that called vfork(): it waits for the child (D_vfork),
      // and loses its own sleep, hold, exit and wake.
      const last = victimThreads[victimThreads.length - 1];
      victimThreads[victimThreads.length - 1] = {
        pid: last.pid,
        ...(last.cpu === undefined ? {} : { cpu: last.cpu }),
        state: "D_vfork",
      };
      dropEventsOf(events, last.pid as number);
    }
  }

  const sharerThreads = (s: SharerPlan, base: number, vfork = false): Json[] =>
    (s.threads.length ? s.threads : [DEFAULT_THREAD]).slice(0, 2).map((t, i) => {
      const out = threadJson(t, base + i, ncpus, horizon_us, holds, true);
      events.push(...out.events);
      return out.json;
    }).filter((t, i) => i === 0 || t.state !== "zombie") // exited non-leaders are gone
      .map((t, i, all) =>
        // A live process needs a live thread; a vfork child's leader has not exited (its
        // exit_mm would have released the parent).
        (i === all.length - 1 && all.every((x) => x.state === "zombie")) ||
          (vfork && i === 0 && t.state === "zombie")
          ? { pid: t.pid }
          : t
      );

  const victimMmUsed = victimAlive || sibling !== null;
  const mms: Json[] = [
    { id: "init_mm", vmas: [{ kind: "anon", size: "64KiB" }] },
    { id: "killer_mm", vmas: [{ kind: "anon", size: "256KiB" }] },
  ];
  if (victimMmUsed) {
    const vmas = p.victim.vmas.slice(0, 8).map(vmaJson);
    const flags = p.look?.mm_flags ?? [];
    mms.push({ id: "victim_mm", vmas, ...(flags.length ? { flags: [...flags] } : {}) });
  }

  const processes: Json[] = [
    { tgid: PIDS.init, comm: "init", init: true, mm: "init_mm", threads: [{ pid: 1, state: "S" }] },
  ];
  if (p.kthreadd || p.target === "kthread") {
    processes.push({
      tgid: PIDS.kthreadd,
      comm: "kthreadd",
      kthread: true,
      threads: [{ pid: PIDS.kthreadd, state: "S" }],
    });
  }
  const k = p.killer;
  const pin = k.pin_cpu === null ? null : Math.abs(Math.floor(k.pin_cpu)) % ncpus;
  const callerThread = (pid: number): Json => ({
    pid,
    comm: pid === PIDS.caller ? "reaper0" : "reaper1",
    state: "S",
    nice: k.nice,
    ...(pin === null ? { cpu: (pid - PIDS.caller + 1) % ncpus } : { cpu: pin, affinity: [pin] }),
  });
  const secondCaller = k.second_caller_after_us !== null;
  processes.push({
    tgid: PIDS.killer,
    comm: "lmkd",
    parent: PIDS.init,
    uid: k.uid,
    caps: [...new Set(k.caps)],
    mm: "killer_mm",
    fds: [
      { fd: KILLER_FDS.pidfd, kind: "pidfd", target },
      { fd: KILLER_FDS.procDir, kind: "proc_dir", target },
      { fd: KILLER_FDS.file, kind: "file" },
      { fd: KILLER_FDS.victimPidfd, kind: "pidfd", target: PIDS.victim },
      ...(kernel.threadPidfds ? threadPidfds(victimThreads) : []),
    ],
    threads: [
      { pid: PIDS.killer, state: "S", cpu: 0 },
      callerThread(PIDS.caller),
      ...(secondCaller ? [callerThread(PIDS.secondCaller)] : []),
    ],
  });

  const victim: Json = {
    tgid: PIDS.victim,
    comm: "victim",
    parent: PIDS.init,
    uid: p.victim.uid,
    parent_waits: p.victim.parent_waits,
  };
  if (p.victim.status !== "alive") victim.status = p.victim.status;
  if (victimMmUsed) victim.mm = "victim_mm";
  if (victimAlive && p.victim.core_dump) victim.core_dump = true;
  if (p.look?.own_group) victim.pgid = PIDS.victim;
  if (p.victim.status !== "reaped") victim.threads = victimThreads;
  processes.push(victim);

  if (vforkChild) {
    processes.push({
      tgid: PIDS.vforkChild,
      comm: "sh",
      parent: PIDS.victim,
      share: "vfork",
      uid: p.victim.uid,
      mm: "victim_mm",
      threads: sharerThreads(vforkChild, PIDS.vforkChild, true),
    });
    if (vforkChild.kill_us !== null && vforkChild.kill_us <= horizon_us) {
      events.push(kill(PIDS.vforkChild, vforkChild.kill_us, PIDS.killer, "SIGKILL"));
    }
  }
  if (sibling) {
    processes.push({
      tgid: PIDS.sibling,
      comm: "clone_vm",
      parent: PIDS.init,
      uid: p.victim.uid,
      mm: "victim_mm",
      threads: sharerThreads(sibling, PIDS.sibling),
    });
    if (sibling.kill_us !== null && sibling.kill_us <= horizon_us) {
      events.push(kill(PIDS.sibling, sibling.kill_us, PIDS.killer, "SIGKILL"));
    }
  }

  if (p.victim.status !== "reaped") {
    for (const s of p.victim.signals.slice(0, 3)) {
      if (s.at_us <= horizon_us) events.push(kill(PIDS.victim, s.at_us, PIDS.killer, s.sig));
    }
  }
  if (victimMmUsed) {
    for (const r of p.readers.slice(0, 2)) {
      if (r.at_us > horizon_us) continue;
      events.push({
        kind: "proc_reader",
        at_ms: ms(r.at_us),
        mm: "victim_mm",
        duration_ms: ms(Math.max(0, r.duration_us)),
        reader: r.reader === "caller" ? PIDS.caller : PIDS.killer,
      });
    }
  }

  // The callers start at the intent (and after it); the killer dies only after both started,
  // since a recipe cannot start on a dead thread.
  const secondAt = secondCaller ? Math.min(horizon_us, intent_us + k.second_caller_after_us!) : 0;
  if (k.killed_after_us !== null) {
    const at = Math.max(intent_us, secondAt) + Math.max(1, k.killed_after_us);
    if (at <= horizon_us) events.push(kill(PIDS.killer, at, PIDS.init, "SIGKILL"));
  }

  const call: Json = {};
  if (p.call.kill === false) call.kill = false;
  if (p.call.fd !== undefined) call.fd = p.call.fd;
  else if (p.look?.thread_fd) call.fd = p.look.thread_fd;
  else if (p.call.nonblock) call.nonblock = true;
  if (p.call.flags !== undefined) call.flags = p.call.flags;
  const look = p.look;
  const firstJson = p.victim.vmas[0] ? vmaJson(p.victim.vmas[0]) : null;
  const first = firstVma(
    firstJson ? (firstJson.size as number) / PAGE_SIZE : 1,
    firstJson?.thp === true,
  );
  if (look?.sig !== undefined) call.sig = look.sig;
  if (look?.advice !== undefined) call.advice = look.advice;
  if (look?.iov) call.iov = look.iov.map((r) => pagesOf(r, first));
  if (look && look.oom_kill_pm !== null) {
    const at = Math.floor(intent_us * look.oom_kill_pm / 1000);
    events.push({ kind: "oom_kill", at_ms: ms(at), target, from: PIDS.killer });
  }
  const intent: Json = { victim: target, at_ms: ms(intent_us) };
  if (Object.keys(call).length) intent.call = call;
  const then = look ? thenOf(look, first) : [];
  if (then.length) intent.then = then;
  if (secondCaller) intent.also = [{ pid: PIDS.secondCaller, at_ms: ms(secondAt) }];

  const pidns = p.look?.pidns;
  const pidNamespaces = pidns
    ? [{ id: "child", procs: [pidns === "killer" ? PIDS.killer : PIDS.victim] }]
    : [];

  return {
    schema: "mrelease-lab/scenario@1",
    name: p.name,
    description: "Generated by src/lab/props (a property-test world; see docs/properties.md).",
    ...(pidNamespaces.length ? { pid_namespaces: pidNamespaces } : {}),
    horizon_ms: ms(horizon_us),
    cpus: p.cpus.slice(0, ncpus).map((c) => ({ ...c })),
    mms,
    processes,
    events,
    caller: { pid: PIDS.caller },
    intent,
  };
}

const DEFAULT_THREAD: ThreadPlan = {
  state: "R",
  until_us: null,
  wake_us: null,
  hold: "none",
  cpu: 0,
  exit_us: null,
};

function kill(target: number, at_us: number, from: number, sig: SignalName): Json {
  return { kind: "kill", at_ms: ms(at_us), target, from, ...(sig === "SIGKILL" ? {} : { sig }) };
}

function dropEventsOf(events: Json[], pid: number): void {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if ((e.kind === "wake" || e.kind === "exit") && e.pid === pid) events.splice(i, 1);
  }
}

/**
 * The killer's PIDFD_THREAD pidfds of the victim: its leader's (fd 7) and its last
 * non-leader thread's (fd 8), for the threads the world has (none once reaped).
 */
function threadPidfds(victimThreads: readonly Json[]): Json[] {
  const [leader, ...others] = victimThreads;
  const last = others[others.length - 1];
  return [
    ...(leader
      ? [{ fd: KILLER_FDS.leaderThreadPidfd, kind: "pidfd", target: leader.pid, thread: true }]
      : []),
    ...(last
      ? [{ fd: KILLER_FDS.threadPidfd, kind: "pidfd", target: last.pid, thread: true }]
      : []),
  ];
}
