/**
 * The event log as ftrace records: what a 6.18 kernel's ring buffer would hold had it run the
 * simulated world with these events enabled, plus the lab's own events written the way a
 * program writes to `trace_marker`. trace.txt prints these records ({@linkcode recordText});
 * trace.dat stores them (src/engine/trace/_dat.ts). Both come from this one list, so they
 * hold the same events, in the same order, with the same fields.
 *
 * - A kernel tracepoint the lab models becomes that tracepoint's record (its fields as the
 *   event's format file names them). The core's `sched_wakeup` is the waker's
 *   try_to_wake_up(), which emits `sched_waking` and then `sched_wakeup`: both are written.
 * - The lab-only kinds (task_state, mm_flag, mm_ref, mmap_lock, exit_mmap, scenario_event,
 *   run_end, warn) become `print` records, atrace instants `I|<tgid>|lab_<kind>: k=v ...`.
 * - atrace marks follow the events that make them: `B|<tgid>|<name>` / `E|<tgid>` slices for
 *   syscalls and exit_mmap's steps, `C|<pseudo pid>|mm<N> <member>|<bytes>` after each
 *   rss_stat, and an `I|<tgid>|<event>: <fields>` twin after each tracepoint Perfetto's text
 *   importer has no parser for (signals, the oom events, process exit and free), so
 *   Perfetto draws every event.
 *
 * The records are in the order the kernel's trace iterator (and trace-cmd report) merges the
 * per-CPU buffers: by timestamp, a tie to the lower CPU, and on one CPU in the log's order.
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, eventArg, KIND_NAMES } from "./_kinds.ts";
import { keyValues, labArgs, warnMessage } from "./_lab.ts";
import {
  fieldComm,
  mmTrackPid,
  prioOf,
  RSS_MEMBERS,
  taskComm,
  tgidOf,
  type TraceContext,
} from "./_names.ts";
import {
  type FieldValue,
  type FtraceRecord,
  prevStateBits,
  recordText,
  TRACING_MARK_WRITE_IP,
} from "./_printk.ts";
import { findSlices, type Slice } from "./_slices.ts";
import { mmsOf, TraceState } from "./_state.ts";
import { CORE_LAYOUTS } from "../../core/kernel.ts";
import { eventFormat, printTable } from "./_formats.ts";

/** The task state code of a task that is running or runnable. */
const TASK_RUNNING = CORE_LAYOUTS.task_states.findIndex((s) => s.name === "running");

// The core names the rss_stat members and the sched_switch letters; 6.18's format files
// name them too. Two sources that disagree stop the lab at load, as codesByName does.
{
  const types = printTable(eventFormat("rss_stat"));
  const core = RSS_MEMBERS.map((name, member) => `${member}:${name}`).join(" ");
  const kernel = [...types].map(([member, name]) => `${member}:${name}`).join(" ");
  if (core !== kernel) {
    throw new Error(`rss_stat members: the core says ${core}, the 6.18 format ${kernel}`);
  }
  for (const s of CORE_LAYOUTS.task_states) prevStateBits(s.letter); // throws for a stranger
}

/**
 * Tracepoints whose lines Perfetto's systrace importer accepts but draws nothing for
 * (systrace_line_parser.cc has no branch for them): each gets an `I|` instant twin.
 */
const INSTANT_TWINS: ReadonlySet<number> = new Set([
  EVENT_KINDS.signal_generate,
  EVENT_KINDS.signal_deliver,
  EVENT_KINDS.mark_victim,
  EVENT_KINDS.wake_reaper,
  EVENT_KINDS.start_task_reaping,
  EVENT_KINDS.finish_task_reaping,
  EVENT_KINDS.skip_task_reaping,
  EVENT_KINDS.sched_process_exit,
  EVENT_KINDS.sched_process_free,
]);

