/**
 * The one module that imports the generated bindings in `wasm/pkg/`. It checks the ABI
 * version once, at load: a core built from other sources refuses to run.
 *
 * @module
 */

import { Kernel } from "../../wasm/pkg/mrelease_core.js";

/** The ABI version this TypeScript side speaks (wasm/src/abi.rs `ABI_VERSION`). */
export const ABI_VERSION = 5;

const found = Kernel.abi_version();
if (found !== ABI_VERSION) {
  throw new Error(
    `wasm/pkg speaks ABI ${found}, this lab speaks ${ABI_VERSION}: run \`deno task build:wasm\``,
  );
}

export { Kernel };
