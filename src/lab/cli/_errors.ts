/**
 * The errors a command reports as one line, and the exit code of each.
 *
 * @module
 */

import { readScenarioText, ScenarioError, ScenarioFileError } from "../../engine/scenario/mod.ts";
import { type CaseFile, parseCaseFile } from "../props/mod.ts";
import { RunLimitReached } from "../../engine/run/mod.ts";
import { SnapshotLimitReached } from "../../engine/explore/mod.ts";

/**
 * A command-line mistake (an unknown option, design or kernel, a bad number, a path that
 * is not a scenario file): `main` prints `error: <message>` and exits 2.
 */
export class UsageError extends Error {
  /** Builds the error; the message is one line. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A file the command read is not what it should be (a case file with a bad key, a
 * scenario whose `expect` names no registered design): one line, exit 1, like an invalid
 * scenario.
 */
export class InputError extends Error {
  /** Builds the error; the message is one line. */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * The exit code of a command's mistake, and its message: 2 for a command-line mistake
 * (an unknown option, design, variant or kernel, a bad number, a path that is missing or a
 * directory), 1 for a file that is not a valid scenario (or case file), with every problem
 * at its JSON path. Anything else is a bug of the lab and is not caught.
 */
export function reportError(e: unknown): { code: number; message: string } | undefined {
  if (e instanceof UsageError) return { code: 2, message: `error: ${e.message}` };
  if (e instanceof ScenarioFileError) {
    if (e.problem === "too_large") {
      return {
        code: 1,
        message:
          `error: ${e.message} (read stopped there; raise the limit with --max-scenario-bytes N, e.g. 256MiB)`,
      };
    }
    const hint = e.problem === "directory"
      ? " (lab verify takes folders; the other commands take one file)"
      : "";
    return { code: 2, message: `error: ${e.message}${hint}` };
  }
  if (
    e instanceof ScenarioError || e instanceof InputError || e instanceof RunLimitReached ||
    e instanceof SnapshotLimitReached
  ) {
    return { code: 1, message: `error: ${e.message}` };
  }
  // A path the user named for output (--trace-out, --out) that cannot be written: the
  // file system's own one-line message names the operation and the path.
  if (e instanceof Error && Object.values(Deno.errors).some((kind) => e instanceof kind)) {
    return { code: 2, message: `error: ${e.message}` };
  }
  return undefined;
}

/**
 * Runs a command and answers its exit code; a mistake {@linkcode reportError} knows is
 * printed on stderr (one line, or one per scenario problem) and becomes its exit code.
 */
export async function reported(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    const r = reportError(e);
    if (r === undefined) throw e;
    console.error(r.message);
    return r.code;
  }
}

/**
 * A case file (or plain scenario file) read with the scenario size limit: a path that is
 * missing, a directory or too large is a {@linkcode ScenarioFileError}, bad JSON or a bad
 * wrapper key an {@linkcode InputError} (one line), a bad scenario a ScenarioError.
 */
export async function readCaseFileBounded(
  path: string,
  opts: { maxBytes?: number } = {},
): Promise<CaseFile> {
  const text = await readScenarioText(path, opts);
  let json: unknown;
  try {
    json = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  try {
    return parseCaseFile(json, path);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.problems, path, e.omitted);
    throw new InputError((e as Error).message);
  }
}
