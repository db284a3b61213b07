/**
 * The victim helper (`src/lab/host/victim.c`), compiled on first use with the machine's gcc
 * into the repo's gitignored `tmp/host/`, named by the hash of its source so that an edit
 * rebuilds it and two checkouts never share a stale binary.
 *
 * @module
 */

const ROOT = new URL("../../../", import.meta.url);
const SOURCE = new URL("src/lab/host/victim.c", ROOT);
const CACHE = new URL("tmp/host/", ROOT);

let built: string | null = null;

/** The path of the compiled helper, building it if needed. Throws with gcc's output. */
export async function helperPath(): Promise<string> {
  if (built) return built;
  const source = await Deno.readFile(SOURCE);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", source));
  const hash = [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const path = decodeURIComponent(new URL(`victim-${hash}`, CACHE).pathname);
  try {
    await Deno.stat(path);
    return built = path;
  } catch {
    // not built yet
  }
  await Deno.mkdir(CACHE, { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  const out = await new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-pthread", "-o", tmp, decodeURIComponent(SOURCE.pathname)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `gcc failed to build the victim helper:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(tmp, path);
  return built = path;
}
