/**
 * The design review's experiments: named scenario families, each built in code from the
 * base world ({@linkcode buildWorld}) by turning one or two knobs. A family is a list of
 * points; a point is one scenario (its name is unique across the report) that every design
 * runs on. The list is a pure function of `full`, so a worker can rebuild it and run point
 * `i` without being sent anything else.
 *
 * @module
 */

import {
  KILL_ALONE,
  KILLS_SHARERS,
  MERGED,
  NEEDS_PTRACE,
  OOM_KILLER,
  playing,
  type Role,
} from "./roles.ts";
import { defaultRuns, oomKillerBeforeDelay, runOf, type RunSpec } from "./runs.ts";
import {
  buildWorld,
  LMKD_CAPS_ANDROID,
  placementLabel,
  REPORT_KERNEL,
  REPORT_SEED,
  sizeLabel,
  type WorldSpec,
} from "./world.ts";
import { esrch } from "./experiments_esrch.ts";
import { optionRuns } from "./options_2026.ts";
import { q2026 } from "./experiments_2026.ts";
import { teardown } from "./sections_2026_teardown.ts";

export { REPORT_KERNEL, REPORT_SEED, sizeLabel };
export {
  ESRCH_HOLDER_DELAY_US,
  ESRCH_HOLDERS,
  ESRCH_SIZES_MIB,
  type EsrchRecipe,
} from "./experiments_esrch.ts";

/** One point of a family: a scenario and the runs made on it. */
export interface Point {
  /** Scenario name, unique across the report. */
  readonly name: string;
  /** The family's parameters at this point, for tables. */
  readonly params: Readonly<Record<string, number | string>>;
  /** The world. */
  readonly world: WorldSpec;
  /** The runs; default: every registered design on {@linkcode REPORT_KERNEL}. */
  readonly runs?: readonly RunSpec[];
  /** The caller loops over the whole cgroup (victim + members): kill all, then reap each. */
  readonly loop?: boolean;
  /** Keep the memory-over-time curve of each run (for a chart). */
  readonly curve?: boolean;
  /** Record who got killed in each run (`RunRecord.killed_tgids`). */
  readonly killed?: boolean;
  /** Relative cost, for the progress estimate (1 = a small world). */
  readonly cost?: number;
}

/** An experiment: a documented family of points. */
export interface Experiment {
  /** Id: the section's anchor, the traces' directory. */
  readonly id: string;
  /** Section title. */
  readonly title: string;
  /** The question it answers. */
  readonly question: string;
  /** How the family is built from the base world, and its parameters. */
  readonly family: string;
  /** The points. */
  points(full: boolean): Point[];
  /** The run whose traces are written: a point name and the role of the design run there. */
  readonly representative: { readonly point: string; readonly design: Role };
}

/** The victim's memory in the state, shape and caller families (MiB). */
const APP_MIB = 512;
/** The D sleep of the headline victim (ms): the dstate-little-core world. */
export const HEADLINE_POINT = "state-d-500ms";

const STATE_HORIZON_MS = 4500;

/**
 * Time a victim's own exit takes per MiB on the little core at 300 MHz, with room (ms): the
 * model frees about 0.69 MB/ms there at the exit's share of the CPU (docs/architecture.md,
 * "Calibration"; §E.4 measured 0.86), 1.5 ms a MiB. Horizons grow with it so that SIGKILL
 * alone finishes inside the run.
 */
const LITTLE_EXIT_MS_PER_MIB = 1.7;

function dstateMs(full: boolean): number[] {
  return full
    ? [10, 20, 30, 50, 70, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000]
    : [10, 20, 50, 100, 200, 300, 500, 700, 1000, 1500, 2000];
}

