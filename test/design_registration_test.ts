// docs/design-author-guide.md, followed: a throwaway sixth design, written the way the guide
// says (kernel side as a generator against the primitives, userspace from src/core/recipe.ts),
// but handed to the lab as an extra design instead of a line in proposals/registry.ts. It
// must show up in `lab compare` next to every registered design, verify against a scenario
// expectation written for it, and get a docs page of its own.

import assert from "node:assert/strict";
import { runCommand } from "../src/lab/cli/_run.ts";
import { ERRNO } from "../src/core/errno.ts";
import type { KGen, Primitives } from "../src/core/primitives.ts";
import { PIDTYPE_TGID } from "../src/core/kernel.ts";
import { SYSCALLS } from "../src/core/userspace.ts";
import type { Design } from "../src/core/design.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { generateDocs } from "../src/lab/docs/mod.ts";
import { killFirst, victimFd } from "../src/core/recipe.ts";
import { verifyScenario } from "../src/engine/run/verify.ts";
import { loadScenarioFile } from "../src/engine/scenario/mod.ts";

const SCENARIO = "scenarios/dstate-little-core.json";

/**
 * process_mrelease with the reap left out: the lookups, then success. The shape of the 2025
 * inverted-check bug (reference §F.5): a call that answers 0 and frees nothing, which only
 * a check of the freed pages, not of the return code, catches.
 */
function* process_mrelease_noop(
  k: Primitives,
  args: { pidfd: number; flags: number },
): KGen<number> {
  if (args.flags) return -ERRNO.EINVAL;
  const pid = k.pidfd_get_pid(args.pidfd);
  if (pid < 0) return -ERRNO.EBADF;
  const task = k.get_pid_task(pid, PIDTYPE_TGID);
  if (!task) return -ERRNO.ESRCH;
  // Where __oom_reap_task_mm() would run. A generator may sleep; this one never does.
  yield* k.cond_resched();
  k.put_task_struct(task);
  return 0;
}

const noop: Design = {
  name: "mrelease_noop",
  call: "process_mrelease(pidfd, 0)",
  summary: "Kill, then a process_mrelease that answers 0 and reaps nothing (test only).",
  date: "2099-01-01",
  status: "throwaway (test/design_registration_test.ts)",
  lore: "https://lore.kernel.org/all/20250916194915.1395712-1-clm@meta.com/",
  kernelBase: "6.18",
  kind: "proposal",
  reaper: "caller",
  killsInCall: false,
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
      (k) => process_mrelease_noop(k, { pidfd: fd, flags }),
    );
  },
};

/** Runs `fn` with console.log captured; returns what it printed. */
async function captureLog(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.log = original;
  }
  return lines.join("\n");
}

Deno.test("an extra design appears in lab compare next to every registered design", async () => {
  let code = -1;
  const out = await captureLog(async () => {
    code = await runCommand([SCENARIO], { defaults: "all", extra: [noop] });
  });
  assert.equal(code, 0);
  const lines = out.split("\n");
  const header = lines.findIndex((l) => l.startsWith("design "));
  assert.ok(header >= 0, `a table header in:\n${out}`);
  const rows = lines.slice(header + 2).filter((l) => /^\S/.test(l) && !l.startsWith("replay"));
  const rowNames = rows.map((l) => l.split(/\s+/)[0].split("@")[0]);
  // Every registered design, oldest first, then the extra one.
  assert.deepEqual(rowNames, [...designs().map((d) => d.name), "mrelease_noop"]);

  const cells = (name: string) => rows.find((l) => l.startsWith(`${name} `))!.split(/\s{2,}/);
  const [_, ret, killed, reclaimable, freed, _t50, _t90, t100] = cells("mrelease_noop");
  assert.deepEqual([ret, killed, reclaimable, freed], ["0", "yes", "512.0 MiB", "512.0 MiB"]);
  // It reaped nothing: the memory came back when the victim's own exit did, as with sigkill.
  assert.equal(t100, cells("sigkill")[7]);
  assert.notEqual(t100, cells("process_mrelease@mainline")[7]);
});

Deno.test("an extra design's expectation verifies, and the generator gives it a page", async () => {
  const root = await Deno.makeTempDir({ prefix: "mrelease-docs-" });
  try {
    const json = JSON.parse(await Deno.readTextFile(SCENARIO));
    json.expect.push({
      design: "mrelease_noop",
      ret: "0",
      signal_delivered: true,
      freed_pages: { min: 131072, max: 131072 },
      t100_ms: { min: 639 },
      note: "Answers 0, reaps nothing: the victim frees its memory itself after its D sleep.",
    });
    await Deno.mkdir(`${root}/scenarios`);
    const path = `${root}/scenarios/dstate-little-core.json`;
    await Deno.writeTextFile(path, JSON.stringify(json, null, 2));

    // What `lab verify` checks, with the extra design.
    const verdicts = verifyScenario(await loadScenarioFile(path), [noop]);
    const mine = verdicts.find((v) => v.design === "mrelease_noop");
    assert.ok(mine, "the expectation ran");
    assert.deepEqual(mine.failures, []);

    const opts = { designs: designs([noop]), root };
    const docs = await generateDocs(opts);
    assert.deepEqual(
      [...docs.keys()].filter((p) => p.startsWith("docs/proposals/")),
      [
        "docs/proposals/README.md",
        ...designs([noop]).map((d) => `docs/proposals/${d.name}.md`).sort(),
      ],
    );
    const page = docs.get("docs/proposals/mrelease_noop.md")!;
    assert.match(page, /^<!-- deno-fmt-ignore-file -->\n<!-- Generated by `deno task docs`/);
    assert.match(page, /^# mrelease_noop$/m);
    assert.match(page, /Looks up the pidfd's thread-group leader/);
    const row = page.split("\n").find((l) => l.startsWith("| [dstate-little-core]"));
    assert.ok(row, `an error-table row in:\n${page}`);
    assert.match(row, /\(\.\.\/\.\.\/scenarios\/dstate-little-core\.json\)/);
    assert.match(row, /\| 6\.18 \(default\) +\| 0 +\| yes +\| 131072 \(512 MiB\) +\|/);
    assert.match(row, /the victim frees its memory itself/);
    assert.match(page, /- \*\*Chris Mason\*\*: .*\(\[lore\]\(https:\/\/lore\.kernel\.org\//);

    const index = docs.get("docs/proposals/README.md")!;
    assert.match(index, /^\| \[mrelease_noop\]\(mrelease_noop\.md\) +\| `process_mrelease/m);
    // The matrix has a column for it, and the scenario's cell says 0.
    const matrixHeader = index.split("\n").find((l) => l.startsWith("| scenario "))!;
    const col = matrixHeader.split("|").map((c) => c.trim()).indexOf(
      "[mrelease_noop](mrelease_noop.md)",
    );
    assert.ok(col > 0, matrixHeader);
    const matrixRow = index.split("\n").filter((l) => l.startsWith("| [dstate-little-core]"))[0];
    assert.equal(matrixRow.split("|").map((c) => c.trim())[col], "0");

    // Deterministic: a second generation gives the same bytes.
    assert.deepEqual(await generateDocs(opts), docs);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
