/**
 * The playground: the lab in a browser tab. `deno task web` builds a static site (one page,
 * one bundled script, the committed core's WASM) that runs every design on the same core in
 * a Web Worker, and `deno task web --serve` serves it on 127.0.0.1. The browser-side modules
 * (`_app.ts` and what it imports) are bundled, not exported.
 *
 * @example
 * ```ts
 * import { buildSite, serveSite } from "./mod.ts";
 * await buildSite("dist/web");
 * const server = await serveSite("dist/web", 0);
 * console.log(server.url);
 * await server.shutdown();
 * ```
 *
 * @module
 */

export { buildSite, type BuildSiteOptions, SITE_DIR_DEFAULT } from "./_build.ts";
export { PORT_DEFAULT, serveSite, type SiteServer } from "./_serve.ts";
export { CHROMIUM, launchChromium } from "./_browser.ts";
export { startWorker } from "./_worker.ts";
export {
  type ChoiceMark,
  EXPLORE_BUDGET_DEFAULT,
  type ExploreReport,
  exploreScenario,
  type ExploreSettings,
  type OutcomeView,
  replayChoices,
  type Replayed,
  type VerdictView,
} from "./_exploration.ts";
export {
  EVENT_ROWS_MAX,
  type ExploreAnswer,
  type ReplayAnswer,
  type ScenarioSource,
  type Settings,
  settingsFromHash,
  settingsToHash,
  type SiteIndex,
  TIMELINE_BARS_MAX,
} from "./_protocol.ts";
export { type BarKind, type TimelineBar, timelineBars } from "./_timeline.ts";
