/**
 * The event log as `trace-cmd report` / tracefs `trace` text. Kernel tracepoints print with
 * the TP_printk formats of recent mainline (each formatter names its header); lab-only kinds
 * print as `lab_<name>: key=value ...`; syscalls, exit_mmap and rss also appear as
 * `tracing_mark_write` B/E/C marks, the atrace convention Perfetto's text importer draws.
 *
 * @module
 */

import { CORE_LAYOUTS } from "../../core/kernel.ts";
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
import { findSlices, type Slice } from "./_slices.ts";
import { mmsOf, TraceState } from "./_state.ts";

/** The context of {@linkcode toFtrace}, with its one option. */
export interface FtraceContext extends TraceContext {
  /**
   * `"us"` (default): seconds with 6 decimals, rounded as the kernel's ns2usecs() does, as
   * tracefs `trace` and `trace-cmd report` print. `"ns"`: 9 decimals, as `trace-cmd report -t`
   * prints; the lab's steps are often shorter than a microsecond.
   */
  precision?: "us" | "ns";
}

/**
 * Formats the event log as trace-cmd-report-style ftrace text, one line per event:
 * `<comm>-<pid> [<cpu>]  <secs>.<usecs>: <event>: <fields>`.
 *
 * @example
 * ```ts
 * import { EVENT_KINDS, toFtrace } from "./mod.ts";
 * const text = toFtrace(
 *   [{ tsNs: 2_000, cpu: 0, pid: 7, kind: EVENT_KINDS.mark_victim, a: 100, b: 0, c: 0, d: 0 }],
 *   { comm: (p) => (p === 7 ? "lmkd" : "victim"), tgid: (p) => p, mmOwner: () => "", kernel: "6.1" },
 * );
 * // "            lmkd-7       [000]      0.000002: mark_victim: pid=100 comm=victim ..."
 * ```
 */
export function toFtrace(events: readonly TraceEvent[], ctx: FtraceContext): string {
  const state = new TraceState(events, ctx);
  const marks = marksByEvent(findSlices(events), ctx);
  const ts = (ns: number) => formatTs(ns, ctx.precision ?? "us");
  const lines = header(events, ctx);
  for (const line of rssBaseline(events, ctx)) lines.push(prefix(ctx, 0, 0, ts(0)) + line);
  events.forEach((e, i) => {
    const cpu = state.cpuOf(e);
    // sched_switch is printed by the task switched out, like the kernel's `current`.
    const pid = e.kind === EVENT_KINDS.sched_switch ? eventArg(e, "prev_pid") : e.pid;
    const at = prefix(ctx, pid, cpu, ts(e.tsNs));
    lines.push(at + formatEvent(e, cpu, ctx, state));
    for (const mark of marks.get(i) ?? []) lines.push(at + `tracing_mark_write: ${mark}`);
    if (e.kind === EVENT_KINDS.rss_stat) {
      const mark = counterMark(eventArg(e, "mm"), eventArg(e, "member"), eventArg(e, "size_bytes"));
      lines.push(at + `tracing_mark_write: ${mark}`);
    }
    state.observe(e);
  });
  return lines.join("\n") + "\n";
}

/** `cpus=N` first, as trace-cmd report does (Perfetto skips it), then `#` comments. */
function header(events: readonly TraceEvent[], ctx: TraceContext): string[] {
  let cpus = 1;
  for (const e of events) {
    cpus = Math.max(cpus, e.cpu + 1);
    if (e.kind === EVENT_KINDS.sched_wakeup) cpus = Math.max(cpus, eventArg(e, "target_cpu") + 1);
  }
  const lines = [
    `cpus=${cpus}`,
    `# mrelease-lab simulated trace: kernel ${ctx.kernel} model; tracepoint formats of recent ` +
    `mainline; lab_* events are the lab's own (docs/traces.md)`,
  ];
  for (const mm of mmsOf(events)) lines.push(`# mm ${mm}: ${ctx.mmOwner(mm)}`);
  return lines;
}

