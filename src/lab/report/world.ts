/**
 * The base world every experiment of the design review is built from: the Android-like
 * machine of `scenarios/dstate-little-core.json` (a Snapdragon 845: CPUs 0-3 little, 4-7
 * big; init, kthreadd, zygote64, and lmkd with its SCHED_FIFO main thread 500 and two
 * reaper threads 501/502 at nice -20 on the big cores, reference §E.1), written in code with
 * the knobs the experiments turn: the victim's state, size, threads and placement, which
 * lmkd thread calls, a cgroup of victims, filler processes, and who sends the kill.
 *
 * {@linkcode buildWorld} returns scenario JSON (`docs/scenario-format.md`) that
 * `validateScenario` accepts; `deno task lab report --scenario NAME` prints it, so every
 * number in the report can be replayed with `deno task lab run`.
 *
 * @module
 */

import type { KernelVersion } from "../../core/mod.ts";
import type { CpuPresetName } from "../../engine/scenario/mod.ts";
import { designs } from "../designs/mod.ts";

/** The kernel every run models unless its run says otherwise. */
export const REPORT_KERNEL: KernelVersion = "6.18";
/** The seed of every run. */
export const REPORT_SEED = 1;

/** A victim thread's state at time 0 (the scenario format's names). */
export type VictimState = "R" | "S" | "D" | "T" | "frozen";

/** The victim process (tgid 1000). */
export interface VictimSpec {
  /** Private anonymous memory, MiB (all resident): what killing it can give back. */
  readonly anonMiB: number;
  /** How many VMAs of equal size hold it (default 1: one heap). */
  readonly anonVmas?: number;
  /** Threads in the process (the leader is 1000, the others 1001...). */
  readonly threads: number;
  /** The leader's state at time 0. */
  readonly leader: VictimState | "zombie";
  /** The other threads' state (default `S`; `T`/`frozen` when the whole process is). */
  readonly others?: VictimState;
  /**
   * End of the D sleep (absolute ms) of the D thread: the leader, or thread 1001 when the
   * leader is a zombie. Without it the sleep lasts past the horizon.
   */
  readonly sleepUntilMs?: number;
  /** The D-state thread holds the victim's mmap_lock for write across its sleep. */
  readonly holdsMmapLockWrite?: boolean;
  /** Where its threads run: `little` (CPUs 0-3, background cpuset) or `big` (CPUs 4-7). */
  readonly cpus: "little" | "big";
  /** The process has vforked a child (tgid 1100) that shares its mm and is not killed. */
  readonly vforkChild?: boolean;
  /**
   * Another process (tgid {@linkcode SHARER_TGID}, `helper`, sleeping) shares the mm through
   * clone(CLONE_VM) without CLONE_THREAD or CLONE_VFORK, running as `uid`.
   */
  readonly cloneVmSharer?: { readonly uid: number };
  /** init (tgid 1) shares the victim's mm: the victim is init's CLONE_VM child. */
  readonly initSharesMm?: boolean;
  /** The victim's uid (default an app's, 10050). */
  readonly uid?: number;
}

/** Which lmkd thread makes the calls. */
export type CallerThread = "reaper" | "main";

