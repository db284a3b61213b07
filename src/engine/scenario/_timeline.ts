/**
 * Validation of what happens over time: `$.events`, `$.caller`, `$.intent`,
 * and the `$.expect` list.
 * @module
 */

import { readCall } from "./_call.ts";
import { readRet, readThen, readThenExpect } from "./_then.ts";
import {
  EVENT_KIND_CODE,
  KERNEL_VERSIONS,
  KNOWN_WARNS,
  MAX_EVENTS,
  PID_MAX_LIMIT,
  SIGNAL_NUMBER,
} from "./abi.ts";
import {
  describe,
  field,
  has,
  type JsonObject,
  type Problems,
  readArray,
  readBool,
  readEnum,
  readEnumSet,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { checkMmRef, notATgid, type World } from "./_links.ts";
import { indexPath, keyPath } from "./_path.ts";
import { parseMsToNs } from "./_sizes.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import type {
  Bounds,
  Expectation,
  ExtraCaller,
  Intent,
  ScenarioEvent,
  SignalName,
} from "./types.ts";

/** Bound on expectations (one per design and kernel is plenty). */
const EXPECTATIONS_MAX = SCENARIO_LIMITS.expectations;

const EVENT_KINDS = Object.keys(EVENT_KIND_CODE) as (keyof typeof EVENT_KIND_CODE)[];
const SIGNALS = Object.keys(SIGNAL_NUMBER) as SignalName[];
const PID = { what: "a pid", min: 1, max: PID_MAX_LIMIT };
const TGID = { what: "a tgid", min: 1, max: PID_MAX_LIMIT };

function readTime(
  p: Problems,
  v: unknown,
  path: string,
  horizon_ns: number | undefined,
): number | undefined {
  if (v === undefined) return undefined; // a missing required key: readObject said so
  const t = parseMsToNs(v);
  if (!t.ok) {
    p.add(path, t.message);
    return undefined;
  }
  if (horizon_ns !== undefined && t.value > horizon_ns) {
    p.add(
      path,
      `expected a time within the horizon (0..${
        horizon_ns / 1e6
      } ms; later it never happens), got ${describe(v)}`,
    );
    return undefined;
  }
  return t.value;
}

/** The pid of a live thread that can act (send a signal, exit, make calls). */
function checkActor(
  p: Problems,
  world: World,
  pid: number | undefined,
  path: string,
  opts: { role: string; user_only: boolean },
): void {
  if (pid === undefined) return;
  const t = world.threads.get(pid);
  if (t === undefined) {
    const reaped = world.processes.get(pid);
    const why = reaped?.status === "reaped" ? ` (${pid} is a reaped process)` : "";
    p.add(path, `expected the pid of a thread (${opts.role}), got ${pid}${why}`);
    return;
  }
  const name = `${pid} (${t.process.comm ?? "?"})`;
  if (opts.user_only && t.process.kthread === true) {
    p.add(path, `expected a thread of a user process (${opts.role}), got ${name}, a kthread`);
  } else if (t.process.status === "zombie" || t.thread.state === "zombie") {
    p.add(path, `expected a thread that has not exited (${opts.role}), got ${name}, a zombie`);
  }
}

/** A thread that runs the memory killer's recipe: the caller or one of `intent.also`. */
export interface Actor {
  pid: number;
  /** When its recipe starts. */
  at_ns: number;
  /** How a message names it: "the caller ($.caller.pid)". */
  name: string;
}

/** What events are judged against besides the world. */
export interface EventContext {
  /** The horizon, when valid. */
  horizon_ns: number | undefined;
  /** The caller's pid, when valid (the default /proc reader). */
  caller_pid: number | undefined;
  /** The threads that run the recipe, when valid: a scripted death must not come first. */
  actors?: readonly Actor[];
}

/**
 * The signals whose default action ends the process (the lab's processes install no
 * handlers): a kill event with one of these ends every thread of its target.
 */
const FATAL_SIGNALS: readonly SignalName[] = ["SIGKILL", "SIGTERM"];

