/**
 * `deno task bench:web [--write-doc]`: the playground's speed in Debian's chromium against
 * Deno's, on the D-state scenario (a benchmark, not a test: nothing is asserted). It builds
 * the site into a temporary folder, serves it on 127.0.0.1 and measures
 *
 * - page load to first result: opening a shared URL (every design, seed 1) until the table is
 *   there, in a fresh browser context each time (nothing cached), the median of 5;
 * - runs per second: every design run N times in the page's own Web Worker (its `bench`
 *   request), against the same runs with `runScenario` in this Deno process.
 *
 * `--write-doc` writes the figures between the `web-bench` markers of docs/performance.md.
 * It is separate from `deno task bench` so that the benchmarks need no browser.
 *
 * @module
 */

import { runScenario } from "../../engine/run/mod.ts";
import { loadScenarioFile } from "../../engine/scenario/mod.ts";
import { designs } from "../designs/mod.ts";
import { buildSite, launchChromium, serveSite } from "./mod.ts";
import { READY_ID } from "./_protocol.ts";

const ROOT = decodeURIComponent(new URL("../../..", import.meta.url).pathname).replace(/\/$/, "");
const SCENARIO = "dstate-little-core.json";
const DOC = "docs/performance.md";
const BEGIN = "<!-- web-bench:begin -->";
const END = "<!-- web-bench:end -->";
/** Runs of each design, in the browser and in Deno (after as many warm-up runs). */
const RUNS = 200;
/** Page loads measured. */
const LOADS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (import.meta.main) {
  const writeDoc = Deno.args.includes("--write-doc");
  if (Deno.args.some((a) => a !== "--write-doc")) {
    console.error("usage: deno task bench:web [--write-doc]");
    Deno.exit(2);
  }
  const names = designs().map((d) => d.name);
  const text = await Deno.readTextFile(`${ROOT}/scenarios/${SCENARIO}`);
  const dir = await Deno.makeTempDir({ prefix: "mrelease-web-bench-" });
  await buildSite(dir);
  const server = await serveSite(dir, 0);
  const browser = await launchChromium();
  try {
    const loads: number[] = [];
    const url = `${server.url}#file=${SCENARIO}&d=${names.join(",")}&seed=1`;
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(url);
      await page.waitForSelector('body[data-runs="1"]', { state: "attached" });
      loads.push(performance.now() - start);
      await context.close();
    }
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready]", { state: "attached" });
    const args = { text, names, runs: RUNS, ready: READY_ID };
    const browserMs = await page.evaluate(async ({ text, names, runs, ready }: typeof args) => {
      const w = new Worker("app.js", { type: "module" });
      const ask = (msg: object) =>
        new Promise<{ ms: number }>((resolve, reject) => {
          w.onmessage = (e) => {
            if (e.data.id === ready) return;
            if (e.data.ok) resolve(e.data.value);
            else reject(new Error(e.data.error));
          };
          w.postMessage(msg);
        });
      await new Promise<void>((resolve) => w.onmessage = () => resolve());
      let ms = 0;
      for (const [i, design] of names.entries()) {
        await ask({ id: 2 * i + 1, op: "bench", text, design, runs }); // warm-up
        ms += (await ask({ id: 2 * i + 2, op: "bench", text, design, runs })).ms;
      }
      w.terminate();
      return ms;
    }, args);
    const scenario = await loadScenarioFile(`${ROOT}/scenarios/${SCENARIO}`);
    let denoMs = 0;
    for (const d of designs()) {
      for (let i = 0; i < RUNS; i++) runScenario(scenario, { design: d });
      const start = performance.now();
      for (let i = 0; i < RUNS; i++) runScenario(scenario, { design: d });
      denoMs += performance.now() - start;
    }
    const total = RUNS * names.length;
    const rate = (ms: number) => Math.round(total / (ms / 1000));
    const version = browser.version();
    const body = [
      `Measured by \`deno task bench:web --write-doc\` on \`scenarios/${SCENARIO}\` ` +
      `(${names.length} designs × ${RUNS} runs each, after as many warm-up runs):`,
      "",
      "| figure | chromium | Deno |",
      "| --- | --- | --- |",
      `| page load to first result (median of ${LOADS}, nothing cached; every design, seed 1) | ` +
      `${Math.round(median(loads))} ms | - |`,
      `| scenario runs per second (the page's Web Worker; Deno's main thread) | ` +
      `${rate(browserMs)} | ${rate(denoMs)} |`,
      `| browser / Deno | ${(rate(browserMs) / rate(denoMs)).toFixed(2)}× | |`,
      "",
      `- chromium ${version} (Debian), headless; Deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
      `- page loads: ${loads.map((x) => Math.round(x)).join(", ")} ms`,
    ].join("\n");
    console.log(body);
    if (writeDoc) {
      const path = `${ROOT}/${DOC}`;
      const doc = await Deno.readTextFile(path);
      const from = doc.indexOf(BEGIN), to = doc.indexOf(END);
      if (from < 0 || to < from) throw new Error(`${DOC} has no ${BEGIN} ... ${END} markers`);
      await Deno.writeTextFile(
        path,
        `${doc.slice(0, from + BEGIN.length)}\n\n${body}\n\n${doc.slice(to)}`,
      );
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", DOC], cwd: ROOT }).output();
      console.log(`rewrote the playground's figures in ${DOC}`);
    }
  } finally {
    await browser.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
