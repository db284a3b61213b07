/**
 * The lab's command line: `deno task lab <command> ...`.
 *
 * @module
 */

import { COMPARE_USAGE, RUN_USAGE, runCommand } from "./_run.ts";
export { reportError };
import { reported, reportError, UsageError } from "./_errors.ts";
import { Command, CommanderError } from "commander";
import { didYouMean } from "./_suggest.ts";
import { VERIFY_USAGE, verifyCommand } from "./_verify.ts";
import { REPLAY_USAGE, replayCli } from "./_replay.ts";
import { SWEEP_USAGE, sweepCli } from "./_sweep.ts";
import { CLASSIFY_USAGE, classifyCli } from "./_classify.ts";
import { DIFF_USAGE, diffCommand } from "./_diff.ts";
import { REPORT_USAGE, reportCli } from "./_report.ts";
import { EXPLORE_USAGE, exploreCli, MERGE_USAGE, mergeCli } from "./_explore.ts";

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
  explore <scenario.json> every schedule of a scenario within a preemption bound: the
                          distinct outcomes, a replay command for each, the verdict
  merge <lines.jsonl...>  the report of explore's shards, added up
  diff <scenario.json>    run a scenario on the simulator (6.18) and on this host's real
                          kernel, and show where they agree (docs/host.md)
  help [command]          this text, or a command's options (also: <command> --help)

With no command, writes the design review (\`report\` with its defaults).
\`deno task lab help <command>\` (or \`<command> --help\`) shows a command's options.`;

/** Each command: its one-line summary (as `help` lists it), its usage text, and its code. */
const COMMANDS: readonly {
  name: string;
  summary: string;
  usage: string;
  run: (args: string[]) => Promise<number>;
}[] = [
  { name: "report", summary: "the design review", usage: REPORT_USAGE, run: reportCli },
  { name: "run", summary: "run a scenario under designs", usage: RUN_USAGE, run: runCommand },
  {
    name: "compare",
    summary: "every registered design on one scenario",
    usage: COMPARE_USAGE,
    run: (a) => runCommand(a, { defaults: "all" }),
  },
  { name: "verify", summary: "check scenario files", usage: VERIFY_USAGE, run: verifyCommand },
  { name: "sweep", summary: "the property suite", usage: SWEEP_USAGE, run: sweepCli },
  { name: "replay", summary: "replay one case exactly", usage: REPLAY_USAGE, run: replayCli },
  { name: "classify", summary: "classify differences", usage: CLASSIFY_USAGE, run: classifyCli },
  { name: "explore", summary: "every schedule", usage: EXPLORE_USAGE, run: exploreCli },
  { name: "merge", summary: "add up explore's shards", usage: MERGE_USAGE, run: mergeCli },
  { name: "diff", summary: "simulator against host", usage: DIFF_USAGE, run: diffCommand },
];

/**
 * The command line as a commander program: commander dispatches the command (with a
 * "did you mean" for an unknown one), answers `--help` and `help <command>` with that
 * command's usage, and hands the command's arguments to its own parser unchanged (the
 * option checks, with their one-line messages, live with each command).
 */
function program(result: { code: number }): Command {
  const lab = new Command("lab")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => console.log(s.replace(/\n$/, "")),
      writeErr: () => {},
      outputError: () => {},
      // Plain text always: commander would read NO_COLOR and friends from the environment.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({ formatHelp: () => USAGE + "\n" })
    .helpCommand("help [command]", "show a command's options");
  for (const c of COMMANDS) {
    lab.command(c.name)
      .summary(c.summary)
      .allowUnknownOption()
      .allowExcessArguments()
      .configureHelp({ formatHelp: () => c.usage + "\n" })
      .action(async (_options: unknown, cmd: Command) => {
        result.code = await c.run(cmd.args);
      });
  }
  return lab;
}

/** Commander's own mistakes, as one-line {@linkcode UsageError}s in the lab's words. */
function fromCommander(e: CommanderError): UsageError {
  const near = /\(Did you mean ([^?]*)\?\)/.exec(e.message)?.[1];
  const hint = near === undefined ? "" : `; did you mean ${JSON.stringify(near)}?`;
  const command = /unknown command '([^']*)'/.exec(e.message)?.[1];
  if (command !== undefined) {
    return new UsageError(
      `unknown command ${JSON.stringify(command)}${hint} (deno task lab help lists them)`,
    );
  }
  const option = /unknown option '([^']*)'/.exec(e.message)?.[1];
  if (option !== undefined) {
    const like = near === undefined ? "" : `; did you mean ${near}?`; // as the commands say it
    return new UsageError(
      `unknown option ${option}${like} (deno task lab help lists the commands)`,
    );
  }
  return new UsageError(e.message.split("\n")[0].replace(/^error: /, "") + hint);
}

/** Runs the command line; returns the exit code. Mistakes are thrown (see {@linkcode cli}). */
export async function main(args: string[]): Promise<number> {
  if (args.length === 0) return await reportCli([]);
  const names = COMMANDS.map((c) => c.name);
  if (args[0] === "help" && args[1] === "help") args = ["help"];
  if (args[0] === "help" && args[1] !== undefined && !names.includes(args[1])) {
    // commander would print nothing for `help <unknown>`.
    throw new UsageError(
      `unknown command ${JSON.stringify(args[1])}${
        didYouMean(args[1], names)
      } (deno task lab help lists them)`,
    );
  }
  const result = { code: 0 };
  try {
    await program(result).parseAsync(args, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === "commander.helpDisplayed" || e.code === "commander.help") return 0;
    throw fromCommander(e);
  }
  return result.code;
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
export function cli(args: string[]): Promise<number> {
  return reported(() => main(args));
}

if (import.meta.main) Deno.exit(await cli(Deno.args));
