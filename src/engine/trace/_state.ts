/**
 * What the exporters remember while walking the log: the CPU each thread last ran on, each
 * mm's rss by member, the si_code of each group's last signal, the last OOM victim.
 *
 * @module
 */

import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, eventArg } from "./_kinds.ts";
import { RSS_MEMBERS, tgidOf, type TraceContext } from "./_names.ts";

/** SI_USER: kill(2), pidfd_send_signal(2) with no info (include/uapi/asm-generic/siginfo.h). */
const SI_USER = 0;
/** SI_KERNEL: the OOM killer's do_send_sig_info(SIGKILL, SEND_SIG_PRIV, ...). */
const SI_KERNEL = 0x80;

/** Walk state; feed every event to {@linkcode TraceState.observe} after printing it. */
export class TraceState {
  readonly #ctx: TraceContext;
  readonly #lastCpu = new Map<number, number>();
  readonly #rss = new Map<number, number[]>();
  readonly #groupSiCode = new Map<number, number>();
  /** `ts:pid` of contexts that marked an OOM victim: their signals are the OOM killer's. */
  readonly #oomContexts = new Set<string>();
  /** The pid of the last mark_victim, or null. */
  victim: number | null = null;

  constructor(events: readonly TraceEvent[], ctx: TraceContext) {
    this.#ctx = ctx;
    for (const e of events) {
      if (e.kind === EVENT_KINDS.mark_victim) this.#oomContexts.add(`${e.tsNs}:${e.pid}`);
    }
  }

  /**
   * The CPU a line shows. The core records -1 for a context that was not on a CPU (a timer,
   * a sleeping task woken by another): the line shows the CPU that thread last ran on, or
   * CPU 0 when it never ran (the idle/timer context).
   */
  cpuOf(e: TraceEvent): number {
    return e.cpu >= 0 ? e.cpu : this.#lastCpu.get(e.pid) ?? 0;
  }

  /** An mm's current rss in bytes by member (its starting level until rss_stat says more). */
  rss(mm: number): readonly number[] {
    return this.#rssOf(mm);
  }

  /** signal_generate's si_code: SI_KERNEL when the OOM killer sent it, else SI_USER. */
  generateCode(e: TraceEvent): number {
    return this.#oomContexts.has(`${e.tsNs}:${e.pid}`) ? SI_KERNEL : SI_USER;
  }

  /** signal_deliver's si_code: that of the last signal generated for the thread's group. */
  deliverCode(pid: number): number {
    return this.#groupSiCode.get(tgidOf(this.#ctx, pid)) ?? SI_USER;
  }

  /** Takes note of an event, after it was printed. */
  observe(e: TraceEvent): void {
    if (e.cpu >= 0) this.#lastCpu.set(e.pid, e.cpu);
    switch (e.kind) {
      case EVENT_KINDS.sched_switch: {
        const next = eventArg(e, "next_pid");
        if (next !== 0) this.#lastCpu.set(next, e.cpu);
        break;
      }
      case EVENT_KINDS.signal_generate:
        this.#groupSiCode.set(tgidOf(this.#ctx, eventArg(e, "pid")), this.generateCode(e));
        break;
      case EVENT_KINDS.mark_victim:
        this.victim = eventArg(e, "pid");
        break;
      case EVENT_KINDS.rss_stat: {
        const member = eventArg(e, "member");
        if (member >= 0 && member < RSS_MEMBERS.length) {
          this.#rssOf(eventArg(e, "mm"))[member] = eventArg(e, "size_bytes");
        }
        break;
      }
    }
  }

  #rssOf(mm: number): number[] {
    let rss = this.#rss.get(mm);
    if (rss === undefined) {
      const start = this.#ctx.rssBytes?.(mm) ?? [];
      rss = RSS_MEMBERS.map((_, i) => start[i] ?? 0);
      this.#rss.set(mm, rss);
    }
    return rss;
  }
}

/** Every mm an event names, in order of first mention. */
export function mmsOf(events: readonly TraceEvent[]): number[] {
  const mms = new Set<number>();
  for (const e of events) {
    switch (e.kind) {
      case EVENT_KINDS.rss_stat:
      case EVENT_KINDS.mm_flag:
      case EVENT_KINDS.mm_ref:
      case EVENT_KINDS.mmap_lock:
      case EVENT_KINDS.exit_mmap:
        mms.add(eventArg(e, "mm"));
    }
  }
  return [...mms];
}
