/**
 * Differential runs: one scenario on the simulator (the host's kernel version,
 * {@linkcode HOST_KERNEL}) and on the host, side by side. They must agree on the errno
 * exactly, on whether the victim got SIGKILL, and on the victim's private anon memory freed,
 * within {@linkcode toleranceForPages} (docs/host.md). For a design that never merged, the
 * simulator's prediction is its stock counterpart (the design record's `stock`); the
 * proposal's own simulated result is shown beside it, as what the host does not do.
 *
 * @module
 */

import { PAGE_SIZE, retName } from "../../core/mod.ts";
import {
  type MainErrno,
  type Outcome,
  retOf,
  runScenario,
  type ThenRecord,
  thenText,
} from "../../engine/run/mod.ts";
import type { Scenario } from "../../engine/scenario/mod.ts";
import type { DesignChoice } from "../designs/mod.ts";
import { hostRefusals } from "./designs.ts";
import { type HostOutcome, runHost } from "./run.ts";
import { hostPlan, NotExpressible } from "./plan.ts";
import type { HostSession } from "./session.ts";
import { HOST_KERNEL } from "./support.ts";

/** One side's answer in the comparable terms. */
export interface Side {
  /** The errno of the main call ("EINVAL", 0 when it succeeded, "killed", "unfinished"). */
  errno: MainErrno;
  /** The main call's answer as text: "0", a byte count, an errno name. */
  ret: string;
  /** Each follow-up call's answer as text (`EFAULT`, `0 CLD_KILLED 9`). */
  then: string[];
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
  /**
   * Agreement per field (`signal` is true when not comparable, see `signal_comparable`):
   * `errno` compares the main call's whole answer (a byte count too), `then` every
   * follow-up call's.
   */
  agree: { errno: boolean; signal: boolean; memory: boolean; then: boolean };
  /**
   * Whether the host can see a SIGKILL arrive: not for a victim that was already a zombie
   * or reaped (the kernel drops it in prepare_signal; the simulator counts the send), nor
   * for one killed before the intent (its SIGKILL is already pending).
   */
  signal_comparable: boolean;
  /** The victim's private anon pages in the scenario. */
  anon_pages: number;
  /** The freed-pages tolerance used. */
  tolerance_pages: number;
  /** The full host outcome. */
  hostOutcome: HostOutcome;
}

/** The tolerance's floor: 2 MiB. */
const TOLERANCE_FLOOR_BYTES = 2 * 2 ** 20;

/**
 * How far the host's freed pages may be from the simulator's: 2 MiB (512 pages) or 2% of
 * the victim's private anon, whichever is more. The host's RssAnon also counts the
 * helper's own private memory (stack, libc data, thread stacks: a few hundred KiB), which
 * the scenario does not have.
 */
export function toleranceForPages(anonPages: number): number {
  return Math.max(TOLERANCE_FLOOR_BYTES / PAGE_SIZE, Math.ceil(anonPages * 0.02));
}

function thens(records: readonly ThenRecord[] | undefined): string[] {
  return (records ?? []).map(thenText);
}

function simSide(o: Outcome): Side {
  const main = o.calls.at(-1);
  const anon = o.memory.reclaimable_pages;
  return {
    errno: o.errno,
    ret: retOf(o),
    then: thens(o.then),
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
    ret: retName(h.ret),
    then: thens(h.then),
    signal_delivered: h.signal_delivered,
    freed_pages: h.memory.freed_pages,
    released: anon > 0 && h.memory.freed_pages * 2 > anon,
    call_ns: h.calls.at(-1)?.wall_ns ?? null,
    caller_cpu_ns: h.cpu_ns.caller,
  };
}

/**
 * The simulator's prediction of the host for a design (on {@linkcode HOST_KERNEL}): the
 * design itself when the stock kernel has its call as modelled, else its stock counterpart,
 * with the proposal's own result beside it.
 */
export function simulateForHost(
  s: Scenario,
  choice: DesignChoice,
): { model: string; outcome: Outcome; proposal: Outcome | null } {
  const { design, variant } = choice;
  const why = hostRefusals(design, variant);
  if (why.length) throw new NotExpressible(s.name, why);
  const own = runScenario(s, { design, kernel: HOST_KERNEL }).outcome;
  if (design.stock === "self") return { model: design.name, outcome: own, proposal: null };
  const stock = design.stock!;
  return {
    model: stock.name,
    outcome: runScenario(s, { design: stock, kernel: HOST_KERNEL }).outcome,
    proposal: own,
  };
}

/** Runs a design on `s` in the simulator and on the host and compares them. */
export async function diffScenario(
  s: Scenario,
  opts: DesignChoice & { session?: HostSession },
): Promise<DiffRow> {
  const plan = hostPlan(s);
  const sim = simulateForHost(s, opts);
  const host = await runHost(s, opts);
  const simS = simSide(sim.outcome);
  const hostS = hostSide(host);
  const tol = toleranceForPages(plan.anonPages);
  // A victim the lab killed before the intent (a kill event) has SIGKILL pending on the host
  // before the call; the simulator counts only sends after the intent.
  const signalComparable = plan.state !== "zombie" && plan.state !== "reaped" &&
    !plan.killedBefore;
  return {
    scenario: s.name,
    design: opts.variant === undefined ? opts.design.name : `${opts.design.name}@${opts.variant}`,
    model: sim.model,
    sim: simS,
    host: hostS,
    proposal: sim.proposal ? simSide(sim.proposal) : null,
    agree: {
      errno: simS.errno === hostS.errno && simS.ret === hostS.ret,
      then: simS.then.join() === hostS.then.join(),
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
  return r.agree.errno && r.agree.signal && r.agree.memory && r.agree.then;
}