/**
 * An event that ends an actor's process before the actor's recipe starts leaves nobody to
 * make the call: the scenario contradicts itself (a kill or exit at the same time as the
 * call comes after it).
 */
function checkActorsOutlive(
  p: Problems,
  world: World,
  e: ScenarioEvent,
  path: string,
  actors: readonly Actor[],
): void {
  let ended: number | undefined;
  let how = "";
  if (e.kind === "kill" && FATAL_SIGNALS.includes(e.sig)) {
    ended = e.target;
    how = `a ${e.sig} of tgid ${e.target}`;
  } else if (e.kind === "oom_kill") {
    ended = e.target;
    how = `an OOM kill of tgid ${e.target}`;
  } else if (e.kind === "exit") {
    ended = world.threads.get(e.pid)?.process.tgid;
    how = `an exit_group by pid ${e.pid} of tgid ${ended}`;
  }
  if (ended === undefined) return;
  for (const a of actors) {
    if (world.threads.get(a.pid)?.process.tgid !== ended || e.at_ns >= a.at_ns) continue;
    p.add(
      keyPath(path, "at_ms"),
      `expected the process of ${a.name} to live until its call at ${
        a.at_ns / 1e6
      } ms, got ${how} at ${e.at_ns / 1e6} ms (nobody would be left to make the call)`,
    );
  }
}

/** Reads `$.events`, sorted stably by time. */
export function readEvents(
  p: Problems,
  v: unknown,
  world: World,
  opts: EventContext,
): ScenarioEvent[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, "$.events", { what: "a list of events", min: 0, max: MAX_EVENTS });
  if (list === undefined) return undefined;
  const out: (ScenarioEvent | undefined)[] = list.map((e, i) => {
    const path = indexPath("$.events", i);
    const event = readEvent(p, e, path, world, opts);
    if (event !== undefined && opts.actors) checkActorsOutlive(p, world, event, path, opts.actors);
    return event;
  });
  if (out.some((e) => e === undefined)) return undefined;
  // Array.prototype.sort is stable (ES2019), which is what the spec asks.
  return (out as ScenarioEvent[]).sort((a, b) => a.at_ns - b.at_ns);
}

const EVENT_KEYS: Readonly<Record<ScenarioEvent["kind"], readonly string[]>> = {
  proc_reader: ["mm", "duration_ms"],
  exit: ["pid"],
  kill: ["target", "from"],
  wake: ["pid"],
  oom_kill: ["target"],
};
const EVENT_OPTIONAL_KEYS: Readonly<Record<ScenarioEvent["kind"], readonly string[]>> = {
  proc_reader: ["reader"],
  exit: [],
  kill: ["sig"],
  wake: [],
  oom_kill: ["from"],
};

