/**
 * The event log as Chrome trace-event JSON (the "JSON Object Format" of the Trace Event
 * Format, which chrome://tracing and ui.perfetto.dev open). `ts` and `dur` are microseconds,
 * as the format defines them, written as floats (ns / 1000) so nanoseconds survive. There is
 * no `displayTimeUnit`: in catapult it only picks how times are labelled, but Perfetto's
 * trace processor read `ts` and `dur` in that unit from google/perfetto e569a2493d (Feb 2020)
 * until ee80bcb2b0 "Fix behaviour of displayTimeUnit to match catapult" (Nov 2021), so a
 * viewer built in between showed the lab's `"ns"` traces 1000 times too short; today's
 * ignores the key and notes it as an info stat (`json_display_time_unit`).
 *
 * Tracks: one process per thread group with one thread per task (syscall and exit_mmap
 * slices, instant events); a pseudo process "CPUs" with one thread per CPU showing who ran
 * there (from sched_switch); a pseudo process per mm with its rss and refcount counters.
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, eventArg, KIND_NAMES } from "./_kinds.ts";
import { labArgs, warnMessage, warnName } from "./_lab.ts";
import {
  CPUS_TRACK_PID,
  cpuTrackTid,
  mmfName,
  mmTrackPid,
  RSS_MEMBERS,
  taskComm,
  tgidOf,
  type TraceContext,
} from "./_names.ts";
import { findSlices } from "./_slices.ts";
import { mmsOf, TraceState } from "./_state.ts";

/** A trace-event argument value. */
export type TraceArg = number | string | boolean;

/** One Chrome trace event. */
export interface ChromeTraceEvent {
  /** Event name. */
  name: string;
  /** Category, for filtering: sched, signal, oom, syscall, mm, lab, warn, __metadata. */
  cat: string;
  /** Phase: M metadata, X complete slice, C counter, i instant. */
  ph: "M" | "X" | "C" | "i";
  /** Start, microseconds since the run began (a float: ns / 1000). */
  ts: number;
  /** Process (tgid, or a pseudo pid for CPUs and mms). */
  pid: number;
  /** Thread. */
  tid: number;
  /** Duration of an X slice, microseconds. */
  dur?: number;
  /** Scope of an instant: g global, p process, t thread. */
  s?: "g" | "p" | "t";
  /** Details. */
  args?: Record<string, TraceArg>;
}

/** The JSON object: `JSON.stringify` it into trace.json. */
export interface TraceEventJson {
  /** The events. */
  traceEvents: ChromeTraceEvent[];
  /** Free-form facts about the run (the generator, the kernel model, the clock). */
  otherData: Record<string, string>;
}

/**
 * Builds Chrome/Perfetto trace-event JSON from the event log.
 *
 * @example
 * ```ts
 * import { EVENT_KINDS, toTraceEventJson } from "./mod.ts";
 * const json = toTraceEventJson(
 *   [{ tsNs: 1_500, cpu: 0, pid: 7, kind: EVENT_KINDS.sys_enter, a: 448, b: 3, c: 0, d: 0 },
 *    { tsNs: 9_000, cpu: 0, pid: 7, kind: EVENT_KINDS.sys_exit, a: 448, b: 0, c: 0, d: 0 }],
 *   { comm: () => "lmkd", tgid: (p) => p, mmOwner: () => "", kernel: "5.15" },
 * );
 * await Deno.writeTextFile("trace.json", JSON.stringify(json));
 * ```
 */
