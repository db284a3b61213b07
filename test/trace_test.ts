/**
 * Tests of the trace exporters, on event arrays built by hand (no world is run; the tables
 * come from the core's facts): every tracepoint line against one derived by hand from the
 * kernel's TP_printk, the lab-only events as trace_marker instants, the line prefix and
 * timestamps, the atrace marks, the JSON's structure, decoding, arguments by name, and the
 * kind tables against wasm/src/events.rs. Real runs through Perfetto's grammar, trace-cmd
 * and the Trace Event Format: test/trace_tools_test.ts.
 */

import assert from "node:assert/strict";
import { codesByName } from "../src/core/kernel.ts";
import { classifyLines } from "./_perfetto_systrace.ts";
import {
  type ChromeTraceEvent,
  CPUS_TRACK_PID,
  cpuTrackTid,
  decodeEvents,
  encodeEvents,
  EVENT_FIELD,
  EVENT_KINDS,
  eventArg,
  type EventKindName,
  eventWord,
  type FtraceContext,
  KIND_NAMES,
  LOCK_OPS,
  mmTrackPid,
  toFtrace,
  toTraceEventJson,
  type TraceContext,
  type TraceEvent,
  WARN_CODES,
  WARN_NAMES,
} from "../src/engine/trace/mod.ts";

const root = new URL("..", import.meta.url);

// ---- a small world ---------------------------------------------------------------------------

const COMMS: Record<number, string> = {
  50: "oom_reaper",
  100: "victim",
  101: "victim_worker_thread", // 20 characters: printed as its first 15
  200: "lmkd",
};
const TGIDS: Record<number, number> = { 50: 50, 100: 100, 101: 100, 200: 200 };
const MM = 3;

const ctx: TraceContext = {
  comm: (pid) => COMMS[pid] ?? "",
  tgid: (pid) => TGIDS[pid] ?? pid,
  mmOwner: (mm) => (mm === MM ? "victim (tgid 100)" : `mm ${mm}`),
  kernel: "6.1",
  prio: (pid) => (pid === 101 ? 139 : 120),
  uid: (pid) => (pid === 100 || pid === 101 ? 1000 : 0),
  mmOf: (pid) => (pid === 100 || pid === 101 ? MM : undefined),
  // MM_FILEPAGES 8 KiB, MM_ANONPAGES 1 MiB, MM_SWAPENTS 4 KiB, MM_SHMEMPAGES 12 KiB
  rssBytes: (mm) => (mm === MM ? [8192, 1048576, 4096, 12288] : undefined),
};

/** An event; unset arguments are 0. */
function ev(
  tsNs: number,
  cpu: number,
  pid: number,
  kind: EventKindName,
  a = 0,
  b = 0,
  c = 0,
  d = 0,
): TraceEvent {
  return { tsNs, cpu, pid, kind: EVENT_KINDS[kind], a, b, c, d };
}

/** The event lines of the text: no `cpus=` header, no `#` comments. */
function body(events: TraceEvent[], c: FtraceContext = ctx): string[] {
  return toFtrace(events, c).trimEnd().split("\n").filter((l) =>
    !l.startsWith("#") && !l.startsWith("cpus=")
  );
}

/**
 * The line an event prints (without baseline marks). Any line after it must be a mark: its
 * `I|` instant twin, an rss counter or a slice mark.
 */
function lineOf(e: TraceEvent): string {
  const lines = body([e], { ...ctx, rssBytes: undefined });
  for (const l of lines.slice(1)) {
    assert.match(l, /: tracing_mark_write: [BEIC]\|/, lines.join("\n"));
  }
  return lines[0];
}

/** The `I|` instant twin that follows a tracepoint Perfetto's text importer does not draw. */
function twinOf(e: TraceEvent): string {
  const lines = body([e], { ...ctx, rssBytes: undefined });
  const event = lines[0].replace(/^.*?\]  +\d+\.\d+: /, "");
  assert.equal(
    lines[1],
    lines[0].replace(event, `tracing_mark_write: I|${ctx.tgid(e.pid)}|${event}`),
  );
  return lines[1];
}

// kernel/trace/trace_output.c trace_print_context(): "%16s-%-7d ", "[%03d] ",
// trace_print_time(): " %5lu.%06lu" of ns2usecs(ts) = (ts + 500) / 1000, then ": ".
// lmkd-200 on CPU 1 at 1 234 567 891 ns = 1 234 568 us (rounded):
const LMKD = "            lmkd-200     [001]      1.234568: ";
const T = 1_234_567_891;
// <idle>-0 on CPU 0 at 5 000 ns:
const IDLE = "          <idle>-0       [000]      0.000005: ";
// victim-100 on CPU 2 at 3 000 000 ns:
const VICTIM = "          victim-100     [002]      0.003000: ";