/**
 * The records of an event log, in the kernel's merge order.
 *
 * @example
 * ```ts
 * import { ftraceRecords } from "./_records.ts";
 * import { EVENT_KINDS } from "./_kinds.ts";
 * const ctx = { comm: () => "lmkd", tgid: (p: number) => p, mmOwner: () => "", kernel: "6.18" };
 * ftraceRecords([{ tsNs: 5, cpu: 0, pid: 7, kind: EVENT_KINDS.wake_reaper, a: 9, b: 0, c: 0, d: 0 }], ctx);
 * // [{ tsNs: 5, cpu: 0, pid: 7, event: "wake_reaper", values: { pid: 9 } }]
 * ```
 */
export function ftraceRecords(events: readonly TraceEvent[], ctx: TraceContext): FtraceRecord[] {
  const state = new TraceState(events, ctx);
  const marks = marksByEvent(findSlices(events), ctx);
  const out: FtraceRecord[] = rssBaseline(events, ctx).map((buf) => mark(0, 0, 0, buf));
  events.forEach((e, i) => {
    const cpu = state.cpuOf(e);
    // sched_switch is written by the task switched out: the kernel's `current`.
    const pid = e.kind === EVENT_KINDS.sched_switch ? eventArg(e, "prev_pid") : e.pid;
    const tgid = tgidOf(ctx, pid);
    for (const r of recordsOf(e, cpu, pid, ctx, state)) {
      out.push(r);
      if (INSTANT_TWINS.has(e.kind)) out.push(mark(e.tsNs, cpu, pid, `I|${tgid}|${recordText(r)}`));
    }
    for (const m of marks.get(i) ?? []) out.push(mark(e.tsNs, cpu, pid, m));
    if (e.kind === EVENT_KINDS.rss_stat) {
      const m = counterMark(eventArg(e, "mm"), eventArg(e, "member"), eventArg(e, "size_bytes"));
      out.push(mark(e.tsNs, cpu, pid, m));
    }
    state.observe(e);
  });
  // A stable sort: on one CPU at one instant the log's order stays.
  return out.map((r, seq) => ({ r, seq }))
    .sort((x, y) => x.r.tsNs - y.r.tsNs || x.r.cpu - y.r.cpu || x.seq - y.seq)
    .map((x) => x.r);
}

/**
 * A trace_marker write (kernel/trace/trace.c tracing_mark_write()): a `print` record whose
 * buffer is the text with the newline the kernel appends when the writer gave none.
 */
function mark(tsNs: number, cpu: number, pid: number, text: string): FtraceRecord {
  return {
    tsNs,
    cpu,
    pid,
    event: "print",
    values: { ip: TRACING_MARK_WRITE_IP, buf: `${text}\n` },
  };
}

