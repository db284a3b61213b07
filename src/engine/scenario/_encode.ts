/**
 * The world program: a validated scenario as the `Int32Array` the core's
 * `Kernel.load_world` reads (spec: "World program"). Records come in the
 * order KERNEL, CPUs, MMs, VMAs, PROCESSes, THREADs, HOLDs, FDs, EVENTs,
 * CALLER, HORIZON, CGROUPs (parents first), CGROUP_PROCs (cgroup.procs order), PIDNSs
 * (parents first), PIDNS_PROCs.
 * @module
 */

import {
  CAP_BIT,
  EVENT_KIND_CODE,
  FD_KIND_CODE,
  HOLD_MODE_CODE,
  KERNEL_VERSION_CODE,
  KERNEL_VERSIONS,
  type KernelVersion,
  NOTIFIER_CODE,
  PROCESS_FLAG_BIT,
  PROCESS_STATUS_CODE,
  SCHED_POLICY_CODE,
  SIGNAL_NUMBER,
  THREAD_FLAG_BIT,
  THREAD_STATE_CODE,
  TIME_NONE_US,
  VMA_FLAG_BIT,
  VMA_KIND_CODE,
  WORLD_OP,
  WORLD_PAYLOAD_LEN,
} from "./abi.ts";
import { kernelFeatures, MMF_FLAGS } from "../../core/mod.ts";
import { ScenarioError } from "./error.ts";
import { cgroupsInCreationOrder } from "./_cgroups.ts";
import { pidNamespacesInCreationOrder } from "./_pidns.ts";
import type {
  Scenario,
  ScenarioEvent,
  ScenarioProcess,
  ScenarioThread,
  ScenarioVma,
} from "./types.ts";

type Op = keyof typeof WORLD_OP;

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** ns (a whole number of µs, as the validator guarantees) → the program's µs. */
function us(ns: number): number {
  return Math.round(ns / 1000);
}

/** A u32 (uid) as the i32 word with the same bits; the core reads it back as u32. */
function u32Word(n: number): number {
  return n | 0;
}

class Program {
  readonly words: number[] = [];

  record(op: Op, payload: readonly number[]): void {
    if (payload.length !== WORLD_PAYLOAD_LEN[op]) {
      throw new Error(`encodeWorld bug: ${op} record with ${payload.length} words`);
    }
    for (const w of payload) {
      // The validator bounds every value; a word out of i32 range here would
      // be silently wrapped by Int32Array, so it is a bug to stop on.
      if (!Number.isInteger(w) || w < I32_MIN || w > I32_MAX) {
        throw new Error(`encodeWorld bug: ${op} word ${w} is not an i32`);
      }
    }
    this.words.push(WORLD_OP[op], payload.length, ...payload);
  }
}

function vmaWords(mm: number, v: ScenarioVma): number[] {
  let flags = 0;
  for (const f of v.flags) flags |= VMA_FLAG_BIT[f];
  if (v.robust_futex_list) flags |= VMA_FLAG_BIT.ROBUST_FUTEX_LIST;
  if (v.thp) flags |= VMA_FLAG_BIT.THP;
  return [
    mm,
    VMA_KIND_CODE[v.kind],
    flags,
    NOTIFIER_CODE[v.notifier],
    v.size_pages,
    v.anon_pages,
    v.file_pages,
    v.shmem_pages,
    v.swap_entries,
  ];
}

function processWords(p: ScenarioProcess, mm_index: ReadonlyMap<string, number>): number[] {
  let caps = 0;
  for (const c of p.caps) caps |= CAP_BIT[c];
  let pflags = 0;
  if (p.kthread) pflags |= PROCESS_FLAG_BIT.kthread;
  if (p.init) pflags |= PROCESS_FLAG_BIT.init;
  if (p.core_dump) pflags |= PROCESS_FLAG_BIT.core_dump;
  if (p.parent_waits) pflags |= PROCESS_FLAG_BIT.parent_waits;
  if (p.vfork_child) pflags |= PROCESS_FLAG_BIT.vfork_child;
  return [
    p.tgid,
    p.parent ?? 0,
    p.mm === null ? -1 : mm_index.get(p.mm) ?? -1,
    u32Word(p.uid),
    u32Word(p.euid),
    caps,
    pflags,
    PROCESS_STATUS_CODE[p.status],
    p.pgid,
  ];
}

function threadWords(t: ScenarioThread, p: ScenarioProcess): number[] {
  let lo = 0;
  let hi = 0;
  for (const cpu of t.affinity) {
    if (cpu < 32) lo |= 1 << cpu;
    else hi |= 1 << (cpu - 32);
  }
  // A zombie process's threads have all exited, whatever the file said.
  const state = p.status === "zombie" ? "zombie" : t.state;
  return [
    t.pid,
    t.tgid,
    t.cpu,
    lo,
    hi,
    SCHED_POLICY_CODE[t.policy],
    t.policy === "fifo" ? t.rt_prio : t.nice,
    THREAD_STATE_CODE[state],
    t.until_ns === null ? TIME_NONE_US : us(t.until_ns),
    t.traced_exit ? THREAD_FLAG_BIT.traced_exit : 0,
  ];
}

