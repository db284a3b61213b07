/**
 * Validation of the machine half of a scenario: CPUs and address spaces
 * (mms and their VMAs).
 * @module
 */

import { MAX_CAPACITY, MAX_CPUS, MAX_FREQ_MHZ, MAX_VMAS_PER_MM, VMA_KIND_CODE } from "./abi.ts";
import {
  describe,
  field,
  has,
  type JsonObject,
  type Problems,
  readArray,
  readBool,
  readEnum,
  readEnumSet,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { indexPath, keyPath } from "./_path.ts";
import { CPU_PRESET_NAMES, CPU_PRESETS } from "./presets.ts";
import { PAGE_SIZE_TEXT, parseResidentPages, parseSizePages } from "./_sizes.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import { thpProblems } from "./_thp.ts";
import type { MmFlag, ScenarioCpu, ScenarioMm, ScenarioVma, VmaFlag, VmaKind } from "./types.ts";

/** A frequency bound well above any real CPU, so typos (MHz vs kHz) are caught. */
const FREQ_MHZ_MAX: number = MAX_FREQ_MHZ;
/** Linux cpu_capacity scale: the biggest core at its max frequency is 1024. */
const CAPACITY_MAX: number = MAX_CAPACITY;
/** The spec's bound on VMAs per mm (a real mm allows 65530, vm.max_map_count). */
export const VMAS_PER_MM_MAX: number = MAX_VMAS_PER_MM;
/** Bound on the number of mms (one per process at most, in practice). */
const MMS_MAX = SCENARIO_LIMITS.mms;

const LABEL = {
  what: 'a label of 1..32 characters from "A-Za-z0-9_.:-"',
  pattern: /^[A-Za-z0-9_.:-]{1,32}$/,
};
const MM_ID = {
  what: 'an mm id (a letter or "_", then up to 63 of "A-Za-z0-9_.-")',
  pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
};

const VMA_KINDS = Object.keys(VMA_KIND_CODE) as VmaKind[];
const VMA_FLAGS: readonly VmaFlag[] = ["VM_LOCKED", "VM_HUGETLB"];

/** Reads `$.cpus`. Returns the CPUs (undefined where one is broken) or undefined. */
export function readCpus(
  p: Problems,
  v: unknown,
): (ScenarioCpu | undefined)[] | undefined {
  const list = readArray(p, v, "$.cpus", { what: "a list of CPUs", min: 1, max: MAX_CPUS });
  if (list === undefined) return undefined;
  const cpus = list.map((c, i) => readCpu(p, c, indexPath("$.cpus", i), i));
  const seen = new Map<string, number>();
  cpus.forEach((cpu, i) => {
    if (cpu === undefined) return;
    const first = seen.get(cpu.label);
    if (first === undefined) {
      seen.set(cpu.label, i);
      return;
    }
    p.add(
      keyPath(indexPath("$.cpus", i), "label"),
      `expected a label no other CPU has, got ${describe(cpu.label)} (also $.cpus[${first}])`,
    );
  });
  return cpus;
}

function readCpu(p: Problems, v: unknown, path: string, index: number): ScenarioCpu | undefined {
  const preset_form = typeof v === "object" && v !== null && !Array.isArray(v) &&
    has(v as JsonObject, "preset");
  const o = preset_form
    ? readObject(p, v, path, { what: "a preset CPU", required: ["preset"], optional: ["label"] })
    : readObject(p, v, path, {
      what: "a CPU",
      required: ["capacity", "freq_mhz", "max_freq_mhz"],
      optional: ["label"],
    });
  if (o === undefined) return undefined;
  const label = has(o, "label")
    ? readString(p, field(o, "label"), keyPath(path, "label"), LABEL)
    : `cpu${index}`;
  if (preset_form) {
    const name = readEnum(p, field(o, "preset"), keyPath(path, "preset"), CPU_PRESET_NAMES);
    if (name === undefined || label === undefined) return undefined;
    return { label, ...CPU_PRESETS[name], preset: name };
  }
  const capacity = readInt(p, field(o, "capacity"), keyPath(path, "capacity"), {
    what: "a capacity",
    min: 1,
    max: CAPACITY_MAX,
  });
  const max_freq_mhz = readInt(p, field(o, "max_freq_mhz"), keyPath(path, "max_freq_mhz"), {
    what: "a maximum frequency in MHz",
    min: 1,
    max: FREQ_MHZ_MAX,
  });
  const freq_mhz = readInt(p, field(o, "freq_mhz"), keyPath(path, "freq_mhz"), {
    what: "a frequency in MHz (at most max_freq_mhz)",
    min: 1,
    max: max_freq_mhz ?? FREQ_MHZ_MAX,
  });
  if (
    label === undefined || capacity === undefined || freq_mhz === undefined ||
    max_freq_mhz === undefined
  ) return undefined;
  return { label, capacity, freq_mhz, max_freq_mhz, preset: null };
}

/** The mms as read, and every well-formed id (even of an mm with bad VMAs). */
export interface MmsRead {
  mms: (ScenarioMm | undefined)[] | undefined;
  /** id → index of the first mm with that id. */
  ids: Map<string, number>;
  /** `$.mms[i]` for each index. */
  paths: string[];
}

/** Reads `$.mms`. Duplicated ids are reported; the first one wins the index. */
export function readMms(p: Problems, v: unknown): MmsRead {
  const seen = new Map<string, number>();
  if (v === undefined) return { mms: [], ids: seen, paths: [] };
  const list = readArray(p, v, "$.mms", { what: "a list of mms", min: 0, max: MMS_MAX });
  if (list === undefined) return { mms: undefined, ids: seen, paths: [] };
  const paths = list.map((_, i) => indexPath("$.mms", i));
  const mms = list.map((m, i) => {
    const path = indexPath("$.mms", i);
    const o = readObject(p, m, path, {
      what: "an mm",
      required: ["id", "vmas"],
      optional: ["flags"],
    });
    if (o === undefined) return undefined;
    const id = readString(p, field(o, "id"), keyPath(path, "id"), MM_ID);
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) {
        p.add(
          keyPath(path, "id"),
          `expected an id no other mm has, got ${describe(id)} (also $.mms[${first}])`,
        );
      } else {
        seen.set(id, i);
      }
    }
    const vmas_path = keyPath(path, "vmas");
    const vma_list = readArray(p, field(o, "vmas"), vmas_path, {
      what: "a list of VMAs",
      min: 0,
      max: VMAS_PER_MM_MAX,
    });
    const vmas = vma_list?.map((x, j) => readVma(p, x, indexPath(vmas_path, j)));
    const flags = readMmFlags(p, field(o, "flags"), keyPath(path, "flags"));
    if (
      id === undefined || vmas === undefined || vmas.some((x) => x === undefined) ||
      flags === undefined
    ) {
      return undefined;
    }
    return { id, index: i, vmas: vmas as ScenarioVma[], flags };
  });
  return { mms, ids: seen, paths };
}

