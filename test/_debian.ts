// A program a test drives, installed from Debian by its .ci/setup-*.sh script when missing
// (.ci/setup-debian.sh: as root, else it fails saying what to run).

const root = new URL("..", import.meta.url);
const checked = new Map<string, Promise<void>>();

/**
 * Resolves once `present()` holds, running `.ci/<script>` first if it does not; fails with
 * the script's message when it could not install the program, naming what it is `for`.
 */
export function ensureProgram(
  script: string,
  opts: { present: () => Promise<boolean>; for: string },
): Promise<void> {
  let done = checked.get(script);
  if (!done) {
    done = (async () => {
      if (await opts.present()) return;
      const path = new URL(`.ci/${script}`, root).pathname;
      const r = await new Deno.Command("bash", { args: [path], stdout: "piped", stderr: "piped" })
        .output();
      if (!r.success) {
        throw new Error(
          `${opts.for} and \`bash .ci/${script}\` could not install it:\n` +
            new TextDecoder().decode(r.stderr),
        );
      }
    })();
    checked.set(script, done);
  }
  return done;
}
