// Host cleanup when the lab dies (docs/host.md, "Cleanup"). The test starts a lab-like child
// (test/_host_lab_child.ts) in a process group of its own, as a shell starts a command; the
// child opens a HostSession, spawns a victim holding 64 MiB and freezes it, and a second victim
// that starts dumping core into a core directory of the session's. Then the child is
// ended one way per step: SIGINT, SIGTERM and SIGKILL to its process group (Ctrl-C and kill
// -TERM/-KILL of the job), SIGKILL to it alone, an uncaught exception, a crash of Deno, and
// the normal session.close(). Within LAB_DEATH_CLEANUP_MS the victim must have exited (a
// pidfd the test opened to it polls readable) with its memory released, the dumping victim
// must have exited and its core directory (with the core file) must be gone, the cgroup and the
// supervisor must be gone, and a bystander (a process of the test's own, frozen in a cgroup
// of the test's own named like the lab's) must be untouched.
//
// The test signals only the child it started, through a pidfd it opened while the child was
// its unwaited child (pidfd_send_signal; PIDFD_SIGNAL_PROCESS_GROUP for the group, as the
// terminal does for Ctrl-C). The victim's and the supervisor's pidfds are only polled. If a
// step fails, the test thaws what the dead child left in its own cgroup (the victim then acts
// on the SIGKILL its parent's death queued) and removes the cgroup, so that a failure leaks
// nothing. Skipped, with the reason printed, where the host backend cannot run.

import assert from "node:assert/strict";
import { hostSupport } from "../src/lab/host/mod.ts";
import { CGROUP_PREFIX, FREEZER_ROOT, LAB_DEATH_CLEANUP_MS } from "../src/lab/host/session.ts";
import {
  closeFd,
  exists,
  listDir,
  makeDir,
  monotonicNs,
  pollIn,
  readText,
  removeDir,
  SYS,
  syscall,
  writeText,
} from "../src/lab/host/ffi.ts";
import { parentPid, procStatus, startTime } from "../src/lab/host/observe.ts";
import { CORE_DIR_PREFIX, coreFiles } from "../src/lab/host/coredump.ts";

const support = hostSupport();
const ignore = !support.ok;
const skip = ignore ? ` (SKIPPED: ${support.reason})` : "";
if (ignore) console.log(`host cleanup test SKIPPED: ${support.reason}`);

/** x86_64 signal numbers (signal(7)). */
const SIG = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as const;
/** include/uapi/linux/pidfd.h (v6.9): signal the pidfd's process group. */
const PIDFD_SIGNAL_PROCESS_GROUP = 4;
/** What the child's victim holds (test/_host_lab_child.ts). */
const VICTIM_KB = 64 * 1024;
/** How long the child may take to start, build its victim and freeze it. */
const START_MS = 20_000;

const CHILD = new URL("./_host_lab_child.ts", import.meta.url).pathname;
/** The test task's permissions (deno.json), no more. */
const CHILD_ARGS = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-env",
  "--allow-ffi",
  CHILD,
];

type Ending =
  | { name: string; signal: keyof typeof SIG; group: boolean }
  | { name: string; command: "throw" | "crash" | "close" };

const ENDINGS: Ending[] = [
  { name: "SIGINT to the lab's process group (Ctrl-C)", signal: "SIGINT", group: true },
  { name: "SIGTERM to the lab's process group", signal: "SIGTERM", group: true },
  { name: "SIGKILL to the lab's process group", signal: "SIGKILL", group: true },
  { name: "SIGKILL to the lab alone", signal: "SIGKILL", group: false },
  { name: "an uncaught exception in the lab", command: "throw" },
  { name: "a crash of Deno (SIGSEGV)", command: "crash" },
  { name: "session.close(), the normal path", command: "close" },
];

/** A pidfd of the test's own child, checked to be its child once pinned. */
function pidfdOfOwnChild(pid: number): number {
  const fd = syscall(SYS.pidfd_open, pid, 0);
  assert.ok(fd >= 0, `pidfd_open(${pid}) of our child: ${fd}`);
  if (parentPid(pid) !== Deno.pid) {
    closeFd(fd);
    assert.fail(`${pid} is not our child any more`);
  }
  return fd;
}

