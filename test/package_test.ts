/**
 * The lab as a package (deno.json "publish", LICENSE, mod.ts) and its tasks' permissions:
 *
 * - `deno publish --dry-run` succeeds offline (no proxy reachable, an empty DENO_DIR) and
 *   lists the library only: mod.ts, src/, proposals/, wasm/pkg/, README.md, LICENSE and
 *   deno.json; every module mod.ts imports among them; no tests, Rust sources, docs or
 *   scenarios;
 * - importing mod.ts needs no permission: a script that builds a scenario in code and runs it
 *   succeeds under `deno run --no-prompt` with nothing allowed (so nothing is read at import,
 *   the WASM core included);
 * - every task has a description and asks only for what it needs: the simulation never gets
 *   FFI or subprocesses, and no task gets everything (-A).
 */

import assert from "node:assert/strict";

const root = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const decoder = new TextDecoder();

async function deno(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd ?? root,
    env: { NO_COLOR: "1", ...opts.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: decoder.decode(stdout) + decoder.decode(stderr) };
}

// ---------------------------------------------------------------------------
// deno publish --dry-run

/** What the package may hold: the library and the files JSR wants beside it. */
const ALLOWED = [
  /^mod\.ts$/,
  /^deno\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^src\//,
  /^proposals\//,
  /^wasm\/pkg\//,
];
/** What it must not hold, by name, whatever the include list says. */
const FORBIDDEN = [
  /^test\//,
  /^scenarios\//,
  /^docs\//,
  /^wasm\/src\//,
  /\.rs$/,
  /Cargo\.(toml|lock)$/,
  /^\.ci\//,
  /^deno\.lock$/,
  /_test\.ts$/,
];

/** The files of `deno publish --dry-run`'s listing, relative to the root. */
function listed(out: string): string[] {
  const prefix = `file://${root}/`;
  return [...out.matchAll(/^\s+(file:\/\/\S+) \([0-9.]+[KMG]?B\)$/gm)].map((m) => {
    assert.ok(m[1].startsWith(prefix), `${m[1]} is under the root`);
    return decodeURIComponent(m[1].slice(prefix.length));
  });
}

/** The local modules mod.ts imports, directly or not (`deno info --json`). */
async function libraryModules(): Promise<string[]> {
  const { code, out } = await deno(["info", "--json", "mod.ts"]);
  assert.equal(code, 0, out);
  const info = JSON.parse(out.slice(out.indexOf("{"))) as { modules: { specifier: string }[] };
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file://")).map((s) =>
    decodeURIComponent(s.slice(`file://${root}/`.length))
  );
}

Deno.test("deno publish --dry-run passes offline and publishes only the library", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "mrelease-publish-" });
  try {
    // Nothing reachable: a proxy on a closed port, and a cache with nothing in it.
    const dead = "http://127.0.0.1:9";
    const { code, out } = await deno(["publish", "--dry-run", "--allow-dirty"], {
      env: { DENO_DIR: denoDir, HTTP_PROXY: dead, HTTPS_PROXY: dead, NO_PROXY: "" },
    });
    assert.equal(code, 0, out);
    assert.match(out, /Simulating publish of @mrelease-lab\/lab@/);
    assert.match(out, /Dry run complete/);
    const files = listed(out);
    for (const f of files) {
      assert.ok(ALLOWED.some((r) => r.test(f)), `${f} is not part of the library`);
      assert.ok(!FORBIDDEN.some((r) => r.test(f)), `${f} must not be published`);
    }
    const present = new Set(files);
    for (
      const f of [
        "mod.ts",
        "README.md",
        "LICENSE",
        "deno.json",
        "wasm/pkg/mrelease_core.js",
        "wasm/pkg/mrelease_core_bg.wasm",
        "wasm/pkg/mrelease_core.d.ts",
        ...await libraryModules(),
      ]
    ) {
      assert.ok(present.has(f), `${f} is published`);
    }
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("LICENSE is the MIT license of the mrelease-lab authors", async () => {
  const text = await Deno.readTextFile(`${root}/LICENSE`);
  assert.equal(text.split("\n")[0], "MIT License");
  assert.ok(text.includes("Copyright (c) 2026 the mrelease-lab authors"));
  assert.ok(text.includes('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND'));
});

// ---------------------------------------------------------------------------
// Importing mod.ts

Deno.test("importing mod.ts and running a scenario built in code needs no permission", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mrelease-noperm-" });
  try {
    const script = `${dir}/run.ts`;
    await Deno.writeTextFile(
      script,
      `import { findDesign, runScenario, validateScenario } from ${
        JSON.stringify(`file://${root}/mod.ts`)
      };
const scenario = validateScenario({
  schema: "mrelease-lab/scenario@1",
  name: "in-code",
  description: "A 64 MiB victim in D state killed by a root caller, built in code.",
  cpus: [{ preset: "host" }, { preset: "host" }],
  mms: [
    { id: "killer_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
    { id: "victim_mm", vmas: [{ kind: "anon", size: "64MiB" }] },
  ],
  processes: [
    { tgid: 1, comm: "init", mm: "killer_mm", threads: [{ pid: 1, state: "S" }] },
    { tgid: 100, comm: "killer", mm: "killer_mm", threads: [{ pid: 100, cpu: 1, state: "S" }] },
    {
      tgid: 200,
      comm: "victim",
      uid: 10000,
      mm: "victim_mm",
      threads: [{ pid: 200, state: "D", until_ms: 50 }],
    },
  ],
  caller: { pid: 100 },
  intent: { victim: 200, at_ms: 1 },
});
const { outcome } = runScenario(scenario, { design: findDesign("sigkill") });
console.log(JSON.stringify([outcome.design, outcome.errno, outcome.memory.freed_pages]));
`,
    );
    // --no-prompt and no --allow-*: every permission is denied, so a read, a fetch of the
    // .wasm file or an env lookup at import would fail the run.
    const { code, out } = await deno(["run", "--no-prompt", script]);
    assert.equal(code, 0, out);
    assert.equal(out.trim().split("\n").at(-1), JSON.stringify(["sigkill", 0, 16384]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// The tasks' permissions

interface Task {
  command: string;
  description?: string;
}

const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`)) as {
  tasks: Record<string, string | Task>;
};

/** The `--allow-*` flags of a `deno run`/`deno test` command, by name (`run`, `ffi`, ...). */
function permissions(command: string): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const m of command.matchAll(/(?:^|\s)(--allow-[a-z-]+|-A)(?:=(\S+))?/g)) {
    out.set(m[1] === "-A" ? "all" : m[1].slice("--allow-".length), m[2] ?? true);
  }
  return out;
}

