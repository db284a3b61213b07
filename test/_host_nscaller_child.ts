// A lab-like child for test/host_cleanup_test.ts: a HostSession with a small victim and a
// caller helper two pid namespaces down (src/lab/host/pidns.ts). It prints one line,
//
//   ready <pid>:<start time>:<label> ...      (every process the session holds, and the supervisor)
//
// and waits to be killed by the test; it gives up by itself after 30 s and closes the session.

import { HostSession } from "../src/lab/host/session.ts";
import { NsCaller } from "../src/lab/host/pidns.ts";

const GIVE_UP_MS = 30_000;

const session = new HostSession();
try {
  await session.spawnVictim({
    comm: "ns-victim",
    vmas: [{ kind: "anon", bytes: 4 * 2 ** 20, resident: 4 * 2 ** 20 }],
    extraThreads: 0,
    vfork: false,
  });
  const caller = await NsCaller.start(session, 2);
  const held = session.owned.map((p) => `${p.pid}:${p.startTime}:${p.label}`);
  const s = session.supervisor!;
  console.log(`ready ${[...held, `${s.pid}:${s.startTime}:supervisor`].join(" ")}`);
  await new Promise((r) => setTimeout(r, GIVE_UP_MS));
  caller.close();
} finally {
  await session.close();
}