/** Everything an experiment chooses about a world. */
export interface WorldSpec {
  /** Scenario name, `[a-z0-9-]+`. */
  readonly name: string;
  /** One paragraph: what this point of the family is. */
  readonly description: string;
  /** The simulation stops here (ms). */
  readonly horizonMs: number;
  /** Preset of the little cores 0-3 (default `sd845-little-min`). */
  readonly little?: CpuPresetName;
  /** Preset of the big cores 4-7 (default `sd845-big-max`). */
  readonly big?: CpuPresetName;
  /** The victim. */
  readonly victim: VictimSpec;
  /**
   * `reaper`: lmkd_reaper0 (pid 501, SCHED_OTHER nice -20, what lmkd does since 353c2f1);
   * `main`: lmkd's main thread (pid 500, SCHED_FIFO 1, what 1c96a31 forbids).
   */
  readonly caller?: CallerThread;
  /**
   * Further victims of the same cgroup (tgids 2000, 2001...: {@linkcode cgroupTgids}),
   * single-threaded, sleeping (S), `cgroupMemberMiB` each, on the little cores.
   */
  readonly cgroupMembers?: number;
  /** Anonymous memory of each further cgroup member, MiB. */
  readonly cgroupMemberMiB?: number;
  /** Sleeping filler processes (tgids from 100000), to grow the process list. */
  readonly fillerProcesses?: number;
  /**
   * Who kills first, when not the design's call itself: `caller`, lmkd_reaper0's own SIGKILL
   * at the decision (the first step of a recipe that kills, then calls: a scenario `kill`
   * event from pid 501), or `main`, lmkd's main thread killing at the decision without the
   * reaper (its pool was full, reference §E.1 step 3): someone else killed first. Either way
   * the design's call then comes `callDelayMs` later on the pidfd the caller holds (lmkd's
   * dup'd fd 4), with `kill: false` (reference §F.7).
   */
  readonly killFirst?: "caller" | "main";
  /**
   * The delay between the decision to kill (1 ms) and the design's call (ms). Without
   * `killFirst` the whole recipe starts then: for a design whose call is the kill, nothing
   * was killed before it.
   */
  readonly callDelayMs?: number;
  /**
   * A transient mm_users holder on the victim's mm (a scenario `proc_reader` event: mmget at
   * `fromMs`, mmput `forMs` later) by system_server (tgid {@linkcode HOLDER_TGID}) on the
   * victim's cores: the /proc/<pid>/cmdline readers and remote VM accesses of the REAP_KILL
   * cover letters (§A.5). When its mmput is the last, exit_mmap runs in its context.
   */
  readonly holder?: { readonly fromMs: number; readonly forMs: number };
  /**
   * lmkd's capabilities (default {@linkcode LMKD_CAPS}). lmkd really has CAP_KILL and
   * CAP_SYS_NICE; the report adds what the designs need besides (CAP_SYS_PTRACE, for the
   * one that needs ptrace access to the victim: PTRACE_MODE_ATTACH, §A.2), so that every
   * design gets to act.
   */
  readonly callerCaps?: readonly string[];
}

/** lmkd's capabilities as Android grants them (reference §E.1). */
export const LMKD_CAPS_ANDROID: readonly string[] = ["CAP_KILL", "CAP_SYS_NICE"];
/**
 * lmkd's capabilities in the report's worlds: its own, plus every capability a design needs
 * beyond the kill's permission (its record's `needsCapability`), so that no design answers
 * EACCES or EPERM for want of one.
 */
export const LMKD_CAPS: readonly string[] = [
  ...new Set([
    ...LMKD_CAPS_ANDROID,
    ...designs().flatMap((d) => d.needsCapability ? [d.needsCapability] : []),
  ]),
];

/** The victim's tgid in every world. */
export const VICTIM_TGID = 1000;
/** The caller's pid per {@linkcode CallerThread}. */
export const CALLER_PID: Readonly<Record<CallerThread, number>> = { reaper: 501, main: 500 };
/** When the caller starts, unless the main thread kills first (ms). */
export const INTENT_MS = 1;
/** The tgid of the victim's CLONE_VM sharer ({@linkcode VictimSpec.cloneVmSharer}). */
export const SHARER_TGID = 1200;
/** The transient mm_users holder's tgid (system_server). */
export const HOLDER_TGID = 700;
/** The filler processes' first tgid. */
const FILLER_TGID = 100_000;
/** Filler processes per shared mm: the format allows at most 65,536 mms. */
const FILLERS_PER_MM = 1000;

const LITTLE = [0, 1, 2, 3];
const BIG = [4, 5, 6, 7];

/** The tgids of a cgroup of `members` further victims, after the victim 1000. */
export function cgroupTgids(members: number): number[] {
  return Array.from({ length: members }, (_, i) => 2000 + i);
}

