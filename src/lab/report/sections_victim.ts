/**
 * The review's sections about the victim: its state when it is killed, its size and where
 * it runs, and its shape (threads, a zombie leader, an mm shared with a vfork child).
 *
 * @module
 */

import { HEADLINE_POINT, pointScenario, REPORT_KERNEL, type Unit } from "./experiments.ts";
import { oomKillerBeforeDelay, oomReaperDelay } from "./runs.ts";
import type { RunRecord } from "./measure.ts";
import type { Results, SectionContext } from "./results.ts";
import { KILL_ALONE, MERGED, NEEDS_PTRACE, OOM_KILLER, PINS_MM_USERS, playing } from "./roles.ts";
import { CHARTS, cpuChart, dstateChart, memoryChart, sizeChart } from "./charts.ts";
import { simulatedRate } from "./calibration.ts";
import { validateScenario } from "../../engine/scenario/mod.ts";
import { callParties, errnoReason } from "./errno.ts";
import { designNames, designRows, type GridColumn, sectionHead, traces } from "./tables.ts";
import { code, duration, int, list, mdTable, pages, pct, times } from "./_format.ts";

/** Memory freed, in prose: "nothing" for none. */
function freedText(n: number): string {
  return n === 0 ? "nothing" : pages(n);
}

/** The victim-state point run with Android's own capabilities for lmkd. */
const ANDROID_CAPS_POINT = "state-d-500ms-android-caps";

/**
 * "Victim state at kill time": t90 per state, the D-sleep chart, memory over time and CPU
 * time by context in the headline scenario.
 *
 * @example
 * ```ts
 * import { victimStateSection } from "./sections_victim.ts";
 * // victimStateSection(r, { exp, files }) also puts three charts into `files`
 * ```
 */
