/**
 * The reviewers' objections in the 2026 thread, each with the lab's measurement that bears on
 * it, and the section's conclusion. The objections are the `review` points of the records of
 * the designs posted in 2026, by the thread's reviewers, and the items of reference §C.5 that
 * no record carries; each is filed under a topic by what it says ({@linkcode TOPICS}), and a
 * topic's measurement and reading are pure functions of {@linkcode Facts2026}: a sentence is
 * chosen by the numbers, so when the model changes, the wording follows.
 *
 * @module
 */

import type { ReviewPoint } from "../../core/mod.ts";
import { designs } from "../designs/mod.ts";
import type { Facts2026, Misses } from "./facts_2026.ts";
import type { Bearing } from "./parts_2026.ts";
import { code, duration, int, list, pct, times } from "./_format.ts";

/** The reviewers of the 2026 thread whose objections the table lists (reference §C.5). */
export const REVIEWERS = [
  "Michal Hocko",
  "Christian Brauner",
  "Oleg Nesterov",
  "Linus Torvalds",
  "Minchan Kim",
] as const;

/**
 * What an objection is about, found by what it says (the first topic that matches): the
 * measurement that bears on it.
 */
export const TOPICS = {
  pin: { about: "how the call pins the mm", matches: /\bmmget\b/i },
  scope: { about: "who an mm-scoped kill kills", matches: /crazy|scoped by the mm|mm-scoped/i },
  kill: {
    about: "whether the call needs to kill",
    matches: /SIGKILL through a pidfd|kill is unnecessary|pidfd-based kill/i,
  },
  holders: { about: "transient mm_users holders", matches: /indefinitely/i },
  esrch: { about: "the ESRCH window", matches: /ESRCH/i },
  teardown: { about: "exit_mmap's locking, parallel teardown", matches: /write lock|exit_mmap/i },
  cgroup: { about: "reaping a whole cgroup", matches: /cgroup/i },
} as const;

/** A topic's id. */
export type TopicId = keyof typeof TOPICS;

/** The year whose postings the objections come from. */
const THREAD_YEAR = "2026";

/** §C.5 in short, for the objections no record carries (kernel-semantics.md §A.5, §C.5). */
const C5: readonly ReviewPoint[] = [
  {
    who: "Michal Hocko",
    said: "Don't use mmget; just kill when the target isn't dying.",
    link: "https://lore.kernel.org/all/aesiYAumkLCyedf0@tiehlicka/",
  },
  {
    who: "Christian Brauner",
    said: "An mm-scoped kill API is completely crazy; keep the mm reachable after exit " +
      "(task->exit_mm) instead.",
    link: "https://lore.kernel.org/all/20260515-nachdenken-umbenannt-a90006a46e14@brauner/",
  },
  {
    who: "Oleg Nesterov",
    said: "The pidfd-based kill is unnecessary.",
    link: "https://lore.kernel.org/all/agdAmAfXKXX9Nzcf@redhat.com/",
  },
  {
    who: "Oleg Nesterov",
    said: "Remote-VM access can't pin an mm indefinitely.",
    link: "https://lore.kernel.org/all/agd--WZpeTq2iKFW@redhat.com/",
  },
  {
    who: "Linus Torvalds",
    said: "exit_mmap should simply take the write lock (bf3980c85212 made it start with a " +
      "read lock).",
    link: "",
  },
  {
    who: "Minchan Kim",
    said: "The ESRCH window remains; an atomic pidfd_send_signal expedite flag instead.",
    link: "https://lore.kernel.org/all/20260521-voreilig-investieren-34f6e0c56258@brauner/",
  },
];

/** One row of the objections table. */
export interface Objection extends ReviewPoint {
  /** Where the table found it: a record (the design's name) or `§C.5`. */
  readonly from: string;
  /** Its topic, if one matches. */
  readonly topic?: TopicId;
  /** Other records that carry the same reviewer's point on the same topic. */
  readonly also?: readonly string[];
}

