/**
 * `--kernel-variant V` (repeatable): proposed kernel changes a run switches on (the core's
 * `Kernel.set_kernel_variants`, docs/scenario-format.md "Kernel variants"). A name is checked
 * before the scenario is read, and against the run's kernel once it is known, each with a
 * one-line {@linkcode UsageError} naming the variants that would do.
 *
 * @module
 */

import {
  KERNEL_VARIANT_KERNELS,
  KERNEL_VARIANTS,
  type KernelVariant,
  type KernelVersion,
} from "../../core/mod.ts";
import { UsageError } from "./_errors.ts";
import { didYouMean } from "./_suggest.ts";

const NAMES = Object.keys(KERNEL_VARIANTS) as KernelVariant[];

/** The option's help lines, as `lab run` and `lab compare` print them. */
export const KERNEL_VARIANT_USAGE =
  `  --kernel-variant V  switch on a proposed kernel change (repeatable): ${
    NAMES.map((n) => `${n} (${KERNEL_VARIANT_KERNELS[n].join(", ")})`).join(", ")
  }`;

/**
 * The names given, each a known variant (a "did you mean" otherwise); undefined when the
 * option was not given, so the scenario's own `kernel_variants` stand.
 *
 * @example
 * ```ts
 * import { parseKernelVariants } from "./_kernel_variant.ts";
 * parseKernelVariants(["exit_mmap_write_lock"]); // ["exit_mmap_write_lock"]
 * ```
 */
export function parseKernelVariants(
  values: readonly string[] | undefined,
): KernelVariant[] | undefined {
  if (values === undefined) return undefined;
  for (const v of values) {
    if (!(NAMES as readonly string[]).includes(v)) {
      throw new UsageError(
        `--kernel-variant takes one of ${NAMES.join(", ")}, got ${JSON.stringify(v)}${
          didYouMean(v, NAMES)
        }`,
      );
    }
  }
  return [...new Set(values as readonly KernelVariant[])];
}

/** Throws when a variant does not apply to `kernel`, naming those that do. */
export function checkKernelVariants(
  variants: readonly KernelVariant[] | undefined,
  kernel: KernelVersion,
): void {
  const misfit = variants?.find((n) => !KERNEL_VARIANT_KERNELS[n].includes(kernel));
  if (misfit === undefined) return;
  const valid = NAMES.filter((n) => KERNEL_VARIANT_KERNELS[n].includes(kernel));
  throw new UsageError(
    `--kernel-variant ${misfit} applies to kernel ${
      KERNEL_VARIANT_KERNELS[misfit].join(", ")
    }, not ${kernel}; on ${kernel}: ${valid.join(", ") || "none"}`,
  );
}

/** `+V` for each variant: how a table row and a trace file name a run's kernel variants. */
export function variantSuffix(variants: readonly string[] | undefined): string {
  return (variants ?? []).map((v) => `+${v}`).join("");
}
