/**
 * The event log as a trace-cmd `trace.dat` file, version 6 (trace-cmd.dat.v6(5)), the
 * format `trace-cmd report` and KernelShark read: the file a `trace-cmd record` of a 6.18
 * x86_64 kernel would have written had it traced the simulated world. It holds
 *
 * - the ring buffer's header descriptions and every event's format file, as Linux 6.18's
 *   tracefs has them (src/engine/trace/_formats.ts);
 * - a one-symbol kallsyms (`tracing_mark_write`, so a marker's ip prints by name), no
 *   trace_printk formats, and the saved cmdlines (pid → comm);
 * - two options: the uname (the kernel version the run modelled) and the version of the
 *   tool that wrote the file (`mrelease-lab`, where trace-cmd writes its own);
 * - per CPU, the records (src/engine/trace/_records.ts: the same ones trace.txt prints) in
 *   ring buffer pages ("flyrecord"): a page header (timestamp, commit), then each event as
 *   the kernel's ring buffer writes it (include/linux/ring_buffer.h, kernel/trace/
 *   ring_buffer.c: a 5-bit type_len and 27-bit time delta, a TIME_EXTEND before a delta
 *   that needs more bits, a length word for a payload over 112 bytes).
 *
 * Everything is little-endian with 8-byte longs. The bytes depend only on the events and
 * the context: no date, no host name, no KASLR address.
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import {
  eventFormat,
  type FieldFormat,
  FORMAT_FILES,
  HEADER_EVENT,
  HEADER_PAGE,
} from "./_formats.ts";
import { taskComm, type TraceContext } from "./_names.ts";
import {
  type FieldValue,
  type FtraceRecord,
  TRACING_MARK_WRITE,
  TRACING_MARK_WRITE_IP,
} from "./_printk.ts";
import { cpuCount, ftraceRecords } from "./_records.ts";

/** The page size of the traced machine (x86_64): a ring buffer page is one page. */
const PAGE_SIZE = 4096;

/** A page's header: u64 timestamp and a long (8 bytes) commit (header_page). */
const PAGE_HEADER_BYTES = 16;

/** header_event: a type_len above 28 is padding (29), time extend (30) or time stamp (31). */
const TYPE_LEN_MAX_DATA = 28;
const TYPE_TIME_EXTEND = 30;

/** header_event: the time delta has 27 bits. */
const TIME_DELTA_BITS = 27;

/** RB_ALIGNMENT: payloads are padded to 4 bytes on x86_64. */
const RB_ALIGNMENT = 4;

/** trace-cmd-private.h enum tracecmd_option: TRACECMD_OPTION_UNAME, _VERSION. */
const OPTION_UNAME = 5;
const OPTION_VERSION = 9;

/**
 * Builds trace.dat from the event log. The same events and context give the same bytes.
 *
 * @example
 * ```ts
 * import { EVENT_KINDS, toTraceDat } from "./mod.ts";
 * const dat = toTraceDat(
 *   [{ tsNs: 1_000, cpu: 0, pid: 7, kind: EVENT_KINDS.wake_reaper, a: 100, b: 0, c: 0, d: 0 }],
 *   { comm: () => "lmkd", tgid: (p) => p, mmOwner: () => "", kernel: "6.18" },
 * );
 * await Deno.writeFile("trace.dat", dat);
 * // trace-cmd report -i trace.dat
 * ```
 */