export function victimStateSection(
  r: Results,
  { exp, files }: SectionContext,
): string {
  const kill = playing(KILL_ALONE).name;
  const merged = playing(MERGED).name;
  const oom = playing(OOM_KILLER).name;
  const ptrace = playing(NEEDS_PTRACE);
  const early = oomKillerBeforeDelay();
  const units = r.of(exp).filter((u) => u.point.name !== ANDROID_CAPS_POINT);
  const labels = [...designNames(), early.label];
  const dUnits = units.filter((u) => typeof u.point.params.d_ms === "number");
  files.set(CHARTS.dstate, dstateChart(r, { units: dUnits, labels }));
  files.set(CHARTS.memory, memoryChart(r));
  files.set(CHARTS.cpu, cpuChart(r));
  const runs = r.point(HEADLINE_POINT).runs;
  const caps = r.run(ANDROID_CAPS_POINT, ptrace.name);
  const capsUnit = r.input.units.find((u) => u.point.name === ANDROID_CAPS_POINT)!;
  const capsWho = callParties(validateScenario(pointScenario(capsUnit.point)));
  const capsWhy = capsWho && errnoReason(ptrace, String(caps.errno), capsWho);
  const h = (l: string) => r.run(HEADLINE_POINT, l);
  const frozen = r.point("state-frozen").runs;
  const oomFrozen = frozen.find((x) => x.label === oom)!;
  // The states in which the oom_reaper kthread frees anything on the report's kernel.
  const reapedBy = units.map((u) => u.point.name).filter((p) =>
    r.run(p, oom).freed_by.kthreads > 0
  );
  const d10 = r.run("state-d-10ms", merged);
  const dMax = dUnits[dUnits.length - 1].point.name;
  // The states a SIGKILL ends at once (and the lock), then the D sleeps: by pattern.
  const isD = (u: Unit) => typeof u.point.params.d_ms === "number";
  const columns: GridColumn[] = [
    ...units.filter((u) => !isD(u)).map((u) => ({ point: u.point.name, group: "state" })),
    ...dUnits.map((u) => ({ point: u.point.name, group: "d" })),
  ];
  const cpuRows = runs.map((x) => [
    `**${x.label}**`,
    duration(x.cpu_ns.caller),
    duration(x.cpu_ns.victim),
    duration(x.cpu_ns.kthreads),
    pct(x.freed_by.caller, x.reclaimable_pages),
  ]);
  return [
    ...sectionHead(exp, r),
    "",
    `t90, with the errno under it when the design's call failed:`,
    "",
    designRows(r, { labels, columns, byPattern: true }),
    "",
    `![t90 against the D-state sleep](${CHARTS.dstate})`,
    "",
    `- SIGKILL alone waits out the sleep and then frees at the little core's pace: its t90 ` +
    `is the sleep plus ${duration(h(kill).t90_ns! - 500e6 + 1e6)}. The designs that reap from ` +
    `the caller do not depend on the sleep at all (${duration(r.run(dMax, merged).t90_ns)} ` +
    `for ${merged} at ${dMax.replace("state-d-", "").replace("ms", " ms")}). With a ` +
    `short sleep (${code("state-d-10ms")}) ${merged} shares the work with the waking ` +
    `victim and finishes at ${duration(d10.t90_ns)}.`,
    `- The ${oom} on ${REPORT_KERNEL} waits OOM_REAPER_DELAY = ${oomReaperDelay()} ` +
    `(e4a38402c36e, §B.4): ${
      reapedBy.length
        ? `only ${reapedBy.map(code).join(", ")} ${reapedBy.length > 1 ? "see" : "sees"} it act`
        : "no state sees it act"
    }. On ` +
    `${early.kernel} it reaps at once, from a kernel thread on whichever CPU is idle ` +
    `(${duration(r.run(HEADLINE_POINT, early.label).t90_ns)} in ${code(HEADLINE_POINT)}).`,
    `- A frozen victim (a cgroup-v1 freezer: a frozen task ignores SIGKILL until thawed; ` +
    `only the OOM killer's mark_oom_victim() thaws it, every thread of it from ` +
    `zhongjinji's 2025 thaw_process()) never exits on SIGKILL alone, which frees ` +
    `${freedText(frozen.find((x) => x.label === kill)!.freed_pages)}; the ${REPORT_KERNEL} ` +
    `${oom}'s kill thaws it, and t90 is ${duration(oomFrozen.t90_ns)} ` +
    `(${pct(oomFrozen.freed_by.victim, oomFrozen.reclaimable_pages)} freed by the victim's ` +
    `own exit). Every design that reaps from the caller frees it all as if it were asleep.`,
    `- With lmkd's real capabilities (${code(ANDROID_CAPS_POINT)}), ${ptrace.name} answers ` +
    `${capsWhy ?? `${caps.errno}.`} The memory comes back at ${duration(caps.t90_ns)}, as with ` +
    `SIGKILL alone.`,
    "",
    `![Memory freed over time](${CHARTS.memory})`,
    "",
    `CPU time by context in ${code(HEADLINE_POINT)}, and the share of the memory the ` +
    `caller freed:`,
    "",
    mdTable(["design", "caller", "victim", "kthreads", "freed by the caller"], cpuRows),
    "",
    `![CPU time by context](${CHARTS.cpu})`,
    "",
    `Reaping moves the cost from the victim's throttled little core to the caller's big ` +
    `core, where the same pages cost less CPU time: ${duration(h(merged).cpu_ns.caller)} of ` +
    `caller time against ${duration(h(kill).cpu_ns.victim)} of victim time for SIGKILL alone.`,
    "",
    traces(exp),
  ].join("\n");
}

/**
 * "Victim size and placement": t90 against the size, on the little and the big cores.
 *
 * @example
 * ```ts
 * import { victimSizeSection } from "./sections_victim.ts";
 * // victimSizeSection(r, { exp, files }) also puts two charts into `files`
 * ```
 */
