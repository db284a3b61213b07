/**
 * The review's calibration section: the cost model's per-page rates against what the
 * simulation achieved, the Snapdragon 845 measurements they were fitted to, and this host's
 * measurement when `docs/calibration/host.json` exists.
 *
 * @module
 */

import { CALIBRATION_MIB, CALIBRATION_PRESETS, sizeLabel } from "./experiments.ts";
import {
  CALIBRATION_PARAMS,
  type HostFile,
  modelRate,
  offBy,
  type Param,
  PARAMS_DOC,
  simulatedRate,
} from "./calibration.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, MERGED, playing } from "./roles.ts";
import { sectionHead } from "./tables.ts";
import { code, int, mdTable, pct, times } from "./_format.ts";
import { CPU_PRESETS, exitShare } from "../../engine/scenario/mod.ts";

/** A factor ≥ 1, as the section prints it. */
const factor = (x: number) => `${x.toFixed(2)}×`;

/**
 * "Calibration": the model's rates, the simulated ones and the measured ones.
 *
 * @example
 * ```ts
 * import { calibrationSection } from "./sections_calibration.ts";
 * // calibrationSection(r, { exp, files })
 * ```
 */
export function calibrationSection(r: Results, { exp }: SectionContext): string {
  const p = r.input.params;
  const reapNs = p.get("REAP_NS_PER_PAGE")!, exitNs = p.get("EXIT_UNMAP_NS_PER_PAGE")!;
  const f = (v: number | null) => v === null ? "-" : int(v);
  const worst = { exit: { off: 1, preset: "" }, reap: { off: 1, preset: "" } };
  const rates = (path: "reap" | "exit") =>
    CALIBRATION_PRESETS.map((c) => {
      const run = r.run(
        `calibration-${c.preset}-${path}`,
        playing(path === "reap" ? MERGED : KILL_ALONE).name,
      );
      const simulated = simulatedRate(run);
      const measured = path === "reap" ? c.reap : c.exit;
      const off = simulated === null ? Infinity : offBy(simulated, measured);
      if (off > worst[path].off || worst[path].preset === "") {
        worst[path] = { off, preset: c.preset };
      }
      return [
        [code(c.preset), c.label],
        f(modelRate((path === "reap" ? reapNs : exitNs).value, {
          cpu: c.preset,
          exit: path === "exit",
        })),
        f(simulated),
        int(measured),
        factor(off),
      ];
    });
  const rateHead = ["CPU", "formula", "simulated", ["SD845", "measured"], "off by"];
  const paramLines = CALIBRATION_PARAMS.map((name) => p.get(name)!).map((x) =>
    `- ${code(x.name)} = ${x.value}${/_NS(_|$)/.test(x.name) ? " ns" : ""}: ${x.source}`
  );
  const reapRows = rates("reap"), exitRows = rates("exit");
  const share = (preset: keyof typeof CPU_PRESETS) => pct(exitShare(CPU_PRESETS[preset]), 1);
  const out = [
    ...sectionHead(exp, r),
    "",
    `The parameters the rates come from, from ${PARAMS_DOC}'s parameter table ` +
    `(wasm/src/params.rs). Per-page costs are divided by the CPU's speed ` +
    `(capacity/1024 × (0.258 + 0.742 × freq/max_freq), docs/scenario-format.md); the ` +
    `victim's own exit also gets only its share of the CPU beside the background load, ` +
    `1 − load/speed:`,
    "",
    ...paramLines,
    "",
    `Rates in MB/s: the model's formula, what the simulation achieved (${
      CALIBRATION_MIB / 1024
    } GiB, scenarios ${code("calibration-<preset>-reap|exit")}), the Snapdragon 845 ` +
    `measurements of the 2019 RFC (reference §E.4), and how far the simulated rate is from ` +
    `the measured one, either way:`,
    "",
    `*Reaping (${playing(MERGED).name} from the caller), MB/s:*`,
    "",
    mdTable(rateHead, reapRows),
    "",
    `*The victim's own exit (${playing(KILL_ALONE).name}), MB/s:*`,
    "",
    mdTable(rateHead, exitRows),
    "",
    `- The reaping rates were fitted to the measured "expedited" column and reproduce it ` +
    `within ${
      ((worst.reap.off - 1) * 100).toFixed(2)
    }%; the simulated rate is a little lower than the ` +
    `formula because each VMA also costs ZAP_VMA_NS and each batch a preemption point.`,
    `- The victim's own exit is within ${factor(worst.exit.off)} of the measured "normal" ` +
    `column everywhere (furthest: ${code(worst.exit.preset)}). The measured normal kill ` +
    `slows ${times(14656, 856)} from the big core at full speed to the little core at ` +
    `300 MHz where reaping slows ${times(12398, 3236)}: the killed app exits at its own ` +
    `priority in its background cgroup, beside a load that takes more of a slower CPU ` +
    `(the exit gets ${share("sd845-big-max")} of the big core at full speed, ` +
    `${share("sd845-little-min")} of the little core at 300 MHz), while the caller reaps ` +
    `at lmkd's priority. The load and the per-page cost are fitted together: the RFC ` +
    `reports rates only, so the lab cannot tell that load from teardown work (page tables, ` +
    `VMAs, LRU) that slow cores do slowly (docs/architecture.md, "Calibration").`,
    "",
    ...hostLines(r.input.host, { reapNs, exitNs }),
  ];
  return out.join("\n");
}