/** The first topic whose words `said` matches. */
export function topicOf(said: string): TopicId | undefined {
  return (Object.keys(TOPICS) as TopicId[]).find((t) => TOPICS[t].matches.test(said));
}

/**
 * The objections: the records' review points of the thread's year by its reviewers, then each
 * §C.5 item whose reviewer and topic no record point has, in the order of {@linkcode REVIEWERS}.
 */
export function objections(): Objection[] {
  const fromRecords: Objection[] = designs()
    .filter((d) => d.date.startsWith(THREAD_YEAR))
    .flatMap((d) =>
      (d.review ?? []).filter((p) => (REVIEWERS as readonly string[]).includes(p.who)).map((p) => ({
        ...p,
        from: d.name,
        topic: topicOf(p.said),
      }))
    );
  // One row per reviewer and topic: the same point, recorded by several designs' records,
  // is listed once, with the other records named beside it.
  const seen = new Set(fromRecords.map((o) => `${o.who}:${o.topic}`));
  const rows = new Map<string, Objection>();
  fromRecords.forEach((o, i) => {
    const key = o.topic === undefined ? String(i) : `${o.who}:${o.topic}`;
    const first = rows.get(key);
    rows.set(key, first ? { ...first, also: [...(first.also ?? []), o.from] } : o);
  });
  const fromC5 = C5.map((p) => ({ ...p, from: "§C.5", topic: topicOf(p.said) }))
    .filter((o) => !seen.has(`${o.who}:${o.topic}`));
  const order = (o: Objection) => REVIEWERS.indexOf(o.who as (typeof REVIEWERS)[number]);
  return [...rows.values(), ...fromC5].sort((a, b) => order(a) - order(b));
}

/** Below this relative difference two t90s are "the same" in a reading. */
export const SAME_WITHIN = 0.05;

const names = (xs: readonly { label: string }[]) => list(xs.map((x) => code(x.label)));
const sum = (xs: readonly Misses[], k: "nothing" | "n") => xs.reduce((s, x) => s + x[k], 0);
const rate = (xs: readonly Misses[]) => sum(xs, "nothing") / Math.max(1, sum(xs, "n"));
const share = (xs: readonly Misses[]) => pct(sum(xs, "nothing"), sum(xs, "n"));

/** A range of times, or one time when they are all equal. */
function span(xs: readonly number[]): string {
  const lo = duration(Math.min(...xs));
  const hi = duration(Math.max(...xs));
  return lo === hi ? lo : `${lo}–${hi}`;
}

/** "`a` and `b` 0 of 16; `c` 6 of 16 (from 100 µs)": the options grouped by equal counts. */
function missText(ms: readonly Misses[]): string {
  const key = (m: Misses) =>
    `${m.nothing} of ${m.n}` +
    (m.firstMissUs === undefined ? "" : ` (from ${int(m.firstMissUs)} µs)`);
  const groups = new Map<string, Misses[]>();
  for (const m of ms) groups.set(key(m), [...(groups.get(key(m)) ?? []), m]);
  return [...groups].map(([k, g]) => `${names(g)} ${k}`).join("; ");
}

function esrchBearing(f: Facts2026): Bearing {
  const closed = f.esrch.filter((m) => m.nothing === 0);
  const open = f.esrch.filter((m) => m.nothing > 0);
  const otherAll = f.other.every((m) => m.nothing > 0);
  const first = Math.min(...open.map((m) => m.firstMissUs ?? Infinity));
  const measured = `Calls that found nothing to reap, each option through its own recipe, ` +
    `0 to ${int(f.maxDelayUs)} µs after the decision (${f.esrch[0]?.n ?? 0} situations): ` +
    `${missText(f.esrch)}. After someone else killed first: ${missText(f.other)}.`;
  let reading: string;
  if (
    closed.length && open.length && closed.every((m) => m.killsInCall) &&
    open.every((m) => !m.killsInCall)
  ) {
    reading = `In this model the window is closed for the options whose call is the kill ` +
      `(${names(closed)}) and open for those that kill and then call, from ${int(first)} µs` +
      (otherAll ? "; it opens for every option once someone else has killed first." : ".");
  } else if (!open.length) {
    reading = "No option's own recipe found nothing to reap: the window does not separate " +
      "them in this grid.";
  } else if (!closed.length) {
    reading = "Every reaping option found nothing somewhere: none closes the window here.";
  } else {
    reading = `Closed for ${names(closed)}, open for ${names(open)} in this grid; the split ` +
      `does not follow whether the call is the kill.`;
  }
  return { measured, reading };
}

