/**
 * The kernel's own descriptions of the events the lab writes: the `format` files of Linux
 * 6.18's tracefs, copied byte for byte (tabs written `\\t`) from
 * `/sys/kernel/tracing/events/<system>/<event>/format`, `events/header_page` and
 * `events/header_event` of an x86_64 6.18.44 host, read-only. The event IDs are that host's
 * (they are assigned at boot; a reader takes them from these texts, not from the kernel).
 *
 * trace.dat carries these texts, and trace-cmd and KernelShark print each record with them
 * (the `print fmt` line is the TP_printk of include/trace/events/<system>.h). The lab's own
 * field layouts are read from them too ({@linkcode EVENT_FORMATS}), so the binary records and
 * the text formatters cannot drift from the descriptions shipped beside them.
 *
 * @module
 */

/** The ring buffer's page header (`events/header_page`): 8-byte timestamp, 8-byte commit. */
export const HEADER_PAGE: string = `\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;
\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;
\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;
\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;
`;

/** The ring buffer's event header (`events/header_event`). */
export const HEADER_EVENT: string = `# compressed entry header
\ttype_len    :    5 bits
\ttime_delta  :   27 bits
\tarray       :   32 bits

\tpadding     : type == 29
\ttime_extend : type == 30
\ttime_stamp : type == 31
\tdata max type_len  == 28
`;

/** One event's format file, by the events/ directory (system) it sits in. */
export interface FormatFile {
  /** The event system: the directory under events/ (`ftrace` for print). */
  readonly system: string;
  /** The `format` file's text, exactly. */
  readonly text: string;
}

/**
 * Every event the lab writes, in the order trace.dat stores them: ftrace/print (the
 * `trace_marker` writes: tracing_mark_write), then the tracepoints by system.
 */
