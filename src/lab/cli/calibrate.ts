/**
 * `deno task calibrate [--sizes MiB,...] [--runs N] [--out FILE]`: measures this host's release
 * rates (src/lab/host/calibrate.ts) and writes the `host-measured` profile, by default
 * outside the repository (`$XDG_CACHE_HOME/mrelease-lab/host.json`), so a measurement never
 * dirties the committed docs.
 *
 * @module
 */

import {
  calibrate,
  calibrateThp,
  calibrationReaper,
  hostSupport,
  thpSummary,
  userProfilePath,
} from "../host/mod.ts";
import { parseCliArgs, parseWholeNumber } from "./_args.ts";
import { reported, UsageError } from "./_errors.ts";
import { userPath } from "./_paths.ts";

/** calibrate's options. */
export const CALIBRATE_USAGE = `usage: deno task calibrate [options]

Measures this host's real process_mrelease and exit rates (Linux, root; one victim at a
time; docs/host.md) next to the simulator's prediction for the same victims, then the same
on transparent-huge-page victims of the even sizes (per-PMD costs; said so when the kernel
does not back them with huge pages), and writes the calibration profile (schema
mrelease-lab/calibration@1).

options:
  --sizes MiB,...  victim sizes in MiB, 1..2048 each, at least two different ones: the
                   rates are the slope over sizes (default 64,256,1024)
  --runs N         runs per size; the median is kept (default 5)
  --out FILE       where the profile goes (default $XDG_CACHE_HOME/mrelease-lab/host.json,
                   else ~/.cache/mrelease-lab/host.json: outside the repository; the review
                   shows docs/calibration/host.json, so --out docs/calibration/host.json
                   updates the committed measurement)
  -h, --help       this text`;

/** The parsed options of calibrate, or a {@linkcode UsageError}. */
export function parseCalibrateArgs(
  args: readonly string[],
): { help: true } | { help: false; sizesMiB: number[]; runs: number; out: string } {
  const { values, positionals } = parseCliArgs(args, {
    sizes: { type: "string" },
    runs: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return { help: true };
  if (positionals.length > 0) {
    throw new UsageError(`calibrate takes no file, got ${JSON.stringify(positionals[0])}`);
  }
  const sizesMiB = (values.sizes ?? "64,256,1024").split(",").map((m) =>
    /^[0-9]{1,4}$/.test(m.trim()) ? Number(m) : NaN
  );
  if (sizesMiB.some((m) => !(m >= 1 && m <= 2048))) {
    throw new UsageError(
      `--sizes takes MiB values 1..2048 separated by commas (at most 2 GiB a victim), got ${
        JSON.stringify(values.sizes)
      }`,
    );
  }
  if (new Set(sizesMiB).size < 2) {
    // The rates are the slope of time over size (the fixed cost of exiting drops out of it):
    // one size has no slope.
    throw new UsageError(
      `--sizes needs at least two different sizes (the rates are a slope over sizes), got ${
        JSON.stringify(values.sizes)
      }`,
    );
  }
  const runs = parseWholeNumber(values.runs, "--runs") ?? 5;
  if (runs < 1) throw new UsageError("--runs takes a whole number >= 1");
  const out = values.out !== undefined ? userPath(values.out) : userProfilePath();
  if (out === undefined) {
    throw new UsageError("no $XDG_CACHE_HOME or $HOME for the profile: name a file with --out");
  }
  return { help: false, sizesMiB, runs, out };
}

/** Runs calibrate; returns the exit code. Mistakes are thrown as {@linkcode UsageError}s. */
export async function calibrateCli(args: string[]): Promise<number> {
  const o = parseCalibrateArgs(args);
  if (o.help) {
    console.log(CALIBRATE_USAGE);
    return 0;
  }
  const support = hostSupport();
  if (!support.ok) {
    console.error(`error: calibrate: the host cannot run it: ${support.reason}`);
    return 2;
  }
  const log = (l: string) => console.log(l);
  const c = await calibrate({ sizesMiB: o.sizesMiB, runs: o.runs, log });
  // THP victims are whole 2 MiB huge pages: the even sizes.
  const thpSizes = o.sizesMiB.filter((m) => m % 2 === 0);
  c.thp = new Set(thpSizes).size < 2
    ? { backed: false, why: "fewer than two even --sizes (THP victims are whole 2 MiB pages)" }
    : await calibrateThp({ sizesMiB: thpSizes, runs: o.runs, log });
  const dir = o.out.includes("/") ? o.out.slice(0, o.out.lastIndexOf("/")) : "";
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(o.out, JSON.stringify(c, null, 2) + "\n");
  console.log(thpSummary(c.thp));
  console.log(
    `${calibrationReaper().name} ${c.fit.mrelease_mbps} MB/s (model ${c.model.reap_mbps} at speed 1.0), ` +
      `exit ${c.fit.exit_mbps} MB/s (model ${c.model.exit_mbps}), ` +
      `${c.fit.mrelease_cpu_ms_per_gib} ms CPU per GiB; profile capacity ${c.profile.capacity} ` +
      `(speed ${c.profile.speed}) written to ${o.out}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await reported(() => calibrateCli(Deno.args)));