// ---- tracepoint formats ----------------------------------------------------------------------

Deno.test("sched_switch: TP_printk of include/trace/events/sched.h", () => {
  // TP_printk("prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s
  //            next_pid=%d next_prio=%d", ..., __print_flags(prev_state, "|",
  //            { TASK_INTERRUPTIBLE, "S" }, { TASK_UNINTERRUPTIBLE, "D" }, ...) : "R",
  //            prev_state & TASK_REPORT_MAX ? "+" : "", ...)
  assert.equal(
    lineOf(ev(T, 1, 200, "sched_switch", 50, 2, 200)),
    LMKD + "sched_switch: prev_comm=lmkd prev_pid=200 prev_prio=120 prev_state=D ==> " +
      "next_comm=oom_reaper next_pid=50 next_prio=120",
  );
  // From the idle task: the line is <idle>-0's, the fields name it swapper/<cpu>.
  assert.equal(
    lineOf(ev(5_000, 0, 100, "sched_switch", 100, 0, 0)),
    IDLE + "sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> " +
      "next_comm=victim next_pid=100 next_prio=120",
  );
  // Switched out while runnable = preempted: "R+". Into idle: swapper/1.
  assert.equal(
    lineOf(ev(T, 1, 200, "sched_switch", 0, 0, 200)),
    LMKD + "sched_switch: prev_comm=lmkd prev_pid=200 prev_prio=120 prev_state=R+ ==> " +
      "next_comm=swapper/1 next_pid=0 next_prio=120",
  );
  // S, T, frozen (reported as D), zombie, dead.
  const states = [1, 3, 4, 5, 6].map((code) =>
    lineOf(ev(T, 1, 200, "sched_switch", 0, code, 200)).match(/prev_state=(\S+)/)?.[1]
  );
  assert.deepEqual(states, ["S", "T", "D", "Z", "X"]);
});

Deno.test("a wakeup is sched_waking then sched_wakeup: TP_printk of sched.h", () => {
  // try_to_wake_up() emits trace_sched_waking(p), then ttwu_do_wakeup()'s
  // trace_sched_wakeup(p), in the waker's context; Perfetto reads sched_waking.
  // TP_printk("comm=%s pid=%d prio=%d target_cpu=%03d", ...); comm is TASK_COMM_LEN-1 max.
  assert.deepEqual(body([ev(T, 1, 200, "sched_wakeup", 101, 3)]), [
    LMKD + "sched_waking: comm=victim_worker_t pid=101 prio=139 target_cpu=003",
    LMKD + "sched_wakeup: comm=victim_worker_t pid=101 prio=139 target_cpu=003",
  ]);
});

Deno.test("signal_generate and signal_deliver: include/trace/events/signal.h", () => {
  // TP_printk("sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d", ...)
  assert.equal(
    lineOf(ev(T, 1, 200, "signal_generate", 9, 100, 1, 0)),
    LMKD + "signal_generate: sig=9 errno=0 code=0 comm=victim pid=100 grp=1 res=0",
  );
  // TP_printk("sig=%d errno=%d code=%d sa_handler=%lx sa_flags=%lx", ...)
  assert.equal(
    lineOf(ev(3_000_000, 2, 100, "signal_deliver", 9)),
    VICTIM + "signal_deliver: sig=9 errno=0 code=0 sa_handler=0 sa_flags=0",
  );
  // The OOM killer (it marks the victim at the same instant) sends with SEND_SIG_PRIV:
  // si_code SI_KERNEL (0x80), and the victim's thread receives it so.
  const lines = body([
    ev(1_000, 0, 200, "signal_generate", 9, 100, 1, 0),
    ev(1_000, 0, 200, "mark_victim", 100),
    ev(2_000, 1, 101, "signal_deliver", 9),
  ]);
  const events = lines.filter((l) => !l.includes("tracing_mark_write"));
  assert.match(events[0], /signal_generate: sig=9 errno=0 code=128 comm=victim pid=100 /);
  assert.match(events[2], /signal_deliver: sig=9 errno=0 code=128 sa_handler=0 sa_flags=0$/);
  // Perfetto's text importer draws no signal: each has an I| instant twin.
  assert.equal(
    twinOf(ev(T, 1, 200, "signal_generate", 9, 100, 1, 0)),
    LMKD + "tracing_mark_write: I|200|signal_generate: sig=9 errno=0 code=0 comm=victim " +
      "pid=100 grp=1 res=0",
  );
  twinOf(ev(3_000_000, 2, 101, "signal_deliver", 9));
});