/** The tasks that only simulate: no FFI, no subprocesses. */
const SIMULATION = ["lab", "sweep", "replay", "docs"];
/** The tasks that reach the host's real kernel (libc through FFI). */
const HOST = ["lab:host", "calibrate", "test"];

Deno.test("every task is an object with a description", () => {
  for (const [name, task] of Object.entries(config.tasks)) {
    assert.equal(typeof task, "object", `${name} is { command, description }`);
    const t = task as Task;
    assert.ok(t.command?.trim(), `${name} has a command`);
    assert.ok((t.description?.trim().length ?? 0) >= 20, `${name} has a description`);
  }
  // The README's two commands.
  assert.ok(config.tasks.lab && config.tasks.test);
});

Deno.test("each task asks only for the permissions it needs", () => {
  const tasks = config.tasks as Record<string, Task>;
  for (const [name, { command }] of Object.entries(tasks)) {
    const allowed = permissions(command);
    assert.ok(!allowed.has("all"), `${name}: no task gets every permission (-A)`);
    // The playground's local server is the one listener: on 127.0.0.1 only, never outward.
    const net = allowed.get("net");
    assert.ok(
      net === undefined || (["web", "bench:web"].includes(name) && net === "127.0.0.1"),
      `${name}: nothing the lab does needs the network (the playground: 127.0.0.1 only)`,
    );
    if (allowed.has("ffi")) assert.ok(HOST.includes(name), `${name} gets --allow-ffi`);
  }
  for (const name of SIMULATION) {
    const allowed = permissions(tasks[name].command);
    for (const p of ["ffi", "run", "sys"]) {
      assert.ok(!allowed.has(p), `${name} is a simulation: no --allow-${p}`);
    }
    const env = allowed.get("env");
    assert.ok(env === undefined || env === "INIT_CWD", `${name}: env only for INIT_CWD`);
  }
  for (const name of HOST) {
    assert.ok(permissions(tasks[name].command).has("ffi"), `${name} reaches the host kernel`);
    assert.match(tasks[name].description!, /FFI/, `${name} says why it needs FFI`);
  }
  // The host task serves the same command line as lab, with the host allowed.
  assert.equal(
    tasks["lab:host"].command.split(" ").at(-1),
    tasks.lab.command.split(" ").at(-1),
  );
});

Deno.test("the simulation tasks run with their own permissions", async () => {
  const sweep = await deno(["task", "-q", "sweep", "--runs", "1"]);
  assert.equal(sweep.code, 0, sweep.out);
  assert.match(sweep.out, /checks passed/);
  const replay = await deno([
    "task",
    "-q",
    "replay",
    "test/props/failures/expected-safety-process-mrelease-v9-vma-use-after-free.json",
    "--design",
    "process_mrelease@v9",
    "--kernel",
    "5.10",
    "--property",
    "safety",
  ]);
  // The case's expected violation shows; how replay's exit code reports an expected
  // violation is the CLI's business (0 or 1), a missing permission is not.
  assert.ok([0, 1].includes(replay.code), replay.out);
  assert.match(replay.out, /safety\/vma_use_after_free/);
  for (const { out } of [sweep, replay]) assert.doesNotMatch(out, /NotCapable|Requires \w+ access/);
});
