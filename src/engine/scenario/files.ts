/**
 * Scenario files on disk: finding them in a folder, and reading one as text with a size
 * limit (a scenario is read whole before it is parsed, so an unbounded read of
 * `/dev/zero` or a multi-gigabyte log would take the lab's memory with it).
 *
 * @module
 */

import { ScenarioError, ScenarioFileError } from "./error.ts";

/**
 * The largest scenario file read by default: 64 MiB. The biggest world the lab writes
 * itself, the review's 100,000-process world (`deno task lab report --scenario
 * world-100000-procs-4-threads`), is 33.6 MB of indented JSON, so this leaves it twice
 * the room; a world near the core's task-table limit (1,048,576 threads) needs more, and
 * the `maxBytes` option of {@linkcode readScenarioText} (the CLI's `--max-scenario-bytes`)
 * raises it.
 */
export const SCENARIO_BYTES_MAX = 64 * 2 ** 20;

/** How much one read asks for: the file is read in chunks of this size up to the limit. */
const READ_CHUNK_BYTES = 64 * 1024;

/** Options of {@linkcode readScenarioText} and `loadScenarioFile`. */
export interface ReadScenarioOptions {
  /** Refuse a file larger than this many bytes; default {@linkcode SCENARIO_BYTES_MAX}. */
  maxBytes?: number;
}

/** "64 MiB", "1.5 KiB", "12 bytes": a byte count for a message. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return n === 1 ? "1 byte" : `${n} bytes`;
}

/**
 * Reads a scenario file as UTF-8 text, at most `maxBytes` of it. Throws a
 * {@linkcode ScenarioFileError} when the path is missing, a directory, unreadable or too
 * large (the read stops one chunk past the limit, whatever the file is: `/dev/zero`
 * ends after 64 MiB), and a {@linkcode ScenarioError} at `$` when the bytes are not UTF-8
 * (binary data, a UTF-16 file).
 *
 * @example
 * ```ts
 * import { readScenarioText } from "./files.ts";
 * const text = await readScenarioText("scenarios/mixed-vmas.json", { maxBytes: 2 ** 20 });
 * console.log(text.length);
 * ```
 */
export async function readScenarioText(
  path: string,
  opts: ReadScenarioOptions = {},
): Promise<string> {
  const limit = opts.maxBytes ?? SCENARIO_BYTES_MAX;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`maxBytes must be a whole number of bytes >= 0, got ${limit}`);
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    throw fileError(path, e);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if ((await file.stat()).isDirectory) {
      throw new ScenarioFileError(path, "directory", "is a directory, not a scenario file");
    }
    for (;;) {
      const buf = new Uint8Array(Math.min(READ_CHUNK_BYTES, limit - total + 1));
      const n = await file.read(buf);
      if (n === null) break;
      total += n;
      if (total > limit) {
        throw new ScenarioFileError(
          path,
          "too_large",
          `is larger than the ${formatBytes(limit)} limit on scenario files`,
          { limit_bytes: limit },
        );
      }
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
  } catch (e) {
    throw e instanceof ScenarioFileError ? e : fileError(path, e);
  } finally {
    file.close();
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return decodeUtf8(bytes, path);
}

function fileError(path: string, e: unknown): unknown {
  if (e instanceof Deno.errors.NotFound) {
    return new ScenarioFileError(path, "missing", "no such file", { cause: e });
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new ScenarioFileError(path, "directory", "is a directory, not a scenario file", {
      cause: e,
    });
  }
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new ScenarioFileError(path, "unreadable", "permission denied", { cause: e });
  }
  if (e instanceof Error && Object.values(Deno.errors).some((kind) => e instanceof kind)) {
    // Any other file-system error (EIO, ENXIO, ELOOP, ...): its own one-line message.
    return new ScenarioFileError(path, "unreadable", `cannot be read: ${e.message}`, {
      cause: e,
    });
  }
  return e;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The bytes as text; a ScenarioError at `$` naming the first byte that is not UTF-8. */
function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const utf16 = bytes.length >= 2 &&
      ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    const message = utf16
      ? "expected UTF-8 JSON text, got UTF-16 (it starts with a UTF-16 byte-order mark); save the file as UTF-8"
      : `expected UTF-8 JSON text, got a byte that is not UTF-8 at offset ${
        invalidUtf8Offset(bytes)
      } (a binary file?)`;
    throw new ScenarioError([{ path: "$", message }], path);
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return bytes.length;
}

/**
 * The scenario files (`*.json`) of a folder and its subfolders, sorted. Symbolic links
 * are not followed into folders (a link cycle cannot make the walk endless), and the walk
 * goes at most {@linkcode FOLDER_DEPTH_MAX} folders deep.
 *
 * @example
 * ```ts
 * import { scenarioFiles } from "./files.ts";
 * console.log(await scenarioFiles("scenarios"));
 * ```
 */
export async function scenarioFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const base = dir.endsWith("/") && dir.length > 1 ? dir.slice(0, -1) : dir;
  const pending: { path: string; depth: number }[] = [{ path: base, depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.pop()!;
    for await (const e of Deno.readDir(path)) {
      const child = `${path}/${e.name}`;
      if (e.isDirectory && depth < FOLDER_DEPTH_MAX) {
        pending.push({ path: child, depth: depth + 1 });
      } else if (e.isFile && e.name.endsWith(".json")) out.push(child);
    }
  }
  return out.sort();
}

/** How many folders deep {@linkcode scenarioFiles} looks (`scenarios/` uses one level). */
export const FOLDER_DEPTH_MAX = 16;
