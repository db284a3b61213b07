/**
 * Differential runs: one scenario on the simulator (kernel 6.18, the host's) and on the
 * host, side by side. They must agree on the errno exactly, on whether the victim got
 * SIGKILL, and on the victim's private anon memory freed, within
 * {@linkcode toleranceForPages} (docs/host.md). For a design that never merged, the
 * simulator's prediction is its stock-6.18 counterpart (`stock.ts`); the proposal's own
 * simulated result is shown beside it, as what the host does not do.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { findDesign } from "../designs/mod.ts";
import { runScenario } from "../../engine/run/experiment.ts";
import type { Outcome } from "../../engine/run/outcome.ts";
import { loadScenarioFile, type Scenario } from "../../engine/scenario/mod.ts";
import type { Design } from "../../core/design.ts";
import { fmtNs, table } from "../cli/_format.ts";
import { HOST_DESIGNS, type HostOutcome, runHost } from "./run.ts";
import { hostPlan, NotExpressible } from "./plan.ts";
import type { HostSession } from "./session.ts";
import { hostSupport } from "./support.ts";

/** One side's answer in the comparable terms. */
export interface Side {
  /** The errno name of the main call ("0", "EINVAL"). */
  errno: string;
  /** The victim got SIGKILL after the intent. */
  signal_delivered: boolean;
  /** Private anon pages of the victim freed by the end of the window. */
  freed_pages: number;
  /** More than half of the victim's private anon came back. */
  released: boolean;
  /** Wall time of the main call (ns). */
  call_ns: number | null;
  /** CPU time the caller spent in its calls (ns). */
  caller_cpu_ns: number;
}

/** One (scenario, design) comparison. */
export interface DiffRow {
  /** The scenario. */
  scenario: string;
  /** The design (its call is what the host makes). */
  design: string;
  /** The design that predicts the host (the design itself, or `stock:...`). */
  model: string;
  /** The simulator's prediction for the host. */
  sim: Side;
  /** What the host did. */
  host: Side;
  /** The proposal as posted, on the simulator, for designs the host does not have. */
  proposal: Side | null;
  /** Agreement per field (`signal` is true when not comparable, see `signal_comparable`). */
  agree: { errno: boolean; signal: boolean; memory: boolean };
  /**
   * Whether the host can see a SIGKILL arrive: not for a victim that was already a zombie
   * or reaped (the kernel drops it in prepare_signal; the simulator counts the send).
   */
  signal_comparable: boolean;
  /** The victim's private anon pages in the scenario. */
  anon_pages: number;
  /** The freed-pages tolerance used. */
  tolerance_pages: number;
  /** The full host outcome. */
  hostOutcome: HostOutcome;
}

/**
 * How far the host's freed pages may be from the simulator's: 2 MiB (512 pages) or 2% of
 * the victim's private anon, whichever is more. The host's RssAnon also counts the
 * helper's own private memory (stack, libc data, thread stacks: a few hundred KiB), which
 * the scenario does not have.
 */
export function toleranceForPages(anonPages: number): number {
  return Math.max(512, Math.ceil(anonPages * 0.02));
}

function simSide(o: Outcome): Side {
  const main = o.calls.at(-1);
  const anon = o.memory.reclaimable_pages;
  return {
    errno: o.errno,
    signal_delivered: o.signal_delivered,
    freed_pages: o.memory.freed_pages,
    released: anon > 0 && o.memory.freed_pages * 2 > anon,
    call_ns: main ? main.duration_ns : null,
    caller_cpu_ns: o.cpu_ns.caller,
  };
}

function hostSide(h: HostOutcome): Side {
  const anon = h.memory.scenario_anon_pages;
  return {
    errno: h.errno,
    signal_delivered: h.signal_delivered,
    freed_pages: h.memory.freed_pages,
    released: anon > 0 && h.memory.freed_pages * 2 > anon,
    call_ns: h.calls.at(-1)?.wall_ns ?? null,
    caller_cpu_ns: h.cpu_ns.caller,
  };
}