Deno.test("oom tracepoints: include/trace/events/oom.h", () => {
  // mark_victim since 6.8: TP_printk("pid=%d comm=%s total-vm=%lukB anon-rss=%lukB
  //   file-rss:%lukB shmem-rss:%lukB uid=%u pgtables=%lukB oom_score_adj=%hd", ...)
  // rss from ctx.rssBytes: file 8 kB, anon 1024 kB, shmem 12 kB, swap 4 kB; total-vm is
  // everything counted: 8 + 1024 + 4 + 12 = 1048 kB.
  assert.equal(
    body([ev(T, 1, 200, "mark_victim", 100)])[0],
    LMKD + "mark_victim: pid=100 comm=victim total-vm=1048kB anon-rss=1024kB file-rss:8kB " +
      "shmem-rss:12kB uid=1000 pgtables=0kB oom_score_adj=0",
  );
  // After rss_stat halves the anon pages, mark_victim reports the new level.
  const after = body([
    ev(T, 1, 200, "rss_stat", MM, 1, 524288, 0),
    ev(T, 1, 200, "mark_victim", 101),
  ]);
  const victim = after.find((l) => / mark_victim: /.test(l))!;
  assert.match(victim, /mark_victim: pid=101 comm=victim_worker_t total-vm=536kB /);
  assert.match(victim, / anon-rss=512kB file-rss:8kB shmem-rss:12kB uid=1000 /);
  // Without the optional context, the fields the lab cannot derive print 0.
  assert.equal(
    lineOf(ev(T, 1, 200, "mark_victim", 200)),
    LMKD + "mark_victim: pid=200 comm=lmkd total-vm=0kB anon-rss=0kB file-rss:0kB " +
      "shmem-rss:0kB uid=0 pgtables=0kB oom_score_adj=0",
  );
  // wake_reaper, start_task_reaping, finish_task_reaping, skip_task_reaping:
  // TP_printk("pid=%d", __entry->pid)
  for (const kind of ["wake_reaper", "start_task_reaping", "finish_task_reaping"] as const) {
    assert.equal(lineOf(ev(T, 1, 200, kind, 100)), LMKD + `${kind}: pid=100`);
    assert.equal(
      twinOf(ev(T, 1, 200, kind, 100)),
      LMKD + `tracing_mark_write: I|200|${kind}: pid=100`,
    );
  }
  twinOf(ev(T, 1, 200, "mark_victim", 100));
  assert.equal(
    lineOf(ev(3_000_000, 2, 50, "skip_task_reaping", 100)),
    "      oom_reaper-50      [002]      0.003000: skip_task_reaping: pid=100",
  );
});

Deno.test("sched_process_exit and sched_process_free: include/trace/events/sched.h", () => {
  // sched_process_exit, recent mainline:
  // TP_printk("comm=%s pid=%d prio=%d group_dead=%s", ..., group_dead ? "true" : "false")
  assert.equal(
    lineOf(ev(3_000_000, 2, 100, "sched_process_exit", 100, 120, 1)),
    VICTIM + "sched_process_exit: comm=victim pid=100 prio=120 group_dead=true",
  );
  assert.match(
    lineOf(ev(3_000_000, 2, 101, "sched_process_exit", 101, 139, 0)),
    /sched_process_exit: comm=victim_worker_t pid=101 prio=139 group_dead=false$/,
  );
  // sched_process_template: TP_printk("comm=%s pid=%d prio=%d", ...)
  assert.equal(
    lineOf(ev(3_000_000, 2, 100, "sched_process_free", 100)),
    VICTIM + "sched_process_free: comm=victim pid=100 prio=120",
  );
  twinOf(ev(3_000_000, 2, 100, "sched_process_exit", 100, 120, 1));
  twinOf(ev(3_000_000, 2, 100, "sched_process_free", 100));
});

Deno.test("rss_stat: include/trace/events/kmem.h, and its counter mark", () => {
  // TP_printk("mm_id=%u curr=%d type=%s size=%ldB", mm_id, curr,
  //           __print_symbolic(member, TRACE_MM_PAGES), size)
  const lines = body([ev(T, 1, 50, "rss_stat", MM, 1, 524288, 0)], { ...ctx, rssBytes: undefined });
  const at = "      oom_reaper-50      [001]      1.234568: ";
  assert.deepEqual(lines, [
    at + "rss_stat: mm_id=3 curr=0 type=MM_ANONPAGES size=524288B",
    at + "tracing_mark_write: C|6000003|mm3 MM_ANONPAGES|524288",
  ]);
  const types = [0, 2, 3].map((m) =>
    body([ev(T, 1, 100, "rss_stat", MM, m, 4096, 1)], { ...ctx, rssBytes: undefined })[0]
  );
  assert.match(types[0], /rss_stat: mm_id=3 curr=1 type=MM_FILEPAGES size=4096B$/);
  assert.match(types[1], /type=MM_SWAPENTS /);
  assert.match(types[2], /type=MM_SHMEMPAGES /);
});