/** A pidfd only to poll: of `pid` if it still has start time `start` once pinned, else -1. */
function pidfdToWatch(pid: number, start: string): number {
  const fd = syscall(SYS.pidfd_open, pid, 0);
  if (fd < 0) return -1;
  if (startTime(pid) !== start) {
    closeFd(fd);
    return -1;
  }
  return fd;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function elapsedMs(t0: number): number {
  return Math.round((monotonicNs() - t0) / 1e5) / 10;
}

/** Lines of a stream, as they come. */
class Lines {
  #reader: ReadableStreamDefaultReader<string>;
  /** A read that lost a race with the clock, still to be taken. */
  #pending: Promise<ReadableStreamReadResult<string>> | null = null;
  #text = "";
  #done = false;
  constructor(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }
  get text(): string {
    return this.#text;
  }
  /** Waits until `n` lines are there (or the stream ends, or the time is up). */
  async lines(n: number, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#done && this.#text.split("\n").length <= n && Date.now() < deadline) {
      this.#pending ??= this.#reader.read();
      const r = await Promise.race([this.#pending, delay(deadline - Date.now())]);
      if (!r) break;
      this.#pending = null;
      if (r.done) this.#done = true;
      else this.#text += r.value;
    }
    return this.#text.split("\n").slice(0, n);
  }
  /** Reads what comes until the stream ends or the time is up, then stops reading. */
  async drain(timeoutMs: number): Promise<string> {
    await this.lines(Infinity, timeoutMs);
    await this.#reader.cancel().catch(() => {});
    return this.#text;
  }
}

interface Bystander {
  child: Deno.ChildProcess;
  pidfd: number;
  cgroup: string;
}

/** A process of the test's own, frozen in a cgroup of its own named like a lab's. */
function startBystander(): Bystander {
  const child = new Deno.Command("sleep", { args: ["60"], stdout: "null", stderr: "null" })
    .spawn();
  const pidfd = pidfdOfOwnChild(child.pid);
  const rand = Math.random().toString(36).slice(2, 8);
  // The lab's prefix, but not `mrelease-lab-<this pid>-`, which leftovers() would claim.
  const cgroup = `${FREEZER_ROOT}/${CGROUP_PREFIX}bystander-${Deno.pid}-${rand}`;
  assert.equal(makeDir(cgroup), 0, `mkdir ${cgroup}`);
  assert.equal(writeText(`${cgroup}/cgroup.procs`, String(child.pid)), 0);
  assert.equal(writeText(`${cgroup}/freezer.state`, "FROZEN"), 0);
  return { child, pidfd, cgroup };
}

function bystanderUntouched(b: Bystander): string[] {
  const wrong: string[] = [];
  if (pollIn(b.pidfd, 0)) wrong.push(`the bystander ${b.child.pid} exited`);
  const state = readText(`${b.cgroup}/freezer.state`)?.trim();
  if (state !== "FROZEN") wrong.push(`the bystander's cgroup is ${state ?? "gone"}`);
  return wrong;
}

async function stopBystander(b: Bystander): Promise<void> {
  writeText(`${b.cgroup}/freezer.state`, "THAWED");
  syscall(SYS.pidfd_send_signal, b.pidfd, SIG.SIGKILL, 0, 0);
  await b.child.status;
  closeFd(b.pidfd);
  for (let i = 0; i < 100 && removeDir(b.cgroup) < 0 && exists(b.cgroup); i++) await delay(20);
}

interface Outcome {
  /** How the lab ended (exit code or signal). */
  lab: string;
  /** Ending → the victim's pidfd readable, ms (null: not within the stated time). */
  victimExitedMs: number | null;
  /** Ending → the cgroup directory gone, ms. */
  cgroupGoneMs: number | null;
  /** Ending → the supervisor gone, ms (null also when the session has none). */
  supervisorGoneMs: number | null;
  /** Ending → the dumping victim exited and its core directory gone, ms (null: none, or not). */
  dumpGoneMs: number | null;
  /** Whether the dumper was still dumping core when the lab was ended. */
  dumping: boolean | null;
  /** What was left at the stated time. */
  left: string[];
  /** What the test had to clean up after it. */
  salvaged: string[];
  /** The supervisor's line on stderr, if any. */
  said: string;
}

/** A lab-like child running `script` (CHILD by default), its pidfd, and its output's lines. */
function startLab(script = CHILD) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...CHILD_ARGS.slice(0, -1), script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    // setsid(): a process group (and session) of its own, so that its group is only it and
    // what it starts.
    detached: true,
  }).spawn();
  const childFd = pidfdOfOwnChild(child.pid);
  return { child, childFd, stdout: new Lines(child.stdout), stderr: new Lines(child.stderr) };
}

