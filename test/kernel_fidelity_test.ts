// The kernel facts the lab once modelled differently from the source, each checked through a
// run's outcome (the scenario files in scenarios/fidelity/ check them a second way).

import assert from "node:assert/strict";
import {
  COST_MODEL,
  MADV_COLD,
  MADV_DONTNEED,
  MADV_PAGEOUT,
  PIDFD_SELF_THREAD,
  PIDFD_SELF_THREAD_GROUP,
} from "../src/core/mod.ts";
import { runScenario } from "../src/engine/run/mod.ts";
import { chooseDesign, findDesign } from "../src/lab/designs/mod.ts";
import { loadScenarioFile } from "../src/engine/scenario/mod.ts";
import { smallScenario } from "./_world.ts";

const mrelease = findDesign("process_mrelease");

/** `n` idle kernel threads, tgids from 2000: processes for for_each_process to visit. */
function kworkers(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    tgid: 2000 + i,
    comm: "kworker",
    kthread: true,
    threads: [{ pid: 2000 + i, state: "S" }],
  }));
}

Deno.test("337546e83fc7: process_mrelease pins mm_users before task_will_free_mem, so a single-threaded victim costs the walk", () => {
  // 337546e83fc7: `if (mmget_not_zero(p->mm)) { mm = p->mm; if (task_will_free_mem(p)) ...`
  // under task_lock: mm_users is 2, task_will_free_mem() walks every process. mmgrab() (v9,
  // v5.17+) leaves it at 1 and takes the `mm_users <= 1` short cut.
  const extra = 300;
  const world = smallScenario({
    victimThreads: [{ pid: 1000, state: "D" }],
    extra: kworkers(extra),
  });
  const caller = (variant: string, kernel: "5.15" | "5.16" | "5.17") => {
    const o = runScenario(world, { design: mrelease, variant, kernel }).outcome;
    assert.equal(o.calls.at(-1)?.errno, 0, `${variant} on ${kernel}`);
    return o.cpu_ns.caller;
  };
  // init, the killer, the victim and the kworkers, on a full-speed big core.
  const walk_ns = (3 + extra) * COST_MODEL.TWFM_NS_PER_PROCESS;
  for (const [pinned, kernel] of [["v5.15", "5.15"], ["v5.16", "5.16"]] as const) {
    const extra_ns = caller(pinned, kernel) - caller("v9", "5.15");
    assert.ok(
      Math.abs(extra_ns - walk_ns) < walk_ns / 10,
      `${pinned} paid ${extra_ns} ns more than v9; the walk of ${
        3 + extra
      } processes is ${walk_ns} ns`,
    );
  }
  const v517 = caller("v5.17", "5.17") - caller("v9", "5.15");
  assert.ok(Math.abs(v517) < walk_ns / 10, `v5.17 paid ${v517} ns more than v9: no walk expected`);
});

/** The victim of scenarios/paths/target-exited-itself.json calls _exit() at 0.5 ms. */
const exitedItself = await loadScenarioFile("scenarios/paths/target-exited-itself.json");

Deno.test("cbe9dac37904 (v6.0): a lone thread's _exit() sets SIGNAL_GROUP_EXIT; before it a later SIGKILL sets none either", () => {
  const madvise = findDesign("process_madvise");
  // The recipe kills first this time: before v6.0 complete_signal() finds no thread that
  // wants the SIGKILL (the only one is PF_EXITING), so signal_group_exit() stays false.
  const killed = { ...exitedItself, intent: { ...exitedItself.intent, call: {} } };
  for (
    const [kernel, errno, delivered] of [["5.18", "EINVAL", true], ["6.0", 0, false]] as const
  ) {
    const o = runScenario(killed, { design: madvise, kernel }).outcome;
    assert.equal(
      o.calls.at(-1)?.errno,
      errno,
      `process_madvise after _exit() and SIGKILL on ${kernel}`,
    );
    assert.equal(o.signal_delivered, delivered, `the SIGKILL after _exit() on ${kernel}`);
  }
});

Deno.test("9a95f78eab70 is v6.0: before it a SIGKILL to a group that called exit_group() is queued", () => {
  const s = { ...exitedItself, intent: { ...exitedItself.intent, call: {} } };
  const two = {
    ...s,
    processes: s.processes.map((p) =>
      p.tgid === 1000 ? { ...p, threads: [...p.threads, { ...p.threads[0], pid: 1001 }] } : p
    ),
  };
  const sigkill = findDesign("sigkill");
  for (const [kernel, delivered] of [["5.18", true], ["6.0", false]] as const) {
    const o = runScenario(two, { design: sigkill, kernel }).outcome;
    assert.equal(o.signal_delivered, delivered, `kill(SIGKILL) to an exiting group on ${kernel}`);
  }
});