/**
 * kernel/trace/trace_output.c trace_print_context() with options/irq-info off:
 * `"%16s-%-7d "`, `"[%03d] "`, then trace_print_time()'s `" %5lu.%06lu"` and `": "`.
 */
function prefix(ctx: TraceContext, pid: number, cpu: number, ts: string): string {
  const task = `${taskComm(ctx, pid).padStart(16)}-${String(pid).padEnd(7)}`;
  return `${task} [${String(cpu).padStart(3, "0")}]  ${ts}: `;
}

/** `%5lu.%06lu` of ns2usecs(ts) (rounds to the nearest µs), or `%5lu.%09lu` of the ns. */
function formatTs(tsNs: number, precision: "us" | "ns"): string {
  if (precision === "ns") {
    const secs = Math.floor(tsNs / 1e9);
    return `${String(secs).padStart(5)}.${String(tsNs - secs * 1e9).padStart(9, "0")}`;
  }
  const us = Math.floor((tsNs + 500) / 1000);
  const secs = Math.floor(us / 1e6);
  return `${String(secs).padStart(5)}.${String(us - secs * 1e6).padStart(6, "0")}`;
}

/** `<event>: <fields>` for one event. */
function formatEvent(e: TraceEvent, cpu: number, ctx: TraceContext, st: TraceState): string {
  switch (e.kind) {
    case EVENT_KINDS.sched_switch:
      return `sched_switch: ${schedSwitch(e, ctx)}`;
    case EVENT_KINDS.sched_wakeup:
      return `sched_wakeup: ${schedWakeup(e, ctx)}`;
    case EVENT_KINDS.signal_generate:
      return `signal_generate: ${signalGenerate(e, ctx, st.generateCode(e))}`;
    case EVENT_KINDS.signal_deliver:
      return `signal_deliver: ${signalDeliver(e, st.deliverCode(e.pid))}`;
    case EVENT_KINDS.mark_victim:
      return `mark_victim: ${markVictim(e, ctx, st)}`;
    case EVENT_KINDS.wake_reaper:
    case EVENT_KINDS.start_task_reaping:
    case EVENT_KINDS.finish_task_reaping:
    case EVENT_KINDS.skip_task_reaping:
      return `${KIND_NAMES[e.kind]}: ${oomPid(e)}`;
    case EVENT_KINDS.sched_process_exit:
      return `sched_process_exit: ${schedProcessExit(e, ctx)}`;
    case EVENT_KINDS.sched_process_free:
      return `sched_process_free: ${schedProcessFree(e, ctx)}`;
    case EVENT_KINDS.rss_stat:
      return `rss_stat: ${rssStat(e)}`;
    case EVENT_KINDS.sys_enter:
      return `sys_enter: ${sysEnter(e)}`;
    case EVENT_KINDS.sys_exit:
      return `sys_exit: ${sysExit(e)}`;
    case EVENT_KINDS.warn:
      return `lab_warn: ${warnMessage(e, ctx, st.victim)}`;
    default: {
      const args = labArgs(e, ctx);
      if (args !== null) return `lab_${KIND_NAMES[e.kind]}: ${keyValues(args)}`;
      return `lab_unknown_kind: kind=${e.kind} cpu=${cpu} a=${e.a} b=${e.b} c=${e.c} d=${e.d}`;
    }
  }
}

// ---- kernel tracepoints -------------------------------------------------------------------

/**
 * include/trace/events/sched.h, sched_switch:
 *   TP_printk("prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s
 *              next_pid=%d next_prio=%d", ...)
 */