export const FORMAT_FILES: readonly FormatFile[] = [
  {
    system: "ftrace",
    text: `name: print
ID: 5
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;
\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;

print fmt: "%ps: %s", (void *)REC->ip, REC->buf
`,
  },
  {
    system: "sched",
    text: `name: sched_switch
ID: 372
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;
\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;
\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;
\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;

print fmt: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio
`,
  },
  {
    system: "sched",
    text: `name: sched_waking
ID: 375
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;

print fmt: "comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu
`,
  },
  {
    system: "sched",
    text: `name: sched_wakeup
ID: 374
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;

print fmt: "comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu
`,
  },
  {
    system: "sched",
    text: `name: sched_process_exit
ID: 369
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;

print fmt: "comm=%s pid=%d prio=%d group_dead=%s", REC->comm, REC->pid, REC->prio, REC->group_dead ? "true" : "false"
`,
  },
  {
    system: "sched",
    text: `name: sched_process_free
ID: 370
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:__data_loc char[] comm;\toffset:8;\tsize:4;\tsigned:0;
\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;
\tfield:int prio;\toffset:16;\tsize:4;\tsigned:1;

print fmt: "comm=%s pid=%d prio=%d", __get_str(comm), REC->pid, REC->prio
`,
  },
  {
    system: "signal",
    text: `name: signal_generate
ID: 261
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;
\tfield:int code;\toffset:16;\tsize:4;\tsigned:1;
\tfield:char comm[16];\toffset:20;\tsize:16;\tsigned:0;
\tfield:pid_t pid;\toffset:36;\tsize:4;\tsigned:1;
\tfield:int group;\toffset:40;\tsize:4;\tsigned:1;
\tfield:int result;\toffset:44;\tsize:4;\tsigned:1;

print fmt: "sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d", REC->sig, REC->errno, REC->code, REC->comm, REC->pid, REC->group, REC->result
`,
  },
  {
    system: "signal",
    text: `name: signal_deliver
ID: 260
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int sig;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;
\tfield:int code;\toffset:16;\tsize:4;\tsigned:1;
\tfield:unsigned long sa_handler;\toffset:24;\tsize:8;\tsigned:0;
\tfield:unsigned long sa_flags;\toffset:32;\tsize:8;\tsigned:0;

print fmt: "sig=%d errno=%d code=%d sa_handler=%lx sa_flags=%lx", REC->sig, REC->errno, REC->code, REC->sa_handler, REC->sa_flags
`,
  },
  {
    system: "oom",
    text: `name: mark_victim
ID: 609
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;
\tfield:__data_loc char[] comm;\toffset:12;\tsize:4;\tsigned:0;
\tfield:unsigned long total_vm;\toffset:16;\tsize:8;\tsigned:0;
\tfield:unsigned long anon_rss;\toffset:24;\tsize:8;\tsigned:0;
\tfield:unsigned long file_rss;\toffset:32;\tsize:8;\tsigned:0;
\tfield:unsigned long shmem_rss;\toffset:40;\tsize:8;\tsigned:0;
\tfield:uid_t uid;\toffset:48;\tsize:4;\tsigned:0;
\tfield:unsigned long pgtables;\toffset:56;\tsize:8;\tsigned:0;
\tfield:short oom_score_adj;\toffset:64;\tsize:2;\tsigned:1;

print fmt: "pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB uid=%u pgtables=%lukB oom_score_adj=%hd", REC->pid, __get_str(comm), REC->total_vm, REC->anon_rss, REC->file_rss, REC->shmem_rss, REC->uid, REC->pgtables, REC->oom_score_adj
`,
  },
  {
    system: "oom",
    text: `name: wake_reaper
ID: 608
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;

print fmt: "pid=%d", REC->pid
`,
  },
  {
    system: "oom",
    text: `name: start_task_reaping
ID: 607
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;

print fmt: "pid=%d", REC->pid
`,
  },
  {
    system: "oom",
    text: `name: finish_task_reaping
ID: 606
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;

print fmt: "pid=%d", REC->pid
`,
  },
  {
    system: "oom",
    text: `name: skip_task_reaping
ID: 605
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:int pid;\toffset:8;\tsize:4;\tsigned:1;

print fmt: "pid=%d", REC->pid
`,
  },
  {
    system: "kmem",
    text: `name: rss_stat
ID: 646
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:unsigned int mm_id;\toffset:8;\tsize:4;\tsigned:0;
\tfield:unsigned int curr;\toffset:12;\tsize:4;\tsigned:0;
\tfield:int member;\toffset:16;\tsize:4;\tsigned:1;
\tfield:long size;\toffset:24;\tsize:8;\tsigned:1;

print fmt: "mm_id=%u curr=%d type=%s size=%ldB", REC->mm_id, REC->curr, __print_symbolic(REC->member, { 0, "MM_FILEPAGES" }, { 1, "MM_ANONPAGES" }, { 2, "MM_SWAPENTS" }, { 3, "MM_SHMEMPAGES" }), REC->size
`,
  },
  {
    system: "raw_syscalls",
    text: `name: sys_enter
ID: 443
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;
\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;

print fmt: "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]
`,
  },
  {
    system: "raw_syscalls",
    text: `name: sys_exit
ID: 442
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;
\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;

print fmt: "NR %ld = %ld", REC->id, REC->ret
`,
  },
];

/** One field of an event record, as its `format` file describes it. */
export interface FieldFormat {
  /** The C declaration's name (`prev_comm`, `args`). */
  readonly name: string;
  /** The C type before the name (`char`, `pid_t`, `unsigned long`, `__data_loc char[]`). */
  readonly type: string;
  /** Bytes from the record's start. */
  readonly offset: number;
  /** Bytes (0 for a trailing `char buf[]`). */
  readonly size: number;
  /** Whether the integer is signed. */
  readonly signed: boolean;
  /** Elements of an array field (`char prev_comm[16]`: 16), or 0 for a scalar. */
  readonly arrayLength: number;
  /** A `__data_loc` field: a u32 (length << 16 | offset) of a string after the fixed part. */
  readonly dataLoc: boolean;
  /** A flexible array (`char buf[]`, size 0): the rest of the record. */
  readonly flexible: boolean;
}

