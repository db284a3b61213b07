/**
 * `$.pid_namespaces`: the pid namespaces below init_pid_ns and the processes whose active pid
 * namespace each one is (docs/scenario-format.md, "pid namespaces"). A process listed in no
 * namespace is in init_pid_ns. Parents may be named in any file order; no cycle.
 * @module
 */

import type { Problems } from "./_check.ts";
import { notATgid, type World } from "./_links.ts";
import { MAX_PID_NAMESPACES } from "./abi.ts";
import type { ScenarioPidNamespace } from "./types.ts";
import { readTree, treeInCreationOrder } from "./_tree.ts";

/**
 * Reads `$.pid_namespaces` against the processes: ids unique, parents known and acyclic, each
 * member the tgid of a process (a reaped one too: its struct pid keeps its namespace), in one
 * namespace at most. Undefined when something is wrong (reported to `p`).
 */
export function readPidNamespaces(
  p: Problems,
  v: unknown,
  world: World,
): ScenarioPidNamespace[] | undefined {
  const member = new Map<number, string>();
  return readTree(p, v, {
    list: "$.pid_namespaces",
    noun: "pid namespace",
    listWhat: "a list of pid namespaces (at most the core's MAX_PID_NAMESPACES, the kernel's " +
      "MAX_PID_NS_LEVEL)",
    procsWhat: "a list of tgids",
    max: MAX_PID_NAMESPACES,
  }, (tgid, path) => {
    if (!world.processes.has(tgid)) {
      p.add(path, `expected the tgid of a process, got ${tgid}${notATgid(world, tgid)}`);
      return;
    }
    const other = member.get(tgid);
    if (other === undefined) member.set(tgid, path);
    else {
      p.add(
        path,
        `expected each process in one pid namespace at most, got ${tgid} again (also at ${other})`,
      );
    }
  });
}

/**
 * The namespaces in creation order for the world program, parents first (a pre-order walk
 * from init_pid_ns's children), each with its parent's handle (0: init_pid_ns; else its
 * place + 1).
 */
export function pidNamespacesInCreationOrder(
  namespaces: readonly ScenarioPidNamespace[],
): { ns: ScenarioPidNamespace; parentHandle: number }[] {
  return treeInCreationOrder(namespaces).map((n) => ({ ns: n.node, parentHandle: n.parentHandle }));
}
