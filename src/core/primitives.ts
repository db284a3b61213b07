/**
 * The kernel-primitives API that proposals are written against. Names and argument orders
 * are the kernel's (`test_bit(MMF_OOM_SKIP, mm)`, `find_lock_task_mm(task)`), so a design
 * reads next to its patch line by line. Tasks are pids, mms are handles (0 is NULL).
 *
 * Code that may sleep is a generator: `yield* k.mmap_read_lock_killable(mm)` gives the
 * core's scheduler the CPU until the lock is granted, and `yield* k.cond_resched()` is a
 * preemption point.
 *
 * @module
 */

import { BLOCKED } from "./errno.ts";
import type { Kernel } from "./_wasm.ts";

/** What a kernel or userspace generator yields to the runner. */
export type Yield = "block" | "resched";
/** Kernel code that may sleep: a generator returning `T`. */
export type KGen<T> = Generator<Yield, T, void>;

const MM_GRAB = 0, MM_DROP = 1, MM_GET = 2, MM_GET_NOT_ZERO = 3, MM_PUT = 4;
const READ = 0, WRITE = 1;
const BLOCKING = 0, KILLABLE = 1, TRYLOCK = 2;

/**
 * The kernel as seen from `current`: the primitives, bound to the task whose context runs.
 *
 * @example
 * ```ts
 * import type { KGen, Primitives } from "./primitives.ts";
 * function* reap(k: Primitives, mm: number): KGen<boolean> {
 *   yield* k.mmap_read_lock(mm);
 *   const ok = yield* k.__oom_reap_task_mm(mm);
 *   k.mmap_read_unlock(mm);
 *   return ok;
 * }
 * ```
 */
export class Primitives {
  readonly #kernel: Kernel;
  /** The task whose context runs (a pid): the kernel's `current`. */
  readonly current: number;

  /**
   * Binds the primitives to a task.
   *
   * @param kernel the core
   * @param current the task whose context runs (a pid)
   */
  constructor(kernel: Kernel, current: number) {
    this.#kernel = kernel;
    this.current = current;
  }

  /** The simulated clock, in nanoseconds. */
  now_ns(): number {
    return this.#kernel.now_ns();
  }

  /** The running kernel's version code (major * 100 + minor: 618). */
  kernel_version_code(): number {
    return this.#kernel.kernel_version();
  }

