// A lab-like child for test/host_cleanup_test.ts, started by it with its own process group.
// Like a host run, it opens a HostSession, spawns a victim holding 64 MiB of private anon,
// freezes it, spawns a second victim of 256 MiB that starts dumping core into a core directory
// of the session's (src/lab/host/coredump.ts; at this host's 0.2-2 GB/s it usually still dumps
// when the lab ends), and keeps the session in a try/finally; it prints
//
//   victim <pid> <start time> <cgroup dir>
//   dumper <pid> <start time> <core dir>  (or "dumper none": core_pattern is not "core")
//   supervisor <pid> <start time>        (or "supervisor none")
//
// and waits for one line on stdin: "throw" throws an uncaught exception from a timer (so the
// session's finally never runs), "crash" makes Deno fault (SIGSEGV in an FFI read, with
// RLIMIT_CORE 0 for this process, so no core file), "close" or end of file (the test is gone)
// closes the session normally. Signals come from the test. It gives up by itself after 30 s.
// An argument sets the victim's size in MiB instead (docs/host.md measures 2048 by hand).

import { HostSession } from "../src/lab/host/session.ts";
import { startCoreDump } from "../src/lab/host/coredump.ts";
import { coreDumpRefusal } from "../src/lab/host/coredump.ts";
import { addr, syscall } from "../src/lab/host/ffi.ts";

const MiB = 2 ** 20;
const VICTIM_MIB = Number(Deno.args[0] ?? 64);
const GIVE_UP_MS = 30_000;
/** The dumping victim's size: its dump takes 0.1-1 s here. */
const DUMPER_MIB = 256;
/** x86_64 setrlimit(2), and RLIMIT_CORE. */
const SYS_setrlimit = 160;
const RLIMIT_CORE = 4;

async function firstLine(timeoutMs: number): Promise<string> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), timeoutMs);
  try {
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } finally {
    clearTimeout(timer);
    // Stop reading stdin, or the pending read keeps the process alive.
    await reader.cancel().catch(() => {});
  }
  return text.split("\n")[0].trim();
}

const session = new HostSession();
try {
  const v = await session.spawnVictim({
    comm: "cleanup-victim",
    vmas: [{ kind: "anon", bytes: VICTIM_MIB * MiB, resident: VICTIM_MIB * MiB }],
    extraThreads: 0,
    vfork: false,
  });
  await session.freeze([v.process.pid]);
  console.log(`victim ${v.process.pid} ${v.process.startTime} ${session.cgroup}`);
  if (coreDumpRefusal() === null) {
    const dir = await session.makeCoreDir();
    const d = await session.spawnVictim({
      comm: "cleanup-dumper",
      vmas: [{ kind: "anon", bytes: DUMPER_MIB * MiB, resident: DUMPER_MIB * MiB }],
      extraThreads: 1,
      vfork: false,
      coreDir: dir,
    });
    startCoreDump(session, d.process.pid);
    console.log(`dumper ${d.process.pid} ${d.process.startTime} ${dir}`);
  } else {
    console.log("dumper none");
  }
  // The old session (before the supervisor) has no such getter.
  const s = (session as { supervisor?: { pid: number; startTime: string } | null }).supervisor;
  console.log(s ? `supervisor ${s.pid} ${s.startTime}` : "supervisor none");
  const command = await firstLine(GIVE_UP_MS);
  if (command === "throw") {
    setTimeout(() => {
      throw new Error("an uncaught exception in the lab");
    }, 0);
    await new Promise((r) => setTimeout(r, GIVE_UP_MS));
  } else if (command === "crash") {
    syscall(SYS_setrlimit, RLIMIT_CORE, addr(new BigUint64Array([0n, 0n])));
    new Deno.UnsafePointerView(Deno.UnsafePointer.create(8n)!).getInt32();
  }
} finally {
  await session.close();
}
console.log("closed");