export function toTraceDat(events: readonly TraceEvent[], ctx: TraceContext): Uint8Array {
  const records = ftraceRecords(events, ctx);
  const cpus = cpuCount(events, records);
  const out = new Writer();
  out.bytes([0x17, 0x08, 0x44]);
  out.text("tracing");
  out.cstring("6");
  out.u8(0); // little endian
  out.u8(8); // sizeof(long)
  out.u32(PAGE_SIZE);
  // Header info
  out.cstring("header_page");
  out.sized64(HEADER_PAGE);
  out.cstring("header_event");
  out.sized64(HEADER_EVENT);
  // Ftrace event formats, then the other systems'
  const ftrace = FORMAT_FILES.filter((f) => f.system === "ftrace");
  out.u32(ftrace.length);
  for (const f of ftrace) out.sized64(f.text);
  const systems = [...new Set(FORMAT_FILES.map((f) => f.system))].filter((s) => s !== "ftrace");
  out.u32(systems.length);
  for (const system of systems) {
    const files = FORMAT_FILES.filter((f) => f.system === system);
    out.cstring(system);
    out.u32(files.length);
    for (const f of files) out.sized64(f.text);
  }
  // kallsyms (/proc/kallsyms lines), printk formats (none), saved cmdlines
  out.sized32(`${TRACING_MARK_WRITE_IP.toString(16)} T ${TRACING_MARK_WRITE}\n`);
  out.sized32("");
  out.sized64(cmdlines(records, ctx));
  out.u32(cpus);
  // Options (u16 id, u32 size, data), ended by id 0.
  out.text("options  \0");
  const option = (id: number, text: string) => {
    const b = new TextEncoder().encode(`${text}\0`);
    out.u16(id);
    out.u32(b.length);
    out.bytes(b);
  };
  option(OPTION_UNAME, `Linux mrelease-lab ${ctx.kernel} mrelease-lab-simulated-kernel x86_64`);
  option(OPTION_VERSION, "mrelease-lab");
  out.u16(0);
  // Flyrecord: per CPU its data's offset and size, then the data, page aligned.
  out.text("flyrecord\0");
  const data = Array.from(
    { length: cpus },
    (_, cpu) => cpuPages(records.filter((r) => r.cpu === cpu)),
  );
  let offset = alignUp(out.length + cpus * 16, PAGE_SIZE);
  for (const d of data) {
    out.u64(BigInt(d.length === 0 ? 0 : offset));
    out.u64(BigInt(d.length));
    offset += d.length;
  }
  out.bytes(new Uint8Array(alignUp(out.length, PAGE_SIZE) - out.length));
  for (const d of data) out.bytes(d);
  return out.finish();
}

/** `<pid> <comm>\n` per thread that wrote a record (saved_cmdlines), by pid. */
function cmdlines(records: readonly FtraceRecord[], ctx: TraceContext): string {
  const pids = [...new Set(records.map((r) => r.pid))].filter((p) => p !== 0).sort((a, b) => a - b);
  return pids.map((pid) => [pid, taskComm(ctx, pid)] as const)
    .filter(([, comm]) => comm !== "<...>")
    .map(([pid, comm]) => `${pid} ${comm}\n`).join("");
}

/** One CPU's records in ring buffer pages. */
function cpuPages(records: readonly FtraceRecord[]): Uint8Array {
  const pages: Uint8Array[] = [];
  let page: Writer | null = null;
  let pageTs = 0;
  let lastTs = 0;
  const close = () => {
    if (page === null) return;
    const body = page.finish();
    const full = new Writer();
    full.u64(BigInt(pageTs));
    full.u64(BigInt(body.length)); // commit: the bytes of events on the page
    full.bytes(body);
    full.bytes(new Uint8Array(PAGE_SIZE - PAGE_HEADER_BYTES - body.length));
    pages.push(full.finish());
    page = null;
  };
  for (const r of records) {
    const payload = encodeRecord(r);
    const small = payload.length <= TYPE_LEN_MAX_DATA * RB_ALIGNMENT;
    const eventBytes = 4 + (small ? 0 : 4) + payload.length;
    let delta = r.tsNs - lastTs;
    if (delta < 0) throw new Error(`trace.dat: CPU ${r.cpu}'s records go back in time`);
    const extendBytes = delta >= 2 ** TIME_DELTA_BITS ? 8 : 0;
    if (page === null || page.length + extendBytes + eventBytes > PAGE_SIZE - PAGE_HEADER_BYTES) {
      close();
      page = new Writer();
      pageTs = r.tsNs;
      delta = 0;
    } else if (extendBytes > 0) {
      // TIME_EXTEND: the low 27 bits in the header, the rest in array[0]; the event after
      // it has delta 0.
      page.u32(TYPE_TIME_EXTEND | ((delta % 2 ** TIME_DELTA_BITS) << 5));
      page.u32(Math.floor(delta / 2 ** TIME_DELTA_BITS));
      delta = 0;
    }
    if (small) {
      page.u32(payload.length / RB_ALIGNMENT | (delta << 5));
    } else {
      page.u32(delta << 5); // type_len 0: the length is in array[0], with itself
      page.u32(payload.length + 4);
    }
    page.bytes(payload);
    lastTs = r.tsNs;
  }
  close();
  const all = new Writer();
  for (const p of pages) all.bytes(p);
  return all.finish();
}

