/**
 * Validation of `$.intent.call`: how the memory killer calls the design when the scenario
 * needs it called some other way than usual (bad flags, a /proc fd, a live target...).
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
import { indexPath } from "./_path.ts";
import { SCENARIO_LIMITS } from "./limits.ts";
import type { CallArgs, IovRange } from "./types.ts";

const I32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** UIO_MAXIOV is 1024; the lab accepts larger vlen so that its EINVAL can be reached. */
const VLEN = { what: "a vlen", min: 0, max: 2 ** 31 - 1 };
const PAGE = { what: "a page number", min: 0, max: 2 ** 40 };
const IOV_MAX = SCENARIO_LIMITS.iov_ranges;

/** Reads `$.intent.call`; an absent call is `{}` (the design's usual call). */
export function readCall(p: Problems, v: unknown): CallArgs | undefined {
  if (v === undefined) return {};
  const o = readObject(p, v, "$.intent.call", {
    what: "the call's arguments",
    required: [],
    optional: [
      "fd",
      "nonblock",
      "flags",
      "kill",
      "sig",
      "info",
      "advice",
      "vlen",
      "iov_fault",
      "iov",
    ],
  });
  if (o === undefined) return undefined;
  const before = p.count;
  const call: CallArgs = {};
  const at = (k: string) => `$.intent.call.${k}`;
  if (has(o, "fd")) call.fd = readInt(p, field(o, "fd"), at("fd"), { what: "an fd", ...I32 });
  if (has(o, "nonblock")) call.nonblock = readBool(p, field(o, "nonblock"), at("nonblock"));
  if (has(o, "flags")) {
    call.flags = readInt(p, field(o, "flags"), at("flags"), { what: "flags", ...I32 });
  }
  if (has(o, "kill")) call.kill = readBool(p, field(o, "kill"), at("kill"));
  if (has(o, "sig")) {
    call.sig = readInt(p, field(o, "sig"), at("sig"), { what: "a signal", min: 0, max: 64 });
  }
  if (has(o, "info")) {
    call.info = readEnum(p, field(o, "info"), at("info"), [
      "fault",
      "signo_mismatch",
      "forged_code",
    ]);
  }
  if (has(o, "advice")) {
    call.advice = readInt(p, field(o, "advice"), at("advice"), { what: "an advice", ...I32 });
  }
  if (has(o, "vlen")) call.vlen = readInt(p, field(o, "vlen"), at("vlen"), VLEN);
  if (has(o, "iov_fault")) call.iov_fault = readBool(p, field(o, "iov_fault"), at("iov_fault"));
  if (has(o, "iov")) call.iov = readIov(p, field(o, "iov"));
  if (has(o, "fd") && has(o, "nonblock")) {
    p.add(at("nonblock"), "expected nonblock only when the recipe opens the pidfd, got it with fd");
  }
  return p.count === before ? call : undefined;
}

function readIov(p: Problems, v: unknown): IovRange[] | undefined {
  const list = readArray(p, v, "$.intent.call.iov", {
    what: "a vector of ranges",
    min: 0,
    max: IOV_MAX,
  });
  if (list === undefined) return undefined;
  const out: IovRange[] = [];
  list.forEach((x, i) => {
    const path = indexPath("$.intent.call.iov", i);
    const o = readObject(p, x, path, {
      what: "a range",
      required: ["start_page", "end_page"],
      optional: [],
    });
    if (o === undefined) return;
    const start_page = readInt(p, field(o, "start_page"), `${path}.start_page`, PAGE);
    const end_page = readInt(p, field(o, "end_page"), `${path}.end_page`, PAGE);
    if (start_page === undefined || end_page === undefined) return;
    if (end_page < start_page) {
      p.add(`${path}.end_page`, `expected a page >= start_page ${start_page}, got ${end_page}`);
      return;
    }
    out.push({ start_page, end_page });
  });
  return out;
}
