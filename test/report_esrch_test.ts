// The review's ESRCH-window family measures every design through its own recipe (issue 15):
// a design whose recipe kills and then calls gets its kill at the decision and its call
// after the delay; a design whose call is the kill makes that call after the delay with
// nothing killed before it; "someone else killed first" is a separate row. The scenarios
// are checked as built (who kills, when, on which fd), the runs against what the kernel
// does (§A.1, §A.5, §F.7), and the finding's wording against changed numbers.

import assert from "node:assert/strict";
import type { Design } from "../src/core/mod.ts";
import { designs } from "../src/lab/designs/mod.ts";
import { options2026 } from "../src/lab/report/options_2026.ts";
import { allUnits, measurePoint, type PointResult, pointScenario } from "../src/lab/report/mod.ts";
import { Results } from "../src/lab/report/results.ts";
import {
  ESRCH_ID,
  EsrchFacts,
  esrchFinding,
  foundNothing,
} from "../src/lab/report/sections_esrch.ts";
import { CALLER_PID, HOLDER_TGID, INTENT_MS, VICTIM_TGID } from "../src/lab/report/world.ts";

const units = allUnits(false).filter((u) => u.experiment.id === ESRCH_ID);
/** The 2026 options (`name` or `name@variant`) of the designs `keep` selects. */
const ownOptions = (keep: (d: Design) => boolean) =>
  options2026().filter((o) => keep(o.design)).map((o) => o.run.design);
const byName = (name: string) => {
  const u = units.find((u) => u.point.name === name);
  assert.ok(u, `no point ${name}`);
  return u;
};
type Json = Record<string, unknown>;
const scenario = (name: string) => pointScenario(byName(name).point) as Json;
const events = (name: string) => scenario(name).events as Json[];
const intent = (name: string) => scenario(name).intent as Json;

Deno.test("a recipe that kills first kills at the decision and calls after the delay", () => {
  const s = "esrch-64mib-big-100us";
  assert.deepEqual(events(s), [
    { at_ms: INTENT_MS, kind: "kill", target: VICTIM_TGID, from: CALLER_PID.reaper },
  ]);
  assert.equal(intent(s).at_ms, INTENT_MS + 0.1);
  assert.deepEqual(intent(s).call, { fd: 4, kill: false });
  // Only the designs whose recipe has a kill before the call run here, each with its 2026
  // options (the 2026 section reads these points).
  const here = (byName(s).point.runs ?? []).map((r) => r.design);
  assert.deepEqual(here, ownOptions((d) => !d.killsInCall));
  for (const d of designs().filter((d) => !d.killsInCall)) assert.ok(here.includes(d.name));
});

Deno.test("a design whose call is the kill runs in the -call twin, nothing killed before", () => {
  const s = "esrch-64mib-big-100us-call";
  assert.deepEqual(events(s), []);
  assert.equal(intent(s).at_ms, INTENT_MS + 0.1);
  assert.equal(intent(s).call, undefined);
  const here = (byName(s).point.runs ?? []).map((r) => r.design);
  assert.deepEqual(here, ownOptions((d) => d.killsInCall));
  for (const d of designs().filter((d) => d.killsInCall)) assert.ok(here.includes(d.name));
});

Deno.test("at no delay every design runs its recipe as is, in one scenario", () => {
  assert.deepEqual(events("esrch-64mib-little-0us"), []);
  assert.equal(intent("esrch-64mib-little-0us").at_ms, INTENT_MS);
  assert.deepEqual(byName("esrch-64mib-little-0us").point.runs, options2026().map((o) => o.run));
  assert.ok(!units.some((u) => u.point.name === "esrch-64mib-little-0us-call"));
});

Deno.test("someone else killed first: lmkd's main thread, every design after it", () => {
  const s = "esrch-other-64mib-little-100us";
  assert.deepEqual(events(s), [
    { at_ms: INTENT_MS, kind: "kill", target: VICTIM_TGID, from: CALLER_PID.main },
  ]);
  assert.deepEqual(intent(s).call, { fd: 4, kill: false });
  assert.deepEqual(byName(s).point.runs, options2026().map((o) => o.run));
});

