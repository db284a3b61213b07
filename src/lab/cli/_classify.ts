/**
 * `classify <case.json>`: runs every comparison target on one world and prints each pair's
 * differing aspects and the classes that recognise them (docs/semantic-diff.md): the command
 * a comparison failure prints.
 *
 * @module
 */

import { KERNEL_VERSIONS } from "../../core/mod.ts";
import { userPath } from "./_paths.ts";
import { compareWorld, summary } from "../props/mod.ts";
import { validateScenario } from "../../engine/scenario/mod.ts";
import { parseChoices } from "./_replay.ts";
import { readCaseFileBounded, UsageError } from "./_errors.ts";
import { parseCliArgs, parseKernelVersion } from "./_args.ts";

export const CLASSIFY_USAGE = `usage: deno task lab classify <case.json> [options]

Runs every comparison target on one world (a scenario file or a case file), prints each
pair's differing aspects and the classes that recognise them (docs/semantic-diff.md), and
exits 1 when a difference falls in no class.

options:
  --kernel VERSION  ${KERNEL_VERSIONS.join(", ")} (default: the file's, else the scenario's)
  --choices LIST    the scheduler's choice list, comma-separated (default: the file's; without
                    one, the scenario's seed drives the scheduler)`;

/** Runs `classify`; returns the exit code. */
export async function classifyCli(args: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    kernel: { type: "string" },
    choices: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(CLASSIFY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("classify takes exactly one case file");
  const kernelOption = parseKernelVersion(values.kernel);
  const file = await readCaseFileBounded(userPath(positionals[0]));
  const scenario = validateScenario(file.scenario);
  const kernel = kernelOption ?? file.kernel ?? scenario.kernel;
  const choices = values.choices !== undefined ? parseChoices(values.choices) : file.choices;
  const w = compareWorld({ scenario, kernel, choices });
  console.log(
    `classify: ${positionals[0]}  kernel ${kernel}  ` +
      (choices ? `choices [${choices.join(",")}]` : `seed ${scenario.seed}`),
  );
  for (const [name, o] of w.outcomes) console.log(`  ${name.padEnd(28)} ${summary(o)}`);
  let bad = 0;
  for (const p of w.pairs) {
    if (p.aspects.length === 0) continue;
    const un = p.unexplained.length ? `  UNCLASSIFIED: ${p.unexplained.join(", ")}` : "";
    const bugs = p.bugs.length ? `  suspected bug: ${p.bugs.join(", ")}` : "";
    if (p.unexplained.length) bad++;
    console.log(
      `${p.pair[0]} vs ${p.pair[1]}: ${p.aspects.join(", ")} differ; ` +
        `${p.classes.join(", ") || "-"}${bugs}${un}`,
    );
  }
  return bad > 0 ? 1 : 0;
}
