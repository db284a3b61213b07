/* @ts-self-types="./mrelease_core.d.ts" */
import source wasmModule from "./mrelease_core_bg.wasm";


export class Kernel {
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        KernelFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_kernel_free(ptr, 0);
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    __task_will_free_mem(cur, task) {
        const ret = wasm.kernel___task_will_free_mem(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @returns {number}
     */
    static abi_version() {
        const ret = wasm.kernel_abi_version();
        return ret >>> 0;
    }
    /**
     * access_pidfd_pidns(): 1 when `pid`'s namespace chain reaches `cur`'s active pid
     * namespace (pidns.rs), else 0.
     * @param {number} cur
     * @param {number} pid
     * @returns {number}
     */
    access_pidfd_pidns(cur, pid) {
        const ret = wasm.kernel_access_pidfd_pidns(this.__wbg_ptr, cur, pid);
        return ret;
    }
    /**
     * GUP over pages [start, end) of `mm` from `cur`'s context (process_vm_readv,
     * /proc/<pid>/mem): the pages a remote reader copies before a fault fails.
     * @param {number} cur
     * @param {number} mm
     * @param {number} start_page
     * @param {number} end_page
     * @returns {number}
     */
    access_remote(cur, mm, start_page, end_page) {
        const ret = wasm.kernel_access_remote(this.__wbg_ptr, cur, mm, start_page, end_page);
        return ret;
    }
    /**
     * @returns {number}
     */
    caller() {
        const ret = wasm.kernel_caller(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * @param {number} cur
     * @param {number} cap
     * @returns {number}
     */
    capable(cur, cap) {
        const ret = wasm.kernel_capable(this.__wbg_ptr, cur, cap);
        return ret;
    }
    /**
     * Writes "1" to cgroup.kill of `cgrp` (cgroup.rs): 0, or -ENOENT (the root, no cgroup).
     * @param {number} cur
     * @param {number} cgrp
     * @returns {number}
     */
    cgroup_kill(cur, cgrp) {
        const ret = wasm.kernel_cgroup_kill(this.__wbg_ptr, cur, cgrp);
        return ret;
    }
    /**
     * cgroup.procs of `cgrp` (of its subtree with `recursive`): the tgid after `after` (0 to
     * start), 0 at the end, -ENOENT, -ESRCH.
     * @param {number} cur
     * @param {number} cgrp
     * @param {number} after
     * @param {boolean} recursive
     * @returns {number}
     */
    cgroup_proc_next(cur, cgrp, after, recursive) {
        const ret = wasm.kernel_cgroup_proc_next(this.__wbg_ptr, cur, cgrp, after, recursive);
        return ret;
    }
    /**
     * @returns {number}
     */
    check_invariants() {
        const ret = wasm.kernel_check_invariants(this.__wbg_ptr);
        return ret;
    }
    /**
     * check_kill_permission(sender, tgid) with no signal sent: 1, 0, or -ESRCH.
     * @param {number} sender
     * @param {number} tgid
     * @returns {number}
     */
    check_kill_permission(sender, tgid) {
        const ret = wasm.kernel_check_kill_permission(this.__wbg_ptr, sender, tgid);
        return ret;
    }
    /**
     * ptrace_may_access's rule with any task as the tracer (no running caller needed).
     * @param {number} tracer
     * @param {number} task
     * @param {number} mode
     * @returns {number}
     */
    check_ptrace_permission(tracer, task, mode) {
        const ret = wasm.kernel_check_ptrace_permission(this.__wbg_ptr, tracer, task, mode);
        return ret;
    }
    /**
     * @returns {number}
     */
    choices_taken() {
        const ret = wasm.kernel_choices_taken(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @returns {number}
     */
    close(cur, fd) {
        const ret = wasm.kernel_close(this.__wbg_ptr, cur, fd);
        return ret;
    }
    /**
     * CPU time charged to a task (the kernel's and its recipe's), 0 for an unknown pid.
     * @param {number} pid
     * @returns {number}
     */
    cpu_time_ns(pid) {
        const ret = wasm.kernel_cpu_time_ns(this.__wbg_ptr, pid);
        return ret;
    }
    /**
     * Frees snapshot `id`; 0, or -EINVAL for an id that is not live.
     * @param {number} id
     * @returns {number}
     */
    drop_snapshot(id) {
        const ret = wasm.kernel_drop_snapshot(this.__wbg_ptr, id);
        return ret;
    }
    /**
     * The records the log stands for, each folded run of rss_stat records written out
     * (fold.rs): what `decodeEvents` gives.
     * @returns {number}
     */
    event_count() {
        const ret = wasm.kernel_event_count(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Events from index `first` on, 8 numbers each (`first` counts the log's own entries,
     * a folded run's shorthand one of them).
     * @param {number} first
     * @returns {Float64Array}
     */
    events(first) {
        const ret = wasm.kernel_events(this.__wbg_ptr, first);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * FNV-1a 64 of the whole event log, as 16 hex digits.
     * @returns {string}
     */
    events_hash() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.kernel_events_hash(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * @param {number} pid
     * @returns {number}
     */
    ext_end(pid) {
        const ret = wasm.kernel_ext_end(this.__wbg_ptr, pid);
        return ret;
    }
    /**
     * @param {number} pid
     * @returns {number}
     */
    ext_start(pid) {
        const ret = wasm.kernel_ext_start(this.__wbg_ptr, pid);
        return ret;
    }
    /**
     * @param {number} pid
     * @returns {number}
     */
    ext_yield(pid) {
        const ret = wasm.kernel_ext_yield(this.__wbg_ptr, pid);
        return ret;
    }
    /**
     * @param {number} task
     * @returns {number}
     */
    fatal_signal_pending(task) {
        const ret = wasm.kernel_fatal_signal_pending(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    find_lock_task_mm(cur, task) {
        const ret = wasm.kernel_find_lock_task_mm(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} pid
     * @param {number} pidtype
     * @returns {number}
     */
    get_pid_task(cur, pid, pidtype) {
        const ret = wasm.kernel_get_pid_task(this.__wbg_ptr, cur, pid, pidtype);
        return ret;
    }
    /**
     * @returns {number}
     */
    horizon_ns() {
        const ret = wasm.kernel_horizon_ns(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} tgid
     * @returns {number}
     */
    is_global_init(tgid) {
        const ret = wasm.kernel_is_global_init(this.__wbg_ptr, tgid);
        return ret;
    }
    /**
     * The kernel's facts as JSON: constants, versions with their named features, and the
     * layouts of events, snapshots and the world program (`facts.rs`). TypeScript reads
     * every one of them from here at load.
     * @returns {string}
     */
    static kernel_facts() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.kernel_kernel_facts();
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * @returns {number}
     */
    kernel_version() {
        const ret = wasm.kernel_kernel_version(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} pid
     * @param {number} sig
     * @returns {number}
     */
    kill(cur, pid, sig) {
        const ret = wasm.kernel_kill(this.__wbg_ptr, cur, pid, sig);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} sig
     * @param {number} pid
     * @returns {number}
     */
    kill_pid_info(cur, sig, pid) {
        const ret = wasm.kernel_kill_pid_info(this.__wbg_ptr, cur, sig, pid);
        return ret;
    }
    /**
     * @returns {string}
     */
    last_error() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.kernel_last_error(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * References taken through the primitives and not put back: [task refs, mm refs].
     * @returns {Float64Array}
     */
    leaked_refs() {
        const ret = wasm.kernel_leaked_refs(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * Builds the world from a program (docs/scenario-format.md). 0, or -EINVAL with
     * `last_error` naming the record's word index and the problem.
     * @param {Int32Array | number[]} program
     * @returns {number}
     */
    load_world(program) {
        const ptr0 = passArray32ToWasm0(program, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.kernel_load_world(this.__wbg_ptr, ptr0, len0);
        return ret;
    }
    /**
     * What do_madvise() meets over pages [start, end) of `mm`: which 0, the page where a VMA
     * can_madv_lru_vma() refuses ends the walk (`end` if none); which 1, whether some page
     * lies in no VMA (1/0).
     * @param {number} mm
     * @param {number} start_page
     * @param {number} end_page
     * @param {number} which
     * @returns {number}
     */
    madvise_span(mm, start_page, end_page, which) {
        const ret = wasm.kernel_madvise_span(this.__wbg_ptr, mm, start_page, end_page, which);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    mark_oom_victim(cur, task) {
        const ret = wasm.kernel_mark_oom_victim(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @returns {number}
     */
    mm_count_total() {
        const ret = wasm.kernel_mm_count_total(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * op: 0 test_bit, 1 set_bit, 2 clear_bit; bit: one MMF_ mask bit.
     * @param {number} cur
     * @param {number} mm
     * @param {number} bit
     * @param {number} op
     * @returns {number}
     */
    mm_flag(cur, mm, bit, op) {
        const ret = wasm.kernel_mm_flag(this.__wbg_ptr, cur, mm, bit, op);
        return ret;
    }
    /**
     * An mm's snapshot, laid out as the facts' `mm_info` names; empty for a bad handle.
     * @param {number} mm
     * @returns {Float64Array}
     */
    mm_info(mm) {
        const ret = wasm.kernel_mm_info(this.__wbg_ptr, mm);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * op: 0 mmgrab, 1 mmdrop, 2 mmget, 3 mmget_not_zero, 4 mmput (may answer BLOCKED).
     * @param {number} cur
     * @param {number} mm
     * @param {number} op
     * @returns {number}
     */
    mm_ref(cur, mm, op) {
        const ret = wasm.kernel_mm_ref(this.__wbg_ptr, cur, mm, op);
        return ret;
    }
    /**
     * mode: 0 read, 1 write; how: 0 blocking, 1 killable, 2 trylock (read only).
     * @param {number} cur
     * @param {number} mm
     * @param {number} mode
     * @param {number} how
     * @returns {number}
     */
    mmap_lock(cur, mm, mode, how) {
        const ret = wasm.kernel_mmap_lock(this.__wbg_ptr, cur, mm, mode, how);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} mm
     * @param {number} mode
     * @returns {number}
     */
    mmap_unlock(cur, mm, mode) {
        const ret = wasm.kernel_mmap_unlock(this.__wbg_ptr, cur, mm, mode);
        return ret;
    }
    /**
     * A machine with nothing in it; `seed_lo`/`seed_hi` seed the choice source.
     * @param {number} seed_lo
     * @param {number} seed_hi
     */
    constructor(seed_lo, seed_hi) {
        const ret = wasm.kernel_new(seed_lo, seed_hi);
        this.__wbg_ptr = ret;
        KernelFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * The next process after tgid `after` (0 to start) sharing `mm`, or 0.
     * @param {number} cur
     * @param {number} mm
     * @param {number} after
     * @returns {number}
     */
    next_process_sharing_mm(cur, mm, after) {
        const ret = wasm.kernel_next_process_sharing_mm(this.__wbg_ptr, cur, mm, after);
        return ret;
    }
    /**
     * @returns {number}
     */
    now_ns() {
        const ret = wasm.kernel_now_ns(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} tgid
     * @returns {number}
     */
    oom_kill_process(cur, tgid) {
        const ret = wasm.kernel_oom_kill_process(this.__wbg_ptr, cur, tgid);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} mm
     * @returns {number}
     */
    oom_reap_task_mm(cur, mm) {
        const ret = wasm.kernel_oom_reap_task_mm(this.__wbg_ptr, cur, mm);
        return ret;
    }
    /**
     * @returns {number}
     */
    oom_reaper_pid() {
        const ret = wasm.kernel_oom_reaper_pid(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * At an order choice where CPUs `a` and `b` are both due: `[1, ib, ia, due...]` when
     * `a` then `b` reaches the world `b` then `a` reaches (up to the order of the
     * instant's events in the log, which the outcome does not read), else `[0, ib, ia,
     * due...]`; `ib` is `b`'s position among the CPUs due after `a` acted, `ia` is `a`'s
     * after `b` acted, and `due` are the CPUs due after `b` acted alone. Empty when either
     * order cannot be tried (a CPU not due, a step that is not the core's alone).
     * @param {number} a
     * @param {number} b
     * @returns {Uint32Array}
     */
    order_commutes(a, b) {
        const ret = wasm.kernel_order_commutes(this.__wbg_ptr, a, b);
        var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @returns {number}
     */
    pidfd_get_pid(cur, fd) {
        const ret = wasm.kernel_pidfd_get_pid(this.__wbg_ptr, cur, fd);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @returns {number}
     */
    pidfd_nonblock(cur, fd) {
        const ret = wasm.kernel_pidfd_nonblock(this.__wbg_ptr, cur, fd);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} pid
     * @param {number} flags
     * @returns {number}
     */
    pidfd_open(cur, pid, flags) {
        const ret = wasm.kernel_pidfd_open(this.__wbg_ptr, cur, pid, flags);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @returns {number}
     */
    pidfd_poll(cur, fd) {
        const ret = wasm.kernel_pidfd_poll(this.__wbg_ptr, cur, fd);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @param {number} sig
     * @param {number} flags
     * @returns {number}
     */
    pidfd_send_signal(cur, fd, sig, flags) {
        const ret = wasm.kernel_pidfd_send_signal(this.__wbg_ptr, cur, fd, sig, flags);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @returns {number}
     */
    pidfd_to_pid(cur, fd) {
        const ret = wasm.kernel_pidfd_to_pid(this.__wbg_ptr, cur, fd);
        return ret;
    }
    /**
     * Every pid, in creation order.
     * @returns {Uint32Array}
     */
    pids() {
        const ret = wasm.kernel_pids(this.__wbg_ptr);
        var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * @param {number} tgid
     * @param {number} mm
     * @returns {number}
     */
    process_shares_mm(tgid, mm) {
        const ret = wasm.kernel_process_shares_mm(this.__wbg_ptr, tgid, mm);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @param {number} mode
     * @returns {number}
     */
    ptrace_may_access(cur, task, mode) {
        const ret = wasm.kernel_ptrace_may_access(this.__wbg_ptr, cur, task, mode);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    put_task_struct(cur, task) {
        const ret = wasm.kernel_put_task_struct(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @param {number} delay_us
     * @returns {number}
     */
    queue_oom_reaper(cur, task, delay_us) {
        const ret = wasm.kernel_queue_oom_reaper(this.__wbg_ptr, cur, task, delay_us);
        return ret;
    }
    /**
     * Private anon pages of mm handle `mm` that a reap would free now (0 for a bad handle).
     * @param {number} mm
     * @returns {number}
     */
    reapable_pages(mm) {
        const ret = wasm.kernel_reapable_pages(this.__wbg_ptr, mm);
        return ret;
    }
    /**
     * Makes the world what snapshot `id` copied (the snapshot stays, for the next
     * alternative); 0, or -EINVAL for an id that is not live.
     * @param {number} id
     * @returns {number}
     */
    restore(id) {
        const ret = wasm.kernel_restore(this.__wbg_ptr, id);
        return ret;
    }
    /**
     * Runs until `until_ns`: returns an external task's pid when its TypeScript segment
     * must run, 0 at `until_ns` or when nothing is left to happen, `RUN_LIMIT` (-10001)
     * when the run reached a limit (`run_limit` names it), or -errno.
     * @param {number} until_ns
     * @returns {number}
     */
    run(until_ns) {
        const ret = wasm.kernel_run(this.__wbg_ptr, until_ns);
        return ret;
    }
    /**
     * The limit the run reached ("events" or "steps"), or "" while it reached none.
     * @returns {string}
     */
    run_limit() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.kernel_run_limit(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_free(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The limits' defaults and maxima: [events default, events max, steps default, steps
     * max] (`limits.rs`).
     * @returns {Float64Array}
     */
    static run_limit_bounds() {
        const ret = wasm.kernel_run_limit_bounds();
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The run's limits: [max events, max steps].
     * @returns {Float64Array}
     */
    run_limits() {
        const ret = wasm.kernel_run_limits(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * `run`, pausing after `max_steps` steps with -EAGAIN: calling it again goes on
     * exactly as if it had not paused. The runner reads the wall clock between slices.
     * @param {number} until_ns
     * @param {number} max_steps
     * @returns {number}
     */
    run_steps(until_ns, max_steps) {
        const ret = wasm.kernel_run_steps(this.__wbg_ptr, until_ns, max_steps);
        return ret;
    }
    /**
     * Run-queue slots and tree nodes the scheduler and its per-step checks examined so
     * far: what grows with the number of runnable tasks (the scaling tests read it).
     * @returns {number}
     */
    sched_work() {
        const ret = wasm.kernel_sched_work(this.__wbg_ptr);
        return ret;
    }
    /**
     * Replaces the PRNG by an explicit choice list (taken modulo, then 0 when exhausted).
     * @param {Uint32Array | number[]} list
     */
    set_choices(list) {
        const ptr0 = passArray32ToWasm0(list, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        wasm.kernel_set_choices(this.__wbg_ptr, ptr0, len0);
    }
    /**
     * As `set_choices`, and every pick past the list's end (alternative 0) is reported by
     * `take_fresh_choices`; `run_steps` pauses (-EAGAIN) after a step that drew one.
     * @param {Uint32Array | number[]} list
     */
    set_choices_exploring(list) {
        const ptr0 = passArray32ToWasm0(list, wasm.__wbindgen_malloc);
        const len0 = WASM_VECTOR_LEN;
        wasm.kernel_set_choices_exploring(this.__wbg_ptr, ptr0, len0);
    }
    /**
     * @param {boolean} on
     */
    set_event_recording(on) {
        wasm.kernel_set_event_recording(this.__wbg_ptr, on);
    }
    /**
     * Folds a zap's equal batches that nothing can interleave with into one step (on by
     * default; fold.rs). Off, every batch is its own step: the same run, as the tests
     * check, at a cost that grows with the mm's size.
     * @param {boolean} on
     */
    set_folding(on) {
        wasm.kernel_set_folding(this.__wbg_ptr, on);
    }
    /**
     * Switches historical kernel bugs back on (`KERNEL_BUG_*` bits: 1 = §F.3 dangling
     * mm->mmap); 0, or -EINVAL for unknown bits.
     * @param {number} mask
     * @returns {number}
     */
    set_kernel_bugs(mask) {
        const ret = wasm.kernel_set_kernel_bugs(this.__wbg_ptr, mask);
        return ret;
    }
    /**
     * Switches proposed kernel changes on (`KERNEL_VARIANT_*` bits, variant.rs: 1 =
     * exit_mm retention, 2 = exit_mmap under the write lock), before `load_world`, which
     * refuses one on a kernel it does not apply to (`variant::applies`); 0, or -EINVAL for
     * unknown bits.
     * @param {number} mask
     * @returns {number}
     */
    set_kernel_variants(mask) {
        const ret = wasm.kernel_set_kernel_variants(this.__wbg_ptr, mask);
        return ret;
    }
    /**
     * Sets the run's limits (`limits.rs`): the most events its log holds and the most
     * steps it simulates, whole numbers from 1 to `run_limit_bounds`' maxima; 0, or
     * -EINVAL (and the limits stay). Set them after `load_world`: a refused program
     * leaves a fresh machine, with the default limits.
     * @param {number} max_events
     * @param {number} max_steps
     * @returns {number}
     */
    set_run_limits(max_events, max_steps) {
        const ret = wasm.kernel_set_run_limits(this.__wbg_ptr, max_events, max_steps);
        return ret;
    }
    /**
     * Sets the most live snapshots (1 to `MAX_SNAPSHOT_LIMIT`, and no fewer than are live);
     * 0, or -EINVAL.
     * @param {number} limit
     * @returns {number}
     */
    set_snapshot_limit(limit) {
        const ret = wasm.kernel_set_snapshot_limit(this.__wbg_ptr, limit);
        return ret;
    }
    /**
     * @param {number} task
     * @returns {number}
     */
    signal_group_exit(task) {
        const ret = wasm.kernel_signal_group_exit(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * Copies the world as it is now; the snapshot's id (>= 0), -EBUSY while a TypeScript
     * segment is under way (the world is between two steps only when `run` has returned),
     * or -ENOSPC with `last_error` naming the limit reached.
     * @returns {number}
     */
    snapshot() {
        const ret = wasm.kernel_snapshot(this.__wbg_ptr);
        return ret;
    }
    /**
     * The most live snapshots now, the most `set_snapshot_limit` allows, and the most
     * logged events the live snapshots may hold together.
     * @returns {Float64Array}
     */
    snapshot_limits() {
        const ret = wasm.kernel_snapshot_limits(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * How many snapshots are live.
     * @returns {number}
     */
    snapshots_live() {
        const ret = wasm.kernel_snapshots_live(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * Steps simulated so far (one CPU acting once).
     * @returns {number}
     */
    steps_taken() {
        const ret = wasm.kernel_steps_taken(this.__wbg_ptr);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} nr
     * @param {number} a0
     * @param {number} a1
     * @returns {number}
     */
    syscall_enter(cur, nr, a0, a1) {
        const ret = wasm.kernel_syscall_enter(this.__wbg_ptr, cur, nr, a0, a1);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} nr
     * @param {number} ret2
     * @returns {number}
     */
    syscall_exit(cur, nr, ret2) {
        const ret = wasm.kernel_syscall_exit(this.__wbg_ptr, cur, nr, ret2);
        return ret;
    }
    /**
     * Every event not taken yet, handed over without a copy in the core (the count and the
     * hash still cover them): for a caller that reads the log once at the end of a run.
     * @returns {Float64Array}
     */
    take_events() {
        const ret = wasm.kernel_take_events(this.__wbg_ptr);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * The arities of the picks past the exploring list's end since the last call.
     * @returns {Uint32Array}
     */
    take_fresh_choices() {
        const ret = wasm.kernel_take_fresh_choices(this.__wbg_ptr);
        var v1 = getArrayU32FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * @param {number} pid
     * @returns {number}
     */
    take_result(pid) {
        const ret = wasm.kernel_take_result(this.__wbg_ptr, pid);
        return ret;
    }
    /**
     * The cgroup of process `tgid`: its handle (a cgroup's index + 1; 0 the root), -ESRCH.
     * @param {number} tgid
     * @returns {number}
     */
    task_cgroup(tgid) {
        const ret = wasm.kernel_task_cgroup(this.__wbg_ptr, tgid);
        return ret;
    }
    /**
     * @returns {number}
     */
    task_count() {
        const ret = wasm.kernel_task_count(this.__wbg_ptr);
        return ret >>> 0;
    }
    /**
     * task->exit_mm (the exit_mm_retention variant's; 0 = NULL, always without it).
     * @param {number} task
     * @returns {number}
     */
    task_exit_mm(task) {
        const ret = wasm.kernel_task_exit_mm(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * @param {number} task
     * @returns {number}
     */
    task_flags(task) {
        const ret = wasm.kernel_task_flags(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * A task's snapshot, laid out as the facts' `task_info` names; empty for an unknown pid.
     * @param {number} pid
     * @returns {Float64Array}
     */
    task_info(pid) {
        const ret = wasm.kernel_task_info(this.__wbg_ptr, pid);
        var v1 = getArrayF64FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_free(ret[0], ret[1] * 8, 8);
        return v1;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    task_lock(cur, task) {
        const ret = wasm.kernel_task_lock(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @param {number} task
     * @returns {number}
     */
    task_mm(task) {
        const ret = wasm.kernel_task_mm(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * @param {number} task
     * @returns {number}
     */
    task_tgid(task) {
        const ret = wasm.kernel_task_tgid(this.__wbg_ptr, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    task_unlock(cur, task) {
        const ret = wasm.kernel_task_unlock(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} task
     * @returns {number}
     */
    task_will_free_mem(cur, task) {
        const ret = wasm.kernel_task_will_free_mem(this.__wbg_ptr, cur, task);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} fd
     * @param {number} options
     * @returns {number}
     */
    waitid_pidfd(cur, fd, options) {
        const ret = wasm.kernel_waitid_pidfd(this.__wbg_ptr, cur, fd, options);
        return ret;
    }
    /**
     * The siginfo `pid`'s last waitid filled in: which 0 is si_pid (0: nothing reaped), 1
     * si_code, 2 si_status.
     * @param {number} pid
     * @param {number} which
     * @returns {number}
     */
    waitid_siginfo(pid, which) {
        const ret = wasm.kernel_waitid_siginfo(this.__wbg_ptr, pid, which);
        return ret;
    }
    /**
     * What a walk in `mode` (an index of the facts' `zap_modes`) does on kernel `version`
     * (a version code) with a VMA of `kind`, `flags` and `notifier` (the VMA record's
     * codes): the index of the facts' `zap_coverages` (0 skipped, 1 refused, 2 zapped), the
     * rule the walks themselves follow; -EINVAL for a code the core does not know.
     * @param {number} version
     * @param {number} kind
     * @param {number} flags
     * @param {number} notifier
     * @param {number} mode
     * @returns {number}
     */
    static zap_coverage(version, kind, flags, notifier, mode) {
        const ret = wasm.kernel_zap_coverage(version, kind, flags, notifier, mode);
        return ret;
    }
    /**
     * @param {number} cur
     * @param {number} mm
     * @param {number} start_page
     * @param {number} end_page
     * @returns {number}
     */
    zap_range(cur, mm, start_page, end_page) {
        const ret = wasm.kernel_zap_range(this.__wbg_ptr, cur, mm, start_page, end_page);
        return ret;
    }
}
if (Symbol.dispose) Kernel.prototype[Symbol.dispose] = Kernel.prototype.free;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./mrelease_core_bg.js": import0,
    };
}

const KernelFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_kernel_free(ptr, 1));

function getArrayF64FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getFloat64ArrayMemory0().subarray(ptr / 8, ptr / 8 + len);
}

function getArrayU32FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint32ArrayMemory0().subarray(ptr / 4, ptr / 4 + len);
}

let cachedFloat64ArrayMemory0 = null;
function getFloat64ArrayMemory0() {
    if (cachedFloat64ArrayMemory0 === null || cachedFloat64ArrayMemory0.byteLength === 0) {
        cachedFloat64ArrayMemory0 = new Float64Array(wasm.memory.buffer);
    }
    return cachedFloat64ArrayMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint32ArrayMemory0 = null;
function getUint32ArrayMemory0() {
    if (cachedUint32ArrayMemory0 === null || cachedUint32ArrayMemory0.byteLength === 0) {
        cachedUint32ArrayMemory0 = new Uint32Array(wasm.memory.buffer);
    }
    return cachedUint32ArrayMemory0;
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function passArray32ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 4, 4) >>> 0;
    getUint32ArrayMemory0().set(arg, ptr / 4);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
function decodeText(bytes) {
    return cachedTextDecoder.decode(bytes);
}

let WASM_VECTOR_LEN = 0;

let wasmInstance = new WebAssembly.Instance(wasmModule, __wbg_get_imports());
let wasm = wasmInstance.exports;
wasm.__wbindgen_start();