  /** Waits for a blocking core call to finish and returns its result. */
  *#await(r: number): KGen<number> {
    if (r !== BLOCKED) return r;
    yield "block";
    return this.#kernel.take_result(this.current);
  }

  /** A preemption point: the CPU is given back to the scheduler. */
  *cond_resched(): KGen<void> {
    yield "resched";
  }

  // ---- pid and task ----

  /** pidfd_get_pid(): a pidfd's pid, or -EBADF (any other fd, including /proc/<pid>). */
  pidfd_get_pid(fd: number): number {
    return this.#kernel.pidfd_get_pid(this.current, fd);
  }

  /** pidfd_to_pid() (pidfd_send_signal's lookup): a pidfd or a /proc/<pid> dir fd. */
  pidfd_to_pid(fd: number): number {
    return this.#kernel.pidfd_to_pid(this.current, fd);
  }

  /**
   * access_pidfd_pidns(pid) (kernel/signal.c): whether `pid`'s pid namespace chain reaches the
   * caller's active one (wasm/src/pidns.rs); pidfd_send_signal() answers EINVAL when not.
   */
  access_pidfd_pidns(pid: number): boolean {
    return this.#kernel.access_pidfd_pidns(this.current, pid) === 1;
  }

  /** The pidfd file's PIDFD_NONBLOCK flag (1/0), or -EBADF. */
  pidfd_nonblock(fd: number): number {
    return this.#kernel.pidfd_nonblock(this.current, fd);
  }

  /** get_pid_task(pid, type): a task reference, or 0 (NULL) once released. */
  get_pid_task(pid: number, type: number): number {
    const t = this.#kernel.get_pid_task(this.current, pid, type);
    return t > 0 ? t : 0;
  }

  /** put_task_struct(task). */
  put_task_struct(task: number): void {
    this.#kernel.put_task_struct(this.current, task);
  }

  /** task_lock(task): the alloc_lock spinlock that protects task->mm. */
  task_lock(task: number): void {
    this.#kernel.task_lock(this.current, task);
  }

  /** task_unlock(task). */
  task_unlock(task: number): void {
    this.#kernel.task_unlock(this.current, task);
  }

  /** find_lock_task_mm(task): a thread of the group that has an mm, locked; 0 if none. */
  find_lock_task_mm(task: number): number {
    const p = this.#kernel.find_lock_task_mm(this.current, task);
    return p > 0 ? p : 0;
  }

  /** task->mm as a handle; 0 is NULL. */
  task_mm(task: number): number {
    return Math.max(0, this.#kernel.task_mm(task));
  }

  /**
   * task->exit_mm as a handle; 0 is NULL, as always on a kernel without the
   * exit_mm_retention variant (wasm/src/variant.rs).
   */
  task_exit_mm(task: number): number {
    return Math.max(0, this.#kernel.task_exit_mm(task));
  }

  /** task->tgid. */
  task_tgid(task: number): number {
    return this.#kernel.task_tgid(task);
  }

  /** task->flags (PF_*). */
  task_flags(task: number): number {
    return Math.max(0, this.#kernel.task_flags(task));
  }

  // ---- mm references ----

  /** mmgrab(mm): pins the mm_struct (mm_count), not its address space. */
  mmgrab(mm: number): void {
    this.#kernel.mm_ref(this.current, mm, MM_GRAB);
  }

  /** mmdrop(mm). */
  mmdrop(mm: number): void {
    this.#kernel.mm_ref(this.current, mm, MM_DROP);
  }

  /** mmget(mm): pins the address space (mm_users): exit_mmap cannot run meanwhile. */
  mmget(mm: number): void {
    this.#kernel.mm_ref(this.current, mm, MM_GET);
  }

  /** mmget_not_zero(mm). */
  mmget_not_zero(mm: number): boolean {
    return this.#kernel.mm_ref(this.current, mm, MM_GET_NOT_ZERO) === 1;
  }

  /** mmput(mm): the last one runs exit_mmap here, in the caller's context. */
  *mmput(mm: number): KGen<void> {
    yield* this.#await(this.#kernel.mm_ref(this.current, mm, MM_PUT));
  }

  // ---- the shared helpers of mm/oom_kill.c ----

  /** task_will_free_mem(task) (§B.2), with its for_each_process walk charged here. */
  task_will_free_mem(task: number): boolean {
    return this.#kernel.task_will_free_mem(this.current, task) === 1;
  }

  /** __task_will_free_mem(task): the signal_struct and PF_EXITING only. */
  __task_will_free_mem(task: number): boolean {
    return this.#kernel.__task_will_free_mem(this.current, task) === 1;
  }

  /** process_shares_mm(p, mm), p a tgid. */
  process_shares_mm(p: number, mm: number): boolean {
    return this.#kernel.process_shares_mm(p, mm) === 1;
  }

  /**
   * The next process (tgid) after `after` in for_each_process() order that shares `mm`, or
   * 0; start with `after = 0`. The walk is charged to the caller.
   */
  next_process_sharing_mm(mm: number, after: number): number {
    return Math.max(0, this.#kernel.next_process_sharing_mm(this.current, mm, after));
  }

  /** is_global_init(p), p a tgid. */
  is_global_init(p: number): boolean {
    return this.#kernel.is_global_init(p) === 1;
  }

  /** signal_group_exit(task->signal) as in v5.10 (also true during a core dump). */
  signal_group_exit(task: number): boolean {
    return this.#kernel.signal_group_exit(task) === 1;
  }

  /** fatal_signal_pending(task). */
  fatal_signal_pending(task: number): boolean {
    return this.#kernel.fatal_signal_pending(task) === 1;
  }

  /** test_bit(bit, &mm->flags). */
  test_bit(bit: number, mm: number): boolean {
    return this.#kernel.mm_flag(this.current, mm, bit, 0) === 1;
  }

  /** set_bit(bit, &mm->flags). */
  set_bit(bit: number, mm: number): void {
    this.#kernel.mm_flag(this.current, mm, bit, 1);
  }

  /** clear_bit(bit, &mm->flags). */
  clear_bit(bit: number, mm: number): void {
    this.#kernel.mm_flag(this.current, mm, bit, 2);
  }

  // ---- mmap_lock ----

  /** mmap_read_lock(mm): uninterruptible; may sleep for as long as a writer holds it. */
  *mmap_read_lock(mm: number): KGen<void> {
    yield* this.#await(this.#kernel.mmap_lock(this.current, mm, READ, BLOCKING));
  }

  /** mmap_read_lock_killable(mm): 0, or -EINTR when the caller gets a fatal signal. */
  *mmap_read_lock_killable(mm: number): KGen<number> {
    return yield* this.#await(this.#kernel.mmap_lock(this.current, mm, READ, KILLABLE));
  }

  /** mmap_read_trylock(mm). */
  mmap_read_trylock(mm: number): boolean {
    return this.#kernel.mmap_lock(this.current, mm, READ, TRYLOCK) === 0;
  }

  /** mmap_write_lock(mm). */
  *mmap_write_lock(mm: number): KGen<void> {
    yield* this.#await(this.#kernel.mmap_lock(this.current, mm, WRITE, BLOCKING));
  }

  /** mmap_read_unlock(mm). */
  mmap_read_unlock(mm: number): void {
    this.#kernel.mmap_unlock(this.current, mm, READ);
  }

  /** mmap_write_unlock(mm). */
  mmap_write_unlock(mm: number): void {
    this.#kernel.mmap_unlock(this.current, mm, WRITE);
  }

  // ---- zapping ----

  /** __oom_reap_task_mm(mm) (§B.3): false when a notifier refused (the EAGAIN case). */
  *__oom_reap_task_mm(mm: number): KGen<boolean> {
    return (yield* this.#await(this.#kernel.oom_reap_task_mm(this.current, mm))) === 1;
  }

  /**
   * GUP over pages [startPage, endPage) of `mm` for a remote reader (process_vm_readv,
   * /proc/<pid>/mem), the caller holding mmap_lock and a reference: how many pages from
   * `startPage` on it copies before a fault fails (an unmapped page, a PFN map, or a
   * pte_none page of a private mapping once MMF_UNSTABLE is set:
   * check_stable_address_space()).
   */
  access_remote(mm: number, startPage: number, endPage: number): number {
    return this.#kernel.access_remote(this.current, mm, startPage, endPage);
  }

  /**
   * do_madvise()'s walk over pages [startPage, endPage) (mm/madvise.c): the page where the
   * first VMA that can_madv_lru_vma() refuses (VM_LOCKED, VM_HUGETLB, VM_PFNMAP) ends it with
   * -EINVAL, or `endPage` when none does.
   */
  madvise_stop(mm: number, startPage: number, endPage: number): number {
    return this.#kernel.madvise_span(mm, startPage, endPage, 0);
  }

  /** Some page of [startPage, endPage) lies in no VMA (do_madvise's `unmapped_error`). */
  range_unmapped(mm: number, startPage: number, endPage: number): boolean {
    return this.#kernel.madvise_span(mm, startPage, endPage, 1) === 1;
  }

  /** MADV_DONTNEED over [start, end) pages with can_madv_lru_vma's skip rules. */
  *zap_range(mm: number, startPage: number, endPage: number): KGen<number> {
    return yield* this.#await(this.#kernel.zap_range(this.current, mm, startPage, endPage));
  }

  // ---- signals and permission ----

  /** kill_pid_info(sig, info, pid): 0, -ESRCH or -EPERM. */
  kill_pid_info(sig: number, pid: number): number {
    return this.#kernel.kill_pid_info(this.current, sig, pid);
  }

  // ---- cgroups (wasm/src/cgroup.rs) ----

  /** The cgroup of process `tgid` (what /proc/<pid>/cgroup names): a handle, 0 the root. */
  task_cgroup(tgid: number): number {
    return this.#kernel.task_cgroup(tgid);
  }

  /** cgroup_kill(cgrp), as writing "1" to its cgroup.kill: 0, or -ENOENT (the root, none). */
  cgroup_kill(cgrp: number): number {
    return this.#kernel.cgroup_kill(this.current, cgrp);
  }

  /**
   * cgroup.procs of `cgrp` (its whole subtree in pre-order with `recursive`): the tgid after
   * `after` (start with 0), 0 at the end, -ENOENT for no such cgroup.
   */
  cgroup_proc_next(cgrp: number, after: number, recursive: boolean): number {
    return this.#kernel.cgroup_proc_next(this.current, cgrp, after, recursive);
  }

  /** mark_oom_victim(task): TIF_MEMDIE, signal->oom_mm pinned with mmgrab(), thaw. */
  mark_oom_victim(task: number): void {
    this.#kernel.mark_oom_victim(this.current, task);
  }

  /**
   * queue_oom_reaper(task) with its timer `delay_us` ahead instead of OOM_REAPER_DELAY (0:
   * the kthread is woken now): 0, or -EINVAL when mark_oom_victim() has not run.
   */
  queue_oom_reaper(task: number, delay_us: number): number {
    return this.#kernel.queue_oom_reaper(this.current, task, delay_us);
  }

  /** capable(cap). */
  capable(cap: number): boolean {
    return this.#kernel.capable(this.current, cap) === 1;
  }

  /** ptrace_may_access(task, mode). */
  ptrace_may_access(task: number, mode: number): boolean {
    return this.#kernel.ptrace_may_access(this.current, task, mode) === 1;
  }
}