export function victimSizeSection(
  r: Results,
  { exp, files }: SectionContext,
): string {
  const units = r.of(exp);
  const labels = designNames();
  const out: string[] = [...sectionHead(exp, r)];
  for (const cpus of ["little", "big"] as const) {
    const onCpus = units.filter((u) => u.point.name.endsWith(`-${cpus}`));
    const chart = cpus === "little" ? CHARTS.sizeLittle : CHARTS.sizeBig;
    files.set(chart, sizeChart(r, { units: onCpus, labels, cpus }));
    out.push(
      "",
      `Victim on the ${String(onCpus[0].point.params.placement)}: t90`,
      "",
      designRows(r, {
        labels,
        columns: onCpus.map((u) => ({ point: u.point.name })),
        byPattern: true,
      }),
      "",
      `![t90 against size, ${cpus} cores](${chart})`,
    );
  }
  const kill = playing(KILL_ALONE).name;
  const merged = playing(MERGED).name;
  const mmUsers = playing(PINS_MM_USERS).name;
  const big = (l: string) => r.run("size-16384mib-big", l);
  const alone = labels.filter((l) => {
    const x = r.run("size-1024mib-little", l);
    return x.freed_by.caller > 0 && x.freed_by.victim === 0;
  });
  const little = (l: string) => r.run("size-16384mib-little", l);
  const rate = (x: RunRecord) => int(simulatedRate(x)!);
  out.push(
    "",
    `- Everything scales linearly with the size: the model charges per page ` +
      `(docs/architecture.md). What changes with placement is who is fast. On the little ` +
      `core the victim's own exit frees about ${rate(little(kill))} MB/s and a caller on a ` +
      `big core about ${rate(little(mmUsers))} MB/s, so every reaping design wins by about ` +
      `${times(little(kill).t90_ns!, little(mmUsers).t90_ns!)} and ${merged}, whose caller ` +
      `and victim free pages together, by ${times(little(kill).t90_ns!, little(merged).t90_ns!)}.`,
    `- On a big core at full speed the victim's exit (${rate(big(kill))} MB/s) is ` +
      `faster than any reaper (the normal-kill rate of §E.4 is higher than the expedited ` +
      `one there): the designs whose caller holds mm_users and frees alone (${list(alone)}) ` +
      `are slower than SIGKILL (${duration(big(mmUsers).t90_ns)} for ${mmUsers} against ` +
      `${duration(big(kill).t90_ns)} at 16 GiB), while ${merged} is still ` +
      `${times(big(kill).t90_ns!, big(merged).t90_ns!)} faster ` +
      `(${duration(big(merged).t90_ns)}) by working alongside the exit.`,
    `- At 16 GiB the ${REPORT_KERNEL} ${playing(OOM_KILLER).name}'s ${oomReaperDelay()} ` +
      `delay ends before the little-core victim is done, and it joins in ` +
      `(${duration(little(playing(OOM_KILLER).name).t90_ns)} against ${
        duration(little(kill).t90_ns)
      }).`,
    "",
    traces(exp),
  );
  return out.join("\n");
}

/**
 * "Shape of the victim": many threads, a zombie leader, an mm shared with a vfork child.
 *
 * @example
 * ```ts
 * import { shapeSection } from "./sections_victim.ts";
 * // shapeSection(r, { exp, files })
 * ```
 */
export function shapeSection(r: Results, { exp }: SectionContext): string {
  const units = r.of(exp);
  const labels = designNames();
  const merged = playing(MERGED).name;
  const ptrace = playing(NEEDS_PTRACE).name;
  const mt = r.run("shape-64-threads", merged);
  const st = r.run("shape-single-thread", merged);
  // The calls a zombie leader defeats: the ptrace-checking one finds no mm, the others ask
  // task_will_free_mem() about the leader.
  const zombie = r.point("shape-zombie-leader").runs.filter((x) => x.errno !== 0);
  const askers = zombie.filter((x) => x.label !== ptrace);
  const refused = r.point("shape-vfork-shared-mm").runs.filter((x) => x.errno !== 0);
  return [
    ...sectionHead(exp, r),
    "",
    "t90, with the errno under it when the design's call failed and the WARNs the simulated " +
    "kernel printed:",
    "",
    designRows(r, {
      labels,
      columns: units.map((u) => ({ point: u.point.name })),
      byPattern: true,
    }),
    "",
    `- Many threads change little by themselves: ${merged} takes ${duration(mt.t90_ns)} ` +
    `with 64 threads and ${duration(st.t90_ns)} with one (the threads only add mm_users, which ` +
    `sends task_will_free_mem() down its walk; see [world size](#world-size)).`,
    `- A zombie leader: the pidfd names the leader, whose ->mm is already NULL. ` +
    `${list(askers.map((x) => x.label))} ask task_will_free_mem() about the leader itself ` +
    `(${askers.map((x) => x.errno).join(", ")}), ${ptrace}'s mm_access() finds no mm ` +
    `(${r.run("shape-zombie-leader", ptrace).errno}); ${merged} uses find_lock_task_mm() ` +
    `and reaps (reference §B.1, v9 review).`,
    `- A live vfork child shares the mm: task_will_free_mem() refuses ` +
    `(${[...new Set(refused.map((x) => x.errno))].join(", ")}) and SIGKILL alone frees ` +
    `nothing, because the child keeps the mm alive. The ${playing(OOM_KILLER).name}'s ` +
    `__oom_kill_process kills every process sharing the mm (§B.4) and REAP_KILL kills them ` +
    `in its call (§A.5), so both get the memory back. ${ptrace} checks only the ` +
    `target's own thread group and zaps memory the live child still uses: Jann Horn's ` +
    `objection (§C.2), shown by the simulated kernel's WARN.`,
    "",
    traces(exp),
  ].join("\n");
}
