/**
 * Durations both exporters draw: syscalls (a sys_enter and the sys_exit of the same number on
 * the same thread) and exit_mmap with its steps (the phase marks of one mm on one thread).
 *
 * @module
 */

import { CORE_LAYOUTS } from "../../core/kernel.ts";
import type { TraceEvent } from "./_decode.ts";
import { EVENT_KINDS, eventArg } from "./_kinds.ts";
import { EXIT_MMAP_DONE, EXIT_MMAP_START, syscallName } from "./_names.ts";

/** A duration on one thread, between two events of the log. */
export interface Slice {
  /** What ran: a syscall's name, `exit_mmap`, or one of exit_mmap's steps. */
  name: string;
  /** The thread. */
  pid: number;
  /** Index of the event that began it. */
  begin: number;
  /** Index of the event that ended it; null when the run ended first. */
  end: number | null;
  /** Nesting inside its family (exit_mmap 0, its steps 1), to order marks at one event. */
  depth: number;
  /** Details for the JSON exporter. */
  args: Record<string, number | string>;
}

/**
 * The step between two exit_mmap marks, named by the kernel work that ends at the mark
 * (as the core names it). Each step runs from the previous mark, so it includes any wait
 * for mmap_lock before the work.
 */
const EXIT_MMAP_STEPS: readonly string[] = CORE_LAYOUTS.event.exit_mmap_phases.map((p) => p.step);

/** Every slice of the log, in the order they begin. */
export function findSlices(events: readonly TraceEvent[]): Slice[] {
  const slices: Slice[] = [];
  const syscalls = new Map<number, Slice[]>();
  const nextPhase = nextExitMmapPhase(events);
  const exitMmaps = new Map<string, { outer: Slice; step: Slice | null }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === EVENT_KINDS.sys_enter) {
      const stack = syscalls.get(e.pid) ?? [];
      const nr = eventArg(e, "nr");
      const s: Slice = {
        name: syscallName(nr),
        pid: e.pid,
        begin: i,
        end: null,
        depth: stack.length,
        args: { nr, arg0: eventArg(e, "arg0"), arg1: eventArg(e, "arg1") },
      };
      stack.push(s);
      syscalls.set(e.pid, stack);
      slices.push(s);
    } else if (e.kind === EVENT_KINDS.sys_exit) {
      const stack = syscalls.get(e.pid) ?? [];
      const k = stack.findLastIndex((s) => s.args.nr === eventArg(e, "nr"));
      if (k < 0) continue; // an exit without its enter: nothing to draw
      stack[k].end = i;
      stack[k].args.ret = eventArg(e, "ret");
      stack.splice(k); // anything opened inside it and never closed stays unfinished
    } else if (e.kind === EVENT_KINDS.exit_mmap) {
      const [mm, phase] = [eventArg(e, "mm"), eventArg(e, "phase")];
      const key = `${e.pid}:${mm}`;
      let open = exitMmaps.get(key);
      if (phase === EXIT_MMAP_START) {
        const outer: Slice = {
          name: "exit_mmap",
          pid: e.pid,
          begin: i,
          end: null,
          depth: 0,
          args: { mm },
        };
        slices.push(outer);
        open = { outer, step: null };
        exitMmaps.set(key, open);
      }
      if (open === undefined) continue; // marks of an exit_mmap that began before the log
      if (open.step !== null) open.step.end = i;
      open.step = null;
      if (phase === EXIT_MMAP_DONE) {
        open.outer.end = i;
        exitMmaps.delete(key);
        continue;
      }
      const next = nextPhase.get(i);
      if (next === undefined) continue;
      open.step = {
        name: stepName(next),
        pid: e.pid,
        begin: i,
        end: null,
        depth: 1,
        args: { mm },
      };
      slices.push(open.step);
    }
  }
  return slices;
}

/**
 * The step from a mark to mark `to`, named for the mark that ends it. (Which phases an
 * exit_mmap emits depends on the kernel's shape: v4.17-v5.16 sets MMF_OOM_SKIP only for an
 * OOM victim, so a name built from the phases a step skipped over would claim work the kernel
 * did not do.)
 */
function stepName(to: number): string {
  return EXIT_MMAP_STEPS[to] ?? `phase_${to}`;
}

/** For each exit_mmap mark: the phase of the next mark of the same mm on the same thread. */
function nextExitMmapPhase(events: readonly TraceEvent[]): Map<number, number> {
  const out = new Map<number, number>();
  const last = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.kind !== EVENT_KINDS.exit_mmap) return;
    const key = `${e.pid}:${eventArg(e, "mm")}`;
    const prev = last.get(key);
    const phase = eventArg(e, "phase");
    if (prev !== undefined && phase !== EXIT_MMAP_START) out.set(prev, phase);
    last.set(key, i);
  });
  return out;
}