function holderBearing(f: Facts2026): Bearing {
  const { missedT100: missed, foundT100: found, forMs, releaseNs } = f.holder;
  const measured = `With one mm_users holder for ${int(forMs)} ms (a model assumption; it lets ` +
    `go ${duration(releaseNs)} after the decision): t100 ${missed.length ? span(missed) : "-"} ` +
    `after calls that found nothing, ${found.length ? span(found) : "-"} after calls that ` +
    `found the mm.`;
  const reading = !missed.length
    ? "No call found nothing with the holder: holders do not separate the options here."
    : missed.every((t) => t >= releaseNs)
    ? `In this model every call that found nothing left the memory to the holder's mmput, ` +
      `and the calls that found the mm could free it from ${duration(Math.min(...found))}: ` +
      `a holder that is not indefinite still decides how long a missed call's memory stays. ` +
      `How long real holders hold is assumed here, not measured.`
    : "Some calls that found nothing still saw the memory freed before the holder let go: " +
      "the holder is not what keeps it here.";
  return { measured, reading };
}

function scopeBearing(f: Facts2026): Bearing {
  const killers = f.sharers.runs.filter((x) => x.killedOthers.length > 0);
  const n = f.sharers.situations.length;
  const where = killers.map((x) =>
    `${code(x.label)} in ${x.killedOthers.length} of ${n} (${list(x.killedOthers)}; answered ` +
    `${list([...new Set(x.answers)])})`
  );
  const measured = killers.length
    ? `Processes killed besides the named victim, in the ${n} shared-mm situations: ${list(where)}.`
    : `No option killed a process besides the named victim in the ${n} shared-mm situations.`;
  const reading = killers.length
    ? `In this model a kill scoped by the mm does kill processes the caller did not name ` +
      `(${names(killers)}); the caller learns it only from the answer.`
    : "No option here kills a process the caller did not name.";
  return { measured, reading };
}

function killBearing(f: Facts2026): Bearing {
  const inCall = f.other.filter((m) => m.killsInCall);
  const split = f.other.filter((m) => !m.killsInCall);
  const measured = `After someone else killed first, calls that found nothing: ` +
    `${share(inCall)} for the options whose call is the kill (${names(inCall)}), ` +
    `${share(split)} for the others.`;
  const reading = !inCall.length || !split.length
    ? "Only one kind of option ran: nothing to compare."
    : Math.abs(rate(inCall) - rate(split)) < SAME_WITHIN
    ? "Once the victim was dying, the call's own kill changed nothing measured here: it " +
      "matters only before anyone has killed."
    : rate(inCall) < rate(split)
    ? "The call's own kill found the mm more often even after someone else's kill here."
    : "The call's own kill found the mm less often after someone else's kill here.";
  return { measured, reading };
}

