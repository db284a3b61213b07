/// <reference lib="dom" />
/**
 * The playground in a real browser: Debian's chromium, headless, driven by playwright-core
 * against the site `deno task web --serve` serves on 127.0.0.1 (built by `deno task web`
 * into a temporary folder). It checks that the page loads without a console error; that the
 * D-state scenario run for two designs in the page shows the numbers and the event-log hash
 * `lab compare --json` prints in Deno for the same seed, and the same trace.json bytes; that
 * the chart has one line per design; that a malformed edit shows the CLI's problems, each
 * at its JSON path, and runs nothing; that a shared URL (a shipped file, and edited JSON)
 * reproduces the run; and that no request leaves 127.0.0.1. Screenshots of the page after
 * the D-state run, at 980 px and at a phone's width, go to a temporary folder (printed).
 *
 * chromium is installed by .ci/setup-chromium.sh, which .ci/run calls before the tests;
 * when it is missing this test calls that script (it installs from Debian as root, else
 * fails saying what to run).
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { CHROMIUM, launchChromium } from "../src/lab/web/mod.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { loadScenarioFile, parseScenario, ScenarioError } from "../src/engine/scenario/mod.ts";
import { traceFile } from "../src/engine/trace/mod.ts";
import { errnoNotes } from "../src/lab/report/mod.ts";
import { lab } from "./_cli.ts";
import { ensureProgram } from "./_debian.ts";
import { cliExplore, type CliOutcome, cliReplayHash } from "./_explore_cli.ts";

const root = new URL("..", import.meta.url);
const DSTATE = "dstate-little-core.json";
const SEED = 7;
/** A shipped race scenario whose exploration has more than one outcome. */
const RACE = "explore/two-callers-same-instant.json";
/** F.3, whose bad outcome needs a historical kernel bug switched back on. */
const F3 = "races/f3-dangling-mmap.json";

/** chromium at /usr/bin/chromium, installed by .ci/setup-chromium.sh if it is not. */
function ensureChromium(): Promise<void> {
  return ensureProgram("setup-chromium.sh", {
    present: async () => {
      try {
        return (await Deno.stat(CHROMIUM)).isFile;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        return false;
      }
    },
    for: "chromium is needed for the playground's test",
  });
}

/** `deno task web --serve --port 0 --out DIR`: the site's URL and how to stop the server. */
async function serve(out: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "web", "--serve", "--port", "0", "--out", out],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    url = text.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
  }
  if (url === undefined) {
    const err = await new Response(child.stderr).text();
    throw new Error(`deno task web --serve did not say where it serves:\n${text}\n${err}`);
  }
  const stderr = child.stderr.cancel();
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel();
      await stderr;
    },
  };
}

/** The designs the page runs: the first baseline and the first design whose caller reaps. */
const two = (() => {
  const all = designs();
  const baseline = all.find((d) => d.kind === "baseline");
  const reaper = all.find((d) => d.kind === "proposal" && d.reaper === "caller");
  assert.ok(baseline && reaper);
  return [baseline.name, reaper.name];
})();

/** Runs the two designs on the page's current scenario with the seed, through the controls. */
async function runTwo(page: Page, runsBefore: number): Promise<void> {
  for (const d of designs()) {
    await page.setChecked(`#design-${d.name}`, two.includes(d.name));
  }
  await page.fill("#seed", String(SEED));
  await page.click("#run");
  await page.waitForSelector(`body[data-runs="${runsBefore + 1}"]`, { state: "attached" });
}

/** Picks a shipped scenario and waits for its text in the editor. */
async function pickScenario(page: Page, path: string): Promise<void> {
  await page.selectOption("#scenario-file", path);
  const name = JSON.parse(await Deno.readTextFile(new URL(`scenarios/${path}`, root))).name;
  await page.waitForFunction(
    (n) =>
      (document.getElementById("scenario-json") as HTMLTextAreaElement).value
        .includes(`"name": ${JSON.stringify(n)}`),
    name,
  );
}

/** The exploration's outcomes as the page shows them. */
function outcomesOf(page: Page): Promise<CliOutcome[]> {
  return page.$$eval("#outcomes tbody tr", (rows) =>
    rows.map((tr) => ({
      count: Number((tr as HTMLElement).dataset.count),
      text: (tr as HTMLElement).dataset.text ?? "",
      replay: tr.querySelector("code")?.textContent ?? "",
    })));
}