/** "64 MiB", "16 GiB". */
export function sizeLabel(mib: number): string {
  return mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

/** "little cores at 300 MHz", "big cores at 2.5 GHz": where the victim runs. */
export function placementLabel(cpus: "little" | "big"): string {
  return cpus === "little" ? "little cores at 300 MHz" : "big cores at 2.5 GHz";
}

type Json = Record<string, unknown>;

/**
 * The scenario JSON of a world.
 *
 * @example
 * ```ts
 * import { buildWorld } from "./world.ts";
 * import { validateScenario } from "../../engine/scenario/mod.ts";
 * const s = validateScenario(buildWorld({
 *   name: "example",
 *   description: "a 512 MiB app in D state until 500 ms on a little core",
 *   horizonMs: 3000,
 *   victim: { anonMiB: 512, threads: 3, leader: "D", sleepUntilMs: 500, cpus: "little" },
 * }));
 * console.log(s.processes.length);
 * ```
 */
export function buildWorld(spec: WorldSpec): Json {
  const v = spec.victim;
  const victimCpus = v.cpus === "little" ? LITTLE : BIG;
  const callerThread = spec.caller ?? "reaper";
  const callerPid = CALLER_PID[callerThread];
  const cgroup = cgroupTgids(spec.cgroupMembers ?? 0);
  const fillers = spec.fillerProcesses ?? 0;
  const fillerMms = Math.ceil(fillers / FILLERS_PER_MM);

  const cpus = [
    ...LITTLE.map((i) => ({ preset: spec.little ?? "sd845-little-min", label: `little${i}` })),
    ...BIG.map((i) => ({ preset: spec.big ?? "sd845-big-max", label: `big${i - 4}` })),
  ];

  const initMm = v.initSharesMm ? [] : [
    {
      id: "init_mm",
      vmas: [{ kind: "anon", size: "4MiB", resident: "2MiB" }, {
        kind: "file_private",
        size: "2MiB",
        resident: "1MiB",
      }],
    },
  ];
  const mms: Json[] = [
    ...initMm,
    {
      id: "lmkd_mm",
      vmas: [
        { kind: "anon", size: "6MiB", resident: "4MiB", flags: ["VM_LOCKED"] },
        { kind: "file_private", size: "3MiB", resident: "2MiB", flags: ["VM_LOCKED"] },
      ],
    },
    {
      id: "zygote_mm",
      vmas: [
        { kind: "anon", size: "64MiB", resident: "48MiB" },
        { kind: "file_private", size: "96MiB", resident: "40MiB", cow: "4MiB" },
      ],
    },
    {
      id: "victim_mm",
      vmas: [
        ...Array.from(
          { length: v.anonVmas ?? 1 },
          () => ({ kind: "anon", size: `${v.anonMiB / (v.anonVmas ?? 1)}MiB`, resident: "100%" }),
        ),
        { kind: "file_private", size: "16MiB", resident: "8MiB" },
      ],
    },
    ...cgroup.map((tgid) => ({
      id: `app${tgid}_mm`,
      vmas: [{ kind: "anon", size: `${spec.cgroupMemberMiB ?? 16}MiB`, resident: "100%" }],
    })),
    ...(spec.holder
      ? [{ id: "system_server_mm", vmas: [{ kind: "anon", size: "32MiB", resident: "100%" }] }]
      : []),
    ...Array.from({ length: fillerMms }, (_, i) => ({
      id: `filler${i}_mm`,
      vmas: [{ kind: "anon", size: "1MiB", resident: "100%" }],
    })),
  ];

  const thread = (pid: number, state: VictimState | "zombie", cpuIndex: number): Json => {
    const t: Json = {
      pid,
      cpu: victimCpus[cpuIndex % victimCpus.length],
      affinity: victimCpus,
      state,
    };
    if (pid !== VICTIM_TGID) t.comm = `worker${pid - VICTIM_TGID}`;
    return t;
  };
  // The thread that sleeps in D (with the lock, if any): the leader, or with a zombie
  // leader the first other thread; any further D threads sleep in S instead.
  const sleeper = v.leader === "zombie" ? 1 : 0;
  const victimThreads: Json[] = [];
  for (let i = 0; i < v.threads; i++) {
    let state = i === 0 ? v.leader : (v.others ?? "S");
    if (i !== sleeper && state === "D") state = "S";
    const t = thread(VICTIM_TGID + i, state, i);
    if (i === sleeper && state === "D") {
      if (v.sleepUntilMs !== undefined) t.until_ms = v.sleepUntilMs;
      if (v.holdsMmapLockWrite) t.holds = [{ lock: "mmap_lock", mode: "write", mm: "victim_mm" }];
    }
    if (v.vforkChild && i === 0) t.state = "D_vfork";
    victimThreads.push(t);
  }

  const lmkdFds: Json[] = [
    { fd: 3, kind: "pidfd", target: VICTIM_TGID },
    { fd: 4, kind: "pidfd", target: VICTIM_TGID },
  ];
  const processes: Json[] = [
    {
      tgid: 1,
      comm: "init",
      init: true,
      uid: 0,
      mm: v.initSharesMm ? "victim_mm" : "init_mm",
      threads: [{ pid: 1, cpu: 0, state: "S" }],
    },
    { tgid: 2, comm: "kthreadd", kthread: true, threads: [{ pid: 2, cpu: 0, state: "S" }] },
    {
      tgid: 500,
      comm: "lmkd",
      parent: 1,
      uid: 1069,
      euid: 1069,
      caps: [...(spec.callerCaps ?? LMKD_CAPS)],
      mm: "lmkd_mm",
      fds: lmkdFds,
      threads: [
        { pid: 500, comm: "lmkd", cpu: 4, affinity: BIG, policy: "fifo", rt_prio: 1, state: "S" },
        { pid: 501, comm: "lmkd_reaper0", cpu: 5, affinity: BIG, nice: -20, state: "S" },
        { pid: 502, comm: "lmkd_reaper1", cpu: 6, affinity: BIG, nice: -20, state: "S" },
      ],
    },
    {
      tgid: 600,
      comm: "zygote64",
      parent: 1,
      uid: 0,
      mm: "zygote_mm",
      threads: [{ pid: 600, cpu: 1, state: "S" }],
    },
    {
      tgid: VICTIM_TGID,
      comm: "com.example.app",
      parent: v.initSharesMm ? 1 : 600,
      uid: v.uid ?? 10050,
      mm: "victim_mm",
      threads: victimThreads,
    },
  ];
  if (v.cloneVmSharer) {
    processes.push({
      tgid: SHARER_TGID,
      comm: "helper",
      parent: VICTIM_TGID,
      uid: v.cloneVmSharer.uid,
      mm: "victim_mm",
      threads: [{ pid: SHARER_TGID, cpu: victimCpus[1], affinity: victimCpus, state: "S" }],
    });
  }
  if (v.vforkChild) {
    processes.push({
      tgid: 1100,
      comm: "sh",
      parent: VICTIM_TGID,
      share: "vfork",
      uid: 10050,
      mm: "victim_mm",
      threads: [{ pid: 1100, cpu: victimCpus[2], affinity: victimCpus, state: "R" }],
    });
  }
  for (const [i, tgid] of cgroup.entries()) {
    processes.push({
      tgid,
      comm: `app${i + 1}`,
      parent: 600,
      uid: 10050 + ((i + 1) % 9000),
      mm: `app${tgid}_mm`,
      threads: [{ pid: tgid, cpu: LITTLE[i % 4], affinity: LITTLE, state: "S" }],
    });
  }
  for (let i = 0; i < fillers; i++) {
    const tgid = FILLER_TGID + i;
    processes.push({
      tgid,
      comm: "filler",
      parent: 1,
      uid: 10000,
      mm: `filler${Math.floor(i / FILLERS_PER_MM)}_mm`,
      threads: [{ pid: tgid, cpu: LITTLE[i % 4], affinity: LITTLE, state: "S" }],
    });
  }

  if (spec.holder) {
    processes.push({
      tgid: HOLDER_TGID,
      comm: "system_server",
      parent: 1,
      uid: 1000,
      mm: "system_server_mm",
      // On the victim's cores: its exit_mmap then runs at the speed the victim's would have,
      // so that what the holder changes is when, not how fast.
      threads: [{ pid: HOLDER_TGID, cpu: victimCpus[3], affinity: victimCpus, state: "S" }],
    });
  }

  const intent: Json = {
    victim: VICTIM_TGID,
    at_ms: round3(INTENT_MS + (spec.callDelayMs ?? 0)),
  };
  const events: Json[] = [];
  if (spec.holder) {
    events.push({
      at_ms: spec.holder.fromMs,
      kind: "proc_reader",
      mm: "victim_mm",
      reader: HOLDER_TGID,
      duration_ms: spec.holder.forMs,
    });
  }
  if (spec.killFirst !== undefined) {
    const from = CALLER_PID[spec.killFirst === "caller" ? callerThread : "main"];
    events.push({ at_ms: INTENT_MS, kind: "kill", target: VICTIM_TGID, from });
    // The caller uses the pidfd it opened before the kill (lmkd's dup'd fd 4).
    intent.call = { fd: 4, kill: false };
  }
  return {
    schema: "mrelease-lab/scenario@1",
    name: spec.name,
    description: spec.description,
    kernel: REPORT_KERNEL,
    seed: REPORT_SEED,
    horizon_ms: spec.horizonMs,
    cpus,
    mms,
    processes,
    events,
    caller: { pid: callerPid },
    intent,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
