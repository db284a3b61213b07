/**
 * Validation of `$.processes`, second pass: everything that needs the whole
 * world. Uniqueness of tgids and pids, leaders, init, parents (and parent
 * cycles), mm references, vfork sharing, thread-state defaults, mmap_lock
 * holds, fd targets.
 * @module
 */

import { MAX_TASKS } from "./abi.ts";
import { describe, hint, type Problems } from "./_check.ts";
import { keyPath } from "./_path.ts";
import { checkKernelStates } from "./_states.ts";
import type { ProcessDraft, ThreadDraft } from "./_tasks.ts";
import type { ThreadState } from "./types.ts";

/** Who is who, for the cross-references of the timeline. */
export interface World {
  /** tgid → process (the first one with that tgid). */
  processes: Map<number, ProcessDraft>;
  /** pid → thread and its process (the first one with that pid). */
  threads: Map<number, { thread: ThreadDraft; process: ProcessDraft }>;
  /** mm id → index in $.mms (the first one with that id). */
  mm_ids: Map<string, number>;
}

/** Describes what a number is when it was expected to be a tgid. */
export function notATgid(world: World, n: number): string {
  const t = world.threads.get(n);
  if (t !== undefined && t.process.tgid !== undefined) {
    return ` (${n} is a thread of tgid ${t.process.tgid}; name the process by its tgid)`;
  }
  return "";
}

/** Checks `id` names an mm; adds the problem at `path` if not. */
export function checkMmRef(p: Problems, world: World, id: string | undefined, path: string): void {
  if (id === undefined || world.mm_ids.has(id)) return;
  p.add(
    path,
    `expected the id of an mm in $.mms, got ${describe(id)}${hint(id, [...world.mm_ids.keys()])}`,
  );
}

/** Runs every cross-process check and fills in the defaults that depend on others. */
export function linkProcesses(
  p: Problems,
  processes: ProcessDraft[],
  mm_ids: Map<string, number>,
  mm_paths: string[],
): World {
  const world: World = { processes: new Map(), threads: new Map(), mm_ids };
  indexIds(p, processes, world);
  checkInit(p, processes);
  resolveParents(p, processes, world);
  checkParentCycles(p, processes, world);
  checkMms(p, processes, world, mm_paths);
  resolveStates(p, processes, world);
  checkKernelStates(p, processes, world);
  checkHolds(p, processes, world);
  checkFds(p, processes, world);
  return world;
}

function indexIds(p: Problems, processes: ProcessDraft[], world: World): void {
  // pids first from threads, then tgids of reaped processes (whose struct pid
  // lives on through fds, so the number is still taken).
  for (const d of processes) {
    if (d.tgid === undefined) continue;
    const first = world.processes.get(d.tgid);
    if (first !== undefined) {
      p.add(
        keyPath(d.path, "tgid"),
        `expected a tgid no other process has, got ${d.tgid} (also ${first.path})`,
      );
      continue;
    }
    world.processes.set(d.tgid, d);
  }
  const thread_count = processes.reduce((n, d) => n + (d.threads?.length ?? 0), 0);
  if (thread_count > MAX_TASKS) {
    p.add(
      "$.processes",
      `expected at most ${MAX_TASKS} threads in all (the core's task table), got ${thread_count}`,
    );
  }
  for (const d of processes) {
    (d.threads ?? []).forEach((t, i) => {
      if (t.pid === undefined) return;
      if (i === 0 && d.tgid !== undefined && t.pid !== d.tgid) {
        p.add(
          keyPath(t.path, "pid"),
          `expected the leader (first thread) to have pid == tgid ${d.tgid}, got ${t.pid}`,
        );
      }
      const first = world.threads.get(t.pid);
      if (first !== undefined) {
        p.add(
          keyPath(t.path, "pid"),
          `expected a pid no other thread has, got ${t.pid} (also ${first.thread.path})`,
        );
        return;
      }
      world.threads.set(t.pid, { thread: t, process: d });
    });
  }
  for (const d of processes) {
    if (d.status !== "reaped" || d.tgid === undefined || world.processes.get(d.tgid) !== d) {
      continue;
    }
    const t = world.threads.get(d.tgid);
    // Its own listed threads are reported in _tasks.ts (a reaped process has none).
    if (t !== undefined && t.process !== d) {
      p.add(
        keyPath(t.thread.path, "pid"),
        `expected a pid not held by the reaped process ${d.path} (its struct pid lives on through fds), got ${d.tgid}`,
      );
    }
  }
  // A non-leader pid that equals some other process's tgid.
  for (const [pid, { thread, process }] of world.threads) {
    const owner = world.processes.get(pid);
    const duplicate_reported = owner?.threads?.[0]?.pid === pid;
    if (
      owner !== undefined && owner !== process && owner.status !== "reaped" && !duplicate_reported
    ) {
      p.add(
        keyPath(thread.path, "pid"),
        `expected a pid that is not another process's tgid, got ${pid} (tgid of ${owner.path})`,
      );
    }
  }
}