/** The tracepoint records of one log event (none for a lab-only kind: it is a mark). */
function recordsOf(
  e: TraceEvent,
  cpu: number,
  pid: number,
  ctx: TraceContext,
  st: TraceState,
): FtraceRecord[] {
  const at = (event: string, values: Record<string, FieldValue>): FtraceRecord => ({
    tsNs: e.tsNs,
    cpu,
    pid,
    event,
    values,
  });
  const arg = (name: string) => eventArg(e, name);
  switch (e.kind) {
    case EVENT_KINDS.sched_switch: {
      const [prev, next] = [arg("prev_pid"), arg("next_pid")];
      return [at("sched_switch", {
        prev_comm: fieldComm(ctx, prev, e.cpu),
        prev_pid: prev,
        prev_prio: prioOf(ctx, prev),
        prev_state: prevStateBits(prevState(arg("prev_state"), prev)),
        next_comm: fieldComm(ctx, next, e.cpu),
        next_pid: next,
        next_prio: prioOf(ctx, next),
      })];
    }
    case EVENT_KINDS.sched_wakeup: {
      // kernel/sched/core.c try_to_wake_up(): trace_sched_waking(p), then (ttwu_do_wakeup)
      // trace_sched_wakeup(p), both in the waker's context.
      const woken = arg("pid");
      const values = {
        comm: taskComm(ctx, woken),
        pid: woken,
        prio: prioOf(ctx, woken),
        target_cpu: arg("target_cpu"),
      };
      return [at("sched_waking", values), at("sched_wakeup", values)];
    }
    case EVENT_KINDS.signal_generate:
      // The log keeps no siginfo: errno 0, code SI_KERNEL for the OOM killer, else SI_USER.
      return [at("signal_generate", {
        sig: arg("sig"),
        errno: 0,
        code: st.generateCode(e),
        comm: taskComm(ctx, arg("pid")),
        pid: arg("pid"),
        group: arg("group"),
        result: arg("result"),
      })];
    case EVENT_KINDS.signal_deliver:
      // The lab's signals all take the default action: SIG_DFL (0), no flags.
      return [at("signal_deliver", {
        sig: arg("sig"),
        errno: 0,
        code: st.deliverCode(e.pid),
        sa_handler: 0n,
        sa_flags: 0n,
      })];
    case EVENT_KINDS.mark_victim:
      return [at("mark_victim", markVictim(arg("pid"), ctx, st))];
    case EVENT_KINDS.wake_reaper:
    case EVENT_KINDS.start_task_reaping:
    case EVENT_KINDS.finish_task_reaping:
    case EVENT_KINDS.skip_task_reaping:
      return [at(KIND_NAMES[e.kind], { pid: arg("pid") })];
    case EVENT_KINDS.sched_process_exit:
      return [at("sched_process_exit", {
        comm: taskComm(ctx, arg("pid")),
        pid: arg("pid"),
        prio: arg("prio"),
        group_dead: arg("group_dead") !== 0 ? 1 : 0,
      })];
    case EVENT_KINDS.sched_process_free:
      return [at("sched_process_free", {
        comm: taskComm(ctx, arg("pid")),
        pid: arg("pid"),
        prio: prioOf(ctx, arg("pid")),
      })];
    case EVENT_KINDS.rss_stat:
      // mm_id is the lab's mm handle where the kernel stores mm_ptr_to_hash(mm).
      return [at("rss_stat", {
        mm_id: arg("mm"),
        curr: arg("curr"),
        member: arg("member"),
        size: arg("size_bytes"),
      })];
    case EVENT_KINDS.sys_enter: {
      // The lab records two arguments; the other four are 0.
      const args = [arg("arg0"), arg("arg1"), 0, 0, 0, 0].map((v) => BigInt.asUintN(64, BigInt(v)));
      return [at("sys_enter", { id: arg("nr"), args })];
    }
    case EVENT_KINDS.sys_exit:
      return [at("sys_exit", { id: arg("nr"), ret: arg("ret") })];
    default:
      return [mark(e.tsNs, cpu, pid, `I|${tgidOf(ctx, pid)}|${labText(e, ctx, st)}`)];
  }
}

/** A lab-only event's instant name: `lab_<kind>: key=value ...` (a `|` would end the name). */
function labText(e: TraceEvent, ctx: TraceContext, st: TraceState): string {
  if (e.kind === EVENT_KINDS.warn) return `lab_warn: ${warnMessage(e, ctx, st.victim)}`;
  const args = labArgs(e, ctx);
  const text = args !== null
    ? `lab_${KIND_NAMES[e.kind]}: ${keyValues(args)}`
    : `lab_unknown_kind: kind=${e.kind} a=${e.a} b=${e.b} c=${e.c} d=${e.d}`;
  return text.replaceAll("|", "/");
}

/**
 * prev_state's letter: the core states each state's (a frozen task reports D, as
 * __task_state_index() reports TASK_FROZEN); a task switched out while runnable was always
 * preempted in the lab (wasm/src/sched.rs dispatch): `R+`; the idle task `R`.
 */
