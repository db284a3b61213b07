/**
 * `deno task calibrate [--sizes MiB,...] [--runs N] [--out FILE]`: measures this host's release
 * rates (src/lab/host/calibrate.ts) and writes the `host-measured` profile.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { calibrate, calibrationReaper, hostSupport } from "../host/mod.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "64,256,1024" },
      runs: { type: "string", default: "5" },
      out: { type: "string", default: "docs/calibration/host.json" },
    },
  });
  const support = hostSupport();
  if (!support.ok) {
    console.error(`calibrate: the host cannot run it: ${support.reason}`);
    Deno.exit(2);
  }
  const sizesMiB = values.sizes.split(",").map(Number);
  if (sizesMiB.some((m) => !(m >= 1 && m <= 2048))) {
    console.error("calibrate: --sizes takes MiB values 1..2048 (at most 2 GiB a victim)");
    Deno.exit(2);
  }
  const c = await calibrate({ sizesMiB, runs: Number(values.runs), log: (l) => console.log(l) });
  await Deno.mkdir(new URL(".", `file://${Deno.cwd()}/${values.out}`), { recursive: true });
  await Deno.writeTextFile(values.out, JSON.stringify(c, null, 2) + "\n");
  console.log(
    `${calibrationReaper().name} ${c.fit.mrelease_mbps} MB/s (model ${c.model.reap_mbps} at speed 1.0), ` +
      `exit ${c.fit.exit_mbps} MB/s (model ${c.model.exit_mbps}), ` +
      `${c.fit.mrelease_cpu_ms_per_gib} ms CPU per GiB; profile capacity ${c.profile.capacity} ` +
      `(speed ${c.profile.speed}) written to ${values.out}`,
  );
}
