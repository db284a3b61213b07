// Worlds that push the lab's bounds, built in code: a machine kept busy to a far horizon
// (issue 11, "A valid scenario traps the WASM core") and a victim with many threads ("Quadratic
// time on valid input").

/** The memory killer (tgid 500, root) kills a small victim (tgid 600) at 1 ms. */
function base(name: string, description: string) {
  return {
    schema: "mrelease-lab/scenario@1",
    name,
    description,
    kernel: "6.18",
    seed: 1,
    mms: [
      { id: "init_mm", vmas: [{ kind: "anon", size: "4MiB" }] },
      { id: "killer_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
      { id: "victim_mm", vmas: [{ kind: "anon", size: "16MiB" }] },
    ],
    caller: { pid: 500 },
    intent: { victim: 600, at_ms: 1 },
  };
}

const init = { tgid: 1, comm: "init", init: true, uid: 0, mm: "init_mm" };
const killer = { tgid: 500, comm: "killer", parent: 1, uid: 0, mm: "killer_mm" };

/**
 * 64 CPUs and 128 threads computing (state R) until a horizon of 2,147,483 ms: valid, and
 * before the run limits its event log outgrew WebAssembly's 4 GiB memory after about 10 s
 * (`RuntimeError: unreachable`).
 */
export function busyMachine(): Record<string, unknown> {
  const cpus = 64;
  return {
    ...base(
      "busy-machine-far-horizon",
      "64 CPUs, 128 threads computing to a horizon of 2147483 ms: 34 million context switches",
    ),
    horizon_ms: 2_147_483,
    cpus: Array.from({ length: cpus }, () => ({ preset: "sd845-big-max" })),
    processes: [
      { ...init, threads: [{ pid: 1, cpu: 0, state: "S" }] },
      { ...killer, threads: [{ pid: 500, cpu: 0, state: "S" }] },
      {
        tgid: 600,
        comm: "victim",
        parent: 1,
        uid: 0,
        mm: "victim_mm",
        threads: [{ pid: 600, cpu: 1, state: "S" }],
      },
      {
        tgid: 1000,
        comm: "busy",
        parent: 1,
        uid: 0,
        mm: "init_mm",
        threads: Array.from(
          { length: 128 },
          (_, i) => ({ pid: 1000 + i, cpu: i % cpus, state: "R" }),
        ),
      },
    ],
  };
}

/**
 * A victim of `threads` sleeping threads on 4 CPUs: the kill wakes every one, and all of
 * them queue to run their exit path.
 */
export function manyThreads(threads: number): Record<string, unknown> {
  return {
    ...base(`victim-${threads}-threads`, `a victim with ${threads} threads, all killed at once`),
    horizon_ms: 10_000,
    cpus: Array.from({ length: 4 }, () => ({ preset: "sd845-big-max" })),
    processes: [
      { ...init, threads: [{ pid: 1, cpu: 0, state: "S" }] },
      { ...killer, threads: [{ pid: 500, cpu: 0, state: "S" }] },
      {
        tgid: 600,
        comm: "victim",
        parent: 1,
        uid: 0,
        mm: "victim_mm",
        threads: Array.from({ length: threads }, (_, i) => ({
          pid: 600 + (i === 0 ? 0 : 1000 + i),
          cpu: i % 4,
          state: "S",
        })),
      },
    ],
  };
}