function schedSwitch(e: TraceEvent, ctx: TraceContext): string {
  const [prev, next] = [eventArg(e, "prev_pid"), eventArg(e, "next_pid")];
  return `prev_comm=${fieldComm(ctx, prev, e.cpu)} prev_pid=${prev} ` +
    `prev_prio=${prioOf(ctx, prev)} prev_state=${prevState(eventArg(e, "prev_state"), prev)} ` +
    `==> next_comm=${fieldComm(ctx, next, e.cpu)} next_pid=${next} next_prio=${prioOf(ctx, next)}`;
}

/** The task state code of a task that is running or runnable. */
const TASK_RUNNING = CORE_LAYOUTS.task_states.findIndex((s) => s.name === "running");

/**
 * prev_state as `__print_flags(... { TASK_INTERRUPTIBLE, "S" }, { TASK_UNINTERRUPTIBLE, "D" },
 * { __TASK_STOPPED, "T" }, ... { EXIT_DEAD, "X" }, { EXIT_ZOMBIE, "Z" } ...) : "R"` (the
 * core states each state's letter) plus "+" when preempted. A lab task switched out while
 * runnable was always preempted (wasm/src/sched.rs dispatch), so it prints "R+"; the idle
 * task prints "R".
 */
function prevState(code: number, prevPid: number): string {
  if (code === TASK_RUNNING) return prevPid === 0 ? "R" : "R+";
  return CORE_LAYOUTS.task_states[code]?.letter ?? "R";
}

/**
 * include/trace/events/sched.h, sched_wakeup_template:
 *   TP_printk("comm=%s pid=%d prio=%d target_cpu=%03d", ...)
 * (older kernels also printed success=%d).
 */
function schedWakeup(e: TraceEvent, ctx: TraceContext): string {
  const pid = eventArg(e, "pid");
  return `comm=${taskComm(ctx, pid)} pid=${pid} prio=${prioOf(ctx, pid)} ` +
    `target_cpu=${String(eventArg(e, "target_cpu")).padStart(3, "0")}`;
}

/**
 * include/trace/events/signal.h, signal_generate:
 *   TP_printk("sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d", ...)
 * res is the core's TRACE_SIGNAL_* result. The log records no siginfo: errno is 0 and code
 * is SI_KERNEL (128) when the context also marked an OOM victim at that instant (the OOM
 * killer's SEND_SIG_PRIV), else SI_USER (0).
 */
function signalGenerate(e: TraceEvent, ctx: TraceContext, code: number): string {
  const pid = eventArg(e, "pid");
  return `sig=${eventArg(e, "sig")} errno=0 code=${code} comm=${taskComm(ctx, pid)} ` +
    `pid=${pid} grp=${eventArg(e, "group")} res=${eventArg(e, "result")}`;
}

/**
 * include/trace/events/signal.h, signal_deliver:
 *   TP_printk("sig=%d errno=%d code=%d sa_handler=%lx sa_flags=%lx", ...)
 * The lab's signals all have the default action: sa_handler SIG_DFL (0), sa_flags 0; code
 * is that of the signal generated for the thread's group.
 */
function signalDeliver(e: TraceEvent, code: number): string {
  return `sig=${eventArg(e, "sig")} errno=0 code=${code} sa_handler=0 sa_flags=0`;
}

/**
 * include/trace/events/oom.h, mark_victim, since Linux 6.8 (before: "pid=%d"):
 *   TP_printk("pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB
 *              uid=%u pgtables=%lukB oom_score_adj=%hd", ...)
 * (the colons after file-rss and shmem-rss are the kernel's own). The rss fields come from the mm's counters so far (ctx.mmOf, ctx.rssBytes and rss_stat events;
 * 0 without them). total-vm is the lab's lower bound, every counted page (rss + swap
 * entries): the lab does not model untouched virtual space. pgtables and oom_score_adj are
 * not modelled and print 0; uid is ctx.uid, else 0.
 */
