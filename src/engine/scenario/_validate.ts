/**
 * The validator: reads an untrusted JSON value section by section, collects
 * every problem, and only when there is none assembles the `Scenario`.
 * @module
 */

import {
  KERNEL_VARIANT_KERNELS,
  KERNEL_VARIANTS,
  KERNEL_VERSIONS,
  type KernelVariant,
  type KernelVersion,
} from "./abi.ts";
import {
  describe,
  field,
  has,
  Problems,
  readEnum,
  readEnumSet,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { ScenarioError, type ScenarioProblem } from "./error.ts";
import { linkProcesses } from "./_links.ts";
import { readCgroups } from "./_cgroups.ts";
import { readPidNamespaces } from "./_pidns.ts";
import { readCpus, readMms } from "./_machine.ts";
import { parseMsToNs } from "./_sizes.ts";
import type { ProcessDraft, ThreadDraft } from "./_tasks.ts";
import { readProcesses } from "./_tasks.ts";
import { readCaller, readEvents, readExpect, readIntent } from "./_timeline.ts";
import { readExplore } from "./_explore.ts";
import { SCENARIO_SCHEMA } from "./types.ts";
import type { Scenario, ScenarioProcess, ScenarioThread } from "./types.ts";

/** Default horizon: 10 s of simulated time. */
export const HORIZON_MS_DEFAULT = 10000;
/** Default seed. */
export const SEED_DEFAULT = 1;
/** Default kernel: the newest shape in the record. */
export const KERNEL_DEFAULT = "6.18";

const TOP_REQUIRED = [
  "schema",
  "name",
  "description",
  "cpus",
  "processes",
  "caller",
  "intent",
] as const;
const TOP_OPTIONAL = [
  "kernel",
  "kernel_variants",
  "seed",
  "horizon_ms",
  "mms",
  "events",
  "expect",
  "explore",
  "cgroups",
  "pid_namespaces",
] as const;

/** `kernel_variants`: each variant once, on a kernel it applies to (wasm/src/variant.rs). */
function readKernelVariants(
  p: Problems,
  v: unknown,
  kernel: string | undefined,
): KernelVariant[] | undefined {
  const names = Object.keys(KERNEL_VARIANTS) as KernelVariant[];
  const list = readEnumSet(p, v, "$.kernel_variants", {
    what: "a list of kernel variants",
    each: "variant",
    values: names,
  });
  const misfit = list?.find((n) =>
    kernel !== undefined && !KERNEL_VARIANT_KERNELS[n].includes(kernel as KernelVersion)
  );
  if (misfit !== undefined) {
    p.add(
      "$.kernel_variants",
      `expected variants that apply to kernel ${kernel}, got ${misfit} (it applies to ` +
        `${KERNEL_VARIANT_KERNELS[misfit].join(", ")})`,
    );
    return undefined;
  }
  return list;
}

/** A value that must be there once validation found no problem. */
function must<T>(v: T | undefined, what: string): T {
  // Reaching this with undefined is a validator bug (a reader returned
  // undefined without reporting why), not a bad scenario: fail loudly.
  if (v === undefined) throw new Error(`scenario validator bug: ${what} missing without a problem`);
  return v;
}

/**
 * Validates `json`; throws a {@linkcode ScenarioError} listing every problem
 * (plus `extra`, e.g. duplicate keys the JSON reader found).
 */
export function validate(
  json: unknown,
  opts: { source?: string; extra?: ScenarioProblem[]; extra_omitted?: number } = {},
): Scenario {
  const p = new Problems();
  for (const x of opts.extra ?? []) p.add(x.path, x.message);
  p.count += opts.extra_omitted ?? 0;
  const o = readObject(p, json, "$", {
    what: "a scenario",
    required: TOP_REQUIRED,
    optional: TOP_OPTIONAL,
  });
  if (o === undefined) throw new ScenarioError(p.list, opts.source, p.omitted);

  const schema = field(o, "schema");
  if (has(o, "schema") && schema !== SCENARIO_SCHEMA) {
    p.add("$.schema", `expected ${JSON.stringify(SCENARIO_SCHEMA)}, got ${describe(schema)}`);
  }
  const name = readString(p, field(o, "name"), "$.name", {
    what: 'a name of 1..64 characters from "a-z0-9-"',
    pattern: /^[a-z0-9-]{1,64}$/,
  });
  const description = readString(p, field(o, "description"), "$.description", {
    what: "a description (non-empty text)",
    pattern: /\S/,
  });
  const kernel = has(o, "kernel")
    ? readEnum(p, field(o, "kernel"), "$.kernel", KERNEL_VERSIONS)
    : KERNEL_DEFAULT;
  const kernel_variants = has(o, "kernel_variants")
    ? readKernelVariants(p, field(o, "kernel_variants"), kernel)
    : [];
  const seed = has(o, "seed")
    ? readInt(p, field(o, "seed"), "$.seed", { what: "a seed (uint32)", min: 0, max: 4294967295 })
    : SEED_DEFAULT;
  let horizon_ns: number | undefined = HORIZON_MS_DEFAULT * 1e6;
  if (has(o, "horizon_ms")) {
    const h = parseMsToNs(field(o, "horizon_ms"));
    horizon_ns = h.ok && h.value > 0 ? h.value : undefined;
    if (!h.ok) p.add("$.horizon_ms", h.message);
    else if (h.value === 0) p.add("$.horizon_ms", "expected a horizon after time 0, got 0");
  }

  const cpus = readCpus(p, field(o, "cpus"));
  const cpu_count = cpus?.length;
  const { mms, ids: mm_ids, paths: mm_paths } = readMms(p, field(o, "mms"));
  const drafts = readProcesses(p, field(o, "processes"), cpu_count);
  const world = linkProcesses(p, drafts ?? [], mm_ids, mm_paths);
  const cgroups = readCgroups(p, field(o, "cgroups"), world, drafts ?? []);
  const pid_namespaces = readPidNamespaces(p, field(o, "pid_namespaces"), world);
  const intent = has(o, "intent")
    ? readIntent(p, field(o, "intent"), world, horizon_ns)
    : undefined;
  const caller = has(o, "caller")
    ? readCaller(p, field(o, "caller"), world, intent?.victim, intent?.also)
    : undefined;
  const actors = caller === undefined || intent === undefined ? undefined : [
    { pid: caller.pid, at_ns: intent.at_ns, name: "the caller ($.caller.pid)" },
    ...intent.also.map((a, i) => ({ ...a, name: `$.intent.also[${i}].pid` })),
  ];
  const events = readEvents(p, field(o, "events"), world, {
    horizon_ns,
    caller_pid: caller?.pid,
    actors,
  });
  const expect = readExpect(p, field(o, "expect"));
  expect?.forEach((e, i) => {
    const calls = intent?.then.length;
    if (e.then === undefined || calls === undefined || e.then.length <= calls) return;
    p.add(
      `$.expect[${i}].then`,
      `expected at most one answer per follow-up call ($.intent.then has ${calls}), got ${e.then.length}`,
    );
  });
  const explore = has(o, "explore") ? readExplore(p, field(o, "explore")) : undefined;

  if (p.count > 0) throw new ScenarioError(p.list, opts.source, p.omitted);
  return {
    schema: SCENARIO_SCHEMA,
    name: must(name, "name"),
    description: must(description, "description"),
    kernel: must(kernel, "kernel"),
    ...(kernel_variants?.length ? { kernel_variants } : {}),
    seed: must(seed, "seed"),
    horizon_ns: must(horizon_ns, "horizon"),
    cpus: must(cpus, "cpus").map((c) => must(c, "cpu")),
    mms: must(mms, "mms").map((m) => must(m, "mm")),
    processes: withProcessGroups(must(drafts, "processes").map(assembleProcess)),
    cgroups: must(cgroups, "cgroups"),
    ...(pid_namespaces?.length ? { pid_namespaces } : {}),
    events: must(events, "events"),
    caller: must(caller, "caller"),
    intent: must(intent, "intent"),
    expect: must(expect, "expect"),
    ...(explore === undefined ? {} : { explore }),
  };
}

/** A process before its default pgid is resolved (null: the file gives none). */
type ProcessNoGroup = Omit<ScenarioProcess, "pgid"> & { pgid: number | null };

/**
 * Each process's pgid where the file gives none, as fork() gives it: the parent's (its own
 * or inherited in turn), or the process's own tgid when it has no parent. Parents form a
 * tree here (validated), so the walk up ends within as many steps as there are processes.
 */
function withProcessGroups(processes: ProcessNoGroup[]): ScenarioProcess[] {
  const byTgid = new Map(processes.map((p) => [p.tgid, p]));
  const resolved = new Map<number, number>();
  const pgidOf = (p: ProcessNoGroup): number => {
    const chain: number[] = [];
    let cur: ProcessNoGroup | undefined = p;
    let pgid = p.tgid;
    while (cur !== undefined) {
      const known = resolved.get(cur.tgid) ?? cur.pgid;
      if (known !== null) {
        pgid = known;
        break;
      }
      chain.push(cur.tgid);
      pgid = cur.tgid;
      cur = cur.parent === null ? undefined : byTgid.get(cur.parent);
    }
    for (const t of chain) resolved.set(t, pgid);
    return pgid;
  };
  return processes.map((p) => ({ ...p, pgid: pgidOf(p) }));
}

function assembleProcess(d: ProcessDraft): ProcessNoGroup {
  const tgid = must(d.tgid, "tgid");
  const comm = must(d.comm, "comm");
  return {
    tgid,
    comm,
    parent: must(d.parent, "parent"),
    init: must(d.init, "init"),
    kthread: must(d.kthread, "kthread"),
    mm: must(d.mm, "mm"),
    uid: must(d.uid, "uid"),
    euid: must(d.euid, "euid"),
    caps: must(d.caps, "caps"),
    vfork_child: must(d.vfork_child, "vfork_child"),
    core_dump: must(d.core_dump, "core_dump"),
    parent_waits: must(d.parent_waits, "parent_waits"),
    pgid: must(d.pgid, "pgid"),
    status: must(d.status, "status"),
    fds: must(d.fds, "fds").map((f) => ({
      fd: must(f.fd, "fd"),
      kind: must(f.kind, "fd kind"),
      target: must(f.target, "fd target"),
      nonblock: must(f.nonblock, "nonblock"),
      thread: must(f.thread, "thread"),
    })),
    threads: must(d.threads, "threads").map((t) => assembleThread(t, tgid, comm)),
  };
}

function assembleThread(t: ThreadDraft, tgid: number, comm: string): ScenarioThread {
  return {
    pid: must(t.pid, "pid"),
    tgid,
    comm: must(t.comm, "thread comm") ?? comm,
    cpu: must(t.cpu, "cpu"),
    affinity: must(t.affinity, "affinity"),
    policy: must(t.policy, "policy"),
    nice: must(t.nice, "nice"),
    rt_prio: must(t.rt_prio, "rt_prio"),
    state: must(t.state, "state"),
    until_ns: must(t.until_ns, "until"),
    holds: must(t.holds, "holds").map((h) => ({
      lock: "mmap_lock" as const,
      mode: must(h.mode, "hold mode"),
      mm: must(h.mm, "hold mm"),
    })),
    traced_exit: must(t.traced_exit, "traced_exit"),
  };
}
