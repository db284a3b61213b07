// docs/design-author-guide.md, followed to the letter: a design is one file in proposals/ that
// imports only the kernel API face, plus one line in proposals/registry.ts. In a copy of the
// repository two throwaway designs are registered that way, with no other edit, and every
// consumer is seen picking them up: run, compare, verify, the properties, the comparison
// classes, the review, the host diff where the call is expressible, and the generated docs.
//
// - `mrelease_copy` is proposals/process_mrelease.ts under another name (a design that was never
//   merged, so without `mergedIn`): everything it reaches must treat it as process_mrelease;
// - `mrelease_noop` answers 0 and reaps nothing (the shape of the 2025 inverted-check bug,
//   reference §F.5): the effectiveness property must catch it.

import assert from "node:assert/strict";
import { hostSupport } from "../src/lab/host/mod.ts";

const REPO = new URL("..", import.meta.url);
const SCENARIO = "scenarios/dstate-little-core.json";
const COPIED = ["mod.ts", "deno.json", "deno.lock", "src", "proposals", "scenarios", "docs"];

const NOOP_DESIGN = `/**
 * A throwaway design (test/design_registration_test.ts): process_mrelease's lookups, then
 * success with nothing reaped.
 *
 * @module
 */

import {
  type Design,
  ERRNO,
  type KGen,
  pidfd_get_task,
  type Primitives,
  SYSCALLS,
  victimFd,
  killFirst,
} from "../src/core/mod.ts";

function* process_mrelease_noop(k: Primitives, pidfd: number, flags: number): KGen<number> {
  if (flags) return -ERRNO.EINVAL;
  const task = pidfd_get_task(k, pidfd, { pidfd_self: false });
  if (task < 0) return task;
  // Where __oom_reap_task_mm() would run.
  yield* k.cond_resched();
  k.put_task_struct(task);
  return 0;
}

export const mrelease_noop: Design = {
  name: "mrelease_noop",
  call: "process_mrelease(pidfd, 0)",
  summary: "Kill, then a process_mrelease that answers 0 and reaps nothing (test only).",
  date: "2099-01-02",
  status: "throwaway (test/design_registration_test.ts)",
  lore: "https://lore.kernel.org/all/20250916194915.1395712-1-clm@meta.com/",
  kernelBase: "6.18",
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
  pins: "mm_count",
  defaults: { flags: 0 },
  semantics: "Looks up the pidfd's thread-group leader (EBADF, ESRCH) and returns 0.",
  review: [{
    who: "Chris Mason",
    said: "A reap that answers success and does nothing is a bug a return-code test misses.",
    link: "https://lore.kernel.org/all/20250916194915.1395712-1-clm@meta.com/",
  }],
  *recipe(u, ctx) {
    const fd = yield* victimFd(u, ctx);
    yield* killFirst(u, ctx, fd);
    const flags = ctx.call.flags ?? 0;
    return yield* u.syscall(
      SYSCALLS.process_mrelease,
      [fd, flags],
      (k) => process_mrelease_noop(k, fd, flags),
    );
  },
};
`;

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function copyRepo(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mrelease-registration-" });
  await Deno.mkdir(`${dir}/wasm`);
  for (const p of [...COPIED, "wasm/pkg"]) {
    const r = await new Deno.Command("cp", {
      args: ["-r", new URL(p, REPO).pathname, `${dir}/${p}`],
    })
      .output();
    assert.ok(r.success, `cp ${p}`);
  }
  return dir;
}

/** Registers a design in the copy: its file, and one line in proposals/registry.ts. */
async function register(dir: string, file: string, text: string, exported: string) {
  await Deno.writeTextFile(`${dir}/proposals/${file}`, text);
  await Deno.writeTextFile(
    `${dir}/proposals/registry.ts`,
    `export { ${exported} } from "./${file}";\n`,
    { append: true },
  );
}

