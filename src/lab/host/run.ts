/**
 * Runs a scenario's userspace recipe on the host's real kernel: the victim helper builds
 * the victim's memory and threads, the session puts it in the scenario's state (frozen,
 * stopped, zombie, reaped), and the lab itself, as the caller, makes the design's calls
 * through FFI. It observes only through the kernel's interfaces: each call's return value
 * and errno, wall time and the caller's CPU time (RUSAGE_THREAD), the victim's RSS by kind
 * from /proc/<pid>/status before and after, zoneinfo's free pages, and whether and when
 * the victim exited (its pidfd polls readable).
 *
 * @module
 */

import type { CallArgs, Scenario } from "../../engine/scenario/mod.ts";
import {
  addr,
  C,
  monotonicNs,
  pollIn,
  SYS,
  SYS_UNASSIGNED,
  syscall,
  threadCpuClockNs,
  threadCpuNs,
} from "./ffi.ts";
import { retName } from "../../core/errno.ts";
import { kernelRelease, type ProcStatus, procStatus, zoneFreePages } from "./observe.ts";
import { type HostPlan, hostPlan, NotExpressible } from "./plan.ts";
import { HostSession, type Victim } from "./session.ts";

/** The host outcome's schema. */
export const HOST_OUTCOME_SCHEMA = "mrelease-lab/host-outcome@1";

/** One syscall the lab made as the caller. */
export interface HostCall {
  /** The syscall. */
  name: string;
  /** Its x86_64 number. */
  nr: number;
  /** Its arguments as passed (fds are host fd numbers). */
  args: (number | string)[];
  /** The result, or -errno. */
  ret: number;
  /** `ret` as a name. */
  errno: string;
  /** Wall time from entry to return (CLOCK_MONOTONIC, ns). */
  wall_ns: number;
  /** The calling thread's CPU time over the call (CLOCK_THREAD_CPUTIME_ID, ns). */
  cpu_ns: number;
  /** The same from getrusage(RUSAGE_THREAD) (tick-sampled, coarse for short calls; ns). */
  rusage_ns: number;
}

/** RSS by kind in KiB, from /proc/<pid>/status. */
export interface RssSnapshot {
  /** RssAnon. */
  anon_kb: number;
  /** RssFile. */
  file_kb: number;
  /** RssShmem. */
  shmem_kb: number;
  /** VmLck. */
  locked_kb: number;
}

/** What one host run saw. */
export interface HostOutcome {
  /** {@linkcode HOST_OUTCOME_SCHEMA}. */
  schema: typeof HOST_OUTCOME_SCHEMA;
  /** The scenario's name. */
  scenario: string;
  /** The design. */
  design: string;
  /** The host kernel's release. */
  kernel: string;
  /** The design's main call: result or -errno. */
  ret: number;
  /** `ret` as a name. */
  errno: string;
  /** Every call the lab made as the caller, in order. */
  calls: HostCall[];
  /** The victim had a SIGKILL pending, or exited, after the intent (it was alive before). */
  signal_delivered: boolean;
  /** The victim's memory. */
  memory: {
    /** Private anon pages the scenario gives the victim (the simulator's reclaimable). */
    scenario_anon_pages: number;
    /** RSS at the intent, or null without an mm (a zombie). */
    before: RssSnapshot | null;
    /** RSS after the call and the watch window, or null without an mm (exited). */
    after: RssSnapshot | null;
    /** RssAnon pages that went away between the two (all of it when the victim exited). */
    freed_pages: number;
    /** Change of /proc/zoneinfo free pages over the same span (noisy: the whole machine). */
    zone_free_delta_pages: number;
  };
  /** Whether the victim exited by the end of the watch window, and when after the intent. */
  exit: { exited: boolean; after_ns: number | null };
  /** CPU time of the caller's calls (ns). */
  cpu_ns: { caller: number };
  /** The state the victim was put in at the intent. */
  state: HostPlan["state"];
}

/** Options of {@linkcode runHost}. */
export interface HostRunOptions {
  /** A session to run in (the caller closes it); by default a fresh one, closed after. */
  session?: HostSession;
  /** Called after the victim is in its state, before the recipe (tests inject failures). */
  beforeRecipe?: (victim: Victim) => void | Promise<void>;
}

/** The designs whose recipe the host can run. */
export const HOST_DESIGNS = [
  "sigkill",
  "process_mrelease",
  "process_mrelease_reap_kill",
  "sync_reap_mm",
  "process_madvise",
  "process_reap",
] as const;

const PAGE_KB = 4;
/** An fd number above any RLIMIT_NOFILE: always closed (EBADF). */
const CLOSED_FD = 1 << 30;

/**
 * Runs `scenario` under `design` on the host. Throws {@linkcode NotExpressible} for a
 * scenario or design the host cannot run, and a `HostSafetyError` if anything would
 * touch a process the run did not create.
 */