function eventWords(e: ScenarioEvent, mm_index: ReadonlyMap<string, number>): number[] {
  const at = us(e.at_ns);
  switch (e.kind) {
    case "proc_reader":
      return [
        at,
        EVENT_KIND_CODE.proc_reader,
        mm_index.get(e.mm) ?? -1,
        us(e.duration_ns),
        e.reader,
      ];
    case "exit":
      return [at, EVENT_KIND_CODE.exit, e.pid, 0, 0];
    case "kill":
      return [at, EVENT_KIND_CODE.kill, e.target, SIGNAL_NUMBER[e.sig], e.from];
    case "wake":
      return [at, EVENT_KIND_CODE.wake, e.pid, 0, 0];
    case "oom_kill":
      return [at, EVENT_KIND_CODE.oom_kill, e.target, 0, e.from];
  }
}

/**
 * Encodes a validated scenario as the world program. `kernel` overrides the
 * scenario's default kernel version.
 */
export function encode(s: Scenario, opts: { kernel?: KernelVersion } = {}): Int32Array {
  const kernel = opts.kernel ?? s.kernel;
  if (!(KERNEL_VERSIONS as readonly string[]).includes(kernel)) {
    throw new RangeError(`encodeWorld: unknown kernel version ${JSON.stringify(kernel)}`);
  }
  const mm_index = new Map(s.mms.map((m, i) => [m.id, i]));
  const prog = new Program();
  prog.record("KERNEL", [KERNEL_VERSION_CODE[kernel]]);
  for (const c of s.cpus) prog.record("CPU", [c.capacity, c.freq_mhz, c.max_freq_mhz]);
  for (const m of s.mms) prog.record("MM", [m.flags.reduce((w, f) => w | MMF_FLAGS[f], 0)]);
  s.mms.forEach((m, i) => m.vmas.forEach((v) => prog.record("VMA", vmaWords(i, v))));
  for (const p of s.processes) prog.record("PROCESS", processWords(p, mm_index));
  // Reaped processes have no THREAD records: the pid exists only via fds.
  const live = s.processes.filter((p) => p.status !== "reaped");
  for (const p of live) for (const t of p.threads) prog.record("THREAD", threadWords(t, p));
  for (const p of live) {
    for (const t of p.threads) {
      for (const h of t.holds) {
        prog.record("HOLD", [t.pid, mm_index.get(h.mm) ?? -1, HOLD_MODE_CODE[h.mode]]);
      }
    }
  }
  refuseThreadPidfds(s, kernel);
  for (const p of s.processes) {
    for (const f of p.fds) {
      // The pidfd's f_flags word: bit 0 PIDFD_NONBLOCK, bit 1 PIDFD_THREAD (load.rs load_fd).
      const flags = (f.nonblock ? 1 : 0) | (f.thread ? 2 : 0);
      prog.record("FD", [p.tgid, f.fd, FD_KIND_CODE[f.kind], f.target ?? 0, flags]);
    }
  }
  for (const e of s.events) prog.record("EVENT", eventWords(e, mm_index));
  prog.record("CALLER", [s.caller.pid]);
  prog.record("HORIZON", [us(s.horizon_ns)]);
  const created = cgroupsInCreationOrder(s.cgroups);
  for (const c of created) prog.record("CGROUP", [c.parentHandle]);
  created.forEach((c, i) => {
    for (const tgid of c.cgroup.procs) prog.record("CGROUP_PROC", [i + 1, tgid]);
  });
  const namespaces = pidNamespacesInCreationOrder(s.pid_namespaces ?? []);
  for (const n of namespaces) prog.record("PIDNS", [n.parentHandle]);
  namespaces.forEach((n, i) => {
    for (const tgid of n.ns.procs) prog.record("PIDNS_PROC", [i + 1, tgid]);
  });
  return Int32Array.from(prog.words);
}

/**
 * A thread pidfd exists only on a kernel with PIDFD_THREAD (v6.9, 64bef697d33b): on an older
 * one the world cannot be, so it is refused at the fd's `thread`, as a scenario problem.
 */
function refuseThreadPidfds(s: Scenario, kernel: KernelVersion): void {
  if (kernelFeatures(kernel).pidfd_thread) return;
  const problems = s.processes.flatMap((p, i) =>
    p.fds.flatMap((f, j) =>
      f.thread
        ? [{
          path: `$.processes[${i}].fds[${j}].thread`,
          message:
            `expected no thread pidfd on kernel ${kernel} (PIDFD_THREAD came in v6.9), got true`,
        }]
        : []
    )
  );
  if (problems.length) throw new ScenarioError(problems);
}
