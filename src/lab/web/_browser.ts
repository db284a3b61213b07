/**
 * Debian's chromium, headless, driven by playwright-core: what the playground's test and its
 * benchmark open the site with. The browser comes from Debian (`.ci/setup-chromium.sh`), never
 * from Playwright's own downloads.
 *
 * @module
 */

import fs from "node:fs";
import type { Browser } from "playwright-core";

/** Where Debian installs chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Launches chromium headless. playwright-core asks `fs.existsSync` of a /proc/sys path when
 * it loads (is this WSL?): Node answers false for a path it may not read, Deno throws
 * NotCapable (it grants /proc/sys only to --allow-all, which no task gets), so the answer is
 * made Node's before playwright-core is loaded.
 */
export async function launchChromium(): Promise<Browser> {
  const existsSync = fs.existsSync;
  fs.existsSync = (path: fs.PathLike) => {
    try {
      return existsSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotCapable) return false;
      throw e;
    }
  };
  const { chromium } = await import("playwright-core");
  // --no-sandbox: the project's machines run as root, where chromium's sandbox refuses to start.
  return await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}
