/**
 * The design review's experiment for "The 2026 question": the victim in each state the
 * REAP_KILL thread raised (kernel-semantics §A.5, §C.5), run by every 2026 option
 * (options_2026.ts) through its own recipe, with who got killed recorded. The section
 * (sections_2026.ts) also reads the ESRCH family's points (experiments_esrch.ts) and the world
 * size family's (experiments.ts), which run every option too.
 *
 * Two states the scenario format cannot state are stood in for by the state whose answer to
 * SIGKILL the kernel makes the same, and the section labels them so: a task frozen by the
 * cgroup v2 freezer and a ptrace-stopped task.
 *
 * @module
 */

import type { Experiment, Point } from "./experiments.ts";
import { optionRuns } from "./options_2026.ts";
import { KILLS_SHARERS } from "./roles.ts";
import { LMKD_CAPS, type VictimSpec } from "./world.ts";

/** The 2026 experiment's id: the section's anchor. */
export const Q2026_ID = "q2026";

/** The victim's memory in the 2026 situations (MiB), as the victim-state family's. */
const Q2026_MIB = 512;
/** As the victim-state family's horizon: SIGKILL alone finishes inside it where it can. */
const Q2026_HORIZON_MS = 4500;
/** The end of the D sleeps (absolute ms), as the headline victim's. */
const D_UNTIL_MS = 500;
/** The uid of a sharer the caller may not signal: another app's. */
const OTHER_APP_UID = 10051;
/** lmkd's uid (AID_LMKD), which the victim runs as when lmkd has no CAP_KILL. */
const LMKD_UID = 1069;

/** One situation of the 2026 experiment. */
export interface Situation {
  /** The point is `q2026-<id>`. */
  readonly id: string;
  /** Its column head. */
  readonly label: string;
  /** The situation's group: the victim's state, or who shares its mm. */
  readonly group: "control" | "state" | "sharer";
  /** The victim. */
  readonly victim: VictimSpec;
  /** lmkd's capabilities, when not the review's. */
  readonly callerCaps?: readonly string[];
  /**
   * When the scenario format cannot state the situation: what stands in for it and why the
   * kernel's answer to SIGKILL is the same (with the source).
   */
  readonly standIn?: string;
}

const base = { anonMiB: Q2026_MIB, threads: 3, cpus: "little" as const };

/** How the cgroup v2 freezer's frozen task is stated: the format has the v1 freezer only. */
const V2_FREEZER = "stated as an interruptible sleep without end (`S`): the cgroup v2 freezer " +
  "parks each task in do_freezer_trap() (kernel/signal.c) in TASK_INTERRUPTIBLE (with " +
  "TASK_FREEZABLE from v6.1), so a SIGKILL wakes it through signal_wake_up() as it wakes any " +
  "interruptible sleep; the core's `frozen` is the v1 freezer's, which signals do not wake";
/** How a ptrace-stopped task is stated: the lab models no ptrace. */
const PTRACE_STOP = "stated as a stopped leader (`T`): the lab models no ptrace; a fatal signal " +
  "wakes a TASK_TRACED task as it wakes a stopped one (signal_wake_up() with fatal set, " +
  "include/linux/sched/signal.h, v5.19+), except while its tracer holds it inside a ptrace " +
  "request (JOBCTL_PTRACE_FROZEN), which no scenario can state";

/** A situation of the victim's own state: its leader's and its other threads'. */
function inState(
  id: string,
  label: string,
  states: Pick<VictimSpec, "leader" | "others" | "sleepUntilMs">,
  standIn?: string,
): Situation {
  return { id, label, group: "state", victim: { ...base, ...states }, standIn };
}

/** The situations, in the section's order. */
export const SITUATIONS: readonly Situation[] = [
  { id: "running", label: "running (control)", group: "control", victim: { ...base, leader: "R" } },
  inState("d", `stuck in D until ${D_UNTIL_MS} ms`, { leader: "D", sleepUntilMs: D_UNTIL_MS }),
  inState("frozen-v1", "frozen, cgroup v1 freezer", { leader: "frozen", others: "frozen" }),
  inState("frozen-v2", "frozen, cgroup v2 freezer", { leader: "S", others: "S" }, V2_FREEZER),
  inState("stopped", "stopped (SIGSTOP)", { leader: "T", others: "T" }),
  inState("ptrace-stopped", "ptrace-stopped", { leader: "T", others: "S" }, PTRACE_STOP),
  {
    id: "zombie-leader",
    label: `zombie leader, thread in D until ${D_UNTIL_MS} ms`,
    group: "state",
    victim: {
      ...base,
      threads: 4,
      leader: "zombie",
      others: "D",
      sleepUntilMs: D_UNTIL_MS,
    },
  },
  {
    id: "vfork-child",
    label: "mm shared with a live vfork child",
    group: "sharer",
    victim: { ...base, threads: 2, leader: "D", vforkChild: true },
  },
  {
    id: "init-sharer",
    label: "mm shared with init",
    group: "sharer",
    victim: { ...base, leader: "D", sleepUntilMs: D_UNTIL_MS, initSharesMm: true },
  },
  {
    id: "unsignalable-sharer",
    label: "mm shared with a process lmkd may not signal",
    group: "sharer",
    victim: {
      ...base,
      leader: "D",
      sleepUntilMs: D_UNTIL_MS,
      uid: LMKD_UID,
      cloneVmSharer: { uid: OTHER_APP_UID },
    },
    // Without CAP_KILL lmkd may signal its own uid's victim but not the other app
    // (check_kill_permission(), kernel/signal.c).
    callerCaps: LMKD_CAPS.filter((c) => c !== "CAP_KILL"),
  },
];

function situationPoint(s: Situation): Point {
  const name = `${Q2026_ID}-${s.id}`;
  return {
    name,
    params: { situation: s.label, group: s.group },
    world: {
      name,
      description: `The 2026 question: the base world's ${Q2026_MIB} MiB app (little cores at ` +
        `300 MHz), ${s.label}${s.standIn ? ` (${s.standIn})` : ""}; lmkd_reaper0 runs the ` +
        `design's own recipe at 1 ms.`,
      horizonMs: Q2026_HORIZON_MS,
      victim: s.victim,
      callerCaps: s.callerCaps,
    },
    runs: optionRuns(),
    killed: true,
  };
}

/** The 2026 experiment: the stuck and shared victims, every option through its own recipe. */
export const q2026: Experiment = {
  id: Q2026_ID,
  title: "The 2026 question",
  question: "Where the REAP_KILL thread disagrees (reference §A.5, §C.5), what does each " +
    "option on the table in 2026 do, each through its own recipe: in the ESRCH window, with " +
    "a victim that cannot exit yet or shares its mm, and at 100,000 processes?",
  family: "The options are every registered baseline and proposal as 6.18 runs it, and every " +
    "variant of a record that no release shipped or superseded and that the record knows no " +
    "bug of on 6.18 (`name@variant`). The stuck and shared victims are the base world's " +
    `${Q2026_MIB} MiB app with 3 threads on the little cores at 300 MHz, killed by ` +
    "lmkd_reaper0's own recipe at 1 ms (`q2026-*`). The ESRCH window is read off the ESRCH " +
    "family's points and the walks off the world-size family's, which run every option too.",
  points() {
    return SITUATIONS.map(situationPoint);
  },
  representative: { point: `${Q2026_ID}-vfork-child`, design: KILLS_SHARERS },
};
