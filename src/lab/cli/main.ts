/**
 * The lab's command line: `deno task lab <command> ...`.
 *
 * @module
 */

import { COMPARE_USAGE, RUN_USAGE, runCommand } from "./_run.ts";
export { reportError };
import { reportError, UsageError } from "./_errors.ts";
import { didYouMean } from "./_suggest.ts";
import { VERIFY_USAGE, verifyCommand } from "./_verify.ts";
import { REPLAY_USAGE, replayCli } from "./_replay.ts";
import { SWEEP_USAGE, sweepCli } from "./_sweep.ts";
import { CLASSIFY_USAGE, classifyCli } from "./_classify.ts";
import { DIFF_USAGE, diffCommand } from "./_diff.ts";
import { REPORT_USAGE, reportCli } from "./_report.ts";

const USAGE =
  `mrelease-lab: compare designs for reaping a killed process's memory, on a simulated kernel

usage: deno task lab <command> [options]

commands:
  report                  the design review: every design through the standard
                          experiments, written to docs/review/ (README, charts, traces)
  run <scenario.json>     run a scenario under designs (default: the two baselines)
  compare <scenario.json> run a scenario under every registered design, one table
  verify [scenario...]    check scenario files against their expected outcomes
                          (default: every file in scenarios/)
  sweep                   run the property suite (docs/properties.md) with N runs each
  replay <case.json>      replay one case exactly and check the properties on it
  classify <case.json>    run every comparison target on one case and name the class of
                          each difference (docs/semantic-diff.md)
  diff <scenario.json>    run a scenario on the simulator (6.18) and on this host's real
                          kernel, and show where they agree (docs/host.md)
  help                    this text

With no command, writes the design review (\`report\` with its defaults).

${REPORT_USAGE}

${RUN_USAGE}

${COMPARE_USAGE}

${VERIFY_USAGE}

${SWEEP_USAGE}

${REPLAY_USAGE}

${CLASSIFY_USAGE}

${DIFF_USAGE}`;

const COMMANDS = [
  "report",
  "run",
  "compare",
  "verify",
  "sweep",
  "replay",
  "classify",
  "diff",
  "help",
];

/** Runs the command line; returns the exit code. Mistakes are thrown (see {@linkcode cli}). */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
      return await reportCli([]);
    case "report":
      return await reportCli(rest);
    case "run":
      return await runCommand(rest);
    case "compare":
      return await runCommand(rest, { defaults: "all" });
    case "verify":
      return await verifyCommand(rest);
    case "sweep":
      return await sweepCli(rest);
    case "replay":
      return await replayCli(rest);
    case "classify":
      return await classifyCli(rest);
    case "diff":
      return await diffCommand(rest);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(
        `unknown command ${JSON.stringify(command)}${
          didYouMean(command, COMMANDS)
        } (deno task lab help lists them)`,
      );
  }
}

/**
 * The command line as `deno task lab` runs it: {@linkcode main}, with every mistake
 * printed on stderr as `error: ...` (one line, or one line per scenario problem) and
 * turned into its exit code by {@linkcode reportError}.
 *
 * @example
 * ```ts
 * import { cli } from "./main.ts";
 * const code = await cli(["run", "scenarios/dstate-little-core.json", "--design", "sigkil"]);
 * // stderr: error: unknown design "sigkil"; did you mean "sigkill"? (known: ...)
 * console.log(code); // 2
 * ```
 */
export async function cli(args: string[]): Promise<number> {
  try {
    return await main(args);
  } catch (e) {
    const r = reportError(e);
    if (r === undefined) throw e;
    console.error(r.message);
    return r.code;
  }
}

if (import.meta.main) Deno.exit(await cli(Deno.args));
