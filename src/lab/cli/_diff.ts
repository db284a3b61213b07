/**
 * `lab diff <scenario>` and `lab run --host <scenario>`: the command line of the host backend
 * (src/lab/host, docs/host.md). `lab diff` runs the scenario on the simulator and on this
 * host's real kernel and prints where they agree; `lab run --host` runs it on the host alone.
 *
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import { userPath } from "./_paths.ts";
import { loadScenarioFile, type Scenario } from "../../engine/scenario/mod.ts";
import type { DesignChoice } from "../designs/mod.ts";
import { parseCliArgs, parseDesignSpec } from "./_args.ts";
import {
  agrees,
  designsOf,
  type DiffRow,
  diffScenario,
  HOST_KERNEL,
  type HostOutcome,
  hostSupport,
  mergedOnHost,
  NotExpressible,
  runHost,
} from "../host/mod.ts";
import { fmtNs, table } from "./_format.ts";

const mark = (ok: boolean) => ok ? "=" : "≠";
const mib = (pages: number) => `${(pages * PAGE_SIZE / 2 ** 20).toFixed(1)}M`;

/** The rows as a table, then one line per disagreement. */
export function formatDiff(rows: readonly DiffRow[]): string {
  const t = table(
    [
      "scenario",
      "design",
      "model",
      "answer sim",
      "host",
      "",
      "killed sim/host",
      "",
      "freed sim",
      "host",
      "",
      "call sim",
      "host",
      "then sim",
      "host",
      "",
      "as proposed",
    ],
    rows.map((r) => [
      r.scenario,
      r.design,
      r.model,
      r.sim.ret,
      r.host.ret,
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
      r.sim.then.join("; ") || "-",
      r.host.then.join("; ") || "-",
      mark(r.agree.then),
      r.proposal ? `${r.proposal.errno}, ${mib(r.proposal.freed_pages)} freed` : "-",
    ]),
  );
  const bad = rows.filter((r) => !agrees(r)).map((r) =>
    `DISAGREE ${r.scenario} ${r.design}: ${
      [
        r.agree.errno ? "" : `answer sim ${r.sim.ret} host ${r.host.ret}`,
        r.agree.then ? "" : `then sim ${r.sim.then.join("; ")} host ${r.host.then.join("; ")}`,
        r.agree.signal
          ? ""
          : `SIGKILL sim ${r.sim.signal_delivered} host ${r.host.signal_delivered}`,
        r.agree.memory
          ? ""
          : `freed sim ${r.sim.freed_pages} host ${r.host.freed_pages} pages (tolerance ${r.tolerance_pages})`,
      ].filter(Boolean).join("; ")
    }`
  );
  const dumps = rows.flatMap((r) => {
    const d = r.hostOutcome?.core_dump; // a row built by hand may have no host outcome
    if (!d) return [];
    const core = `${(d.core_bytes / 2 ** 20).toFixed(1)}M`;
    const end = d.at_end === null
      ? `exited ${d.exit ?? "(reaped)"}, core cut at ${core}`
      : d.at_end
      ? `still dumping (${core} written)`
      : `not dumping (${core} written)`;
    return [`core dump ${r.scenario} ${r.design}: in progress at the intent; at the end: ${end}`];
  });
  return [t, ...dumps, ...bad].join("\n");
}

/** `lab diff` usage. */
export const DIFF_USAGE =
  `usage: deno task lab:host diff <scenario.json> [--design NAME]... [--json]

Runs the scenario on the simulator (kernel ${HOST_KERNEL}, the host's) and on this host's real
kernel (Linux, root, --allow-ffi; docs/host.md) and prints where they agree (=) and
disagree (≠): the answer, whether the victim got SIGKILL, private anon freed, the follow-up
calls' answers. Default designs:
those the scenario's expectations name for ${HOST_KERNEL}, else ${
    mergedOnHost().map((d) => d.name).join(", ")
  }. Exit code 1 on any
disagreement, 2 when the host cannot run it.`;

/** `lab diff`: returns the exit code. */
export async function diffCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    design: { type: "string", multiple: true },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
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
  const s = await loadScenarioFile(userPath(positionals[0]));
  const picked = choices(s, values.design);
  if (!picked.ok) return 2;
  const rows: DiffRow[] = [];
  try {
    for (const d of picked.designs) rows.push(await diffScenario(s, d));
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
    const kernels = `simulator kernel ${HOST_KERNEL}  host ${support.release}`;
    console.log(`mrelease-lab diff: scenario ${s.name}  ${kernels}`);
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
  const picked = choices(s, designs);
  if (!picked.ok) return 2;
  const outs: HostOutcome[] = [];
  try {
    for (const d of picked.designs) outs.push(await runHost(s, d));
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
      String(o.errno),
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

/**
 * The designs named with `--design` (NAME or NAME@VARIANT), else those of
 * {@linkcode designsOf}; an unknown name or variant is reported, and `ok` is false.
 */
function choices(
  s: Scenario,
  named: readonly string[] | undefined,
): { ok: true; designs: DesignChoice[] } | { ok: false } {
  try {
    return {
      ok: true,
      designs: named?.map((n) => parseDesignSpec(n)) ??
        designsOf(s).map((design) => ({ design })),
    };
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    return { ok: false };
  }
}
