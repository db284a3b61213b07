/**
 * Scenarios: the JSON files that describe a simulated machine at time 0
 * (CPUs, address spaces, processes, threads, fds), what happens over time,
 * and which process the memory killer goes after. This module reads and
 * validates them (every problem reported at once, each with its JSON path)
 * and encodes them as the world program the Rust core loads.
 *
 * The format is documented for users in `docs/scenario-format.md`.
 *
 * @example
 * ```ts
 * import { encodeWorld, loadScenarioFile } from "./mod.ts";
 * const s = await loadScenarioFile("scenarios/dstate-little-core.json");
 * const program = encodeWorld(s, { kernel: "5.15" });
 * ```
 * @module
 */

import type { KernelVersion } from "./abi.ts";
import { encode } from "./_encode.ts";
import { readJson } from "./_json.ts";
import { type ReadScenarioOptions, readScenarioText } from "./files.ts";
import type { Scenario } from "./types.ts";
import { validate } from "./_validate.ts";

export * from "./abi.ts";
export { SCENARIO_LIMITS } from "./limits.ts";
export { cgroupHandleOf } from "./_cgroups.ts";
export {
  type ReadScenarioOptions,
  readScenarioText,
  SCENARIO_BYTES_MAX,
  scenarioFiles,
} from "./files.ts";
export * from "./types.ts";
export {
  ScenarioError,
  ScenarioFileError,
  type ScenarioFileProblem,
  type ScenarioProblem,
} from "./error.ts";
export {
  CPU_PRESET_NAMES,
  CPU_PRESETS,
  type CpuPreset,
  type CpuPresetName,
  cpuSpeedRatio,
  exitShare,
  FREQ_INDEPENDENT_FRACTION,
} from "./presets.ts";
export { HORIZON_MS_DEFAULT, KERNEL_DEFAULT, SEED_DEFAULT } from "./_validate.ts";

/** Options of {@linkcode parseScenario}. */
export interface ParseScenarioOptions {
  /** The file the text came from; named in the error message. */
  path?: string;
}

/**
 * Parses and validates scenario JSON text. Throws a {@linkcode ScenarioError}
 * with every problem: bad JSON syntax (with line and column), duplicate keys,
 * unknown keys, out-of-range values, broken cross-references.
 *
 * @example
 * ```ts
 * import { parseScenario } from "./mod.ts";
 * const text = await Deno.readTextFile("scenarios/mixed-vmas.json");
 * const s = parseScenario(text, { path: "scenarios/mixed-vmas.json" });
 * console.log(s.mms[0].vmas.length);
 * ```
 */
export function parseScenario(text: string, opts: ParseScenarioOptions = {}): Scenario {
  const { value, duplicates, duplicates_omitted } = readJson(text, opts.path);
  return validate(value, {
    source: opts.path,
    extra: duplicates,
    extra_omitted: duplicates_omitted,
  });
}

/**
 * Validates an already-parsed JSON value (for example one a property test
 * generated). Throws a {@linkcode ScenarioError} listing every problem; never
 * throws anything else, whatever the input.
 *
 * @example
 * ```ts
 * import { ScenarioError, validateScenario } from "./mod.ts";
 * try {
 *   validateScenario({ schema: "mrelease-lab/scenario@1" });
 * } catch (e) {
 *   if (e instanceof ScenarioError) console.log(e.message);
 * }
 * ```
 */
export function validateScenario(json: unknown): Scenario {
  return validate(json);
}

/**
 * Reads and validates a scenario file, reading at most `opts.maxBytes` bytes
 * (default {@linkcode SCENARIO_BYTES_MAX}, 64 MiB). A path that is missing, a
 * directory, unreadable or too large throws a {@linkcode ScenarioFileError}
 * (one line, naming the path); bytes that are not UTF-8, bad JSON or a bad
 * scenario throw a {@linkcode ScenarioError} naming the file.
 *
 * @example
 * ```ts
 * import { loadScenarioFile } from "./mod.ts";
 * const s = await loadScenarioFile("scenarios/vfork-shared-mm.json");
 * console.log(s.name); // "vfork-shared-mm"
 * ```
 */
export async function loadScenarioFile(
  path: string,
  opts: ReadScenarioOptions = {},
): Promise<Scenario> {
  const text = await readScenarioText(path, opts);
  return parseScenario(text, { path });
}

/** Options of {@linkcode encodeWorld}. */
export interface EncodeWorldOptions {
  /** Kernel version to simulate; default: the scenario's `kernel`. */
  kernel?: KernelVersion;
}

/**
 * Encodes a validated scenario as the world program for
 * `Kernel.load_world`: records `[op, len, ...payload]` in the spec's order,
 * times in microseconds, mm ids as indexes into `s.mms`.
 *
 * @example
 * ```ts
 * import { encodeWorld, loadScenarioFile, WORLD_OP } from "./mod.ts";
 * const s = await loadScenarioFile("scenarios/large-victim-big-core.json");
 * const program = encodeWorld(s, { kernel: "6.18" });
 * console.log(program[0] === WORLD_OP.KERNEL); // true
 * ```
 */
export function encodeWorld(s: Scenario, opts: EncodeWorldOptions = {}): Int32Array {
  return encode(s, opts);
}