Deno.test("a holder takes mm_users on the victim's mm before the decision", () => {
  const [read] = events("esrch-read-64mib-big-0us");
  const [long] = events("esrch-long-64mib-big-0us");
  for (const e of [read, long]) {
    assert.equal(e.kind, "proc_reader");
    assert.equal(e.mm, "victim_mm");
    assert.equal(e.reader, HOLDER_TGID);
    assert.ok((e.at_ms as number) < INTENT_MS);
  }
  assert.ok((long.duration_ms as number) > 100 * (read.duration_ms as number));
});

// Measured once for the tests below (the family alone, in this thread).
const results: PointResult[] = [];
for (const u of units) results[u.index] = measurePoint(u.point);
const input = { units, results, params: new Map(), host: null, full: false };

Deno.test("through its own recipe a call that is the kill always reaches the mm", () => {
  // §A.1 (SYNC_REAP_MM: kill_pid_info, then reap_mm in the same call) and §A.5 (REAP_KILL:
  // find_lock_task_mm and mmgrab before kill_all_shared_mm): the victim cannot pass exit_mm
  // between the kill and the pin, so the caller reaps at every delay and with every holder.
  const f = new EsrchFacts(new Results(input));
  const killers = designs().filter((d) => d.killsInCall && d.reaper === "caller");
  assert.ok(killers.length >= 2);
  for (const d of killers) {
    for (const u of f.ownAll()) {
      const x = f.run(u, d.name);
      assert.equal(x.errno, 0, `${d.name} on ${u.point.name}`);
      assert.ok(x.freed_by.caller > 0, `${d.name} freed nothing on ${u.point.name}`);
    }
  }
});

Deno.test("1 ms after someone else's kill every reaping design finds nothing", () => {
  // §F.7: a running victim passes exit_mm within tens of µs of SIGKILL (do_exit up to
  // exit_mm is EXIT_STEP_NS, 20 µs at speed 1.0); 1 ms later find_lock_task_mm() finds no
  // thread with an mm, whichever design asks. A design whose kernel keeps task->exit_mm
  // (§A.5, Jann Horn's patch) still finds it while the victim's own exit_mmap runs, before
  // the parent waits: it reaches the mm in some of these points.
  const f = new EsrchFacts(new Results(input));
  const late = f.points({ recipe: "other-first" }).filter((u) =>
    u.point.params.delay_us === f.maxDelayUs()
  );
  assert.ok(late.length === 4);
  const keepsExitMm = (d: Design) => d.kernelVariants?.includes("exit_mm_retention") ?? false;
  const reapers = designs().filter((d) => d.reaper !== "victim");
  for (const d of reapers.filter((d) => !keepsExitMm(d))) {
    for (const u of late) assert.ok(foundNothing(d, f.run(u, d.name)), `${d.name} ${u.point.name}`);
  }
  const keeping = reapers.filter(keepsExitMm);
  assert.ok(keeping.length > 0, "a design brings the exit_mm retention");
  for (const d of keeping) {
    assert.ok(late.some((u) => !foundNothing(d, f.run(u, d.name))), d.name);
  }
});

Deno.test("the finding's wording follows the numbers", () => {
  const finding = (res: PointResult[]) => esrchFinding(new Results({ ...input, results: res }));
  const closedOf = (text: string) =>
    /^\*\*Through their own recipes, (.*?) never found/.exec(text)?.[1] ?? "";
  const now = finding(results);
  const killers = designs().filter((d) => d.killsInCall && d.reaper !== "victim");
  for (const d of killers) assert.ok(closedOf(now).includes(`\`${d.name}\``), now);
  for (const d of designs().filter((d) => !d.killsInCall)) {
    assert.ok(!closedOf(now).includes(`\`${d.name}\``), now);
  }
  // Make one of those designs miss once through its own recipe: it leaves the sentence.
  const d = killers[killers.length - 1];
  const u = units.find((u) => u.point.name === "esrch-1024mib-little-100us-call")!;
  const changed = results.slice();
  changed[u.index] = {
    ...results[u.index],
    runs: results[u.index].runs.map((x) =>
      x.label === d.name ? { ...x, errno: "ESRCH", freed_by: { ...x.freed_by, caller: 0 } } : x
    ),
  };
  const then = finding(changed);
  assert.ok(!closedOf(then).includes(`\`${d.name}\``), then);
  assert.match(then, new RegExp(`\`${d.name}\`[^.]* found nothing in`));
  // It does not kill and then call: the sentence no longer says so of the group.
  assert.ok(!then.includes("which kill and then call"), then);
  assert.ok(now.includes("which kill and then call"), now);
});