Deno.test("sys_enter and sys_exit: include/trace/events/syscalls.h, with B/E marks", () => {
  // sys_enter: TP_printk("NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", id, args[0..5])
  // sys_exit:  TP_printk("NR %ld = %ld", id, ret)
  const lines = body([
    ev(T, 1, 200, "sys_enter", 448, 5, 0),
    ev(T, 1, 200, "sys_exit", 448, -3),
    ev(T, 1, 200, "sys_enter", 424, -1, 9), // a negative int argument, as %lx of a long
  ]);
  assert.deepEqual(lines, [
    LMKD + "sys_enter: NR 448 (5, 0, 0, 0, 0, 0)",
    LMKD + "tracing_mark_write: B|200|process_mrelease",
    LMKD + "sys_exit: NR 448 = -3",
    LMKD + "tracing_mark_write: E|200",
    LMKD + "sys_enter: NR 424 (ffffffffffffffff, 9, 0, 0, 0, 0)",
    LMKD + "tracing_mark_write: B|200|pidfd_send_signal",
  ]);
  // A thread's slices carry its process (tgid) number, as atrace writes it.
  assert.match(body([ev(T, 1, 101, "sys_enter", 62)])[1], /tracing_mark_write: B\|100\|kill$/);
});

Deno.test("lab-only events are trace_marker instants: I|<tgid>|lab_<name>: key=value", () => {
  // A write to trace_marker prints as `tracing_mark_write: <text>` (the %ps of its ip);
  // atrace's `I|<tgid>|<name>` is an instant on the writer's thread in Perfetto.
  const l = (e: TraceEvent) => lineOf(e).slice(LMKD.length);
  assert.equal(
    l(ev(T, 1, 200, "task_state", 100, 5, 0x4)),
    "tracing_mark_write: I|200|lab_task_state: pid=100 comm=victim state=zombie flags=0x00000004",
  );
  assert.equal(
    l(ev(T, 1, 200, "mm_flag", MM, 1, 1)),
    'tracing_mark_write: I|200|lab_mm_flag: mm=3 owner="victim (tgid 100)" flag=MMF_OOM_SKIP set=1',
  );
  assert.equal(
    l(ev(T, 1, 200, "mm_ref", MM, 0, 1)),
    'tracing_mark_write: I|200|lab_mm_ref: mm=3 owner="victim (tgid 100)" mm_users=0 mm_count=1',
  );
  assert.equal(
    l(ev(T, 1, 200, "mmap_lock", MM, LOCK_OPS.read_waiting)),
    'tracing_mark_write: I|200|lab_mmap_lock: mm=3 owner="victim (tgid 100)" op=read_waiting',
  );
  assert.equal(
    l(ev(T, 1, 200, "exit_mmap", MM, 3)),
    'tracing_mark_write: I|200|lab_exit_mmap: mm=3 owner="victim (tgid 100)" ' +
      "phase=pgtables_freed",
  );
  assert.equal(
    l(ev(T, 1, 200, "scenario_event", 2, 100, 9)),
    "tracing_mark_write: I|200|lab_scenario_event: event=kill tgid=100 sig=9",
  );
  assert.equal(
    l(ev(T, 1, 200, "scenario_event", 0, MM, 1)),
    "tracing_mark_write: I|200|lab_scenario_event: event=proc_reader mm=3 done=1",
  );
  assert.equal(
    l(ev(T, 1, 200, "run_end", 1)),
    "tracing_mark_write: I|200|lab_run_end: reason=horizon",
  );
  assert.equal(
    l(ev(T, 1, 200, "run_end", 0)),
    "tracing_mark_write: I|200|lab_run_end: reason=quiescent",
  );
  // A thread's instant carries its process; the idle/timer context is 0.
  assert.match(lineOf(ev(T, 1, 101, "run_end", 0)), /: tracing_mark_write: I\|100\|lab_run_end: /);
  assert.match(lineOf(ev(T, -1, 0, "run_end", 0)), /^ +<idle>-0 .*: I\|0\|lab_run_end: /);
});