function markVictim(e: TraceEvent, ctx: TraceContext, st: TraceState): string {
  const pid = eventArg(e, "pid");
  const mm = ctx.mmOf?.(pid);
  const rss = mm === undefined ? [0, 0, 0, 0] : st.rss(mm);
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  const [file, anon, swap, shmem] = rss;
  return `pid=${pid} comm=${taskComm(ctx, pid)} total-vm=${kb(file + anon + swap + shmem)}kB ` +
    `anon-rss=${kb(anon)}kB file-rss:${kb(file)}kB shmem-rss:${kb(shmem)}kB ` +
    `uid=${ctx.uid?.(pid) ?? 0} pgtables=0kB oom_score_adj=0`;
}

/**
 * include/trace/events/oom.h, wake_reaper, start_task_reaping, finish_task_reaping,
 * skip_task_reaping: TP_printk("pid=%d", __entry->pid).
 */
function oomPid(e: TraceEvent): string {
  return `pid=${eventArg(e, "pid")}`;
}

/**
 * include/trace/events/sched.h, sched_process_exit, recent mainline (2025; before it was
 * sched_process_template, "comm=%s pid=%d prio=%d"):
 *   TP_printk("comm=%s pid=%d prio=%d group_dead=%s", ..., group_dead ? "true" : "false")
 */
function schedProcessExit(e: TraceEvent, ctx: TraceContext): string {
  const pid = eventArg(e, "pid");
  return `comm=${taskComm(ctx, pid)} pid=${pid} prio=${eventArg(e, "prio")} ` +
    `group_dead=${eventArg(e, "group_dead") !== 0 ? "true" : "false"}`;
}

/**
 * include/trace/events/sched.h, sched_process_free (sched_process_template):
 *   TP_printk("comm=%s pid=%d prio=%d", ...).
 */
function schedProcessFree(e: TraceEvent, ctx: TraceContext): string {
  const pid = eventArg(e, "pid");
  return `comm=${taskComm(ctx, pid)} pid=${pid} prio=${prioOf(ctx, pid)}`;
}

/**
 * include/trace/events/kmem.h, rss_stat (its first version printed member=%d, not type=%s):
 *   TP_printk("mm_id=%u curr=%d type=%s size=%ldB", ...,
 *             __print_symbolic(__entry->member, TRACE_MM_PAGES), ...)
 * mm_id is the lab's mm handle where the kernel prints mm_ptr_to_hash(mm), a 32-bit hash of
 * the pointer.
 */
function rssStat(e: TraceEvent): string {
  const member = eventArg(e, "member");
  const type = RSS_MEMBERS[member] ?? `${member}`;
  return `mm_id=${eventArg(e, "mm")} curr=${eventArg(e, "curr")} type=${type} ` +
    `size=${eventArg(e, "size_bytes")}B`;
}

/**
 * include/trace/events/syscalls.h (TRACE_SYSTEM raw_syscalls), sys_enter:
 *   TP_printk("NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", id, args[0], ..., args[5])
 * The lab records two arguments; the other four print 0.
 */
function sysEnter(e: TraceEvent): string {
  const hex = (v: number) => BigInt.asUintN(64, BigInt(v)).toString(16);
  return `NR ${eventArg(e, "nr")} (${hex(eventArg(e, "arg0"))}, ${hex(eventArg(e, "arg1"))}, ` +
    `0, 0, 0, 0)`;
}

/** include/trace/events/syscalls.h, sys_exit: TP_printk("NR %ld = %ld", id, ret). */
function sysExit(e: TraceEvent): string {
  return `NR ${eventArg(e, "nr")} = ${eventArg(e, "ret")}`;
}

// ---- tracing_mark_write marks --------------------------------------------------------------

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
  const lines: string[] = [];
  for (const mm of mmsOf(events)) {
    const start = ctx.rssBytes(mm);
    if (start === undefined) continue;
    RSS_MEMBERS.forEach((_, member) => {
      lines.push(`tracing_mark_write: ${counterMark(mm, member, start[member] ?? 0)}`);
    });
  }
  return lines;
}