function readEvent(
  p: Problems,
  v: unknown,
  path: string,
  world: World,
  opts: EventContext,
): ScenarioEvent | undefined {
  const kind_value = typeof v === "object" && v !== null && !Array.isArray(v)
    ? field(v as JsonObject, "kind")
    : undefined;
  const kind = (EVENT_KINDS as readonly unknown[]).includes(kind_value)
    ? kind_value as ScenarioEvent["kind"]
    : undefined;
  if (kind === undefined) {
    // Any key of any kind is fine here: which ones belong depends on the kind.
    const any_key = [
      ...new Set(Object.values(EVENT_KEYS).flat().concat(...Object.values(EVENT_OPTIONAL_KEYS))),
    ];
    const o = readObject(p, v, path, {
      what: "an event",
      required: ["at_ms", "kind"],
      optional: any_key,
    });
    // Without a kind the other keys cannot be judged; report only the kind.
    if (o !== undefined && has(o, "kind")) {
      readEnum(p, field(o, "kind"), keyPath(path, "kind"), EVENT_KINDS);
    }
    return undefined;
  }
  const o = readObject(p, v, path, {
    what: `a ${kind} event`,
    required: ["at_ms", "kind", ...EVENT_KEYS[kind]],
    optional: EVENT_OPTIONAL_KEYS[kind],
  });
  if (o === undefined) return undefined;
  const at = (key: string) => keyPath(path, key);
  const at_ns = readTime(p, field(o, "at_ms"), at("at_ms"), opts.horizon_ns);
  switch (kind) {
    case "proc_reader": {
      const mm = readString(p, field(o, "mm"), at("mm"), {
        what: "an mm id",
        pattern: /^.{1,64}$/s,
      });
      checkMmRef(p, world, mm, at("mm"));
      const d = parseMsToNs(field(o, "duration_ms"));
      if (!d.ok && has(o, "duration_ms")) p.add(at("duration_ms"), d.message);
      // The thread that does the mmget/mmput: the caller unless named.
      let reader = opts.caller_pid;
      if (has(o, "reader")) {
        reader = readInt(p, field(o, "reader"), at("reader"), PID);
        checkActor(p, world, reader, at("reader"), { role: "the /proc reader", user_only: false });
      }
      if (
        at_ns === undefined || mm === undefined || !world.mm_ids.has(mm) || !d.ok ||
        reader === undefined
      ) return undefined;
      return { kind, at_ns, mm, duration_ns: d.value, reader };
    }
    case "exit": {
      const pid = readInt(p, field(o, "pid"), at("pid"), PID);
      checkActor(p, world, pid, at("pid"), { role: "the one calling exit_group", user_only: true });
      if (at_ns === undefined || pid === undefined) return undefined;
      return { kind, at_ns, pid };
    }
    case "wake": {
      const pid = readInt(p, field(o, "pid"), at("pid"), PID);
      const t = pid === undefined ? undefined : world.threads.get(pid);
      if (pid !== undefined && t === undefined) {
        p.add(at("pid"), `expected the pid of a thread, got ${pid}`);
      }
      if (t !== undefined && t.thread.state !== undefined) {
        const s = t.thread.state;
        if (s !== "S" && s !== "D") {
          p.add(
            at("pid"),
            `expected a thread in state "S" or "D" to wake, got ${pid} in state ${describe(s)}`,
          );
        } else if (t.thread.until_ns !== null) {
          p.add(
            at("pid"),
            `expected a thread whose sleep has no until_ms (a wake ends an open-ended sleep), got ${pid}`,
          );
        }
      }
      if (at_ns === undefined || pid === undefined) return undefined;
      return { kind, at_ns, pid };
    }
    case "kill": {
      const target = readInt(p, field(o, "target"), at("target"), TGID);
      if (target !== undefined && !world.processes.has(target)) {
        p.add(
          at("target"),
          `expected the tgid of a process, got ${target}${notATgid(world, target)}`,
        );
      }
      const sig = has(o, "sig") ? readEnum(p, field(o, "sig"), at("sig"), SIGNALS) : "SIGKILL";
      const from = readInt(p, field(o, "from"), at("from"), PID);
      checkActor(p, world, from, at("from"), { role: "the sender", user_only: false });
      if (at_ns === undefined || target === undefined || sig === undefined || from === undefined) {
        return undefined;
      }
      return { kind, at_ns, target, sig, from };
    }
    case "oom_kill": {
      // Any process may be named (init, a kthread, a zombie: the OOM killer passes them
      // over, which is the point of such a scenario); the allocating thread is a live one.
      const target = readInt(p, field(o, "target"), at("target"), TGID);
      if (target !== undefined && !world.processes.has(target)) {
        p.add(
          at("target"),
          `expected the tgid of a process, got ${target}${notATgid(world, target)}`,
        );
      }
      const from = has(o, "from") ? readInt(p, field(o, "from"), at("from"), PID) : opts.caller_pid;
      checkActor(p, world, from, at("from"), { role: "the thread that hit OOM", user_only: false });
      if (at_ns === undefined || target === undefined || from === undefined) return undefined;
      return { kind, at_ns, target, from };
    }
  }
}