Deno.test("PIDFD_SELF_* are 6.18's fcntl.h values, and pidfd_send_signal takes them where pid.c does", async () => {
  // include/uapi/linux/fcntl.h: PIDFD_SELF_THREAD -10000, PIDFD_SELF_THREAD_GROUP -10001.
  assert.deepEqual([PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP], [-10000, -10001]);
  const bystander = await loadScenarioFile("scenarios/paths/target-pidfd-self.json");
  const withFd = (fd: number, kill: boolean) => ({
    ...bystander,
    intent: { ...bystander.intent, call: { fd, kill } },
  });
  const answer = (fd: number, kill: boolean, kernel: "5.15" | "6.18") =>
    runScenario(withFd(fd, kill), { design: mrelease, kernel }).outcome.errno;
  // -20000, the series' first group sentinel, is a bad fd on 6.18 (measured on the host).
  assert.equal(answer(-20000, false, "6.18"), "EBADF");
  assert.equal(answer(PIDFD_SELF_THREAD_GROUP, false, "6.18"), "EINVAL");
  // The recipe's own pidfd_send_signal(PIDFD_SELF_*, SIGKILL) kills the caller on 6.18.
  for (const self of [PIDFD_SELF_THREAD, PIDFD_SELF_THREAD_GROUP]) {
    assert.equal(answer(self, true, "6.18"), "killed", `kill through ${self} on 6.18`);
    assert.equal(answer(self, true, "5.15"), "EBADF", `kill through ${self} on 5.15`);
  }
});

Deno.test("REAP_KILL v3 kills every other sharer past an init sharer or a refused kill, then answers EBUSY", async () => {
  const reapKill = findDesign("process_mrelease_reap_kill");
  const s = await loadScenarioFile("scenarios/fidelity/reap-kill-kills-past-a-failure.json");
  // The refused kill (root_sharer, uid 0) comes first in for_each_process order.
  let o = runScenario(s, { design: reapKill }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered], ["EBUSY", true], "after a refused kill");
  // init sharing the mm: `if (is_global_init(p)) { failed = true; continue; }`.
  const initShares = {
    ...s,
    mms: s.mms.filter((m) => m.id !== "init_mm"),
    processes: s.processes
      .filter((p) => p.tgid !== 900)
      .map((p) => p.tgid === 1 ? { ...p, mm: "victim_mm" } : p),
  };
  o = runScenario(initShares, { design: reapKill }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered], ["EBUSY", true], "after an init sharer");
});

Deno.test("the forged-si_code check compares the calling thread's pid with the pidfd's, not thread groups", async () => {
  const syncReap = findDesign("sync_reap_mm");
  const s = await loadScenarioFile("scenarios/fidelity/forged-code-from-a-sibling-thread.json");
  // 501 calls with a pidfd of its own leader, 500: task_pid(current) != pid.
  assert.equal(runScenario(s, { design: syncReap }).outcome.errno, "EPERM");
  // The leader itself may forge a code towards itself: the SIGKILL goes through.
  const fromLeader = { ...s, caller: { pid: 500 } };
  assert.equal(runScenario(fromLeader, { design: syncReap }).outcome.errno, "killed");
});

Deno.test("process_madvise's MADV_COLD and MADV_PAGEOUT free no private page; MADV_DONTNEED zaps", async () => {
  const madvise = findDesign("process_madvise");
  const s = await loadScenarioFile("scenarios/fidelity/madvise-pageout-frees-nothing.json");
  const vma = { start_page: 16, end_page: 16 + 16384 }; // victim_mm's 64 MiB anon VMA
  const freed = (advice: number, kill: boolean) => {
    const call = { advice, iov: [vma], flags: 0, kill };
    const o = runScenario({ ...s, intent: { ...s.intent, call } }, { design: madvise }).outcome;
    return [o.ret, o.memory.freed_pages];
  };
  // A live target, per-iovec mode: the bytes advised, nothing freed (v5.10 madvise_vma()).
  assert.deepEqual(freed(MADV_COLD, false), [16384 * 4096, 0]);
  assert.deepEqual(freed(MADV_PAGEOUT, false), [16384 * 4096, 0]);
  // After the kill, DONTNEED zaps the range.
  assert.deepEqual(freed(MADV_DONTNEED, true), [16384 * 4096, 16384]);
});

