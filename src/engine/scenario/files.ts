/**
 * Finding scenario files on disk.
 *
 * @module
 */

/**
 * The scenario files (`*.json`) of a folder and its subfolders, sorted.
 *
 * @example
 * ```ts
 * import { scenarioFiles } from "./files.ts";
 * console.log(await scenarioFiles("scenarios"));
 * ```
 */
export async function scenarioFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await scenarioFiles(path));
    else if (e.isFile && e.name.endsWith(".json")) out.push(path);
  }
  return out.sort();
}
