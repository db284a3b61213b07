/**
 * The playground's one script: in a Web Worker it is the worker (`_worker.ts`), in the page
 * it is the page (`_page.ts`), which starts a worker from this same script. Both are
 * imported statically: the core's module awaits its `.wasm` at the top level, and a bundle
 * that wraps modules for a dynamic import can deadlock on that await in an import cycle.
 *
 * @module
 */

import { startPage } from "./_page.ts";
import { startWorker } from "./_worker.ts";

if (typeof (globalThis as { document?: unknown }).document === "undefined") {
  startWorker(globalThis as unknown as Parameters<typeof startWorker>[0]);
} else {
  await startPage(new URL(import.meta.url));
}