function checkInit(p: Problems, processes: ProcessDraft[]): void {
  for (const d of processes) {
    if (d.tgid === 1 && d.init_given && d.init === false) {
      p.add(keyPath(d.path, "init"), "expected true for tgid 1 (pid 1 is always init), got false");
    }
    if (d.tgid === 1 && !d.init_given) d.init = true;
    if (d.init === true && d.tgid !== undefined && d.tgid !== 1) {
      p.add(keyPath(d.path, "init"), `expected init only on tgid 1, got it on tgid ${d.tgid}`);
    }
    if (d.tgid === 1 || d.init === true) {
      if (d.status !== undefined && d.status !== "alive") {
        p.add(
          keyPath(d.path, "status"),
          `expected init to be alive (init exiting panics the kernel), got ${describe(d.status)}`,
        );
      }
      if (d.vfork_child === true) {
        p.add(keyPath(d.path, "share"), 'expected init not to be a vfork child, got "vfork"');
      }
      if (d.parent_given) {
        p.add(keyPath(d.path, "parent"), `expected no parent for init, got ${describe(d.parent)}`);
        d.parent = undefined; // reported; not followed in the cycle check
      }
    }
  }
}

/**
 * Default parents: none for init; kthreadd (tgid 2, if it is a kthread) for
 * kthreads; init (tgid 1, if present) for everything else.
 */
function resolveParents(p: Problems, processes: ProcessDraft[], world: World): void {
  const kthreadd = world.processes.get(2);
  const has_kthreadd = kthreadd !== undefined && kthreadd.kthread === true;
  const has_init = world.processes.has(1);
  for (const d of processes) {
    const at = keyPath(d.path, "parent");
    if (!d.parent_given) {
      if (d.tgid === 1) d.parent = null;
      else if (d.kthread === true) d.parent = has_kthreadd && d.tgid !== 2 ? 2 : null;
      else d.parent = has_init ? 1 : null;
      continue;
    }
    if (d.parent === undefined || d.parent === null || d.tgid === 1) continue;
    const parent = world.processes.get(d.parent);
    if (d.parent === d.tgid) {
      p.add(at, `expected another process as parent, got itself (${d.parent})`);
      d.parent = undefined;
    } else if (parent === undefined) {
      p.add(
        at,
        `expected the tgid of an existing process, got ${d.parent}${notATgid(world, d.parent)}`,
      );
      d.parent = undefined;
    } else if (parent.status !== undefined && parent.status !== "alive") {
      p.add(
        at,
        `expected a live parent (a dead parent's children are reparented), got ${d.parent} (status ${parent.status})`,
      );
      d.parent = undefined;
    }
  }
}

/** How many tgids of a parent cycle a message names. */
const CYCLE_SHOWN_MAX = 12;

function checkParentCycles(p: Problems, processes: ProcessDraft[], world: World): void {
  // Walk up from each process until a process already judged: every process is walked
  // once, so a chain of a million parents costs a million steps, not a million squared.
  // A walk that meets its own chain found a cycle; it is reported once, at its first
  // member in file order.
  const index = new Map<ProcessDraft, number>(processes.map((d, i) => [d, i]));
  const done = new Set<ProcessDraft>();
  let steps = 0;
  for (const start of processes) {
    const chain: ProcessDraft[] = [];
    const on_chain = new Set<ProcessDraft>();
    let cur: ProcessDraft | undefined = start;
    while (cur !== undefined && !done.has(cur)) {
      if (on_chain.has(cur)) {
        const cycle = chain.slice(chain.indexOf(cur));
        let first = cycle[0];
        for (const c of cycle) if (index.get(c)! < index.get(first)!) first = c;
        // A long cycle is named by its first tgids and its length: one line stays short.
        const shown = cycle.slice(0, CYCLE_SHOWN_MAX).map((c) => c.tgid).join(" -> ");
        const rest = cycle.length > CYCLE_SHOWN_MAX ? ` -> ... (${cycle.length} processes)` : "";
        p.add(
          keyPath(first.path, "parent"),
          `expected parents to form a tree, got a cycle through tgids ${shown}${rest}`,
        );
        break;
      }
      chain.push(cur);
      on_chain.add(cur);
      steps++;
      const parent: number | null | undefined = cur.parent;
      cur = parent === undefined || parent === null ? undefined : world.processes.get(parent);
    }
    for (const c of chain) done.add(c);
  }
  // The linear bound is the point of `done`: a walk that re-walked judged processes would
  // cost n² steps for a chain of n (5e9 for 100,000), a hang the caller cannot interrupt.
  if (steps > processes.length) {
    throw new Error(`checkParentCycles walked ${steps} steps for ${processes.length} processes`);
  }
}