export async function runHost(
  scenario: Scenario,
  design: string,
  opts: HostRunOptions = {},
): Promise<HostOutcome> {
  const plan = hostPlan(scenario);
  const [name, variant] = design.split("@");
  if (!(HOST_DESIGNS as readonly string[]).includes(name)) {
    throw new NotExpressible(scenario.name, [`design ${name}: the host cannot make its call`]);
  }
  if (variant !== undefined && !(name === "process_mrelease" && variant === "mainline")) {
    throw new NotExpressible(scenario.name, [`variant ${design}: the host runs mainline 6.18`]);
  }
  const session = opts.session ?? new HostSession();
  try {
    return await runIn(session, scenario, plan, name, opts);
  } finally {
    if (!opts.session) await session.close();
  }
}

async function runIn(
  session: HostSession,
  s: Scenario,
  plan: HostPlan,
  design: string,
  opts: HostRunOptions,
): Promise<HostOutcome> {
  const victim = await session.spawnVictim({
    comm: plan.comm,
    vmas: plan.vmas,
    extraThreads: plan.extraThreads,
    vfork: plan.vforkChild !== null,
  });
  const vpid = victim.process.pid;
  // The caller's fds, opened while every process they name still exists.
  const fdMap = new Map<number, number>();
  for (const f of plan.callerFds) {
    const pid = f.target === plan.victimTgid ? vpid : victim.vforkChild?.pid ?? -1;
    if (f.kind === "file") fdMap.set(f.fd, session.openOrdinaryFile());
    else if (f.kind === "proc_dir") fdMap.set(f.fd, session.openProcDir(pid));
    else fdMap.set(f.fd, session.pidfdOpen(pid, f.nonblock ? C.PIDFD_NONBLOCK : 0));
  }
  const toFreeze = [
    ...(plan.state === "frozen" ? [vpid] : []),
    ...(plan.vforkChild?.frozen && victim.vforkChild ? [victim.vforkChild.pid] : []),
  ];
  if (toFreeze.length) await session.freeze(toFreeze);
  if (plan.state === "T") session.stop(vpid);
  if (plan.state === "zombie" || plan.state === "reaped") {
    const r = session.signal(vpid, C.SIGKILL);
    if (r < 0 || !session.waitExit(vpid, 10_000)) throw new Error(`victim ${vpid} did not exit`);
    if (plan.state === "reaped") session.reap(vpid);
  }
  await opts.beforeRecipe?.(victim);

  const before = rss(procStatus(vpid));
  const zone0 = zoneFreePages();
  const t0 = monotonicNs();
  const caller = new HostCaller(session, vpid, plan.call, fdMap, plan, victim);
  const ret = caller.run(design);
  // Watch a victim that can still exit by itself for the scenario's remaining time.
  const alive = plan.state !== "zombie" && plan.state !== "reaped";
  let exitedAt: number | null = null;
  const st = procStatus(vpid);
  if (alive && plan.state !== "frozen" && st && (st.sigkillPending || st.state === "Z")) {
    const deadline = t0 + plan.windowMs * 1e6;
    while (exitedAt === null && monotonicNs() < deadline) {
      if (pollIn(victim.process.pidfd, Math.max(1, (deadline - monotonicNs()) / 1e6))) {
        exitedAt = monotonicNs() - t0;
      }
    }
  } else if (alive && pollIn(victim.process.pidfd, 0)) {
    exitedAt = monotonicNs() - t0;
  }
  const afterStatus = procStatus(vpid);
  const after = rss(afterStatus);
  const zone1 = zoneFreePages();
  const freedKb = before ? before.anon_kb - (after?.anon_kb ?? 0) : 0;
  return {
    schema: HOST_OUTCOME_SCHEMA,
    scenario: s.name,
    design,
    kernel: kernelRelease().release,
    ret,
    errno: retName(ret),
    calls: caller.calls,
    signal_delivered: alive && (exitedAt !== null || (afterStatus?.sigkillPending ?? false)),
    memory: {
      scenario_anon_pages: plan.anonPages,
      before,
      after,
      freed_pages: Math.max(0, Math.round(freedKb / PAGE_KB)),
      zone_free_delta_pages: zone1 - zone0,
    },
    exit: { exited: !alive || exitedAt !== null, after_ns: exitedAt },
    cpu_ns: { caller: caller.calls.reduce((n, c) => n + c.cpu_ns, 0) },
    state: plan.state,
  };
}

function rss(st: ProcStatus | null): RssSnapshot | null {
  if (!st || st.rssAnonKb === null) return null;
  return {
    anon_kb: st.rssAnonKb,
    file_kb: st.rssFileKb ?? 0,
    shmem_kb: st.rssShmemKb ?? 0,
    locked_kb: st.vmLckKb ?? 0,
  };
}