Deno.test("WARN events print the kernel's message", () => {
  const w = (code: number, b: number, c = 0) =>
    lineOf(ev(T, 1, 50, "warn", code, b, c)).replace(/^.*?: tracing_mark_write: I\|50\|/, "");
  // mm/oom_kill.c oom_reap_task(): pr_info("oom_reaper: unable to reap pid:%d (%s)\n", ...)
  assert.equal(
    w(WARN_CODES.unable_to_reap, 100),
    "lab_warn: oom_reaper: unable to reap pid:100 (victim)",
  );
  assert.equal(
    w(WARN_CODES.mm_ref_underflow, 0, MM),
    "lab_warn: refcount_t: underflow; use-after-free. (mm_count of mm 3)",
  );
  // kernel/sched/core.c __schedule_bug(): "BUG: scheduling while atomic: %s/%d/0x%08x"
  assert.equal(
    w(WARN_CODES.sleep_with_task_lock, 100),
    "lab_warn: BUG: scheduling while atomic: oom_reaper/50/0x00000001 " +
      "(task_lock of 100 (victim) held)",
  );
  // mm/oom_kill.c __oom_kill_process(): "oom killer %d (%s) has mm pinned by %d (%s)\n",
  // naming the victim marked just before.
  const pinned = body([
    ev(T, 1, 200, "mark_victim", 100),
    ev(T, 1, 200, "warn", WARN_CODES.mm_pinned_by_init, 1),
  ]);
  assert.match(
    pinned.at(-1)!,
    /lab_warn: oom killer 100 \(victim\) has mm pinned by 1 \(<\.\.\.>\)$/,
  );
  for (const code of Object.values(WARN_CODES)) {
    assert.match(w(code, 100, MM), /^lab_warn: [^|]+$/);
  }
});

// ---- the line prefix ------------------------------------------------------------------------

Deno.test("cpu -1 prints the CPU the thread last ran on, else [000]", () => {
  const lines = body([
    ev(1_000, 1, 200, "sched_switch", 50, 1, 200), // oom_reaper gets CPU 1
    ev(2_000, -1, 50, "wake_reaper", 100), // its context is off-CPU: shows CPU 1
    ev(3_000, -1, 0, "wake_reaper", 100), // a timer (pid 0): CPU 0
  ]).filter((l) => !l.includes("tracing_mark_write"));
  assert.ok(lines[1].startsWith("      oom_reaper-50      [001] "), lines[1]);
  assert.ok(lines[2].startsWith("          <idle>-0       [000] "), lines[2]);
});

Deno.test("timestamps: ns2usecs rounding, 5-wide seconds, and the ns option", () => {
  const ts = (tsNs: number, precision?: "us" | "ns") =>
    body([ev(tsNs, 0, 200, "wake_reaper", 1)], { ...ctx, precision })[0].match(
      /\]  +(\d+\.\d+):/,
    )?.[1];
  assert.equal(ts(499), "0.000000");
  assert.equal(ts(500), "0.000001");
  assert.equal(ts(999_999_499), "0.999999");
  assert.equal(ts(999_999_500), "1.000000");
  assert.equal(ts(123_456_789_012_345), "123456.789012");
  assert.equal(ts(T, "ns"), "1.234567891");
  assert.equal(ts(5, "ns"), "0.000000005");
});