function checkMms(p: Problems, processes: ProcessDraft[], world: World, mm_paths: string[]): void {
  const used = new Set<string>();
  // An unused mm is only worth reporting when every process's own mm is
  // fine; otherwise it is most likely the one a broken reference meant.
  let refs_ok = true;
  for (const d of processes) {
    if (d.kthread !== false) continue; // a kthread's mm is reported in _tasks.ts
    const broken = d.mm === undefined ||
      (d.mm === null ? d.status === "alive" : !world.mm_ids.has(d.mm));
    if (broken) refs_ok = false;
    if (d.mm === undefined || d.mm === null) continue;
    checkMmRef(p, world, d.mm, keyPath(d.path, "mm"));
    // The mm a zombie or reaped process had is not a use: its threads have
    // run exit_mm.
    if (d.status === "alive") used.add(d.mm);
  }
  for (const [id, index] of world.mm_ids) {
    if (!refs_ok) break;
    if (!used.has(id)) {
      p.add(
        keyPath(mm_paths[index], "id"),
        `expected an mm that a live process uses, got ${describe(id)} (no live process names it)`,
      );
    }
  }
  for (const d of processes) {
    if (d.vfork_child !== true) continue;
    const at = keyPath(d.path, "share");
    if (d.parent === null) {
      p.add(
        at,
        'expected a parent to share with ("vfork" marks the vfork child of its parent), got no parent',
      );
      continue;
    }
    const parent = d.parent === undefined ? undefined : world.processes.get(d.parent);
    if (parent === undefined || d.mm === undefined || parent.mm === undefined) continue;
    if (parent.kthread === true || parent.mm !== d.mm) {
      p.add(
        at,
        `expected the vfork child to name its parent's mm (${
          describe(parent.mm)
        } of tgid ${parent.tgid}), got ${describe(d.mm)}`,
      );
    }
  }
}

/** The vfork children of each process that has any (the process whose thread called vfork). */
export function vforkChildren(
  processes: ProcessDraft[],
  world: World,
): Map<ProcessDraft, ProcessDraft[]> {
  const vfork_children = new Map<ProcessDraft, ProcessDraft[]>();
  for (const d of processes) {
    if (d.vfork_child !== true || d.parent === undefined || d.parent === null) continue;
    const parent = world.processes.get(d.parent);
    if (parent === undefined) continue;
    const list = vfork_children.get(parent);
    if (list === undefined) vfork_children.set(parent, [d]);
    else list.push(d);
  }
  return vfork_children;
}

/**
 * Thread states: explicit ones are checked against the process, missing
 * ones default to "zombie" in a zombie process, "D_vfork" in the parent of a
 * vfork child, "R" otherwise.
 */
