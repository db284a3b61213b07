/**
 * Perfetto's systrace (ftrace text) importer, line by line, as a TypeScript model of its
 * grammar: what `trace_processor` does with each line of a trace.txt. `trace_processor_shell`
 * is a GitHub release binary (unreachable here), so the tests check the lab's text against
 * these rules instead, read from google/perfetto at commit
 * ec5d16b14b743ba6063d720956d6d6af6610fd72 (Aug 2026; the four files last changed in
 * c11d995801e8db06f3795dc974cdf275676eafe7):
 *
 * - src/trace_processor/importers/systrace/systrace_trace_parser.cc: a first line `cpus=<n>`
 *   is dropped; a line starting `#` and an empty line are skipped; every other line goes to
 *   the tokenizer, and a line it rejects counts as `systrace_parse_failure`.
 * - src/trace_processor/importers/systrace/systrace_line_tokenizer.cc: the regex below; the
 *   task is the text before the match, the arguments the text after it.
 * - src/trace_processor/importers/systrace/systrace_line_parser.cc `ParseLine`: the
 *   arguments split on spaces into key=value (a token without `=` is `name`); then one
 *   branch per event name it knows. A branch that cannot read its numbers returns an error
 *   (the importer drops the line; since 2025 without counting it). Any other event name is
 *   accepted and ignored: it draws nothing.
 * - src/trace_processor/importers/systrace/systrace_parser.h `ParseSystraceTracePoint`:
 *   the `tracing_mark_write` / `print` / `0` payloads (B, E, C, S, F, I, N, G, H); a payload
 *   it cannot read counts as `systrace_parse_failure`.
 *
 * @module
 */

/** What the importer does with one line. */
export type LineVerdict =
  /** `cpus=<n>` on the first line, a `#` comment or an empty line: skipped, no error. */
  | "skipped"
  /** The tokenizer rejects it: counted as systrace_parse_failure. */
  | "tokenizer_failure"
  /** A branch for its event could not read its fields: dropped. */
  | "parse_error"
  /** A marker payload ParseSystraceTracePoint rejects: counted as systrace_parse_failure. */
  | "marker_failure"
  /** Tokenized and accepted, but no branch handles its event: draws nothing. */
  | "ignored"
  /** Drawn: a sched_switch, a sched_waking, a marker, an rss_stat Perfetto can read. */
  | "used";

/** systrace_line_tokenizer.cc `line_matcher_` (a partial match, as PartialMatchWithGroups). */
export const SYSTRACE_LINE =
  /-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*([a-zA-Z.]{3}[0-9a-f.]{1,2}\s*)?(\d+\.\d+):\s+(\S+):/;

/** One tokenized line (systrace_line.h). */
export interface SystraceLine {
  /** The text before the match, trimmed: the comm. */
  task: string;
  /** The thread. */
  pid: number;
  /** The CPU. */
  cpu: number;
  /** `ts` as the tokenizer computes it: `double(seconds) * 1e9`, truncated. */
  tsNs: number;
  /** The event's name. */
  event: string;
  /** The text after the match, trimmed. */
  args: string;
}

/** SystraceLineTokenizer::Tokenize; null where it returns an error. */
export function tokenize(line: string): SystraceLine | null {
  const m = SYSTRACE_LINE.exec(line);
  if (m === null) return null;
  const pid = toUInt32(m[1]);
  const cpu = toUInt32(m[3]);
  if (pid === null || cpu === null) return null;
  return {
    task: line.slice(0, m.index).trim(),
    pid,
    cpu,
    tsNs: Math.trunc(Number(m[5]) * 1e9),
    event: m[6],
    args: line.slice(m.index + m[0].length).trim(),
  };
}

/**
 * base::CStringToUInt32 (strtoul in base 10 over the whole, non-empty string; strtoul skips
 * leading space and takes a sign). The value itself is not range-checked there either.
 */
function toUInt32(s: string | undefined): number | null {
  if (s === undefined || !/^\s*[+-]?\d+$/.test(s)) return null;
  return Number(s.trim());
}

