// Second guards for issue 14's rules that one test alone used to catch (the first guard is
// named in each test): a rule broken in a copy of the lab now fails two tests.

import assert from "node:assert/strict";
import { runScenario } from "../src/engine/run/mod.ts";
import { loadScenarioFile, validateScenario } from "../src/engine/scenario/mod.ts";
import { EVENT_KINDS } from "../src/engine/trace/mod.ts";
import { findDesign } from "../src/lab/designs/mod.ts";
import { ERRNO, SYSCALLS } from "../src/core/mod.ts";

const mrelease = findDesign("process_mrelease");

/**
 * init, lmkd (500, the caller 501) and a victim (1000) whose one thread sleeps in D with no
 * end (a SIGKILL leaves it there, dying, with its mm), on 6.18; `events` are the world's
 * history, `victimMmFlags` the MMF_ bits its mm starts with.
 */
function oomWorld(o: { events: Record<string, unknown>[]; victimMmFlags?: string[] }) {
  return validateScenario({
    schema: "mrelease-lab/scenario@1",
    name: "oom-kill-history",
    description: "the OOM killer in the history of a world",
    kernel: "6.18",
    horizon_ms: 100,
    cpus: [{ preset: "sd845-big-max" }, { preset: "sd845-big-max" }],
    mms: [
      { id: "init_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
      { id: "killer_mm", vmas: [{ kind: "anon", size: "1MiB" }] },
      {
        id: "victim_mm",
        vmas: [{ kind: "anon", size: "4MiB" }],
        ...(o.victimMmFlags ? { flags: o.victimMmFlags } : {}),
      },
    ],
    processes: [
      { tgid: 1, comm: "init", init: true, mm: "init_mm", threads: [{ pid: 1, state: "S" }] },
      {
        tgid: 500,
        comm: "lmkd",
        parent: 1,
        caps: ["CAP_KILL"],
        mm: "killer_mm",
        threads: [{ pid: 500, state: "S", cpu: 1 }, { pid: 501, state: "S", cpu: 1 }],
      },
      {
        tgid: 1000,
        comm: "victim",
        parent: 1,
        uid: 10050,
        mm: "victim_mm",
        threads: [{ pid: 1000, state: "D", cpu: 0 }],
      },
    ],
    events: o.events,
    caller: { pid: 501 },
    intent: { victim: 1000, at_ms: 2, call: { kill: false } },
  });
}

Deno.test("a second oom_kill event on an OOM victim the reaper has not finished kills nothing", () => {
  // mm/oom_kill.c oom_evaluate_task(): `if (!is_sysrq_oom(oc) && tsk_is_oom_victim(task)) {
  // if (test_bit(MMF_OOM_SKIP, &task->signal->oom_mm->flags)) goto next; goto abort; }`:
  // while the victim's mm has no MMF_OOM_SKIP (the oom_reaper waits OOM_REAPER_DELAY, 2 s,
  // on 6.18: e4a38402c36e) the selection aborts and nothing is signalled (-1 in the trace).
  // The victim sleeps in D with no end, so it is still there, dying, at the second event.
  // First guard: wasm/src/tests/history.rs an_oom_kill_event_skips_what_select_bad_process_skips.
  const world = oomWorld({
    events: [
      { kind: "oom_kill", at_ms: 0.5, target: 1000, from: 500 },
      { kind: "oom_kill", at_ms: 1, target: 1000, from: 500 },
    ],
  });
  const r = runScenario(world, { design: mrelease });
  const answers = r.events.filter((e) => e.kind === EVENT_KINDS.scenario_event).map((e) => e.c);
  assert.deepEqual(answers, [1, -1], "the first kills the victim, the second aborts");
  const marks = r.events.filter((e) => e.kind === EVENT_KINDS.mark_victim);
  assert.equal(marks.length, 1, "mark_oom_victim() once");
});

Deno.test("an oom_kill event passes over a victim whose mm starts with MMF_OOM_SKIP", () => {
  // oom_badness(): `if (adj == OOM_SCORE_ADJ_MIN || test_bit(MMF_OOM_SKIP, &p->mm->flags) ||
  // in_vfork(p)) { task_unlock(p); return LONG_MIN; }` (mm/oom_kill.c): select_bad_process()
  // never picks it, so nothing is signalled (-1), marked or queued. The flag comes from the
  // scenario's mms[].flags (the history of a reaper that finished). First guards:
  // history.rs an_oom_kill_event_skips_what_select_bad_process_skips (the event), and
  // scenarios/fidelity/mm-oom-skip-from-history.json (the initial flag, seen by a reap).
  const world = oomWorld({
    events: [{ kind: "oom_kill", at_ms: 0.5, target: 1000, from: 500 }],
    victimMmFlags: ["MMF_OOM_SKIP"],
  });
  const r = runScenario(world, { design: mrelease });
  const answers = r.events.filter((e) => e.kind === EVENT_KINDS.scenario_event).map((e) => e.c);
  assert.deepEqual(answers, [-1], "passed over");
  const kinds = [EVENT_KINDS.mark_victim, EVENT_KINDS.signal_generate];
  assert.deepEqual(r.events.filter((e) => kinds.includes(e.kind)), [], "no mark, no signal");
});

Deno.test("pidfd_open from a child pid namespace of a pid it cannot see answers ESRCH", async () => {
  // pidfd_open() → find_get_pid(pid) (kernel/pid.c), the number looked up in
  // task_active_pid_ns(current): the victim, in init_pid_ns, has none in the container, so
  // `if (!p) return -ESRCH;`. The designs pass the errno on as the fd (EBADF), so the scenario's
  // expectations cannot see which errno it was; the trace's sys_exit can. First guard:
  // wasm/src/tests/pidns.rs pidfd_open_and_kill_cannot_find_an_invisible_pid.
  const s = await loadScenarioFile("scenarios/fidelity/pidns-open-from-a-child-namespace.json");
  const r = runScenario(s, { design: mrelease });
  const opens = r.events.filter((e) =>
    e.kind === EVENT_KINDS.sys_exit && e.a === SYSCALLS.pidfd_open.nr
  ).map((e) => e.b);
  assert.deepEqual(opens, [-ERRNO.ESRCH]);
});