export function toTraceEventJson(
  events: readonly TraceEvent[],
  ctx: TraceContext,
): TraceEventJson {
  const out: ChromeTraceEvent[] = [];
  const endNs = events.length > 0 ? events[events.length - 1].tsNs : 0;
  metadata(events, ctx, out);
  cpuSlices(events, ctx, endNs, out);
  for (const s of findSlices(events)) {
    const begin = events[s.begin].tsNs;
    const end = s.end === null ? endNs : events[s.end].tsNs;
    const args: Record<string, TraceArg> = { ...s.args };
    if (s.end === null) args.unfinished = true;
    out.push({
      name: s.name,
      cat: "mm" in s.args ? "mm" : "syscall",
      ph: "X",
      ts: us(begin),
      dur: us(end - begin),
      pid: tgidOf(ctx, s.pid),
      tid: s.pid,
      args,
    });
  }
  const state = new TraceState(events, ctx);
  rssBaseline(events, ctx, out);
  for (const e of events) {
    const x = fromEvent(e, ctx, state);
    if (x !== null) out.push(x);
    state.observe(e);
    if (e.kind === EVENT_KINDS.rss_stat) {
      const mm = eventArg(e, "mm");
      out.push(rssCounter(mm, e.tsNs, state.rss(mm)));
    }
  }
  return {
    traceEvents: out,
    otherData: {
      generator: "mrelease-lab",
      kernel: ctx.kernel,
      clock: "simulated, from the run's start; ts and dur in microseconds",
    },
  };
}

/** ns → the format's microseconds. */
function us(ns: number): number {
  return ns / 1000;
}

/** Names for every process and thread that has a track, and for the pseudo processes. */
function metadata(events: readonly TraceEvent[], ctx: TraceContext, out: ChromeTraceEvent[]) {
  const meta = (name: string, pid: number, tid: number, args: Record<string, TraceArg>) =>
    out.push({ name, cat: "__metadata", ph: "M", ts: 0, pid, tid, args });
  const threads = new Set<number>();
  for (const e of events) if (e.kind !== EVENT_KINDS.sched_switch) threads.add(e.pid);
  const groups = new Set<number>();
  for (const pid of threads) {
    const tgid = tgidOf(ctx, pid);
    if (!groups.has(tgid)) {
      groups.add(tgid);
      meta("process_name", tgid, tgid, { name: taskComm(ctx, tgid) });
    }
    meta("thread_name", tgid, pid, { name: taskComm(ctx, pid) });
  }
  const cpus = new Set<number>();
  for (const e of events) if (e.kind === EVENT_KINDS.sched_switch) cpus.add(e.cpu);
  if (cpus.size > 0) {
    meta("process_name", CPUS_TRACK_PID, CPUS_TRACK_PID, { name: "CPUs" });
    meta("process_sort_index", CPUS_TRACK_PID, CPUS_TRACK_PID, { sort_index: -1 });
    for (const cpu of [...cpus].sort((x, y) => x - y)) {
      meta("thread_name", CPUS_TRACK_PID, cpuTrackTid(cpu), { name: `CPU ${cpu}` });
      meta("thread_sort_index", CPUS_TRACK_PID, cpuTrackTid(cpu), { sort_index: cpu });
    }
  }
  for (const mm of mmsOf(events)) {
    const pid = mmTrackPid(mm);
    meta("process_name", pid, pid, { name: `mm ${mm}: ${ctx.mmOwner(mm)}` });
  }
}

/** Who ran on each CPU, from sched_switch: one X slice per stint. */
function cpuSlices(
  events: readonly TraceEvent[],
  ctx: TraceContext,
  endNs: number,
  out: ChromeTraceEvent[],
) {
  const running = new Map<number, { pid: number; sinceNs: number }>();
  const close = (cpu: number, atNs: number) => {
    const r = running.get(cpu);
    if (r === undefined) return;
    running.delete(cpu);
    out.push({
      name: taskComm(ctx, r.pid),
      cat: "sched",
      ph: "X",
      ts: us(r.sinceNs),
      dur: us(atNs - r.sinceNs),
      pid: CPUS_TRACK_PID,
      tid: cpuTrackTid(cpu),
      args: { pid: r.pid, tgid: tgidOf(ctx, r.pid) },
    });
  };
  for (const e of events) {
    if (e.kind !== EVENT_KINDS.sched_switch) continue;
    close(e.cpu, e.tsNs);
    const next = eventArg(e, "next_pid");
    if (next !== 0) running.set(e.cpu, { pid: next, sinceNs: e.tsNs });
  }
  for (const cpu of [...running.keys()]) close(cpu, endNs);
}

/** The rss counters' starting levels at time 0, when the context knows them. */
function rssBaseline(events: readonly TraceEvent[], ctx: TraceContext, out: ChromeTraceEvent[]) {
  if (ctx.rssBytes === undefined) return;
  for (const mm of mmsOf(events)) {
    const start = ctx.rssBytes(mm);
    if (start !== undefined) out.push(rssCounter(mm, 0, start));
  }
}

