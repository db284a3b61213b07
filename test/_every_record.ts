// A scenario (as JSON, before validation) that uses every record type of the world program.

/** JSON object. */
export type Json = Record<string, unknown>;

/**
 * A small scenario that touches every record type: 2 CPUs (one from a
 * preset), 3 mms, a kthread, a vfork child, a reaped and a zombie process,
 * a D-state lock holder, fds of each kind, all four event kinds.
 */
export function tiny(): Json {
  return {
    schema: "mrelease-lab/scenario@1",
    name: "tiny",
    description: "every record type once",
    kernel: "5.15",
    horizon_ms: 3,
    cpus: [
      { capacity: 1024, freq_mhz: 2000, max_freq_mhz: 2000 },
      { preset: "sd845-little-min", label: "little" },
    ],
    mms: [
      { id: "init_mm", vmas: [{ kind: "anon", size: "8KiB" }] },
      { id: "killer_mm", vmas: [{ kind: "anon", size: 4096 }] },
      {
        id: "victim_mm",
        vmas: [
          { kind: "anon", size: "1MiB", resident: "50%", swap: "256KiB", flags: ["VM_LOCKED"] },
          {
            kind: "file_private",
            size: 65536,
            resident: "32KiB",
            cow: "8KiB",
            robust_futex_list: true,
          },
          { kind: "pfnmap", size: "4KiB", notifier: "refuses_nonblock" },
        ],
      },
    ],
    processes: [
      { tgid: 1, comm: "init", uid: 0, mm: "init_mm", threads: [{ pid: 1, state: "S" }] },
      { tgid: 2, comm: "kthreadd", kthread: true, threads: [{ pid: 2, cpu: 1, state: "S" }] },
      {
        tgid: 100,
        comm: "killer",
        uid: 1000,
        caps: ["CAP_KILL", "CAP_SYS_NICE"],
        mm: "killer_mm",
        fds: [
          { fd: 3, kind: "pidfd", target: 200, nonblock: true },
          { fd: 4, kind: "file" },
          { fd: 5, kind: "proc_dir", target: 400 },
        ],
        threads: [
          { pid: 100, cpu: 1, affinity: [1], policy: "fifo", rt_prio: 50, state: "S" },
          {
            pid: 101,
            nice: -20,
            state: "D",
            until_ms: 1.5,
            holds: [{ lock: "mmap_lock", mode: "read", mm: "victim_mm" }],
          },
        ],
      },
      {
        tgid: 200,
        comm: "victim",
        parent: 100,
        uid: 10000,
        mm: "victim_mm",
        parent_waits: false,
        threads: [{ pid: 200 }, { pid: 201, state: "T", traced_exit: true }],
      },
      {
        tgid: 300,
        comm: "child",
        parent: 200,
        share: "vfork",
        uid: 10000,
        mm: "victim_mm",
        threads: [{ pid: 300, cpu: 1 }],
      },
      { tgid: 400, comm: "gone", status: "reaped", uid: 4000000000 },
      { tgid: 500, comm: "zomb", status: "zombie", uid: 7, threads: [{ pid: 500 }] },
    ],
    // A parent named after its child ("top"), a kthread and a zombie as members, and
    // cgroup.procs order other than the tgids' (300 before 200).
    cgroups: [
      { id: "sys", procs: [2, 500] },
      { id: "apps", parent: "top", procs: [300, 200] },
      { id: "top" },
    ],
    events: [
      { at_ms: 2, kind: "kill", target: 200, sig: "SIGTERM", from: 1 },
      { at_ms: 0.5, kind: "proc_reader", mm: "victim_mm", duration_ms: 0.25 },
      { at_ms: 2, kind: "exit", pid: 300 },
      { at_ms: 1, kind: "wake", pid: 1 },
    ],
    caller: { pid: 100 },
    intent: { victim: 200, at_ms: 0 },
  };
}
