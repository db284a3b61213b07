/**
 * The host plan's pid namespace part (docs/host.md, "A caller in a child pid namespace"):
 * where the scenario's caller and victim sit, which process the lab itself plays, and the one
 * event the host stages, the lab's SIGKILL of a frozen victim before the intent.
 *
 * The lab's own pid namespace plays init_pid_ns. The victim is in it, or alone in a child
 * namespace of it: the lab spawns it as that namespace's init (pid 1; ffi.ts
 * inNewPidNamespace), which is still the lab's child; a victim with a vfork child stays in
 * init_pid_ns (the exit of a namespace's init kills the rest of it: zap_pid_ns_processes(),
 * kernel/pid_namespace.c). The caller is either the lab (in init_pid_ns) or, when the
 * scenario puts it in a chain of `n` pid namespaces below init_pid_ns (1 <= n <= 32, the
 * kernel's MAX_PID_NS_LEVEL), the caller helper's init of the n-th namespace (pidns.ts,
 * nscaller.c): unshare(CLONE_NEWPID) moves only a process's children, so the lab cannot be
 * that caller itself. Beside such a caller one more process may stand for the lab: a root
 * user process of init_pid_ns, all threads in S, which opens the caller's pidfds and passes
 * them on (the scenario's caller `fds`: SCM_RIGHTS on the host as in the kernel's story) and
 * sends the `kill` event. The caller may not sit in the victim's namespace or below it: the
 * caller helper's chain starts from the lab's namespace.
 *
 * @module
 */

import {
  CAP_BIT,
  type Capability,
  type Scenario,
  type ScenarioProcess,
} from "../../engine/scenario/mod.ts";

/** Where the scenario's processes sit, for the host. */
export interface PidnsPlan {
  /** How many pid namespaces below init_pid_ns the caller sits: 0 when it is the lab. */
  callerLevels: number;
  /** The process the lab plays beside a caller in a child namespace, or null. */
  lab: ScenarioProcess | null;
  /** The lab SIGKILLs the frozen victim before the intent (the scenario's `kill` event). */
  killedBefore: boolean;
  /** The victim is in a pid namespace of its own, a child of init_pid_ns. */
  victimPidns: boolean;
  /** Why the scenario's namespaces or events cannot run on the host (none when they can). */
  why: string[];
}

/** Root with every capability: what the lab and its helpers are on the host. */
export function isRoot(p: ScenarioProcess): boolean {
  return p.uid === 0 && p.euid === 0 &&
    (Object.keys(CAP_BIT) as Capability[]).every((c) => p.caps.includes(c));
}

/** The roles of a scenario's processes on the host. */
export interface HostRoles {
  /** The victim. */
  victim: ScenarioProcess;
  /** The caller's process. */
  caller: ScenarioProcess;
  /** The victim's vfork child, if any. */
  vforkChild: ScenarioProcess | undefined;
  /** Whether the victim is frozen at the intent. */
  frozen: boolean;
}

/**
 * The pid namespace levels of `s`'s caller, the lab's process and the kill event, or why
 * not.
 *
 * @example
 * ```ts
 * import { pidnsPlan } from "./plan_pidns.ts";
 * // const { callerLevels, why } = pidnsPlan(scenario, { victim, caller, vforkChild, frozen });
 * ```
 */
export function pidnsPlan(s: Scenario, roles: HostRoles): PidnsPlan {
  const why: string[] = [];
  const { victim, caller, vforkChild } = roles;
  const all = s.pid_namespaces ?? [];
  const nsOf = (tgid: number) => all.find((n) => n.procs.includes(tgid));
  // The namespaces from a process's up to init_pid_ns's child; the validator checked that
  // the parents form a tree of at most 32, so the walk ends.
  const chainOf = (tgid: number): string[] => {
    const ids: string[] = [];
    for (let ns = nsOf(tgid); ns; ns = all.find((x) => x.id === ns!.parent)) ids.push(ns.id);
    return ids;
  };
  const callerChain = chainOf(caller.tgid);
  const victimNs = nsOf(victim.tgid);
  const kidNs = vforkChild && (victimNs ?? nsOf(vforkChild.tgid));
  if (kidNs) {
    why.push(
      `a vfork child in pid namespace ${kidNs.id}: the host runs a victim with a vfork child ` +
        `in the lab's own pid namespace (init_pid_ns)`,
    );
  }
  if (victimNs && (victimNs.parent !== null || victimNs.procs.length !== 1)) {
    why.push(
      `the victim in pid namespace ${victimNs.id}: the host makes it the init of a namespace ` +
        `of its own, one level below the lab's (a child of init_pid_ns, no other member)`,
    );
  }
  if (victimNs && callerChain.includes(victimNs.id)) {
    why.push(
      `the caller in the victim's pid namespace ${victimNs.id} or below it: the host's ` +
        `caller helper starts from the lab's`,
    );
  }
  const callerLevels = callerChain.length;
  const others = s.processes.filter((p) => ![victim, caller, vforkChild].includes(p));
  const lab = callerLevels > 0 && others.length === 1 ? others[0] : null;
  if (lab && (!isLabLike(lab) || nsOf(lab.tgid))) {
    why.push(
      `process ${lab.tgid} (${lab.comm}) stands for the lab: a root user process of ` +
        `init_pid_ns with every capability, alive, its threads in S`,
    );
  }
  if (callerLevels > 0 && s.intent.then.length) {
    why.push("intent.then: follow-up calls of a caller in a child pid namespace");
  }
  const kills = killsBefore(s, roles, callerLevels > 0 ? lab : caller);
  return {
    callerLevels,
    lab,
    killedBefore: kills.count > 0,
    victimPidns: victimNs !== undefined,
    why: [...why, ...kills.why],
  };
}

function isLabLike(p: ScenarioProcess): boolean {
  return isRoot(p) && !p.kthread && !p.init && p.status === "alive" && !p.vfork_child &&
    p.threads.every((t) => t.state === "S" && !t.traced_exit);
}

/**
 * The events the host stages: one SIGKILL `kill` of a frozen victim, before the intent, sent
 * by the lab (`sender`); the lab sends it through its pidfd, and the frozen victim keeps its
 * mm until thawed (docs/host.md), as the simulator's does.
 */
function killsBefore(
  s: Scenario,
  roles: HostRoles,
  sender: ScenarioProcess | null,
): { count: number; why: string[] } {
  const why: string[] = [];
  s.events.forEach((e, i) => {
    if (
      e.kind !== "kill" || e.sig !== "SIGKILL" || e.target !== roles.victim.tgid ||
      !sender?.threads.some((t) => t.pid === e.from) || e.at_ns >= s.intent.at_ns
    ) {
      why.push(
        `events[${i}] (${e.kind}): the host stages only a SIGKILL of the victim before the ` +
          `intent, sent by the lab`,
      );
    }
  });
  if (s.events.length > 1) why.push("more than one event");
  if (s.events.length && !roles.frozen) {
    why.push("a kill event before the intent needs a frozen victim (it keeps its mm only so)");
  }
  return { count: s.events.length, why };
}
