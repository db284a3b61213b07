/**
 * The shape rule of a `"thp": true` VMA: private anon memory in whole PMDs (2 MiB, 512
 * pages), which is what madvise(MADV_HUGEPAGE) on a 2 MiB-aligned mapping gives when every
 * huge page was faulted in (the host calibration checks it in smaps_rollup's AnonHugePages).
 * A partly populated PMD would be mapped by PTEs, so the lab asks for whole ones rather than
 * guess which part is huge; the core checks the same rule (wasm/src/load.rs `thp_shape`).
 *
 * @module
 */

import { COST_MODEL } from "../../core/mod.ts";
import type { VmaFlag, VmaKind } from "./types.ts";

/** Pages per PMD-mapped huge page (wasm/src/params.rs HPAGE_PMD_NR). */
export const HPAGE_PMD_NR: number = COST_MODEL.HPAGE_PMD_NR;

/** What is wrong with a THP VMA of this shape, as (key, message) pairs; none when it fits. */
export function thpProblems(
  kind: VmaKind,
  flags: readonly VmaFlag[] | undefined,
  size_pages: number,
  resident_pages: number,
  swap_entries: number,
): [string, string][] {
  const out: [string, string][] = [];
  const pmds = `a multiple of ${HPAGE_PMD_NR} pages (2 MiB, one PMD-mapped huge page)`;
  if (kind !== "anon") {
    out.push([
      "thp",
      `expected false on a ${kind} VMA (THP here is private anon memory), got true`,
    ]);
  }
  if (flags?.includes("VM_HUGETLB")) {
    out.push(["thp", "expected false with VM_HUGETLB (hugetlb pages are not THP), got true"]);
  }
  if (size_pages % HPAGE_PMD_NR !== 0) {
    out.push(["size", `expected ${pmds} on a THP VMA, got ${size_pages} pages`]);
  }
  // A resident that is the whole size (the default) is reported once, at the size.
  if (resident_pages % HPAGE_PMD_NR !== 0 && resident_pages !== size_pages) {
    out.push(["resident", `expected ${pmds} on a THP VMA, got ${resident_pages} pages`]);
  }
  if (swap_entries !== 0) {
    out.push([
      "swap",
      `expected 0 on a THP VMA (its huge pages are resident), got ${swap_entries} pages`,
    ]);
  }
  return out;
}
