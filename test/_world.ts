// A small world for tests: init, a memory killer (tgid 500, caller 501) holding a pidfd of
// the victim (fd 3), a /proc dir fd (fd 4) and a plain file (fd 5), and a victim (tgid 1000)
// whose shape the test chooses. Built through the real validator.

import { Kernel } from "../src/core/wasm.ts";
import { encodeWorld, type Scenario, validateScenario } from "../src/engine/scenario/mod.ts";

export interface WorldOptions {
  kernel?: string;
  victimThreads?: Record<string, unknown>[];
  victimVmas?: Record<string, unknown>[];
  victimUid?: number;
  callerCaps?: string[];
  /** Extra processes (e.g. a vfork child sharing victim_mm). */
  extra?: Record<string, unknown>[];
}

export function smallScenario(o: WorldOptions = {}): Scenario {
  return validateScenario({
    schema: "mrelease-lab/scenario@1",
    name: "test-world",
    description: "test",
    kernel: o.kernel ?? "6.18",
    horizon_ms: 2000,
    cpus: [{ preset: "sd845-big-max" }, { preset: "sd845-big-max" }],
    mms: [
      { id: "init_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
      { id: "killer_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
      { id: "victim_mm", vmas: o.victimVmas ?? [{ kind: "anon", size: "64MiB" }] },
    ],
    processes: [
      {
        tgid: 1,
        comm: "init",
        init: true,
        uid: 0,
        mm: "init_mm",
        threads: [{ pid: 1, state: "S" }],
      },
      {
        tgid: 500,
        comm: "killer",
        parent: 1,
        uid: 1069,
        caps: o.callerCaps ?? ["CAP_KILL"],
        mm: "killer_mm",
        fds: [
          { fd: 3, kind: "pidfd", target: 1000 },
          { fd: 4, kind: "proc_dir", target: 1000 },
          { fd: 5, kind: "file" },
        ],
        threads: [{ pid: 500, state: "S", cpu: 1 }, { pid: 501, state: "S", cpu: 1 }],
      },
      {
        tgid: 1000,
        comm: "victim",
        parent: 1,
        uid: o.victimUid ?? 10050,
        mm: "victim_mm",
        threads: o.victimThreads ?? [{ pid: 1000, state: "S" }],
      },
      ...(o.extra ?? []),
    ],
    caller: { pid: 501 },
    intent: { victim: 1000, at_ms: 1 },
  });
}

export function loadWorld(s: Scenario): Kernel {
  const k = new Kernel(1, 0);
  const r = k.load_world(encodeWorld(s, { kernel: s.kernel }));
  if (r !== 0) throw new Error(k.last_error());
  return k;
}
