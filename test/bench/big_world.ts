/**
 * A generator of very large worlds for the benchmarks and their test: `count` single-threaded
 * processes that share nothing (each has its own empty mm and sleeps in S), one caller, and a
 * multi-threaded victim whose mm has mm_users > 1 (its threads) and that a `kill` event at
 * t = 0 puts in SIGNAL_GROUP_EXIT while its threads sit in D (so nobody exits, and
 * task_will_free_mem(victim) must walk every process). Optionally one more process, last in
 * for_each_process order, shares the victim's mm (CLONE_VM): alive (the walk ends on it and
 * answers 0) or dying (killed too, in D: the walk answers 1).
 *
 * The program is written directly as the `Int32Array` that `Kernel.load_world` reads
 * (docs/scenario-format.md, "The world program"), without a Scenario in between: a
 * 100,000-process scenario would spend far longer in validation than the core in loading.
 *
 * @module
 */

import {
  CAP_BIT,
  EVENT_KIND_CODE,
  KERNEL_VERSION_CODE,
  SCHED_POLICY_CODE,
  SIGNAL_NUMBER,
  THREAD_STATE_CODE,
  TIME_NONE_US,
  VMA_KIND_CODE,
  WORLD_OP,
  WORLD_PAYLOAD_LEN,
} from "../../src/engine/scenario/mod.ts";

/** Who shares the victim's mm besides its own threads. */
export type Sharer = "none" | "alive" | "dying";

/** Options of {@linkcode bigWorld}. */
export interface BigWorldOptions {
  /** How many filler processes (single-threaded, own mm each). Default 100,000. */
  count?: number;
  /** Threads of the victim (at least 2, so mm_users > 1). Default 4. */
  victimThreads?: number;
  /** A process sharing the victim's mm, placed last. Default "none". */
  sharer?: Sharer;
}

/** A generated world and what it dictates. */
export interface BigWorld {
  /** The world program for `Kernel.load_world`. */
  program: Int32Array;
  /** The caller (a live userspace thread, CAP_KILL, uid 0). */
  caller: number;
  /** The victim's tgid (= its leader's pid). */
  victim: number;
  /** Processes in the program (fillers + caller + victim + sharer); the core adds the oom_reaper. */
  processes: number;
  /** What task_will_free_mem(victim) must answer once the t = 0 kill has landed. */
  willFreeMem: 0 | 1;
}

/** The caller's tgid/pid. */
export const BIG_CALLER = 100;
/** The victim's tgid; its threads are 200, 201, ... */
export const BIG_VICTIM = 200;
/** The first filler's tgid; fillers are FILLER_BASE, FILLER_BASE + 1, ... */
export const FILLER_BASE = 1000;

const CPUS = 4;
const AFFINITY_ALL = (1 << CPUS) - 1;
const ALL_CAPS = CAP_BIT.CAP_KILL | CAP_BIT.CAP_SYS_NICE | CAP_BIT.CAP_SYS_PTRACE |
  CAP_BIT.CAP_SYS_ADMIN;
const HORIZON_US = 1_000_000;

/** Appends records to a preallocated Int32Array. */
class Writer {
  readonly words: Int32Array;
  pos = 0;

  constructor(size: number) {
    this.words = new Int32Array(size);
  }

  record(op: keyof typeof WORLD_OP, ...payload: number[]): void {
    if (payload.length !== WORLD_PAYLOAD_LEN[op]) {
      throw new Error(`bigWorld bug: ${op} record with ${payload.length} words`);
    }
    this.words[this.pos++] = WORLD_OP[op];
    this.words[this.pos++] = payload.length;
    for (const w of payload) this.words[this.pos++] = w;
  }

  /** PROCESS: tgid, parent, mm, uid, euid, caps, pflags, status (alive), pgid (its own). */
  process(tgid: number, mm: number, uid: number, caps: number): void {
    this.record("PROCESS", tgid, 0, mm, uid, uid, caps, 0, 0, tgid);
  }

  /** THREAD: pid, tgid, cpu, affinity lo/hi, policy, prio (nice 0), state, until_us, tflags. */
  thread(pid: number, tgid: number, cpu: number, state: number): void {
    this.record(
      "THREAD",
      pid,
      tgid,
      cpu,
      AFFINITY_ALL,
      0,
      SCHED_POLICY_CODE.normal,
      0,
      state,
      TIME_NONE_US,
      0,
    );
  }
}