async function endTheLab(ending: Ending): Promise<Outcome> {
  const { child, childFd, stdout, stderr } = startLab();
  const stdin = child.stdin.getWriter();
  let victimFd = -1, supervisorFd = -1;
  let cgroup: string | null = null;
  let dumperFd = -1;
  let coreDir: string | null = null;
  const out: Outcome = {
    lab: "running",
    victimExitedMs: null,
    cgroupGoneMs: null,
    supervisorGoneMs: null,
    dumpGoneMs: null,
    dumping: null,
    left: [],
    salvaged: [],
    said: "",
  };
  try {
    const [v, dl, s] = await stdout.lines(3, START_MS);
    const vm = v?.match(/^victim (\d+) (\d+) (\S+)$/);
    if (!vm) {
      assert.fail(`the lab did not start its victim:\n${stdout.text}\n${await stderr.drain(500)}`);
    }
    const victim = Number(vm[1]);
    cgroup = vm[3];
    victimFd = pidfdToWatch(victim, vm[2]);
    assert.ok(victimFd >= 0, `victim ${victim} is already gone`);
    const dm = dl?.match(/^dumper (\d+) (\d+) (\S+)$/);
    if (dm) {
      // Only a directory of the lab's own form is ever removed by the salvage below.
      assert.ok(dm[3].split("/").at(-1)!.startsWith(`${CORE_DIR_PREFIX}${child.pid}-`), dm[3]);
      coreDir = dm[3];
      dumperFd = pidfdToWatch(Number(dm[1]), dm[2]);
      out.dumping = procStatus(Number(dm[1]))?.coreDumping ?? false;
    }
    const sm = s?.match(/^supervisor (\d+) (\d+)$/);
    if (sm) supervisorFd = pidfdToWatch(Number(sm[1]), sm[2]);
    // Before: frozen in the lab's cgroup, holding its memory.
    assert.equal(readText(`${cgroup}/freezer.state`)?.trim(), "FROZEN");
    const before = procStatus(victim);
    assert.ok((before?.rssAnonKb ?? 0) >= VICTIM_KB, `victim RssAnon ${before?.rssAnonKb} kB`);

    const t0 = monotonicNs();
    if ("signal" in ending) {
      const flags = ending.group ? PIDFD_SIGNAL_PROCESS_GROUP : 0;
      const r = syscall(SYS.pidfd_send_signal, childFd, SIG[ending.signal], 0, flags);
      assert.equal(r, 0, `pidfd_send_signal(${ending.signal}): ${r}`);
    } else {
      await stdin.write(new TextEncoder().encode(`${ending.command}\n`));
    }
    while (elapsedMs(t0) <= LAB_DEATH_CLEANUP_MS) {
      if (out.victimExitedMs === null && pollIn(victimFd, 0)) out.victimExitedMs = elapsedMs(t0);
      if (out.cgroupGoneMs === null && !exists(cgroup)) out.cgroupGoneMs = elapsedMs(t0);
      if (out.supervisorGoneMs === null && supervisorFd >= 0 && pollIn(supervisorFd, 0)) {
        out.supervisorGoneMs = elapsedMs(t0);
      }
      if (
        out.dumpGoneMs === null && coreDir && (dumperFd < 0 || pollIn(dumperFd, 0)) &&
        !exists(coreDir)
      ) {
        out.dumpGoneMs = elapsedMs(t0);
      }
      if (
        out.victimExitedMs !== null && out.cgroupGoneMs !== null &&
        (supervisorFd < 0 || out.supervisorGoneMs !== null) &&
        (!coreDir || out.dumpGoneMs !== null)
      ) {
        break;
      }
      await delay(2);
    }
    if (out.victimExitedMs === null) {
      const st = procStatus(victim);
      out.left.push(
        `victim ${victim} state ${st?.state}, RssAnon ${st?.rssAnonKb} kB, ` +
          `SIGKILL pending ${st?.sigkillPending}`,
      );
    } else if (startTime(victim) === vm[2]) {
      // Exited: a zombie until its new parent reaps it, with no memory.
      const st = procStatus(victim);
      if (st && (st.state !== "Z" || st.rssAnonKb !== null)) {
        out.left.push(
          `victim ${victim} exited but shows state ${st.state}, RssAnon ${st.rssAnonKb}`,
        );
      }
    }
    if (out.cgroupGoneMs === null) {
      out.left.push(`cgroup ${cgroup} (${readText(`${cgroup}/freezer.state`)?.trim()})`);
    }
    if (supervisorFd >= 0 && out.supervisorGoneMs === null) out.left.push(`supervisor ${sm![1]}`);
    if (coreDir && out.dumpGoneMs === null) {
      const st = dumperFd >= 0 && !pollIn(dumperFd, 0) ? procStatus(Number(dm![1])) : null;
      out.left.push(
        `dumper ${dm![1]} ${st ? `state ${st.state}, CoreDumping ${st.coreDumping}` : "exited"}; ` +
          `core directory ${
            exists(coreDir) ? `${coreDir} (${coreFiles(coreDir).length} core)` : "gone"
          }`,
      );
    }
    for (const e of listDir(FREEZER_ROOT) ?? []) {
      if (
        e.name.startsWith(`${CGROUP_PREFIX}${child.pid}-`) && `${FREEZER_ROOT}/${e.name}` !== cgroup
      ) {
        out.left.push(`another cgroup of the lab: ${e.name}`);
      }
    }
    const status = await Promise.race([child.status, delay(5000).then(() => null)]);
    out.lab = status === null
      ? "still running"
      : status.signal
      ? `killed by ${status.signal}`
      : `exit code ${status.code}`;
  } finally {
    // Salvage, only if something is left: our child first, then its cgroup (thawed, its
    // members act on the SIGKILL queued when their parent died), then the cgroup itself.
    if (!pollIn(childFd, 0)) {
      syscall(SYS.pidfd_send_signal, childFd, SIG.SIGKILL, 0, 0);
      out.salvaged.push("SIGKILLed the lab");
    }
    if (cgroup && exists(cgroup)) {
      writeText(`${cgroup}/freezer.state`, "THAWED");
      out.salvaged.push(`thawed ${cgroup}`);
      if (victimFd >= 0 && !pollIn(victimFd, 5000)) out.salvaged.push("the victim did not exit");
      for (let i = 0; i < 250 && removeDir(cgroup) < 0 && exists(cgroup); i++) await delay(20);
      out.salvaged.push(exists(cgroup) ? `could not remove ${cgroup}` : `removed ${cgroup}`);
    }
    if (coreDir && exists(coreDir)) {
      if (dumperFd >= 0 && !pollIn(dumperFd, 5000)) out.salvaged.push("the dumper did not exit");
      for (const f of coreFiles(coreDir)) Deno.removeSync(f);
      removeDir(coreDir);
      out.salvaged.push(`removed ${coreDir}`);
    }
    await child.status;
    await stdin.close().catch(() => {});
    await stdout.drain(1000);
    out.said = (await stderr.drain(3000)).split("\n").filter((l) => /supervisor/.test(l)).join(
      " | ",
    );
    for (const fd of [childFd, victimFd, supervisorFd, dumperFd]) closeFd(fd);
  }
  return out;
}