function resolveStates(p: Problems, processes: ProcessDraft[], world: World): void {
  const vfork_children = vforkChildren(processes, world);
  for (const d of processes) {
    if (d.threads === undefined) continue;
    const is_vfork_parent = vfork_children.has(d);
    const dflt: ThreadState = d.status === "zombie" ? "zombie" : is_vfork_parent ? "D_vfork" : "R";
    for (const t of d.threads) {
      const at = (key: string) => keyPath(t.path, key);
      if (!t.state_given) t.state = dflt;
      else if (t.state !== undefined && d.status === "zombie" && t.state !== "zombie") {
        p.add(
          at("state"),
          `expected "zombie" (every thread of a zombie process has exited), got ${
            describe(t.state)
          }`,
        );
        t.state = undefined;
      } else if (t.state === "D_vfork" && !is_vfork_parent) {
        p.add(
          at("state"),
          'expected "D_vfork" only in the parent of a vfork child (a process with "share": "vfork"), got it in a process without one',
        );
        t.state = undefined;
      }
      if (t.until_given && t.state !== undefined && t.state !== "S" && t.state !== "D") {
        p.add(
          at("until_ms"),
          `expected until_ms only with state "S" or "D", got state ${describe(t.state)}`,
        );
      }
      // ptrace_attach() refuses a kthread (`if (unlikely(task->flags & PF_KTHREAD)) goto out`).
      if (t.traced_exit === true && d.kthread === true) {
        p.add(
          at("traced_exit"),
          "expected no tracer on a kthread (ptrace_attach refuses it), got true",
        );
      }
      if (t.holds !== undefined && t.holds.length > 0 && t.state !== undefined && t.state !== "D") {
        p.add(
          at("holds"),
          `expected holds only with state "D" (a lock is held across the D sleep), got state ${
            describe(t.state)
          }`,
        );
      }
    }
    if (
      d.status === "alive" && d.threads.length > 0 &&
      d.threads.every((t) => t.state === "zombie")
    ) {
      p.add(
        keyPath(d.path, "threads"),
        'expected a live process to have a thread that has not exited (if all have, write "status": "zombie"), got only zombie threads',
      );
    }
  }
  for (const [parent, children] of vfork_children) {
    if (parent.threads === undefined || parent.threads.some((t) => t.state === undefined)) continue;
    const waiting = parent.threads.filter((t) => t.state === "D_vfork").length;
    if (waiting < children.length) {
      for (const child of children.slice(waiting)) {
        p.add(
          keyPath(child.path, "share"),
          `expected the vfork parent ${parent.tgid} to have a thread waiting for this child (state "D_vfork"), got ${waiting} waiting for ${children.length} children`,
        );
      }
    }
  }
}

function checkHolds(p: Problems, processes: ProcessDraft[], world: World): void {
  // rw_semaphore: any number of readers, or one writer. Report the later one. Per mm,
  // the writer or the first reader is kept (a million readers are counted, not listed).
  const held = new Map<string, { mode: "read" | "write"; path: string }>();
  for (const d of processes) {
    for (const t of d.threads ?? []) {
      const mine = new Set<string>();
      for (const h of t.holds ?? []) {
        checkMmRef(p, world, h.mm, keyPath(h.path, "mm"));
        if (h.mm === undefined || h.mode === undefined || !world.mm_ids.has(h.mm)) continue;
        if (mine.has(h.mm)) {
          p.add(
            keyPath(h.path, "mm"),
            `expected each mm's mmap_lock held once per thread (it is not recursive), got ${
              describe(h.mm)
            } twice`,
          );
          continue;
        }
        mine.add(h.mm);
        const clash = held.get(h.mm);
        if (clash !== undefined && (clash.mode === "write" || h.mode === "write")) {
          p.add(
            keyPath(h.path, "mode"),
            `expected no conflicting holder of ${
              describe(h.mm)
            }'s mmap_lock (one writer or many readers), got ${h.mode} while ${clash.path} holds it for ${clash.mode}`,
          );
          continue;
        }
        if (clash === undefined) held.set(h.mm, { mode: h.mode, path: h.path });
      }
    }
  }
}

function checkFds(p: Problems, processes: ProcessDraft[], world: World): void {
  const targeted = new Set<number>();
  for (const d of processes) {
    for (const f of d.fds ?? []) {
      if (f.target === undefined || f.target === null) continue;
      if (f.thread) {
        // PIDFD_THREAD: pidfd_prepare() checks PIDTYPE_PID, so any thread's pid.
        const t = world.threads.get(f.target);
        if (t === undefined) {
          p.add(
            keyPath(f.path, "target"),
            `expected the pid of an existing thread (a thread pidfd), got ${f.target}`,
          );
        } else if (t.process.tgid !== undefined) targeted.add(t.process.tgid);
        continue;
      }
      if (!world.processes.has(f.target)) {
        p.add(
          keyPath(f.path, "target"),
          `expected the tgid of an existing process, got ${f.target}${notATgid(world, f.target)}`,
        );
      } else targeted.add(f.target);
    }
  }
  processes.forEach((d) => {
    if (d.status !== "reaped" || d.tgid === undefined || targeted.has(d.tgid)) return;
    p.add(
      keyPath(d.path, "status"),
      `expected a reaped process to be the target of some fd (its struct pid lives only through fds), got no fd naming ${d.tgid}`,
    );
  });
}
