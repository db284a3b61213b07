/**
 * The simulated kernel itself (the WebAssembly core's `Kernel`), for the engine that loads
 * worlds into it and drives it (src/engine/run). It is not part of the kernel API face
 * (`mod.ts`): a design sees the kernel only through its primitives.
 *
 * @module
 */

export { ABI_VERSION, Kernel } from "./_wasm.ts";
