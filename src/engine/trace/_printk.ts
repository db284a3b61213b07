/**
 * The text of one ftrace record, as the kernel's `trace` file prints it: the event's
 * TP_printk (the `print fmt` line of its format file, src/engine/trace/_formats.ts) applied
 * to the record's field values. trace.txt prints these; trace.dat stores the values and
 * lets trace-cmd apply the same print fmt, so the two say the same thing.
 *
 * @module
 */

import { eventFormat, printTable } from "./_formats.ts";

/** A field's value: an integer, a 64-bit word, a string, or an array of 64-bit words. */
export type FieldValue = number | bigint | string | readonly bigint[];

/** One record of the trace: a tracepoint hit or a trace_marker write. */
export interface FtraceRecord {
  /** Nanoseconds since the run began. */
  readonly tsNs: number;
  /** The CPU whose buffer holds it. */
  readonly cpu: number;
  /** `common_pid`: the context (current) that wrote it. */
  readonly pid: number;
  /** The event: a name in src/engine/trace/_formats.ts (`print` for a marker). */
  readonly event: string;
  /** The event's fields by the names its format gives them (common_* aside). */
  readonly values: Readonly<Record<string, FieldValue>>;
}

/**
 * The address the lab gives `tracing_mark_write` in trace.dat's kallsyms, and so a marker's
 * `ip`: any kernel text address would do (the real one moves with KASLR, which would make
 * the file differ from machine to machine); this is the x86_64 default `_text`.
 */
export const TRACING_MARK_WRITE_IP = 0xffffffff81000000n;

/** A marker's symbol, as `%ps` of its ip prints it. */
export const TRACING_MARK_WRITE = "tracing_mark_write";

const SCHED_SWITCH_STATES = printTable(eventFormat("sched_switch"));

/**
 * include/trace/events/sched.h sched_switch's `prev_state & (TASK_REPORT_MAX - 1)`:
 * TASK_REPORT_MAX is the bit above the last report state in the print fmt's table (0x80,
 * "I", so 0x100), and that bit itself is the `+` of a preempted task.
 */
const TASK_REPORT_MAX = Math.max(...SCHED_SWITCH_STATES.keys()) * 2;

/** The prev_state bits of a sched_switch letter (`R`, `R+`, `S`, `D`, ...). */
export function prevStateBits(letter: string): number {
  const preempted = letter.endsWith("+") ? TASK_REPORT_MAX : 0;
  const base = letter.replace(/\+$/, "");
  if (base === "R") return preempted;
  for (const [bit, name] of SCHED_SWITCH_STATES) if (name === base) return bit | preempted;
  throw new Error(`sched_switch prints no prev_state ${JSON.stringify(letter)}`);
}

/**
 * `__print_flags(prev_state & (TASK_REPORT_MAX - 1), "|", { 0x01, "S" }, ...) : "R"`, then
 * `prev_state & TASK_REPORT_MAX ? "+" : ""`.
 */
function prevStateText(bits: number): string {
  const flags = [...SCHED_SWITCH_STATES].filter(([bit]) => (bits & (TASK_REPORT_MAX - 1) & bit))
    .map(([, name]) => name);
  return (flags.length > 0 ? flags.join("|") : "R") + (bits & TASK_REPORT_MAX ? "+" : "");
}

const RSS_TYPES = printTable(eventFormat("rss_stat"));

/** `%lx` of an unsigned long. */
function hex(v: FieldValue): string {
  return BigInt.asUintN(64, BigInt(v as number | bigint)).toString(16);
}

/**
 * `<event>: <fields>` for one record: the name the kernel prints (a marker prints as
 * `tracing_mark_write`, the `%ps` of its ip) and its TP_printk text.
 *
 * @example
 * ```ts
 * import { recordText } from "./_printk.ts";
 * recordText({ tsNs: 0, cpu: 0, pid: 1, event: "wake_reaper", values: { pid: 100 } });
 * // "wake_reaper: pid=100"
 * ```
 */
export function recordText(r: FtraceRecord): string {
  const v = r.values;
  switch (r.event) {
    case "print":
      // print fmt: "%ps: %s", (void *)REC->ip, REC->buf; the buffer's newline ends the line.
      return `${TRACING_MARK_WRITE}: ${String(v.buf).replace(/\n$/, "")}`;
    case "sched_switch":
      return `sched_switch: prev_comm=${v.prev_comm} prev_pid=${v.prev_pid} ` +
        `prev_prio=${v.prev_prio} prev_state=${prevStateText(Number(v.prev_state))} ==> ` +
        `next_comm=${v.next_comm} next_pid=${v.next_pid} next_prio=${v.next_prio}`;
    case "sched_waking":
    case "sched_wakeup":
      // "comm=%s pid=%d prio=%d target_cpu=%03d"
      return `${r.event}: comm=${v.comm} pid=${v.pid} prio=${v.prio} ` +
        `target_cpu=${String(v.target_cpu).padStart(3, "0")}`;
    case "sched_process_exit":
      // "comm=%s pid=%d prio=%d group_dead=%s", ..., REC->group_dead ? "true" : "false"
      return `sched_process_exit: comm=${v.comm} pid=${v.pid} prio=${v.prio} ` +
        `group_dead=${v.group_dead ? "true" : "false"}`;
    case "sched_process_free":
      return `sched_process_free: comm=${v.comm} pid=${v.pid} prio=${v.prio}`;
    case "signal_generate":
      return `signal_generate: sig=${v.sig} errno=${v.errno} code=${v.code} comm=${v.comm} ` +
        `pid=${v.pid} grp=${v.group} res=${v.result}`;
    case "signal_deliver":
      return `signal_deliver: sig=${v.sig} errno=${v.errno} code=${v.code} ` +
        `sa_handler=${hex(v.sa_handler)} sa_flags=${hex(v.sa_flags)}`;
    case "mark_victim":
      // "pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB
      //  uid=%u pgtables=%lukB oom_score_adj=%hd" (the colons are the kernel's)
      return `mark_victim: pid=${v.pid} comm=${v.comm} total-vm=${v.total_vm}kB ` +
        `anon-rss=${v.anon_rss}kB file-rss:${v.file_rss}kB shmem-rss:${v.shmem_rss}kB ` +
        `uid=${v.uid} pgtables=${v.pgtables}kB oom_score_adj=${v.oom_score_adj}`;
    case "wake_reaper":
    case "start_task_reaping":
    case "finish_task_reaping":
    case "skip_task_reaping":
      return `${r.event}: pid=${v.pid}`;
    case "rss_stat":
      // "mm_id=%u curr=%d type=%s size=%ldB", ..., __print_symbolic(REC->member, ...)
      return `rss_stat: mm_id=${v.mm_id} curr=${v.curr} ` +
        `type=${RSS_TYPES.get(Number(v.member)) ?? `0x${hex(v.member)}`} size=${v.size}B`;
    case "sys_enter":
      // "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)"
      return `sys_enter: NR ${v.id} (${(v.args as readonly bigint[]).map(hex).join(", ")})`;
    case "sys_exit":
      return `sys_exit: NR ${v.id} = ${v.ret}`;
    default:
      throw new Error(`no text for event ${r.event}`);
  }
}
