/**
 * Runs a scenario on the host's real kernel: the victim helper builds the victim's memory and
 * threads, the session puts it in the scenario's state (frozen, stopped, zombie, reaped), and
 * the lab itself, as the caller, runs the design's own recipe through {@linkcode HostUserspace},
 * whose calls go to the kernel through FFI. It observes only through the kernel's interfaces:
 * each call's return value and errno, wall time and the caller's CPU time (RUSAGE_THREAD), the
 * victim's RSS by kind from /proc/<pid>/status before and after, zoneinfo's free pages, and
 * whether and when the victim exited (its pidfd polls readable). A caller in a child pid
 * namespace is the caller helper (pidns.ts), given copies of the caller's fds the lab opened.
 *
 * @module
 */

import {
  type CallArgs,
  type Design,
  type DesignContext,
  type Errno,
  errnoOf,
  PAGE_SIZE,
  PIDFD_NONBLOCK,
  PIDFD_THREAD,
  SIGKILL,
  variantFor,
} from "../../core/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import { runThen, type ThenRecord } from "../../engine/run/mod.ts";
import { monotonicNs, pollIn } from "./ffi.ts";
import { kernelRelease, type ProcStatus, procStatus, threadIds, zoneFreePages } from "./observe.ts";
import { type HostPlan, hostPlan, NotExpressible } from "./plan.ts";
import { HostSession, type Victim } from "./session.ts";
import { HOST_KERNEL } from "./support.ts";
import { type HostCall, HostUserspace, runRecipe } from "./userspace.ts";
import { hostRefusals } from "./designs.ts";
import { ExitTracer } from "./ptrace.ts";
import {
  coreBytes,
  type CoreDumpRecord,
  coreDumpRefusal,
  CoreDumpTimingError,
  startCoreDump,
} from "./coredump.ts";
import { NsCaller } from "./pidns.ts";

/** The host outcome's schema. */
export const HOST_OUTCOME_SCHEMA = "mrelease-lab/host-outcome@2";

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
  /** The errno it set: a name, or 0 when it succeeded. */
  errno: Errno;
  /** Every call the lab made as the caller in the design's recipe, in order. */
  calls: HostCall[];
  /** What each of the scenario's follow-up calls answered; only when it has some. */
  then?: ThenRecord[];
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
  /** What its core dump did; only for a victim dumping core at the intent. */
  core_dump?: CoreDumpRecord;
}

/** Options of {@linkcode runHost}. */
export interface HostRunOptions {
  /** The design whose recipe runs. */
  design: Design;
  /** Its variant: none, or the one {@linkcode HOST_KERNEL} runs (the host has no other). */
  variant?: string;
  /** A session to run in (the caller closes it); by default a fresh one, closed after. */
  session?: HostSession;
  /** Called after the victim is in its state, before the recipe (tests inject failures). */
  beforeRecipe?: (victim: Victim) => void | Promise<void>;
}

/** An fd number above any RLIMIT_NOFILE: always closed (EBADF). */
const CLOSED_FD = 1 << 30;

/**
 * Runs `scenario` under `opts.design` on the host. Throws {@linkcode NotExpressible} for a
 * scenario or design the host cannot run, and a `HostSafetyError` if anything would touch a
 * process the run did not create.
 */
export async function runHost(scenario: Scenario, opts: HostRunOptions): Promise<HostOutcome> {
  const plan = hostPlan(scenario);
  const why = hostRefusals(opts.design, opts.variant);
  const noDump = plan.coreDump ? coreDumpRefusal() : null;
  if (noDump) why.push(noDump);
  if (why.length) throw new NotExpressible(scenario.name, why);
  const session = opts.session ?? new HostSession();
  const tracer = new ExitTracer();
  const held: { ns: NsCaller | null } = { ns: null };
  try {
    return await runIn(session, { tracer, held }, scenario, plan, opts);
  } finally {
    held.ns?.close();
    // Before the session's SIGKILLs: only the tracer ends an exit stop on 6.18.
    tracer.release();
    if (!opts.session) await session.close();
  }
}

