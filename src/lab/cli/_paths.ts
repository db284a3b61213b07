/**
 * Paths as the user wrote them: `deno task` runs every task in the directory of deno.json
 * and sets INIT_CWD to the directory the user ran it from, so a relative path on the
 * command line (a scenario, `--out`, `--trace-out`) resolves against INIT_CWD.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";

/**
 * The directory relative paths resolve against: INIT_CWD when `deno task` set it (and the
 * task may read it), else none (the process's own working directory).
 */
export function userDirectory(): string | undefined {
  try {
    return Deno.env.get("INIT_CWD") || undefined;
  } catch {
    return undefined; // no --allow-env=INIT_CWD: paths stay relative to the cwd
  }
}

/**
 * `path` resolved against the user's directory; unchanged if absolute, or if the user ran
 * the task from the task's own directory (so messages keep the short form).
 *
 * @example
 * ```ts
 * import { userPath } from "./_paths.ts";
 * userPath("/tmp/x.json"); // "/tmp/x.json"
 * ```
 */
export function userPath(path: string, dir: string | undefined = userDirectory()): string {
  if (dir === undefined || isAbsolute(path)) return path;
  let cwd: string | undefined;
  try {
    cwd = Deno.cwd();
  } catch {
    cwd = undefined;
  }
  if (cwd !== undefined && dir === cwd) return path;
  return join(dir, path);
}