async function deno(dir: string, args: string[]): Promise<Ran> {
  const r = await new Deno.Command(Deno.execPath(), { args, cwd: dir }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

const lab = (dir: string, ...args: string[]) =>
  deno(dir, ["run", "-A", "src/lab/cli/main.ts", ...args]);

function tableRow(out: string, name: string): string[] {
  const row = out.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(row, `a row for ${name} in:\n${out}`);
  return row.split(/\s{2,}/);
}

/** process_mrelease.ts as another, never-merged design. */
async function copyOfMrelease(): Promise<string> {
  const text = await Deno.readTextFile(new URL("proposals/process_mrelease.ts", REPO));
  const renamed = text
    .replace('name: "process_mrelease",', 'name: "mrelease_copy",')
    .replace(/date: "[^"]*",/, 'date: "2099-01-01",')
    .replace(/\n\s*mergedIn: "[^"]*",/, "")
    .replace("export const process_mrelease_design: Design", "export const mrelease_copy: Design");
  assert.match(renamed, /name: "mrelease_copy"/);
  assert.match(renamed, /export const mrelease_copy: Design/);
  assert.doesNotMatch(renamed, /mergedIn/);
  return renamed;
}

Deno.test("a design registered with one line reaches every consumer", async (t) => {
  const dir = await copyRepo();
  try {
    await register(dir, "mrelease_copy.ts", await copyOfMrelease(), "mrelease_copy");

    await t.step("run: the copy runs exactly as process_mrelease does", async () => {
      const r = await lab(
        dir,
        "run",
        SCENARIO,
        "--design",
        "mrelease_copy",
        "--design",
        "process_mrelease",
        "--json",
      );
      assert.equal(r.code, 0, r.err);
      const [copy, original] = JSON.parse(r.out);
      assert.equal(copy.design, "mrelease_copy");
      for (const k of ["variant", "ret", "memory", "cpu_ns", "events_hash"]) {
        assert.deepEqual(copy[k], original[k], k);
      }
    });

    await t.step(
      "compare: a row next to every registered design, with the same cells",
      async () => {
        const r = await lab(dir, "compare", SCENARIO);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(
          tableRow(r.out, "mrelease_copy@mainline").slice(1),
          tableRow(r.out, "process_mrelease@mainline").slice(1),
        );
      },
    );

    await t.step("verify: an expectation written for it is checked", async () => {
      const file = `${dir}/scenarios/paths/args-bad-fd.json`;
      const json = JSON.parse(await Deno.readTextFile(file));
      const mine = json.expect.find((e: { design: string }) => e.design === "process_mrelease");
      assert.ok(mine, "the scenario has an expectation for process_mrelease to copy");
      json.expect.push({ ...mine, design: "mrelease_copy" });
      await Deno.writeTextFile(file, JSON.stringify(json, null, 2));
      const r = await lab(dir, "verify", file);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /mrelease_copy/);
      // The same expectation, wrong on purpose, fails: the copy's run is what is checked.
      const right = JSON.stringify(json, null, 2);
      json.expect.at(-1).ret = "EPERM";
      await Deno.writeTextFile(file, JSON.stringify(json, null, 2));
      const wrong = await lab(dir, "verify", file);
      await Deno.writeTextFile(file, right);
      assert.equal(wrong.code, 1, wrong.out + wrong.err);
      assert.match(wrong.out + wrong.err, /mrelease_copy/);
    });

    await t.step(
      "comparison classes: its differences are classified like the original's",
      async () => {
        for (
          const s of [
            SCENARIO,
            "scenarios/zombie-leader-threads.json",
            "scenarios/vfork-shared-mm.json",
          ]
        ) {
          const r = await lab(dir, "classify", s);
          assert.equal(r.code, 0, `${s}: ${r.out}${r.err}`);
          assert.match(r.out, /mrelease_copy/, s);
          assert.doesNotMatch(r.out, /unclassified/, s);
        }
      },
    );

    await t.step("properties: the sweep runs every property on it", async () => {
      const r = await deno(dir, [
        "run",
        "-A",
        "src/lab/cli/main.ts",
        "sweep",
        "--design",
        "mrelease_copy",
        "--runs",
        "40",
        "--kernel",
        "6.18",
      ]);
      assert.equal(r.code, 0, r.out + r.err);
      for (const p of ["safety", "effectiveness", "latency", "determinism"]) {
        assert.match(r.out, new RegExp(`^${p} +mrelease_copy +holds`, "m"), p);
      }
    });

    await t.step("docs: it gets its page and a column of the index", async () => {
      const r = await deno(dir, ["run", "-A", "src/lab/cli/docs.ts"]);
      assert.equal(r.code, 0, r.err);
      const page = await Deno.readTextFile(`${dir}/docs/proposals/mrelease_copy.md`);
      assert.match(page, /^# mrelease_copy$/m);
      const index = await Deno.readTextFile(`${dir}/docs/proposals/README.md`);
      assert.match(index, /\[mrelease_copy\]\(mrelease_copy\.md\)/);
    });

    await t.step("review: it is measured in every experiment", async () => {
      const r = await lab(dir, "report", "--out", `${dir}/review`);
      assert.equal(r.code, 0, r.err);
      const readme = await Deno.readTextFile(`${dir}/review/README.md`);
      assert.match(readme, /`mrelease_copy`/);
      const results = JSON.parse(await Deno.readTextFile(`${dir}/review/results.json`));
      const runs = JSON.stringify(results);
      assert.ok(runs.split('"mrelease_copy"').length > 10, "many runs of the copy in results.json");
    });

    await t.step("host diff: it runs on this host's kernel and agrees", async () => {
      const support = hostSupport();
      if (!support.ok) {
        console.log(`host diff not run here: ${support.reason}`);
        return;
      }
      const r = await lab(
        dir,
        "diff",
        "scenarios/host/host-mrelease-live.json",
        "--design",
        "mrelease_copy",
        "--json",
      );
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /mrelease_copy/);
    });

    await register(dir, "mrelease_noop.ts", NOOP_DESIGN, "mrelease_noop");

    await t.step(
      "a design that reaps nothing: compare shows it, the properties catch it",
      async () => {
        const c = await lab(dir, "compare", SCENARIO);
        assert.equal(c.code, 0, c.err);
        const [_, ret, killed, reclaimable, freed, _t50, _t90, t100] = tableRow(
          c.out,
          "mrelease_noop",
        );
        assert.deepEqual([ret, killed, reclaimable, freed], ["0", "yes", "512.0 MiB", "512.0 MiB"]);
        // It reaped nothing: the memory came back when the victim's own exit did.
        assert.equal(t100, tableRow(c.out, "sigkill")[7]);

        const s = await lab(
          dir,
          "sweep",
          "--design",
          "mrelease_noop",
          "--property",
          "effectiveness",
          "--runs",
          "200",
          "--kernel",
          "6.18",
        );
        assert.equal(s.code, 1, s.out + s.err);
        assert.match(s.out, /^effectiveness +mrelease_noop +holds +\d+\/\d+ +FAIL/m);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
