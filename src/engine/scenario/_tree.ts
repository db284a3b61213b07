/**
 * A tree of named nodes under an implicit root, each holding processes by tgid: the shape
 * `$.cgroups` and `$.pid_namespaces` share (ids unique, parents known and acyclic, members
 * checked by the caller). Parents may be named in any file order.
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
import { indexPath, keyPath } from "./_path.ts";
import { PID_MAX_LIMIT } from "./abi.ts";

/** One node as the file states it. */
export interface TreeNode {
  /** Its name, unique in its list. */
  id: string;
  /** The parent's id; null: a child of the root. */
  parent: string | null;
  /** The tgids it holds, in file order. */
  procs: number[];
}

/** What a list is called in its messages and how long it may be. */
export interface TreeKind {
  /** The list's JSON path (`$.cgroups`). */
  list: string;
  /** One node, for messages ("cgroup"). */
  noun: string;
  /** The list as a whole, for the length message. */
  listWhat: string;
  /** Its `procs`, for messages. */
  procsWhat: string;
  /** The most nodes (the core's bound). */
  max: number;
}

/** A cycle is named by its first ids and its length: one line stays short. */
const CYCLE_SHOWN_MAX = 8;

/**
 * Reads the list at `kind.list`: each node, ids unique, parents known, then `member` for each
 * listed tgid (when given) and, with no problem so far, the cycle check. Undefined when
 * something is wrong (reported to `p`).
 */
export function readTree(
  p: Problems,
  v: unknown,
  kind: TreeKind,
  member?: (tgid: number, path: string) => void,
): TreeNode[] | undefined {
  if (v === undefined) return [];
  const list = readArray(p, v, kind.list, { what: kind.listWhat, min: 0, max: kind.max });
  if (list === undefined) return undefined;
  const before = p.count;
  const ids = new Map<string, number>();
  const read = list.map((n, i) => readNode(p, n, indexPath(kind.list, i), { ids, i, kind }));
  read.forEach((n, i) => {
    const path = indexPath(kind.list, i);
    if (n?.parent != null && !ids.has(n.parent)) {
      p.add(
        keyPath(path, "parent"),
        `expected the id of a ${kind.noun}, got ${describe(n.parent)}` +
          hint(n.parent, [...ids.keys()]),
      );
    }
    if (member === undefined) return;
    n?.procs.forEach((tgid, j) => member(tgid, indexPath(keyPath(path, "procs"), j)));
  });
  if (p.count === before) checkCycles(p, read as TreeNode[], ids, kind.list);
  return p.count === before ? read as TreeNode[] : undefined;
}

function readNode(
  p: Problems,
  v: unknown,
  path: string,
  ctx: { ids: Map<string, number>; i: number; kind: TreeKind },
): TreeNode | undefined {
  const { noun, list } = ctx.kind;
  const o = readObject(p, v, path, {
    what: `a ${noun}`,
    required: ["id"],
    optional: ["parent", "procs"],
  });
  if (o === undefined) return undefined;
  const idSpec = {
    what: `a ${noun} id (a letter or "_", then up to 63 of "A-Za-z0-9_.-")`,
    pattern: /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/,
  };
  const id = readString(p, field(o, "id"), keyPath(path, "id"), idSpec);
  if (id !== undefined) {
    const first = ctx.ids.get(id);
    if (first !== undefined) {
      p.add(
        keyPath(path, "id"),
        `expected an id no other ${noun} has, got ${describe(id)} (also ${indexPath(list, first)})`,
      );
    } else ctx.ids.set(id, ctx.i);
  }
  const parentV = field(o, "parent");
  const parent = parentV === undefined
    ? null
    : readString(p, parentV, keyPath(path, "parent"), idSpec);
  if (parent === id && id !== undefined) {
    p.add(keyPath(path, "parent"), `expected another ${noun} as the parent, got itself`);
  }
  const procsPath = keyPath(path, "procs");
  const procsV = field(o, "procs");
  const procList = procsV === undefined ? [] : readArray(p, procsV, procsPath, {
    what: ctx.kind.procsWhat,
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

/** Parents form a tree: a walk up from each node ends at the root (a cycle reported once). */
function checkCycles(
  p: Problems,
  nodes: readonly TreeNode[],
  ids: Map<string, number>,
  list: string,
): void {
  const done = new Set<number>();
  const reported = new Set<number>();
  nodes.forEach((_, start) => {
    const chain: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !done.has(cur)) {
      const at = chain.indexOf(cur);
      if (at >= 0) {
        const cycle = chain.slice(at);
        const first = Math.min(...cycle);
        if (!reported.has(first)) {
          cycle.forEach((c) => reported.add(c));
          const shown = cycle.slice(0, CYCLE_SHOWN_MAX).map((c) => nodes[c].id);
          const rest = cycle.length > CYCLE_SHOWN_MAX ? ` -> ... (${cycle.length} nodes)` : "";
          p.add(
            keyPath(indexPath(list, first), "parent"),
            `expected parents to form a tree, got a cycle through ${shown.join(" -> ")}${rest}`,
          );
        }
        break;
      }
      chain.push(cur);
      const parent: string | null = nodes[cur].parent;
      cur = parent === null ? undefined : ids.get(parent);
    }
    for (const c of chain) done.add(c);
  });
}

/**
 * The nodes in creation order for the world program: every parent before its children,
 * siblings in file order (a pre-order walk from the root's children), each with its
 * parent's handle there (0: the root; else its position + 1).
 */
export function treeInCreationOrder<T extends TreeNode>(
  nodes: readonly T[],
): { node: T; parentHandle: number }[] {
  const children = new Map<string | null, T[]>();
  for (const c of nodes) {
    const list = children.get(c.parent) ?? [];
    list.push(c);
    children.set(c.parent, list);
  }
  const out: { node: T; parentHandle: number }[] = [];
  const handle = new Map<string, number>();
  const stack: T[] = [...(children.get(null) ?? [])].reverse();
  while (stack.length > 0) {
    const c = stack.pop()!;
    out.push({ node: c, parentHandle: c.parent === null ? 0 : handle.get(c.parent)! });
    handle.set(c.id, out.length);
    stack.push(...[...(children.get(c.id) ?? [])].reverse());
  }
  return out;
}
