/**
 * The design review's ESRCH-window experiment (reference §F.7): every design through its
 * own recipe against the delay between the decision to kill and its call, the labelled case
 * where someone else killed first, and transient mm_users holders (§A.5's cover letters).
 * Its section is sections_esrch.ts.
 *
 * @module
 */

import type { Design } from "../../core/mod.ts";
import type { Experiment, Point } from "./experiments.ts";
import { MERGED } from "./roles.ts";
import { optionRuns } from "./options_2026.ts";
import { placementLabel, sizeLabel } from "./world.ts";

function esrchDelaysUs(full: boolean): number[] {
  return full ? [0, 5, 10, 20, 50, 100, 200, 500, 1000] : [0, 20, 100, 1000];
}

/** The ESRCH family's victims: a small and a large app (MiB). */
export const ESRCH_SIZES_MIB = [64, 1024] as const;
/** The delay of the ESRCH family's rows with an mm_users holder (µs): past the window. */
export const ESRCH_HOLDER_DELAY_US = 100;

/**
 * The transient mm_users holders of the ESRCH family: none, one short read of
 * /proc/<pid>/cmdline, one long-lived holder (the REAP_KILL cover letters name cmdline
 * readers, async I/O and other remote VM accesses, §A.5). Each takes its reference 0.1 ms
 * before the decision to kill, so that it is held when the victim passes exit_mm.
 */
export const ESRCH_HOLDERS = [
  { id: "none", label: "no holder" },
  {
    id: "read",
    label: "one /proc/<pid>/cmdline read",
    // Invented: proc_pid_cmdline_read()'s get_task_mm() .. mmput() around an
    // access_remote_vm() that faults its page back from zram; a model parameter.
    holder: { fromMs: 0.9, forMs: 1 },
  },
  {
    id: "long",
    label: "a long-lived holder",
    // Invented: an async I/O or remote VM access held for half a second, within the "delay
    // this teardown indefinitely" of the cover letters (§A.5); a model parameter.
    holder: { fromMs: 0.9, forMs: 500 },
  },
] as const;

/** The recipes of the ESRCH family's points: whose kill comes first, if anyone's. */
export type EsrchRecipe = "own" | "own-call" | "other-first";

function esrchPoint(opts: {
  mib: number;
  cpus: "big" | "little";
  us: number;
  recipe: EsrchRecipe;
  holder: (typeof ESRCH_HOLDERS)[number];
}): Point {
  const { mib, cpus, us, recipe, holder } = opts;
  const hold = holder.id === "none" ? "" : `${holder.id}-`;
  const other = recipe === "other-first" ? "other-" : "";
  const twin = recipe === "own-call" ? "-call" : "";
  const name = `esrch-${other}${hold}${mib}mib-${cpus}-${us}us${twin}`;
  // Every 2026 option runs here (the 2026 section reads these points), each design's
  // variants beside it.
  const splits = (d: Design) => !d.killsInCall;
  const runs = us === 0 && recipe !== "other-first"
    ? optionRuns()
    : recipe === "own"
    ? optionRuns(splits)
    : recipe === "own-call"
    ? optionRuns((d) => !splits(d))
    : optionRuns();
  const who = recipe === "other-first"
    ? `lmkd's main thread kills it at 1 ms (someone else killed first) and lmkd_reaper0 ` +
      `makes the design's call ${us} µs later on its pidfd without killing again`
    : recipe === "own-call"
    ? `lmkd_reaper0 makes the design's call, which is the kill, ${us} µs after the ` +
      `decision to kill at 1 ms`
    : us === 0
    ? `lmkd_reaper0 runs the design's recipe at the decision to kill, 1 ms`
    : `lmkd_reaper0 kills it at the decision, 1 ms (its recipe's kill), and makes the ` +
      `design's call ${us} µs later without killing again`;
  return {
    name,
    params: {
      size: sizeLabel(mib),
      size_mib: mib,
      placement: placementLabel(cpus),
      cpus,
      delay_us: us,
      recipe,
      holder: holder.id,
    },
    world: {
      name,
      description: `ESRCH-window family: a single-threaded ${sizeLabel(mib)} app running ` +
        `on the ${placementLabel(cpus)}${
          holder.id === "none" ? "" : `, ${holder.label} holding its mm_users`
        }; ${who}.`,
      horizonMs: 2500 + Math.ceil(mib * 0.3),
      victim: { anonMiB: mib, threads: 1, leader: "R", cpus },
      killFirst: recipe === "other-first"
        ? "main"
        : recipe === "own" && us > 0
        ? "caller"
        : undefined,
      callDelayMs: us / 1000,
      holder: "holder" in holder ? holder.holder : undefined,
    },
    runs,
    cost: 1 + mib / 2048,
  };
}

/** The ESRCH-window experiment. */
export const esrch: Experiment = {
  id: "esrch-window",
  title: "The ESRCH window",
  question:
    "What happens when the victim passes exit_mm before the design's call reaches its mm (reference §F.7), when each design is used through its own recipe, and what do transient mm_users holders add?",
  family: "A single-threaded app of 64 MiB or 1 GiB, running, on the big cores at 2.5 GHz or " +
    "the little cores at 300 MHz. lmkd decides to kill it at 1 ms; the design's call comes 0 " +
    "to 1,000 µs later, through the design's own recipe: a design whose recipe kills and " +
    "then calls (lmkd's reaper thread: pidfd_send_signal, then the call, §E.1) kills at the " +
    "decision and calls after the delay, so the delay is the kill→call window; a design " +
    "whose call is the kill makes it after the delay, and nothing was killed before it " +
    "(the `-call` twin of each point). A separate row has someone else kill first: lmkd's " +
    "main thread kills at 1 ms (what it does when its reaper pool is full, §E.1) and every " +
    "design's call comes after the delay without killing again. Transient mm_users holders " +
    "(a `proc_reader` event by system_server on the victim's cores, from 0.9 ms): none, one " +
    "/proc/<pid>/cmdline read of 1 ms, a long-lived holder of 500 ms; once the victim has " +
    "passed exit_mm, exit_mmap runs only when the last of them lets go. Times count from the " +
    "decision to kill at 1 ms (`deno task lab run` counts from the caller's start).",
  points(full) {
    const pts: Point[] = [];
    const none = ESRCH_HOLDERS[0];
    for (const mib of ESRCH_SIZES_MIB) {
      for (const cpus of ["big", "little"] as const) {
        for (const us of esrchDelaysUs(full)) {
          pts.push(esrchPoint({ mib, cpus, us, recipe: "own", holder: none }));
          if (us > 0) pts.push(esrchPoint({ mib, cpus, us, recipe: "own-call", holder: none }));
        }
        for (const us of esrchDelaysUs(full)) {
          pts.push(esrchPoint({ mib, cpus, us, recipe: "other-first", holder: none }));
        }
      }
    }
    const mib = ESRCH_SIZES_MIB[0];
    for (const holder of ESRCH_HOLDERS.slice(1)) {
      for (const cpus of ["big", "little"] as const) {
        for (const us of [0, ESRCH_HOLDER_DELAY_US]) {
          pts.push(esrchPoint({ mib, cpus, us, recipe: "own", holder }));
          if (us > 0) pts.push(esrchPoint({ mib, cpus, us, recipe: "own-call", holder }));
        }
        pts.push(
          esrchPoint({ mib, cpus, us: ESRCH_HOLDER_DELAY_US, recipe: "other-first", holder }),
        );
      }
    }
    return pts;
  },
  representative: { point: "esrch-other-64mib-big-100us", design: MERGED },
};
