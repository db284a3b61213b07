/**
 * The review's calibration section: the cost model's per-page rates against what the
 * simulation achieved, the Snapdragon 845 measurements they were fitted to, and this host's
 * measurement when `docs/calibration/host.json` exists.
 *
 * @module
 */

import { CALIBRATION_MIB, CALIBRATION_PRESETS, sizeLabel } from "./experiments.ts";
import { type HostFile, modelRate, type Param, PARAMS_DOC, simulatedRate } from "./calibration.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, MERGED, playing } from "./roles.ts";
import { sectionHead } from "./tables.ts";
import { code, int, mdTable, pct, times } from "./_format.ts";

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
  const rates = (path: "reap" | "exit") =>
    CALIBRATION_PRESETS.map((c) => {
      const run = r.run(
        `calibration-${c.preset}-${path}`,
        playing(path === "reap" ? MERGED : KILL_ALONE).name,
      );
      return [
        [code(c.preset), c.label],
        f(modelRate((path === "reap" ? reapNs : exitNs).value, c.preset)),
        f(simulatedRate(run)),
        int(path === "reap" ? c.reap : c.exit),
      ];
    });
  const rateHead = ["CPU", "formula", "simulated", ["SD845", "measured"]];
  const paramLines = [reapNs, exitNs, p.get("TWFM_NS_PER_PROCESS")!].map((x) =>
    `- ${code(x.name)} = ${x.value} ns: ${x.source}`
  );
  const out = [
    ...sectionHead(exp, r),
    "",
    `The per-page costs the model uses, from ${PARAMS_DOC}'s parameter table ` +
    `(wasm/src/params.rs), divided by the CPU's speed ` +
    `(capacity/1024 × (0.258 + 0.742 × freq/max_freq), docs/scenario-format.md):`,
    "",
    ...paramLines,
    "",
    `Rates in MB/s: the model's formula, what the simulation achieved (${
      CALIBRATION_MIB / 1024
    } GiB, scenarios ${code("calibration-<preset>-reap|exit")}), and the Snapdragon 845 ` +
    `measurements of the 2019 RFC (reference §E.4):`,
    "",
    `*Reaping (${playing(MERGED).name} from the caller), MB/s:*`,
    "",
    mdTable(rateHead, rates("reap")),
    "",
    `*The victim's own exit (${playing(KILL_ALONE).name}), MB/s:*`,
    "",
    mdTable(rateHead, rates("exit")),
    "",
    `- The reaping rates were fitted to the measured "expedited" column and reproduce it ` +
    `within a fraction of a percent; the simulated rate is a little lower than the ` +
    `formula because each VMA also costs ZAP_VMA_NS and each batch a preemption point.`,
    `- The victim's-own-exit rates are a prediction, and on slow CPUs they are optimistic: ` +
    `the RFC measured normal kills up to ${
      times(modelRate(exitNs.value, "sd845-little-min"), 856)
    } slower on the little core at 300 MHz (docs/architecture.md, "Calibration"). The lab ` +
    `therefore flatters SIGKILL alone on little cores, and every advantage this review ` +
    `shows for a reaping design there is a lower bound.`,
    "",
    ...hostLines(r.input.host, { reapNs, exitNs }),
  ];
  return out.join("\n");
}

/** This host's measurement, next to the model's rate for the `host` preset. */
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
      const model = kind === "reap"
        ? int(modelRate(reapNs.value, "host"))
        : kind === "exit"
        ? int(modelRate(exitNs.value, "host"))
        : "-";
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
  const reapModel = modelRate(reapNs.value, "host");
  const exitModel = modelRate(exitNs.value, "host");
  const hostRows = host.sizes.map((x) => {
    const exitRate = x.mib * 2 ** 20 / 1e6 / (x.exit_ms / 1e3);
    return [sizeLabel(x.mib), int(reapModel), int(x.mrelease_mbps), int(exitModel), int(exitRate)];
  });
  if (host.fit.mrelease_mbps !== null && host.fit.exit_mbps !== null) {
    hostRows.push([
      "fit over all sizes",
      int(reapModel),
      int(host.fit.mrelease_mbps),
      int(exitModel),
      int(host.fit.exit_mbps),
    ]);
  }
  return [
    `This host, from \`docs/calibration/host.json\` (\`deno task calibrate\`: real ` +
    `${merged} and exit on ${host.cpu}, kernel ${host.kernel}, measured ` +
    `${host.measured}${host.runs ? `, ${host.runs} runs a size` : ""}; docs/host.md). The ` +
    `model's column is the lab's \`host\` preset (speed 1.0, the SD845 big core at full ` +
    `speed); the victim's measured exit rate is the size over the time from SIGKILL to its ` +
    `exit, so it includes the exit path's fixed costs:`,
    "",
    mdTable(
      [
        "size",
        ["reaping:", "model"],
        ["reaping:", "this host"],
        ["victim's exit:", "model"],
        ["victim's exit:", "this host"],
      ],
      hostRows,
    ),
    "",
    host.fit.mrelease_mbps !== null
      ? `- This host reaps at ${pct(host.fit.mrelease_mbps, reapModel)} of the model's ` +
        `speed-1.0 rate: its CPU is about a ${
          (host.fit.mrelease_mbps / reapModel).toFixed(2)
        }-speed CPU in the lab's terms.`
      : "",
  ];
}
