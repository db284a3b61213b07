/**
 * `lab report` (and `lab` with no command): the design review. Measures every design on
 * the standard experiments and writes `docs/review/` (README.md, SVG charts, traces,
 * results.json); `--check` compares a fresh build with the directory instead.
 *
 * @module
 */

import {
  allUnits,
  buildReport,
  checkReport,
  defaultWorkers,
  measurePoint,
  REPORT_DIR_DEFAULT,
  writeReport,
} from "../report/mod.ts";
import { pointScenario } from "../report/experiments.ts";
import { fmtNs, fmtPages, table } from "./_format.ts";
import { UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";
import { parseCliArgs } from "./_args.ts";

export const REPORT_USAGE =
  `usage: deno task lab report [--out DIR] [--full] [--workers N] [--check]

Puts every registered design through the standard experiments (victim state, size and
placement, caller thread, shape, a cgroup reaped one by one, world size, the ESRCH window,
calibration) and writes the design review: README.md with findings and tables, SVG charts,
a representative run's traces per experiment, results.json. Progress goes to stderr.

options:
  --out DIR         where the report goes (default: ${REPORT_DIR_DEFAULT})
  --full            denser sweeps (more points per experiment; takes longer)
  --workers N       Web Workers to measure with (default: the machine's cores; 0: none)
  --check           build the report and compare it with DIR; exit 1 if DIR is stale
  --list            list the experiments' scenarios
  --scenario NAME   print a scenario of the report as a scenario file (for lab run)
  --point NAME      measure one scenario the way the report does and print its runs`;

/** Runs `lab report`; returns the exit code. */
export async function reportCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    out: { type: "string" },
    full: { type: "boolean", default: false },
    workers: { type: "string" },
    check: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    scenario: { type: "string" },
    point: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(REPORT_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`lab report takes no file, got "${positionals[0]}"`);
  }
  const full = values.full ?? false;
  const units = allUnits(full);
  const find = (name: string) => {
    const u = units.find((u) => u.point.name === name);
    if (!u) {
      throw new UsageError(`no scenario "${name}" in the report; --list lists them`);
    }
    return u;
  };

  if (values.list) {
    for (const u of units) console.log(`${u.experiment.id.padEnd(14)} ${u.point.name}`);
    return 0;
  }
  if (values.scenario !== undefined) {
    console.log(JSON.stringify(pointScenario(find(values.scenario).point), null, 2));
    return 0;
  }
  if (values.point !== undefined) {
    const res = measurePoint(find(values.point).point);
    console.log(`mrelease-lab report: scenario ${res.name}  seed ${res.runs[0]?.seed ?? "-"}`);
    console.log(table(
      [
        "run",
        "kernel",
        "ret",
        "reclaimable",
        "freed",
        "by caller",
        "t50",
        "t90",
        "t100",
        "cpu:caller",
        "hash",
      ],
      res.runs.map((r) => [
        r.label,
        r.kernel,
        Object.keys(r.returns).length > 1
          ? Object.entries(r.returns).map(([k, n]) => `${k}×${n}`).join(" ")
          : String(r.errno),
        fmtPages(r.reclaimable_pages),
        fmtPages(r.freed_pages),
        fmtPages(r.freed_by.caller),
        fmtNs(r.t50_ns),
        fmtNs(r.t90_ns),
        fmtNs(r.t100_ns),
        fmtNs(r.cpu_ns.caller),
        r.events_hash,
      ]),
    ));
    return 0;
  }

  let workers = defaultWorkers();
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 256) {
      throw new UsageError(`--workers takes a whole number 0..256, got "${values.workers}"`);
    }
  }
  const dir =
    (values.out !== undefined ? userPath(values.out) : REPORT_DIR_DEFAULT).replace(/\/+$/, "") ||
    ".";
  const start = performance.now();
  const files = await buildReport({ full, workers });
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  if (values.check) {
    const diff = await checkReport(files, dir);
    const stale = [...diff.missing, ...diff.changed, ...diff.extra];
    if (stale.length === 0) {
      console.error(`report: ${dir} is current (${files.size} files, ${seconds} s)`);
      return 0;
    }
    for (const f of diff.missing) console.error(`missing: ${dir}/${f}`);
    for (const f of diff.changed) console.error(`changed: ${dir}/${f}`);
    for (const f of diff.extra) console.error(`not in the report: ${dir}/${f}`);
    console.error(
      `report: ${dir} is stale; regenerate it with \`deno task lab report${
        values.out ? ` --out ${values.out}` : ""
      }${full ? " --full" : ""}\``,
    );
    return 1;
  }
  await writeReport(files, dir);
  console.error(`report: wrote ${files.size} files to ${dir}/ in ${seconds} s`);
  console.log(`${dir}/README.md`);
  return 0;
}
