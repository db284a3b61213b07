/**
 * Validation of `$.intent.then`, the caller's calls after the design's call returned (a
 * remote read of the victim's memory, waitid on it), and of an expectation's `then`, what
 * each of them answered.
 * @module
 */

import {
  field,
  has,
  type Problems,
  readArray,
  readBool,
  readEnum,
  readInt,
  readObject,
} from "./_check.ts";
import { indexPath, keyPath } from "./_path.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import type { ThenCall, ThenExpectation, WaitCode } from "./types.ts";

/**
 * The errno names an expectation may use: every one a proposal in the reference can
 * return, plus the generic ones a caller may see.
 */
export const ERRNO_NAMES = [
  "EPERM",
  "ENOENT",
  "ESRCH",
  "EINTR",
  "EIO",
  "EBADF",
  "ECHILD",
  "EAGAIN",
  "ENOMEM",
  "EACCES",
  "EFAULT",
  "EBUSY",
  "EINVAL",
  "ENOSYS",
  "EOPNOTSUPP",
] as const;

const THEN_CALLS = ["process_vm_readv", "proc_mem_read", "waitid"] as const;
const WAIT_CODES: readonly WaitCode[] = ["CLD_EXITED", "CLD_KILLED", "CLD_DUMPED"];
const PAGE = { what: "a page number", min: 0, max: 2 ** 40 };

/**
 * An expected answer: "0", a non-negative byte count, an errno name, "killed" (the caller
 * died before the call returned), and where `more` says so the outcome-only names.
 */
export function readRet(
  p: Problems,
  v: unknown,
  path: string,
  more: readonly string[] = [],
): string | undefined {
  return typeof v === "string" && /^\d{1,15}$/.test(v)
    ? v
    : readEnum(p, v, path, ["0", "killed", ...more, ...ERRNO_NAMES]);
}

/** Reads `$.intent.then`: at most `SCENARIO_LIMITS.then_calls` follow-up calls. */
export function readThen(p: Problems, v: unknown): ThenCall[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, "$.intent.then", {
    what: "a list of follow-up calls",
    min: 0,
    max: SCENARIO_LIMITS.then_calls,
  });
  if (list === undefined) return undefined;
  const out = list.map((x, i) => readThenCall(p, x, indexPath("$.intent.then", i)));
  return out.every((c) => c !== undefined) ? out as ThenCall[] : undefined;
}

function readThenCall(p: Problems, v: unknown, path: string): ThenCall | undefined {
  const kind = typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>).call
    : undefined;
  const waitid = kind === "waitid";
  const o = readObject(p, v, path, {
    what: "a follow-up call",
    required: waitid ? ["call"] : ["call", "start_page", "end_page"],
    optional: waitid ? ["nohang"] : [],
  });
  if (o === undefined) return undefined;
  const call = readEnum(p, field(o, "call"), keyPath(path, "call"), THEN_CALLS);
  if (call === undefined) return undefined;
  if (call === "waitid") {
    const nohang = has(o, "nohang")
      ? readBool(p, field(o, "nohang"), keyPath(path, "nohang"))
      : false;
    return nohang === undefined ? undefined : { call, nohang };
  }
  const start_page = readInt(p, field(o, "start_page"), keyPath(path, "start_page"), PAGE);
  const end_page = readInt(p, field(o, "end_page"), keyPath(path, "end_page"), PAGE);
  if (start_page === undefined || end_page === undefined) return undefined;
  if (end_page < start_page) {
    p.add(path, `expected start_page <= end_page, got ${start_page} > ${end_page}`);
    return undefined;
  }
  return { call, start_page, end_page };
}

/** Reads an expectation's `then`: what each follow-up call answered, in order. */
export function readThenExpect(
  p: Problems,
  v: unknown,
  path: string,
): ThenExpectation[] | undefined {
  const list = readArray(p, v, path, {
    what: "a list of follow-up answers",
    min: 1,
    max: SCENARIO_LIMITS.then_calls,
  });
  if (list === undefined) return undefined;
  const out = list.map((x, i) => {
    const at = indexPath(path, i);
    const o = readObject(p, x, at, {
      what: "a follow-up answer",
      required: [],
      optional: ["ret", "si_code", "si_status"],
    });
    if (o === undefined) return undefined;
    const e: ThenExpectation = {};
    if (has(o, "ret")) e.ret = readRet(p, field(o, "ret"), keyPath(at, "ret"), ["unfinished"]);
    if (has(o, "si_code")) {
      e.si_code = readEnum(p, field(o, "si_code"), keyPath(at, "si_code"), WAIT_CODES);
    }
    if (has(o, "si_status")) {
      e.si_status = readInt(p, field(o, "si_status"), keyPath(at, "si_status"), {
        what: "a status (an exit code or a signal)",
        min: 0,
        max: 255,
      });
    }
    return e;
  });
  return out.every((e) => e !== undefined) ? out as ThenExpectation[] : undefined;
}