/**
 * A record's payload as its format lays it out: the common fields, then each field at its
 * offset; `__data_loc` strings and a flexible `char buf[]` after the fixed part. Padded to
 * RB_ALIGNMENT.
 */
function encodeRecord(r: FtraceRecord): Uint8Array {
  const format = eventFormat(r.event);
  const fixed = Math.max(...[...format.common, ...format.fields].map((f) => f.offset + f.size));
  const head = new Uint8Array(fixed);
  const view = new DataView(head.buffer);
  const tail: number[] = [];
  const write = (f: FieldFormat, v: FieldValue) => writeField(view, f, v);
  const common = new Map(format.common.map((f) => [f.name, f]));
  write(common.get("common_type")!, format.id);
  write(common.get("common_pid")!, r.pid); // common_flags, common_preempt_count: 0
  for (const f of format.fields) {
    const v = r.values[f.name];
    if (v === undefined) throw new Error(`${r.event}: no value for field ${f.name}`);
    if (f.dataLoc || f.flexible) {
      const bytes = [...new TextEncoder().encode(String(v)), 0];
      const at = fixed + tail.length;
      tail.push(...bytes);
      if (f.dataLoc) view.setUint32(f.offset, (bytes.length << 16) | at, true);
    } else {
      write(f, v);
    }
  }
  const size = alignUp(fixed + tail.length, RB_ALIGNMENT);
  const out = new Uint8Array(size);
  out.set(head);
  out.set(tail, fixed);
  return out;
}

/** One fixed field: a NUL-padded char array, an array of longs, or an integer. */
function writeField(view: DataView, f: FieldFormat, v: FieldValue): void {
  if (f.type === "char" && f.arrayLength > 0) {
    // A comm: at most TASK_COMM_LEN - 1 bytes and the NUL.
    const bytes = new TextEncoder().encode(String(v)).slice(0, f.arrayLength - 1);
    new Uint8Array(view.buffer, f.offset, f.arrayLength).set(bytes);
    return;
  }
  if (f.arrayLength > 0) {
    const each = f.size / f.arrayLength;
    (v as readonly bigint[]).forEach((x, i) => writeInt(view, f.offset + i * each, each, x));
    return;
  }
  writeInt(view, f.offset, f.size, v as number | bigint);
}

/** A little-endian integer of 1, 2, 4 or 8 bytes (two's complement when negative). */
function writeInt(view: DataView, at: number, size: number, v: number | bigint): void {
  const big = BigInt.asUintN(size * 8, BigInt(v));
  for (let i = 0; i < size; i++) view.setUint8(at + i, Number((big >> BigInt(8 * i)) & 0xffn));
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** A growing little-endian byte buffer. */
class Writer {
  #chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: ArrayLike<number>): void {
    const chunk = Uint8Array.from(b);
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }
  #int(size: number, v: number | bigint): void {
    const b = new Uint8Array(size);
    writeInt(new DataView(b.buffer), 0, size, v);
    this.bytes(b);
  }
  u8(v: number): void {
    this.#int(1, v);
  }
  u16(v: number): void {
    this.#int(2, v);
  }
  u32(v: number): void {
    this.#int(4, v);
  }
  u64(v: bigint): void {
    this.#int(8, v);
  }
  /** ASCII text, no terminator. */
  text(s: string): void {
    this.bytes(new TextEncoder().encode(s));
  }
  /** A NUL-terminated string. */
  cstring(s: string): void {
    this.text(`${s}\0`);
  }
  /** A 32-bit size, then the text. */
  sized32(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  /** A 64-bit size, then the text. */
  sized64(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(BigInt(b.length));
    this.bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