const victimState: Experiment = {
  id: "victim-state",
  title: "Victim state at kill time",
  question:
    "What does each design get back, and when, depending on what the victim is doing when it is killed?",
  get family() {
    const early = oomKillerBeforeDelay();
    return "The base world's app (512 MiB of anonymous memory, 3 threads, on the little cores at " +
      "300 MHz) in each state the kernel distinguishes at kill time: running (R: the SIGKILL " +
      "IPI makes it exit at once), in interruptible sleep (S: SIGKILL wakes it), in " +
      "uninterruptible sleep (D: the leader sleeps until `d` ms, `d` from 10 ms to 2 s; " +
      "SIGKILL cannot end it, reference §A.0), stopped (T: SIGKILL wakes it), frozen (all " +
      "threads in the freezer), and in D until 500 ms holding its mmap_lock for write (the " +
      "case that blocks every reaper, §F.7). The other two threads sleep in S (T or frozen " +
      "when the whole process is). Besides the registered designs on " +
      `${REPORT_KERNEL}, the ${early.design} also runs on ${early.kernel}, before ` +
      "OOM_REAPER_DELAY (§B.4).";
  },
  points(full) {
    const base = { anonMiB: APP_MIB, threads: 3, cpus: "little" as const };
    const runs = [...defaultRuns(), oomKillerBeforeDelay()];
    const ptrace = playing(NEEDS_PTRACE);
    const pts: Point[] = [
      statePoint("state-running", "R (running)", { ...base, leader: "R" }, { runs }),
      statePoint("state-sleeping", "S (interruptible sleep)", { ...base, leader: "S" }, { runs }),
    ];
    for (const d of dstateMs(full)) {
      pts.push(
        statePoint(`state-d-${d}ms`, `D until ${d} ms`, {
          ...base,
          leader: "D",
          sleepUntilMs: d,
        }, { runs, curve: d === 500, params: { d_ms: d } }),
      );
    }
    pts.push(
      statePoint("state-stopped", "T (stopped)", { ...base, leader: "T", others: "T" }, { runs }),
      statePoint("state-frozen", "frozen", { ...base, leader: "frozen", others: "frozen" }, {
        runs,
      }),
      statePoint(
        "state-d-500ms-mmap-lock-write",
        "D until 500 ms, holding mmap_lock for write",
        { ...base, leader: "D", sleepUntilMs: 500, holdsMmapLockWrite: true },
        { runs },
      ),
      // The design that needs ptrace access, with lmkd's real capabilities: a footnote run.
      statePoint(
        "state-d-500ms-android-caps",
        `D until 500 ms, lmkd without ${ptrace.needsCapability}`,
        { ...base, leader: "D", sleepUntilMs: 500 },
        {
          runs: [runOf(ptrace)],
          callerCaps: LMKD_CAPS_ANDROID,
        },
      ),
    );
    return pts;
  },
  representative: { point: HEADLINE_POINT, design: MERGED },
};

function statePoint(
  name: string,
  state: string,
  victim: WorldSpec["victim"],
  opts: {
    runs?: readonly RunSpec[];
    curve?: boolean;
    params?: Record<string, number | string>;
    callerCaps?: readonly string[];
  } = {},
): Point {
  return {
    name,
    params: { state, ...opts.params },
    world: {
      name,
      description: `Victim-state family: the base world's 512 MiB app (3 threads), ${state}, ` +
        `on the little cores at 300 MHz; lmkd_reaper0 (nice -20, big core) kills it at 1 ms ` +
        `and calls the design.`,
      horizonMs: STATE_HORIZON_MS,
      victim,
      callerCaps: opts.callerCaps,
    },
    runs: opts.runs,
    curve: opts.curve,
  };
}

function sizesMiB(full: boolean): number[] {
  const all = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
  return full ? all : all.filter((m) => m >= 64 && m <= 16384);
}

const victimSize: Experiment = {
  id: "victim-size",
  title: "Victim size and placement",
  question:
    "How does the time to get the memory back grow with the victim's size, and how much does it matter which CPU the victim's exit runs on?",
  family: "The app, running (R) when killed so that its own exit starts at once, with 64 MiB to " +
    "16 GiB of anonymous memory, its threads on the little cores at their minimum frequency " +
    "(sd845-little-min, 300 MHz) or on the big cores at their maximum (sd845-big-max, " +
    "2.5 GHz). The caller is lmkd_reaper0 on a big core at nice -20. The horizon grows with " +
    "the size so that every design finishes.",
  points(full) {
    const pts: Point[] = [];
    for (const cpus of ["little", "big"] as const) {
      for (const mib of sizesMiB(full)) {
        const name = `size-${mib}mib-${cpus}`;
        pts.push({
          name,
          params: { size: sizeLabel(mib), size_mib: mib, placement: placementLabel(cpus) },
          world: {
            name,
            description: `Size family: the app with ${sizeLabel(mib)} of anonymous memory, ` +
              `running when killed, on the ${placementLabel(cpus)}; lmkd_reaper0 (nice -20, ` +
              `big core) kills it at 1 ms and calls the design.`,
            horizonMs: 2500 + Math.ceil(mib * LITTLE_EXIT_MS_PER_MIB),
            victim: { anonMiB: mib, threads: 3, leader: "R", cpus },
          },
          cost: 1 + mib / 2048,
        });
      }
    }
    return pts;
  },
  representative: { point: "size-1024mib-little", design: MERGED },
};