Deno.test("header: cpus= first, then # comments that name the kernel and the mms", () => {
  const text = toFtrace([
    ev(0, 3, 200, "sched_wakeup", 100, 1),
    ev(1, 0, 200, "mm_ref", MM, 1, 1),
  ], ctx);
  const lines = text.split("\n");
  assert.equal(lines[0], "cpus=4");
  assert.match(lines[1], /^# mrelease-lab simulated trace: kernel 6\.1 model;/);
  assert.equal(lines[2], "# mm 3: victim (tgid 100)");
  assert.ok(text.endsWith("\n"));
  assert.equal(toFtrace([], ctx), `cpus=1\n${lines[1]}\n`);
});

Deno.test("exit_mmap: nested B/E slices named for each step, and rss baselines", () => {
  const phases = [0, 1, 2, 3, 4].map((p, i) => ev(10_000 * (i + 1), 2, 100, "exit_mmap", MM, p));
  const marks = body(phases).filter((l) => l.includes("tracing_mark_write"))
    .map((l) => l.replace(/^.*tracing_mark_write: /, "")).filter((m) => !m.startsWith("I|"));
  assert.deepEqual(marks, [
    // time 0 baselines from ctx.rssBytes, one per member
    "C|6000003|mm3 MM_FILEPAGES|8192",
    "C|6000003|mm3 MM_ANONPAGES|1048576",
    "C|6000003|mm3 MM_SWAPENTS|4096",
    "C|6000003|mm3 MM_SHMEMPAGES|12288",
    "B|100|exit_mmap",
    "B|100|unmap_vmas",
    "E|100",
    "B|100|set_bit(MMF_OOM_SKIP)",
    "E|100",
    "B|100|free_pgtables",
    "E|100",
    "B|100|remove_vma",
    "E|100",
    "E|100",
  ]);
  // v4.17-v5.16 order (MMF_OOM_SKIP before the unmap): the steps follow the marks.
  const old = [0, 2, 1, 3, 4].map((p, i) => ev(10_000 * (i + 1), 2, 100, "exit_mmap", MM, p));
  const begins = body(old).filter((l) => l.includes(": B|100|")).map((l) => l.split("|")[2]);
  assert.deepEqual(begins, [
    "exit_mmap",
    "set_bit(MMF_OOM_SKIP)",
    "unmap_vmas",
    "free_pgtables",
    "remove_vma",
  ]);
  // v4.17-v5.16 for an mm that is not an OOM victim: MMF_OOM_SKIP is never set, and no step
  // may claim it (each is named for the mark that ends it).
  const skip = [0, 1, 3, 4].map((p, i) => ev(10_000 * (i + 1), 2, 100, "exit_mmap", MM, p));
  const steps = body(skip).filter((l) => l.includes(": B|100|")).map((l) => l.split("|")[2]);
  assert.deepEqual(steps, ["exit_mmap", "unmap_vmas", "free_pgtables", "remove_vma"]);
});

/** A whole run: a killer's syscall, the victim's exit, the reaper, a WARN. */
function run(): TraceEvent[] {
  return [
    ev(0, 0, 100, "sched_switch", 100, 0, 0),
    ev(0, 1, 200, "sched_switch", 200, 0, 0),
    ev(1_000, 1, 200, "sys_enter", 434, 100, 0),
    ev(1_100, 1, 200, "sys_exit", 434, 3),
    ev(1_200, 1, 200, "sys_enter", 424, 3, 9),
    ev(1_500, 1, 200, "signal_generate", 9, 100, 1, 0),
    ev(1_600, 1, 200, "sched_wakeup", 101, 0),
    ev(1_700, 1, 200, "sys_exit", 424, 0),
    ev(1_800, 1, 200, "sys_enter", 448, 3, 0),
    ev(2_000, 0, 100, "signal_deliver", 9),
    ev(2_100, 0, 100, "sched_process_exit", 100, 120, 0),
    ev(2_200, 0, 100, "task_state", 100, 5, 4),
    ev(2_300, 1, 200, "mmap_lock", MM, LOCK_OPS.read_acquired),
    ev(2_400, 1, 200, "rss_stat", MM, 1, 0, 0),
    ev(2_500, 1, 200, "mmap_lock", MM, LOCK_OPS.read_released),
    ev(2_600, 0, 100, "sched_switch", 101, 5, 100),
    ev(2_700, 0, 101, "exit_mmap", MM, 0),
    ev(2_800, 0, 101, "exit_mmap", MM, 1),
    ev(2_900, 0, 101, "mm_flag", MM, 1, 1),
    ev(2_900, 0, 101, "exit_mmap", MM, 2),
    ev(3_000, 0, 101, "exit_mmap", MM, 3),
    ev(3_000, 0, 101, "warn", WARN_CODES.pgtables_freed_under_walker, 200, MM),
    ev(3_100, 0, 101, "exit_mmap", MM, 4),
    ev(3_200, 0, 101, "mm_ref", MM, 0, 0),
    ev(3_300, -1, 0, "sched_process_free", 100),
    ev(4_000, -1, 0, "run_end", 1), // the process_mrelease above never returned
  ];
}

Deno.test("every line passes Perfetto's systrace tokenizer; marks balance", () => {
  // test/_perfetto_systrace.ts: perfetto's systrace_line_tokenizer.cc and ParseLine.
  for (const precision of ["us", "ns"] as const) {
    const verdicts = classifyLines(toFtrace(run(), { ...ctx, precision }));
    for (const { line, verdict } of verdicts) {
      assert.ok(verdict !== "tokenizer_failure" && verdict !== "marker_failure", line);
      // No kernel's rss_stat form passes ParseLine (docs/traces.md): its C| twin draws it.
      if (verdict === "parse_error") assert.match(line, / rss_stat: /);
    }
  }
  const lines = body(run(), { ...ctx, precision: "ns" });
  const depth = new Map<string, number>();
  for (const line of lines) {
    const m = line.match(/-(\d+) .*tracing_mark_write: ([BE])\|/);
    if (m === null) continue;
    const d = (depth.get(m[1]) ?? 0) + (m[2] === "B" ? 1 : -1);
    assert.ok(d >= 0, `E without B on ${m[1]}: ${line}`);
    depth.set(m[1], d);
  }
  // Only the unfinished process_mrelease stays open.
  assert.deepEqual([...depth].filter(([, d]) => d !== 0), [["200", 1]]);
});

// ---- trace-event JSON -----------------------------------------------------------------------

/** Any trace event, as a viewer reads it (B and E included, though the exporter uses X). */
interface AnyTraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: string;
  args?: Record<string, unknown>;
}