const EXPECTED_LAB: Record<string, RegExp> = {
  SIGINT: /killed by SIGINT/,
  SIGTERM: /killed by SIGTERM/,
  SIGKILL: /killed by SIGKILL/,
  throw: /exit code 1/,
  crash: /killed by SIGSEGV/,
  close: /exit code 0/,
};

Deno.test({
  name: `host cleanup: whatever ends the lab, its victim, cgroup and supervisor go${skip}`,
  ignore,
  fn: async (t) => {
    const bystander = startBystander();
    try {
      for (const ending of ENDINGS) {
        await t.step(ending.name, async () => {
          const o = await endTheLab(ending);
          const timing =
            `victim exited ${o.victimExitedMs} ms, cgroup gone ${o.cgroupGoneMs} ms, ` +
            `supervisor gone ${o.supervisorGoneMs} ms, dumper (${
              o.dumping ? "dumping" : "done dumping"
            } at the end) and core directory gone ${o.dumpGoneMs} ms`;
          console.log(`  ${ending.name}: lab ${o.lab}; ${timing}${o.said ? `; ${o.said}` : ""}`);
          const how = "signal" in ending ? ending.signal : ending.command;
          assert.match(o.lab, EXPECTED_LAB[how], `the lab was to end by ${how}`);
          assert.deepEqual(
            o.left,
            [],
            `left ${LAB_DEATH_CLEANUP_MS} ms after the lab's end (${timing}):\n  ${
              o.left.join("\n  ")
            }\nthe test then: ${o.salvaged.join("; ") || "nothing"}`,
          );
          assert.deepEqual(bystanderUntouched(bystander), []);
        });
      }
    } finally {
      await stopBystander(bystander);
    }
  },
});