/** The simulator's prediction of the host for `design` (kernel 6.18). */
export function simulateForHost(
  s: Scenario,
  design: string,
  extra: { override?: Design } = {},
): { model: string; outcome: Outcome; proposal: Outcome | null } {
  const name = design.split("@")[0];
  const own = extra.override ?? findDesign(name);
  const counterpart = own.stock;
  if (!counterpart) throw new NotExpressible(s.name, [`design ${name}: no host counterpart`]);
  if (counterpart === "self") {
    const outcome = runScenario(s, { design: own, kernel: "6.18" }).outcome;
    return { model: own.name, outcome, proposal: null };
  }
  return {
    model: counterpart.name,
    outcome: runScenario(s, { design: counterpart, kernel: "6.18" }).outcome,
    proposal: runScenario(s, { design: own, kernel: "6.18" }).outcome,
  };
}

/** Runs `design` on `s` in the simulator and on the host and compares them. */
export async function diffScenario(
  s: Scenario,
  design: string,
  opts: { session?: HostSession; override?: Design } = {},
): Promise<DiffRow> {
  const plan = hostPlan(s);
  const sim = simulateForHost(s, design, { override: opts.override });
  const host = await runHost(s, design, { session: opts.session });
  const simS = simSide(sim.outcome);
  const hostS = hostSide(host);
  const tol = toleranceForPages(plan.anonPages);
  const signalComparable = plan.state !== "zombie" && plan.state !== "reaped";
  return {
    scenario: s.name,
    design,
    model: sim.model,
    sim: simS,
    host: hostS,
    proposal: sim.proposal ? simSide(sim.proposal) : null,
    agree: {
      errno: simS.errno === hostS.errno,
      signal: !signalComparable || simS.signal_delivered === hostS.signal_delivered,
      memory: Math.abs(simS.freed_pages - hostS.freed_pages) <= tol &&
        simS.released === hostS.released,
    },
    signal_comparable: signalComparable,
    anon_pages: plan.anonPages,
    tolerance_pages: tol,
    hostOutcome: host,
  };
}

/** Whether every field of a row agrees. */
export function agrees(r: DiffRow): boolean {
  return r.agree.errno && r.agree.signal && r.agree.memory;
}

const mark = (ok: boolean) => ok ? "=" : "≠";
const mib = (pages: number) => `${(pages / 256).toFixed(1)}M`;

/** The rows as a table, then one line per disagreement. */
export function formatDiff(rows: readonly DiffRow[]): string {
  const t = table(
    [
      "scenario",
      "design",
      "model",
      "errno sim",
      "host",
      "",
      "killed sim/host",
      "",
      "freed sim",
      "host",
      "",
      "call sim",
      "host",
      "as proposed",
    ],
    rows.map((r) => [
      r.scenario,
      r.design,
      r.model,
      r.sim.errno,
      r.host.errno,
      mark(r.agree.errno),
      r.signal_comparable
        ? `${r.sim.signal_delivered ? "yes" : "no"}/${r.host.signal_delivered ? "yes" : "no"}`
        : `${r.sim.signal_delivered ? "yes" : "no"}/n.a.`,
      mark(r.agree.signal),
      mib(r.sim.freed_pages),
      mib(r.host.freed_pages),
      mark(r.agree.memory),
      r.sim.call_ns === null ? "-" : fmtNs(r.sim.call_ns),
      r.host.call_ns === null ? "-" : fmtNs(r.host.call_ns),
      r.proposal ? `${r.proposal.errno}, ${mib(r.proposal.freed_pages)} freed` : "-",
    ]),
  );
  const bad = rows.filter((r) => !agrees(r)).map((r) =>
    `DISAGREE ${r.scenario} ${r.design}: ${
      [
        r.agree.errno ? "" : `errno sim ${r.sim.errno} host ${r.host.errno}`,
        r.agree.signal
          ? ""
          : `SIGKILL sim ${r.sim.signal_delivered} host ${r.host.signal_delivered}`,
        r.agree.memory
          ? ""
          : `freed sim ${r.sim.freed_pages} host ${r.host.freed_pages} pages (tolerance ${r.tolerance_pages})`,
      ].filter(Boolean).join("; ")
    }`
  );
  return [t, ...bad].join("\n");
}

