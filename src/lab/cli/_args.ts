/**
 * Command-line parsing for every command: `node:util`'s parseArgs with its errors turned
 * into one-line {@linkcode UsageError}s ("did you mean" for an unknown option), and the
 * values the commands share (kernel version, seed, kernel bugs, design names, byte
 * counts) checked with a message that says what was expected.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { type Design, KERNEL_BUGS, KERNEL_VERSIONS, type KernelVersion } from "../../core/mod.ts";
import { allDesigns, type DesignChoice } from "../designs/mod.ts";
import { UsageError } from "./_errors.ts";
import { closestName, didYouMean } from "./_suggest.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `parseArgs` with positionals allowed, whose mistakes are {@linkcode UsageError}s. A
 * string option followed by a negative number (`--seed -5`) takes it as its value, so the
 * value's own check says what is wrong with it (parseArgs would call it ambiguous).
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./_args.ts";
 * const { values } = parseCliArgs(["--seed", "3"], { seed: { type: "string" } });
 * console.log(values.seed); // "3"
 * ```
 */
export function parseCliArgs<O extends Options>(
  args: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>> {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (
      name !== undefined && Object.hasOwn(options, name) && options[name].type === "string" &&
      next !== undefined && /^-[0-9.]/.test(next)
    ) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals: true });
  } catch (e) {
    throw usageFromParseArgs(e, options);
  }
}

function usageFromParseArgs(e: unknown, options: Options): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) return e;
  const message = (e as Error).message;
  const flags = Object.entries(options).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
  const unknown = /Unknown option '([^']*)'/.exec(message)?.[1];
  if (unknown !== undefined) {
    const flag = unknown.split("=")[0];
    return new UsageError(`unknown option ${flag}${didYouMean(flag, flags)}`);
  }
  const option = /Option '(-[^' ]*)/.exec(message)?.[1];
  if (option !== undefined && /argument missing|ambiguous/.test(message)) {
    return new UsageError(`${option} needs a value (write ${option}=VALUE if it starts with -)`);
  }
  if (option !== undefined && /does not take an argument/.test(message)) {
    return new UsageError(`${option} takes no value`);
  }
  return new UsageError(message.split("\n")[0]);
}

/** A kernel version, with a "did you mean" for a near one. */
export function parseKernelVersion(
  v: string | undefined,
  option = "--kernel",
): KernelVersion | undefined {
  if (v === undefined) return undefined;
  if ((KERNEL_VERSIONS as readonly string[]).includes(v)) return v as KernelVersion;
  throw new UsageError(
    `${option} takes one of ${KERNEL_VERSIONS.join(", ")}, got ${JSON.stringify(v)}${
      didYouMean(v, KERNEL_VERSIONS)
    }`,
  );
}

/** A whole number written in decimal digits, at most `max`. */
export function parseWholeNumber(
  v: string | undefined,
  option: string,
  max: number = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  const n = /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? ">= 0" : `0..${max}`;
    throw new UsageError(`${option} takes a whole number ${range}, got ${JSON.stringify(v)}`);
  }
  return n;
}

/**
 * `--kernel-bugs`: a sum of the core's bug bits, or their names separated by commas
 * (`F3_DANGLING_MMAP`). A bit the core does not know is an error naming the known ones.
 */
export function parseKernelBugs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const known = Object.entries(KERNEL_BUGS);
  const all = known.reduce((m, [, bit]) => m | bit, 0);
  const list = known.map(([name, bit]) => `${bit} = ${name}`).join(", ");
  let mask: number;
  if (/^[0-9]+$/.test(v)) {
    mask = Number(v);
  } else {
    mask = 0;
    for (const name of v.split(",")) {
      const bit = (KERNEL_BUGS as Record<string, number>)[name];
      if (bit === undefined || !Object.hasOwn(KERNEL_BUGS, name)) {
        throw new UsageError(
          `--kernel-bugs takes bits or names of known kernel bugs (${list}), got ${
            JSON.stringify(name)
          }${didYouMean(name, Object.keys(KERNEL_BUGS))}`,
        );
      }
      mask |= bit;
    }
  }
  if (!Number.isSafeInteger(mask) || (mask & ~all) !== 0 || mask > all) {
    throw new UsageError(
      `--kernel-bugs takes a sum of known kernel bug bits (${list}), got ${JSON.stringify(v)}`,
    );
  }
  return mask;
}

/**
 * A byte count: digits, or a number with a binary unit (`64MiB`, `1GiB`, `512KiB`), for
 * the size limits. At least 1 byte, at most 2^53 - 1.
 */
export function parseByteCount(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^([0-9]{1,16})(B|KiB|MiB|GiB|TiB)?$/.exec(v);
  const unit = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
  const n = m === null ? NaN : Number(m[1]) * unit[(m[2] ?? "B") as keyof typeof unit];
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `${option} takes a size in bytes (digits, or with KiB, MiB, GiB: "128MiB"), got ${
        JSON.stringify(v)
      }`,
    );
  }
  return n;
}

/**
 * `name` or `name@variant`: a registered design (stock ones included) and one of its
 * variants, or a {@linkcode UsageError} with a "did you mean" and the names there are.
 *
 * @example
 * ```ts
 * import { parseDesignSpec } from "./_args.ts";
 * parseDesignSpec("process_mrelease@v9").variant; // "v9"
 * ```
 */
export function parseDesignSpec(spec: string, extra: readonly Design[] = []): DesignChoice {
  const problem = designSpecProblem(spec, extra);
  if (problem !== undefined) throw new UsageError(problem.cli);
  const [name, variant] = spec.split("@");
  const design = allDesigns(extra).find((d) => d.name === name)!;
  return { design, variant };
}

/** Why a design name is not one: as a command-line message, and as a scenario problem. */
export interface DesignSpecProblem {
  /** `unknown design "sigkil"; did you mean "sigkill"? (known: ...)` */
  cli: string;
  /** `expected a registered design (...), got "sigkil"; did you mean "sigkill"?` */
  scenario: string;
}

/** Why `spec` names no registered design or variant, or undefined if it does. */
export function designSpecProblem(
  spec: string,
  extra: readonly Design[] = [],
): DesignSpecProblem | undefined {
  const all = allDesigns(extra);
  const names = all.map((d) => d.name);
  const [name, variant, ...rest] = spec.split("@");
  const design = all.find((d) => d.name === name);
  if (design === undefined) {
    const hint = didYouMean(name, names);
    return {
      cli: `unknown design ${JSON.stringify(name)}${hint} (known: ${names.join(", ")})`,
      scenario: `expected a registered design (${names.join(", ")}), got ${
        JSON.stringify(name)
      }${hint}`,
    };
  }
  if (variant === undefined && rest.length === 0) return undefined;
  const variants = design.variants?.map((v) => v.name) ?? [];
  if (rest.length === 0 && variants.includes(variant)) return undefined;
  const asked = [variant, ...rest].join("@");
  if (variants.length === 0) {
    return {
      cli: `unknown variant ${JSON.stringify(asked)}: ${name} has no variants`,
      scenario: `expected ${JSON.stringify(name)} without a variant (it has none), got ${
        JSON.stringify(spec)
      }`,
    };
  }
  const near = closestName(asked, variants);
  const hint = near === undefined ? "" : `; did you mean ${JSON.stringify(`${name}@${near}`)}?`;
  return {
    cli: `unknown variant ${JSON.stringify(asked)} of ${name}${hint} (its variants: ${
      variants.join(", ")
    })`,
    scenario: `expected a variant of ${name} (${variants.join(", ")}), got ${
      JSON.stringify(spec)
    }${hint}`,
  };
}
