/**
 * Sizes ("512MiB", 4096, "50%") and times (ms → ns) as the scenario file
 * writes them. Pure functions: each returns the value or the text of what
 * was expected.
 * @module
 */

import { PAGE_SIZE } from "../../core/mod.ts";
import { MAX_TIME_US, MAX_VMA_PAGES } from "./abi.ts";
import { describe } from "./_check.ts";

/** The page size as messages write it: "4 KiB". */
export const PAGE_SIZE_TEXT = `${PAGE_SIZE / 1024} KiB`;

/** A parsed value, or the message saying what was expected instead. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const UNIT_BYTES: Readonly<Record<string, bigint>> = {
  B: 1n,
  KiB: 1n << 10n,
  MiB: 1n << 20n,
  GiB: 1n << 30n,
  TiB: 1n << 40n,
};

/** Decimal (SI) spellings people write by habit, mapped to the binary unit meant. */
const DECIMAL_UNITS: Readonly<Record<string, string>> = {
  K: "KiB",
  KB: "KiB",
  k: "KiB",
  kB: "KiB",
  M: "MiB",
  MB: "MiB",
  G: "GiB",
  GB: "GiB",
  T: "TiB",
  TB: "TiB",
};

/** Longest size string accepted (bounds the BigInt arithmetic). */
const SIZE_CHARS_MAX = 32;

const SIZE_STRING = /^([0-9]+)(?:\.([0-9]+))?([A-Za-z]*)$/;
const PERCENT_STRING = /^([0-9]+)(?:\.([0-9]+))?%$/;

const SIZE_FORMAT = 'a size (integer bytes, or "<number><B|KiB|MiB|GiB|TiB>")';

/** The page count as "N pages", or the bytes with a binary unit. */
function showPages(pages: bigint): string {
  return pages === 1n ? "1 page" : `${pages} pages`;
}

/** Exact `int.frac` as numerator/denominator. */
function decimal(int: string, frac: string | undefined): { num: bigint; den: bigint } {
  const f = frac ?? "";
  return { num: BigInt(int + f), den: 10n ** BigInt(f.length) };
}

function bytesToPages(bytes: bigint, shown: string): Parsed<number> {
  const page = BigInt(PAGE_SIZE);
  if (bytes % page !== 0n) {
    return {
      ok: false,
      message:
        `expected a multiple of ${PAGE_SIZE_TEXT} (the page size), got ${shown} (${bytes} bytes)`,
    };
  }
  const pages = bytes / page;
  if (pages > BigInt(MAX_VMA_PAGES)) {
    return {
      ok: false,
      message:
        `expected at most ${MAX_VMA_PAGES} pages (just under 8 TiB, the largest count a program word holds), got ${shown} (${
          showPages(pages)
        })`,
    };
  }
  return { ok: true, value: Number(pages) };
}

/**
 * A size in pages. Accepts integer bytes or `"<number><unit>"` with a binary
 * unit (a missing unit means bytes); fractions are allowed when the result
 * is whole pages ("1.5GiB").
 */
export function parseSizePages(v: unknown): Parsed<number> {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) {
      return { ok: false, message: `expected ${SIZE_FORMAT}, got ${describe(v)}` };
    }
    return bytesToPages(BigInt(v), describe(v));
  }
  if (typeof v !== "string" || v.length > SIZE_CHARS_MAX) {
    return { ok: false, message: `expected ${SIZE_FORMAT}, got ${describe(v)}` };
  }
  const m = SIZE_STRING.exec(v);
  if (m === null) {
    return { ok: false, message: `expected ${SIZE_FORMAT}, got ${describe(v)}` };
  }
  const [, int, frac, unit] = m;
  const unit_bytes = UNIT_BYTES[unit === "" ? "B" : unit];
  if (!Object.hasOwn(UNIT_BYTES, unit === "" ? "B" : unit)) {
    const meant = Object.hasOwn(DECIMAL_UNITS, unit) ? DECIMAL_UNITS[unit] : undefined;
    const tail = meant === undefined
      ? ""
      : `; did you mean ${
        JSON.stringify(`${int}${frac === undefined ? "" : "." + frac}${meant}`)
      }?`;
    return {
      ok: false,
      message: `expected a binary unit (B, KiB, MiB, GiB, TiB), got ${describe(v)}${tail}`,
    };
  }
  const { num, den } = decimal(int, frac);
  const scaled = num * unit_bytes;
  if (scaled % den !== 0n) {
    return { ok: false, message: `expected a whole number of bytes, got ${describe(v)}` };
  }
  return bytesToPages(scaled / den, describe(v));
}

/**
 * Resident size in pages: a size, or `"N%"` of `size_pages` (0..100, rounded
 * down to whole pages).
 */
export function parseResidentPages(v: unknown, size_pages: number): Parsed<number> {
  if (typeof v === "string" && v.endsWith("%")) {
    const m = v.length <= SIZE_CHARS_MAX ? PERCENT_STRING.exec(v) : null;
    if (m === null) {
      return {
        ok: false,
        message: `expected a percentage "N%" with N in 0..100, got ${describe(v)}`,
      };
    }
    const { num, den } = decimal(m[1], m[2]);
    if (num > 100n * den) {
      return {
        ok: false,
        message: `expected a percentage "N%" with N in 0..100, got ${describe(v)}`,
      };
    }
    return { ok: true, value: Number(BigInt(size_pages) * num / (100n * den)) };
  }
  const size = parseSizePages(v);
  if (!size.ok && typeof v !== "number" && typeof v !== "string") {
    return { ok: false, message: `expected ${SIZE_FORMAT} or "N%", got ${describe(v)}` };
  }
  return size;
}

/** The largest time in ms the program can carry. */
export const MAX_TIME_MS = MAX_TIME_US / 1000;

/**
 * A time in ms → integer ns (`Math.round(ms * 1e6)`). It must be >= 0, a
 * whole number of microseconds (the core's resolution) and fit the
 * program's i32 microseconds.
 */
export function parseMsToNs(v: unknown): Parsed<number> {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > MAX_TIME_MS) {
    return {
      ok: false,
      message: `expected a time in ms 0..${MAX_TIME_MS} (the program's i32 microseconds), got ${
        describe(v)
      }`,
    };
  }
  const ns = Math.round(v * 1e6) + 0; // + 0 turns -0 into 0
  if (ns % 1000 !== 0) {
    return {
      ok: false,
      message: `expected a time in whole microseconds (0.001 ms, the core's resolution), got ${
        describe(v)
      }`,
    };
  }
  return { ok: true, value: ns };
}
