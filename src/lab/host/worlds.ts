/**
 * Host-expressible worlds from a few parameters: the shipped `scenarios/host/*.json` and
 * the differential property's generated cases are built here, so both have one shape: the
 * lab (tgid 100, root, the caller) and the victim (tgid 200, root, its child) with an
 * optional vfork child (tgid 300), on two `host` CPUs. With `callerLevels`, the caller is
 * instead tgid 150 (root, the lab's child) in a chain of that many pid namespaces below
 * init_pid_ns, holding the caller's fds, and the lab stays in init_pid_ns.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import type { CallArgs, ThenCall, VmaKind } from "../../engine/scenario/mod.ts";
import { HOST_KERNEL } from "./support.ts";

/** One VMA of the victim. */
export interface HostVmaParams {
  /** `anon`, `anon_shared` or `shmem`. */
  kind: Extract<VmaKind, "anon" | "anon_shared" | "shmem">;
  /** Size in pages. */
  size_pages: number;
  /** Resident pages (at most the size). */
  resident_pages: number;
  /** VM_LOCKED (anon only). */
  locked?: boolean;
  /** Transparent huge pages (anon only, whole 2 MiB units): the scenario's `thp`. */
  thp?: boolean;
}

/** The parameters of a host world. */
export interface HostWorldParams {
  /** The scenario's name. */
  name: string;
  /** Its description. */
  description: string;
  /** The victim's VMAs (ignored for a zombie or reaped victim, which has no mm). */
  vmas: HostVmaParams[];
  /** The victim's threads (besides the vfork thread), 1..64. */
  threads: number;
  /** Its state at time 0. */
  state: "S" | "T" | "frozen" | "zombie" | "reaped";
  /**
   * Every victim thread traced with PTRACE_O_TRACEEXIT (`traced_exit`; state `S`, no vfork
   * child): killed, they stop in PTRACE_EVENT_EXIT with the mm attached.
   */
  traced?: boolean;
  /**
   * The victim is dumping core (state `S`, no vfork child): `core_dump`, its first thread the
   * dumper in `D` until `until_ms` (after the horizon: the host's dump outlasts the window),
   * the others `S` (the simulator puts them in coredump_task_exit).
   */
  coreDump?: { until_ms: number };
  /** A vfork child sharing the victim's mm (alive victims only). */
  vfork?: { frozen: boolean } | null;
  /** How the design is called. */
  call?: CallArgs;
  /**
   * The caller's follow-up calls (`intent.then`); with a waitid the victim is the lab's child
   * that it reaps itself (parent_waits false), as on the host.
   */
  then?: ThenCall[];
  /** The caller's fds. */
  callerFds?: { fd: number; kind: "pidfd" | "proc_dir" | "file"; target?: number }[];
  /**
   * The caller sits this many pid namespaces below init_pid_ns (`ns1` ... `nsN`, each the
   * child of the one before), as tgid 150; 0 or absent: the caller is the lab.
   */
  callerLevels?: number;
  /** The victim alone in a child pid namespace of init_pid_ns, `app` (no vfork child). */
  victimPidns?: boolean;
  /** The lab SIGKILLs the (frozen) victim at 0.5 ms, before the intent: a `kill` event. */
  killBefore?: boolean;
  /** When the simulation stops (ms). */
  horizon_ms?: number;
  /** Expectations (simulator, kernel {@linkcode HOST_KERNEL}). */
  expect?: Record<string, unknown>[];
}

/** The tgids of a host world. */
export const HOST_TGIDS = { lab: 100, nsCaller: 150, victim: 200, vforkChild: 300 } as const;

/**
 * The scenario JSON of a host world (validate it with `validateScenario`).
 *
 * @example
 * ```ts
 * import { buildHostWorld } from "./worlds.ts";
 * import { validateScenario } from "../../engine/scenario/mod.ts";
 * const s = validateScenario(buildHostWorld({
 *   name: "x", description: "a frozen 4 MiB victim", threads: 1, state: "frozen",
 *   vmas: [{ kind: "anon", size_pages: 1024, resident_pages: 1024 }],
 * }));
 * ```
 */
