/**
 * The gate behind `deno task check`: formatting, lint, types, doc lint, generated docs, the
 * Rust core's fmt and clippy, and wasm/pkg freshness. Every step runs even
 * after a failure, so one run shows everything that is wrong; a summary table
 * follows and the exit code is 1 if any step failed.
 *
 * The Rust steps are skipped when cargo is not installed, so that someone
 * with only Deno can still run the gate.
 * @module
 */

import { checkWasmFresh, STALE_MESSAGE } from "./wasm_fresh.ts";

type Outcome = "ok" | "fail" | "skipped";

interface Step {
  name: string;
  run: () => Promise<Outcome>;
}

const root = decodeURIComponent(new URL("../..", import.meta.url).pathname);
const deno = Deno.execPath();

// git keeps no empty directories, so a fresh clone may lack one of these.
function existing(paths: string[]): string[] {
  return paths.filter((path) => {
    try {
      Deno.statSync(`${root}/${path}`);
      return true;
    } catch {
      return false;
    }
  });
}

async function exec(
  cmd: string,
  args: string[],
  cwd = root,
): Promise<Outcome> {
  try {
    const { code } = await new Deno.Command(cmd, { args, cwd }).spawn().status;
    return code === 0 ? "ok" : "fail";
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    console.log(`skipped: ${cmd} not found`);
    return "skipped";
  }
}

const steps: Step[] = [
  { name: "deno fmt --check", run: () => exec(deno, ["fmt", "--check"]) },
  { name: "deno lint", run: () => exec(deno, ["lint"]) },
  {
    name: "deno check",
    run: () =>
      exec(deno, [
        "check",
        "mod.ts",
        ...existing(["src/", "proposals/", "test/"]),
      ]),
  },
  {
    name: "deno doc --lint",
    run: () => exec(deno, ["doc", "--lint", "mod.ts"]),
  },
  {
    // docs/proposals/ is generated from proposals/ and the scenario files' expectations.
    name: "docs current",
    run: () => exec(deno, ["task", "docs", "--check"]),
  },
  {
    name: "cargo fmt --check",
    run: () => exec("cargo", ["fmt", "--check"], `${root}/wasm`),
  },
  {
    name: "cargo clippy",
    run: () =>
      exec(
        "cargo",
        ["clippy", "--all-targets", "--", "-D", "warnings"],
        `${root}/wasm`,
      ),
  },
  {
    name: "wasm freshness",
    run: async () => {
      const { ok, expected, actual } = await checkWasmFresh(root);
      if (ok) return "ok";
      console.log(STALE_MESSAGE);
      console.log(`  recorded ${expected || "(missing)"}, sources ${actual}`);
      return "fail";
    },
  },
];

const results: { name: string; outcome: Outcome; seconds: number }[] = [];
for (const step of steps) {
  console.log(`\n==> ${step.name}`);
  const start = performance.now();
  const outcome = await step.run();
  results.push({
    name: step.name,
    outcome,
    seconds: (performance.now() - start) / 1000,
  });
}

const width = Math.max(...results.map((r) => r.name.length));
console.log(`\n${"step".padEnd(width)}  result   seconds`);
for (const { name, outcome, seconds } of results) {
  console.log(
    `${name.padEnd(width)}  ${outcome.padEnd(7)}  ${seconds.toFixed(1).padStart(7)}`,
  );
}
const failed = results.filter((r) => r.outcome === "fail").length;
console.log(failed ? `\n${failed} step(s) failed` : "\nall steps passed");
Deno.exit(failed ? 1 : 0);
