/**
 * `$.cgroups`: the cgroup v2 tree under the root and the processes each one holds, in
 * cgroup.procs order (docs/scenario-format.md, "Cgroups"). A process listed in no cgroup is
 * in the root cgroup. Parents may be named in any file order; the tree must have no cycle.
 * @module
 */

import {
  describe,
  field,
  hint,
  type Problems,
  readArray,
  readInt,
  readObject,
  readString,
} from "./_check.ts";
import { notATgid, type World } from "./_links.ts";
import { indexPath, keyPath } from "./_path.ts";
import { MAX_CGROUPS, PID_MAX_LIMIT } from "./abi.ts";
import type { ScenarioCgroup } from "./types.ts";
import type { ProcessDraft } from "./_tasks.ts";

const CGROUP_ID = {
  what: 'a cgroup id (a letter or "_", then up to 63 of "A-Za-z0-9_.-")',
  pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
};

/** A cycle is named by its first ids and its length: one line stays short. */
const CYCLE_SHOWN_MAX = 8;

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
  if (v === undefined) return [];
  const list = readArray(p, v, "$.cgroups", {
    what: "a list of cgroups (at most the core's MAX_CGROUPS)",
    min: 0,
    max: MAX_CGROUPS,
  });
  if (list === undefined) return undefined;
  const before = p.count;
  // Members are judged only against processes whose own tgids are sound: one broken tgid
  // gives one problem, at the process, not another at every cgroup that names it.
  const tgidsSettled = drafts.every((d) => d.tgid !== undefined) &&
    new Set(drafts.map((d) => d.tgid)).size === drafts.length;
  const ids = new Map<string, number>();
  const member = new Map<number, string>();
  const read = list.map((c, i) => readCgroup(p, c, indexPath("$.cgroups", i), ids, i));
  read.forEach((c, i) => {
    const path = indexPath("$.cgroups", i);
    if (c?.parent != null && !ids.has(c.parent)) {
      p.add(
        keyPath(path, "parent"),
        `expected the id of a cgroup, got ${describe(c.parent)}${hint(c.parent, [...ids.keys()])}`,
      );
    }
    if (!tgidsSettled) return;
    c?.procs.forEach((tgid, j) =>
      checkMember(p, tgid, indexPath(keyPath(path, "procs"), j), {
        world,
        member,
      })
    );
  });
  if (p.count === before) checkCycles(p, read as ScenarioCgroup[], ids);
  return p.count === before ? read as ScenarioCgroup[] : undefined;
}

function readCgroup(
  p: Problems,
  v: unknown,
  path: string,
  ids: Map<string, number>,
  index: number,
): ScenarioCgroup | undefined {
  const o = readObject(p, v, path, {
    what: "a cgroup",
    required: ["id"],
    optional: ["parent", "procs"],
  });
  if (o === undefined) return undefined;
  const id = readString(p, field(o, "id"), keyPath(path, "id"), CGROUP_ID);
  if (id !== undefined) {
    const first = ids.get(id);
    if (first !== undefined) {
      p.add(
        keyPath(path, "id"),
        `expected an id no other cgroup has, got ${describe(id)} (also $.cgroups[${first}])`,
      );
    } else ids.set(id, index);
  }
  const parentV = field(o, "parent");
  const parent = parentV === undefined
    ? null
    : readString(p, parentV, keyPath(path, "parent"), CGROUP_ID);
  if (parent === id && id !== undefined) {
    p.add(keyPath(path, "parent"), `expected another cgroup as the parent, got itself`);
  }
  const procsPath = keyPath(path, "procs");
  const procsV = field(o, "procs");
  const procList = procsV === undefined ? [] : readArray(p, procsV, procsPath, {
    what: "a list of tgids in cgroup.procs order",
    min: 0,
    max: PID_MAX_LIMIT,
  });
  const procs = procList?.map((t, j) =>
    readInt(p, t, indexPath(procsPath, j), { what: "a tgid", min: 1, max: PID_MAX_LIMIT })
  );
  if (id === undefined || parent === undefined || procs === undefined) return undefined;
  if (procs.some((t) => t === undefined)) return undefined;
  return { id, parent, procs: procs as number[] };
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

/** Parents form a tree: a walk up from each cgroup ends at the root (reported once a cycle). */
function checkCycles(p: Problems, cgroups: ScenarioCgroup[], ids: Map<string, number>): void {
  const done = new Set<number>();
  const reported = new Set<number>();
  cgroups.forEach((_, start) => {
    const chain: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !done.has(cur)) {
      const at = chain.indexOf(cur);
      if (at >= 0) {
        const cycle = chain.slice(at);
        const first = Math.min(...cycle);
        if (!reported.has(first)) {
          cycle.forEach((c) => reported.add(c));
          const shown = cycle.slice(0, CYCLE_SHOWN_MAX).map((c) => cgroups[c].id);
          const rest = cycle.length > CYCLE_SHOWN_MAX ? ` -> ... (${cycle.length} cgroups)` : "";
          p.add(
            keyPath(indexPath("$.cgroups", first), "parent"),
            `expected parents to form a tree, got a cycle through ${shown.join(" -> ")}${rest}`,
          );
        }
        break;
      }
      chain.push(cur);
      const parent: string | null = cgroups[cur].parent;
      cur = parent === null ? undefined : ids.get(parent);
    }
    for (const c of chain) done.add(c);
  });
}

/**
 * The cgroups in creation order for the world program: every parent before its children,
 * siblings in file order (a pre-order walk from the root's children), with each parent as
 * its handle there (0: the root; else its position + 1).
 */
export function cgroupsInCreationOrder(
  cgroups: readonly ScenarioCgroup[],
): { cgroup: ScenarioCgroup; parentHandle: number }[] {
  const children = new Map<string | null, ScenarioCgroup[]>();
  for (const c of cgroups) {
    const list = children.get(c.parent) ?? [];
    list.push(c);
    children.set(c.parent, list);
  }
  const out: { cgroup: ScenarioCgroup; parentHandle: number }[] = [];
  const handle = new Map<string, number>();
  const stack: ScenarioCgroup[] = [...(children.get(null) ?? [])].reverse();
  while (stack.length > 0) {
    const c = stack.pop()!;
    out.push({ cgroup: c, parentHandle: c.parent === null ? 0 : handle.get(c.parent)! });
    handle.set(c.id, out.length);
    stack.push(...[...(children.get(c.id) ?? [])].reverse());
  }
  return out;
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