Deno.test("zap_pmd_range() splits a huge page a range covers in part and zaps only the range's PTEs", async () => {
  const madvise = findDesign("process_madvise");
  const s = await loadScenarioFile("scenarios/fidelity/madvise-thp-partial-split.json");
  const pmd = COST_MODEL.HPAGE_PMD_NR, first = 512; // the THP VMA's first PMD boundary
  const run = (pages: number) => {
    const iov = Array.from({ length: 16 }, (_, i) => ({
      start_page: first + i * pmd,
      end_page: first + i * pmd + pages,
    }));
    const call = { ...s.intent.call, iov };
    const o = runScenario({ ...s, intent: { ...s.intent, call } }, { design: madvise }).outcome;
    const madv = o.calls.find((c) => c.name === "process_madvise")!;
    return { ns: madv.duration_ns, freed: o.memory.freed_by.caller };
  };
  const cut = run(pmd - 1), whole = run(pmd);
  // MM_ANONPAGES drops by the pages the ranges cover, no more (mm/rmap.c: the folios wait
  // on the deferred-split queue).
  assert.equal(cut.freed, 16 * (pmd - 1));
  assert.equal(whole.freed, 16 * pmd);
  // A split and 511 PTE zaps a block instead of one zap_huge_pmd() (speed-1.0 host CPUs).
  const more = 16 *
    (COST_MODEL.THP_SPLIT_PMD_NS + (pmd - 1) * COST_MODEL.THP_PTE_ZAP_NS_PER_PAGE -
      COST_MODEL.REAP_NS_PER_PMD);
  assert.ok(Math.abs(cut.ns - whole.ns - more) < 1000, `${cut.ns} - ${whole.ns} vs ${more}`);
});

Deno.test("exit_mmap's mmu_notifier_release() unhooks an hlist subscriber; an interval notifier still refuses", async () => {
  const v9 = chooseDesign("process_mrelease@v9");
  const interval = await loadScenarioFile("scenarios/diff/v9-no-recheck-under-the-lock.json");
  const hlist = await loadScenarioFile(
    "scenarios/fidelity/kvm-notifier-released-at-exit-mmap.json",
  );
  const late = (s: typeof interval) =>
    runScenario(s, { design: v9.design, variant: v9.variant, kernel: "6.0" }).outcome.errno;
  // The same late v9 walk after the victim's exit_mmap began.
  assert.equal(late(interval), "EAGAIN", "mn_itree_release() leaves interval notifiers hooked");
  assert.equal(late(hlist), 0, "mn_hlist_release() unhooked the KVM-style subscriber");
});

Deno.test("a SIGKILL to a process dumping core: dying at once before v5.17, the dump aborted on every kernel", async () => {
  const s = await loadScenarioFile("scenarios/paths/target-coredump.json");
  const run = (design: string, kernel: "5.16" | "5.17" | "6.18") => {
    const c = chooseDesign(design);
    return runScenario(s, { design: c.design, variant: c.variant, kernel }).outcome;
  };
  // complete_signal() overwrote SIGNAL_GROUP_COREDUMP before 98b24b16b2ae; core_state after.
  assert.equal(run("process_mrelease", "5.16").errno, 0);
  assert.equal(run("process_mrelease", "5.17").errno, "EINVAL");
  // The dumper notices the kill (dump_interrupted()): SIGKILL alone gets everything back.
  const alone = run("sigkill", "6.18");
  assert.equal(alone.memory.freed_by.victim, alone.memory.reclaimable_pages);
});

Deno.test("PIDFD_SIGNAL_PROCESS_GROUP signals the group the target's pid leads: ESRCH when it leads none", async () => {
  const stock = findDesign("stock_pidfd_send_signal");
  const s = await loadScenarioFile("scenarios/host/host-pidfd-signal-process-group.json");
  // The victim inherited the lab's group (pgid 100): kill_pgrp_info() finds nobody.
  assert.equal(s.processes.find((p) => p.tgid === 200)?.pgid, 100);
  let o = runScenario(s, { design: stock }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered], ["ESRCH", false]);
  // After setpgid(0, 0) the victim leads its own group, and the group's SIGKILL reaches it.
  const leads = {
    ...s,
    processes: s.processes.map((p) => p.tgid === 200 ? { ...p, pgid: 200 } : p),
  };
  o = runScenario(leads, { design: stock }).outcome;
  assert.deepEqual([o.errno, o.signal_delivered], [0, true]);
});

Deno.test("an mm's MMF_OOM_SKIP from history: process_mrelease answers 0 for a live target, EINVAL without it", async () => {
  const s = await loadScenarioFile("scenarios/fidelity/mm-oom-skip-from-history.json");
  const without = { ...s, mms: s.mms.map((m) => ({ ...m, flags: [] })) };
  const answer = (w: typeof s) => runScenario(w, { design: mrelease }).outcome.errno;
  assert.equal(answer(s), 0, "'Error only if the work has not been done already'");
  assert.equal(answer(without), "EINVAL");
});