/** One C event carrying every member, so the stacked counter always shows the total. */
function rssCounter(mm: number, tsNs: number, rss: readonly number[]): ChromeTraceEvent {
  const args: Record<string, number> = {};
  RSS_MEMBERS.forEach((member, i) => args[member] = rss[i] ?? 0);
  const pid = mmTrackPid(mm);
  return { name: "rss_bytes", cat: "mm", ph: "C", ts: us(tsNs), pid, tid: pid, args };
}

/** The instant or counter event for one log event; null for kinds drawn otherwise. */
function fromEvent(e: TraceEvent, ctx: TraceContext, st: TraceState): ChromeTraceEvent | null {
  const pid = tgidOf(ctx, e.pid);
  const instant = (cat: string, args: Record<string, TraceArg>, s: "g" | "t" = "t") => ({
    name: KIND_NAMES[e.kind] ?? `kind_${e.kind}`,
    cat,
    ph: "i" as const,
    ts: us(e.tsNs),
    pid,
    tid: e.pid,
    s,
    args,
  });
  const arg = (name: string) => eventArg(e, name);
  switch (e.kind) {
    case EVENT_KINDS.sched_switch: // drawn as the CPUs' slices
    case EVENT_KINDS.sched_wakeup: // in trace.txt only: an instant per wakeup is noise here
    case EVENT_KINDS.sys_enter: // drawn as slices
    case EVENT_KINDS.sys_exit:
    case EVENT_KINDS.exit_mmap:
    case EVENT_KINDS.rss_stat: // drawn as counters
      return null;
    case EVENT_KINDS.signal_generate:
      return instant("signal", {
        sig: arg("sig"),
        pid: arg("pid"),
        comm: taskComm(ctx, arg("pid")),
        grp: arg("group"),
        res: arg("result"),
        code: st.generateCode(e),
      });
    case EVENT_KINDS.signal_deliver:
      return instant("signal", { sig: arg("sig"), code: st.deliverCode(e.pid) });
    case EVENT_KINDS.mark_victim:
    case EVENT_KINDS.wake_reaper:
    case EVENT_KINDS.start_task_reaping:
    case EVENT_KINDS.finish_task_reaping:
    case EVENT_KINDS.skip_task_reaping:
      return instant("oom", { pid: arg("pid"), comm: taskComm(ctx, arg("pid")) });
    case EVENT_KINDS.sched_process_exit:
      return instant("sched", {
        pid: arg("pid"),
        comm: taskComm(ctx, arg("pid")),
        prio: arg("prio"),
        group_dead: arg("group_dead") !== 0,
      });
    case EVENT_KINDS.sched_process_free:
      return instant("sched", { pid: arg("pid"), comm: taskComm(ctx, arg("pid")) });
    case EVENT_KINDS.warn:
      return {
        ...instant("warn", { message: warnMessage(e, ctx, st.victim), b: e.b, c: e.c }, "g"),
        name: `WARN ${warnName(arg("warn"))}`,
      };
    case EVENT_KINDS.mm_ref: {
      const mmPid = mmTrackPid(arg("mm"));
      const args = { mm_users: arg("mm_users"), mm_count: arg("mm_count") };
      return { name: "mm_refs", cat: "mm", ph: "C", ts: us(e.tsNs), pid: mmPid, tid: mmPid, args };
    }
    case EVENT_KINDS.mm_flag: {
      const mmPid = mmTrackPid(arg("mm"));
      return {
        name: `${mmfName(arg("bit"))} ${arg("set") !== 0 ? "set" : "clear"}`,
        cat: "mm",
        ph: "i",
        ts: us(e.tsNs),
        pid: mmPid,
        tid: mmPid,
        s: "p",
        args: { by_pid: e.pid, by_comm: taskComm(ctx, e.pid) },
      };
    }
    case EVENT_KINDS.run_end:
      return instant("lab", labArgs(e, ctx) ?? {}, "g");
    default:
      return instant("lab", labArgs(e, ctx) ?? { a: e.a, b: e.b, c: e.c, d: e.d });
  }
}
