/**
 * The one error the scenario loader throws for a bad scenario.
 * @module
 */

/** One thing wrong with a scenario, at a JSON path like `$.cpus[3].capacity`. */
export interface ScenarioProblem {
  /** JSON path of the offending value (or of the missing key), `$` = the whole document. */
  path: string;
  /** "expected <what>, got <what>", with a "did you mean" when one is close. */
  message: string;
}

/** How many problems the message lists before summarising the rest. */
const MESSAGE_PROBLEMS_MAX = 50;

/**
 * A scenario failed to parse or validate. `problems` holds every problem
 * found (not just the first); `message` lists them one per line.
 *
 * @example
 * ```ts
 * import { parseScenario, ScenarioError } from "./mod.ts";
 * try {
 *   parseScenario("{}");
 * } catch (e) {
 *   if (e instanceof ScenarioError) console.log(e.problems[0].path); // "$"
 * }
 * ```
 */
export class ScenarioError extends Error {
  /** Every problem found, in document order where possible. */
  readonly problems: readonly ScenarioProblem[];
  /** The file the scenario came from, if known. */
  readonly source: string | undefined;

  /** Builds the error; `source` names the file in the message. */
  constructor(problems: readonly ScenarioProblem[], source?: string) {
    super(formatProblems(problems, source));
    this.name = "ScenarioError";
    this.problems = problems;
    this.source = source;
  }
}

function formatProblems(
  problems: readonly ScenarioProblem[],
  source: string | undefined,
): string {
  const what = source === undefined ? "scenario" : `scenario ${source}`;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.slice(0, MESSAGE_PROBLEMS_MAX).map((p) => `  ${p.path}: ${p.message}`);
  if (problems.length > MESSAGE_PROBLEMS_MAX) {
    lines.push(
      `  ... and ${problems.length - MESSAGE_PROBLEMS_MAX} more (see .problems)`,
    );
  }
  return `invalid ${what} (${count}):\n${lines.join("\n")}`;
}
