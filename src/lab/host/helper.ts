/**
 * The helpers in C: the victim helper (`src/lab/host/victim.c`) and the caller helper for a
 * child pid namespace (`src/lab/host/nscaller.c`), each compiled on first use with the
 * machine's gcc into the repo's gitignored `tmp/host/`, named by the hash of its source (and
 * of `_helper.h`, which both include) so that an edit rebuilds it and two checkouts never
 * share a stale binary.
 *
 * @module
 */

const ROOT = new URL("../../../", import.meta.url);
const CACHE = new URL("tmp/host/", ROOT);

/** A helper's name: its source is `src/lab/host/<name>.c`. */
export type HelperName = "victim" | "nscaller";

const built = new Map<HelperName, string>();

/** The path of the compiled helper, building it if needed. Throws with gcc's output. */
export async function helperPath(name: HelperName = "victim"): Promise<string> {
  const known = built.get(name);
  if (known) return known;
  const file = new URL(`src/lab/host/${name}.c`, ROOT);
  // The shared header is part of every helper's source: an edit to it rebuilds each.
  const source = new Uint8Array([
    ...await Deno.readFile(file),
    ...await Deno.readFile(new URL("src/lab/host/_helper.h", ROOT)),
  ]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", source));
  const hash = [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const path = decodeURIComponent(new URL(`${name}-${hash}`, CACHE).pathname);
  try {
    await Deno.stat(path);
    built.set(name, path);
    return path;
  } catch {
    // not built yet
  }
  await Deno.mkdir(CACHE, { recursive: true });
  const tmp = `${path}.${Deno.pid}.tmp`;
  const out = await new Deno.Command("gcc", {
    args: ["-O2", "-Wall", "-pthread", "-o", tmp, decodeURIComponent(file.pathname)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `gcc failed to build the ${name} helper:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(tmp, path);
  built.set(name, path);
  return path;
}