/** The lab as the memory killer: the host side of each design's recipe. */
class HostCaller {
  readonly calls: HostCall[] = [];
  readonly #s: HostSession;
  readonly #victim: number;
  readonly #call: CallArgs;
  readonly #fds: Map<number, number>;
  readonly #plan: HostPlan;
  readonly #v: Victim;

  constructor(
    s: HostSession,
    victim: number,
    call: CallArgs,
    fds: Map<number, number>,
    plan: HostPlan,
    v: Victim,
  ) {
    this.#s = s;
    this.#victim = victim;
    this.#call = call;
    this.#fds = fds;
    this.#plan = plan;
    this.#v = v;
  }

  run(design: string): number {
    const c = this.#call;
    switch (design) {
      case "sigkill": {
        // kill(pid, SIGKILL) in the simulator; on the host the same signal goes through the
        // session's pidfd, so that no pid is ever signalled by number.
        return this.#timed(
          "pidfd_send_signal",
          SYS.pidfd_send_signal,
          ["victim", 9],
          () => this.#s.signal(this.#victim, C.SIGKILL),
        );
      }
      case "process_mrelease": {
        const fd = this.#victimFd();
        this.#killFirst(fd);
        return this.#sys("process_mrelease", SYS.process_mrelease, [fd, c.flags ?? 0], 0);
      }
      case "process_mrelease_reap_kill": {
        const fd = this.#victimFd();
        return this.#sys("process_mrelease", SYS.process_mrelease, [fd, c.flags ?? 1], 0);
      }
      case "sync_reap_mm": {
        const fd = this.#victimFd();
        return this.#sys("pidfd_send_signal", SYS.pidfd_send_signal, [
          fd,
          c.sig ?? 9,
          0,
          c.flags ?? 1,
        ], 0);
      }
      case "process_madvise": {
        const fd = this.#victimFd();
        this.#killFirst(fd);
        const iov = c.iov ?? [];
        const vec = new BigUint64Array(Math.max(1, iov.length * 2));
        iov.forEach((r, i) => {
          const at = this.#plan.vmas.findIndex((v) =>
            r.start_page >= v.startPage && r.end_page <= v.startPage + v.bytes / 4096
          );
          const base = this.#v.vmas[at].addr +
            BigInt((r.start_page - this.#plan.vmas[at].startPage) * 4096);
          vec[2 * i] = base;
          vec[2 * i + 1] = BigInt((r.end_page - r.start_page) * 4096);
        });
        const vlen = c.vlen ?? iov.length;
        const ret = this.#sys("process_madvise", SYS.process_madvise, [
          fd,
          iov.length ? addr(vec) : 0,
          vlen,
          c.advice ?? 4,
          c.flags ?? 1,
        ], 0);
        return ret;
      }
      case "process_reap": {
        const fd = this.#victimFd();
        this.#killFirst(fd);
        return this.#sys("process_reap", SYS_UNASSIGNED, [fd, c.flags ?? 0], 0);
      }
      default:
        throw new Error(`no host recipe for ${design}`);
    }
  }

  /** The scenario's `call.fd` as a host fd, or a fresh pidfd of the victim. */
  #victimFd(): number {
    const c = this.#call;
    if (c.fd !== undefined) return this.#fds.get(c.fd) ?? (c.fd < 0 ? c.fd : CLOSED_FD);
    const flags = c.nonblock ? C.PIDFD_NONBLOCK : 0;
    return this.#timed(
      "pidfd_open",
      SYS.pidfd_open,
      [this.#victim, flags],
      () => this.#s.pidfdOpen(this.#victim, flags),
    );
  }

  #killFirst(fd: number): void {
    if (this.#call.kill === false) return;
    this.#sys("pidfd_send_signal", SYS.pidfd_send_signal, [fd, 9, 0, 0], 0);
  }

  /** A syscall whose argument `fdArg` is an fd: the guard checks it first. */
  #sys(name: string, nr: number, args: (number | bigint)[], fdArg: number): number {
    this.#s.checkFd(Number(args[fdArg]));
    return this.#timed(
      name,
      nr,
      args.map((a) => typeof a === "bigint" ? "ptr" : a),
      () => syscall(nr, ...args),
    );
  }

  #timed(name: string, nr: number, args: (number | string)[], fn: () => number): number {
    const r0 = threadCpuNs();
    const c0 = threadCpuClockNs();
    const w0 = monotonicNs();
    const ret = fn();
    const w1 = monotonicNs();
    const c1 = threadCpuClockNs();
    const r1 = threadCpuNs();
    this.calls.push({
      name,
      nr,
      args,
      ret,
      errno: retName(ret),
      wall_ns: w1 - w0,
      cpu_ns: c1 - c0,
      rusage_ns: r1 - r0,
    });
    return ret;
  }
}

export { NotExpressible };