/** base::CStringToInt32 / CStringToInt64: the same shape (strtol, strtoll). */
const toInt = toUInt32;

/** ParseLine's argument map: tokens split on ' ' (empty tokens skipped). */
function argsOf(args: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of args.split(" ").filter((t) => t !== "")) {
    if (!token.includes("=")) {
      out.set("name", token);
      continue;
    }
    const parts = token.split("=").filter((t) => t !== "");
    // The inner loop's first token is the key; every later one overwrites the value.
    out.set(parts[0] ?? "", parts.length > 1 ? parts[parts.length - 1] : "");
  }
  return out;
}

/** The marker payload phases (systrace_parser.h ParseSystraceTracePoint). */
export function parseTracePoint(payload: string): "success" | "failure" | "unsupported" {
  const str = payload.replace(/[\n\0]+$/, "");
  const fields = str.split("|");
  const phase = fields[0] ?? "";
  if (phase === "") return "failure";
  const hasTgid = toUInt32(fields[1]) !== null;
  const nonEmpty = (i: number) => (fields[i] ?? "") !== "";
  const int = (i: number) => toInt(fields[i]) !== null;
  switch (phase[0]) {
    case "B":
      return hasTgid ? "success" : "failure";
    case "E":
      return "success";
    case "S":
    case "F":
      return hasTgid && nonEmpty(2) && int(3) ? "success" : "failure";
    case "I":
      return hasTgid && nonEmpty(2) ? "success" : "failure";
    case "N":
      return hasTgid && nonEmpty(2) && nonEmpty(3) ? "success" : "failure";
    case "C":
      return hasTgid && nonEmpty(2) && int(3) ? "success" : "failure";
    case "G":
      return hasTgid && nonEmpty(2) && nonEmpty(3) && int(4) ? "success" : "failure";
    case "H":
      return hasTgid && nonEmpty(2) && (nonEmpty(4) ? int(4) : int(3)) ? "success" : "failure";
    default:
      return str.startsWith("trace_event_clock_sync:") ? "unsupported" : "failure";
  }
}

/** What SystraceLineParser::ParseLine does with a tokenized line. */
export function parseLine(line: SystraceLine): LineVerdict {
  const args = argsOf(line.args);
  const arg = (k: string) => args.get(k) ?? "";
  switch (line.event) {
    case "sched_switch":
      return [arg("prev_pid"), arg("prev_prio"), arg("next_pid"), arg("next_prio")]
          .every((v) => toInt(v) !== null)
        ? "used"
        : "parse_error";
    case "tracing_mark_write":
    case "0":
    case "print": {
      const r = parseTracePoint(line.args);
      return r === "success" ? "used" : r === "failure" ? "marker_failure" : "ignored";
    }
    case "sched_waking":
      return toUInt32(arg("pid")) !== null ? "used" : "parse_error";
    case "rss_stat":
      // "Format: rss_stat: size=8437760 member=1 curr=1 mm_id=2824390453"
      return toInt(arg("size")) !== null && toUInt32(arg("member")) !== null
        ? "used"
        : "parse_error";
    default:
      // cpu_frequency, cpu_idle, binder_*, clock_*, workqueue_*, thermal, cdev_update,
      // sched_blocked_reason have branches too; the lab emits none of them.
      return "ignored";
  }
}

/** The verdict on every line of a trace.txt, in order. */
export function classifyLines(text: string): { line: string; verdict: LineVerdict }[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line, i) => {
    if ((i === 0 && /^cpus=\d+$/.test(line)) || line.startsWith("#") || line === "") {
      return { line, verdict: "skipped" as const };
    }
    const t = tokenize(line);
    return { line, verdict: t === null ? "tokenizer_failure" as const : parseLine(t) };
  });
}

/** Lines per verdict, over the non-skipped lines. */
export function verdictCounts(text: string): Record<LineVerdict, number> {
  const counts: Record<LineVerdict, number> = {
    skipped: 0,
    tokenizer_failure: 0,
    parse_error: 0,
    marker_failure: 0,
    ignored: 0,
    used: 0,
  };
  for (const { verdict } of classifyLines(text)) counts[verdict]++;
  return counts;
}
