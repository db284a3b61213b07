/**
 * The model's states are the kernel's: combinations of process status, thread states,
 * kthreads and vfork that no Linux kernel can produce are rejected, each with the rule
 * that forbids it and where the kernel enforces it. The lab models no ptrace, so the
 * states that only a tracer can hold (a non-leader zombie, a stopped kthread) are out.
 *
 * Runs after `_links.ts` has resolved parents and default thread states; a value that is
 * itself broken (undefined) is not judged again.
 * @module
 */

import { describe, type Problems } from "./_check.ts";
import { keyPath } from "./_path.ts";
import type { ProcessDraft, ThreadDraft } from "./_tasks.ts";
import { vforkChildren, type World } from "./_links.ts";

/**
 * exit_notify() (kernel/exit.c) sets `autoreap = true` for a thread that is not the group
 * leader and is not ptraced, and release_task() frees it before do_exit() returns: only
 * the leader stays behind as a zombie (until the whole group is gone and the parent
 * waits). A ptraced thread stays a zombie until its tracer waits; the lab has no ptrace.
 */
const RULE_AUTOREAP =
  "exit_notify autoreaps a thread that is not the group leader: release_task frees it as it exits, unless a tracer holds it, and the lab models no ptrace";

/**
 * kthreadd creates every kernel thread with kernel_thread(..., CLONE_FS | CLONE_FILES |
 * SIGCHLD) (kernel/kthread.c, create_kthread): never CLONE_THREAD, so a kthread is alone
 * in its thread group.
 */
const RULE_KTHREAD_ONE_THREAD =
  "kthreadd creates every kernel thread without CLONE_THREAD (create_kthread), so a kthread is alone in its thread group";

/**
 * kthreadd calls ignore_signals() on itself, so SIGCHLD is SIG_IGN and do_notify_parent()
 * autoreaps its children: an exited kthread is released at once, never a zombie. (kthreadd
 * itself never exits.)
 */
const RULE_KTHREAD_NO_ZOMBIE =
  "kthreadd ignores SIGCHLD (ignore_signals), so do_notify_parent autoreaps an exited kthread: it is released at once, never a zombie";

/**
 * TASK_STOPPED is entered only through do_signal_stop() (a stop signal) or ptrace; every
 * signal is ignored by a kthread (ignore_signals) and ptrace_attach() refuses PF_KTHREAD.
 */
const RULE_KTHREAD_NOT_STOPPED =
  "a kthread ignores every signal (ignore_signals) and ptrace_attach refuses PF_KTHREAD, so it never enters TASK_STOPPED";

/**
 * The vfork parent sleeps in wait_for_vfork_done() until the child's mm_release() calls
 * complete_vfork_done(), which happens in exit_mm() of the vfork child's task (its
 * leader) or at exec: a vfork child whose leader has exited has released its parent.
 */
const RULE_VFORK_DONE =
  "the vfork child's leader ran exit_mm, whose mm_release completes vfork_done and releases the parent";

/**
 * Each D_vfork thread is a thread that called vfork() and waits for that one child's
 * vfork_done (wait_for_vfork_done(p, &vfork)): one waiting thread per vfork child.
 */
const RULE_VFORK_WAITERS =
  "each D_vfork thread called vfork() and waits for its own child's vfork_done, so there is one per vfork child";

/** Checks the kernel-state rules over every process. */
export function checkKernelStates(p: Problems, processes: ProcessDraft[], world: World): void {
  const vfork_children = vforkChildren(processes, world);
  for (const d of processes) {
    const threads = d.threads ?? [];
    checkNonLeaderZombies(p, d, threads);
    if (d.kthread === true) checkKthread(p, d, threads);
    if (d.vfork_child === true && threads[0]?.state === "zombie") {
      p.add(
        stateAt(threads[0]),
        `expected the leader of a vfork child (a process with "share": "vfork") not to have exited (${RULE_VFORK_DONE}), got "zombie"; drop "share" or give the leader a live state`,
      );
    }
  }
  for (const [parent, children] of vfork_children) {
    const waiting = (parent.threads ?? []).filter((t) => t.state === "D_vfork");
    for (const t of waiting.slice(children.length)) {
      p.add(
        stateAt(t),
        `expected at most ${children.length} thread(s) in "D_vfork" in tgid ${parent.tgid} (${RULE_VFORK_WAITERS}), got ${waiting.length} for ${children.length} vfork child(ren)`,
      );
    }
  }
}

/** The path of a thread's state, or of the thread when the state is a default. */
function stateAt(t: ThreadDraft): string {
  return t.state_given ? keyPath(t.path, "state") : t.path;
}

function checkNonLeaderZombies(p: Problems, d: ProcessDraft, threads: ThreadDraft[]): void {
  threads.forEach((t, i) => {
    if (i === 0 || t.state !== "zombie") return;
    const where = d.status === "zombie"
      ? "a zombie process keeps only its leader; list only the leader"
      : "leave the exited thread out";
    p.add(
      stateAt(t),
      `expected a thread other than the leader not to be in state "zombie" (${RULE_AUTOREAP}), got ${
        describe(t.state)
      }${t.state_given ? "" : " (the default in a zombie process)"}; ${where}`,
    );
  });
}

function checkKthread(p: Problems, d: ProcessDraft, threads: ThreadDraft[]): void {
  if (threads.length > 1) {
    p.add(
      keyPath(d.path, "threads"),
      `expected one thread in a kthread (${RULE_KTHREAD_ONE_THREAD}), got ${threads.length}`,
    );
  }
  if (d.status === "zombie") {
    p.add(
      keyPath(d.path, "status"),
      `expected a kthread to be "alive" or "reaped" (${RULE_KTHREAD_NO_ZOMBIE}), got "zombie"`,
    );
  }
  for (const t of threads) {
    if (t.state !== "T") continue;
    p.add(
      stateAt(t),
      `expected a kthread thread not to be stopped (${RULE_KTHREAD_NOT_STOPPED}), got "T"`,
    );
  }
}
