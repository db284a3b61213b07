// Folding a zap's equal batches (wasm/src/fold.rs): a run with folding on is the run with
// every batch its own step, as everything past the raw log sees it: the decoded events
// (which write each folded run out), the outcome (t50/t90/t100 read off a folded run
// without writing it out), the step count. Only the raw log and its hash differ.

import assert from "node:assert/strict";
import { freedPages, type RunResult, runScenario } from "../src/engine/run/mod.ts";
import { freedRuns } from "../src/engine/run/freed.ts";
import { loadScenarioFile, type Scenario } from "../src/engine/scenario/mod.ts";
import { EVENT_KINDS, EVENT_WORDS } from "../src/engine/trace/mod.ts";
import { designs, findDesign } from "../src/lab/designs/mod.ts";
import { victimOfSize } from "../src/lab/tools/mod.ts";

const ROOT = new URL("../scenarios/", import.meta.url);

async function scenarioFiles(dir: URL): Promise<URL[]> {
  const out: URL[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await scenarioFiles(new URL(`${e.name}/`, dir)));
    else if (e.name.endsWith(".json")) out.push(new URL(e.name, dir));
  }
  return out.sort((a, b) => a.href.localeCompare(b.href));
}

/** What a run shows past its raw log. */
function seen(r: RunResult): string {
  return JSON.stringify({
    events: r.events,
    outcome: { ...r.outcome, events_hash: "" },
    stats: r.stats,
  });
}

function shorthands(r: RunResult): number {
  let n = 0;
  for (let i = 0; i < r.log.length; i += EVENT_WORDS) {
    if (r.log[i + 3] === EVENT_KINDS.rss_stat_run) n++;
  }
  return n;
}

/** Runs both ways; the number of folded runs (shorthands) in the folded run's log. */
function compare(s: Scenario, name: string, opts: Parameters<typeof runScenario>[1]): number {
  const folded = runScenario(s, opts);
  const each = runScenario(s, { ...opts, folding: false });
  assert.equal(shorthands(each), 0, `${name}: folding off folds nothing`);
  assert.equal(seen(folded), seen(each), `${name}: the same run`);
  return shorthands(folded);
}

Deno.test("every scenario file under every design and three kernels: the same run folded", async () => {
  let runs = 0, folded = 0;
  for (const url of await scenarioFiles(ROOT)) {
    let s: Scenario;
    try {
      s = await loadScenarioFile(url.pathname);
    } catch {
      continue; // not a lab scenario (an explore or host file's other shape)
    }
    for (const d of designs()) {
      for (const kernel of new Set([s.kernel, "5.15", "6.18"] as const)) {
        let n: number;
        try {
          n = compare(s, `${url.pathname} ${d.name} ${kernel}`, { design: d, kernel });
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          continue; // a design the kernel has no variant of
        }
        runs++;
        if (n > 0) folded++;
      }
    }
  }
  assert.ok(runs > 500, `${runs} runs compared`);
  assert.ok(folded > 100, `${folded} of ${runs} runs folded something`);
});

Deno.test("a 64 GiB victim's run is the same folded, and its raw log is a small run's size", async () => {
  const json = JSON.parse(await Deno.readTextFile(new URL("dstate-little-core.json", ROOT)));
  const large = victimOfSize(json, "64GiB");
  const small = victimOfSize(json, "4MiB");
  for (const d of designs()) {
    for (const kernel of ["5.15", "6.18"] as const) {
      compare(large, `64 GiB ${d.name} ${kernel}`, { design: d, kernel });
    }
  }
  const sigkill = findDesign("sigkill");
  const big = runScenario(large, { design: sigkill });
  const tiny = runScenario(small, { design: sigkill });
  // 16,777,216 pages are 4,096 batches: written out, one rss_stat each; in the raw log, the
  // exit's unmap runs alone on its little core, so they are one shorthand and one record.
  const rss = big.events.filter((e) => e.kind === EVENT_KINDS.rss_stat && e.pid === 1000);
  assert.ok(rss.length >= 4096, `${rss.length} rss_stat records written out`);
  assert.equal(big.log.length, tiny.log.length + EVENT_WORDS, "one shorthand more than 4 MiB");
  assert.equal(big.outcome.event_count, big.events.length, "event_count counts written out");
});

Deno.test("freedRuns and freedPages: the same frees, folded and written out", async () => {
  const json = JSON.parse(await Deno.readTextFile(new URL("dstate-little-core.json", ROOT)));
  const r = runScenario(victimOfSize(json, "1GiB"), { design: findDesign("sigkill") });
  const watch = { mms: [3], caller: 501, victims: new Set([1000, 1001, 1002]) };
  const runs = freedRuns(r, watch);
  const pages = freedPages(r, watch);
  assert.ok(runs.some((f) => f.batches > 1), "a folded run");
  assert.equal(pages.length, runs.reduce((n, f) => n + f.batches, 0));
  const sum = (xs: { pages: number }[]) => xs.reduce((n, f) => n + f.pages, 0);
  assert.equal(sum(pages), sum(runs));
  assert.equal(sum(pages), 262144, "1 GiB of anonymous pages");
  const each = runScenario(victimOfSize(json, "1GiB"), {
    design: findDesign("sigkill"),
    folding: false,
  });
  assert.deepEqual(freedPages(each, watch), pages, "written out: the batch-by-batch frees");
});