/** Reads `$.caller`; `victim` is the intent's tgid when valid. */
export function readCaller(
  p: Problems,
  v: unknown,
  world: World,
  victim: number | undefined,
  also?: readonly ExtraCaller[],
): { pid: number } | undefined {
  const o = readObject(p, v, "$.caller", { what: "the caller", required: ["pid"], optional: [] });
  if (o === undefined) return undefined;
  const pid = readInt(p, field(o, "pid"), "$.caller.pid", PID);
  if (pid === undefined) return undefined;
  const before = p.count;
  checkActor(p, world, pid, "$.caller.pid", {
    role: "the memory killer's thread",
    user_only: true,
  });
  const t = world.threads.get(pid);
  if (
    p.count === before && t !== undefined && victim !== undefined && t.process.tgid === victim
  ) {
    p.add(
      "$.caller.pid",
      `expected a thread outside the victim ${victim} (the caller would kill itself), got ${pid}`,
    );
  }
  (also ?? []).forEach((a, i) => {
    if (a.pid !== pid) return;
    p.add(
      `$.intent.also[${i}].pid`,
      `expected a thread other than the caller (a thread runs one recipe at a time), got ${pid} ($.caller.pid)`,
    );
  });
  return { pid };
}

/** Reads `$.intent`. */
export function readIntent(
  p: Problems,
  v: unknown,
  world: World,
  horizon_ns: number | undefined,
): Intent | undefined {
  const o = readObject(p, v, "$.intent", {
    what: "the intent",
    required: ["victim"],
    optional: ["at_ms", "call", "also", "then"],
  });
  if (o === undefined) return undefined;
  const victim = readInt(p, field(o, "victim"), "$.intent.victim", TGID);
  if (victim !== undefined && !world.processes.has(victim)) {
    p.add(
      "$.intent.victim",
      `expected the tgid of a process, got ${victim}${notATgid(world, victim)}`,
    );
  }
  const at_ns = has(o, "at_ms") ? readTime(p, field(o, "at_ms"), "$.intent.at_ms", horizon_ns) : 0;
  const call = readCall(p, field(o, "call"));
  const also = readAlso(p, field(o, "also"), world, horizon_ns);
  const then = readThen(p, field(o, "then"));
  if (victim === undefined || at_ns === undefined || !call || !also || !then) return undefined;
  return { victim, at_ns, call, also, then };
}

/** Reads `$.intent.also`: further callers, each a user thread, each once. */
function readAlso(
  p: Problems,
  v: unknown,
  world: World,
  horizon_ns: number | undefined,
): ExtraCaller[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, "$.intent.also", {
    what: "a list of callers",
    min: 0,
    max: SCENARIO_LIMITS.also_callers,
  });
  if (list === undefined) return undefined;
  const out: ExtraCaller[] = [];
  const seen = new Map<number, number>();
  list.forEach((x, i) => {
    const path = indexPath("$.intent.also", i);
    const o = readObject(p, x, path, { what: "a caller", required: ["pid"], optional: ["at_ms"] });
    if (o === undefined) return;
    const pid = readInt(p, field(o, "pid"), `${path}.pid`, PID);
    checkActor(p, world, pid, `${path}.pid`, { role: "a memory killer's thread", user_only: true });
    const twice = pid === undefined ? undefined : seen.get(pid);
    if (twice !== undefined) {
      p.add(
        `${path}.pid`,
        `expected a thread not already in $.intent.also (a thread runs one recipe at a time), got ${pid} (also $.intent.also[${twice}])`,
      );
    } else if (pid !== undefined) seen.set(pid, i);
    const at_ns = has(o, "at_ms") ? readTime(p, field(o, "at_ms"), `${path}.at_ms`, horizon_ns) : 0;
    if (pid !== undefined && at_ns !== undefined) out.push({ pid, at_ns });
  });
  return out.length === list.length ? out : undefined;
}