/** The structure chrome://tracing and Perfetto's JSON importer rely on. */
function checkStructure(events: readonly AnyTraceEvent[]): void {
  const open = new Map<string, number>();
  for (const e of events) {
    assert.equal(typeof e.ph, "string", JSON.stringify(e));
    assert.ok(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0, JSON.stringify(e));
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), JSON.stringify(e));
    assert.equal(typeof e.name, "string");
    const key = `${e.pid}/${e.tid}`;
    if (e.ph === "B") open.set(key, (open.get(key) ?? 0) + 1);
    if (e.ph === "E") {
      assert.ok((open.get(key) ?? 0) > 0, `E without B: ${JSON.stringify(e)}`);
      open.set(key, open.get(key)! - 1);
    }
    if (e.ph === "X") assert.ok(typeof e.dur === "number" && e.dur >= 0, JSON.stringify(e));
    if (e.ph === "C") {
      assert.ok(Object.keys(e.args ?? {}).length > 0);
      for (const v of Object.values(e.args ?? {})) {
        assert.ok(typeof v === "number" && Number.isFinite(v), JSON.stringify(e));
      }
    }
    if (e.ph === "i") assert.ok(e.s === "g" || e.s === "p" || e.s === "t");
  }
  for (const [key, n] of open) assert.equal(n, 0, `unbalanced B/E on ${key}`);
}

Deno.test("trace-event JSON: structure, units, slices, counters, instants", () => {
  const json = toTraceEventJson(run(), ctx);
  // No displayTimeUnit: trace processors of 2020-2021 read ts in it (src/engine/trace/_perfetto.ts).
  assert.ok(!("displayTimeUnit" in json));
  assert.equal(json.otherData.kernel, "6.1");
  checkStructure(json.traceEvents);
  // It survives a JSON round trip unchanged (no undefined, no NaN).
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);

  const find = (p: (e: ChromeTraceEvent) => boolean) => json.traceEvents.filter(p);
  // Names: processes by tgid, threads by pid.
  assert.deepEqual(
    find((e) => e.ph === "M" && e.name === "process_name" && e.pid === 100)[0].args,
    { name: "victim" },
  );
  assert.deepEqual(
    find((e) => e.ph === "M" && e.name === "thread_name" && e.tid === 101)[0],
    {
      name: "thread_name",
      cat: "__metadata",
      ph: "M",
      ts: 0,
      pid: 100,
      tid: 101,
      args: { name: "victim_worker_t" },
    },
  );
  // Syscalls as X slices in microseconds; the unfinished one runs to the end, flagged.
  const syscalls = find((e) => e.ph === "X" && e.cat === "syscall");
  assert.deepEqual(syscalls.map((e) => [e.name, e.ts, e.dur, e.pid, e.tid]), [
    ["pidfd_open", 1, 0.1, 200, 200],
    ["pidfd_send_signal", 1.2, 0.5, 200, 200],
    ["process_mrelease", 1.8, 2.2, 200, 200],
  ]);
  assert.equal(syscalls[1].args?.ret, 0);
  assert.equal(syscalls[2].args?.unfinished, true);
  // exit_mmap and its steps nest on the exiting thread.
  const mm = find((e) => e.ph === "X" && e.cat === "mm");
  assert.deepEqual(mm.map((e) => [e.name, e.ts, e.dur, e.tid]), [
    ["exit_mmap", 2.7, 0.4, 101],
    ["unmap_vmas", 2.7, 0.1, 101],
    ["set_bit(MMF_OOM_SKIP)", 2.8, 0.1, 101],
    ["free_pgtables", 2.9, 0.1, 101],
    ["remove_vma", 3, 0.1, 101],
  ]);
  // Who ran where, from sched_switch.
  const cpu0 = find((e) => e.ph === "X" && e.tid === cpuTrackTid(0));
  assert.deepEqual(cpu0.map((e) => [e.name, e.ts, e.dur, e.pid]), [
    ["victim", 0, 2.6, CPUS_TRACK_PID],
    ["victim_worker_t", 2.6, 1.4, CPUS_TRACK_PID],
  ]);
  // rss: the baseline at 0, then every member at each change.
  const rss = find((e) => e.ph === "C" && e.name === "rss_bytes");
  assert.deepEqual(rss.map((e) => [e.ts, e.pid, e.args]), [
    [0, mmTrackPid(MM), {
      MM_FILEPAGES: 8192,
      MM_ANONPAGES: 1048576,
      MM_SWAPENTS: 4096,
      MM_SHMEMPAGES: 12288,
    }],
    [2.4, mmTrackPid(MM), {
      MM_FILEPAGES: 8192,
      MM_ANONPAGES: 0,
      MM_SWAPENTS: 4096,
      MM_SHMEMPAGES: 12288,
    }],
  ]);
  assert.deepEqual(find((e) => e.name === "mm_refs")[0].args, { mm_users: 0, mm_count: 0 });
  // Instants: a signal on the sender's thread, a WARN across the whole trace.
  const sig = find((e) => e.name === "signal_generate")[0];
  assert.deepEqual([sig.ph, sig.s, sig.ts, sig.tid, sig.args?.pid, sig.args?.sig], [
    "i",
    "t",
    1.5,
    200,
    100,
    9,
  ]);
  const warn = find((e) => e.cat === "warn")[0];
  assert.equal(warn.name, "WARN pgtables_freed_under_walker");
  assert.equal(warn.s, "g");
  assert.match(String(warn.args?.message), /^BUG: unable to handle page fault/);
  assert.equal(find((e) => e.name === "MMF_OOM_SKIP set")[0].pid, mmTrackPid(MM));
  assert.equal(find((e) => e.name === "run_end")[0].args?.reason, "horizon");
});