const callerThread: Experiment = {
  id: "caller",
  title: "Caller: lmkd's reaper thread or its RT main thread",
  question:
    "Does it matter which lmkd thread makes the call: a reaper thread at nice -20 (lmkd since 353c2f1), or the SCHED_FIFO main thread (what 1c96a31 forbids)?",
  family: "A 1 GiB or 4 GiB app on the little cores, either running when killed or in D until " +
    "500 ms holding its mmap_lock for write; the caller is lmkd_reaper0 (pid 501, " +
    "SCHED_OTHER nice -20) or lmkd's main thread (pid 500, SCHED_FIFO priority 1), both on " +
    "the big cores (reference §E.1, §F.8). `in call` is how long the caller's thread was in " +
    "the design's call: time lmkd's event loop cannot handle anything else when it is the " +
    "main thread.",
  points() {
    const pts: Point[] = [];
    for (const mib of [1024, 4096]) {
      for (const state of ["running", "mmap-locked"] as const) {
        for (const caller of ["reaper", "main"] as const) {
          const name = `caller-${caller}-${state}-${mib / 1024}gib`;
          const stateText = state === "running"
            ? "running"
            : "in D until 500 ms holding mmap_lock for write";
          pts.push({
            name,
            params: {
              caller: caller === "reaper" ? "lmkd_reaper0 (nice -20)" : "lmkd main (SCHED_FIFO)",
              state: stateText,
              size: sizeLabel(mib),
            },
            world: {
              name,
              description: `Caller family: the app with ${sizeLabel(mib)}, ${stateText} when ` +
                `killed, on the little cores at 300 MHz; the caller is ${
                  caller === "reaper"
                    ? "lmkd_reaper0 (pid 501, nice -20)"
                    : "lmkd's main thread (pid 500, SCHED_FIFO 1)"
                } on a big core.`,
              horizonMs: 2500 + Math.ceil(mib * LITTLE_EXIT_MS_PER_MIB),
              caller,
              victim: state === "running"
                ? { anonMiB: mib, threads: 3, leader: "R", cpus: "little" }
                : {
                  anonMiB: mib,
                  threads: 3,
                  leader: "D",
                  sleepUntilMs: 500,
                  holdsMmapLockWrite: true,
                  cpus: "little",
                },
            },
          });
        }
      }
    }
    return pts;
  },
  representative: { point: "caller-main-mmap-locked-1gib", design: MERGED },
};

const shape: Experiment = {
  id: "shape",
  title: "Shape of the victim",
  question:
    "Which designs cope with the process shapes that make `find_lock_task_mm()` and `task_will_free_mem()` work hard: many threads, a leader that already exited, an mm shared with a vfork child?",
  family: "The 512 MiB app on the little cores at 300 MHz with a thread in D until 500 ms: " +
    "single-threaded; 64 threads (the leader in D, the rest in S); a zombie leader (the " +
    "leader called pthread_exit, thread 1001 is in D, 1002-1003 in S); and an app that " +
    "vforked a shell (tgid 1100, running, not killed) whose leader waits in D_vfork, so the " +
    "mm has a live user outside the victim (reference §B.2).",
  points() {
    const mk = (
      name: string,
      label: string,
      victim: WorldSpec["victim"],
    ): Point => ({
      name,
      params: { shape: label },
      world: {
        name,
        description: `Shape family: the app (512 MiB, little cores at 300 MHz), ${label}; ` +
          `lmkd_reaper0 kills it at 1 ms and calls the design.`,
        horizonMs: STATE_HORIZON_MS,
        victim,
      },
    });
    const base = { anonMiB: APP_MIB, cpus: "little" as const };
    return [
      mk("shape-single-thread", "single-threaded, in D until 500 ms", {
        ...base,
        threads: 1,
        leader: "D",
        sleepUntilMs: 500,
      }),
      mk("shape-64-threads", "64 threads, the leader in D until 500 ms", {
        ...base,
        threads: 64,
        leader: "D",
        sleepUntilMs: 500,
      }),
      mk("shape-zombie-leader", "leader already a zombie, thread 1001 in D until 500 ms", {
        ...base,
        threads: 4,
        leader: "zombie",
        others: "D",
        sleepUntilMs: 500,
      }),
      mk("shape-vfork-shared-mm", "mm shared with a vfork child that is not killed", {
        ...base,
        threads: 2,
        leader: "D",
        vforkChild: true,
      }),
    ];
  },
  representative: { point: "shape-vfork-shared-mm", design: KILLS_SHARERS },
};