/** Reads `$.expect`. */
export function readExpect(p: Problems, v: unknown): Expectation[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, "$.expect", {
    what: "a list of expectations",
    min: 0,
    max: EXPECTATIONS_MAX,
  });
  if (list === undefined) return undefined;
  const seen = new Map<string, string>();
  const out = list.map((x, i) => {
    const path = indexPath("$.expect", i);
    const e = readExpectation(p, x, path);
    if (e === undefined) return undefined;
    const key = `${e.design}\u0000${e.kernel ?? "*"}`;
    const first = seen.get(key);
    if (first !== undefined) {
      p.add(
        path,
        `expected one entry per design and kernel, got ${describe(e.design)} for ${
          e.kernel ?? "any kernel"
        } again (also ${first})`,
      );
    } else seen.set(key, path);
    return e;
  });
  return out.some((e) => e === undefined) ? undefined : out as Expectation[];
}

function readExpectation(p: Problems, v: unknown, path: string): Expectation | undefined {
  const o = readObject(p, v, path, {
    what: "an expectation",
    required: ["design"],
    optional: [
      "kernel",
      "ret",
      "signal_delivered",
      "freed_pages",
      "caller_freed_pages",
      "victim_freed_pages",
      "warnings",
      "t50_ms",
      "t90_ms",
      "t100_ms",
      "then",
      "note",
    ],
  });
  if (o === undefined) return undefined;
  const at = (key: string) => keyPath(path, key);
  const before = p.count;
  const e: Expectation = { design: "" };
  const design = readString(p, field(o, "design"), at("design"), {
    what: "a design name (1..64 characters)",
    pattern: /^.{1,64}$/s,
  });
  if (design !== undefined) e.design = design;
  if (has(o, "kernel")) e.kernel = readEnum(p, field(o, "kernel"), at("kernel"), KERNEL_VERSIONS);
  if (has(o, "ret")) {
    // An errno name, a non-negative number (process_madvise's per-iovec mode returns bytes),
    // or "killed": the caller died before its call returned.
    e.ret = readRet(p, field(o, "ret"), at("ret"));
  }
  if (has(o, "signal_delivered")) {
    e.signal_delivered = readBool(p, field(o, "signal_delivered"), at("signal_delivered"));
  }
  for (const key of ["freed_pages", "caller_freed_pages", "victim_freed_pages"] as const) {
    if (has(o, key)) e[key] = readBounds(p, field(o, key), at(key), "pages");
  }
  if (has(o, "warnings")) {
    e.warnings = readEnumSet(p, field(o, "warnings"), at("warnings"), {
      what: "a list of WARN names",
      each: "WARN",
      values: KNOWN_WARNS,
    });
  }
  for (const k of ["t50", "t90", "t100"] as const) {
    const key = `${k}_ms`;
    if (has(o, key)) e[`${k}_ns`] = readBounds(p, field(o, key), at(key), "ms");
  }
  if (has(o, "then")) e.then = readThenExpect(p, field(o, "then"), at("then"));
  if (has(o, "note")) {
    e.note = readString(p, field(o, "note"), at("note"), { what: "a note (text)", pattern: /^/ });
  }
  return p.count === before ? e : undefined;
}

function readBounds(
  p: Problems,
  v: unknown,
  path: string,
  unit: "pages" | "ms",
): Bounds | undefined {
  const o = readObject(p, v, path, {
    what: `a range of ${unit} ({"min": .., "max": ..})`,
    required: [],
    optional: ["min", "max"],
  });
  if (o === undefined) return undefined;
  if (!has(o, "min") && !has(o, "max")) {
    p.add(path, `expected at least one of min and max, got an empty range`);
    return undefined;
  }
  const b: Bounds = {};
  for (const key of ["min", "max"] as const) {
    if (!has(o, key)) continue;
    if (unit === "pages") {
      b[key] = readInt(p, field(o, key), keyPath(path, key), {
        what: "a page count",
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
      });
    } else {
      const t = parseMsToNs(field(o, key));
      if (t.ok) b[key] = t.value;
      else p.add(keyPath(path, key), t.message);
    }
  }
  if (b.min !== undefined && b.max !== undefined && b.min > b.max) {
    p.add(
      path,
      `expected min <= max, got min ${describe(field(o, "min"))} > max ${
        describe(field(o, "max"))
      }`,
    );
    return undefined;
  }
  return b;
}
