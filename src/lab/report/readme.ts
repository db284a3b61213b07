/**
 * The review's files from its measurements: `README.md` (findings in prose and tables, one
 * section per experiment, every number next to the scenario that produced it), the SVG
 * charts, and `results.json` (every run's record). Pure: the same measurements give the
 * same bytes.
 *
 * The sections live beside this file: the opening, the findings at a glance, the designs and
 * the base world in overview.ts; one section per experiment in sections_victim.ts,
 * sections_caller.ts, sections_esrch.ts, sections_calibration.ts and
 * sections_2026.ts (with its parts: parts_2026.ts); the charts in charts.ts. The designs they
 * speak of are found by their records' facts (roles.ts), never by name.
 *
 * @module
 */

import { EXPERIMENTS, REPORT_KERNEL, REPORT_SEED } from "./experiments.ts";
import { type RenderInput, Results, type SectionContext } from "./results.ts";
import { designTable, glance, preamble, reproduce, worldSection } from "./overview.ts";
import { shapeSection, victimSizeSection, victimStateSection } from "./sections_victim.ts";
import { callerSection, cgroupSection, worldSizeSection } from "./sections_caller.ts";
import { esrchSection } from "./sections_esrch.ts";
import { calibrationSection } from "./sections_calibration.ts";
import { q2026Section } from "./sections_2026.ts";
import { teardownSection } from "./sections_2026_teardown.ts";

/** Each experiment's section, by the experiment's id. */
const SECTION: Readonly<Record<string, (r: Results, ctx: SectionContext) => string>> = {
  "victim-state": victimStateSection,
  "victim-size": victimSizeSection,
  caller: callerSection,
  shape: shapeSection,
  cgroup: cgroupSection,
  "world-size": worldSizeSection,
  "esrch-window": esrchSection,
  calibration: calibrationSection,
  q2026: q2026Section,
  "parallel-teardown": teardownSection,
};

/**
 * Renders README.md, the charts and results.json (file name → content).
 *
 * @example
 * ```ts
 * import { renderReport } from "./readme.ts";
 * // const files = renderReport({ units, results, params, host: null, full: false });
 * ```
 */
export function renderReport(input: RenderInput): Map<string, string> {
  const r = new Results(input);
  const files = new Map<string, string>();
  const sections: string[] = [preamble(input), glance(r), designTable(), worldSection()];
  for (const exp of EXPERIMENTS) {
    const section = SECTION[exp.id];
    if (!section) throw new Error(`experiment ${exp.id} has no section in the review`);
    sections.push(section(r, { exp, files }));
  }
  sections.push(reproduce());
  files.set("README.md", sections.join("\n\n") + "\n");
  files.set("results.json", resultsJson(input));
  return files;
}

/** Every run's record, one run a line, without the memory curves. */
function resultsJson(input: RenderInput): string {
  const points = input.units.map((u) => ({
    experiment: u.experiment.id,
    scenario: u.point.name,
    params: u.point.params,
    runs: input.results[u.index].runs.map(({ curve: _curve, ...rest }) => rest),
  }));
  // One run a line: diffs between two reports stay readable.
  const head = JSON.stringify({
    schema: "mrelease-lab/review@1",
    kernel: REPORT_KERNEL,
    seed: REPORT_SEED,
  });
  const body = points.map(({ runs, ...p }) =>
    `  ${JSON.stringify(p).slice(0, -1)},"runs":[\n${
      runs.map((x) => `    ${JSON.stringify(x)}`).join(",\n")
    }\n  ]}`
  );
  return `${head.slice(0, -1)},"points":[\n${body.join(",\n")}\n]}\n`;
}
