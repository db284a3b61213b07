/* tslint:disable */
/* eslint-disable */

export class Kernel {
    free(): void;
    [Symbol.dispose](): void;
    __task_will_free_mem(cur: number, task: number): number;
    static abi_version(): number;
    /**
     * access_pidfd_pidns(): 1 when `pid`'s namespace chain reaches `cur`'s active pid
     * namespace (pidns.rs), else 0.
     */
    access_pidfd_pidns(cur: number, pid: number): number;
    /**
     * GUP over pages [start, end) of `mm` from `cur`'s context (process_vm_readv,
     * /proc/<pid>/mem): the pages a remote reader copies before a fault fails.
     */
    access_remote(cur: number, mm: number, start_page: number, end_page: number): number;
    caller(): number;
    capable(cur: number, cap: number): number;
    /**
     * Writes "1" to cgroup.kill of `cgrp` (cgroup.rs): 0, or -ENOENT (the root, no cgroup).
     */
    cgroup_kill(cur: number, cgrp: number): number;
    /**
     * cgroup.procs of `cgrp` (of its subtree with `recursive`): the tgid after `after` (0 to
     * start), 0 at the end, -ENOENT, -ESRCH.
     */
    cgroup_proc_next(cur: number, cgrp: number, after: number, recursive: boolean): number;
    check_invariants(): number;
    /**
     * check_kill_permission(sender, tgid) with no signal sent: 1, 0, or -ESRCH.
     */
    check_kill_permission(sender: number, tgid: number): number;
    /**
     * ptrace_may_access's rule with any task as the tracer (no running caller needed).
     */
    check_ptrace_permission(tracer: number, task: number, mode: number): number;
    choices_taken(): number;
    close(cur: number, fd: number): number;
    /**
     * CPU time charged to a task (the kernel's and its recipe's), 0 for an unknown pid.
     */
    cpu_time_ns(pid: number): number;
    /**
     * Frees snapshot `id`; 0, or -EINVAL for an id that is not live.
     */
    drop_snapshot(id: number): number;
    /**
     * The records the log stands for, each folded run of rss_stat records written out
     * (fold.rs): what `decodeEvents` gives.
     */
    event_count(): number;
    /**
     * Events from index `first` on, 8 numbers each (`first` counts the log's own entries,
     * a folded run's shorthand one of them).
     */
    events(first: number): Float64Array;
    /**
     * FNV-1a 64 of the whole event log, as 16 hex digits.
     */
    events_hash(): string;
    ext_end(pid: number): number;
    ext_start(pid: number): number;
    ext_yield(pid: number): number;
    fatal_signal_pending(task: number): number;
    find_lock_task_mm(cur: number, task: number): number;
    get_pid_task(cur: number, pid: number, pidtype: number): number;
    horizon_ns(): number;
    is_global_init(tgid: number): number;
    /**
     * The kernel's facts as JSON: constants, versions with their named features, and the
     * layouts of events, snapshots and the world program (`facts.rs`). TypeScript reads
     * every one of them from here at load.
     */
    static kernel_facts(): string;
    kernel_version(): number;
    kill(cur: number, pid: number, sig: number): number;
    kill_pid_info(cur: number, sig: number, pid: number): number;
    last_error(): string;
    /**
     * References taken through the primitives and not put back: [task refs, mm refs].
     */
    leaked_refs(): Float64Array;
    /**
     * Builds the world from a program (docs/scenario-format.md). 0, or -EINVAL with
     * `last_error` naming the record's word index and the problem.
     */
    load_world(program: Int32Array | number[]): number;
    /**
     * What do_madvise() meets over pages [start, end) of `mm`: which 0, the page where a VMA
     * can_madv_lru_vma() refuses ends the walk (`end` if none); which 1, whether some page
     * lies in no VMA (1/0).
     */
    madvise_span(mm: number, start_page: number, end_page: number, which: number): number;
    mark_oom_victim(cur: number, task: number): number;
    mm_count_total(): number;
    /**
     * op: 0 test_bit, 1 set_bit, 2 clear_bit; bit: one MMF_ mask bit.
     */
    mm_flag(cur: number, mm: number, bit: number, op: number): number;
    /**
     * An mm's snapshot, laid out as the facts' `mm_info` names; empty for a bad handle.
     */
    mm_info(mm: number): Float64Array;
    /**
     * op: 0 mmgrab, 1 mmdrop, 2 mmget, 3 mmget_not_zero, 4 mmput (may answer BLOCKED).
     */
    mm_ref(cur: number, mm: number, op: number): number;
    /**
     * mode: 0 read, 1 write; how: 0 blocking, 1 killable, 2 trylock (read only).
     */
    mmap_lock(cur: number, mm: number, mode: number, how: number): number;
    mmap_unlock(cur: number, mm: number, mode: number): number;
    /**
     * A machine with nothing in it; `seed_lo`/`seed_hi` seed the choice source.
     */
    constructor(seed_lo: number, seed_hi: number);
    /**
     * The next process after tgid `after` (0 to start) sharing `mm`, or 0.
     */
    next_process_sharing_mm(cur: number, mm: number, after: number): number;
    now_ns(): number;
    oom_kill_process(cur: number, tgid: number): number;
    oom_reap_task_mm(cur: number, mm: number): number;
    oom_reaper_pid(): number;
    /**
     * At an order choice where CPUs `a` and `b` are both due: `[1, ib, ia, due...]` when
     * `a` then `b` reaches the world `b` then `a` reaches (up to the order of the
     * instant's events in the log, which the outcome does not read), else `[0, ib, ia,
     * due...]`; `ib` is `b`'s position among the CPUs due after `a` acted, `ia` is `a`'s
     * after `b` acted, and `due` are the CPUs due after `b` acted alone. Empty when either
     * order cannot be tried (a CPU not due, a step that is not the core's alone).
     */
    order_commutes(a: number, b: number): Uint32Array;
    pidfd_get_pid(cur: number, fd: number): number;
    pidfd_nonblock(cur: number, fd: number): number;
    pidfd_open(cur: number, pid: number, flags: number): number;
    pidfd_poll(cur: number, fd: number): number;
    pidfd_send_signal(cur: number, fd: number, sig: number, flags: number): number;
    pidfd_to_pid(cur: number, fd: number): number;
    /**
     * Every pid, in creation order.
     */
    pids(): Uint32Array;
    process_shares_mm(tgid: number, mm: number): number;
    ptrace_may_access(cur: number, task: number, mode: number): number;
    put_task_struct(cur: number, task: number): number;
    queue_oom_reaper(cur: number, task: number, delay_us: number): number;
    /**
     * Private anon pages of mm handle `mm` that a reap would free now (0 for a bad handle).
     */
    reapable_pages(mm: number): number;
    /**
     * Makes the world what snapshot `id` copied (the snapshot stays, for the next
     * alternative); 0, or -EINVAL for an id that is not live.
     */
    restore(id: number): number;
    /**
     * Runs until `until_ns`: returns an external task's pid when its TypeScript segment
     * must run, 0 at `until_ns` or when nothing is left to happen, `RUN_LIMIT` (-10001)
     * when the run reached a limit (`run_limit` names it), or -errno.
     */
    run(until_ns: number): number;
    /**
     * The limit the run reached ("events" or "steps"), or "" while it reached none.
     */
    run_limit(): string;
    /**
     * The limits' defaults and maxima: [events default, events max, steps default, steps
     * max] (`limits.rs`).
     */
    static run_limit_bounds(): Float64Array;
    /**
     * The run's limits: [max events, max steps].
     */
    run_limits(): Float64Array;
    /**
     * `run`, pausing after `max_steps` steps with -EAGAIN: calling it again goes on
     * exactly as if it had not paused. The runner reads the wall clock between slices.
     */
    run_steps(until_ns: number, max_steps: number): number;
    /**
     * Run-queue slots and tree nodes the scheduler and its per-step checks examined so
     * far: what grows with the number of runnable tasks (the scaling tests read it).
     */
    sched_work(): number;
    /**
     * Replaces the PRNG by an explicit choice list (taken modulo, then 0 when exhausted).
     */
    set_choices(list: Uint32Array | number[]): void;
    /**
     * As `set_choices`, and every pick past the list's end (alternative 0) is reported by
     * `take_fresh_choices`; `run_steps` pauses (-EAGAIN) after a step that drew one.
     */
    set_choices_exploring(list: Uint32Array | number[]): void;
    set_event_recording(on: boolean): void;
    /**
     * Folds a zap's equal batches that nothing can interleave with into one step (on by
     * default; fold.rs). Off, every batch is its own step: the same run, as the tests
     * check, at a cost that grows with the mm's size.
     */
    set_folding(on: boolean): void;
    /**
     * Switches historical kernel bugs back on (`KERNEL_BUG_*` bits: 1 = §F.3 dangling
     * mm->mmap); 0, or -EINVAL for unknown bits.
     */
    set_kernel_bugs(mask: number): number;
    /**
     * Switches proposed kernel changes on (`KERNEL_VARIANT_*` bits, variant.rs: 1 =
     * exit_mm retention, 2 = exit_mmap under the write lock), before `load_world`, which
     * refuses one on a kernel it does not apply to (`variant::applies`); 0, or -EINVAL for
     * unknown bits.
     */
    set_kernel_variants(mask: number): number;
    /**
     * Sets the run's limits (`limits.rs`): the most events its log holds and the most
     * steps it simulates, whole numbers from 1 to `run_limit_bounds`' maxima; 0, or
     * -EINVAL (and the limits stay). Set them after `load_world`: a refused program
     * leaves a fresh machine, with the default limits.
     */
    set_run_limits(max_events: number, max_steps: number): number;
    /**
     * Sets the most live snapshots (1 to `MAX_SNAPSHOT_LIMIT`, and no fewer than are live);
     * 0, or -EINVAL.
     */
    set_snapshot_limit(limit: number): number;
    signal_group_exit(task: number): number;
    /**
     * Copies the world as it is now; the snapshot's id (>= 0), -EBUSY while a TypeScript
     * segment is under way (the world is between two steps only when `run` has returned),
     * or -ENOSPC with `last_error` naming the limit reached.
     */
    snapshot(): number;
    /**
     * The most live snapshots now, the most `set_snapshot_limit` allows, and the most
     * logged events the live snapshots may hold together.
     */
    snapshot_limits(): Float64Array;
    /**
     * How many snapshots are live.
     */
    snapshots_live(): number;
    /**
     * Steps simulated so far (one CPU acting once).
     */
    steps_taken(): number;
    syscall_enter(cur: number, nr: number, a0: number, a1: number): number;
    syscall_exit(cur: number, nr: number, ret: number): number;
    /**
     * Every event not taken yet, handed over without a copy in the core (the count and the
     * hash still cover them): for a caller that reads the log once at the end of a run.
     */
    take_events(): Float64Array;
    /**
     * The arities of the picks past the exploring list's end since the last call.
     */
    take_fresh_choices(): Uint32Array;
    take_result(pid: number): number;
    /**
     * The cgroup of process `tgid`: its handle (a cgroup's index + 1; 0 the root), -ESRCH.
     */
    task_cgroup(tgid: number): number;
    task_count(): number;
    /**
     * task->exit_mm (the exit_mm_retention variant's; 0 = NULL, always without it).
     */
    task_exit_mm(task: number): number;
    task_flags(task: number): number;
    /**
     * A task's snapshot, laid out as the facts' `task_info` names; empty for an unknown pid.
     */
    task_info(pid: number): Float64Array;
    task_lock(cur: number, task: number): number;
    task_mm(task: number): number;
    task_tgid(task: number): number;
    task_unlock(cur: number, task: number): number;
    task_will_free_mem(cur: number, task: number): number;
    waitid_pidfd(cur: number, fd: number, options: number): number;
    /**
     * The siginfo `pid`'s last waitid filled in: which 0 is si_pid (0: nothing reaped), 1
     * si_code, 2 si_status.
     */
    waitid_siginfo(pid: number, which: number): number;
    /**
     * What a walk in `mode` (an index of the facts' `zap_modes`) does on kernel `version`
     * (a version code) with a VMA of `kind`, `flags` and `notifier` (the VMA record's
     * codes): the index of the facts' `zap_coverages` (0 skipped, 1 refused, 2 zapped), the
     * rule the walks themselves follow; -EINVAL for a code the core does not know.
     */
    static zap_coverage(version: number, kind: number, flags: number, notifier: number, mode: number): number;
    zap_range(cur: number, mm: number, start_page: number, end_page: number): number;
}
