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
  /**
   * Every problem found, in document order where possible; at most the first 10,000
   * (`omitted` counts the rest).
   */
  readonly problems: readonly ScenarioProblem[];
  /** The file the scenario came from, if known. */
  readonly source: string | undefined;
  /** Problems found beyond those kept in `problems`. */
  readonly omitted: number;

  /** Builds the error; `source` names the file in the message. */
  constructor(problems: readonly ScenarioProblem[], source?: string, omitted = 0) {
    super(formatProblems(problems, source, omitted));
    this.name = "ScenarioError";
    this.problems = problems;
    this.source = source;
    this.omitted = omitted;
  }
}

function formatProblems(
  problems: readonly ScenarioProblem[],
  source: string | undefined,
  omitted: number,
): string {
  const what = source === undefined ? "scenario" : `scenario ${source}`;
  const total = problems.length + omitted;
  const count = total === 1 ? "1 problem" : `${total} problems`;
  const lines = problems.slice(0, MESSAGE_PROBLEMS_MAX).map((p) => `  ${p.path}: ${p.message}`);
  if (total > MESSAGE_PROBLEMS_MAX) {
    const kept = problems.length > MESSAGE_PROBLEMS_MAX ? " (see .problems)" : "";
    lines.push(`  ... and ${total - MESSAGE_PROBLEMS_MAX} more${kept}`);
  }
  return `invalid ${what} (${count}):\n${lines.join("\n")}`;
}

/** Why a scenario file could not be read as text. */
export type ScenarioFileProblem =
  /** No file at that path. */
  | "missing"
  /** The path names a directory. */
  | "directory"
  /** It exists but cannot be read (permissions, a device that refuses reads, ...). */
  | "unreadable"
  /** It holds more bytes than the size limit. */
  | "too_large";

/**
 * A scenario file that could not be read: missing, a directory, unreadable, or larger
 * than the size limit. Its `message` is one line naming the path; the content problems
 * of a file that was read (bad UTF-8, bad JSON, a bad scenario) are
 * {@linkcode ScenarioError}s instead.
 *
 * @example
 * ```ts
 * import { loadScenarioFile, ScenarioFileError } from "./mod.ts";
 * try {
 *   await loadScenarioFile("scenarios");
 * } catch (e) {
 *   if (e instanceof ScenarioFileError) console.log(e.problem); // "directory"
 * }
 * ```
 */
export class ScenarioFileError extends Error {
  /** The path as given. */
  readonly path: string;
  /** What was wrong with it. */
  readonly problem: ScenarioFileProblem;
  /** The size limit in bytes, for `too_large`. */
  readonly limit_bytes: number | undefined;

  /** Builds the error; `detail` ends the one-line message. */
  constructor(
    path: string,
    problem: ScenarioFileProblem,
    detail: string,
    opts: { limit_bytes?: number; cause?: unknown } = {},
  ) {
    super(`${path}: ${detail}`, { cause: opts.cause });
    this.name = "ScenarioFileError";
    this.path = path;
    this.problem = problem;
    this.limit_bytes = opts.limit_bytes;
  }
}
