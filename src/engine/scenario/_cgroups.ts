/**
 * `$.cgroups`: the cgroup v2 tree under the root and the processes each one holds, in
 * cgroup.procs order (docs/scenario-format.md, "Cgroups"). A process listed in no cgroup is
 * in the root cgroup. Parents may be named in any file order; the tree must have no cycle.
 * @module
 */

import type { Problems } from "./_check.ts";
import { notATgid, type World } from "./_links.ts";
import { MAX_CGROUPS } from "./abi.ts";
import type { ScenarioCgroup } from "./types.ts";
import type { ProcessDraft } from "./_tasks.ts";
import { readTree, treeInCreationOrder } from "./_tree.ts";

/**
 * Reads `$.cgroups` against the processes: ids unique, parents known and acyclic, each
 * member the tgid of a process that is not reaped (cgroup_release() has taken it out of its
 * cgroup), in one cgroup at most. Undefined when something is wrong (reported to `p`).
 */
export function readCgroups(
  p: Problems,
  v: unknown,
  world: World,
  drafts: readonly ProcessDraft[],
): ScenarioCgroup[] | undefined {
  // Members are judged only against processes whose own tgids are sound: one broken tgid
  // gives one problem, at the process, not another at every cgroup that names it.
  const tgidsSettled = drafts.every((d) => d.tgid !== undefined) &&
    new Set(drafts.map((d) => d.tgid)).size === drafts.length;
  const member = new Map<number, string>();
  return readTree(p, v, {
    list: "$.cgroups",
    noun: "cgroup",
    listWhat: "a list of cgroups (at most the core's MAX_CGROUPS)",
    procsWhat: "a list of tgids in cgroup.procs order",
    max: MAX_CGROUPS,
  }, tgidsSettled ? (tgid, path) => checkMember(p, tgid, path, { world, member }) : undefined);
}

function checkMember(
  p: Problems,
  tgid: number,
  path: string,
  ctx: { world: World; member: Map<number, string> },
): void {
  const proc = ctx.world.processes.get(tgid);
  if (proc === undefined) {
    p.add(path, `expected the tgid of a process, got ${tgid}${notATgid(ctx.world, tgid)}`);
    return;
  }
  if (proc.status === "reaped") {
    p.add(
      path,
      `expected a process that is not reaped, got ${tgid} (cgroup_release() took it out of ` +
        `its cgroup when it was reaped)`,
    );
    return;
  }
  const other = ctx.member.get(tgid);
  if (other !== undefined) {
    p.add(
      path,
      `expected each process in one cgroup at most, got ${tgid} again (also at ${other})`,
    );
    return;
  }
  ctx.member.set(tgid, path);
}

/**
 * The cgroups in creation order for the world program: every parent before its children,
 * siblings in file order (a pre-order walk from the root's children), with each parent as
 * its handle there (0: the root; else its position + 1).
 */
export function cgroupsInCreationOrder(
  cgroups: readonly ScenarioCgroup[],
): { cgroup: ScenarioCgroup; parentHandle: number }[] {
  return treeInCreationOrder(cgroups).map((n) => ({
    cgroup: n.node,
    parentHandle: n.parentHandle,
  }));
}

/**
 * The handle the core gives the cgroup that holds process `tgid` (its place in creation
 * order + 1, as the world program lists it), or 0 for the root cgroup.
 *
 * @example
 * ```ts
 * import { cgroupHandleOf } from "./_cgroups.ts";
 * cgroupHandleOf([{ id: "app", parent: null, procs: [1000] }], 1000); // 1
 * ```
 */
export function cgroupHandleOf(cgroups: readonly ScenarioCgroup[], tgid: number): number {
  const i = cgroupsInCreationOrder(cgroups).findIndex((c) => c.cgroup.procs.includes(tgid));
  return i + 1;
}