/** This host's measurement, next to the model's rate for this host's measured CPU. */
function hostLines(
  host: HostFile | null,
  { reapNs, exitNs }: { reapNs: Param; exitNs: Param },
): string[] {
  if (host === null) {
    return [
      `No host measurement: \`docs/calibration/host.json\` does not exist, so the ` +
      `"this host" column is left out. When it exists, the next run of the report ` +
      `reads it and shows it here next to the model's rate for the \`host\` preset.`,
    ];
  }
  if (host.kind === "generic") {
    const hostRows = host.fields.map((f, i) => {
      const kind = host.path[i];
      const model = kind === null
        ? "-"
        : int(modelRate(kind === "reap" ? reapNs.value : exitNs.value, {
          cpu: "host",
          exit: kind === "exit",
        }));
      return [code(f.path), String(Number(f.value.toPrecision(6))), kind ?? "-", model];
    });
    return [
      `This host, from \`docs/calibration/host.json\` (its rate fields; the model's ` +
      `column is the \`host\` preset, speed 1.0):`,
      "",
      mdTable(["field", "measured", "path", ["model", "(MB/s)"]], hostRows),
    ];
  }
  // The calibrate tool measures the one design a released kernel has: the merged one.
  const merged = playing(MERGED).name;
  const cpu = host.profile ?? CPU_PRESETS.host;
  const reapModel = modelRate(reapNs.value, { cpu });
  const exitModel = modelRate(exitNs.value, { cpu, exit: true });
  const row = (label: string, reap: number, exit: number) => [
    label,
    int(reapModel),
    int(reap),
    int(exitModel),
    int(exit),
    factor(offBy(exitModel, exit)),
  ];
  const hostRows = host.sizes.map((x) =>
    row(sizeLabel(x.mib), x.mrelease_mbps, x.mib * 2 ** 20 / 1e6 / (x.exit_ms / 1e3))
  );
  if (host.fit.mrelease_mbps !== null && host.fit.exit_mbps !== null) {
    hostRows.push(row("fit over all sizes", host.fit.mrelease_mbps, host.fit.exit_mbps));
  }
  const which = host.profile
    ? `this host's \`host-measured\` CPU (capacity ${host.profile.capacity} at full ` +
      `frequency, the lab's CPU that reaps at this host's measured rate, so the reaping rate ` +
      `over all sizes agrees by construction and the victim's exit is the check)`
    : `the lab's \`host\` preset (speed 1.0; host.json has no profile)`;
  return [
    `This host, from \`docs/calibration/host.json\` (\`deno task calibrate\`: real ` +
    `${merged} and exit on ${host.cpu}, kernel ${host.kernel}, measured ` +
    `${host.measured}${host.runs ? `, ${host.runs} runs a size` : ""}; docs/host.md). The ` +
    `model's columns are ${which}; the victim's measured exit rate is the size over the ` +
    `time from SIGKILL to its exit, so it includes the exit path's fixed costs:`,
    "",
    mdTable(
      [
        "size",
        ["reaping:", "model"],
        ["reaping:", "this host"],
        ["victim's exit:", "model"],
        ["victim's exit:", "this host"],
        ["exit:", "off by"],
      ],
      hostRows,
    ),
    "",
    host.fit.mrelease_mbps !== null
      ? `- This host reaps at ${
        pct(host.fit.mrelease_mbps, modelRate(reapNs.value, { cpu: "host" }))
      } ` +
        `of the model's speed-1.0 rate: its CPU is about a ${
          (host.fit.mrelease_mbps / modelRate(reapNs.value, { cpu: "host" })).toFixed(2)
        }-speed CPU in the lab's terms.`
      : "",
  ];
}