function pinBearing(f: Facts2026): Bearing | undefined {
  const users = f.pin.filter((p) => p.pins === "mm_users" && p.t90 !== null);
  const count = f.pin.filter((p) => p.pins === "mm_count" && p.t90 !== null);
  const t = (xs: typeof users) => span(xs.map((p) => p.t90!));
  const freed = (xs: typeof users) => list([...new Set(xs.map((p) => pct(p.callerShare, 1)))]);
  if (!users.length || !count.length) return undefined;
  const best = (xs: typeof users) => Math.min(...xs.map((p) => p.t90!));
  const measured = `A running victim (\`q2026-running\`): the options that pin mm_users ` +
    `(mmget) t90 ${t(users)}, their caller freeing ${freed(users)}; those that pin mm_count ` +
    `(mmgrab) t90 ${t(count)}, their caller freeing ${freed(count)}.`;
  const rel = (best(users) - best(count)) / best(count);
  const reading = Math.abs(rel) < SAME_WITHIN
    ? "In this model the pin does not change how fast the memory comes back, only who frees it."
    : rel > 0
    ? "In this model mmgrab is faster here: the victim's own exit_mmap frees beside the " +
      "caller, as Suren Baghdasaryan argued; mmget leaves the caller to reap alone."
    : "In this model mmget is faster here: the caller reaps alone, and the victim's exit does " +
      "not compete with it.";
  return { measured, reading };
}

/** Below this share of the cheapest reap a walk is "small next to" it. */
export const WALK_SMALL_SHARE = 0.1;

/** What the walks at 100,000 processes come to, next to the reap; undefined without walks. */
export function walkReading(f: Facts2026): string | undefined {
  const walkers = f.walk.filter((w) => w.multi > 0);
  if (!walkers.length) return undefined;
  const worst = walkers.reduce((m, w) => w.multi > m.multi ? w : m);
  const share = worst.multi / f.reapNs;
  const size = share < WALK_SMALL_SHARE
    ? "small next to"
    : share < 1
    ? `${pct(worst.multi, f.reapNs)} of`
    : `${times(worst.multi, f.reapNs)}`;
  const single = f.walk.filter((w) => w.single > 0);
  return `At 100,000 processes the walks add up to ${duration(worst.multi)} a call ` +
    `(${walkers.length} of ${f.walk.length} options walk), ${size} the cheapest 64 MiB reap ` +
    `(${duration(f.reapNs)}): ${
      share < WALK_SMALL_SHARE ? "they hardly separate the options" : "a cost that separates them"
    }; for a single-threaded victim ${
      single.length ? `${names(single)} still walk` : "none walks"
    }.`;
}

/**
 * The measurement and reading for a topic, from the facts, or from a part that bears on it;
 * undefined when nothing here measures it.
 */
export function bearing(
  topic: TopicId | undefined,
  f: Facts2026,
  parts: Partial<Record<TopicId, Bearing>> = {},
): Bearing | undefined {
  if (topic === undefined) return undefined;
  if (parts[topic]) return parts[topic];
  switch (topic) {
    case "esrch":
      return esrchBearing(f);
    case "holders":
      return holderBearing(f);
    case "scope":
      return scopeBearing(f);
    case "kill":
      return killBearing(f);
    case "pin":
      return pinBearing(f);
    default:
      return undefined;
  }
}

/**
 * The section's conclusion: a few hedged sentences, each chosen by the numbers.
 *
 * @example
 * ```ts
 * import { conclusion } from "./objections_2026.ts";
 * // conclusion(facts2026(r), {}) is a list of sentences
 * ```
 */
export function conclusion(
  f: Facts2026,
  parts: Partial<Record<TopicId, Bearing>> = {},
): string[] {
  const out = [
    bearing("esrch", f, parts)!.reading,
    bearing("scope", f, parts)!.reading,
    bearing("holders", f, parts)!.reading,
  ];
  const pin = bearing("pin", f, parts);
  if (pin) out.push(pin.reading);
  const walk = walkReading(f);
  if (walk) out.push(walk);
  const open = (Object.keys(TOPICS) as TopicId[]).filter((t) =>
    objections().some((o) => o.topic === t) && bearing(t, f, parts) === undefined
  );
  if (open.length) {
    out.push(
      `Not measured in this section, so still open here: ${
        list(open.map((t) => TOPICS[t].about))
      }.`,
    );
  }
  return out;
}