function cgroupSizes(full: boolean): number[] {
  // At most 1,000: the caller holds a pidfd of each at once, and a process has 1,024 fds.
  return full
    ? [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000]
    : [1, 3, 10, 30, 100, 300, 1000];
}

/** Memory of each member of the cgroup (MiB). */
export const CGROUP_MEMBER_MIB = 16;

const cgroup: Experiment = {
  id: "cgroup",
  title: "A cgroup killed together, reaped one by one",
  question:
    "Shakeel Butt's question (reference §C.3): when a whole cgroup of N processes is killed, can one thread reaping them one by one keep up?",
  family: `N single-threaded apps of ${CGROUP_MEMBER_MIB} MiB each (the victim 1000 and N-1 ` +
    "members 2000...), all sleeping (S) on the little cores at 300 MHz, N from 1 to 1,000. " +
    "The caller's recipe loops over N pidfds twice, as oomd does after `cgroup.kill` " +
    "(reference §E.2): first it opens a pidfd of each and sends SIGKILL through it (all are " +
    "killed together), then it makes the design's call on each pidfd in turn. Times count " +
    "from the first kill, over the memory of all N.",
  points(full) {
    return cgroupSizes(full).map((n) => {
      const name = `cgroup-${n}`;
      return {
        name,
        params: { n },
        world: {
          name,
          description: `Cgroup family: ${n} single-threaded apps of ${CGROUP_MEMBER_MIB} MiB ` +
            `each (tgid 1000 and 2000...), sleeping on the little cores at 300 MHz; ` +
            `lmkd_reaper0 kills all of them through pidfds, then calls the design on each ` +
            `in turn.`,
          horizonMs: 2500 + Math.ceil(n * CGROUP_MEMBER_MIB * LITTLE_EXIT_MS_PER_MIB / 4),
          victim: { anonMiB: CGROUP_MEMBER_MIB, threads: 1, leader: "S", cpus: "little" },
          cgroupMembers: n - 1,
          cgroupMemberMiB: CGROUP_MEMBER_MIB,
        },
        loop: true,
        cost: 1 + n / 5,
      };
    });
  },
  representative: { point: "cgroup-10", design: MERGED },
};

function worldSizes(full: boolean): number[] {
  return full
    ? [100, 300, 1000, 3000, 10000, 30000, 100000, 300000]
    : [100, 300, 1000, 3000, 10000, 30000, 100000];
}

/** Processes in the base world besides the fillers (init, kthreadd, lmkd, zygote64, the app). */
const BASE_PROCESSES = 5;

const worldSize: Experiment = {
  id: "world-size",
  title: "World size: task_will_free_mem's walk",
  question:
    "What does `task_will_free_mem()`'s walk over every process cost the caller on a machine with many processes (Shakeel Butt, reference §C.3, §B.2)?",
  family: "The base world grown to 100 to 100,000 processes with sleeping filler processes " +
    "(which share one mm per 1,000: the format allows at most 65,536 mms, and the walk " +
    "looks at every process either way). The victim has 64 MiB, sleeps in D until 2.5 s " +
    "(so the caller reaps all of it), and has 4 threads (mm_users > 1: the slow path that " +
    "walks every process) or 1 (the fast path). The walk costs `TWFM_NS_PER_PROCESS` = " +
    "25 ns a process at speed 1.0 (docs/architecture.md).",
  points(full) {
    const pts: Point[] = [];
    for (const threads of [4, 1]) {
      for (const n of worldSizes(full)) {
        const name = `world-${n}-procs-${threads}-thread${threads > 1 ? "s" : ""}`;
        pts.push({
          name,
          params: { processes: n, threads },
          world: {
            name,
            description:
              `World-size family: ${n} processes (${
                n - BASE_PROCESSES
              } sleeping fillers), a 64 MiB victim with ${threads} thread(s) in D until 2.5 s on ` +
              `the little cores; lmkd_reaper0 kills it at 1 ms and calls the design.`,
            horizonMs: 3000,
            victim: { anonMiB: 64, threads, leader: "D", sleepUntilMs: 2500, cpus: "little" },
            fillerProcesses: n - BASE_PROCESSES,
          },
          // The 2026 section reads every option's walks here.
          runs: optionRuns(),
          cost: 1 + n / 250,
        });
      }
    }
    return pts;
  },
  representative: { point: "world-1000-procs-4-threads", design: MERGED },
};