function prevState(code: number, prevPid: number): string {
  if (code === TASK_RUNNING) return prevPid === 0 ? "R" : "R+";
  return CORE_LAYOUTS.task_states[code]?.letter ?? "R";
}

/**
 * mark_victim's fields (include/trace/events/oom.h, since 6.8; the kernel stores the rss
 * counters shifted to kB). The rss fields are the victim mm's counters so far (ctx.mmOf,
 * ctx.rssBytes and the rss_stat events; 0 without them); total_vm is the lab's lower bound,
 * every counted page (rss and swap entries), as it models no untouched virtual space;
 * pgtables and oom_score_adj are not modelled: 0.
 */
function markVictim(pid: number, ctx: TraceContext, st: TraceState): Record<string, FieldValue> {
  const mm = ctx.mmOf?.(pid);
  const [file, anon, swap, shmem] = mm === undefined ? [0, 0, 0, 0] : st.rss(mm);
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  return {
    pid,
    comm: taskComm(ctx, pid),
    total_vm: kb(file + anon + swap + shmem),
    anon_rss: kb(anon),
    file_rss: kb(file),
    shmem_rss: kb(shmem),
    uid: ctx.uid?.(pid) ?? 0,
    pgtables: 0,
    oom_score_adj: 0,
  };
}

/**
 * The atrace marks at each event: slice ends first (innermost first), then slice begins
 * (outermost first), so exit_mmap's steps nest inside it. `B|<tgid>|<name>` / `E|<tgid>`:
 * the number is the process, as atrace writes it.
 */
function marksByEvent(slices: readonly Slice[], ctx: TraceContext): Map<number, string[]> {
  const ends = new Map<number, Slice[]>();
  const begins = new Map<number, Slice[]>();
  for (const s of slices) {
    begins.set(s.begin, [...(begins.get(s.begin) ?? []), s]);
    if (s.end !== null) ends.set(s.end, [...(ends.get(s.end) ?? []), s]);
  }
  const marks = new Map<number, string[]>();
  const at = (i: number) => marks.get(i) ?? marks.set(i, []).get(i)!;
  for (const [i, list] of ends) {
    for (const s of list.toSorted((x, y) => y.depth - x.depth || y.begin - x.begin)) {
      at(i).push(`E|${tgidOf(ctx, s.pid)}`);
    }
  }
  for (const [i, list] of begins) {
    for (const s of list.toSorted((x, y) => x.depth - y.depth)) {
      at(i).push(`B|${tgidOf(ctx, s.pid)}|${s.name}`);
    }
  }
  return marks;
}

/** `C|<pseudo pid of the mm>|mm<id> <member>|<bytes>`: one counter per mm and member. */
function counterMark(mm: number, member: number, bytes: number): string {
  return `C|${mmTrackPid(mm)}|mm${mm} ${RSS_MEMBERS[member] ?? member}|${bytes}`;
}

/** The counters' starting levels at time 0, when the context knows them. */
function rssBaseline(events: readonly TraceEvent[], ctx: TraceContext): string[] {
  if (ctx.rssBytes === undefined) return [];
  const out: string[] = [];
  for (const mm of mmsOf(events)) {
    const start = ctx.rssBytes(mm);
    if (start === undefined) continue;
    RSS_MEMBERS.forEach((_, member) => out.push(counterMark(mm, member, start[member] ?? 0)));
  }
  return out;
}

/**
 * How many CPUs the trace has: one past the highest CPU a record sits on or a wakeup
 * targets (at least 1).
 */
export function cpuCount(events: readonly TraceEvent[], records: readonly FtraceRecord[]): number {
  let cpus = 1;
  for (const r of records) cpus = Math.max(cpus, r.cpu + 1);
  for (const e of events) {
    if (e.kind === EVENT_KINDS.sched_wakeup) cpus = Math.max(cpus, eventArg(e, "target_cpu") + 1);
  }
  return cpus;
}
