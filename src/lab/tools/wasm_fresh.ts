/**
 * Tells whether wasm/pkg was built from the wasm/ sources now in the tree,
 * without Rust: it recomputes wasm/pkg/SOURCE_HASH the way
 * wasm/scripts/build.sh writes it and compares.
 *
 * Recipe (keep in step with build.sh): Cargo.toml, Cargo.lock and every
 * regular *.rs file under wasm/ (symlinks not followed, wasm/target and
 * wasm/pkg skipped), as "/"-separated paths relative to wasm/, sorted by
 * UTF-8 bytes; sha256 over path, NUL, content, NUL for each file in turn;
 * stored as the lowercase hex digest.
 *
 * `deno task check` runs it (src/lab/cli/check.ts).
 * @module
 */

const encoder = new TextEncoder();

/** What to tell the user when wasm/pkg is stale. */
export const STALE_MESSAGE =
  "wasm/ sources changed since wasm/pkg was built; run `deno task build:wasm`";

/** Outcome of {@linkcode checkWasmFresh}. */
export interface WasmFreshness {
  /** Whether the recorded and recomputed hashes agree. */
  ok: boolean;
  /** The hash recorded in wasm/pkg/SOURCE_HASH ("" when it is missing). */
  expected: string;
  /** The hash of the wasm/ sources now in the tree. */
  actual: string;
}

function compareBytes(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

async function rustFiles(wasmDir: string, rel: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(rel ? `${wasmDir}/${rel}` : wasmDir)) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory && path !== "target" && path !== "pkg") {
      found.push(...await rustFiles(wasmDir, path));
    } else if (entry.isFile && entry.name.endsWith(".rs")) {
      found.push(path);
    }
  }
  return found;
}

/** The SOURCE_HASH of the wasm/ sources under the repository root `root`. */
export async function wasmSourceHash(root: string): Promise<string> {
  const wasmDir = `${root}/wasm`;
  const paths = ["Cargo.toml", "Cargo.lock", ...await rustFiles(wasmDir, "")]
    .sort(compareBytes);
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    parts.push(
      encoder.encode(path),
      new Uint8Array(1),
      await Deno.readFile(`${wasmDir}/${path}`),
      new Uint8Array(1),
    );
  }
  const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    stream.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", stream));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares wasm/pkg/SOURCE_HASH with the hash of the current wasm/ sources. */
export async function checkWasmFresh(root: string): Promise<WasmFreshness> {
  let expected = "";
  try {
    expected = (await Deno.readTextFile(`${root}/wasm/pkg/SOURCE_HASH`)).trim();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const actual = await wasmSourceHash(root);
  return { ok: expected === actual, expected, actual };
}