/** Which page quantities a kind can have, and why not when it cannot. */
const NO_SWAP_REASON: Partial<Record<VmaKind, string>> = {
  anon_shared: "shared anonymous memory is shmem; its swap is not in MM_SWAPENTS",
  file_shared: "shared file pages are written back, never swapped",
  shmem: "shmem swap is not in MM_SWAPENTS",
  pfnmap: "pfnmap has no pages",
};

function readVma(p: Problems, v: unknown, path: string): ScenarioVma | undefined {
  const o = readObject(p, v, path, {
    what: "a VMA",
    required: ["kind", "size"],
    optional: ["resident", "swap", "cow", "flags", "notifier", "robust_futex_list", "thp"],
  });
  if (o === undefined) return undefined;
  let ok = true;
  const bad = (key: string, message: string) => {
    p.add(keyPath(path, key), message);
    ok = false;
  };
  const kind = readEnum(p, field(o, "kind"), keyPath(path, "kind"), VMA_KINDS);
  const size = parseSizePages(field(o, "size"));
  if (!has(o, "size")) ok = false; // reported by readObject
  else if (!size.ok) bad("size", size.message);
  else if (size.value === 0) {
    bad("size", `expected a size of at least ${PAGE_SIZE_TEXT} (one page), got 0`);
  }
  const size_pages = size.ok && size.value > 0 ? size.value : undefined;

  const flags = readFlags(p, field(o, "flags"), keyPath(path, "flags"), kind);
  const notifier = has(o, "notifier")
    ? readEnum(
      p,
      field(o, "notifier"),
      keyPath(path, "notifier"),
      ["none", "refuses_nonblock", "hlist_refuses_nonblock"] as const,
    )
    : "none";
  const robust_futex_list = has(o, "robust_futex_list")
    ? readBool(p, field(o, "robust_futex_list"), keyPath(path, "robust_futex_list"))
    : false;
  if (robust_futex_list === true && kind === "pfnmap") {
    bad(
      "robust_futex_list",
      "expected false on a pfnmap VMA (a futex lives in ordinary memory), got true",
    );
  }

  // Page quantities: need the kind and the size to judge.
  if (kind === undefined || size_pages === undefined) return undefined;
  let resident_pages = kind === "pfnmap" ? 0 : size_pages;
  // swap and cow are judged against resident only when resident was fine.
  let resident_ok = true;
  if (has(o, "resident")) {
    const r = parseResidentPages(field(o, "resident"), size_pages);
    resident_ok = false;
    if (!r.ok) bad("resident", r.message);
    else if (kind === "pfnmap" && r.value !== 0) {
      bad(
        "resident",
        `expected 0 for a pfnmap VMA (PFN mappings are not RSS), got ${
          describe(field(o, "resident"))
        }`,
      );
    } else if (r.value > size_pages) {
      bad("resident", `expected at most the size (${size_pages} pages), got ${r.value} pages`);
    } else {
      resident_pages = r.value;
      resident_ok = true;
    }
  }
  let swap_entries = 0;
  if (has(o, "swap")) {
    const s = parseSizePages(field(o, "swap"));
    const why = NO_SWAP_REASON[kind];
    if (!s.ok) bad("swap", s.message);
    else if (s.value > 0 && why !== undefined) {
      bad("swap", `expected 0 for a ${kind} VMA (${why}), got ${describe(field(o, "swap"))}`);
    } else if (s.value > 0 && flags?.includes("VM_HUGETLB")) {
      bad(
        "swap",
        `expected 0 for a VM_HUGETLB VMA (hugetlb pages are never swapped), got ${
          describe(field(o, "swap"))
        }`,
      );
    } else if (resident_ok && s.value + resident_pages > size_pages) {
      bad(
        "swap",
        `expected resident + swap at most the size (${size_pages} pages; a page is either present or swapped), got ${resident_pages} + ${s.value}`,
      );
    } else swap_entries = s.value;
  }
  let cow_pages = 0;
  if (has(o, "cow")) {
    const c = parseSizePages(field(o, "cow"));
    if (!c.ok) bad("cow", c.message);
    else if (c.value > 0 && kind !== "file_private") {
      bad(
        "cow",
        `expected 0 for a ${kind} VMA (COW copies are counted only for file_private), got ${
          describe(field(o, "cow"))
        }`,
      );
    } else if (resident_ok && c.value > resident_pages) {
      bad("cow", `expected at most the resident pages (${resident_pages}), got ${c.value} pages`);
    } else cow_pages = c.value;
  }
  const thp = has(o, "thp") ? readBool(p, field(o, "thp"), keyPath(path, "thp")) : false;
  if (thp === true) {
    for (
      const [key, message] of thpProblems(kind, flags, size_pages, resident_pages, swap_entries)
    ) {
      bad(key, message);
    }
  }
  if (
    !ok || flags === undefined || notifier === undefined || robust_futex_list === undefined ||
    thp === undefined
  ) {
    return undefined;
  }
  return {
    kind,
    flags,
    notifier,
    robust_futex_list,
    thp,
    size_pages,
    resident_pages,
    cow_pages,
    ...counters(kind, resident_pages, cow_pages, swap_entries),
  };
}