Deno.test({
  name: `host cleanup: a caller helper in a child pid namespace goes with the lab${skip}`,
  ignore,
  fn: async () => {
    const { child, childFd, stdout, stderr } = startLab(
      new URL("./_host_nscaller_child.ts", import.meta.url).pathname,
    );
    const watched: { fd: number; what: string }[] = [];
    try {
      const [line] = await stdout.lines(1, START_MS);
      const m = line?.match(/^ready (.*)$/);
      if (!m) assert.fail(`the lab did not start:\n${stdout.text}\n${await stderr.drain(500)}`);
      for (const held of m[1].split(" ")) {
        const [pid, start, label] = held.split(":");
        const fd = pidfdToWatch(Number(pid), start);
        assert.ok(fd >= 0, `${label} ${pid} is already gone`);
        watched.push({ fd, what: `${label} ${pid}` });
      }
      // The victim, the helper and its two namespaces' inits, and the supervisor.
      assert.equal(watched.filter((w) => w.what.startsWith("nscaller")).length, 3);
      const t0 = monotonicNs();
      assert.equal(syscall(SYS.pidfd_send_signal, childFd, SIG.SIGKILL, 0, 0), 0);
      while (elapsedMs(t0) <= LAB_DEATH_CLEANUP_MS && watched.some((w) => !pollIn(w.fd, 0))) {
        await delay(2);
      }
      const left = watched.filter((w) => !pollIn(w.fd, 0)).map((w) => w.what);
      console.log(`  lab SIGKILLed: everything gone in ${elapsedMs(t0)} ms`);
      assert.deepEqual(left, [], `left ${LAB_DEATH_CLEANUP_MS} ms after the lab's SIGKILL`);
    } finally {
      if (!pollIn(childFd, 0)) syscall(SYS.pidfd_send_signal, childFd, SIG.SIGKILL, 0, 0);
      await child.status;
      await child.stdin.close().catch(() => {});
      await stdout.drain(1000);
      await stderr.drain(1000);
      for (const fd of [childFd, ...watched.map((w) => w.fd)]) closeFd(fd);
    }
  },
});