/** The designs `lab diff` runs: those the scenario expects for 6.18, else process_mrelease. */
export function designsOf(s: Scenario): string[] {
  const named = s.expect
    .filter((e) => (e.kernel ?? "6.18") === "6.18")
    .map((e) => e.design.split("@")[0])
    .filter((d) => (HOST_DESIGNS as readonly string[]).includes(d));
  return named.length ? [...new Set(named)] : ["process_mrelease"];
}

/** `lab diff` usage. */
export const DIFF_USAGE = `usage: deno task lab diff <scenario.json> [--design NAME]... [--json]

Runs the scenario on the simulator (kernel 6.18, the host's) and on this host's real
kernel (Linux, root, --allow-ffi; docs/host.md) and prints where they agree (=) and
disagree (≠): errno, whether the victim got SIGKILL, private anon freed. Default designs:
those the scenario's expectations name for 6.18, else process_mrelease. Exit code 1 on any
disagreement, 2 when the host cannot run it.`;

/** `lab diff`: returns the exit code. */
export async function diffCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      design: { type: "string", multiple: true },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(DIFF_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`error: lab diff takes exactly one scenario file\n\n${DIFF_USAGE}`);
    return 2;
  }
  const support = hostSupport();
  if (!support.ok) {
    console.error(`error: the host cannot run scenarios: ${support.reason}`);
    return 2;
  }
  const s = await loadScenarioFile(positionals[0]);
  const rows: DiffRow[] = [];
  try {
    for (const d of values.design ?? designsOf(s)) rows.push(await diffScenario(s, d));
  } catch (e) {
    if (e instanceof NotExpressible) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (values.json) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(
      `mrelease-lab diff: scenario ${s.name}  simulator kernel 6.18  host ${support.release}`,
    );
    console.log(formatDiff(rows));
  }
  return rows.every(agrees) ? 0 : 1;
}

/** `lab run --host`: runs the scenario's recipe on the host; returns the exit code. */
export async function runHostCommand(
  path: string,
  designs: readonly string[] | undefined,
  json: boolean,
): Promise<number> {
  const support = hostSupport();
  if (!support.ok) {
    console.error(`error: the host cannot run scenarios: ${support.reason}`);
    return 2;
  }
  const s = await loadScenarioFile(path);
  const outs: HostOutcome[] = [];
  try {
    for (const d of designs ?? designsOf(s)) outs.push(await runHost(s, d));
  } catch (e) {
    if (e instanceof NotExpressible) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (json) {
    console.log(JSON.stringify(outs, null, 2));
    return 0;
  }
  console.log(`mrelease-lab run --host: scenario ${s.name}  kernel ${support.release}`);
  const kb = (v: number | undefined) => v === undefined ? "-" : `${(v / 1024).toFixed(1)}M`;
  console.log(table(
    [
      "design",
      "ret",
      "killed",
      "state",
      "anon before",
      "anon after",
      "shmem before",
      "shmem after",
      "freed",
      "exited",
      "call",
      "cpu:caller",
    ],
    outs.map((o) => [
      o.design,
      o.errno,
      o.signal_delivered ? "yes" : "no",
      o.state,
      kb(o.memory.before?.anon_kb),
      kb(o.memory.after?.anon_kb),
      kb(o.memory.before?.shmem_kb),
      kb(o.memory.after?.shmem_kb),
      mib(o.memory.freed_pages),
      o.exit.exited ? (o.exit.after_ns === null ? "before" : fmtNs(o.exit.after_ns)) : "no",
      o.calls.at(-1) ? fmtNs(o.calls.at(-1)!.wall_ns) : "-",
      fmtNs(o.cpu_ns.caller),
    ]),
  ));
  for (const o of outs) {
    console.log(
      `  ${o.design}: ${
        o.calls.map((c) => `${c.name}(${c.args.join(", ")}) = ${c.errno}`).join("; ")
      }`,
    );
  }
  return 0;
}