/** The spec's "memory per VMA kind" table. */
function counters(
  kind: VmaKind,
  resident_pages: number,
  cow_pages: number,
  swap_entries: number,
): Pick<ScenarioVma, "anon_pages" | "file_pages" | "shmem_pages" | "swap_entries"> {
  switch (kind) {
    case "anon":
      return { anon_pages: resident_pages, file_pages: 0, shmem_pages: 0, swap_entries };
    case "anon_shared":
    case "shmem":
      return { anon_pages: 0, file_pages: 0, shmem_pages: resident_pages, swap_entries: 0 };
    case "file_private":
      return {
        anon_pages: cow_pages,
        file_pages: resident_pages - cow_pages,
        shmem_pages: 0,
        swap_entries,
      };
    case "file_shared":
      return { anon_pages: 0, file_pages: resident_pages, shmem_pages: 0, swap_entries: 0 };
    case "pfnmap":
      return { anon_pages: 0, file_pages: 0, shmem_pages: 0, swap_entries: 0 };
  }
}

const MM_FLAGS = ["MMF_OOM_SKIP", "MMF_UNSTABLE"] as const;

/** An mm's `flags`: each of {@linkcode MM_FLAGS} at most once. */
function readMmFlags(p: Problems, v: unknown, path: string): MmFlag[] | undefined {
  if (v === undefined) return [];
  return readEnumSet(p, v, path, { what: "a list of MMF_ flags", each: "flag", values: MM_FLAGS });
}

function readFlags(
  p: Problems,
  v: unknown,
  path: string,
  kind: VmaKind | undefined,
): VmaFlag[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, path, {
    what: "a list of VMA flags",
    min: 0,
    max: VMA_FLAGS.length,
  });
  if (list === undefined) return undefined;
  const out: VmaFlag[] = [];
  let ok = true;
  list.forEach((f, i) => {
    const at = indexPath(path, i);
    if (f === "VM_PFNMAP") {
      p.add(
        at,
        'expected VM_LOCKED or VM_HUGETLB, got "VM_PFNMAP" (write "kind": "pfnmap" instead)',
      );
      ok = false;
      return;
    }
    const flag = readEnum(p, f, at, VMA_FLAGS);
    if (flag === undefined) {
      ok = false;
    } else if (out.includes(flag)) {
      p.add(at, `expected each flag once, got ${describe(flag)} twice`);
      ok = false;
    } else if (kind === "pfnmap") {
      p.add(
        at,
        `expected no flags on a pfnmap VMA (mlock skips VM_PFNMAP, and hugetlb is not a PFN mapping), got ${
          describe(flag)
        }`,
      );
      ok = false;
    } else out.push(flag);
  });
  return ok ? out : undefined;
}