async function runIn(
  session: HostSession,
  { tracer, held }: { tracer: ExitTracer; held: { ns: NsCaller | null } },
  s: Scenario,
  plan: HostPlan,
  opts: HostRunOptions,
): Promise<HostOutcome> {
  const coreDir = plan.coreDump ? await session.makeCoreDir() : undefined;
  const victim = await session.spawnVictim({
    comm: plan.comm,
    vmas: plan.vmas,
    extraThreads: plan.extraThreads,
    vfork: plan.vforkChild !== null,
    coreDir,
    pidNamespace: plan.victimPidns,
  });
  const vpid = victim.process.pid;
  // A caller in a child pid namespace: the caller helper, closed by runHost.
  if (plan.callerLevels) held.ns = await NsCaller.start(session, plan.callerLevels);
  const fdMap = openCallerFds(session, plan, victim, held.ns);
  const tids = threadIds(vpid);
  for (const i of plan.tracedThreads) tracer.seize(session, vpid, tids[i] ?? -1);
  const toFreeze = [
    ...(plan.state === "frozen" ? [vpid] : []),
    ...(plan.vforkChild?.frozen && victim.vforkChild ? [victim.vforkChild.pid] : []),
  ];
  if (toFreeze.length) await session.freeze(toFreeze);
  if (plan.state === "T") session.stop(vpid);
  // The scenario's kill event: the lab's SIGKILL; the frozen victim keeps its mm.
  if (plan.killedBefore && session.signal(vpid, SIGKILL) < 0) throw new Error("the kill event");
  if (plan.state === "zombie" || plan.state === "reaped") {
    const r = session.signal(vpid, SIGKILL);
    if (r < 0 || !session.waitExit(vpid, 10_000)) throw new Error(`victim ${vpid} did not exit`);
    if (plan.state === "reaped") session.reap(vpid);
  }
  // Last, right before the intent: the dump runs from here (CoreDumping: 1 when it returns).
  if (plan.coreDump) startCoreDump(session, vpid);
  await opts.beforeRecipe?.(victim);

  const atIntent = procStatus(vpid);
  if (plan.coreDump && !atIntent?.coreDumping) {
    throw new CoreDumpTimingError(
      `${s.name}: the victim's core dump is not in progress at the intent ` +
        `(CoreDumping: ${atIntent?.coreDumping ?? "gone"}; core ${coreBytes(coreDir!)} bytes)`,
    );
  }
  const before = rss(atIntent);
  const zone0 = zoneFreePages();
  const t0 = monotonicNs();
  const caller = new HostUserspace(session, victim, plan, s.name, {
    nsCaller: held.ns ?? undefined,
  });
  // The recipe sees the host's pids and fds: the victim is the helper's process, and the
  // scenario's fd numbers are the real fds opened for them.
  const ctx: DesignContext = {
    victim: vpid,
    kernel: HOST_KERNEL,
    variant: variantFor(opts.design, HOST_KERNEL),
    call: hostCallArgs(plan.call, fdMap),
  };
  const ret = runRecipe(opts.design.recipe(caller, ctx));
  const mainCalls = caller.calls.length;
  const then: ThenRecord[] = [];
  const looked = runThen(caller, vpid, plan.then, then).next();
  if (!looked.done) throw new Error("the follow-up calls yielded on the host");
  // Watch a victim that can still exit by itself for the scenario's remaining time.
  const alive = plan.state !== "zombie" && plan.state !== "reaped";
  let exitedAt: number | null = null;
  const st = procStatus(vpid);
  // A dumping victim is watched the whole window: its dump must outlast it unless killed.
  const watch = plan.coreDump || (st && (st.sigkillPending || st.state === "Z"));
  if (alive && plan.state !== "frozen" && watch) {
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
  const signalDelivered = alive && (exitedAt !== null || (afterStatus?.sigkillPending ?? false));
  const coreDump = plan.coreDump
    ? dumpRecord(s, session, vpid, coreDir!, afterStatus, exitedAt !== null)
    : undefined;
  return {
    schema: HOST_OUTCOME_SCHEMA,
    scenario: s.name,
    design: opts.design.name,
    kernel: kernelRelease().release,
    ret,
    errno: errnoOf(ret),
    calls: caller.calls.slice(0, mainCalls),
    ...(plan.then.length > 0 ? { then } : {}),
    signal_delivered: signalDelivered,
    memory: {
      scenario_anon_pages: plan.anonPages,
      before,
      after,
      freed_pages: Math.max(0, Math.round(freedKb * 1024 / PAGE_SIZE)),
      zone_free_delta_pages: zone1 - zone0,
    },
    exit: { exited: !alive || exitedAt !== null, after_ns: exitedAt },
    cpu_ns: { caller: caller.calls.slice(0, mainCalls).reduce((n, c) => n + c.cpu_ns, 0) },
    state: plan.state,
    ...(coreDump ? { core_dump: coreDump } : {}),
  };
}

/**
 * What a victim's core dump did by the window's end, checked against the scenario, whose
 * dump outlasts the window (plan.ts): by the window's end it must still be running, or have
 * been cut short by a SIGKILL (exit CLD_KILLED 9), or be ending after one; a dump that
 * finished by itself (exit CLD_DUMPED: the host's disk outran the scenario) or a process
 * neither dumping nor killed is a {@linkcode CoreDumpTimingError}, never an agreement.
 */
function dumpRecord(
  s: Scenario,
  session: HostSession,
  vpid: number,
  dir: string,
  end: ProcStatus | null,
  exited: boolean,
): CoreDumpRecord {
  // WNOWAIT: the exit status without reaping (a follow-up waitid may have reaped it: null).
  const w = exited ? session.peekExit(vpid) : null;
  const record: CoreDumpRecord = {
    at_intent: true,
    at_end: exited ? null : end?.coreDumping ?? null,
    core_bytes: coreBytes(dir),
    exit: w,
  };
  // do_coredump(): a dump written whole exits CLD_DUMPED (coredump_finish() sets 0x80 in
  // group_exit_code); one a SIGKILL interrupted (dump_interrupted()) exits CLD_KILLED 9.
  const finished = w !== null && w.startsWith("CLD_DUMPED");
  const stopped = !exited && !record.at_end && !end?.sigkillPending;
  if (finished || stopped) {
    throw new CoreDumpTimingError(
      `${s.name}: the host's core dump ended within the window (${
        exited ? `the victim exited ${w}` : "CoreDumping: 0"
      }, core ${record.core_bytes} bytes), where the scenario's dump outlasts it: this disk ` +
        `is too fast for this victim; give it more memory or a shorter window`,
    );
  }
  return record;
}

/**
 * The caller's fds by scenario number, opened while every process they name still exists:
 * the lab's own, or, for a caller in a child pid namespace, the caller's copies of them.
 */
function openCallerFds(
  session: HostSession,
  plan: HostPlan,
  victim: Victim,
  ns: NsCaller | null,
): Map<number, number> {
  const vpid = victim.process.pid;
  const fdMap = new Map<number, number>();
  for (const f of plan.callerFds) {
    const pid = f.target === plan.victimTgid ? vpid : victim.vforkChild?.pid ?? -1;
    let fd: number;
    if (f.kind === "file") fd = session.openOrdinaryFile();
    else if (f.kind === "proc_dir") fd = session.openProcDir(pid);
    else if (f.threadIndex === null) {
      fd = session.pidfdOpen(pid, f.nonblock ? PIDFD_NONBLOCK : 0);
    } else {
      // The scenario's thread i is the victim's i-th thread (observe.ts threadIds).
      const tid = threadIds(vpid)[f.threadIndex] ?? -1;
      const flags = PIDFD_THREAD | (f.nonblock ? PIDFD_NONBLOCK : 0);
      fd = session.pidfdOpen(vpid, flags, tid);
    }
    fdMap.set(f.fd, ns && fd >= 0 ? ns.pass(fd) : fd);
  }
  return fdMap;
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

/** The scenario's call with its fd number replaced by the host fd opened for it. */
function hostCallArgs(call: CallArgs, fds: ReadonlyMap<number, number>): CallArgs {
  if (call.fd === undefined) return call;
  return { ...call, fd: fds.get(call.fd) ?? (call.fd < 0 ? call.fd : CLOSED_FD) };
}