Deno.test("trace-event JSON of an empty log is valid", () => {
  const json = toTraceEventJson([], ctx);
  assert.deepEqual(json.traceEvents, []);
  checkStructure(json.traceEvents);
});

// ---- decoding and the kind table ------------------------------------------------------------

Deno.test("decodeEvents round-trips encodeEvents and rejects a torn record", () => {
  const events = run();
  const words = encodeEvents(events);
  assert.equal(words.length, events.length * 8);
  assert.deepEqual(decodeEvents(words), events);
  assert.deepEqual(encodeEvents(decodeEvents(words)), words);
  // The core's word order: ts, cpu, pid, kind, a, b, c, d.
  assert.deepEqual(decodeEvents([7, -1, 50, 9, 100, -2, 2 ** 52, 0]), [
    { tsNs: 7, cpu: -1, pid: 50, kind: 9, a: 100, b: -2, c: 2 ** 52, d: 0 },
  ]);
  assert.throws(() => decodeEvents(new Float64Array(9)), /not a multiple of 8/);
});

/** `Variant = n,` of a Rust enum, as snake_case name → n. */
function rustEnum(src: string, name: string): Record<string, number> {
  const block = src.match(new RegExp(`pub enum ${name} \\{([^}]*)\\}`))?.[1];
  assert.ok(block !== undefined, `enum ${name} not found`);
  const out: Record<string, number> = {};
  for (const m of block.matchAll(/^\s*(\w+) = (\d+),/gm)) {
    out[m[1].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()] = Number(m[2]);
  }
  return out;
}

Deno.test("the kind, WARN and LockOp tables are the core's (wasm/src/events.rs)", async () => {
  const src = await Deno.readTextFile(new URL("wasm/src/events.rs", root));
  // The enums' variants, snake_cased, are the names the core states for their codes.
  assert.deepEqual(rustEnum(src, "Kind"), EVENT_KINDS);
  assert.deepEqual(rustEnum(src, "Warn"), WARN_CODES);
  assert.deepEqual(rustEnum(src, "LockOp"), LOCK_OPS);
  assert.equal(KIND_NAMES[0], "");
  assert.equal(KIND_NAMES[EVENT_KINDS.run_end], "run_end");
  assert.equal(WARN_NAMES[WARN_CODES.unable_to_reap], "unable_to_reap");
  assert.equal(WARN_NAMES[0], undefined);
});

Deno.test("codesByName refuses a table that names other things than this side", () => {
  assert.deepEqual(codesByName("t", ["a", "b"], ["b", "a"]), { b: 1, a: 0 });
  assert.deepEqual(codesByName("t", { x: 4 }, ["x"]), { x: 4 });
  assert.throws(
    () => codesByName("event kinds", ["a", "b", "new_kind"], ["a", "b"]),
    /event kinds disagree .*this side lacks \["new_kind"\]/,
  );
  assert.throws(() => codesByName("t", { x: 4 }, ["x", "y"]), /the core lacks \["y"\]/);
});

Deno.test("eventArg reads an argument by the name the core gives it", () => {
  const sw = ev(1, 0, 7, "sched_switch", 100, 2, 7);
  assert.equal(eventArg(sw, "next_pid"), 100);
  assert.equal(eventArg(sw, "prev_state"), 2);
  assert.equal(eventArg(sw, "prev_pid"), 7);
  assert.throws(() => eventArg(sw, "pid"), /sched_switch has no argument pid/);
  // A WARN's and a scenario event's b and c are named by their own code.
  const warn = ev(1, 0, 7, "warn", WARN_CODES.zap_live_sharer, 100, MM);
  assert.equal(eventArg(warn, "tgid"), 100);
  assert.equal(eventArg(warn, "mm"), MM);
  assert.throws(() => eventArg(warn, "walker"), /warn has no argument walker/);
  const kill = ev(1, 0, 200, "scenario_event", 2, 100, 9);
  assert.deepEqual([eventArg(kill, "tgid"), eventArg(kill, "sig")], [100, 9]);
  // Offsets into a raw record.
  assert.equal(EVENT_FIELD.kind, 3);
  assert.equal(eventWord("signal_generate", "result"), EVENT_FIELD.d);
  assert.throws(() => eventWord("signal_generate", "nope"), /no argument nope/);
});