/**
 * Builds the world program.
 *
 * @example
 * ```ts
 * import { bigWorld } from "./big_world.ts";
 * const w = bigWorld({ count: 1000, sharer: "alive" });
 * console.log(w.program.length, w.willFreeMem); // ... 0
 * ```
 */
export function bigWorld(opts: BigWorldOptions = {}): BigWorld {
  const count = opts.count ?? 100_000;
  const victimThreads = opts.victimThreads ?? 4;
  const sharer = opts.sharer ?? "none";
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
    throw new RangeError(`count must be 0..1000000, got ${count}`);
  }
  if (!Number.isInteger(victimThreads) || victimThreads < 2 || victimThreads >= 800) {
    throw new RangeError(`victimThreads must be 2..799, got ${victimThreads}`);
  }
  const sharerTgid = FILLER_BASE + count;
  const hasSharer = sharer !== "none";
  const processes = count + 2 + (hasSharer ? 1 : 0);
  // mm 0: caller, mm 1: victim (and sharer), mm 2 + i: filler i.
  const mms = count + 2;
  const threadWords = 2 + WORLD_PAYLOAD_LEN.THREAD;
  const size = 3 + CPUS * 5 + mms * 3 + 2 * 11 + processes * 11 +
    (count + 1 + victimThreads + (hasSharer ? 1 : 0)) * threadWords +
    (sharer === "dying" ? 2 : 1) * 7 + 3 + 3;
  const w = new Writer(size);

  w.record("KERNEL", KERNEL_VERSION_CODE["6.18"]);
  for (let c = 0; c < CPUS; c++) w.record("CPU", 1024, 2000, 2000);
  for (let m = 0; m < mms; m++) w.record("MM", 0);
  // 4 MiB anonymous, resident, for the caller; 64 MiB for the victim. Fillers map nothing.
  w.record("VMA", 0, VMA_KIND_CODE.anon, 0, 0, 1024, 1024, 0, 0, 0);
  w.record("VMA", 1, VMA_KIND_CODE.anon, 0, 0, 16384, 16384, 0, 0, 0);

  // for_each_process order: caller, victim, fillers, sharer.
  w.process(BIG_CALLER, 0, 0, ALL_CAPS);
  w.process(BIG_VICTIM, 1, 10_000, 0);
  for (let i = 0; i < count; i++) w.process(FILLER_BASE + i, 2 + i, 10_001 + i, 0);
  if (hasSharer) w.process(sharerTgid, 1, 10_000, 0);

  w.thread(BIG_CALLER, BIG_CALLER, 0, THREAD_STATE_CODE.S);
  for (let k = 0; k < victimThreads; k++) {
    w.thread(BIG_VICTIM + k, BIG_VICTIM, 1 + (k % (CPUS - 1)), THREAD_STATE_CODE.D);
  }
  for (let i = 0; i < count; i++) {
    w.thread(FILLER_BASE + i, FILLER_BASE + i, i % CPUS, THREAD_STATE_CODE.S);
  }
  if (hasSharer) {
    const state = sharer === "dying" ? THREAD_STATE_CODE.D : THREAD_STATE_CODE.S;
    w.thread(sharerTgid, sharerTgid, 3, state);
  }

  // SIGKILL at t = 0 from the caller: SIGNAL_GROUP_EXIT, nobody can act on it (D sleeps).
  w.record("EVENT", 0, EVENT_KIND_CODE.kill, BIG_VICTIM, SIGNAL_NUMBER.SIGKILL, BIG_CALLER);
  if (sharer === "dying") {
    w.record("EVENT", 0, EVENT_KIND_CODE.kill, sharerTgid, SIGNAL_NUMBER.SIGKILL, BIG_CALLER);
  }
  w.record("CALLER", BIG_CALLER);
  w.record("HORIZON", HORIZON_US);
  if (w.pos !== size) throw new Error(`bigWorld bug: wrote ${w.pos} words, sized ${size}`);

  return {
    program: w.words,
    caller: BIG_CALLER,
    victim: BIG_VICTIM,
    processes,
    willFreeMem: sharer === "alive" ? 0 : 1,
  };
}