/** One event's parsed format. */
export interface EventFormat {
  /** The event system (the directory under events/). */
  readonly system: string;
  /** The event's name. */
  readonly name: string;
  /** The event's ID: the record's common_type. */
  readonly id: number;
  /** The common fields (common_type, common_flags, common_preempt_count, common_pid). */
  readonly common: readonly FieldFormat[];
  /** The event's own fields, in order. */
  readonly fields: readonly FieldFormat[];
  /** The `print fmt:` line's value. */
  readonly printFmt: string;
  /** The format file's text. */
  readonly text: string;
}

const FIELD = /^\tfield:(.+?);\toffset:(\d+);\tsize:(\d+);\tsigned:([01]);$/;

/**
 * Parses a `format` file (kernel/trace/trace_events.c f_show()).
 *
 * @example
 * ```ts
 * import { FORMAT_FILES, parseFormat } from "./_formats.ts";
 * parseFormat(FORMAT_FILES[0]).name; // "print"
 * ```
 */
export function parseFormat(file: FormatFile): EventFormat {
  const lines = file.text.split("\n");
  const name = lines[0].match(/^name: (\S+)$/)?.[1];
  const id = lines[1].match(/^ID: (\d+)$/)?.[1];
  if (name === undefined || id === undefined || lines[2] !== "format:") {
    throw new Error(`not a tracefs format file: ${JSON.stringify(lines.slice(0, 3))}`);
  }
  const common: FieldFormat[] = [];
  const fields: FieldFormat[] = [];
  let into = common;
  let printFmt = "";
  for (const line of lines.slice(3)) {
    if (line === "") {
      into = fields; // a blank line ends the common fields
      continue;
    }
    if (line.startsWith("print fmt: ")) {
      printFmt = line.slice("print fmt: ".length);
      continue;
    }
    const m = line.match(FIELD);
    if (m === null) throw new Error(`${name}: unreadable format line ${JSON.stringify(line)}`);
    into.push(fieldOf(m[1], Number(m[2]), Number(m[3]), m[4] === "1"));
  }
  return { system: file.system, name, id: Number(id), common, fields, printFmt, text: file.text };
}

/** A field's declaration (`char prev_comm[16]`, `__data_loc char[] comm`) and its layout. */
function fieldOf(decl: string, offset: number, size: number, signed: boolean): FieldFormat {
  const dataLoc = decl.startsWith("__data_loc ");
  const m = decl.match(/^(.*?)\s*(\w+)(?:\[(\d*)\])?$/);
  if (m === null) throw new Error(`unreadable field declaration ${JSON.stringify(decl)}`);
  const arrayLength = m[3] === undefined || m[3] === "" ? 0 : Number(m[3]);
  const flexible = !dataLoc && m[3] === "" && size === 0;
  return { name: m[2], type: m[1], offset, size, signed, arrayLength, dataLoc, flexible };
}

/** Every format, by event name. */
export const EVENT_FORMATS: ReadonlyMap<string, EventFormat> = new Map(
  FORMAT_FILES.map((f) => {
    const format = parseFormat(f);
    return [format.name, format];
  }),
);

/** The format of a named event; throws for an event the lab does not describe. */
export function eventFormat(name: string): EventFormat {
  const format = EVENT_FORMATS.get(name);
  if (format === undefined) throw new Error(`no format for event ${name}`);
  return format;
}

/**
 * The `{ value, "name" }` pairs of a `__print_flags` or `__print_symbolic` in an event's
 * print fmt, in order: what the kernel (and trace-cmd) print for each value.
 *
 * @example
 * ```ts
 * import { eventFormat, printTable } from "./_formats.ts";
 * printTable(eventFormat("rss_stat")).get(1); // "MM_ANONPAGES"
 * ```
 */
export function printTable(format: EventFormat): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const m of format.printFmt.matchAll(/\{ (0x[0-9a-f]+|\d+), "([^"]*)" \}/g)) {
    out.set(Number(m[1]), m[2]);
  }
  return out;
}