/** The presets the calibration measures, with the SD845 figures of reference §E.4 (MB/s). */
export const CALIBRATION_PRESETS = [
  { preset: "sd845-big-max", label: "big at 2500 of 2500 MHz", exit: 14656, reap: 12398 },
  { preset: "sd845-big-min", label: "big at 800 of 2500 MHz", exit: 5084, reap: 6144 },
  { preset: "sd845-little-max", label: "little (673) at 1600 of 1600 MHz", exit: 5602, reap: 8144 },
  { preset: "sd845-little-min", label: "little (673) at 300 of 1600 MHz", exit: 856, reap: 3236 },
] as const;

/** Memory of the calibration victim (MiB). */
export const CALIBRATION_MIB = 4096;

const calibration: Experiment = {
  id: "calibration",
  title: "Calibration",
  question: "Do the lab's reclaim rates reproduce the measured ones?",
  get family() {
    return `A ${CALIBRATION_MIB / 1024} GiB app on a machine whose eight CPUs all run one ` +
      "preset. Victim's own exit: the app runs when killed and the design is SIGKILL alone, " +
      "so its exit_mmap frees everything. Reaping: the app sleeps in D past the horizon and " +
      `${playing(MERGED).name} reaps everything from the caller (the ` +
      `${playing(OOM_KILLER).name}'s rate, which the 2019 RFC's "expedited" column ` +
      "measured). The rate is the slope between 10% and 90% freed (MB = 10^6 bytes).";
  },
  points() {
    const pts: Point[] = [];
    for (const c of CALIBRATION_PRESETS) {
      for (const path of ["exit", "reap"] as const) {
        const name = `calibration-${c.preset}-${path}`;
        pts.push({
          name,
          params: { preset: c.preset, path },
          world: {
            name,
            description: `Calibration: every CPU is ${c.preset}; a ${
              CALIBRATION_MIB / 1024
            } GiB app ${
              path === "exit"
                ? "running when killed, freed by its own exit"
                : "in D past the horizon, reaped by the caller"
            }.`,
            // 4 GiB at §E.4's slowest normal kill (856 MB/s) takes 5 s: room for 10.
            horizonMs: 10_000,
            little: c.preset,
            big: c.preset,
            victim: path === "exit"
              ? { anonMiB: CALIBRATION_MIB, threads: 1, leader: "R", cpus: "little" }
              : { anonMiB: CALIBRATION_MIB, threads: 1, leader: "D", cpus: "little" },
          },
          runs: [runOf(playing(path === "exit" ? KILL_ALONE : MERGED))],
        });
      }
    }
    return pts;
  },
  representative: { point: "calibration-sd845-little-min-reap", design: MERGED },
};

/** The experiments, in report order. */
export const EXPERIMENTS: readonly Experiment[] = [
  victimState,
  victimSize,
  callerThread,
  shape,
  cgroup,
  worldSize,
  esrch,
  calibration,
  teardown,
  q2026,
];

/** One unit of work: a point of an experiment, with its global index. */
export interface Unit {
  /** Its index in {@linkcode allUnits}. */
  readonly index: number;
  /** The experiment. */
  readonly experiment: Experiment;
  /** The point. */
  readonly point: Point;
}

/**
 * Every point of every experiment, in report order. Deterministic in `full`.
 *
 * @example
 * ```ts
 * import { allUnits } from "./experiments.ts";
 * console.log(allUnits(false).length);
 * ```
 */
export function allUnits(full: boolean): Unit[] {
  const units: Unit[] = [];
  for (const experiment of EXPERIMENTS) {
    for (const point of experiment.points(full)) {
      units.push({ index: units.length, experiment, point });
    }
  }
  return units;
}

/** The scenario JSON of a point. */
export function pointScenario(point: Point): Record<string, unknown> {
  return buildWorld(point.world);
}