/** The replay's step, the events it says were logged by then, and the rows it shows. */
async function replayStep(page: Page): Promise<{ step: number; said: number; rows: number }> {
  const where = await page.textContent("#replay-where") ?? "";
  return {
    step: Number(await page.getAttribute("#replay", "data-step")),
    said: Number(where.match(/after (\d+) event/)?.[1] ?? where.match(/run: (\d+) event/)?.[1]),
    rows: await page.locator("#replay-events tbody tr").count(),
  };
}

/** The comparison table as the page holds it: each row's cells' raw values, by column. */
function tableOf(page: Page): Promise<Record<string, unknown>[]> {
  return page.$$eval("#table tbody tr", (rows) =>
    rows.map((tr) =>
      Object.fromEntries(
        [...tr.querySelectorAll<HTMLElement>("[data-col]")].map((c) => [
          c.dataset.col,
          JSON.parse(c.dataset.raw ?? "null"),
        ]),
      )
    ));
}

Deno.test({
  name: "web: the playground in chromium runs what the command line runs",
  // playwright-core keeps timers and a pipe to the browser open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  await ensureChromium();
  const out = await Deno.makeTempDir({ prefix: "mrelease-web-" });
  const shots = await Deno.makeTempDir({ prefix: "mrelease-web-shots-" });
  const server = await serve(out);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 980, height: 900 } });
    const requests: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith(server.url) ? route.continue() : route.abort();
    });
    const consoleErrors: string[] = [];
    const watch = (page: Page) => {
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(e.message));
      return page;
    };
    const page = watch(await context.newPage());

    await t.step("the page loads with no console error", async () => {
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready]", { state: "attached" });
      assert.equal(await page.inputValue("#scenario-file"), DSTATE);
      assert.deepEqual(consoleErrors, []);
    });

    const cli = await lab("compare", `scenarios/${DSTATE}`, "--json", "--seed", String(SEED));
    assert.equal(cli.code, 0, cli.err);
    const all = JSON.parse(cli.out) as { design: string; variant: string | null; errno: string }[];
    const outcomes = all.filter((o) => two.includes(o.design));
    assert.equal(outcomes.length, 2);

    await t.step("the D-state run shows lab compare --json's values and hashes", async () => {
      await runTwo(page, 0);
      const rows = await tableOf(page);
      assert.deepEqual(
        rows.map((r) => r.design),
        two,
        "one row per design, in order",
      );
      // deno-lint-ignore no-explicit-any
      const want = outcomes.map((o: any) => ({
        design: o.design,
        ret: o.errno,
        killed: o.signal_delivered,
        reclaimable: o.memory.reclaimable_pages,
        freed: o.memory.freed_pages,
        t50: o.memory.t50_ns,
        t90: o.memory.t90_ns,
        t100: o.memory.t100_ns,
        "cpu:caller": o.cpu_ns.caller,
        "cpu:victim": o.cpu_ns.victim,
        "cpu:kthreads": o.cpu_ns.kthreads,
        warnings: o.warnings.map((w: { name: string }) => w.name),
        "event-log hash": o.events_hash,
      }));
      assert.deepEqual(rows, want);
      // The two designs free the memory at different times: the comparison compares.
      assert.notEqual(rows[0].t90, rows[1].t90);
      await page.screenshot({ path: `${shots}/dstate-980px.png`, fullPage: true });
    });

    await t.step("the chart has one line per design, and hovering shows values", async () => {
      const lines = await page.$$eval("#chart .role-mark.mark-line path", (ps) => ps.length);
      assert.equal(lines, two.length);
      const legend = await page.$$eval(
        "#chart .role-legend-label text",
        (ts) => ts.map((x) => x.textContent),
      );
      assert.deepEqual(legend, two);
      // Hovering a point writes its design and values beside it.
      const points = page.locator("#chart .role-mark.mark-symbol path");
      const label = () =>
        page.$$eval("#chart .role-mark.mark-text text", (ts) => ts.map((x) => x.textContent));
      assert.deepEqual(await label(), [], "no values written before the pointer is there");
      await page.locator("#chart").scrollIntoViewIfNeeded();
      const target = points.nth((await points.count()) - 2);
      const aria = await target.getAttribute("aria-label") ?? "";
      const box = await target.boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
      await page.waitForSelector("#chart .role-mark.mark-text text");
      const [shown] = await label();
      const series = aria.match(/series: ([^;]+)/)?.[1];
      const mib = Number(aria.match(/memory freed \(MiB\): ([\d.]+)/)?.[1]);
      assert.ok(series && two.includes(series), aria);
      assert.ok(shown?.startsWith(`${series}: ${mib.toFixed(1)} MiB at `), `${shown} / ${aria}`);
    });

    await t.step("the timeline, the events and the designs' panels are there", async () => {
      const lanes = await page.$$eval(
        "#timeline .role-axis-label text",
        (ts) => ts.map((x) => x.textContent ?? ""),
      );
      assert.ok(lanes.some((l) => l.startsWith("CPU ")), lanes.join(", "));
      await page.selectOption("#events-kind", "sys_enter");
      const kinds = await page.$$eval(
        "#events tbody tr",
        (rs) => rs.map((r) => (r as HTMLElement).dataset.kind),
      );
      assert.ok(kinds.length > 0 && kinds.every((k) => k === "sys_enter"));
      const panel = page.locator(`#design-panels details[data-design="${two[1]}"]`);
      await panel.locator("summary").click();
      await panel.locator(".doc h1").waitFor();
      assert.match(
        await panel.locator(".source").textContent() ?? "",
        /from "\.\.\/src\/core\/mod\.ts"/,
      );
      await panel.screenshot({ path: `${shots}/design-panel.png` });
    });

    await t.step("a refused call's errno is explained beside its result", async () => {
      // The designs lab compare says a permission check refused, and why (the review's words).
      const scenario = await loadScenarioFile(new URL(`scenarios/${DSTATE}`, root).pathname);
      const notes = errnoNotes(scenario, all);
      const why = (o: (typeof all)[number]) => {
        const who = `${o.variant ? `${o.design}@${o.variant}` : o.design} answers `;
        return notes.find((n) => n.startsWith(who))?.slice(who.length);
      };
      const refused = all.filter((o) => why(o) !== undefined);
      assert.ok(refused.length > 0, "the D-state world has a caller without CAP_SYS_PTRACE");
      const other = watch(await context.newPage());
      const d = refused.map((o) => o.design).join(",");
      await other.goto(`${server.url}#file=${DSTATE}&d=${d}&seed=${SEED}`);
      await other.waitForSelector('body[data-runs="1"]', { state: "attached" });
      for (const o of refused) {
        const panel = other.locator(`#design-panels details[data-design="${o.design}"]`);
        assert.match(await panel.locator("summary").textContent() ?? "", new RegExp(o.errno));
        const shown = await panel.locator("li").allTextContents();
        assert.ok(shown.includes(why(o)!), shown.join("\n"));
        // And the design's own description, where it names the errno.
        assert.ok(shown.some((l) => l !== why(o) && l.includes(o.errno)), shown.join("\n"));
      }
      await other.close();
    });

    await t.step("trace.json downloads the bytes lab run --trace json writes", async () => {
      const panel = page.locator(`#design-panels details[data-design="${two[1]}"]`);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        panel.locator('button[data-trace="json"]').click(),
      ]);
      const got = await Deno.readFile(await download.path());
      const scenario = await loadScenarioFile(new URL(`scenarios/${DSTATE}`, root).pathname);
      const design = designs().find((d) => d.name === two[1])!;
      const want = traceFile(runScenario(scenario, { design, seed: SEED }), "json").data;
      assert.deepEqual(got, want);
    });

    await t.step("a shared URL reproduces the run", async () => {
      const shared = await page.inputValue("#share");
      const before = await tableOf(page);
      const other = watch(await context.newPage());
      await other.goto(shared);
      await other.waitForSelector('body[data-runs="1"]', { state: "attached" });
      assert.deepEqual(await tableOf(other), before);
      await other.close();
    });

    await t.step(
      "exploration: lab explore's outcomes, a witness replayed step by step",
      async () => {
        const ex = watch(await context.newPage());
        await ex.goto(server.url);
        await ex.waitForSelector("body[data-ready]", { state: "attached" });
        await pickScenario(ex, RACE);
        await ex.selectOption("#explore-design", "process_mrelease");
        await ex.fill("#explore-preemptions", "2");
        await ex.click("#explore-run");
        await ex.waitForSelector('body[data-explored="1"]', { state: "attached" });
        const cli = await cliExplore(`scenarios/${RACE}`, "process_mrelease", "--preemptions", "2");
        assert.equal(cli.code, 0, cli.err);
        assert.ok(cli.outcomes.length >= 2, "a race: more than one outcome");
        assert.deepEqual(await outcomesOf(ex), cli.outcomes);
        assert.ok(cli.verdict);
        assert.ok((await ex.textContent("#explore-verdict"))?.includes(cli.verdict));
        assert.equal(await ex.isHidden("#explore-budget-note"), true);

        // The last outcome's witness, replayed: the run lab replay runs.
        const last = cli.outcomes.length - 1;
        await ex.click(`#outcomes button[data-witness="${last}"]`);
        await ex.waitForSelector('body[data-replayed="1"]', { state: "attached" });
        const hash = await ex.getAttribute("#replay-identity", "data-hash");
        assert.equal(hash, await cliReplayHash(cli.outcomes[last].replay));
        // Step by step: each choice shows the events logged by then, the end shows them all.
        const first = await replayStep(ex);
        assert.deepEqual([first.step, first.rows], [1, first.said]);
        await ex.click("#replay-next");
        const second = await replayStep(ex);
        assert.equal(second.step, 2);
        assert.equal(second.rows, second.said);
        assert.ok(second.said >= first.said);
        await ex.focus("#replay-step");
        await ex.keyboard.press("End");
        const end = await replayStep(ex);
        assert.equal(end.rows, end.said);
        assert.ok(end.said > second.said, "the end of the run has more events than its choices");
        const lanes = await ex.$$eval(
          "#replay-timeline .role-axis-label text",
          (ts) => ts.map((x) => x.textContent ?? ""),
        );
        assert.ok(lanes.includes("scheduler choices"), lanes.join(", "));
        // The screenshot shows the choice where the witness leaves the default schedule.
        const departs = cli.outcomes[last].replay.split(",").length;
        const drawn = await ex.getAttribute("#replay-timeline", "data-drawn");
        await ex.fill("#replay-step", String(departs));
        const at = await replayStep(ex);
        assert.deepEqual([at.step, at.rows], [departs, at.said]);
        await ex.waitForFunction(
          (before) => document.getElementById("replay-timeline")?.dataset.drawn !== before,
          drawn,
        );
        await ex.locator("#exploration").screenshot({ path: `${shots}/exploration.png` });

        // The URL reproduces the exploration and the replay.
        const shared = await ex.inputValue("#share");
        assert.match(shared, /[#&]x=process_mrelease&xk=2&xb=\d+&xw=\d+/);
        const other = watch(await context.newPage());
        await other.goto(shared);
        await other.waitForSelector('body[data-replayed="1"]', { state: "attached" });
        assert.deepEqual(await outcomesOf(other), cli.outcomes);
        assert.equal(await other.getAttribute("#replay-identity", "data-hash"), hash);
        await other.close();

        // A budget reached says so, naming the limit.
        await ex.fill("#explore-budget", "3");
        await ex.click("#explore-run");
        await ex.waitForSelector('body[data-explored="2"]', { state: "attached" });
        assert.match(
          await ex.textContent("#explore-budget-note") ?? "",
          /Budget reached: 3 schedules ran and more are left.*--budget/,
        );

        // Every schedule: the verdict the scenario states for that walk, which holds.
        const stated = (JSON.parse(await Deno.readTextFile(new URL(`scenarios/${RACE}`, root))) as {
          explore: { expect: { design: string; preemptions?: number; verdict: string }[] };
        }).explore.expect.find((e) => e.design === "process_mrelease" && !("preemptions" in e));
        assert.ok(stated);
        await ex.fill("#explore-preemptions", "");
        await ex.fill("#explore-budget", "100000");
        await ex.click("#explore-run");
        await ex.waitForSelector('body[data-explored="3"]', { state: "attached" });
        const all = await cliExplore(`scenarios/${RACE}`, "process_mrelease");
        assert.deepEqual(await outcomesOf(ex), all.outcomes);
        assert.ok(
          (await ex.textContent("#explore-verdict"))?.includes(
            `${all.verdict}. The scenario states ${stated.verdict} for this walk (lab verify ` +
              "checks it): it holds.",
          ),
        );

        // A historical kernel bug switched back on: F.3's reaper reads the freed VMA.
        await pickScenario(ex, F3);
        await ex.selectOption("#kernel", "5.17");
        await ex.selectOption("#explore-design", "process_mrelease@v5.17");
        await ex.check("#explore-bug-1");
        await ex.click("#explore-run");
        await ex.waitForSelector('body[data-explored="4"]', { state: "attached" });
        const f3 = await cliExplore(
          `scenarios/${F3}`,
          "process_mrelease@v5.17",
          "--kernel",
          "5.17",
          "--kernel-bugs",
          "1",
        );
        assert.match(f3.verdict ?? "", /: Always \(/);
        assert.deepEqual(await outcomesOf(ex), f3.outcomes);
        assert.match(await ex.textContent("#explore-verdict") ?? "", /states always .*it holds/);
        assert.match(await ex.inputValue("#share"), /&xbugs=1/);
        await ex.close();
      },
    );

    await t.step("a malformed edit shows the path-named problems and runs nothing", async () => {
      const text = await page.inputValue("#scenario-json");
      const json = JSON.parse(text);
      json.cpus[0].capacity = "fast";
      delete json.intent;
      const bad = JSON.stringify(json, null, 2);
      let cliProblems: string[] = [];
      try {
        parseScenario(bad);
      } catch (e) {
        assert.ok(e instanceof ScenarioError);
        cliProblems = e.problems.map((p) => `${p.path}: ${p.message}`);
      }
      assert.ok(cliProblems.some((p) => p.startsWith("$.cpus[0].capacity:")), cliProblems[0]);
      await page.fill("#scenario-json", bad);
      await page.click("#run");
      await page.waitForSelector("#scenario-errors li[data-path]");
      const shown = await page.$$eval("#scenario-errors li", (ls) => ls.map((l) => l.textContent));
      assert.deepEqual(shown, cliProblems);
      assert.equal(await page.getAttribute("body", "data-runs"), "1", "nothing ran");
      assert.equal(await page.isHidden("#results"), true);
      assert.match(await page.textContent("#status") ?? "", /Not run/);
    });

    await t.step("an edited scenario's shared URL carries the exact text", async () => {
      const json = JSON.parse(await page.inputValue("#scenario-json"));
      const edited = JSON.parse(
        await Deno.readTextFile(new URL(`scenarios/${DSTATE}`, root)),
      );
      edited.description = `${json.description ?? ""} Edited in the playground.`;
      const text = JSON.stringify(edited, null, 1);
      await page.fill("#scenario-json", text);
      await page.click("#run");
      await page.waitForSelector('body[data-runs="2"]', { state: "attached" });
      const shared = await page.inputValue("#share");
      assert.match(shared, /#json=/);
      const other = watch(await context.newPage());
      await other.goto(shared);
      await other.waitForSelector('body[data-runs="1"]', { state: "attached" });
      assert.equal(await other.inputValue("#scenario-json"), text);
      assert.deepEqual(await tableOf(other), await tableOf(page));
      await other.close();
    });

    await t.step("keyboard: every control has a label, Space ticks, Enter runs", async () => {
      const kb = watch(await context.newPage());
      await kb.goto(server.url);
      await kb.waitForSelector("body[data-ready]", { state: "attached" });
      const unlabelled = await kb.$$eval(
        "input, select, textarea, button",
        (els) =>
          els.filter((e) =>
            !(e as HTMLInputElement).labels?.length && !e.getAttribute("aria-label") &&
            !(e.tagName === "BUTTON" && (e.textContent ?? "").trim())
          ).map((e) => e.outerHTML),
      );
      assert.deepEqual(unlabelled, []);
      for (const d of designs()) {
        await kb.focus(`#design-${d.name}`);
        if (!two.includes(d.name)) await kb.keyboard.press("Space");
      }
      assert.deepEqual(
        await kb.$$eval(
          "#design-list input:checked",
          (bs) => bs.map((b) => (b as HTMLInputElement).value),
        ),
        two,
      );
      await kb.focus("#seed");
      await kb.keyboard.type(String(SEED));
      await kb.keyboard.press("Enter");
      await kb.waitForSelector('body[data-runs="1"]', { state: "attached" });
      assert.deepEqual(await tableOf(kb), await tableOf(page));
      await kb.close();
    });

    await t.step("readable on a phone", async () => {
      const phone = watch(
        await browser!.newPage({ viewport: { width: 390, height: 844 }, isMobile: true }),
      );
      await phone.goto(await page.inputValue("#share"));
      await phone.waitForSelector('body[data-runs="1"]', { state: "attached" });
      const overflow = await phone.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth
      );
      assert.equal(overflow, 0, "nothing wider than the screen but the scrolling tables");
      await phone.screenshot({ path: `${shots}/dstate-phone.png`, fullPage: true });
      await phone.close();
    });

    await t.step("no request left 127.0.0.1, and no console error on any page", () => {
      assert.ok(requests.length > 0);
      assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
      assert.deepEqual(consoleErrors, []);
      console.log(`screenshots: ${shots}`);
    });
  } finally {
    await browser?.close();
    await server.stop();
    await Deno.remove(out, { recursive: true });
  }
});