export function buildHostWorld(p: HostWorldParams): Record<string, unknown> {
  const dead = p.state === "zombie" || p.state === "reaped";
  const vfork = dead ? null : p.vfork ?? null;
  const victimThreads: {
    pid: number;
    cpu: number;
    state?: string;
    until_ms?: number;
    traced_exit?: boolean;
  }[] = dead && p.state === "reaped" ? [] : Array.from(
    // A zombie keeps only its leader: exit_notify autoreaps the other threads.
    { length: dead ? 1 : Math.max(1, p.threads) },
    (_, i) => ({
      pid: HOST_TGIDS.victim + i,
      cpu: 0,
      ...(dead ? {} : { state: p.state }),
      ...(p.traced && !dead ? { traced_exit: true } : {}),
    }),
  );
  if (p.coreDump && !dead) {
    victimThreads[0] = { ...victimThreads[0], state: "D", until_ms: p.coreDump.until_ms };
  }
  if (vfork) {
    victimThreads.push({ pid: HOST_TGIDS.victim + victimThreads.length, cpu: 0, state: "D_vfork" });
  }
  const victimVmas = p.vmas.map((v) => ({
    kind: v.kind,
    size: v.size_pages * PAGE_SIZE,
    resident: v.resident_pages * PAGE_SIZE,
    ...(v.locked ? { flags: ["VM_LOCKED"] } : {}),
    ...(v.thp ? { thp: true } : {}),
  }));
  const levels = p.callerLevels ?? 0;
  const callerFds = (p.callerFds ?? []).map((f) => ({
    fd: f.fd,
    kind: f.kind,
    ...(f.kind === "file" ? {} : { target: f.target ?? HOST_TGIDS.victim }),
  }));
  const processes: Record<string, unknown>[] = [
    {
      tgid: HOST_TGIDS.lab,
      comm: "lab",
      mm: "lab_mm",
      fds: levels ? [] : callerFds,
      threads: [{ pid: HOST_TGIDS.lab, cpu: 1, state: "S" }],
    },
    {
      tgid: HOST_TGIDS.victim,
      comm: "victim",
      parent: HOST_TGIDS.lab,
      ...(dead ? { status: p.state, parent_waits: false } : { mm: "victim_mm" }),
      ...(p.coreDump && !dead ? { core_dump: true } : {}),
      ...(p.then?.some((t) => t.call === "waitid") ? { parent_waits: false } : {}),
      threads: victimThreads,
    },
  ];
  if (p.state === "reaped") delete processes[1].parent_waits;
  if (levels) {
    processes.push({
      tgid: HOST_TGIDS.nsCaller,
      comm: "nscaller",
      parent: HOST_TGIDS.lab,
      mm: "caller_mm",
      fds: callerFds,
      threads: [{ pid: HOST_TGIDS.nsCaller, cpu: 1, state: "S" }],
    });
  }
  if (vfork) {
    processes.push({
      tgid: HOST_TGIDS.vforkChild,
      comm: "vfork-child",
      parent: HOST_TGIDS.victim,
      share: "vfork",
      mm: "victim_mm",
      threads: [{ pid: HOST_TGIDS.vforkChild, cpu: 1, state: vfork.frozen ? "frozen" : "S" }],
    });
  }
  return {
    schema: "mrelease-lab/scenario@1",
    name: p.name,
    description: p.description,
    kernel: HOST_KERNEL,
    seed: 1,
    horizon_ms: p.horizon_ms ?? 300,
    cpus: [{ preset: "host", label: "host0" }, { preset: "host", label: "host1" }],
    mms: [
      { id: "lab_mm", vmas: [{ kind: "anon", size: "4MiB" }] },
      ...(levels ? [{ id: "caller_mm", vmas: [{ kind: "anon", size: "1MiB" }] }] : []),
      ...(dead ? [] : [{ id: "victim_mm", vmas: victimVmas }]),
    ],
    processes,
    ...(levels || p.victimPidns
      ? {
        pid_namespaces: [
          ...Array.from({ length: levels }, (_, i) => ({
            id: `ns${i + 1}`,
            ...(i ? { parent: `ns${i}` } : {}),
            procs: i === levels - 1 ? [HOST_TGIDS.nsCaller] : [],
          })),
          ...(p.victimPidns ? [{ id: "app", procs: [HOST_TGIDS.victim] }] : []),
        ],
      }
      : {}),
    ...(p.killBefore
      ? { events: [{ kind: "kill", at_ms: 0.5, target: HOST_TGIDS.victim, from: HOST_TGIDS.lab }] }
      : {}),
    caller: { pid: levels ? HOST_TGIDS.nsCaller : HOST_TGIDS.lab },
    intent: {
      victim: HOST_TGIDS.victim,
      at_ms: 1,
      ...(p.call ? { call: p.call } : {}),
      ...(p.then?.length ? { then: p.then } : {}),
    },
    ...(p.expect ? { expect: p.expect } : {}),
  };
}
